import { toBigInt } from '../uint64.ts';
import { at, type Doc, isRecord, num } from './fields.ts';

/** SCSI log pages count bytes processed in units of 10^9 bytes, printed by smartctl with three decimals ("6082.745"). */
const GIGABYTE_DIGITS = 9;

/** "6082.745" (10^9 bytes) → 6082745000000 bytes, exactly; undefined for anything that is not a non-negative decimal. */
function gigabytesToBytes(value: unknown): bigint | undefined {
  const written = typeof value === 'number' ? String(value) : value;
  if (typeof written !== 'string') return undefined;
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(written.trim());
  if (!match) return undefined;
  return BigInt(match[1]!) * 10n ** BigInt(GIGABYTE_DIGITS) + BigInt((match[2] ?? '').padEnd(GIGABYTE_DIGITS, '0'));
}

const ERROR_COUNTER_PAGES = ['read', 'write', 'verify'] as const;

/**
 * Wear and error fields of a SAS/SCSI SSD: the endurance indicator (SBC-4 Solid State Media log page), bytes written
 * from the write error counter log, grown defects and the uncorrected errors of the read, write and verify logs.
 */
export function scsiWear(doc: Doc) {
  const endurance = doc.scsi_percentage_used_endurance_indicator;
  const log = doc.scsi_error_counter_log;
  const uncorrected = ERROR_COUNTER_PAGES.map((page) => toBigInt(at(log, page, 'total_uncorrected_errors'))).filter((n) => n !== undefined);
  return {
    percentage_used: num(isRecord(endurance) ? endurance.percentage_used_endurance_indicator : endurance),
    host_bytes_written: gigabytesToBytes(at(log, 'write', 'gigabytes_processed')),
    grown_defects: toBigInt(doc.scsi_grown_defect_list),
    media_errors: uncorrected.length ? uncorrected.reduce((a, b) => a + b, 0n) : undefined,
  };
}
