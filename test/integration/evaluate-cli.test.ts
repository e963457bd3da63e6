import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, runCli } from '../support/cli.ts';

describe('wearwatch evaluate', () => {
  const env = { WEARWATCH_DATA: mkdtempSync(join(tmpdir(), 'wearwatch-evaluate-cli-')), WEARWATCH_LOG_LEVEL: 'silent' };

  it('runs the bulk evaluation now with progress and prints the run as JSON', () => {
    const result = runCli(['evaluate', '--no-publish', '--at', '2026-11-24'], env, 120_000);
    expect(result.stderr).toMatch(/evaluating all enrolled units at 2026-11-24/);
    expect(result.stderr).toMatch(/done: 0 unit\(s\) evaluated at 2026-11-24/);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toMatchObject({ snapshot_date: '2026-11-24', units: 0, flags: 0 });
  });

  it('names a bad date and the fix', () => {
    const result = runCli(['evaluate', '--no-publish', '--at', '2026-02-30'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--at "2026-02-30" is not a calendar date\n\s+fix: give the date as YYYY-MM-DD/);
  });

  it('reports a serial that was never enrolled', () => {
    const result = runCli(['evaluate', '--serial', 'NV2447NOSUCH'], env, 120_000);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/serial NV2447NOSUCH is not enrolled/);
  });

  it('rejects an invalid schedule in the configuration', () => {
    const result = runCli(['evaluate', '--no-publish'], { ...env, WEARWATCH_EVALUATE_CRON: 'every hour' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/WEARWATCH_EVALUATE_CRON="every hour": a cron expression/);
  });

  it('validates a vendor catalog, naming the model and field at fault', () => {
    const data = JSON.parse(readFileSync(join(projectRoot, 'core', 'catalog', 'catalog.json'), 'utf8'));
    delete data.models[0].tbw_tb;
    const file = join(env.WEARWATCH_DATA, 'vendor-catalog.json');
    writeFileSync(file, JSON.stringify(data));
    const result = runCli(['catalog', '--file', file], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/model "WW-NV4-512" field tbw_tb: an SSD needs its TBW rating/);
  });

  it('prints the TBW / P/E table and loads it into ClickHouse', () => {
    const result = runCli(['catalog', '--load'], env, 120_000);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/WW-NV4-1T\s+ssd\s+1024\s+600 TBW\s+36 months/);
    expect(result.stdout).toMatch(/WW-TF-PRO-128\s+tf\s+128\s+3000 P\/E cycles/);
    expect(result.stderr).toMatch(/loaded 11 model\(s\) into catalog_models/);
  });
});
