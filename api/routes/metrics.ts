import type { FastifyPluginAsync } from 'fastify';
import type { TopicCounters } from '../../core/ingest-metrics.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { labels } from '../request-metrics.ts';

/** Ingest counters exposed per topic: metric name suffix, help text, Prometheus type and the counter it reads. */
const ingestFamilies: [name: string, help: string, type: 'counter' | 'gauge', field: keyof Omit<TopicCounters, 'last_batch_at'>][] = [
  ['consumed_total', 'Messages consumed from the topic.', 'counter', 'consumed'],
  ['written_total', 'Rows written to ClickHouse from the topic.', 'counter', 'written'],
  ['dead_lettered_total', 'Messages sent to the dead-letter topic with their reason.', 'counter', 'dead_lettered'],
  ['write_failures_total', 'ClickHouse writes that failed and were retried.', 'counter', 'write_failures'],
  ['batches_total', 'Batches processed.', 'counter', 'batches'],
  ['lag_messages', 'Messages behind the partition high-water marks at the last batch.', 'gauge', 'lag'],
];

/** GET /metrics: Prometheus text format with the ingest counters (when ingest runs here) and the API's own. */
export const metricsRoutes: FastifyPluginAsync<ApiDependencies> = async (app, { ingestMetrics }) => {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const lines: string[] = [];
    const topics = Object.entries(ingestMetrics?.snapshot().topics ?? {});
    for (const [suffix, help, type, field] of ingestFamilies) {
      lines.push(`# HELP wearwatch_ingest_${suffix} ${help}`, `# TYPE wearwatch_ingest_${suffix} ${type}`);
      for (const [topic, counters] of topics) lines.push(`wearwatch_ingest_${suffix}${labels({ topic })} ${counters[field]}`);
    }
    lines.push(...app.requestMetrics.render());
    lines.push(
      '# HELP wearwatch_api_warranty_index_units Units the public warranty lookup holds in memory.',
      '# TYPE wearwatch_api_warranty_index_units gauge',
      `wearwatch_api_warranty_index_units ${app.warrantyIndex.size}`,
    );
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(`${lines.join('\n')}\n`);
  });
};
