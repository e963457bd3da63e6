import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dayFromIso, dayOfInstant, isoFromDay } from '../core/calendar.ts';
import { loadCatalog } from '../core/catalog/load.ts';
import { queryRows } from '../core/query.ts';
import { sleep } from '../core/sleep.ts';
import { backfill } from '../simulator/backfill.ts';
import { type DemoMarker, demoFleet, readMarker } from '../simulator/demo-fleet.ts';
import { FleetSimulation } from '../simulator/engine.ts';
import { streamLive } from '../simulator/live.ts';
import { ContractProducer } from '../simulator/producer.ts';
import { describeTruth, formatCount } from '../simulator/report.ts';
import type { GroundTruth } from '../simulator/truth.ts';
import type { Started } from './system.ts';

export interface DemoOptions {
  /** Runs once the backfill is in ClickHouse (e.g. a warranty evaluation, so the pages show results at once). */
  afterIngest?: () => Promise<unknown>;
  /** Give up waiting for ingest after this long without progress. */
  stallMs?: number;
}

/**
 * Backfills the demo fleet into the system's Kafka (once per data folder), waits until ingest has it in ClickHouse,
 * then keeps a live trickle of telemetry going until the system stops.
 *
 * A second run on the same data folder does not produce the backfill again: a marker file in the data folder records
 * the window's end date and that every message was acknowledged by Kafka. Should a run stop half-way, the next one
 * reproduces the same window from the recorded end date; every message has the same key as before (serial +
 * collected_at for telemetry, serial for enrolments, event_id for RMA events), so the ReplacingMergeTree tables
 * collapse the repeats and FINAL queries never count them twice.
 */
export async function runDemo(system: Started, options: DemoOptions = {}): Promise<{ exampleSerials: string[] } | undefined> {
  const { config, progress } = system;
  const markerPath = join(config.WEARWATCH_DATA, 'demo-fleet.json');
  const previous = readMarker(markerPath);
  const end = previous ? dayFromIso(previous.end) : dayOfInstant(new Date());
  const simulation = new FleetSimulation({ ...demoFleet, end, catalog: loadCatalog(config.WEARWATCH_CATALOG) });

  const producer = new ContractProducer(system.kafka.kafka);
  await producer.connect();
  const live = new AbortController();
  let streaming: Promise<unknown> | undefined;
  system.onStop({
    name: 'demo producer',
    stop: async () => {
      live.abort();
      await streaming;
      await producer.disconnect();
    },
  });

  let truth: GroundTruth;
  if (previous?.status === 'produced') {
    progress(`demo fleet already in this data folder (window ${isoFromDay(simulation.start)} to ${previous.end}); not producing it again`);
    truth = simulation.runToEnd().groundTruth();
  } else {
    const marker: DemoMarker = {
      seed: demoFleet.seed,
      drives: demoFleet.drives,
      days: demoFleet.days,
      sample_every: demoFleet.sampleEvery,
      end: isoFromDay(end),
      status: 'producing',
    };
    writeFileSync(markerPath, JSON.stringify(marker, null, 2) + '\n');
    progress(
      `demo: backfilling ${formatCount(demoFleet.drives)} units over ${demoFleet.days} days (${isoFromDay(simulation.start)} to ${isoFromDay(end)}), weekly samples`,
    );
    const run = await backfill(
      simulation,
      producer,
      (p) =>
        progress(
          `demo backfill ${(p.fraction * 100).toFixed(0).padStart(3)} %  ${isoFromDay(p.day)}  ${formatCount(p.events)} events  ${formatCount(Math.round(p.eventsPerSecond))} events/s`,
        ),
      live.signal,
    );
    if (live.signal.aborted) return undefined;
    truth = run.truth;
    writeFileSync(markerPath, JSON.stringify({ ...marker, status: 'produced', events: truth.events }, null, 2) + '\n');
    progress(
      `demo backfill produced ${formatCount(truth.events.total)} events in ${run.seconds.toFixed(1)} s (${formatCount(Math.round(run.eventsPerSecond))} events/s)`,
    );
  }
  for (const line of describeTruth(truth)) progress(`demo truth — ${line}`);

  // What was actually produced (recorded by the run that produced it) is what ingest must reach.
  const produced = previous?.status === 'produced' && previous.events ? previous.events : truth.events;
  await waitForIngest(system, produced, end, options.stallMs ?? 60_000, live.signal);
  if (live.signal.aborted) return undefined;
  await options.afterIngest?.();

  streaming = streamLive(simulation, producer, { rate: demoFleet.liveRate, signal: live.signal }).catch((error) =>
    system.logger.error({ err: error }, 'demo live trickle stopped'),
  );
  progress(`demo: live trickle of ${demoFleet.liveRate} telemetry samples/s running`);
  // A unit in service and one that was replaced under warranty: good first lookups in the portal.
  const exampleSerials = [simulation.activeUnits()[0]?.spec.serial, truth.replacements[0]?.original].filter((s): s is string => Boolean(s));
  return { exampleSerials };
}

/** Shows ingest catching up with the backfill, until ClickHouse holds at least as many rows as were produced. */
async function waitForIngest(system: Started, expected: GroundTruth['events'], end: number, stallMs: number, signal: AbortSignal): Promise<void> {
  const client = system.clickhouse.client;
  const count = async () => {
    const [row] = await queryRows<{ telemetry: number; rma: number; drives: number }>(
      client,
      `SELECT
                (SELECT count() FROM telemetry WHERE source = 'simulator' AND collected_at < {end:DateTime64(3, 'UTC')}) AS telemetry,
                (SELECT count() FROM rma_events WHERE occurred_at < {end:DateTime64(3, 'UTC')}) AS rma,
                (SELECT count() FROM drives) AS drives`,
      { end: `${isoFromDay(end)} 00:00:00.000` },
    );
    return row!;
  };
  let last = -1;
  let lastChange = performance.now();
  while (!signal.aborted) {
    const now = await count();
    const done = Math.min(now.telemetry, expected.telemetry) + Math.min(now.rma, expected.rma) + Math.min(now.drives, expected.enrollment);
    if (done >= expected.total) {
      system.progress(
        `demo: ingest caught up (${formatCount(now.telemetry)} telemetry rows, ${formatCount(now.rma)} RMA events, ${formatCount(now.drives)} drives)`,
      );
      return;
    }
    if (done !== last) {
      system.progress(`demo: ingested ${formatCount(done)} of ${formatCount(expected.total)} events (${((done / expected.total) * 100).toFixed(0)} %)`);
      last = done;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > stallMs) {
      system.progress(
        `demo: ingest made no progress for ${stallMs / 1000} s at ${formatCount(done)} of ${formatCount(expected.total)} events; continuing — see /healthz`,
      );
      return;
    }
    await sleep(2000);
  }
}
