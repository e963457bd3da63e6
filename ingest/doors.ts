import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { DriveRow, RmaRow, TelemetryRow } from '../core/contracts/rows.ts';
import type { Logger } from '../core/logger.ts';
import { attributeHeld, quarantineRow, screenBatch, type TelemetryWriter, writeQuarantine } from '../telemetry/door.ts';
import { instantProblem, type PlausibilityRules } from '../telemetry/plausibility.ts';
import { writeBatch } from './batch-writer.ts';
import { type Admission, maxPartitionsPerInsert, type PipelineDoor } from './topic-consumer.ts';

/**
 * Telemetry: one query for the batch's enrolments and known readings, then the telemetry domain's screen. Only
 * accepted samples reach `telemetry` (and so unit_facts, the evaluation and the lookup index); held and quarantined
 * ones go to `telemetry_quarantine`, and implausible instants to the DLQ as well. Samples held in this batch are
 * attributed at once if their enrolment landed meanwhile, so a race with the enrolment consumer cannot strand them.
 */
export function telemetryDoor(client: ClickHouseClient, rules: PlausibilityRules, write: TelemetryWriter, log: Logger): PipelineDoor {
  let heldSerials: string[] = [];
  return {
    async admit(rows, now) {
      const samples = rows as TelemetryRow[];
      const verdicts = await screenBatch(client, samples, rules, now);
      const kept = samples.flatMap((sample, i) => {
        const verdict = verdicts[i]!;
        return verdict.kind === 'accept' ? [] : [quarantineRow(sample, verdict, now)];
      });
      await writeQuarantine(client, kept);
      heldSerials = kept.filter((k) => k.state === 'held').map((k) => k.serial);
      return verdicts.map((v): Admission => (v.kind === 'accept' ? { write: true } : { write: false, deadLetter: v.kind === 'reject' ? v.reason : undefined }));
    },
    async afterWrite(_rows, now) {
      const result = await attributeHeld(client, heldSerials, rules, write, now);
      if (result.attributed || result.quarantined) log.debug(result, 'held samples attributed after their enrolment');
    },
  };
}

/** Enrolments: an enrolled_at in the future is refused (it would win every later re-enrolment); held samples of the
 * enrolled serials are attributed once the enrolment is written. */
export function enrollmentDoor(client: ClickHouseClient, rules: PlausibilityRules, write: TelemetryWriter, log: Logger): PipelineDoor {
  return {
    admit: async (rows, now) => (rows as DriveRow[]).map((r) => refuseIf(instantProblem('enrolled_at', r.enrolled_at, now, rules))),
    async afterWrite(rows, now) {
      const result = await attributeHeld(
        client,
        (rows as DriveRow[]).map((r) => r.serial),
        rules,
        write,
        now,
      );
      if (result.attributed || result.quarantined) log.info(result, 'held telemetry attributed to newly enrolled units');
    },
  };
}

/** RMA events: an occurred_at in the future or before 2000 is refused. */
export function rmaDoor(rules: PlausibilityRules): PipelineDoor {
  return { admit: async (rows, now) => (rows as RmaRow[]).map((r) => refuseIf(instantProblem('occurred_at', r.occurred_at, now, rules))) };
}

/** Attributed samples go through the same cut-and-isolate writer as consumed ones (ingest/batch-writer.ts). */
export function telemetryWriter(insert: (rows: TelemetryRow[]) => Promise<void>, partitionOf: (row: TelemetryRow) => string): TelemetryWriter {
  return async (rows) => {
    const unwritable = await writeBatch(
      rows.map((row) => ({ row, ref: row })),
      { insert, partitionOf, maxPartitionsPerInsert },
    );
    return unwritable.map((u) => ({ row: u.row, reason: u.reason }));
  };
}

const refuseIf = (reason: string | null): Admission => (reason ? { write: false, deadLetter: reason } : { write: true });
