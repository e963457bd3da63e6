import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rmaEventTypes, rmaNumber } from '../../core/contracts/rma.ts';
import { shippingInstructions, shippingInstructionsSchema } from '../../rma/instructions.ts';
import { proofStanding, reasonInfo, rmaProgress, rmaRequest } from '../../rma/service.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';
import { publicRoute } from '../rate-limit.ts';

const rmaDecision = z
  .object({
    rma_number: z.string(),
    serial: z.string(),
    decision: z.enum(['authorised', 'rejected']),
    reasons: z.array(reasonInfo).describe('why the request was refused; empty when authorised'),
    proof: proofStanding.nullable().describe('the proof of purchase given: the decision rests on it until the desk verifies it'),
    shipping: shippingInstructionsSchema.nullable().describe('what to do next; only for an authorised request'),
    status_url: z.string().describe('private link to the whole case (keep it): state, reasons, proof verification, history'),
  })
  .meta({ id: 'RmaDecision' });

const rmaStatus = rmaProgress
  .omit({ serial: true, reasons: true })
  .extend({
    next_step: z.string(),
    shipping: shippingInstructionsSchema.nullable(),
    serial: z.string().optional().describe('with the status token only'),
    reasons: z.array(reasonInfo).optional().describe('with the status token only'),
    proof: proofStanding.nullable().optional().describe('with the status token only'),
    events: z
      .array(
        z.object({
          type: z.enum(rmaEventTypes),
          at: z.string(),
          findings: z.array(z.string()),
          reasons: z.array(z.string()),
          replacement_serial: z.string().nullable(),
        }),
      )
      .optional()
      .describe('with the status token only'),
  })
  .meta({ id: 'RmaStatus' });

/**
 * POST /v1/rma: an RMA request, pre-screened by the warranty rules. GET /v1/rma/{number}: its state and next step;
 * with the request's status token (`?token=`, in the status_url) also its reasons, proof verification and history.
 * Readable right after the POST (see RmaStore for how).
 */
export const rmaRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  const { rma } = app;
  const tags = ['public'];

  app.post(
    '/v1/rma',
    {
      config: publicRoute,
      schema: {
        summary: 'Request an RMA: authorised with an RMA number and shipping instructions, or refused with the reasons',
        tags,
        body: rmaRequest,
        response: { 201: rmaDecision, ...errorResponses(400, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const { status_token, ...result } = await rma.submit(request.body, 'api');
      return reply.code(201).send({
        ...result,
        shipping: result.decision === 'authorised' ? shippingInstructions(deps.config) : null,
        status_url: `/v1/rma/${result.rma_number}?token=${status_token}`,
      });
    },
  );

  app.get(
    '/v1/rma/:number',
    {
      config: publicRoute,
      schema: {
        summary: 'State and next step of an RMA; its reasons, proof and history with the status token (never contact details)',
        tags,
        params: z.object({ number: rmaNumber }),
        querystring: z.object({ token: z.string().max(100).optional() }),
        response: { 200: rmaStatus, ...errorResponses(400, 404, 429) },
      },
    },
    async (request) => {
      const { history: _private, linked_rmas: _desk, serial, reasons, proof, events, ...view } = await rma.view(request.params.number);
      const shipping = view.state === 'authorised' ? shippingInstructions(deps.config) : null;
      const token = request.query.token;
      if (!token || !(await rma.tokenMatches(request.params.number, token))) return { ...view, shipping };
      return { ...view, shipping, serial, reasons, proof, events };
    },
  );
};
