import type { ComponentHealth } from '../core/health.ts';
import type { IngestMetrics } from '../core/ingest-metrics.ts';
import type { LagMonitor } from './lag-monitor.ts';
import type { TopicConsumer } from './topic-consumer.ts';

/**
 * Ingest as one health component. The consumers' own state (degraded while a write keeps failing, down once one has
 * stopped) is joined with what the broker says: down while it does not answer, degraded while a partition's committed
 * offset stands still behind its end.
 */
export function ingestHealth(consumers: readonly TopicConsumer[], lag: LagMonitor, metrics: IngestMetrics): ComponentHealth {
  const components = Object.fromEntries(consumers.map((c) => [c.pipeline.topic, c.state]));
  const states = consumers.map((c) => c.state.status);
  const broker = lag.health();
  const own = states.includes('degraded') ? 'degraded' : states.every((s) => s === 'ok') ? 'ok' : states.includes('stopped') ? 'down' : 'starting';
  const status = broker.status === 'down' || own === 'down' ? 'down' : broker.status === 'degraded' ? 'degraded' : own;
  const { status: _lagStatus, ...lagDetails } = broker;
  return { status, consumers: components, lag: lagDetails, metrics: metrics.snapshot().topics };
}
