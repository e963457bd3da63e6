import type { Producer } from 'kafkajs';
import type { Catalog } from '../core/catalog/load.ts';
import type { ClickHouse } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import type { HealthRegistry } from '../core/health.ts';
import type { IngestMetricsSnapshot } from '../core/ingest-metrics.ts';
import type { Logger } from '../core/logger.ts';
import { topics as contractTopics } from '../core/topics.ts';

/** What the HTTP app needs from the process it runs in. Every route plugin receives this one object. */
export interface ApiDependencies {
  config: Config;
  logger: Logger;
  health: HealthRegistry;
  clickhouse: ClickHouse;
  /** The validated product catalog the warranty rules evaluate against. */
  catalog: Catalog;
  /** A connected kafkajs producer: RMA events, telemetry and enrolments the API accepts go through it. */
  producer: Producer;
  /** Ingest counters when ingest runs in this process (`wearwatch up`); the standalone API has none. */
  ingestMetrics?: { snapshot(): IngestMetricsSnapshot };
  /** Topic names; tests point them at topics of their own. */
  topics?: Partial<ApiTopics>;
}

export type ApiTopics = Record<'telemetry' | 'enrollment' | 'rma', string>;

export const apiTopics = (deps: ApiDependencies): ApiTopics => ({
  telemetry: deps.topics?.telemetry ?? contractTopics.telemetry,
  enrollment: deps.topics?.enrollment ?? contractTopics.enrollment,
  rma: deps.topics?.rma ?? contractTopics.rma,
});
