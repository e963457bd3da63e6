import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rmaEventTypes, rmaNumber } from '../../core/contracts/rma.ts';
import { shippingInstructions, shippingInstructionsSchema } from '../../rma/instructions.ts';
import { reasonInfo, rmaProgress, rmaRequest } from '../../rma/service.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';
import { publicRoute } from '../rate-limit.ts';

const rmaDecision = z
  .object({
    rma_number: z.string(),
    serial: z.string(),
    decision: z.enum(['authorised', 'rejected']),
    reasons: z.array(reasonInfo).describe('why the request was refused; empty when authorised'),
    shipping: shippingInstructionsSchema.nullable().describe('what to do next; only for an authorised request'),
    status_url: z.string(),
  })
  .meta({ id: 'RmaDecision' });

const rmaStatus = rmaProgress
  .extend({
    events: z.array(
      z.object({
        type: z.enum(rmaEventTypes),
        at: z.string(),
        findings: z.array(z.string()),
        reasons: z.array(z.string()),
        replacement_serial: z.string().nullable(),
      }),
    ),
    shipping: shippingInstructionsSchema.nullable(),
  })
  .meta({ id: 'RmaStatus' });

/**
 * POST /v1/rma: an RMA request, pre-screened by the warranty rules. GET /v1/rma/{number}: its state, readable right
 * after the POST (see RmaStore for how).
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
      const result = await rma.submit(request.body, 'api');
      return reply.code(201).send({
        ...result,
        shipping: result.decision === 'authorised' ? shippingInstructions(deps.config) : null,
        status_url: `/v1/rma/${result.rma_number}`,
      });
    },
  );

  app.get(
    '/v1/rma/:number',
    {
      config: publicRoute,
      schema: {
        summary: 'State and history of an RMA (no contact details)',
        tags,
        params: z.object({ number: rmaNumber }),
        response: { 200: rmaStatus, ...errorResponses(400, 404, 429) },
      },
    },
    async (request) => {
      const { history: _private, ...view } = await rma.view(request.params.number);
      return { ...view, shipping: view.state === 'authorised' ? shippingInstructions(deps.config) : null };
    },
  );
};
