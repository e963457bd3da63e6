import type { FastifyPluginAsync } from 'fastify';
import type { ApiDependencies } from '../dependencies.ts';

/**
 * GET /healthz: every component with its state (a report at most HEALTH_CACHE_MS old); 503 when any is not ok so load
 * balancers and scripts can rely on it.
 * GET /readyz: 200 once the API can serve its data (ClickHouse answers), 503 before; cheaper than /healthz and what
 * a load balancer should route on.
 * GET /livez: 200 while the process's event loop answers, asking nothing of Kafka or ClickHouse: a liveness probe, and
 * the API benchmark's floor (what the HTTP stack alone costs).
 */
export const healthRoutes: FastifyPluginAsync<ApiDependencies> = async (app, { health, clickhouse, config }) => {
  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    const report = await health.recentReport(config.HEALTH_CACHE_MS);
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });
  app.get('/livez', { schema: { hide: true } }, async () => ({ status: 'alive' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const ping = await clickhouse.client.ping();
    return ping.success ? reply.send({ status: 'ready' }) : reply.code(503).send({ status: 'not_ready', reason: `ClickHouse: ${String(ping.error?.message)}` });
  });
};
