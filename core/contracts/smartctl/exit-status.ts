/**
 * smartctl's exit status is a bit mask (smartctl(8), "EXIT STATUS"). Only bits 0 and 1 mean the document describes no
 * drive; bit 2 still comes with what smartctl could read (a Kingston SA400 behind a MegaRAID sets it with a complete
 * attribute table), and bits 3-7 are facts about the drive, failure evidence to keep rather than a reason to refuse.
 */
interface ExitStatusBit {
  bit: number;
  /** `refuse`: no usable document; `warn`: use it, say what failed; `evidence`: use it, the bit is a fact about the drive. */
  effect: 'refuse' | 'warn' | 'evidence';
  meaning: string;
}

const exitStatusBits: readonly ExitStatusBit[] = [
  { bit: 0, effect: 'refuse', meaning: 'the command line did not parse' },
  { bit: 1, effect: 'refuse', meaning: 'the device could not be opened' },
  { bit: 2, effect: 'warn', meaning: 'a SMART or other command to the disk failed, or a SMART data structure had a checksum error' },
  { bit: 3, effect: 'evidence', meaning: 'SMART status: DISK FAILING' },
  { bit: 4, effect: 'evidence', meaning: 'prefail attributes are at or below their threshold' },
  { bit: 5, effect: 'evidence', meaning: 'usage or prefail attributes were at or below their threshold in the past' },
  { bit: 6, effect: 'evidence', meaning: 'the device error log has error records' },
  { bit: 7, effect: 'evidence', meaning: 'the device self-test log has error records' },
];

export interface ExitStatusReading {
  /** Why the document cannot be used, when a refusing bit is set. */
  refusal?: string;
  /** The meanings of the other set bits, for the row's warning; empty when none is set. */
  notes: string[];
}

export function readExitStatus(status: number): ExitStatusReading {
  const set = exitStatusBits.filter((b) => (status >> b.bit) & 1);
  const refusing = set.filter((b) => b.effect === 'refuse');
  return {
    refusal: refusing.length ? refusing.map((b) => b.meaning).join('; ') : undefined,
    notes: set.filter((b) => b.effect !== 'refuse').map((b) => `bit ${b.bit}: ${b.meaning}`),
  };
}
