import { describe, expect, it } from 'vitest';
import { driveLayout, rmaLayout, telemetryLayout } from '../../core/contracts/rows.ts';
import { compactValues, cutByPartitions, writeBatch } from '../../ingest/batch-writer.ts';
import { classifyWriteError } from '../../ingest/write-errors.ts';

/** Errors shaped as @clickhouse/client's ClickHouseError (code as text, type, message), as chDB raises them. */
const clickhouseError = (code: number, type: string, message: string) => Object.assign(new Error(message), { code: String(code), type });
const partitionLimit = () =>
  clickhouseError(252, 'TOO_MANY_PARTS', 'Too many partitions for single INSERT block (more than 100). The limit is controlled by ...');

describe('ClickHouse write errors', () => {
  it('tells data rejections from transient failures', () => {
    expect(classifyWriteError(partitionLimit())).toMatchObject({ kind: 'data', partitionLimit: true });
    expect(classifyWriteError(clickhouseError(72, 'CANNOT_PARSE_NUMBER', 'Unsigned type must not contain'))).toMatchObject({
      kind: 'data',
      reason: expect.stringMatching(/^clickhouse 72 CANNOT_PARSE_NUMBER: Unsigned/),
    });
    expect(classifyWriteError(clickhouseError(252, 'TOO_MANY_PARTS', 'Too many parts (300). Merges are processing significantly slower'))).toEqual({
      kind: 'transient',
    });
    expect(classifyWriteError(clickhouseError(241, 'MEMORY_LIMIT_EXCEEDED', 'Memory limit exceeded'))).toEqual({ kind: 'transient' });
    expect(classifyWriteError(clickhouseError(243, 'NOT_ENOUGH_SPACE', 'Cannot reserve 1 MiB'))).toEqual({ kind: 'transient' });
    expect(classifyWriteError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual({ kind: 'transient' });
    expect(classifyWriteError(new Error('Code: 469. DB::Exception: Constraint violated'))).toMatchObject({ kind: 'data' });
  });
});

describe('rows as ClickHouse receives them', () => {
  it("declares each contract's instants and writes them as basic DateTime64 text, in column order", () => {
    expect([telemetryLayout.instants, driveLayout.instants, rmaLayout.instants]).toEqual([['collected_at'], ['enrolled_at'], ['occurred_at']]);
    const layout = { columns: ['serial', 'collected_at', 'note', 'temperature_c'], instants: ['collected_at'] };
    const values = compactValues(layout, [{ serial: 'S1', collected_at: '2026-11-01T10:20:30.123Z', note: '2026-11-01T10:20:30.123Z' }]);
    // Only a declared instant is rewritten; a missing column goes as NULL.
    expect(values).toEqual([['S1', '2026-11-01 10:20:30.123', '2026-11-01T10:20:30.123Z', null]]);
  });
});

describe('writing a batch', () => {
  const items = (months: number, perMonth = 2) =>
    Array.from({ length: months * perMonth }, (_, i) => ({ row: { month: Math.floor(i / perMonth), bad: false }, ref: i }));
  type Row = { month: number; bad: boolean };

  it('never sends more partitions in one insert than the limit', async () => {
    const inserts: number[] = [];
    const unwritable = await writeBatch(items(250), {
      insert: async (rows: Row[]) => {
        const months = new Set(rows.map((r) => r.month)).size;
        if (months > 100) throw partitionLimit();
        inserts.push(months);
      },
      partitionOf: (r: Row) => String(r.month),
      maxPartitionsPerInsert: 100,
    });
    expect(unwritable).toEqual([]);
    expect(inserts).toEqual([100, 100, 50]);
    expect(cutByPartitions(items(3), { maxPartitionsPerInsert: 100 })).toHaveLength(1);
  });

  it('isolates the rows ClickHouse rejects, writes the rest and retries nothing on transient failures', async () => {
    const batch = items(6, 5);
    batch[7]!.row.bad = true;
    batch[22]!.row.bad = true;
    const written: number[] = [];
    const unwritable = await writeBatch(batch, {
      insert: async (rows: Row[]) => {
        if (rows.some((r) => r.bad)) throw clickhouseError(469, 'VIOLATED_CONSTRAINT', 'Constraint `x` for table telemetry is violated');
        written.push(...rows.map((r) => batch.findIndex((b) => b.row === r)));
      },
      partitionOf: (r: Row) => String(r.month),
      maxPartitionsPerInsert: 100,
    });
    expect(unwritable.map((u) => u.ref)).toEqual([7, 22]);
    expect(unwritable[0]!.reason).toMatch(/^clickhouse 469 VIOLATED_CONSTRAINT: Constraint/);
    expect(written.sort((a, b) => a - b)).toEqual(batch.map((b) => b.ref).filter((i) => i !== 7 && i !== 22));

    const transient = writeBatch(batch, {
      insert: async () => {
        throw clickhouseError(159, 'TIMEOUT_EXCEEDED', 'Timeout exceeded');
      },
      maxPartitionsPerInsert: 100,
    });
    await expect(transient).rejects.toThrow(/Timeout exceeded/);
  });
});
