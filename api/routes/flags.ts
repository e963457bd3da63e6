import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { alertFlags } from '../../core/contracts/alert.ts';
import { fleetId, serial } from '../../core/contracts/common.ts';
import { badRequest, WearwatchError } from '../../core/errors.ts';
import { AckStore } from '../../notifications/ack-store.ts';
import { alertLevels } from '../../notifications/channel.ts';
import { flagInbox, flagStates } from '../../notifications/inbox.ts';
import { apiKeySecurity, assertFleetAccess, requireRole } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';

const tags = ['fleet'];
const flagParams = z.object({ fleetId, serial, flag: z.enum(alertFlags) });
const reason = z.string().trim().min(1).max(500);
const inboxFlag = z
  .object({ serial: z.string(), flag: z.string(), level: z.string(), state: z.enum(flagStates), raised_at: z.string().nullable() })
  .loose()
  .meta({ id: 'InboxFlag' });

/**
 * The flags inbox and acknowledging / snoozing a raised flag. An acknowledgement holds until the flag changes level or
 * clears; a snooze until its date. Both record who (the API key's name) and why, and silence notifications.
 */
export const flagRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  const { client } = deps.clickhouse;
  const acks = new AckStore(client);
  const readers = { preHandler: requireRole('fleet_manager', 'quality', 'admin') };
  const managers = { preHandler: requireRole('fleet_manager', 'admin') };

  app.get(
    '/v1/fleets/:fleetId/inbox',
    {
      ...readers,
      schema: {
        summary: 'Flags raised by the latest evaluation with their state (open, acknowledged, snoozed), most urgent first',
        tags,
        security: apiKeySecurity,
        params: z.object({ fleetId }),
        querystring: z.object({
          state: z.enum(flagStates).optional(),
          flag: z.enum(alertFlags).optional(),
          level: z.enum(alertLevels).optional(),
          serial: serial.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(50),
          offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
        }),
        response: { 200: z.object({ total: z.number(), flags: z.array(inboxFlag) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      assertFleetAccess(request, request.params.fleetId);
      return flagInbox(client, request.params.fleetId, request.query);
    },
  );

  /** The flag as the inbox shows it now; 409 when the latest evaluation does not raise it. */
  const raised = async (fleet: string, unit: string, flag: string) => {
    const { flags } = await flagInbox(client, fleet, { serial: unit, flag, limit: 1, offset: 0 });
    if (!flags[0]) throw new WearwatchError('WW_FLAG_NOT_RAISED', `${flag} is not raised on drive ${unit} in fleet ${fleet}`);
    return flags[0];
  };
  const who = (request: { principal?: { name: string; keyId: string } }) => `${request.principal!.name} (${request.principal!.keyId})`;

  app.post(
    '/v1/fleets/:fleetId/drives/:serial/flags/:flag/acknowledge',
    {
      ...managers,
      schema: {
        summary: 'Acknowledge a raised flag: no notifications for it until it changes level or clears',
        tags,
        security: apiKeySecurity,
        params: flagParams,
        body: z.object({ reason }),
        response: { 200: inboxFlag, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { fleetId: fleet, serial: unit, flag } = request.params;
      assertFleetAccess(request, fleet);
      const current = await raised(fleet, unit, flag);
      const at = new Date().toISOString();
      await acks.record({
        fleet_id: fleet,
        serial: unit,
        flag,
        kind: 'ack',
        level: current.level,
        until: null,
        by: who(request),
        reason: request.body.reason,
        at,
      });
      return raised(fleet, unit, flag);
    },
  );

  app.post(
    '/v1/fleets/:fleetId/drives/:serial/flags/:flag/snooze',
    {
      ...managers,
      schema: {
        summary: 'Snooze a raised flag until a date: no notifications for it until then, whatever its level',
        tags,
        security: apiKeySecurity,
        params: flagParams,
        body: z.object({ until: z.iso.datetime({ offset: true }), reason }),
        response: { 200: inboxFlag, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { fleetId: fleet, serial: unit, flag } = request.params;
      assertFleetAccess(request, fleet);
      const until = new Date(request.body.until);
      const now = Date.now();
      if (until.getTime() <= now || until.getTime() > now + 366 * 86_400_000) {
        throw badRequest('until must be in the future and at most a year ahead', [{ field: 'body.until', message: 'a future instant at most a year ahead' }]);
      }
      const current = await raised(fleet, unit, flag);
      await acks.record({
        fleet_id: fleet,
        serial: unit,
        flag,
        kind: 'snooze',
        level: current.level,
        until: until.toISOString(),
        by: who(request),
        reason: request.body.reason,
        at: new Date().toISOString(),
      });
      return raised(fleet, unit, flag);
    },
  );

  app.delete(
    '/v1/fleets/:fleetId/drives/:serial/flags/:flag/acknowledgement',
    {
      ...managers,
      schema: {
        summary: 'Lift an acknowledgement or snooze: the flag notifies again on its next change',
        tags,
        security: apiKeySecurity,
        params: flagParams,
        response: { 204: z.null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { fleetId: fleet, serial: unit, flag } = request.params;
      assertFleetAccess(request, fleet);
      await acks.record({
        fleet_id: fleet,
        serial: unit,
        flag,
        kind: 'lifted',
        level: '',
        until: null,
        by: who(request),
        reason: '',
        at: new Date().toISOString(),
      });
      return reply.code(204).send(null);
    },
  );
};
