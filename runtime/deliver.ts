import { topics } from '../core/topics.ts';
import { AlertConsumer } from '../deliver/alert-consumer.ts';
import { Dispatcher } from '../deliver/dispatcher.ts';
import { createSenders } from '../deliver/senders.ts';
import type { Started } from './system.ts';

export interface Delivery {
  consumer: AlertConsumer;
  dispatcher: Dispatcher;
}

/**
 * Starts notification delivery in a running process: the alerts consumer (its own group, NOTIFY_GROUP) that records
 * pending deliveries, and the dispatcher that sends them to webhooks, Slack and SMTP with retries. Reported in
 * /healthz under "notifications".
 */
export async function startDelivery(system: Started, options: { topic?: string } = {}): Promise<Delivery> {
  const { config, logger, clickhouse } = system;
  const log = logger.child({ component: 'notify' });
  const producer = system.kafka.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  system.onStop({ name: 'notification dead-letter producer', stop: () => producer.disconnect() });
  const senders = createSenders(config);
  const dispatcher = new Dispatcher(clickhouse.client, senders.send, config, log);
  const consumer = new AlertConsumer(
    { kafka: system.kafka.kafka, producer, client: clickhouse.client, logger: log, topic: options.topic ?? topics.alerts },
    config,
  );
  await consumer.start();
  system.onStop({ name: 'alerts consumer', stop: () => consumer.stop() });
  dispatcher.start();
  system.onStop({
    name: 'notification dispatcher',
    stop: async () => {
      await dispatcher.stop();
      senders.close();
    },
  });
  system.health.register('notifications', () => ({
    status: dispatcher.lastError ? 'degraded' : 'ok',
    group: config.NOTIFY_GROUP,
    smtp: config.SMTP_HOST ? `${config.SMTP_HOST}:${config.SMTP_PORT}` : 'not configured',
    enqueued: consumer.enqueued,
    ...dispatcher.totals,
    ...(dispatcher.lastError ? { error: dispatcher.lastError } : {}),
  }));
  system.progress(`notification delivery started (consumer group ${config.NOTIFY_GROUP}, SMTP ${config.SMTP_HOST ? 'configured' : 'not configured'})`);
  return { consumer, dispatcher };
}
