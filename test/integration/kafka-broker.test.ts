import { afterAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../core/kafka.ts';
import { allTopics } from '../../core/topics.ts';
import { testKafka, uniqueTopic } from '../support/kafka.ts';

const kafka = testKafka();
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('local Apache Kafka broker with kafkajs', () => {
  it('delivers produced messages to a consumer group, keyed messages in order per partition', async () => {
    const topic = await uniqueTopic(kafka, 'roundtrip', 3);
    const producer = kafka.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const sent = Array.from({ length: 300 }, (_, i) => ({ key: `SN${i % 7}`, value: JSON.stringify({ seq: i, serial: `SN${i % 7}` }) }));
    await producer.send({ topic, messages: sent });

    const consumer = kafka.consumer({ groupId: `${topic}.group` });
    await consumer.connect();
    cleanups.push(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Array<{ seq: number; serial: string; key: string }> = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ ...JSON.parse(message.value!.toString()), key: message.key!.toString() });
          if (received.length === sent.length) resolve();
        },
      });
    });
    expect(received).toHaveLength(300);
    expect(new Set(received.map((r) => r.seq)).size).toBe(300);
    for (const serial of new Set(received.map((r) => r.serial))) {
      const seqs = received.filter((r) => r.serial === serial).map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('creates the contract topics once', async () => {
    const created = await ensureTopics(kafka, 2);
    const again = await ensureTopics(kafka, 2);
    expect(again).toEqual([]);
    const admin = kafka.admin();
    await admin.connect();
    const existing = await admin.listTopics();
    await admin.disconnect();
    for (const topic of allTopics) expect(existing).toContain(topic);
    expect(created.every((t) => allTopics.includes(t))).toBe(true);
  });
});
