import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { decodeEnrollment, decodeRma, decodeTelemetry, driveLayout, rmaLayout, type TelemetryRow, telemetryLayout } from '../core/contracts/rows.ts';
import type { Logger } from '../core/logger.ts';
import { topics } from '../core/topics.ts';
import { plausibilityRules } from '../telemetry/plausibility.ts';
import { insertCompact } from './batch-writer.ts';
import { enrollmentDoor, rmaDoor, telemetryDoor, telemetryWriter } from './doors.ts';
import type { TopicPipeline } from './topic-consumer.ts';

export type TopicFamily = TopicPipeline['family'];

export interface PipelineOptions {
  /** Topic per family; defaults to the contract topics (core/topics.ts). */
  topics?: Partial<Record<TopicFamily, string>>;
  /** Families to consume; default all three. */
  families?: TopicFamily[];
}

export interface PipelineDeps {
  client: ClickHouseClient;
  config: Pick<Config, 'TELEMETRY_FUTURE_SKEW_HOURS' | 'TELEMETRY_COUNTER_TOLERANCE_PCT'>;
  logger: Logger;
}

/** The telemetry table's PARTITION BY toYYYYMM(collected_at), from the row's ISO instant. */
const monthOf = (row: object) => (row as TelemetryRow).collected_at.slice(0, 7);

/** The topic families ingest consumes: each topic's table, columns, decoder and the door its rows pass. */
export function pipelines({ client, config, logger }: PipelineDeps, options: PipelineOptions = {}): TopicPipeline[] {
  const topic = (family: TopicFamily) => options.topics?.[family] ?? topics[family];
  const rules = plausibilityRules(config);
  const log = logger.child({ component: 'ingest' });
  const write = telemetryWriter((rows) => insertCompact(client, 'telemetry', telemetryLayout, rows), monthOf);
  const all: TopicPipeline[] = [
    {
      family: 'telemetry',
      topic: topic('telemetry'),
      table: 'telemetry',
      layout: telemetryLayout,
      decode: decodeTelemetry,
      partitionOf: monthOf,
      door: telemetryDoor(client, rules, write, log),
    },
    {
      family: 'enrollment',
      topic: topic('enrollment'),
      table: 'drives',
      layout: driveLayout,
      decode: decodeEnrollment,
      door: enrollmentDoor(client, rules, write, log),
    },
    { family: 'rma', topic: topic('rma'), table: 'rma_events', layout: rmaLayout, decode: decodeRma, door: rmaDoor(rules) },
  ];
  return options.families ? all.filter((p) => options.families!.includes(p.family)) : all;
}
