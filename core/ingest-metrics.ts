/** Counters of one consumed topic. `lag` is messages between the committed offsets and the end offsets, as the broker last reported them (ingest/lag-monitor.ts). */
export interface TopicCounters {
  consumed: number;
  written: number;
  dead_lettered: number;
  write_failures: number;
  lag: number;
  batches: number;
  last_batch_at: string | null;
}

export interface IngestMetricsSnapshot {
  topics: Record<string, TopicCounters>;
}

const empty = (): TopicCounters => ({ consumed: 0, written: 0, dead_lettered: 0, write_failures: 0, lag: 0, batches: 0, last_batch_at: null });

/**
 * Per-topic ingest counters. The consumers update them; /metrics renders `snapshot()`, which is plain data so the
 * renderer needs no knowledge of the consumers.
 */
export class IngestMetrics {
  private readonly topics = new Map<string, TopicCounters>();
  /** Lag per partition, summed into the topic's lag. */
  private readonly partitionLag = new Map<string, Map<number, number>>();

  private counters(topic: string): TopicCounters {
    let counters = this.topics.get(topic);
    if (!counters) {
      counters = empty();
      this.topics.set(topic, counters);
    }
    return counters;
  }

  /** Registers a topic so it is reported with zeros before its first message. */
  track(topic: string): void {
    this.counters(topic);
  }

  recordBatch(topic: string, batch: { consumed: number; written: number; deadLettered: number }): void {
    const c = this.counters(topic);
    c.consumed += batch.consumed;
    c.written += batch.written;
    c.dead_lettered += batch.deadLettered;
    c.batches += 1;
    c.last_batch_at = new Date().toISOString();
  }

  recordWriteFailure(topic: string): void {
    this.counters(topic).write_failures += 1;
  }

  recordLag(topic: string, partition: number, lag: number): void {
    let lags = this.partitionLag.get(topic);
    if (!lags) {
      lags = new Map();
      this.partitionLag.set(topic, lags);
    }
    lags.set(partition, Math.max(0, lag));
    this.counters(topic).lag = [...lags.values()].reduce((a, b) => a + b, 0);
  }

  snapshot(): IngestMetricsSnapshot {
    return { topics: Object.fromEntries([...this.topics].map(([topic, c]) => [topic, { ...c }])) };
  }
}
