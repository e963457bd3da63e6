import type { FastifyPluginAsync } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import type { TopicCounters } from '../../core/ingest-metrics.ts';
import { type FleetModelFigures, fleetModelFigures, silentDrives } from '../../fleet/fleet-metrics.ts';
import type { ApiDependencies } from '../dependencies.ts';

/** Ingest counters exposed per topic: metric name suffix, help text, Prometheus type and the counter it reads. */
const ingestFamilies: [name: string, help: string, type: 'counter' | 'gauge', field: keyof Omit<TopicCounters, 'last_batch_at'>][] = [
  ['consumed_total', 'Messages consumed from the topic.', 'counter', 'consumed'],
  ['written_total', 'Rows written to ClickHouse from the topic.', 'counter', 'written'],
  ['dead_lettered_total', 'Messages sent to the dead-letter topic with their reason.', 'counter', 'dead_lettered'],
  ['write_failures_total', 'ClickHouse writes that failed and were retried.', 'counter', 'write_failures'],
  ['batches_total', 'Batches processed.', 'counter', 'batches'],
  ['lag_messages', 'Messages behind the partition high-water marks at the last batch.', 'gauge', 'lag'],
];

/** Fleet figures are read from ClickHouse at most this often, however often Prometheus scrapes. */
const fleetCacheMs = 30_000;

/**
 * GET /metrics through prom-client: the API's request counters, the ingest counters (when ingest runs here), the
 * lookup index size, and fleet figures per fleet and model (drives by wear level and flag, worst wear, drives not
 * reporting) from the latest evaluation. Labels are fleet, model, level and flag: bounded, never a serial.
 */
export const metricsRoutes: FastifyPluginAsync<ApiDependencies> = async (app, { ingestMetrics, clickhouse, config }) => {
  const registers = [app.requestMetrics.registry];
  const topics = () => Object.entries(ingestMetrics?.snapshot().topics ?? {});
  for (const [suffix, help, type, field] of ingestFamilies) {
    const name = `wearwatch_ingest_${suffix}`;
    // The counters live in the consumers; each scrape copies their current values.
    if (type === 'counter') {
      new Counter({
        name,
        help,
        labelNames: ['topic'],
        registers,
        collect() {
          this.reset();
          for (const [topic, counters] of topics()) this.inc({ topic }, counters[field]);
        },
      });
    } else {
      new Gauge({
        name,
        help,
        labelNames: ['topic'],
        registers,
        collect() {
          for (const [topic, counters] of topics()) this.set({ topic }, counters[field]);
        },
      });
    }
  }
  new Gauge({
    name: 'wearwatch_api_warranty_index_units',
    help: 'Units the public warranty lookup holds in memory.',
    registers,
    collect() {
      this.set(app.warrantyIndex.size);
    },
  });

  let cached: { at: number; figures: Promise<{ models: FleetModelFigures[]; silent: Awaited<ReturnType<typeof silentDrives>> }> } | undefined;
  const fleetFigures = () => {
    if (!cached || Date.now() - cached.at > fleetCacheMs) {
      const figures = Promise.all([fleetModelFigures(clickhouse.client), silentDrives(clickhouse.client, config.METRICS_STALE_HOURS)]).then(
        ([models, silent]) => ({ models, silent }),
      );
      cached = { at: Date.now(), figures };
      // A failed read is not kept: the next scrape tries again.
      figures.catch(() => {
        cached = undefined;
      });
    }
    return cached.figures;
  };
  new Gauge({
    name: 'wearwatch_fleet_drives',
    help: 'Evaluated drives per fleet, model and near-limit wear level (ok, warn, critical by the fleet’s thresholds; unknown without a reading).',
    labelNames: ['fleet', 'model', 'level'],
    registers,
    async collect() {
      this.reset();
      for (const f of (await fleetFigures()).models) {
        for (const level of ['ok', 'warn', 'critical', 'unknown'] as const) this.set({ fleet: f.fleet_id, model: f.model, level }, f[level]);
      }
    },
  });
  new Gauge({
    name: 'wearwatch_fleet_flags',
    help: 'Drives per fleet and model with each flag raised by the latest evaluation, by flag and level.',
    labelNames: ['fleet', 'model', 'flag', 'level'],
    registers,
    async collect() {
      this.reset();
      for (const f of (await fleetFigures()).models) {
        const labels = { fleet: f.fleet_id, model: f.model };
        this.set({ ...labels, flag: f.near_flag, level: 'warn' }, f.warn);
        this.set({ ...labels, flag: f.near_flag, level: 'critical' }, f.critical);
        this.set({ ...labels, flag: 'wearout_before_coverage_end', level: 'warn' }, f.wearout_before_coverage_end);
        this.set({ ...labels, flag: 'warranty_ending', level: 'info' }, f.warranty_ending);
        this.set({ ...labels, flag: 'temperature_out_of_range', level: 'review' }, f.temperature_out_of_range);
      }
    },
  });
  new Gauge({
    name: 'wearwatch_fleet_worst_wear_percent',
    help: 'Highest percent of the TBW or P/E rating used by one drive, per fleet and model.',
    labelNames: ['fleet', 'model'],
    registers,
    async collect() {
      this.reset();
      for (const f of (await fleetFigures()).models) if (f.worst_wear_pct !== null) this.set({ fleet: f.fleet_id, model: f.model }, f.worst_wear_pct);
    },
  });
  new Gauge({
    name: 'wearwatch_fleet_drives_not_reporting',
    help: 'Enrolled drives per fleet and model without a sample in the last METRICS_STALE_HOURS hours.',
    labelNames: ['fleet', 'model'],
    registers,
    async collect() {
      this.reset();
      for (const s of (await fleetFigures()).silent) this.set({ fleet: s.fleet_id, model: s.model }, s.silent);
    },
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const registry = app.requestMetrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};
