import { createHash } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { type AlertEvent, alertEvent } from '../core/contracts/alert.ts';
import { deadLetter, dlqTopic } from '../core/dead-letter.ts';
import type { Logger } from '../core/logger.ts';
import { ChannelStore } from '../notifications/channel-store.ts';
import { DeliveryStore } from '../notifications/delivery-store.ts';
import { channelWants } from '../notifications/routing.ts';

/** The idempotency key of an alert: its producer-given id, else a digest of its content (older producers gave none). */
const alertIdOf = (alert: AlertEvent): string =>
  alert.id ??
  createHash('sha256')
    .update(JSON.stringify([alert.serial, alert.flag, alert.level, alert.action, alert.at]))
    .digest('hex')
    .slice(0, 32);

function decode(message: KafkaMessage): { ok: true; alert: AlertEvent } | { ok: false; reason: string } {
  try {
    const parsed = alertEvent.safeParse(JSON.parse(message.value?.toString('utf8') ?? ''));
    if (parsed.success) return { ok: true, alert: parsed.data };
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `${issue.path.join('.') || 'message'}: ${issue.message}` };
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
}

/**
 * Reads wearwatch.alerts.v1 with its own consumer group and records, per alert, a pending delivery for every channel
 * of the alert's fleet that takes it and existed when it was raised. Offsets are committed only after those rows are
 * written; a redelivered alert finds its rows and adds none. Malformed alerts go to the dead-letter topic with the
 * reason. Sending is the dispatcher's job.
 */
export class AlertConsumer {
  private readonly consumer: Consumer;
  private readonly channels: ChannelStore;
  private readonly deliveries: DeliveryStore;
  /** Messages taken from the topic, and deliveries they added (a redelivered alert adds none). */
  handled = 0;
  enqueued = 0;

  constructor(
    private readonly deps: { kafka: Kafka; producer: Producer; client: ClickHouseClient; logger: Logger; topic: string },
    config: Pick<Config, 'NOTIFY_GROUP'>,
  ) {
    this.consumer = deps.kafka.consumer({ groupId: config.NOTIFY_GROUP });
    this.channels = new ChannelStore(deps.client);
    this.deliveries = new DeliveryStore(deps.client);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    // From the beginning for a new group: a channel only takes alerts raised after it was created, so nothing old floods it.
    await this.consumer.subscribe({ topic: this.deps.topic, fromBeginning: true });
    await this.consumer.run({ eachBatchAutoResolve: false, autoCommitThreshold: 1, eachBatch: (payload) => this.handle(payload) });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }

  private async handle({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const alerts: AlertEvent[] = [];
    const rejected = [];
    for (const message of batch.messages) {
      const decoded = decode(message);
      if (decoded.ok) alerts.push(decoded.alert);
      else rejected.push(deadLetter({ topic: batch.topic, partition: batch.partition, message, reason: decoded.reason }, new Date()));
    }
    if (rejected.length) {
      await this.deps.producer.send({ topic: dlqTopic(batch.topic), acks: -1, messages: rejected });
      this.deps.logger.warn({ topic: batch.topic, count: rejected.length }, 'malformed alerts dead-lettered');
    }
    if (alerts.length) {
      const channels = await this.channels.list();
      const pairs = alerts.flatMap((alert) =>
        channels
          .filter((c) => c.fleet_id === alert.fleet_id && Date.parse(c.created_at) <= Date.parse(alert.at) && channelWants(c, alert))
          .map((c) => ({ alertId: alertIdOf(alert), channelId: c.channel_id, alert })),
      );
      this.enqueued += await this.deliveries.enqueue(pairs, new Date());
    }
    resolveOffset(batch.messages.at(-1)!.offset);
    await commitOffsetsIfNecessary();
    this.handled += batch.messages.length;
    await heartbeat();
  }
}
