import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Enrollment } from '../../core/contracts/enrollment.ts';
import type { RmaEvent } from '../../core/contracts/rma.ts';
import { type TelemetrySample, telemetrySample } from '../../core/contracts/telemetry.ts';
import { WearwatchError } from '../../core/errors.ts';
import { uuidFromHex } from '../../core/random.ts';
import { splitCsvLine } from './csv.ts';

type NumericField =
  | 'power_on_hours'
  | 'power_cycles'
  | 'temperature_c'
  | 'host_bytes_written'
  | 'unsafe_shutdowns'
  | 'media_errors'
  | 'avg_pe_cycles'
  | 'percentage_used';

/**
 * Which drive-stats columns feed which telemetry field. Backblaze publishes attributes by id only (no vendor names),
 * so this is the common reading; when several rows feed one field, the earlier row wins for that drive.
 * `read` turns the column's number into the field's unit.
 */
const backblazeColumns: readonly { column: string; field: NumericField; read: (value: number) => number; meaning: string }[] = [
  { column: 'smart_9_raw', field: 'power_on_hours', read: (v) => v, meaning: 'power-on hours' },
  { column: 'smart_12_raw', field: 'power_cycles', read: (v) => v, meaning: 'power cycle count' },
  // The raw value packs min/max into the upper bytes on many drives; the current temperature is the low byte.
  { column: 'smart_194_raw', field: 'temperature_c', read: (v) => v % 256, meaning: 'temperature, °C' },
  { column: 'smart_241_raw', field: 'host_bytes_written', read: (v) => v * 512, meaning: 'total LBAs written (512-byte sectors)' },
  { column: 'smart_174_raw', field: 'unsafe_shutdowns', read: (v) => v, meaning: 'unexpected power loss count (SSD)' },
  { column: 'smart_192_raw', field: 'unsafe_shutdowns', read: (v) => v, meaning: 'power-off retract count: emergency head retracts on power loss (HDD)' },
  { column: 'smart_187_raw', field: 'media_errors', read: (v) => v, meaning: 'reported uncorrectable errors' },
  { column: 'smart_177_raw', field: 'avg_pe_cycles', read: (v) => v, meaning: 'wear leveling count: average P/E cycles (SSD)' },
  { column: 'smart_231_normalized', field: 'percentage_used', read: (v) => Math.max(0, 100 - v), meaning: 'SSD life left % → percentage used' },
];

/** NVMe critical-warning bit 2, "reliability degraded": how a drive-stats failure shows in telemetry. */
export const FAILED_WARNING = 0x04;

const required = ['date', 'serial_number', 'model', 'capacity_bytes', 'failure'] as const;

export type BackblazeRecord =
  | { kind: 'sample'; line: number; sample: TelemetrySample; failed: boolean; rma?: RmaEvent; enrollment?: Enrollment }
  | { kind: 'rejected'; line: number; reason: string };

export interface BackblazeOptions {
  fleet_id: string;
  /** Also open an RMA (`requested`, reason drive_failed) for each failure. */
  rma: boolean;
}

/**
 * Reads a Backblaze drive-stats daily CSV (date, serial_number, model, capacity_bytes, failure, smart_N_raw /
 * smart_N_normalized…) row by row. Each row becomes one telemetry sample collected at 00:00 UTC of its date; a row
 * with failure=1 — the day Backblaze took the drive out of service as failed — also carries critical_warning
 * "reliability degraded", which the analytics count as a failure, and optionally opens an RMA. A row that cannot be
 * used is yielded as rejected with its line number and reason; nothing stops the file.
 */
export async function* readBackblazeCsv(
  file: string,
  options: BackblazeOptions,
  onBytes?: (read: number, total: number) => void,
): AsyncGenerator<BackblazeRecord> {
  const total = (
    await stat(file).catch((cause) => {
      throw new WearwatchError('WW_IMPORT_FILE', `cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, 'check the path');
    })
  ).size;
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let header: Map<string, number> | undefined;
  let columns: { index: number; field: NumericField; read: (value: number) => number }[] = [];
  let lineNumber = 0;
  let read = 0;
  const enrolled = new Set<string>();
  for await (const line of lines) {
    lineNumber++;
    read += Buffer.byteLength(line) + 1;
    if (line.trim() === '') continue;
    const fields = splitCsvLine(line);
    if (!header) {
      header = new Map(fields.map((name, i) => [name.trim(), i]));
      const missing = required.filter((name) => !header!.has(name));
      if (missing.length) {
        stream.destroy();
        throw new WearwatchError(
          'WW_IMPORT_FORMAT',
          `${file} is not a Backblaze drive-stats CSV: the header lacks ${missing.join(', ')}`,
          'the first line must name the columns: date, serial_number, model, capacity_bytes, failure, smart_N_normalized, smart_N_raw…',
        );
      }
      columns = backblazeColumns.filter((c) => header!.has(c.column)).map((c) => ({ index: header!.get(c.column)!, field: c.field, read: c.read }));
      continue;
    }
    const record = toRecord(fields, header, columns, lineNumber, options);
    // Ingest counts a sample only for a unit enrolled in its fleet: each drive is enrolled with its first row.
    if (record.kind === 'sample' && !enrolled.has(record.sample.serial)) {
      enrolled.add(record.sample.serial);
      yield { ...record, enrollment: enrollmentOf(record.sample) };
    } else yield record;
    if (onBytes && lineNumber % 10_000 === 0) onBytes(read, total);
  }
  onBytes?.(total, total);
  if (!header) throw new WearwatchError('WW_IMPORT_FORMAT', `${file} is empty`, 'pass a drive-stats CSV with a header line');
}

function toRecord(
  fields: string[],
  header: Map<string, number>,
  columns: { index: number; field: NumericField; read: (value: number) => number }[],
  line: number,
  options: BackblazeOptions,
): BackblazeRecord {
  const cell = (name: string) => (fields[header.get(name)!] ?? '').trim();
  const date = cell('date');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return { kind: 'rejected', line, reason: `date: ${JSON.stringify(date)} is not YYYY-MM-DD` };
  const failure = cell('failure');
  if (failure !== '0' && failure !== '1') return { kind: 'rejected', line, reason: `failure: ${JSON.stringify(failure)} is not 0 or 1` };
  const values: Partial<Record<NumericField, number>> = {};
  for (const column of columns) {
    const text = fields[column.index]?.trim() ?? '';
    if (text === '' || values[column.field] !== undefined) continue;
    const value = Number(text);
    if (!Number.isFinite(value))
      return { kind: 'rejected', line, reason: `${[...header].find(([, i]) => i === column.index)![0]}: ${JSON.stringify(text)} is not a number` };
    values[column.field] = Math.round(column.read(value));
  }
  const failed = failure === '1';
  const parsed = telemetrySample.safeParse({
    schema: 'wearwatch.telemetry.v1',
    serial: cell('serial_number'),
    fleet_id: options.fleet_id,
    collected_at: `${date}T00:00:00.000Z`,
    model: cell('model'),
    firmware: '',
    ...values,
    ...(failed ? { critical_warning: FAILED_WARNING } : {}),
    source: 'backblaze',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'row');
    return { kind: 'rejected', line, reason: `${field === 'serial' ? 'serial_number' : field}: ${issue.message}` };
  }
  const sample = parsed.data;
  return { kind: 'sample', line, sample, failed, ...(failed && options.rma ? { rma: failureClaim(sample, date, cell('capacity_bytes')) } : {}) };
}

/**
 * A drive-stats drive joins the import's fleet when it is first seen, as of that row's day. Backblaze publishes no
 * price: unknown, so a claim's liability cap is left to the desk, never 0.
 */
const enrollmentOf = (sample: TelemetrySample): Enrollment => ({
  schema: 'wearwatch.enrollment.v1',
  serial: sample.serial,
  model: sample.model,
  fleet_id: sample.fleet_id,
  price_paid: null,
  currency: 'USD',
  enrolled_at: sample.collected_at,
});

/**
 * The RMA a failure opens. Its number and event id derive from serial and date, so importing the same file again
 * redelivers the same event instead of opening a second claim.
 */
function failureClaim(sample: TelemetrySample, date: string, capacity: string): RmaEvent {
  const hash = createHash('sha256').update(`backblaze:${sample.serial}:${date}`).digest('hex');
  return {
    schema: 'wearwatch.rma.v1',
    event_id: uuidFromHex(hash),
    rma_number: `RMA-BB${hash.slice(0, 12).toUpperCase()}`,
    serial: sample.serial,
    event_type: 'requested',
    occurred_at: `${date}T12:00:00.000Z`,
    findings: [],
    reasons: ['drive_failed'],
    details: { source: 'backblaze', failed_on: date, model: sample.model, capacity_bytes: Number(capacity) || null },
  };
}
