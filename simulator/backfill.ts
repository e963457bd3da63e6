import type { FleetSimulation } from './engine.ts';
import type { ContractProducer } from './producer.ts';
import type { GroundTruth } from './truth.ts';

export interface BackfillProgress {
  /** Share of the window done, 0..1. */
  fraction: number;
  day: number;
  events: number;
  eventsPerSecond: number;
}

/**
 * Produces the whole window as fast as the broker takes it, in time order (so ingest writes few partitions per batch),
 * and reports progress about once a second; stops early when `signal` aborts. Returns the run's ground truth once every batch is acknowledged.
 */
export async function backfill(
  simulation: FleetSimulation,
  producer: ContractProducer,
  onProgress: (progress: BackfillProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<{ truth: GroundTruth; seconds: number; eventsPerSecond: number }> {
  const started = performance.now();
  let reported = started;
  const report = () =>
    onProgress({
      fraction: simulation.progress,
      day: simulation.day,
      events: producer.total,
      eventsPerSecond: producer.total / Math.max(0.001, (performance.now() - started) / 1000),
    });
  for (const events of simulation.days()) {
    if (signal?.aborted) break;
    for (const event of events) await producer.add(event);
    if (performance.now() - reported >= 1000) {
      reported = performance.now();
      report();
    }
  }
  await producer.flush();
  report();
  const seconds = (performance.now() - started) / 1000;
  return { truth: simulation.groundTruth(), seconds, eventsPerSecond: producer.total / Math.max(0.001, seconds) };
}
