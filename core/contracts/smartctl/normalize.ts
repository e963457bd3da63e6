import { type TelemetrySample, telemetrySample } from '../telemetry.ts';
import { fromBigInt, toBigInt } from '../uint64.ts';
import { readExitStatus } from './exit-status.ts';
import { at, type Doc, isRecord, num, text } from './fields.ts';
import { type SataAttribute, type SataField, sataAttributes } from './sata-attributes.ts';
import { scsiWear } from './scsi.ts';

export type NormalizeResult = { ok: true; sample: TelemetrySample } | { ok: false; reason: string };

export interface NormalizeContext {
  fleet_id: string;
  collected_at: string;
}

/** Wear fields as read from the document: counters as bigint so that no product of units rounds. */
type Wear = Partial<Record<keyof TelemetrySample, number | bigint | undefined>>;

/** NVMe "data units" are thousands of 512-byte units (NVMe base specification, SMART / Health log). */
const NVME_DATA_UNIT_BYTES = 512_000n;

const MAX_WARNING = 1024;

/**
 * Turns one `smartctl --json -a` (or `-x`) document into a telemetry sample. Pure: no I/O, no clock. Returns a reason
 * instead of a sample for documents that cannot describe an SSD's wear (HDDs, failed reads, missing identity).
 */
export function normalizeSmartctl(doc: unknown, context: NormalizeContext): NormalizeResult {
  if (!isRecord(doc)) return fail('not a smartctl JSON document (expected an object)');
  const exitStatus = num(at(doc, 'smartctl', 'exit_status')) ?? 0;
  const exit = readExitStatus(exitStatus);
  const messages = smartctlMessages(doc);
  if (exit.refusal) return fail(`smartctl could not read the device (exit status ${exitStatus}: ${[exit.refusal, ...messages].join('; ')})`);
  const serial = text(doc.serial_number);
  if (!serial) return fail('serial_number is missing: the drive cannot be identified');
  const model =
    text(doc.model_name) ??
    text(doc.scsi_model_name) ??
    [text(doc.vendor) ?? text(doc.scsi_vendor), text(doc.product) ?? text(doc.scsi_product)].filter(Boolean).join(' ');
  if (!model) return fail(`model_name is missing for serial ${serial}`);
  const rpm = num(doc.rotation_rate);
  if (rpm !== undefined && rpm > 0) return fail(`${serial} is a rotating disk (HDD, ${rpm} rpm): wearwatch tracks SSD and TF card wear only`);

  const protocol = text(at(doc, 'device', 'protocol'));
  const wear = protocol === 'NVMe' ? nvmeWear(doc) : protocol === 'ATA' ? sataWear(doc) : protocol === 'SCSI' ? scsiSsdWear(doc, serial, rpm) : undefined;
  if (wear === undefined) return fail(`${serial}: device protocol ${protocol ?? '(none)'} is not supported; NVMe, ATA/SATA and SCSI/SAS are`);
  if (typeof wear === 'string') return fail(wear);
  if (wear === null) return fail(`${serial}: no SMART health data in the document; collect it with \`smartctl --json -a\`, not --info`);

  const warning = [...exit.notes, ...messages].join('; ');
  const parsed = telemetrySample.safeParse({
    schema: 'wearwatch.telemetry.v1',
    serial,
    fleet_id: context.fleet_id,
    collected_at: context.collected_at,
    model,
    firmware: text(doc.firmware_version) ?? text(doc.revision) ?? text(doc.scsi_revision) ?? '',
    power_on_hours: num(at(doc, 'power_on_time', 'hours')),
    power_cycles: num(doc.power_cycle_count),
    // The decoded value; raw attributes 190/194 pack min/max bytes into the same integer.
    temperature_c: roundOrUndefined(num(at(doc, 'temperature', 'current'))),
    ...exactCounters(wear),
    ...(exitStatus ? { smartctl_exit_status: exitStatus } : {}),
    ...(warning ? { smartctl_warning: warning.slice(0, MAX_WARNING) } : {}),
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

/** smartctl's own messages ("Warning: This result is based on an Attribute check."), in order. */
function smartctlMessages(doc: Doc): string[] {
  const messages = at(doc, 'smartctl', 'messages');
  return Array.isArray(messages) ? messages.map((m) => text(at(m, 'string'))).filter((m): m is string => m !== undefined) : [];
}

/** Undefined fields dropped, bigint counters in the Uint64 form. */
function exactCounters(wear: Wear): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(wear)) {
    if (value !== undefined) out[key] = typeof value === 'bigint' ? fromBigInt(value) : value;
  }
  return out;
}

/** Fields from the NVMe SMART / Health Information log; null when the document has no such log. */
function nvmeWear(doc: Doc): Wear | null {
  const log = doc.nvme_smart_health_information_log;
  if (!isRecord(log)) return null;
  const written = toBigInt(log.data_units_written);
  return {
    host_bytes_written: written === undefined ? undefined : written * NVME_DATA_UNIT_BYTES,
    percentage_used: num(log.percentage_used),
    available_spare_pct: num(log.available_spare),
    media_errors: toBigInt(log.media_errors),
    power_on_hours: num(log.power_on_hours),
    power_cycles: num(log.power_cycles),
    unsafe_shutdowns: num(log.unsafe_shutdowns),
    critical_warning: num(log.critical_warning),
  };
}

/**
 * A SAS/SCSI drive is an SSD when it says it does not rotate (rotation_rate 0, rotating ones were refused above) or,
 * without a rotation rate, when it reports an SSD endurance indicator; a reason string otherwise.
 */
function scsiSsdWear(doc: Doc, serial: string, rpm: number | undefined): Wear | string {
  if (rpm === undefined && doc.scsi_percentage_used_endurance_indicator === undefined) {
    return `${serial}: SCSI/SAS drive without a rotation rate or an SSD endurance indicator: cannot tell it is an SSD (HDDs are not tracked)`;
  }
  return scsiWear(doc);
}

/** Fields from the ATA attribute table, read through the vendor attribute table; null when there is no table. */
function sataWear(doc: Doc): Wear | null {
  const table = at(doc, 'ata_smart_attributes', 'table');
  if (!Array.isArray(table)) return null;
  const blockSize = BigInt(num(doc.logical_block_size) ?? 512);
  const family = text(doc.model_family) ?? text(doc.model_name) ?? '';
  const present = new Map<string, Doc>();
  for (const row of table) if (isRecord(row)) present.set(`${row.id}:${row.name}`, row);

  const fields: Partial<Record<SataField, number | bigint>> = {};
  for (const attribute of sataAttributes) {
    if (attribute.family && !attribute.family.test(family)) continue;
    const row = present.get(`${attribute.id}:${attribute.name}`);
    if (!row || fields[attribute.field] !== undefined) continue;
    const value = readAttribute(attribute, row, blockSize);
    if (value !== undefined) fields[attribute.field] = value;
  }
  fields.host_bytes_written ??= deviceStatistic(doc, 'Logical Sectors Written', blockSize);
  return fields;
}

function readAttribute(attribute: SataAttribute, row: Doc, blockSize: bigint): number | bigint | undefined {
  if (attribute.read === 'remaining_pct') {
    const remaining = num(row.value);
    return remaining === undefined ? undefined : Math.max(0, 100 - remaining);
  }
  const raw = toBigInt(at(row, 'raw', 'value'));
  if (raw === undefined) return undefined;
  const bytes = raw * (attribute.unit === 'logical_block' ? blockSize : BigInt(attribute.unit));
  return attribute.field === 'host_bytes_written' || attribute.field === 'nand_bytes_written' || attribute.field === 'media_errors' ? bytes : Number(bytes);
}

/** ATA Device Statistics (standard, vendor-neutral) as a fallback when no vendor attribute reports host writes. */
function deviceStatistic(doc: Doc, name: string, multiplier: bigint): bigint | undefined {
  const pages = at(doc, 'ata_device_statistics', 'pages');
  if (!Array.isArray(pages)) return undefined;
  for (const page of pages) {
    const rows = at(page, 'table');
    if (!Array.isArray(rows)) continue;
    for (const row of rows) {
      const value = toBigInt(at(row, 'value'));
      if (at(row, 'name') === name && value !== undefined) return value * multiplier;
    }
  }
  return undefined;
}
