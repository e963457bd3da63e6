import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { type ClickHouse, openClickHouse } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { HealthRegistry } from '../core/health.ts';
import { createKafka, ensureTopics } from '../core/kafka.ts';
import type { Logger } from '../core/logger.ts';
import { migrate } from '../infra/clickhouse/migrate.ts';
import { LocalKafkaBroker } from '../infra/kafka/local-broker.ts';

/** Resolves true when `work` settles within `ms` (undefined: no limit), false when the time runs out first. */
async function withinMs(work: Promise<void>, ms: number | undefined): Promise<boolean> {
  if (ms === undefined) return work.then(() => true);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Something the running process must stop on shutdown, in reverse order of starting. */
export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

export interface KafkaConnection {
  kafka: Kafka;
  brokers: string[];
  mode: 'local' | 'external';
}

/** A System whose named parts are started: components take one instead of checking optional fields again. */
export type Started<K extends 'clickhouse' | 'kafka' = 'clickhouse' | 'kafka'> = System & { [P in K]-?: NonNullable<System[P]> };

/**
 * The parts one wearwatch process shares: configuration, logger, ClickHouse, Kafka and the health registry. Commands
 * build the subset they need; `up` builds all of it, and later components (ingest, processors, API) attach here.
 */
export class System {
  readonly health = new HealthRegistry();
  private readonly stoppables: Stoppable[] = [];
  private stopping?: Promise<void>;
  clickhouse?: ClickHouse;
  kafka?: KafkaConnection;

  constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly progress: (line: string) => void = (line) => logger.info(line),
  ) {}

  onStop(stoppable: Stoppable): void {
    this.stoppables.push(stoppable);
  }

  /** Opens ClickHouse (embedded chDB or server) and applies pending migrations. */
  async startClickHouse(options: { migrate?: boolean } = {}): Promise<ClickHouse> {
    this.progress(this.config.CLICKHOUSE_URL ? `connecting to ClickHouse at ${this.config.CLICKHOUSE_URL}` : 'opening embedded ClickHouse (chDB)');
    const clickhouse = await openClickHouse(this.config);
    this.clickhouse = clickhouse;
    this.onStop({ name: 'clickhouse', stop: () => clickhouse.close() });
    this.health.register('clickhouse', async () => {
      const ping = await clickhouse.client.ping();
      return ping.success
        ? { status: 'ok', mode: clickhouse.mode, location: clickhouse.location }
        : { status: 'down', mode: clickhouse.mode, location: clickhouse.location, error: String(ping.error?.message) };
    });
    if (options.migrate !== false) {
      const { applied } = await migrate(clickhouse.client, { progress: this.progress, cluster: clickhouse.cluster });
      this.progress(applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
    }
    return clickhouse;
  }

  /** Connects to KAFKA_BROKERS, or starts the local broker, then creates the contract topics. */
  async startKafka(): Promise<KafkaConnection> {
    let brokers: string[];
    let mode: KafkaConnection['mode'];
    if (this.config.KAFKA_BROKERS) {
      brokers = this.config.KAFKA_BROKERS.split(',');
      mode = 'external';
      this.progress(`using Kafka cluster ${brokers.join(',')}`);
    } else {
      const broker = new LocalKafkaBroker({
        dataDir: join(this.config.WEARWATCH_DATA, 'kafka'),
        cacheDir: this.config.WEARWATCH_CACHE,
        port: this.config.KAFKA_PORT,
        partitions: this.config.KAFKA_PARTITIONS,
        progress: this.progress,
      });
      // Registered before start so a start that fails half-way still stops the JVM.
      this.onStop({ name: 'kafka broker', stop: () => broker.stop() });
      await broker.start();
      brokers = broker.brokers;
      mode = 'local';
    }
    const kafka = createKafka(this.config, brokers, this.logger);
    const created = await ensureTopics(kafka, this.config.KAFKA_PARTITIONS);
    if (created.length) this.progress(`created topics ${created.join(', ')}`);

    const admin = kafka.admin();
    await admin.connect();
    this.onStop({ name: 'kafka admin', stop: () => admin.disconnect() });
    this.health.register('kafka', async () => {
      const cluster = await admin.describeCluster();
      return { status: 'ok', mode, brokers: cluster.brokers.map((b) => `${b.host}:${b.port}`) };
    });
    this.kafka = { kafka, brokers, mode };
    return this.kafka;
  }

  /** Starts Kafka and ClickHouse side by side; the first failure is thrown once both have settled. */
  async start(options: { migrate?: boolean } = {}): Promise<Started> {
    const results = await Promise.allSettled([this.startKafka(), this.startClickHouse(options)]);
    for (const result of results) if (result.status === 'rejected') throw result.reason;
    return this as Started;
  }

  /**
   * Stops everything in reverse order; safe to call more than once. With a `deadline` (epoch ms) a part that does not
   * stop in the remaining time less a second for each part after it is left behind with a warning, so the parts after
   * it (closing ClickHouse) still run and the whole stop ends by the deadline.
   */
  stop(deadline?: number): Promise<void> {
    this.stopping ??= (async () => {
      const parts = [...this.stoppables].reverse();
      for (const [i, stoppable] of parts.entries()) {
        const share = deadline === undefined ? undefined : Math.max(500, deadline - Date.now() - 1_000 * (parts.length - i - 1));
        try {
          const stopped = await withinMs(stoppable.stop(), share);
          if (!stopped) this.logger.warn(`stopping ${stoppable.name} took longer than ${Math.round(share!)} ms; going on without it`);
        } catch (error) {
          this.logger.warn({ err: error }, `stopping ${stoppable.name} failed`);
        }
      }
    })();
    return this.stopping;
  }
}
