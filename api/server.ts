import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { LogController } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { WearwatchError } from '../core/errors.ts';
import { AuthFailureLimiter } from './auth-failures.ts';
import type { ApiDependencies } from './dependencies.ts';
import { clientErrorHandler, frameworkErrors, registerErrorHandling } from './errors.ts';
import { RequestMetrics } from './request-metrics.ts';
import { adminKeyRoutes } from './routes/admin-keys.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { docsRoutes } from './routes/docs.ts';
import { flagRoutes } from './routes/flags.ts';
import { fleetRoutes } from './routes/fleet.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { modelRoutes } from './routes/models.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { pageRoutes } from './routes/pages.ts';
import { registrationRoutes } from './routes/registration.ts';
import { rmaRoutes } from './routes/rma.ts';
import { supportRoutes } from './routes/support.ts';
import { telemetryGatewayRoutes } from './routes/telemetry-gateway.ts';
import { telemetryQuarantineRoutes } from './routes/telemetry-quarantine.ts';
import { thresholdRoutes } from './routes/thresholds.ts';
import { warrantyRoutes } from './routes/warranty.ts';
import { services } from './services.ts';

export type { ApiDependencies } from './dependencies.ts';

declare module 'fastify' {
  interface FastifyInstance {
    requestMetrics: RequestMetrics;
  }
}

/**
 * Builds the HTTP app without listening, so tests drive it with inject() and `up` serves it. Each concern is one route
 * plugin taking the same dependencies: adding one is one `register` line below.
 */
export async function buildServer(deps: ApiDependencies) {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }),
    // A line per request would dominate the log (and its cost) at portal traffic; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.config.API_TRUST_PROXY,
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  app.decorate('authFailures', new AuthFailureLimiter(deps.config.API_RATE_LIMIT));
  app.decorate('requestMetrics', new RequestMetrics());
  await app.register(services, deps);
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, so one serial does not become one time series.
    app.requestMetrics.observe(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, body, done) => done(null, body));

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'wearwatch API',
        version: '1',
        description:
          'Warranty lookup, RMA requests, fleet views, the support desk queue and the telemetry gateway. Errors are JSON `{ error: { code, message, fields? } }`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'wwk_… key from `wearwatch keys create`' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  // Public routes opt in with `config: publicRoute`; every other route is on the allow list.
  await app.register(rateLimit, {
    global: true,
    max: deps.config.API_RATE_LIMIT,
    timeWindow: 60_000,
    allowList: (request) => request.routeOptions.config?.publicRoute !== true,
    errorResponseBuilder: (_request, context) =>
      new WearwatchError('WW_RATE_LIMITED', `too many requests from this client: limit ${context.max} per minute, retry in ${context.after}`),
  });
  await app.register(formbody, { bodyLimit: 64 * 1024 });

  await app.register(healthRoutes, deps);
  await app.register(metricsRoutes, deps);
  await app.register(docsRoutes, deps);
  await app.register(warrantyRoutes, deps);
  await app.register(modelRoutes, deps);
  await app.register(rmaRoutes, deps);
  await app.register(supportRoutes, deps);
  await app.register(registrationRoutes, deps);
  await app.register(fleetRoutes, deps);
  await app.register(flagRoutes, deps);
  await app.register(thresholdRoutes, deps);
  await app.register(notificationRoutes, deps);
  await app.register(telemetryGatewayRoutes, deps);
  await app.register(telemetryQuarantineRoutes, deps);
  await app.register(adminKeyRoutes, deps);
  await app.register(pageRoutes, deps);
  await app.register(analyticsRoutes, deps);
  return app;
}

export type ApiServer = Awaited<ReturnType<typeof buildServer>>;
