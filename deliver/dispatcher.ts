import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { AckStore } from '../notifications/ack-store.ts';
import type { Channel } from '../notifications/channel.ts';
import { ChannelStore } from '../notifications/channel-store.ts';
import { type Delivery, DeliveryStore } from '../notifications/delivery-store.ts';
import { isTestAlert } from '../notifications/render.ts';
import { retryDelay, suppression } from '../notifications/routing.ts';
import type { Send } from './senders.ts';

export type DispatchConfig = Pick<Config, 'NOTIFY_MAX_ATTEMPTS' | 'NOTIFY_RETRY_BASE_MS' | 'NOTIFY_RETRY_MAX_MS' | 'NOTIFY_POLL_MS'>;

export interface DispatchCounts {
  delivered: number;
  retried: number;
  dead: number;
  suppressed: number;
}

/**
 * Sends the deliveries that are due: new ones the consumer recorded, retries whose backoff has passed and "send test"
 * requests. Each outcome is recorded before the next delivery: delivered, pending again with the next backoff, dead
 * after NOTIFY_MAX_ATTEMPTS (the dead-letter list), or suppressed when the flag is acknowledged or snoozed by then.
 * Sending here, not in the Kafka consumer, keeps a receiver that is down from holding up a partition.
 */
export class Dispatcher {
  private readonly deliveries: DeliveryStore;
  private readonly channels: ChannelStore;
  private readonly acks: AckStore;
  private timer?: NodeJS.Timeout;
  private tick?: Promise<unknown>;
  readonly totals: DispatchCounts = { delivered: 0, retried: 0, dead: 0, suppressed: 0 };
  lastError: string | null = null;

  constructor(
    client: ClickHouseClient,
    private readonly send: Send,
    private readonly config: DispatchConfig,
    private readonly logger: Logger,
  ) {
    this.deliveries = new DeliveryStore(client);
    this.channels = new ChannelStore(client);
    this.acks = new AckStore(client);
  }

  start(): void {
    const loop = () => {
      this.tick = this.runOnce()
        .then(() => {
          this.lastError = null;
        })
        .catch((error: Error) => {
          this.lastError = error.message;
          this.logger.warn({ err: error }, 'notification dispatch failed; retrying at the next poll');
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(loop, this.config.NOTIFY_POLL_MS);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.tick;
  }

  /** One pass over the due deliveries; returns what happened to them. */
  async runOnce(now: () => Date = () => new Date()): Promise<DispatchCounts> {
    const counts: DispatchCounts = { delivered: 0, retried: 0, dead: 0, suppressed: 0 };
    const due = await this.deliveries.due(now(), 200);
    if (due.length === 0) return counts;
    const channels = new Map((await this.channels.list()).map((c) => [c.channel_id, c]));
    for (const d of due) {
      const outcome = await this.deliver(d, channels.get(d.channel_id), now());
      counts[outcome]++;
      this.totals[outcome]++;
    }
    return counts;
  }

  private async deliver(d: Delivery, channel: Channel | undefined, at: Date): Promise<keyof DispatchCounts> {
    const settle = (status: Delivery['status'], attempts: number, error: string, nextAt = at) =>
      this.deliveries.update(d, { status, attempts, next_at: nextAt.toISOString(), last_error: error }, at);
    if (!channel?.enabled) {
      await settle('suppressed', d.attempts, 'the channel was removed or disabled');
      return 'suppressed';
    }
    if (!isTestAlert(d.alert_id)) {
      const why = suppression(d.alert, await this.acks.of(d.fleet_id, d.serial, d.flag), at);
      if (why) {
        await settle('suppressed', d.attempts, why);
        return 'suppressed';
      }
    }
    const attempts = d.attempts + 1;
    try {
      await this.send(channel, d.alert, d.alert_id);
      await settle('delivered', attempts, '');
      return 'delivered';
    } catch (error) {
      const reason = (error as Error).message;
      if (attempts >= this.config.NOTIFY_MAX_ATTEMPTS) {
        this.logger.warn({ channel: d.channel_id, alert: d.alert_id, attempts }, `notification dead-lettered: ${reason}`);
        await settle('dead', attempts, reason);
        return 'dead';
      }
      const next = new Date(at.getTime() + retryDelay(attempts, this.config.NOTIFY_RETRY_BASE_MS, this.config.NOTIFY_RETRY_MAX_MS));
      await settle('pending', attempts, reason, next);
      return 'retried';
    }
  }
}
