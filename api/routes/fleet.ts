import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { alertFlags } from '../../core/contracts/alert.ts';
import { fleetId, serial } from '../../core/contracts/common.ts';
import { badRequest, notFound } from '../../core/errors.ts';
import { sendInBatches } from '../../core/kafka.ts';
import { csvItems, toEnrollment } from '../../fleet/enrollment.ts';
import { wearLevels } from '../../fleet/queries.ts';
import { currentFlags } from '../../warranty/queries.ts';
import { warrantyStatuses } from '../../warranty/rules.ts';
import { apiKeySecurity, assertFleetAccess, requireRole } from '../auth.ts';
import { batchResult, claimedSerial, type ItemResult, summarize } from '../batch-result.ts';
import { type ApiDependencies, apiTopics } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';

const tags = ['fleet'];
const fleetParams = z.object({ fleetId });
const driveParams = z.object({ fleetId, serial });
const isoInstant = z.iso.datetime({ offset: true });

const driveRow = z
  .object({
    serial: z.string(),
    model: z.string(),
    kind: z.enum(['ssd', 'tf']).nullable(),
    purchase_date: z.string().nullable(),
    enrolled_at: z.string(),
    last_seen: z.string().nullable(),
    firmware: z.string().nullable(),
    host_bytes_written: z
      .union([z.number(), z.string().regex(/^\d+$/)])
      .nullable()
      .describe('exact; a decimal string when above 2^53 - 1'),
    avg_pe_cycles: z.number().nullable(),
    temperature_c: z.number().nullable(),
    temp_out_of_range: z.coerce.boolean(),
    wear_pct: z.number().nullable().describe('percent of the TBW (SSD) or P/E (TF) rating used'),
    wear_level: z.enum(wearLevels).describe("by the fleet's thresholds once evaluated, the configured defaults before"),
    flags: z.array(z.string()).describe('flags raised by the latest evaluation'),
    warranty_status: z.string().nullable().describe('from the latest bulk evaluation; null until the unit has been evaluated'),
    coverage_end: z.string().nullable(),
    evaluated_on: z.string().nullable(),
  })
  .meta({ id: 'FleetDrive' });

/**
 * Fleet views for fleet managers (their fleets only), quality engineers and admins (all fleets). Every route names the
 * fleet in its path; a fleet or drive the key may not see answers 404 exactly like one that does not exist.
 */
export const fleetRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  const { config, clickhouse, producer } = deps;
  const { fleets, warranty, rmaStore: rma } = app;
  const readers = { preHandler: requireRole('fleet_manager', 'quality', 'admin') };
  const writers = { preHandler: requireRole('fleet_manager', 'admin') };

  app.get(
    '/v1/fleets',
    {
      ...readers,
      schema: {
        summary: 'Fleets this key may see, with their number of enrolled drives',
        tags,
        security: apiKeySecurity,
        response: { 200: z.object({ fleets: z.array(z.object({ fleet_id: z.string(), drives: z.number() })) }), ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const p = request.principal!;
      return { fleets: await fleets.fleets(p.role === 'fleet_manager' ? p.fleetIds : undefined) };
    },
  );

  app.get(
    '/v1/fleets/:fleetId/summary',
    {
      ...readers,
      schema: {
        summary: 'Fleet summary: drives, wear levels, warranty statuses, per-model figures',
        tags,
        security: apiKeySecurity,
        params: fleetParams,
        response: { 200: z.object({ fleet_id: z.string() }).loose(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      assertFleetAccess(request, request.params.fleetId);
      const summary = await fleets.summary(request.params.fleetId);
      if (Number(summary.totals.drives) === 0) throw notFound(`fleet ${request.params.fleetId}`);
      return { fleet_id: request.params.fleetId, thresholds_pct: { warn: config.WEARWATCH_WARN_PCT, critical: config.WEARWATCH_CRITICAL_PCT }, ...summary };
    },
  );

  app.get(
    '/v1/fleets/:fleetId/drives',
    {
      ...readers,
      schema: {
        summary: 'Drives of a fleet, most worn first; search by serial, filter by warranty status, flag, near TBW / P/E limit, wear level or model',
        tags,
        security: apiKeySecurity,
        params: fleetParams,
        querystring: z.object({
          status: z.enum(warrantyStatuses).optional(),
          near: z.enum(['tbw', 'pe']).optional().describe('only drives at or past the warning threshold of this rating'),
          level: z.enum(wearLevels).optional(),
          model: z.string().trim().min(1).max(128).optional(),
          flag: z.enum(alertFlags).optional(),
          q: z.string().trim().min(1).max(64).optional().describe('serial contains this text'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
        }),
        response: { 200: z.object({ fleet_id: z.string(), total: z.number(), drives: z.array(driveRow) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      assertFleetAccess(request, request.params.fleetId);
      const page = await fleets.drives(request.params.fleetId, request.query);
      return { fleet_id: request.params.fleetId, ...page };
    },
  );

  app.get(
    '/v1/fleets/:fleetId/flags',
    {
      ...readers,
      schema: {
        summary:
          'Near-limit flags of a fleet raised by the latest successful warranty evaluation (near TBW / P/E, wear-out before coverage ends, coverage ending, temperature review)',
        tags,
        security: apiKeySecurity,
        params: fleetParams,
        querystring: z.object({
          flag: z.enum(alertFlags).optional(),
          limit: z.coerce.number().int().min(1).max(10_000).default(1000),
        }),
        response: {
          200: z.object({
            fleet_id: z.string(),
            flags: z.array(
              z.object({ serial: z.string(), flag: z.string(), level: z.string(), value: z.number(), threshold: z.number(), snapshot_date: z.string() }),
            ),
          }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const fleet = request.params.fleetId;
      assertFleetAccess(request, fleet);
      const flags = await currentFlags(clickhouse.client, { fleetId: fleet, flag: request.query.flag, limit: request.query.limit });
      return { fleet_id: fleet, flags: flags.map(({ fleet_id: _, ...f }) => f) };
    },
  );

  /** 404 unless the drive is enrolled in the fleet the (permitted) key names. */
  const assertDrive = async (fleet: string, unit: string) => {
    if (!(await fleets.driveInFleet(fleet, unit))) throw notFound(`drive ${unit} in fleet ${fleet}`);
  };

  app.get(
    '/v1/fleets/:fleetId/drives/:serial',
    {
      ...readers,
      schema: {
        summary: 'One drive: its full warranty evaluation (including liability cap) and RMA history',
        tags,
        security: apiKeySecurity,
        params: driveParams,
        response: {
          200: z.object({ serial: z.string(), warranty: z.record(z.string(), z.unknown()), rma: z.array(z.record(z.string(), z.unknown())) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { fleetId: fleet, serial: unit } = request.params;
      assertFleetAccess(request, fleet);
      await assertDrive(fleet, unit);
      const [evaluation, history] = await Promise.all([warranty.evaluate(unit), rma.forSerial(unit)]);
      if (!evaluation) throw notFound(`drive ${unit} in fleet ${fleet}`);
      return { serial: unit, warranty: { ...evaluation }, rma: history.map(({ details: _contact, ...e }) => ({ ...e })) };
    },
  );

  app.get(
    '/v1/fleets/:fleetId/drives/:serial/telemetry',
    {
      ...readers,
      schema: {
        summary: 'Telemetry history of one drive, newest first',
        tags,
        security: apiKeySecurity,
        params: driveParams,
        querystring: z.object({
          from: isoInstant.optional(),
          to: isoInstant.optional(),
          limit: z.coerce.number().int().min(1).max(10_000).default(500),
        }),
        response: { 200: z.object({ serial: z.string(), samples: z.array(z.record(z.string(), z.unknown())) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { fleetId: fleet, serial: unit } = request.params;
      assertFleetAccess(request, fleet);
      await assertDrive(fleet, unit);
      return { serial: unit, samples: await fleets.telemetry(fleet, unit, request.query) };
    },
  );

  app.post(
    '/v1/fleets/:fleetId/enrollments',
    {
      ...writers,
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        summary: 'Bulk enrolment: JSON {"drives": [...]} or text/csv with a header line; each drive is accepted or rejected with reasons',
        tags,
        security: apiKeySecurity,
        params: fleetParams,
        body: z.union([z.object({ drives: z.array(z.unknown()).min(1).max(10_000) }), z.string().max(8 * 1024 * 1024)]),
        response: { 202: batchResult, ...errorResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const fleet = request.params.fleetId;
      const principal = assertFleetAccess(request, fleet);
      const body = request.body;
      const items = typeof body === 'string' ? csvItems(body) : body.drives;
      if (typeof items === 'string') throw badRequest(`CSV: ${items}`, [{ field: 'body', message: items }]);
      if (items.length === 0 || items.length > 10_000) throw badRequest('send 1 to 10000 drives', [{ field: 'body', message: 'send 1 to 10000 drives' }]);
      const now = new Date();
      const checked = items.map((item) => toEnrollment(item, fleet, now));
      const serials = checked.flatMap((c) => (c.ok ? [c.value.serial] : []));
      const owners = await fleets.enrolledFleets(serials);
      const results: ItemResult[] = checked.map((c, index) => {
        if (!c.ok) return { index, serial: claimedSerial(items[index]), status: 'rejected', reasons: [c.reason] };
        const owner = owners.get(c.value.serial);
        // Only an admin moves a drive between fleets; a fleet manager cannot take over another tenant's drive.
        if (owner && owner !== fleet && principal.role !== 'admin') {
          return { index, serial: c.value.serial, status: 'rejected', reasons: ['serial: this drive cannot be enrolled in this fleet'] };
        }
        return { index, serial: c.value.serial, status: 'accepted', reasons: [] };
      });
      const accepted = checked.flatMap((c, i) => (c.ok && results[i]!.status === 'accepted' ? [c.value] : []));
      if (accepted.length) {
        await sendInBatches(producer, {
          topic: apiTopics(deps).enrollment,
          acks: -1,
          messages: accepted.map((e) => ({ key: e.serial, value: JSON.stringify(e) })),
        });
      }
      return reply.code(202).send(summarize(results));
    },
  );
};
