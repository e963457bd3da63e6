import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serial } from '../../core/contracts/common.ts';
import { listQuarantine } from '../../telemetry/door.ts';
import { apiKeySecurity, requireRole } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';

const states = ['held', 'quarantined', 'attributed'] as const;

const kept = z
  .object({
    serial: z.string(),
    fleet_id: z.string(),
    collected_at: z.string(),
    state: z.enum(states),
    reason_code: z.string().describe('unenrolled, other_fleet, counter_rollback or implausible_instant'),
    reason: z.string(),
    sample: z.record(z.string(), z.unknown()).describe('the sample as it arrived, normalised'),
    quarantined_at: z.string(),
  })
  .meta({ id: 'KeptSample' });

/**
 * GET /v1/telemetry/quarantine: samples the telemetry door kept apart, newest first, for review. Admins see every
 * fleet's (including samples for serials nobody has enrolled yet); a fleet manager sees the samples sent for their fleets.
 */
export const telemetryQuarantineRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  app.get(
    '/v1/telemetry/quarantine',
    {
      preHandler: requireRole('admin', 'fleet_manager'),
      schema: {
        summary: 'Telemetry kept apart: held (serial not enrolled yet), quarantined (other fleet, rollback, implausible instant) or attributed',
        tags: ['ingest'],
        security: apiKeySecurity,
        querystring: z.object({
          serial: serial.optional(),
          state: z.enum(states).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ samples: z.array(kept) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const rows = await listQuarantine(deps.clickhouse.client, {
        fleets: principal.role === 'admin' ? undefined : principal.fleetIds,
        serial: request.query.serial,
        state: request.query.state,
        limit: request.query.limit,
      });
      return { samples: rows.map((r) => ({ ...r, state: r.state as (typeof states)[number], sample: JSON.parse(r.sample) as Record<string, unknown> })) };
    },
  );
};
