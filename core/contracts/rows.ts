import type { z } from 'zod';
import { anyInstant, instant } from './common.ts';
import { type Enrollment, enrollment } from './enrollment.ts';
import { type RmaEvent, rmaEvent } from './rma.ts';
import { normalizeSmartctl } from './smartctl/normalize.ts';
import { type TelemetrySample, telemetryMessage, telemetrySample } from './telemetry.ts';
import { compileFastPath } from './telemetry-fast-path.ts';
import { parseJsonExact } from './uint64.ts';

/** A decoded message: the ClickHouse row it becomes, or why it was rejected. */
export type Decoded<Row> = { ok: true; row: Row } | { ok: false; reason: string };

/** Rows map 1:1 onto the columns of migrations 0002-0004 (ingested_at is the table's default). */
export type TelemetryRow = Omit<TelemetrySample, 'schema'>;
export type DriveRow = Omit<Enrollment, 'schema' | 'purchase_date' | 'proof_of_purchase'> & {
  purchase_date: string | null;
  proof_of_purchase: string | null;
};
export type RmaRow = Omit<RmaEvent, 'schema' | 'replacement_serial' | 'details'> & { replacement_serial: string | null; details: string };

/** The table columns a contract's rows fill, in the order rows are written, and which of them hold ISO instants. */
export interface RowLayout {
  columns: readonly string[];
  instants: readonly string[];
}

/** A contract's fields less `schema`; its instants are the fields declared with the contracts' instant types. */
const layoutOf = (contract: { shape: Record<string, unknown> }): RowLayout => {
  const columns = Object.keys(contract.shape).filter((k) => k !== 'schema');
  return { columns, instants: columns.filter((k) => contract.shape[k] === instant || contract.shape[k] === anyInstant) };
};

export const telemetryLayout = layoutOf(telemetrySample);
export const driveLayout = layoutOf(enrollment);
export const rmaLayout = layoutOf(rmaEvent);

const MAX_ISSUES = 3;

/** "field.path: message" for the first few zod issues, so a DLQ reason names what is wrong and where. */
export function describeIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, MAX_ISSUES).map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`);
  const more = error.issues.length > MAX_ISSUES ? ` (+${error.issues.length - MAX_ISSUES} more)` : '';
  return issues.join('; ') + more;
}

function parseJson(value: Buffer | null): { ok: true; json: unknown } | { ok: false; reason: string } {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty message value (tombstone or missing payload)' };
  try {
    return { ok: true, json: parseJsonExact(value.toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: `not valid JSON: ${(error as Error).message}` };
  }
}

function decodeWith<S extends z.ZodType, Row>(
  schema: S,
  toRow: (message: z.output<S>) => Decoded<Row>,
  fastPath: (json: unknown) => z.output<S> | undefined = () => undefined,
) {
  return (value: Buffer | null): Decoded<Row> => {
    const json = parseJson(value);
    if (!json.ok) return json;
    const fast = fastPath(json.json);
    if (fast !== undefined) return toRow(fast);
    const parsed = schema.safeParse(json.json);
    return parsed.success ? toRow(parsed.data) : { ok: false, reason: describeIssues(parsed.error) };
  };
}

/** Normalised samples are the bulk of the traffic; they take the compiled fast path when they can. */
const fastTelemetrySample = compileFastPath(telemetrySample, { instants: ['collected_at'] });

export const decodeTelemetry = decodeWith(
  telemetryMessage,
  (message): Decoded<TelemetryRow> => {
    if (message.schema === 'wearwatch.telemetry.v1') {
      const { schema: _schema, ...row } = message;
      return { ok: true, row };
    }
    const normalized = normalizeSmartctl(message.smartctl, { fleet_id: message.fleet_id, collected_at: message.collected_at });
    if (!normalized.ok) return { ok: false, reason: `smartctl: ${normalized.reason}` };
    const { schema: _schema, ...row } = normalized.sample;
    return { ok: true, row };
  },
  fastTelemetrySample,
);

export const decodeEnrollment = decodeWith(
  enrollment,
  ({ schema: _schema, ...e }): Decoded<DriveRow> => ({
    ok: true,
    // The evidence form is stored as its reference and date (the seller is not kept per unit).
    row:
      typeof e.proof_of_purchase === 'object'
        ? { ...e, purchase_date: e.proof_of_purchase.purchase_date, proof_of_purchase: e.proof_of_purchase.reference }
        : { ...e, purchase_date: e.purchase_date ?? null, proof_of_purchase: e.proof_of_purchase ?? null },
  }),
);

export const decodeRma = decodeWith(
  rmaEvent,
  ({ schema: _schema, ...e }): Decoded<RmaRow> => ({
    ok: true,
    row: { ...e, replacement_serial: e.replacement_serial ?? null, details: JSON.stringify(e.details) },
  }),
);
