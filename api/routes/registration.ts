import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { productRegistration } from '../../fleet/registration.ts';
import { apiKeySecurity, requireRole } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';
import { publicRoute } from '../rate-limit.ts';

/**
 * POST /v1/registrations: a retail customer registers a unit bought in a shop (then it can be looked up and claimed);
 * a serial enrolled already answers 409 and waits for the desk (GET /v1/support/registrations/conflicts).
 */
export const registrationRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app) => {
  const { registrations } = app;

  app.post(
    '/v1/registrations',
    {
      config: publicRoute,
      schema: {
        summary: 'Register a product bought in a shop: serial, catalog model, proof of purchase, contact',
        tags: ['public'],
        body: productRegistration,
        response: {
          201: z.object({ serial: z.string(), status: z.literal('registered'), warranty_url: z.string() }).meta({ id: 'Registration' }),
          ...errorResponses(400, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const { serial } = await registrations.register(request.body);
      return reply.code(201).send({ serial, status: 'registered' as const, warranty_url: `/v1/warranty/${serial}` });
    },
  );

  app.get(
    '/v1/support/registrations/conflicts',
    {
      preHandler: requireRole('support', 'admin'),
      schema: {
        summary: 'Registrations that named a serial enrolled already, newest first, with the registering contact',
        tags: ['support'],
        security: apiKeySecurity,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: {
          200: z.object({
            items: z.array(z.object({ received_at: z.string(), serial: z.string(), model: z.string(), enrolled_fleet: z.string(), registration: z.string() })),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => ({ items: await registrations.conflicts(request.query.limit) }),
  );
};
