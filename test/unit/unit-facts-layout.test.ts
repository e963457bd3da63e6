import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type BitField, earliestBase, layoutColumns, periods, temperatureOffset, unitFactsLayout } from '../../warranty/unit-facts-layout.ts';

// Migration 0024 packs unit_facts and 0100 recreates its telemetry view; applied history is never edited, so both are
// checked against the spec instead.
const read = (file: string) => readFileSync(new URL(`../../infra/clickhouse/migrations/${file}`, import.meta.url), 'utf8');
const migration = read('0024_unit_facts.sql');
const telemetryView = (sql: string) => sql.slice(sql.indexOf('CREATE MATERIALIZED VIEW IF NOT EXISTS unit_facts_telemetry_mv')).split(';')[0]!;

/** The bit ranges the migration's layout comments give each column: "[from, to)" or a single "[bit]". */
function documentedRanges(sql: string): Map<string, BitField[]> {
  const table = sql.slice(sql.indexOf('CREATE TABLE IF NOT EXISTS unit_facts'), sql.indexOf('ENGINE = AggregatingMergeTree'));
  const byColumn = new Map<string, BitField[]>();
  let pending: BitField[] = [];
  const patterns: { prefix: string; ranges: BitField[] }[] = [];
  for (const line of table.split('\n')) {
    const column = /^\s+(\w+)\s+SimpleAggregateFunction\(max, (\w+)\)/.exec(line);
    if (column) {
      const name = column[1]!;
      const ranges = [...pending, ...patterns.filter((p) => name.startsWith(p.prefix)).flatMap((p) => p.ranges)];
      if (ranges.length) byColumn.set(name, ranges);
      pending = [];
      continue;
    }
    const layout = /^\s*--\s{3}(?:([\w*, ]+):)?(.*\[\d.*)$/.exec(line);
    if (!layout) continue;
    const ranges = [...layout[2]!.matchAll(/\[(\d+)(?:, (\d+))?\)?\]?/g)].map((m) => ({ from: Number(m[1]), to: m[2] ? Number(m[2]) : Number(m[1]) + 1 }));
    if (layout[1]) for (const prefix of layout[1].split(',')) patterns.push({ prefix: prefix.trim().replace('*', ''), ranges });
    else pending.push(...ranges);
  }
  return byColumn;
}

const sorted = (fields: BitField[]) => [...fields].sort((a, b) => b.from - a.from);
const typeOf = (sql: string, column: string) => new RegExp(`^\\s+${column}\\s+SimpleAggregateFunction\\(max, (\\w+)\\)`, 'm').exec(sql)?.[1];

describe('unit_facts layout', () => {
  it('matches the bit ranges and column types migration 0024 documents', () => {
    const documented = documentedRanges(migration);
    for (const [entry, columns] of Object.entries(layoutColumns) as [keyof typeof unitFactsLayout, readonly string[]][]) {
      const spec = unitFactsLayout[entry];
      for (const column of columns) {
        expect(sorted(documented.get(column) ?? []), column).toEqual(sorted(Object.values(spec.fields)));
        expect(typeOf(migration, column), column).toBe(spec.type);
      }
    }
  });

  it('is what migrations 0024 and 0100 pack with', () => {
    const { latest, wear, temperature, flags } = unitFactsLayout;
    const l = latest.fields;
    const bit = (f: BitField) => 2 ** f.from;
    const expected = [
      `bitShiftLeft(toUInt256(ms), ${l.collected_at.from})`,
      `bitShiftLeft(toUInt256(coalesce(host_bytes_written, 0)), ${l.host_bytes_written.from})`,
      `bitShiftLeft(toUInt256(coalesce(avg_pe_cycles, 0)), ${l.avg_pe_cycles.from})`,
      `if(host_bytes_written IS NULL, 0, ${bit(l.has_host_bytes_written)})`,
      `if(avg_pe_cycles IS NULL, 0, ${bit(l.has_avg_pe_cycles)})`,
      `if(temperature_c IS NULL, 0, ${bit(l.has_temperature)} + t_high)`,
      `toUInt64(toInt32(assumeNotNull(temperature_c)) + ${temperatureOffset}) AS t_high`,
      `toUInt64(${temperatureOffset - 1} - toInt32(assumeNotNull(temperature_c))) AS t_low`,
      `${earliestBase} - ms AS earliest_first`,
      `bitShiftLeft(toUInt128(intDiv(day, ${periods.days})), ${wear.fields.period.from}) + bitShiftLeft(toUInt128(earliest_first), ${wear.fields.earliest.from}) AS wear_a`,
      `bitShiftLeft(toUInt128(intDiv(day + ${periods.offsetDays}, ${periods.days})), ${wear.fields.period.from}) + bitShiftLeft(toUInt128(earliest_first), ${wear.fields.earliest.from}) AS wear_b`,
      `bitShiftLeft(toUInt64(intDiv(day, ${periods.days})), ${temperature.fields.period.from}) + ${bit(temperature.fields.present)} AS temp_a`,
      `bitShiftLeft(toUInt64(intDiv(day + ${periods.offsetDays}, ${periods.days})), ${temperature.fields.period.from}) + ${bit(temperature.fields.present)} AS temp_b`,
      `bitShiftLeft(toUInt128(run_id), ${flags.fields.run_id.from}) + flag_mask`,
    ];
    const text = migration.replace(/\s+/g, ' ');
    for (const snippet of expected) expect(text).toContain(snippet);
    // The view as 0100 recreates it computes every packed column exactly as 0024's did.
    const squash = (sql: string) => sql.replace(/\s+/g, ' ');
    const before = squash(telemetryView(migration));
    const after = squash(telemetryView(read('0100_unit_facts_one_telemetry_view.sql')));
    expect(after.replace(/, host_bytes_written AS hbw_max.*FROM telemetry/, ' FROM telemetry')).toBe(before);
  });

  it('has no overlapping fields and fits each column type', () => {
    const widths: Record<string, number> = { UInt64: 64, UInt128: 128, UInt256: 256 };
    for (const [entry, spec] of Object.entries(unitFactsLayout)) {
      const fields = sorted(Object.values(spec.fields));
      expect(fields[0]!.to, entry).toBeLessThanOrEqual(widths[spec.type]!);
      for (let i = 1; i < fields.length; i++) expect(fields[i]!.to, `${entry} at bit ${fields[i]!.to}`).toBeLessThanOrEqual(fields[i - 1]!.from);
    }
  });
});
