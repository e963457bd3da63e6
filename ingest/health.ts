import type { ComponentHealth } from '../core/health.ts';
import type { IngestMetrics } from '../core/ingest-metrics.ts';
import type { TopicConsumer } from './topic-consumer.ts';

/** Ingest as one health component: degraded if any consumer is, ok when all are, down once one has stopped. */
export function consumersHealth(consumers: readonly TopicConsumer[], metrics: IngestMetrics): ComponentHealth {
  const components = Object.fromEntries(consumers.map((c) => [c.pipeline.topic, c.state]));
  const states = consumers.map((c) => c.state.status);
  const status = states.includes('degraded') ? 'degraded' : states.every((s) => s === 'ok') ? 'ok' : states.includes('stopped') ? 'down' : 'starting';
  return { status, consumers: components, metrics: metrics.snapshot().topics };
}
