import type { FastifyPluginAsync } from 'fastify';
import type { HealthRegistry } from '../../core/health.ts';

/** GET /healthz: every component with its state; 503 when any is not ok so load balancers and scripts can rely on it. */
export const healthRoutes: FastifyPluginAsync<{ health: HealthRegistry }> = async (app, { health }) => {
  app.get('/healthz', async (_request, reply) => {
    const report = await health.report();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });
};
