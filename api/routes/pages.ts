import { readFileSync } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { modelTable as catalogModels } from '../../core/catalog/model-table.ts';
import { serial } from '../../core/contracts/common.ts';
import { rmaNumber } from '../../core/contracts/rma.ts';
import { WearwatchError } from '../../core/errors.ts';
import { productRegistration } from '../../fleet/registration.ts';
import { shippingInstructions } from '../../rma/instructions.ts';
import { rmaRequest } from '../../rma/service.ts';
import { toPublicWarranty } from '../../warranty/service.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { fieldProblems } from '../errors.ts';
import { registerFleetPages } from '../pages/fleet/pages.ts';
import { html, notice, sendPage } from '../pages/layout.ts';
import {
  lookupForm,
  modelTable,
  problemSummary,
  type RegisterFormValues,
  type RmaFormValues,
  registerForm,
  rmaForm,
  rmaGuide,
  rmaStatus,
  warrantyResult,
} from '../pages/portal.ts';
import { publicRoute } from '../rate-limit.ts';

const stylesheet = readFileSync(new URL('../pages/style.css', import.meta.url), 'utf8');

/** Query and form values arrive as text (or repeated as arrays); pages read the first value and never fail on shape. */
const text = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().max(4000).optional()).catch(undefined);

const formValues = z.object({
  serial: text,
  name: text,
  email: text,
  phone: text,
  proof_of_purchase: text,
  purchase_date: text,
  seller: text,
  symptom: text,
  acknowledge: text,
});

/**
 * The customer portal (policy clause VI): warranty lookup, "Submit RMA Request" with its steps, required information
 * and mailing address, RMA status, and the model ratings table. Plain HTML forms, no scripts.
 */
export const pageRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  const { warranty, rma } = app;
  const models = catalogModels(deps.catalog);
  const page = { config: publicRoute, schema: { hide: true } };

  app.get('/assets/style.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );

  app.get('/', { ...page, schema: { hide: true, querystring: z.object({ serial: text }) } }, async (request, reply) => {
    const input = request.query.serial?.trim() ?? '';
    const intro = html`<p>Enter the serial number of your SSD or TF card to see its warranty status and how much of its
      rated write endurance (TBW or P/E cycles) remains.</p>`;
    if (!input) return sendPage(reply, { title: 'Warranty lookup', path: '/', body: html`${intro}${lookupForm('')}` });
    const parsed = serial.safeParse(input);
    if (!parsed.success) {
      const problem = parsed.error.issues[0]!.message;
      return sendPage(
        reply,
        { title: 'Warranty lookup', path: '/', body: html`${intro}${lookupForm(input, problem)}${notice('error', `Serial number: ${problem}`)}` },
        400,
      );
    }
    const evaluation = await warranty.lookup(parsed.data);
    if (!evaluation) {
      return sendPage(
        reply,
        {
          title: 'Warranty lookup',
          path: '/',
          body: html`${intro}${lookupForm(input)}${notice('error', html`No registered unit has the serial number <strong>${parsed.data}</strong>. Check the label and try again.`)}`,
        },
        404,
      );
    }
    return sendPage(reply, { title: 'Warranty lookup', path: '/', body: html`${intro}${lookupForm(input)}${warrantyResult(toPublicWarranty(evaluation))}` });
  });

  const rmaPage = (values: RmaFormValues, problems: ReturnType<typeof fieldProblems> = []) =>
    html`${problems.length ? problemSummary(problems) : ''}<p>Follow these steps to return a unit under warranty. Every return needs an RMA number first.</p>
      ${rmaGuide(shippingInstructions(deps.config))}
      <section aria-labelledby="form-heading"><h2 id="form-heading">Request an RMA number</h2>${rmaForm(values, problems)}</section>`;

  app.get('/rma', { ...page, schema: { hide: true, querystring: z.object({ serial: text }) } }, async (request, reply) =>
    sendPage(reply, { title: 'Submit RMA Request', path: '/rma', body: rmaPage({ serial: request.query.serial }) }),
  );

  app.post('/rma', { ...page, schema: { hide: true, body: formValues.catch({}) } }, async (request, reply) => {
    const values = request.body as RmaFormValues;
    const parsed = rmaRequest.safeParse({
      serial: values.serial,
      contact: { name: values.name, email: values.email?.trim(), ...(values.phone?.trim() ? { phone: values.phone } : {}) },
      ...(values.proof_of_purchase?.trim() || values.purchase_date?.trim()
        ? {
            proof_of_purchase: {
              reference: values.proof_of_purchase ?? '',
              purchase_date: values.purchase_date?.trim(),
              ...(values.seller?.trim() ? { seller: values.seller } : {}),
            },
          }
        : {}),
      symptom: values.symptom,
      data_responsibility_acknowledged: values.acknowledge ? true : undefined,
    });
    if (!parsed.success) {
      return sendPage(reply, { title: 'Submit RMA Request', path: '/rma', body: rmaPage(values, fieldProblems(parsed.error.issues, 'body')) }, 400);
    }
    try {
      const result = await rma.submit(parsed.data, 'web');
      // Post/redirect/get: a reload of the result page does not submit a second request.
      // The status link carries the request's private token: whoever holds it sees the whole case.
      return reply.redirect(`/rma/status?number=${encodeURIComponent(result.rma_number)}&token=${encodeURIComponent(result.status_token)}`, 303);
    } catch (error) {
      if (error instanceof WearwatchError && [400, 404, 429].includes(error.status)) {
        return sendPage(reply, { title: 'Submit RMA Request', path: '/rma', body: rmaPage(values, error.fields ?? []) }, error.status);
      }
      throw error;
    }
  });

  app.get('/rma/status', { ...page, schema: { hide: true, querystring: z.object({ number: text, token: text }) } }, async (request, reply) => {
    const input = request.query.number?.trim().toUpperCase() ?? '';
    const form = html`<form method="get" action="/rma/status" aria-label="RMA status lookup"><div>
      <label for="number">RMA number</label><input type="text" id="number" name="number" value="${input}" required maxlength="24">
      </div><button type="submit">Show status</button></form>`;
    if (!input) return sendPage(reply, { title: 'RMA status', path: '/rma', body: form });
    const parsed = rmaNumber.safeParse(input);
    if (!parsed.success)
      return sendPage(
        reply,
        { title: 'RMA status', path: '/rma', body: html`${form}${notice('error', `RMA number: ${parsed.error.issues[0]!.message}`)}` },
        400,
      );
    try {
      const view = await rma.view(parsed.data);
      const full = request.query.token ? await rma.tokenMatches(parsed.data, request.query.token) : false;
      return sendPage(reply, {
        title: 'RMA status',
        path: '/rma',
        body: rmaStatus(view, view.state === 'authorised' ? shippingInstructions(deps.config) : null, full),
      });
    } catch (error) {
      if (error instanceof WearwatchError && error.status === 404) {
        return sendPage(reply, { title: 'RMA status', path: '/rma', body: html`${form}${notice('error', `No RMA ${parsed.data} was found.`)}` }, 404);
      }
      throw error;
    }
  });

  registerFleetPages(app);
  const { registrations } = app;
  const modelNames = deps.catalog.models.map((m) => m.model);
  const registerValues = z.object({ serial: text, model: text, reference: text, purchase_date: text, seller: text, name: text, email: text });

  app.get('/register', page, async (_request, reply) =>
    sendPage(reply, { title: 'Register a product', path: '/register', body: registerForm({}, modelNames) }),
  );

  app.post('/register', { ...page, schema: { hide: true, body: registerValues.catch({}) } }, async (request, reply) => {
    const values = request.body as RegisterFormValues;
    const parsed = productRegistration.safeParse({
      serial: values.serial,
      model: values.model,
      proof_of_purchase: {
        reference: values.reference ?? '',
        purchase_date: values.purchase_date,
        ...(values.seller?.trim() ? { seller: values.seller } : {}),
      },
      contact: { name: values.name, email: values.email?.trim() },
    });
    const again = (problem: string, status: number) =>
      sendPage(reply, { title: 'Register a product', path: '/register', body: registerForm(values, modelNames, problem) }, status);
    if (!parsed.success)
      return again(
        fieldProblems(parsed.error.issues, 'body')
          .map((p) => `${p.field.replace('body.', '')}: ${p.message}`)
          .join('; '),
        400,
      );
    try {
      const { serial: registered } = await registrations.register(parsed.data);
      return reply.redirect(`/?serial=${encodeURIComponent(registered)}`, 303);
    } catch (error) {
      if (error instanceof WearwatchError && [400, 409].includes(error.status)) return again(error.message, error.status);
      throw error;
    }
  });

  app.get('/models', page, async (_request, reply) => sendPage(reply, { title: 'Models and ratings', path: '/models', body: modelTable(models) }));
};
