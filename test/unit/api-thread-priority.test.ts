import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { prioritizeEventLoop } from '../../runtime/thread-priority.ts';

const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
afterAll(() => worker.terminate());

describe('event-loop priority', () => {
  it('lowers every other thread of the process and leaves the event loop as it was', async () => {
    await new Promise((resolve) => worker.once('online', resolve));
    const before = getPriority(process.pid);
    const others = readdirSync('/proc/self/task').filter((tid) => tid !== String(process.pid));
    expect(others.length).toBeGreaterThan(0);
    const stop = prioritizeEventLoop((error) => {
      throw error;
    });
    stop();
    for (const tid of others) expect(getPriority(Number(tid)), `thread ${tid}`).toBe(10);
    expect(getPriority(process.pid)).toBe(before);
  });
});
