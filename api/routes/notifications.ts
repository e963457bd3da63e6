import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fleetId } from '../../core/contracts/common.ts';
import { notFound } from '../../core/errors.ts';
import { channelInput, publicChannel } from '../../notifications/channel.ts';
import { ChannelStore } from '../../notifications/channel-store.ts';
import { DeliveryStore, deliveryStatuses } from '../../notifications/delivery-store.ts';
import { testAlert, testAlertId } from '../../notifications/render.ts';
import { apiKeySecurity, assertFleetAccess, requireRole } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';

const tags = ['notifications'];
const fleetParams = z.object({ fleetId });
const channelParams = z.object({ fleetId, channelId: z.uuid() });
const channelOut = z.object({ channel_id: z.string(), kind: z.string(), name: z.string(), target: z.string() }).loose().meta({ id: 'NotificationChannel' });
const deliveryOut = z
  .object({ channel_id: z.string(), alert_id: z.string(), status: z.enum(deliveryStatuses), attempts: z.number(), last_error: z.string() })
  .loose()
  .meta({ id: 'NotificationDelivery' });

/**
 * Notification channels of a fleet (webhook, e-mail, Slack-compatible), their deliveries and the dead-letter list.
 * Fleet managers manage their own fleets' channels, admins every fleet's; quality engineers only read.
 */
export const notificationRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  const channels = new ChannelStore(deps.clickhouse.client);
  const deliveries = new DeliveryStore(deps.clickhouse.client);
  const managers = { preHandler: requireRole('fleet_manager', 'admin') };
  const by = (request: { principal?: { name: string; keyId: string } }) => `${request.principal!.name} (${request.principal!.keyId})`;
  const channelOf = async (fleet: string, id: string) => {
    const channel = await channels.get(fleet, id);
    if (!channel) throw notFound(`channel ${id} of fleet ${fleet}`);
    return channel;
  };

  app.get(
    '/v1/fleets/:fleetId/channels',
    {
      ...managers,
      schema: {
        summary: "The fleet's notification channels (webhook secrets are never shown again)",
        tags,
        security: apiKeySecurity,
        params: fleetParams,
        response: { 200: z.object({ channels: z.array(channelOut) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      assertFleetAccess(request, request.params.fleetId);
      return { channels: (await channels.list(request.params.fleetId)).map(publicChannel) };
    },
  );

  app.post(
    '/v1/fleets/:fleetId/channels',
    {
      ...managers,
      schema: {
        summary:
          'Create a channel: webhook (signed JSON POST), email (via the configured SMTP server) or slack (incoming webhook). A webhook answer includes its signing secret, once.',
        tags,
        security: apiKeySecurity,
        params: fleetParams,
        body: channelInput,
        response: { 201: channelOut.extend({ secret: z.string().optional() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      assertFleetAccess(request, request.params.fleetId);
      const channel = await channels.create(request.params.fleetId, request.body, by(request));
      return reply.code(201).send({ ...publicChannel(channel), ...(channel.secret ? { secret: channel.secret } : {}) });
    },
  );

  app.put(
    '/v1/fleets/:fleetId/channels/:channelId',
    {
      ...managers,
      schema: {
        summary: 'Replace a channel’s settings (a webhook keeps its secret)',
        tags,
        security: apiKeySecurity,
        params: channelParams,
        body: channelInput,
        response: { 200: channelOut, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      assertFleetAccess(request, request.params.fleetId);
      const existing = await channelOf(request.params.fleetId, request.params.channelId);
      return publicChannel(await channels.update(existing, request.body, by(request)));
    },
  );

  app.delete(
    '/v1/fleets/:fleetId/channels/:channelId',
    {
      ...managers,
      schema: {
        summary: 'Delete a channel',
        tags,
        security: apiKeySecurity,
        params: channelParams,
        response: { 204: z.null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      assertFleetAccess(request, request.params.fleetId);
      await channels.remove(await channelOf(request.params.fleetId, request.params.channelId), by(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/fleets/:fleetId/channels/:channelId/test',
    {
      ...managers,
      schema: {
        summary: 'Send a test notification on the channel; poll the returned delivery for its outcome',
        tags,
        security: apiKeySecurity,
        params: channelParams,
        response: { 202: z.object({ alert_id: z.string(), status: z.string(), delivery: z.string() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { fleetId: fleet, channelId } = request.params;
      assertFleetAccess(request, fleet);
      await channelOf(fleet, channelId);
      const alertId = testAlertId();
      await deliveries.enqueue([{ alertId, channelId, alert: testAlert(fleet, new Date()) }], new Date());
      return reply.code(202).send({ alert_id: alertId, status: 'pending', delivery: `/v1/fleets/${fleet}/channels/${channelId}/deliveries/${alertId}` });
    },
  );

  app.get(
    '/v1/fleets/:fleetId/channels/:channelId/deliveries/:alertId',
    {
      ...managers,
      schema: {
        summary: 'One delivery of an alert on a channel: pending, delivered, dead or suppressed, with attempts and the last error',
        tags,
        security: apiKeySecurity,
        params: channelParams.extend({ alertId: z.string().min(1).max(200) }),
        response: { 200: deliveryOut, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { fleetId: fleet, channelId, alertId } = request.params;
      assertFleetAccess(request, fleet);
      const delivery = await deliveries.get(fleet, channelId, alertId);
      if (!delivery) throw notFound(`delivery of ${alertId} on channel ${channelId}`);
      return delivery;
    },
  );

  app.get(
    '/v1/fleets/:fleetId/deliveries',
    {
      ...managers,
      schema: {
        summary: "The fleet's notification deliveries, newest first; status=dead is the dead-letter list (gave up after NOTIFY_MAX_ATTEMPTS)",
        tags,
        security: apiKeySecurity,
        params: fleetParams,
        querystring: z.object({
          status: z.enum(deliveryStatuses).optional(),
          channel_id: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ deliveries: z.array(deliveryOut) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      assertFleetAccess(request, request.params.fleetId);
      const { status, channel_id, limit } = request.query;
      return { deliveries: await deliveries.list(request.params.fleetId, { status, channelId: channel_id, limit }) };
    },
  );

  app.post(
    '/v1/fleets/:fleetId/channels/:channelId/deliveries/:alertId/retry',
    {
      ...managers,
      schema: {
        summary: 'Send a dead-lettered delivery again (its attempts start over)',
        tags,
        security: apiKeySecurity,
        params: channelParams.extend({ alertId: z.string().min(1).max(200) }),
        response: { 202: deliveryOut, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { fleetId: fleet, channelId, alertId } = request.params;
      assertFleetAccess(request, fleet);
      const delivery = await deliveries.get(fleet, channelId, alertId);
      if (delivery?.status !== 'dead') throw notFound(`dead-lettered delivery of ${alertId} on channel ${channelId}`);
      const now = new Date();
      return reply
        .code(202)
        .send(await deliveries.update(delivery, { status: 'pending', attempts: 0, next_at: now.toISOString(), last_error: delivery.last_error }, now));
    },
  );
};
