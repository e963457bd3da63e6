import { describe, expect, it } from 'vitest';
import { HealthRegistry } from '../../core/health.ts';

describe('health registry', () => {
  it('is ok when every component is ok', async () => {
    const health = new HealthRegistry();
    health.register('a', () => ({ status: 'ok' }));
    health.register('b', async () => ({ status: 'ok', detail: 1 }));
    expect(await health.report()).toEqual({ status: 'ok', components: { a: { status: 'ok' }, b: { status: 'ok', detail: 1 } } });
  });

  it('reports the worst state, a throwing check as down with its reason, and a stuck check as down', async () => {
    const health = new HealthRegistry(50);
    health.register('ok', () => ({ status: 'ok' }));
    health.register('throws', () => {
      throw new Error('connection refused');
    });
    health.register('stuck', () => new Promise(() => {}));
    const report = await health.report();
    expect(report.status).toBe('down');
    expect(report.components.throws).toEqual({ status: 'down', error: 'connection refused' });
    expect(report.components.stuck).toEqual({ status: 'down', error: 'no answer within 50 ms' });
  });

  it('answers from a recent report instead of asking every component again', async () => {
    const registry = new HealthRegistry();
    let calls = 0;
    registry.register('kafka', () => {
      calls++;
      return { status: 'ok' };
    });
    await Promise.all([registry.recentReport(60_000), registry.recentReport(60_000)]);
    await registry.recentReport(60_000);
    expect(calls).toBe(1);
    await registry.recentReport(0);
    await new Promise((r) => setTimeout(r, 5));
    await registry.recentReport(0);
    expect(calls).toBe(3);
  });
});
