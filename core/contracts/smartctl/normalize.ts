import { type TelemetrySample, telemetrySample } from '../telemetry.ts';
import { type SataAttribute, type SataField, sataAttributes } from './sata-attributes.ts';

export type NormalizeResult = { ok: true; sample: TelemetrySample } | { ok: false; reason: string };

export interface NormalizeContext {
  fleet_id: string;
  collected_at: string;
}

type Doc = Record<string, unknown>;

/** NVMe "data units" are thousands of 512-byte units (NVMe base specification, SMART / Health log). */
const NVME_DATA_UNIT_BYTES = 512_000;

/** smartctl exit status bits 0-2: command line not parsed, device open failed, a SMART command failed. */
const READ_FAILURE_BITS = 0b111;

const isRecord = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (doc: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), doc);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * Turns one `smartctl --json -a` (or `-x`) document into a telemetry sample. Pure: no I/O, no clock. Returns a reason
 * instead of a sample for documents that cannot describe an SSD's wear (HDDs, failed reads, missing identity).
 */
export function normalizeSmartctl(doc: unknown, context: NormalizeContext): NormalizeResult {
  if (!isRecord(doc)) return fail('not a smartctl JSON document (expected an object)');
  const exitStatus = num(at(doc, 'smartctl', 'exit_status')) ?? 0;
  if (exitStatus & READ_FAILURE_BITS) {
    const messages = at(doc, 'smartctl', 'messages');
    const detail = Array.isArray(messages)
      ? messages
          .map((m) => text(at(m, 'string')))
          .filter(Boolean)
          .join('; ')
      : '';
    return fail(`smartctl could not read the device (exit status ${exitStatus}${detail ? `: ${detail}` : ''})`);
  }
  const serial = text(doc.serial_number);
  if (!serial) return fail('serial_number is missing: the drive cannot be identified');
  const model = text(doc.model_name) ?? [text(doc.vendor), text(doc.product)].filter(Boolean).join(' ');
  if (!model) return fail(`model_name is missing for serial ${serial}`);
  const rpm = num(doc.rotation_rate);
  if (rpm !== undefined && rpm > 0) return fail(`${serial} is a rotating disk (HDD, ${rpm} rpm): wearwatch tracks SSD and TF card wear only`);

  const protocol = text(at(doc, 'device', 'protocol'));
  const wear = protocol === 'NVMe' ? nvmeWear(doc) : protocol === 'ATA' ? sataWear(doc) : undefined;
  if (wear === undefined) return fail(`${serial}: device protocol ${protocol ?? '(none)'} is not supported; NVMe and ATA/SATA are`);
  if (wear === null) return fail(`${serial}: no SMART health data in the document; collect it with \`smartctl --json -a\`, not --info`);

  const parsed = telemetrySample.safeParse({
    schema: 'wearwatch.telemetry.v1',
    serial,
    fleet_id: context.fleet_id,
    collected_at: context.collected_at,
    model,
    firmware: text(doc.firmware_version) ?? text(doc.revision) ?? '',
    power_on_hours: num(at(doc, 'power_on_time', 'hours')),
    power_cycles: num(doc.power_cycle_count),
    // The decoded value; raw attributes 190/194 pack min/max bytes into the same integer.
    temperature_c: roundOrUndefined(num(at(doc, 'temperature', 'current'))),
    ...wear,
    source: 'smartctl',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(`serial ${JSON.stringify(serial)}: ${issue.path.join('.') || 'document'}: ${issue.message}`);
  }
  return { ok: true, sample: parsed.data };
}

function fail(reason: string): NormalizeResult {
  return { ok: false, reason };
}

function roundOrUndefined(v: number | undefined): number | undefined {
  return v === undefined ? undefined : Math.round(v);
}

/** Fields from the NVMe SMART / Health Information log; null when the document has no such log. */
function nvmeWear(doc: Doc): Partial<TelemetrySample> | null {
  const log = doc.nvme_smart_health_information_log;
  if (!isRecord(log)) return null;
  const written = num(log.data_units_written);
  return {
    host_bytes_written: written === undefined ? undefined : written * NVME_DATA_UNIT_BYTES,
    percentage_used: num(log.percentage_used),
    available_spare_pct: num(log.available_spare),
    media_errors: num(log.media_errors),
    power_on_hours: num(log.power_on_hours),
    power_cycles: num(log.power_cycles),
    unsafe_shutdowns: num(log.unsafe_shutdowns),
    critical_warning: num(log.critical_warning),
  };
}

/** Fields from the ATA attribute table, read through the vendor attribute table; null when there is no table. */
function sataWear(doc: Doc): Partial<TelemetrySample> | null {
  const table = at(doc, 'ata_smart_attributes', 'table');
  if (!Array.isArray(table)) return null;
  const blockSize = num(doc.logical_block_size) ?? 512;
  const present = new Map<string, Doc>();
  for (const row of table) if (isRecord(row)) present.set(`${row.id}:${row.name}`, row);

  const fields: Partial<Record<SataField, number>> = {};
  for (const attribute of sataAttributes) {
    const row = present.get(`${attribute.id}:${attribute.name}`);
    if (!row || fields[attribute.field] !== undefined) continue;
    const value = readAttribute(attribute, row, blockSize);
    if (value !== undefined) fields[attribute.field] = value;
  }
  fields.host_bytes_written ??= deviceStatistic(doc, 'Logical Sectors Written', blockSize);
  return fields;
}

function readAttribute(attribute: SataAttribute, row: Doc, blockSize: number): number | undefined {
  if (attribute.read === 'remaining_pct') {
    const remaining = num(row.value);
    return remaining === undefined ? undefined : Math.max(0, 100 - remaining);
  }
  const raw = num(at(row, 'raw', 'value'));
  return raw === undefined ? undefined : raw * (attribute.unit === 'logical_block' ? blockSize : attribute.unit);
}

/** ATA Device Statistics (standard, vendor-neutral) as a fallback when no vendor attribute reports host writes. */
function deviceStatistic(doc: Doc, name: string, multiplier: number): number | undefined {
  const pages = at(doc, 'ata_device_statistics', 'pages');
  if (!Array.isArray(pages)) return undefined;
  for (const page of pages) {
    const rows = at(page, 'table');
    if (!Array.isArray(rows)) continue;
    for (const row of rows) {
      const value = num(at(row, 'value'));
      if (at(row, 'name') === name && value !== undefined) return value * multiplier;
    }
  }
  return undefined;
}
