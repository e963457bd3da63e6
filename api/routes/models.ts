import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { modelInfo, modelTable } from '../../core/catalog/model-table.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { publicRoute } from '../rate-limit.ts';

/** GET /v1/models: every model with its TBW or P/E rating and warranty term (policy clause VI, transparency). */
export const modelRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  const models = modelTable(deps.catalog);
  app.get(
    '/v1/models',
    {
      config: publicRoute,
      schema: {
        summary: 'Every model with its TBW (SSD) or P/E (TF card) rating and warranty term',
        tags: ['public'],
        response: { 200: z.object({ models: z.array(modelInfo) }) },
      },
    },
    async () => ({ models }),
  );
};
