import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describeIssues, type TelemetryRow } from '../../core/contracts/rows.ts';
import { normalizeSmartctl } from '../../core/contracts/smartctl/normalize.ts';
import { type TelemetryMessage, telemetryMessage } from '../../core/contracts/telemetry.ts';
import { parseJsonExact } from '../../core/contracts/uint64.ts';
import { maxMessageBytes, sendInBatches } from '../../core/kafka.ts';
import { screenBatch } from '../../telemetry/door.ts';
import { plausibilityRules } from '../../telemetry/plausibility.ts';
import type { Verdict } from '../../telemetry/screen.ts';
import { apiKeySecurity, canSeeFleet, requireRole } from '../auth.ts';
import { batchResult, claimedSerial, type ItemResult, summarize } from '../batch-result.ts';
import { type ApiDependencies, apiTopics } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';

const maxItems = 5_000;

type Checked = { ok: true; serial: string; message: TelemetryMessage; sample: TelemetryRow } | { ok: false; serial: string | null; reason: string };

/** Validates one item as ingest would, so what the gateway accepts is what ingest writes. */
function check(item: unknown): Checked {
  const parsed = telemetryMessage.safeParse(item);
  if (!parsed.success) return { ok: false, serial: claimedSerial(item), reason: describeIssues(parsed.error) };
  const message = parsed.data;
  if (message.schema === 'wearwatch.telemetry.smartctl.v1') {
    const normalized = normalizeSmartctl(message.smartctl, { fleet_id: message.fleet_id, collected_at: message.collected_at });
    return normalized.ok
      ? { ok: true, serial: normalized.sample.serial, message, sample: normalized.sample }
      : { ok: false, serial: claimedSerial(message.smartctl) ?? null, reason: `smartctl: ${normalized.reason}` };
  }
  // A sample that does not say where it came from is marked as arriving through the gateway.
  const stated = typeof item === 'object' && item !== null && 'source' in item;
  const { schema: _schema, ...sample } = message;
  return { ok: true, serial: message.serial, message: stated ? message : { ...message, source: 'gateway' }, sample };
}

/** A sample from another fleet than the unit's would change that tenant's unit: refused outright at the gateway. */
function answer(verdict: Verdict): Pick<ItemResult, 'status' | 'reasons'> {
  if (verdict.kind === 'accept') return { status: 'accepted', reasons: [] };
  if (verdict.kind === 'hold') return { status: 'held', reasons: [verdict.reason] };
  if (verdict.kind === 'quarantine' && verdict.code === 'counter_rollback') return { status: 'quarantined', reasons: [verdict.reason] };
  return { status: 'rejected', reasons: [verdict.reason] };
}

/**
 * POST /v1/telemetry: the ingest gateway for agents that cannot reach Kafka. Each item is a normalised sample
 * (`wearwatch.telemetry.v1`) or a raw `smartctl --json` document in its wrapper (`wearwatch.telemetry.smartctl.v1`).
 * Every item gets the telemetry door's verdict (telemetry/screen.ts, the same code ingest applies): accepted, held (serial
 * not enrolled yet), quarantined (kept for review, never the reading) or rejected with the reason. All but the rejected
 * are produced to wearwatch.telemetry.v1 keyed by serial, where ingest files them the same way; the answer (202)
 * counts and explains each item.
 */
export const telemetryGatewayRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  const rules = plausibilityRules(deps.config);
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
      const valid = checked.flatMap((c) => (c.ok ? [c.sample] : []));
      const verdicts = await screenBatch(deps.clickhouse.client, valid, rules, new Date());
      let next = 0;
      const results: ItemResult[] = checked.map((c, index) => {
        if (!c.ok) return { index, serial: c.serial, status: 'rejected', reasons: [c.reason] };
        const verdict = verdicts[next++]!;
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
        return { index, serial: c.serial, ...answer(verdict) };
      });
      const messages = checked.flatMap((c, i) => (c.ok && results[i]!.status !== 'rejected' ? [{ key: c.serial, value: JSON.stringify(c.message) }] : []));
      if (messages.length) await sendInBatches(deps.producer, { topic: apiTopics(deps).telemetry, acks: -1, messages });
      return reply.code(202).send(summarize(results));
    },
  );
};
