import { describe, expect, it } from 'vitest';
import { chunkByBytes, maxRequestBytes, messageBytes, replicationFor } from '../../core/kafka.ts';

describe('produce requests within a default broker (message.max.bytes 1 MiB)', () => {
  it('cuts 20,000 telemetry-sized messages into requests under the limit, in order, losing none', () => {
    const messages = Array.from({ length: 20_000 }, (_, i) => ({ key: `SN${i % 97}`, value: JSON.stringify({ i, pad: 'x'.repeat(250) }) }));
    const chunks = chunkByBytes(messages);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.reduce((sum, m) => sum + messageBytes(m), 0)).toBeLessThanOrEqual(maxRequestBytes);
    expect(chunks.flat()).toEqual(messages);
  });

  it('counts keys, values and headers in bytes (UTF-8), and sends an oversized message on its own', () => {
    expect(messageBytes({ key: 'é', value: Buffer.alloc(10), headers: { reason: 'ab' } })).toBe(64 + 2 + 10 + 6 + 2);
    const big = { key: 'k', value: 'x'.repeat(maxRequestBytes + 1) };
    expect(chunkByBytes([{ key: 'a', value: 'a' }, big, { key: 'b', value: 'b' }]).map((c) => c.length)).toEqual([1, 1, 1]);
  });
});

describe('topic replication for the cluster found', () => {
  it.each([
    [1, 1, []],
    [2, 2, []],
    [3, 3, [{ name: 'min.insync.replicas', value: '2' }]],
    [5, 3, [{ name: 'min.insync.replicas', value: '2' }]],
  ])('%i broker(s): replication factor %i', (brokers, factor, entries) => {
    expect(replicationFor(brokers)).toEqual({ replicationFactor: factor, configEntries: entries });
  });
});
