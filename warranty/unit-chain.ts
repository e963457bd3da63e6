import { maxChainDepth } from './rules.ts';
import type { DriveRecord, RmaRecord, TelemetrySummary, UnitInputs } from './types.ts';

/** What the chain walk asks a facts reader about one serial. */
export interface UnitFactsRequest {
  serial: string;
  /** Evaluation date, YYYY-MM-DD: a replacement counts only if it happened by then. */
  at: string;
  /** Only the unit asked about needs telemetry; the units it replaced are read for coverage and history. */
  withTelemetry: boolean;
  /** False once the chain is maxChainDepth deep, so a cycle in bad data cannot loop. */
  withLink: boolean;
}

/** A replacement of another unit by this serial: the unit replaced and when (ISO 8601). */
export interface ReplacementLink {
  serial: string;
  at: string;
}

/** One serial's facts, as a reader (ClickHouse loader or in-memory index) returns them. */
export interface UnitFacts {
  drive: DriveRecord | null;
  telemetry: TelemetrySummary | null;
  rma: RmaRecord[];
  /** The latest replacement naming this serial by `at`, when asked for. */
  link: ReplacementLink | null;
}

/**
 * The replacement-chain walk, written once: it yields a request per unit and takes that unit's facts back, so a
 * synchronous reader (the index) and an asynchronous one (the loader) both drive the same walk.
 */
function* walk(serial: string, at: string, depth: number, withTelemetry: boolean): Generator<UnitFactsRequest, UnitInputs, UnitFacts> {
  const facts = yield { serial, at, withTelemetry, withLink: depth < maxChainDepth };
  return {
    serial,
    drive: facts.drive,
    telemetry: facts.telemetry,
    rma: facts.rma,
    replacementOf: facts.link
      ? { original_serial: facts.link.serial, replaced_at: facts.link.at, original: yield* walk(facts.link.serial, at, depth + 1, false) }
      : null,
  };
}

/** The unit and the chain of units it replaced, from a reader that answers at once. */
export function readChain(serial: string, at: string, read: (request: UnitFactsRequest) => UnitFacts): UnitInputs {
  const steps = walk(serial, at, 0, true);
  let step = steps.next();
  while (!step.done) step = steps.next(read(step.value));
  return step.value;
}

/** The unit and the chain of units it replaced, from a reader that queries. */
export async function readChainAsync(serial: string, at: string, read: (request: UnitFactsRequest) => Promise<UnitFacts>): Promise<UnitInputs> {
  const steps = walk(serial, at, 0, true);
  let step = steps.next();
  while (!step.done) step = steps.next(await read(step.value));
  return step.value;
}

/** The latest of a serial's replacement links that happened by `at`; ties go to the higher serial (as the loader's SQL orders). */
export function latestLink(links: readonly ReplacementLink[], at: string): ReplacementLink | null {
  return links
    .filter((r) => r.at.slice(0, 10) <= at)
    .reduce<ReplacementLink | null>((best, r) => (!best || r.at > best.at || (r.at === best.at && r.serial > best.serial) ? r : best), null);
}
