import type { TelemetrySample } from '../telemetry.ts';

/** Telemetry fields a SATA vendor attribute can feed. */
export type SataField = keyof Pick<
  TelemetrySample,
  'host_bytes_written' | 'nand_bytes_written' | 'avg_pe_cycles' | 'percentage_used' | 'unsafe_shutdowns' | 'media_errors'
>;

/**
 * How to read one attribute: `raw` multiplies the raw counter by `unit` bytes/units (`'logical_block'` = the drive's
 * logical block size); `remaining_pct` turns a normalised "life remaining" value (100 → 0) into percentage used.
 * `family`, when set, limits the row to drives whose smartctl model family (else model name) it matches: the same id
 * and name can count in other units on one maker's drives.
 */
export interface SataAttribute {
  id: number;
  name: string;
  family?: RegExp;
  field: SataField;
  read: 'raw' | 'remaining_pct';
  unit: number | 'logical_block';
  meaning: string;
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/**
 * Vendor-specific SATA SMART attributes, keyed by id AND smartctl's name because vendors reuse ids with different
 * meanings and units (241 is LBAs on Samsung, 32 MiB units on Intel, GiB on Kingston/SandForce). When several rows
 * feed one field on the same drive, the earlier row wins, so family-specific rows come first. Sources: smartmontools
 * drivedb.h, vendor datasheets, and real documents (test/fixtures/smartctl/SOURCES.md).
 */
export const sataAttributes: readonly SataAttribute[] = [
  {
    id: 241,
    name: 'Total_LBAs_Written',
    family: /\bIntel\b/i,
    field: 'host_bytes_written',
    read: 'raw',
    unit: 32 * MiB,
    meaning:
      'host writes in 32 MiB units: Intel counts 241 in 32 MiB even where smartctl names it Total_LBAs_Written (Dell-certified S3520: it equals 225 Host_Writes_32MiB)',
  },
  {
    id: 241,
    name: 'Total_LBAs_Written',
    field: 'host_bytes_written',
    read: 'raw',
    unit: 'logical_block',
    meaning: 'host writes in logical blocks (Samsung, SK hynix, most)',
  },
  {
    id: 246,
    name: 'Total_LBAs_Written',
    field: 'host_bytes_written',
    read: 'raw',
    unit: 'logical_block',
    meaning: 'host writes in logical blocks (Crucial / Micron)',
  },
  { id: 241, name: 'Host_Writes_32MiB', field: 'host_bytes_written', read: 'raw', unit: 32 * MiB, meaning: 'host writes in 32 MiB units (Intel)' },
  { id: 225, name: 'Host_Writes_32MiB', field: 'host_bytes_written', read: 'raw', unit: 32 * MiB, meaning: 'host writes in 32 MiB units (Intel, older)' },
  { id: 241, name: 'Host_Writes_GiB', field: 'host_bytes_written', read: 'raw', unit: GiB, meaning: 'host writes in GiB' },
  { id: 241, name: 'Lifetime_Writes_GiB', field: 'host_bytes_written', read: 'raw', unit: GiB, meaning: 'host writes in GiB (Kingston, SandForce)' },
  { id: 241, name: 'Total_Writes_GiB', field: 'host_bytes_written', read: 'raw', unit: GiB, meaning: 'host writes in GiB (WD, SanDisk)' },
  { id: 249, name: 'NAND_Writes_1GiB', field: 'nand_bytes_written', read: 'raw', unit: GiB, meaning: 'NAND writes in GiB (Intel)' },
  { id: 243, name: 'NAND_Writes_32MiB', field: 'nand_bytes_written', read: 'raw', unit: 32 * MiB, meaning: 'NAND writes in 32 MiB units (Intel)' },
  { id: 233, name: 'Flash_Writes_GiB', field: 'nand_bytes_written', read: 'raw', unit: GiB, meaning: 'flash writes in GiB (Kingston)' },
  { id: 233, name: 'Total_NAND_Writes_GiB', field: 'nand_bytes_written', read: 'raw', unit: GiB, meaning: 'NAND writes in GiB (WD, SanDisk)' },
  { id: 233, name: 'NAND_GB_Written_TLC', field: 'nand_bytes_written', read: 'raw', unit: GiB, meaning: 'NAND writes in GiB (WD)' },
  { id: 177, name: 'Wear_Leveling_Count', field: 'avg_pe_cycles', read: 'raw', unit: 1, meaning: 'average P/E cycles per block (Samsung)' },
  { id: 173, name: 'Wear_Leveling_Count', field: 'avg_pe_cycles', read: 'raw', unit: 1, meaning: 'average P/E cycles per block (Micron, older)' },
  { id: 173, name: 'Ave_Block-Erase_Count', field: 'avg_pe_cycles', read: 'raw', unit: 1, meaning: 'average block erase (P/E) count (Crucial / Micron)' },
  { id: 173, name: 'Avg_Block-Erase_Count', field: 'avg_pe_cycles', read: 'raw', unit: 1, meaning: 'average block erase (P/E) count' },
  { id: 244, name: 'Average_Erase_Count', field: 'avg_pe_cycles', read: 'raw', unit: 1, meaning: 'average erase (P/E) count (Phison: Kingston SA400)' },
  { id: 202, name: 'Percent_Lifetime_Remain', field: 'percentage_used', read: 'remaining_pct', unit: 1, meaning: 'life remaining % (Crucial / Micron)' },
  { id: 233, name: 'Media_Wearout_Indicator', field: 'percentage_used', read: 'remaining_pct', unit: 1, meaning: 'life remaining % (Intel)' },
  { id: 231, name: 'SSD_Life_Left', field: 'percentage_used', read: 'remaining_pct', unit: 1, meaning: 'life remaining % (Kingston, SandForce)' },
  { id: 245, name: 'Percent_Life_Remaining', field: 'percentage_used', read: 'remaining_pct', unit: 1, meaning: 'life remaining % (Intel S3x20)' },
  { id: 169, name: 'Remaining_Lifetime_Perc', field: 'percentage_used', read: 'remaining_pct', unit: 1, meaning: 'life remaining % (WD, SanDisk)' },
  { id: 235, name: 'POR_Recovery_Count', field: 'unsafe_shutdowns', read: 'raw', unit: 1, meaning: 'sudden power-off recoveries (Samsung)' },
  { id: 174, name: 'Unexpect_Power_Loss_Ct', field: 'unsafe_shutdowns', read: 'raw', unit: 1, meaning: 'unexpected power losses (Crucial / Micron)' },
  { id: 174, name: 'Unsafe_Shutdown_Count', field: 'unsafe_shutdowns', read: 'raw', unit: 1, meaning: 'unsafe shutdowns (Intel S3x20)' },
  { id: 192, name: 'Unsafe_Shutdown_Count', field: 'unsafe_shutdowns', read: 'raw', unit: 1, meaning: 'unsafe shutdowns (Intel)' },
  { id: 187, name: 'Reported_Uncorrect', field: 'media_errors', read: 'raw', unit: 1, meaning: 'uncorrectable errors reported to the host' },
  { id: 187, name: 'Uncorrectable_Error_Cnt', field: 'media_errors', read: 'raw', unit: 1, meaning: 'uncorrectable errors (Samsung)' },
];
