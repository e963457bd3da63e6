import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to fail');
}

describe('config', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.WEARWATCH_HOST).toBe('127.0.0.1');
    expect(config.WEARWATCH_PORT).toBe(8080);
    expect(config.KAFKA_PORT).toBe(9092);
    expect(config.CLICKHOUSE_URL).toBeUndefined();
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(config.WEARWATCH_WARN_PCT).toBe(80);
    expect(config.WEARWATCH_CRITICAL_PCT).toBe(95);
    expect(config.WEARWATCH_ENDING_DAYS).toBe(90);
    expect(config.WEARWATCH_DATA).toMatch(/\/data$/);
  });

  it('coerces numbers and keeps server settings', () => {
    const config = loadConfig({ WEARWATCH_PORT: '9000', CLICKHOUSE_URL: 'http://ch:8123', KAFKA_BROKERS: 'k1:9092,k2:9092' });
    expect(config.WEARWATCH_PORT).toBe(9000);
    expect(config.CLICKHOUSE_URL).toBe('http://ch:8123');
    expect(config.KAFKA_BROKERS).toBe('k1:9092,k2:9092');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ KAFKA_BROKERS: '', WEARWATCH_PORT: '' }).WEARWATCH_PORT).toBe(8080);
  });

  it('names the variable, the value and what is expected for a bad port', () => {
    expect(problems({ WEARWATCH_PORT: 'abc' })).toEqual(['WEARWATCH_PORT="abc": expected a port number 1-65535']);
    expect(problems({ WEARWATCH_PORT: '70000' })[0]).toMatch(/^WEARWATCH_PORT="70000": /);
    expect(problems({ KAFKA_PORT: '1.5' })[0]).toMatch(/^KAFKA_PORT="1.5": expected a port number/);
  });

  it('reports every bad variable at once', () => {
    const found = problems({ CLICKHOUSE_URL: 'not a url', KAFKA_BROKERS: 'nohostport', WEARWATCH_LOG_LEVEL: 'loud' });
    expect(found).toHaveLength(3);
    expect(found.join('\n')).toMatch(/CLICKHOUSE_URL="not a url"/);
    expect(found.join('\n')).toMatch(/KAFKA_BROKERS="nohostport": comma-separated host:port list/);
    expect(found.join('\n')).toMatch(/WEARWATCH_LOG_LEVEL="loud"/);
  });

  it('rejects a database name that is not a plain identifier', () => {
    expect(problems({ CLICKHOUSE_DATABASE: 'x; DROP TABLE y' })[0]).toMatch(/CLICKHOUSE_DATABASE/);
  });

  it('requires the warning threshold below the critical one', () => {
    expect(problems({ WEARWATCH_WARN_PCT: '96' })[0]).toMatch(/WEARWATCH_WARN_PCT=96: must be below WEARWATCH_CRITICAL_PCT \(95\)/);
  });
});
