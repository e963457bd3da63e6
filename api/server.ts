import Fastify, { LogController } from 'fastify';
import type { HealthRegistry } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import { healthRoutes } from './routes/health.ts';

export interface ApiDependencies {
  logger: Logger;
  health: HealthRegistry;
}

/** Builds the HTTP app without listening, so tests drive it with inject() and `up` serves it. */
export async function buildServer(deps: ApiDependencies) {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }),
    // A line per request would dominate the log (and its cost) at portal traffic; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });
  await app.register(healthRoutes, { health: deps.health });
  return app;
}

export type ApiServer = Awaited<ReturnType<typeof buildServer>>;
