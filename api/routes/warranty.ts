import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serial } from '../../core/contracts/common.ts';
import { notFound } from '../../core/errors.ts';
import { publicWarranty, toPublicWarranty } from '../../warranty/service.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';
import { publicRoute } from '../rate-limit.ts';

/** GET /v1/warranty/{serial}: the public warranty lookup (policy clause VI, Warranty Inquiry Portal). */
export const warrantyRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app) => {
  const { warranty } = app;
  app.get(
    '/v1/warranty/:serial',
    {
      config: publicRoute,
      schema: {
        summary: 'Warranty status, coverage dates and remaining TBW / P/E life of one serial number',
        tags: ['public'],
        params: z.object({ serial }),
        response: { 200: publicWarranty, ...errorResponses(400, 404, 429) },
      },
    },
    async (request) => {
      const evaluation = await warranty.lookup(request.params.serial);
      if (!evaluation) throw notFound(`serial ${request.params.serial}`);
      return toPublicWarranty(evaluation);
    },
  );
};
