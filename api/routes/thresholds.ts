import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fleetId } from '../../core/contracts/common.ts';
import { ThresholdStore } from '../../fleet/threshold-store.ts';
import { thresholdsFrom } from '../../warranty/thresholds.ts';
import { apiKeySecurity, assertFleetAccess, requireRole } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';

const tags = ['fleet'];
const params = z.object({ fleetId });
const model = z.string().trim().min(1).max(128).nullable().default(null).describe('one catalog model; null = every model of the fleet');
const version = z
  .object({ fleet_id: z.string(), model: z.string().nullable(), version: z.number(), warn_pct: z.number(), critical_pct: z.number(), ending_days: z.number() })
  .loose()
  .meta({ id: 'FleetThresholds' });

/**
 * A fleet's own near-limit thresholds (percent of TBW or P/E for warn and critical, "warranty ending" days), for all
 * its models or per model, versioned with who and why. The next evaluation run applies them.
 */
export const thresholdRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  const store = new ThresholdStore(deps.clickhouse.client, deps.catalog);
  const defaults = thresholdsFrom(deps.config);
  const readers = { preHandler: requireRole('fleet_manager', 'quality', 'admin') };
  const managers = { preHandler: requireRole('fleet_manager', 'admin') };
  const who = (request: { principal?: { name: string; keyId: string } }) => `${request.principal!.name} (${request.principal!.keyId})`;

  app.get(
    '/v1/fleets/:fleetId/thresholds',
    {
      ...readers,
      schema: {
        summary: 'The thresholds in force for the fleet: the defaults and its own entries',
        tags,
        security: apiKeySecurity,
        params,
        response: {
          200: z.object({
            defaults: z.object({ warn_pct: z.number(), critical_pct: z.number(), ending_days: z.number() }),
            entries: z.array(version),
          }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      assertFleetAccess(request, request.params.fleetId);
      return {
        defaults: { warn_pct: defaults.warnPct, critical_pct: defaults.criticalPct, ending_days: defaults.endingDays },
        entries: await store.current(request.params.fleetId),
      };
    },
  );

  app.get(
    '/v1/fleets/:fleetId/thresholds/history',
    {
      ...readers,
      schema: {
        summary: "Every version of the fleet's thresholds, newest first, with who changed them and why",
        tags,
        security: apiKeySecurity,
        params,
        response: { 200: z.object({ versions: z.array(version) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      assertFleetAccess(request, request.params.fleetId);
      return { versions: await store.history(request.params.fleetId) };
    },
  );

  app.put(
    '/v1/fleets/:fleetId/thresholds',
    {
      ...managers,
      schema: {
        summary: 'Set the fleet’s thresholds for all its models (model null) or one model; applied from the next evaluation',
        tags,
        security: apiKeySecurity,
        params,
        body: z.object({
          model,
          warn_pct: z.number(),
          critical_pct: z.number(),
          ending_days: z.number(),
          reason: z.string().trim().max(500).default(''),
        }),
        response: { 200: version, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      assertFleetAccess(request, request.params.fleetId);
      const b = request.body;
      return store.put(
        request.params.fleetId,
        b.model,
        { warnPct: b.warn_pct, criticalPct: b.critical_pct, endingDays: b.ending_days },
        who(request),
        b.reason,
      );
    },
  );

  app.delete(
    '/v1/fleets/:fleetId/thresholds',
    {
      ...managers,
      schema: {
        summary: 'Remove the fleet’s entry for all models or one model (it falls back to the next entry or the defaults)',
        tags,
        security: apiKeySecurity,
        params,
        querystring: z.object({ model: z.string().trim().min(1).max(128).optional(), reason: z.string().trim().max(500).default('') }),
        response: { 200: version, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      assertFleetAccess(request, request.params.fleetId);
      return store.remove(request.params.fleetId, request.query.model ?? null, who(request), request.query.reason);
    },
  );
};
