import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMigrations, splitStatements } from '../../infra/clickhouse/migrate.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wearwatch-migrations-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('migration files', () => {
  it('splits statements at line-ending semicolons and drops comment lines', () => {
    const sql = "-- a comment; with a semicolon\nCREATE TABLE a (x String DEFAULT 'a;b') ENGINE = Memory;\n\nCREATE VIEW v AS\nSELECT 1;\n";
    expect(splitStatements(sql)).toEqual(["CREATE TABLE a (x String DEFAULT 'a;b') ENGINE = Memory", 'CREATE VIEW v AS\nSELECT 1']);
  });

  it('orders by version and checksums the file text', () => {
    const dir = dirWith({ '0002_b.sql': 'SELECT 2;', '0001_a.sql': 'SELECT 1;', 'README.md': 'ignored' });
    const migrations = readMigrations(dir);
    expect(migrations.map((m) => [m.version, m.name])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(migrations[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(migrations[0]!.checksum).not.toBe(migrations[1]!.checksum);
  });

  it('refuses a misnamed file and a duplicated version', () => {
    expect(() => readMigrations(dirWith({ 'create-things.sql': 'SELECT 1;' }))).toThrow(/does not match NNNN_name.sql/);
    expect(() => readMigrations(dirWith({ '0001_a.sql': 'SELECT 1;', '0001_b.sql': 'SELECT 2;' }))).toThrow(/share version 1/);
  });

  it('ships the first tables of the schema', () => {
    const names = readMigrations().map((m) => m.name);
    expect(names.slice(0, 4)).toEqual(['catalog_models', 'drives', 'telemetry', 'rma_events']);
  });
});
