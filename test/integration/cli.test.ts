import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, freePortPair } from '../../infra/ports.ts';
import { javaProcessesMentioning, runCli, startCli, waitFor } from '../support/cli.ts';

const tempData = () => mkdtempSync(join(tmpdir(), 'wearwatch-cli-'));

describe('wearwatch command line', () => {
  it('has --help on every command', () => {
    const top = runCli(['--help'], {});
    expect(top.status).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z-]+)\s/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['up', 'migrate', 'config']));
    for (const command of commands) {
      const help = runCli([command, '--help'], {});
      expect(help.status, command).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Usage: wearwatch ${command}`));
    }
  });

  it('stops with a message naming a bad variable and what it expects', () => {
    const result = runCli(['up'], { WEARWATCH_PORT: 'abc' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('WEARWATCH_PORT="abc": expected a port number 1-65535');
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('migrate applies the schema once; the second run applies nothing', () => {
    const env = { WEARWATCH_DATA: tempData() };
    const first = runCli(['migrate'], env);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/applying migration 0001_catalog_models/);
    expect(first.stderr).toMatch(/applied \d+ migration\(s\)/);
    const second = runCli(['migrate'], env);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).not.toMatch(/applying migration/);
    expect(second.stderr).toMatch(/nothing to apply/);
  });

  it('up serves /healthz with kafka and clickhouse ok, and SIGTERM leaves no java process', async () => {
    const data = tempData();
    const httpPort = await freePort();
    const up = startCli(['up'], { WEARWATCH_DATA: data, WEARWATCH_PORT: String(httpPort), KAFKA_PORT: String(await freePortPair()), KAFKA_BROKERS: '' });
    try {
      const health = await waitFor(
        '/healthz to report ok',
        async () => {
          const response = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
          return response.status === 200
            ? ((await response.json()) as { status: string; components: Record<string, { status: string; mode: string }> })
            : undefined;
        },
        90_000,
      );
      expect(health.components.kafka).toMatchObject({ status: 'ok', mode: 'local' });
      expect(health.components.clickhouse).toMatchObject({ status: 'ok', mode: 'embedded' });
      expect(javaProcessesMentioning(data)).toHaveLength(1);
    } finally {
      up.child.kill('SIGTERM');
    }
    expect(await up.exited).toBe(0);
    expect(up.output()).toMatch(/stopped cleanly/);
    expect(javaProcessesMentioning(data)).toEqual([]);
  }, 120_000);

  it('a killed up process takes its broker with it', async () => {
    const data = tempData();
    const httpPort = await freePort();
    const up = startCli(['up'], { WEARWATCH_DATA: data, WEARWATCH_PORT: String(httpPort), KAFKA_PORT: String(await freePortPair()), KAFKA_BROKERS: '' });
    await waitFor('/healthz', async () => ((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok ? true : undefined), 90_000);
    up.child.kill('SIGKILL');
    await up.exited;
    await waitFor('the broker to exit', async () => (javaProcessesMentioning(data).length === 0 ? true : undefined), 30_000);
  }, 120_000);
});
