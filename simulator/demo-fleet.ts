import { existsSync, readFileSync } from 'node:fs';
import type { GroundTruth } from './truth.ts';

/**
 * The demo fleet: thousands of units over two years. Telemetry is sampled weekly per unit (plus every excursion,
 * failure, claim and the last day) so the backfill is ~0.2 M events instead of ~1.9 M daily ones and the demo is ready
 * in minutes; the failure, wear and claim history underneath is still simulated day by day.
 */
export const demoFleet = { seed: 2026, drives: 2500, days: 730, sampleEvery: 7, liveRate: 5 } as const;

export interface DemoMarker {
  seed: number;
  drives: number;
  days: number;
  sample_every: number;
  /** End of the backfill window, fixed on the first run so later runs regenerate exactly the same events. */
  end: string;
  status: 'producing' | 'produced';
  events?: GroundTruth['events'];
}

/** The marker a previous demo run left in the data folder, if it describes this same demo fleet. */
export function readMarker(path: string): DemoMarker | undefined {
  if (!existsSync(path)) return undefined;
  const marker = JSON.parse(readFileSync(path, 'utf8')) as DemoMarker;
  const same =
    marker.seed === demoFleet.seed && marker.drives === demoFleet.drives && marker.days === demoFleet.days && marker.sample_every === demoFleet.sampleEvery;
  return same ? marker : undefined;
}
