import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serial } from '../../core/contracts/common.ts';
import { notFound } from '../../core/errors.ts';
import { ownerWarranty, publicWarranty, toOwnerWarranty, toPublicWarranty } from '../../warranty/service.ts';
import { canSeeFleet, optionalPrincipal } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';
import { publicRoute } from '../rate-limit.ts';

/** Roles that may see a unit's service history when their key sees its fleet. */
const ownerRoles = new Set(['fleet_manager', 'support', 'admin']);

/**
 * GET /v1/warranty/{serial}: the public warranty lookup (policy clause VI, Warranty Inquiry Portal). With the key of
 * the unit's owner (a fleet manager of its fleet) or of the desk, the answer adds `owner`: findings, replacement serials
 * and the liability cap.
 */
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
        response: { 200: publicWarranty.extend({ owner: ownerWarranty.optional() }), ...errorResponses(400, 404, 429) },
      },
    },
    async (request) => {
      const evaluation = await warranty.lookup(request.params.serial);
      if (!evaluation) throw notFound(`serial ${request.params.serial}`);
      const principal = await optionalPrincipal(app, request);
      const owner = principal && ownerRoles.has(principal.role) && evaluation.fleet_id !== null && canSeeFleet(principal, evaluation.fleet_id);
      return owner ? { ...toPublicWarranty(evaluation), owner: toOwnerWarranty(evaluation) } : toPublicWarranty(evaluation);
    },
  );
};
