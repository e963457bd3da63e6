import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rmaEventTypes, rmaNumber } from '../../core/contracts/rma.ts';
import { proofStanding, rmaProgress, rmaStanding, supportStep } from '../../rma/service.ts';
import { apiKeySecurity, requireRole } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';

const queueItem = rmaStanding.extend({ events: z.number() });

const supportView = rmaProgress
  .extend({
    next_step: z.string(),
    proof: proofStanding.nullable().describe('the proof of purchase given with the request, and the desk verdict on it'),
    linked_rmas: z.array(z.string()).describe("the unit's other RMAs that were open when this one was requested"),
    history: z.array(
      z.object({
        event_id: z.string(),
        event_type: z.enum(rmaEventTypes),
        occurred_at: z.string(),
        findings: z.array(z.string()),
        reasons: z.array(z.string()),
        replacement_serial: z.string().nullable(),
        details: z.record(z.string(), z.unknown()).describe('contact, symptom and proof of purchase on the request; actor and note on desk steps'),
      }),
    ),
  })
  .meta({ id: 'RmaCase' });

/** Every state except closed: what the desk still has to act on. */
const openStates = rmaEventTypes.filter((s) => s !== 'closed');

/**
 * The support desk: the RMA queue, one case with the customer's details, and the lifecycle steps (received, inspected
 * with findings, repaired / replaced, rejected, closed), each checked against the state machine and emitted on
 * wearwatch.rma.v1.
 */
export const supportRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app) => {
  const { rma, rmaStore: store } = app;
  const access = { preHandler: requireRole('support', 'admin') };
  const tags = ['support'];
  const params = z.object({ number: rmaNumber });

  app.get(
    '/v1/support/rma',
    {
      ...access,
      schema: {
        summary: 'RMA queue: cases in the given states (default: every open state), least recently updated first',
        tags,
        security: apiKeySecurity,
        querystring: z.object({
          state: z
            .union([z.enum(rmaEventTypes), z.array(z.enum(rmaEventTypes))])
            .optional()
            .transform((s) => (s === undefined ? openStates : Array.isArray(s) ? s : [s])),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        }),
        response: { 200: z.object({ items: z.array(queueItem) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      // Lapsed authorisations are recorded first, so the queue never offers a unit that can no longer be received.
      await rma.expireLapsed();
      return { items: await store.queue(request.query.state, request.query.limit, request.query.offset) };
    },
  );

  app.get(
    '/v1/support/rma/:number',
    {
      ...access,
      schema: {
        summary: 'One RMA case with its full history',
        tags,
        security: apiKeySecurity,
        params,
        response: { 200: supportView, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { events: _public, ...view } = await rma.view(request.params.number);
      return view;
    },
  );

  app.post(
    '/v1/support/rma/:number/events',
    {
      ...access,
      schema: {
        summary:
          'Record the next step of an RMA, or the verdict on the proof of purchase given with it (a rejected proof decides the claim again from the manufacturing date); 409 when not legal in its current state',
        tags,
        security: apiKeySecurity,
        params,
        body: supportStep,
        response: { 200: supportView, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { events: _public, ...view } = await rma.advance(request.params.number, request.body, `${request.principal!.name} (${request.principal!.keyId})`);
      return view;
    },
  );
};
