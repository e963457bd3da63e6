import { isoFromDay } from '../core/calendar.ts';
import type { Catalog } from '../core/catalog/load.ts';
import { hashText } from '../core/random.ts';
import { isoWeek } from './calendar.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Prime, so multiplying by it permutes every sequence space of base-36 digits (36 = 2²·3²): sequences never collide. */
const SCRAMBLE = 1_000_003n;

type Part = { group: string; width: number } | { literal: string };

/**
 * Builds serials from the catalog's serial formats (named groups line, year, week or month, seq), so whatever format a
 * product line is configured with, the simulated serials decode to the simulated manufacturing date.
 */
export class SerialFactory {
  private readonly layouts = new Map<string, { parts: Part[]; pattern: RegExp }>();
  private readonly offset: number;

  constructor(
    private readonly catalog: Catalog,
    seed: number,
  ) {
    this.offset = hashText(`serials:${seed}`);
  }

  /** Serial number `index` (unique per line) of a unit of `line` manufactured on `day`. */
  make(line: string, day: number, index: number): string {
    const { parts, pattern } = this.layout(line);
    const date = isoFromDay(day);
    const week = isoWeek(day);
    const fields: Record<string, string> = {
      line,
      year: String((parts.some((p) => 'group' in p && p.group === 'week') ? week.year : Number(date.slice(0, 4))) % 100).padStart(2, '0'),
      week: String(week.week).padStart(2, '0'),
      month: date.slice(5, 7),
    };
    const serial = parts
      .map((part) => ('literal' in part ? part.literal : part.group === 'seq' ? this.sequence(index, part.width) : fields[part.group]!))
      .join('');
    if (!pattern.test(serial)) throw new Error(`generated serial ${serial} does not match the ${line} serial format ${pattern.source}`);
    return serial;
  }

  private sequence(index: number, width: number): string {
    // BigInt: the product exceeds 2^53 for 8-character sequences.
    const space = 36n ** BigInt(width);
    let value = (((BigInt(index) + BigInt(this.offset)) % space) * SCRAMBLE) % space;
    let text = '';
    for (let i = 0; i < width; i++) {
      text = ALPHABET[Number(value % 36n)] + text;
      value /= 36n;
    }
    return text;
  }

  private layout(line: string) {
    let layout = this.layouts.get(line);
    if (!layout) {
      const entry = this.catalog.formats.get(line);
      if (!entry) throw new Error(`product line ${line} has no serial format in the catalog`);
      layout = { parts: parseLayout(entry.format.pattern), pattern: new RegExp(entry.format.pattern) };
      this.layouts.set(line, layout);
    }
    return layout;
  }
}

/** Splits `^(?<line>[A-Z]{2})(?<year>\d{2})-(?<seq>[0-9A-Z]{8})$` into named groups (with widths) and literals. */
function parseLayout(pattern: string): Part[] {
  const parts: Part[] = [];
  const body = pattern.replace(/^\^/, '').replace(/\$$/, '');
  const group = /\(\?<(\w+)>[^)]*?\{(\d+)\}\)|\(\?<(\w+)>([A-Z]+)\)/g;
  let last = 0;
  for (const match of body.matchAll(group)) {
    if (match.index! > last) parts.push({ literal: body.slice(last, match.index).replace(/\\/g, '') });
    parts.push(match[1] ? { group: match[1], width: Number(match[2]) } : { group: match[3]!, width: match[4]!.length });
    last = match.index! + match[0].length;
  }
  if (last < body.length) parts.push({ literal: body.slice(last).replace(/\\/g, '') });
  return parts;
}
