import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describeIssues } from '../../core/contracts/rows.ts';
import { normalizeSmartctl } from '../../core/contracts/smartctl/normalize.ts';
import { type TelemetryMessage, telemetryMessage } from '../../core/contracts/telemetry.ts';
import { parseJsonExact } from '../../core/contracts/uint64.ts';
import { maxMessageBytes, sendInBatches } from '../../core/kafka.ts';
import { fleetQueriesFor } from '../../fleet/queries.ts';
import { apiKeySecurity, canSeeFleet, requireRole } from '../auth.ts';
import { batchResult, claimedSerial, type ItemResult, summarize } from '../batch-result.ts';
import { type ApiDependencies, apiTopics } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';

const maxItems = 5_000;

type Checked = { ok: true; serial: string; message: TelemetryMessage } | { ok: false; serial: string | null; reason: string };

/** Validates one item as ingest would, so what the gateway accepts is what ingest writes. */
function check(item: unknown): Checked {
  const parsed = telemetryMessage.safeParse(item);
  if (!parsed.success) return { ok: false, serial: claimedSerial(item), reason: describeIssues(parsed.error) };
  const message = parsed.data;
  if (message.schema === 'wearwatch.telemetry.smartctl.v1') {
    const normalized = normalizeSmartctl(message.smartctl, { fleet_id: message.fleet_id, collected_at: message.collected_at });
    return normalized.ok
      ? { ok: true, serial: normalized.sample.serial, message }
      : { ok: false, serial: claimedSerial(message.smartctl) ?? null, reason: `smartctl: ${normalized.reason}` };
  }
  // A sample that does not say where it came from is marked as arriving through the gateway.
  const stated = typeof item === 'object' && item !== null && 'source' in item;
  return { ok: true, serial: message.serial, message: stated ? message : { ...message, source: 'gateway' } };
}

/**
 * POST /v1/telemetry: the ingest gateway for agents that cannot reach Kafka. Each item is a normalised sample
 * (`wearwatch.telemetry.v1`) or a raw `smartctl --json` document in its wrapper (`wearwatch.telemetry.smartctl.v1`).
 * Valid items are produced to wearwatch.telemetry.v1 keyed by serial; the answer (202) counts and explains each item.
 */
export const telemetryGatewayRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  const fleets = fleetQueriesFor(deps.clickhouse.client, deps.config);
  // Counters beyond 2^53 (bytes written of busy drives) must reach the contract as written, not rounded by JSON.parse.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonExact(body as string));
    } catch (error) {
      done(Object.assign(new Error(`body is not valid JSON: ${(error as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
  app.post(
    '/v1/telemetry',
    {
      preHandler: requireRole('fleet_manager', 'admin'),
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        summary: 'Send a batch of telemetry samples or smartctl --json documents; 202 with accepted / rejected counts and reasons per item',
        tags: ['ingest'],
        security: apiKeySecurity,
        body: z.object({ items: z.array(z.unknown()).min(1).max(maxItems) }),
        response: { 202: batchResult, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const checked = request.body.items.map(check);
      const owners = await fleets.enrolledFleets([...new Set(checked.flatMap((c) => (c.ok ? [c.serial] : [])))]);
      const results: ItemResult[] = checked.map((c, index) => {
        if (!c.ok) return { index, serial: c.serial, status: 'rejected', reasons: [c.reason] };
        const bytes = Buffer.byteLength(JSON.stringify(c.message));
        if (bytes > maxMessageBytes)
          return {
            index,
            serial: c.serial,
            status: 'rejected',
            reasons: [`item is ${bytes} bytes; one message may be at most ${maxMessageBytes} (Kafka's default message.max.bytes)`],
          };
        const fleet = c.message.fleet_id;
        if (!canSeeFleet(principal, fleet))
          return { index, serial: c.serial, status: 'rejected', reasons: [`fleet_id: this key may not send telemetry for fleet ${fleet}`] };
        const owner = owners.get(c.serial);
        // A sample for a drive enrolled elsewhere would overwrite that tenant's latest state.
        if (owner !== undefined && owner !== fleet)
          return { index, serial: c.serial, status: 'rejected', reasons: [`fleet_id: drive ${c.serial} is not enrolled in fleet ${fleet}`] };
        return { index, serial: c.serial, status: 'accepted', reasons: [] };
      });
      const messages = checked.flatMap((c, i) => (c.ok && results[i]!.status === 'accepted' ? [{ key: c.serial, value: JSON.stringify(c.message) }] : []));
      if (messages.length) await sendInBatches(deps.producer, { topic: apiTopics(deps).telemetry, acks: -1, messages });
      return reply.code(202).send(summarize(results));
    },
  );
};
