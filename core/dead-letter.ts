import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { dlqTopic } from './topics.ts';

/** Headers a dead-lettered message carries next to its original key, value and headers. */
export const dlqHeaders = {
  reason: 'wearwatch.dlq.reason',
  topic: 'wearwatch.dlq.source_topic',
  partition: 'wearwatch.dlq.source_partition',
  offset: 'wearwatch.dlq.source_offset',
  rejectedAt: 'wearwatch.dlq.rejected_at',
} as const;

export interface Rejection {
  topic: string;
  partition: number;
  message: KafkaMessage;
  reason: string;
}

/**
 * The dead-letter copy of a rejected message: the original bytes and key untouched (so it can be replayed after a
 * fix), the reason and source coordinates in headers.
 */
export function deadLetter({ topic, partition, message, reason }: Rejection, now: Date): Message {
  const headers: IHeaders = {
    ...message.headers,
    [dlqHeaders.reason]: reason,
    [dlqHeaders.topic]: topic,
    [dlqHeaders.partition]: String(partition),
    [dlqHeaders.offset]: message.offset,
    [dlqHeaders.rejectedAt]: now.toISOString(),
  };
  return { key: message.key, value: message.value, headers };
}

export { dlqTopic };
