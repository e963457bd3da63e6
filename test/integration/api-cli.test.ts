import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

describe('wearwatch keys', () => {
  const env = { WEARWATCH_DATA: mkdtempSync(join(tmpdir(), 'wearwatch-keys-')), WEARWATCH_LOG_LEVEL: 'error' };

  it('creates a key shown once, lists it without the secret, and revokes it', () => {
    const created = runCli(['keys', 'create', '--name', 'acme dashboard', '--role', 'fleet_manager', '--fleet', 'acme-eu,acme-us'], env);
    expect(created.stderr).toMatch(/created fleet_manager key [0-9a-f]{16} for fleet\(s\) acme-eu, acme-us/);
    expect(created.status).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^wwk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const keyId = key.split('_')[1]!;

    const listed = runCli(['keys', 'list', '--json'], env);
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([expect.objectContaining({ keyId, role: 'fleet_manager', fleetIds: ['acme-eu', 'acme-us'], revokedAt: null })]);
    expect(listed.stdout).not.toContain(/^wwk_[0-9a-f]{16}_(.+)$/.exec(key)![1]!);

    expect(runCli(['keys', 'revoke', keyId], env).status).toBe(0);
    expect(runCli(['keys', 'list'], env).stdout).toMatch(new RegExp(`${keyId}.*revoked`));
  });

  it('names the problem and the fix for bad input', () => {
    const noFleet = runCli(['keys', 'create', '--name', 'x', '--role', 'fleet_manager'], env);
    expect(noFleet.status).toBe(1);
    expect(noFleet.stderr).toContain('--fleet: a fleet_manager key names at least one fleet');
    const badRole = runCli(['keys', 'create', '--name', 'x', '--role', 'boss'], env);
    expect(badRole.stderr).toMatch(/--role: .*fleet_manager/);
    const unknown = runCli(['keys', 'revoke', 'ffffffffffffffff'], env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('fix: list the keys with `wearwatch keys list`');
  });
});

describe('wearwatch api', () => {
  it('refuses to start without shared servers, saying which settings are missing', () => {
    const result = runCli(['api'], { CLICKHOUSE_URL: '', KAFKA_BROKERS: '' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('CLICKHOUSE_URL and KAFKA_BROKERS are not set');
    expect(result.stderr).toContain('fix: set CLICKHOUSE_URL=');
  });
});
