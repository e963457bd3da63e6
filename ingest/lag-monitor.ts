import type { Admin } from 'kafkajs';
import type { ComponentHealth } from '../core/health.ts';
import type { IngestMetrics } from '../core/ingest-metrics.ts';
import type { Logger } from '../core/logger.ts';

interface PartitionState {
  committed: number;
  end: number;
  /** When the committed offset last moved, or the partition last had no lag. */
  movedAtMs: number;
}

export interface LagTarget {
  groupId: string;
  topic: string;
}

export interface LagMonitorOptions {
  pollMs: number;
  /** A partition with lag whose committed offset has not moved for this long is stuck. */
  stuckAfterMs: number;
}

/**
 * Lag as the broker sees it: each consumer group's committed offsets against the partitions' end offsets, polled by the
 * admin client. Unlike figures taken after a successful batch, this shows a partition whose batch keeps failing (its
 * lag grows, its committed offset does not move) and a broker that does not answer at all.
 */
export class LagMonitor {
  private readonly partitions = new Map<string, Map<number, PartitionState>>();
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private lastSuccessMs = Date.now();
  private error: string | null = null;
  private connected = false;
  private stopped = false;

  constructor(
    private readonly admin: Admin,
    private readonly targets: LagTarget[],
    private readonly metrics: IngestMetrics,
    private readonly options: LagMonitorOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.options.pollMs);
    this.timer.unref();
    void this.poll();
  }

  /** One poll; a poll still running is joined rather than doubled. */
  poll(): Promise<void> {
    this.polling ??= this.readOffsets().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async readOffsets(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      for (const { groupId, topic } of this.targets) {
        const [ends, [committed]] = await Promise.all([this.admin.fetchTopicOffsets(topic), this.admin.fetchOffsets({ groupId, topics: [topic] })]);
        const now = Date.now();
        const states = this.partitions.get(topic) ?? new Map<number, PartitionState>();
        this.partitions.set(topic, states);
        for (const p of ends) {
          const raw = Number(committed?.partitions.find((c) => c.partition === p.partition)?.offset ?? -1);
          // Nothing committed yet: the group starts from the beginning (fromBeginning), so all retained messages lag.
          const position = raw < 0 ? Number(p.low) : raw;
          const end = Number(p.high);
          const previous = states.get(p.partition);
          const moved = !previous || previous.committed !== position || end - position <= 0;
          states.set(p.partition, { committed: position, end, movedAtMs: moved ? now : previous.movedAtMs });
          this.metrics.recordLag(topic, p.partition, end - position);
        }
      }
      if (this.error) this.log.info('the broker answers lag queries again');
      this.error = null;
      this.lastSuccessMs = Date.now();
    } catch (error) {
      if (!this.error) this.log.warn({ err: error }, 'reading consumer lag from the broker failed');
      this.error = (error as Error).message;
      // Reconnect on the next poll: after an outage the old connection is of no use.
      this.connected = false;
      await this.admin.disconnect().catch(() => {});
    }
  }

  /**
   * down: the broker did not answer the last poll (or none for two intervals); degraded: a partition is stuck, with
   * the oldest stuck offset's age; ok otherwise.
   */
  health(now = Date.now()): ComponentHealth & { stuck: object[] } {
    const stale = now - this.lastSuccessMs > 2 * this.options.pollMs + 5_000;
    const stuck = [...this.partitions].flatMap(([topic, states]) =>
      [...states].flatMap(([partition, s]) => {
        const lag = s.end - s.committed;
        const forMs = now - s.movedAtMs;
        return lag > 0 && forMs >= this.options.stuckAfterMs
          ? [{ topic, partition, lag, committed_offset: s.committed, stuck_for_s: Math.round(forMs / 1000) }]
          : [];
      }),
    );
    const since = new Date(this.lastSuccessMs).toISOString();
    if (this.error || stale) return { status: 'down', error: `Kafka unreachable: ${this.error ?? 'no answer to lag queries'}`, last_answer_at: since, stuck };
    if (stuck.length) {
      return { status: 'degraded', oldest_stuck_age_s: Math.max(...stuck.map((s) => s.stuck_for_s)), stuck };
    }
    return { status: 'ok', stuck };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.polling;
    await this.admin.disconnect().catch(() => {});
  }
}
