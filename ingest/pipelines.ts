import { decodeEnrollment, decodeRma, decodeTelemetry, driveColumns, rmaColumns, telemetryColumns } from '../core/contracts/rows.ts';
import { topics } from '../core/topics.ts';
import type { TopicPipeline } from './topic-consumer.ts';

export type TopicFamily = TopicPipeline['family'];

export interface PipelineOptions {
  /** Topic per family; defaults to the contract topics (core/topics.ts). */
  topics?: Partial<Record<TopicFamily, string>>;
  /** Families to consume; default all three. */
  families?: TopicFamily[];
}

/** The topic families ingest consumes: each topic's table, columns and decoder. */
export function pipelines(options: PipelineOptions = {}): TopicPipeline[] {
  const topic = (family: TopicFamily) => options.topics?.[family] ?? topics[family];
  const all: TopicPipeline[] = [
    { family: 'telemetry', topic: topic('telemetry'), table: 'telemetry', columns: telemetryColumns, decode: decodeTelemetry },
    { family: 'enrollment', topic: topic('enrollment'), table: 'drives', columns: driveColumns, decode: decodeEnrollment },
    { family: 'rma', topic: topic('rma'), table: 'rma_events', columns: rmaColumns, decode: decodeRma },
  ];
  return options.families ? all.filter((p) => options.families!.includes(p.family)) : all;
}
