import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, buildServer } from '../../api/server.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import { loadConfig } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { topics } from '../../core/topics.ts';
import { runWarrantyJob } from '../../jobs/warranty-evaluation.ts';
import { KeyStore } from '../../keys/api-keys.ts';
import { DeliveryStore } from '../../notifications/delivery-store.ts';
import { verifyWebhook, webhookHeaders } from '../../notifications/signing.ts';
import { type Delivery, startDelivery } from '../../runtime/deliver.ts';
import { type Started, System } from '../../runtime/system.ts';
import { thresholdsFrom } from '../../warranty/thresholds.ts';
import { waitFor } from '../support/cli.ts';
import { testBrokers } from '../support/kafka.ts';

/**
 * The fleet manager's day end to end, on the real parts: the warranty job on embedded ClickHouse produces alerts to
 * Kafka, delivery consumes them with its own group and sends to a local HTTP receiver (webhook, signature checked) and
 * a local SMTP server (smtp-server); acknowledgement, a receiver that is down for a while and a redelivered alert.
 */
const catalog = loadCatalog();
const tag = randomUUID()
  .slice(0, 6)
  .toUpperCase()
  .replace(/[^0-9A-Z]/g, 'X');
const fleet = `e2e-${tag.toLowerCase()}`;
const model = 'WW-NV4-512';
const limit = catalog.byModel.get(model)!.tbw_tb! * 1e12;
const unitA = `NV2610A${tag}`;
const unitB = `NV2610B${tag}`;
const unitC = `NV2610C${tag}`;
// Only ever below the default warn level: in the default fleet 65 % raises nothing, where the strict fleet warns.
const unitD = `NV2610D${tag}`;
// A second fleet with its own thresholds, next to the first one that keeps the defaults.
const strictFleet = `e2e-strict-${tag.toLowerCase()}`;
const strictUnit = `NV2610S${tag}`;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local webhook receiver that can be taken down (connections refused) and brought back on the same port. */
class Receiver {
  readonly requests: Received[] = [];
  private server?: Server;
  port = 0;

  async up(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        this.requests.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server!.close(() => resolve());
      this.server!.closeAllConnections();
    });
  }

  ofSerial(serial: string) {
    return this.requests.map((r) => ({ ...r, json: JSON.parse(r.body) })).filter((r) => r.json.alert.serial === serial);
  }
}

describe('notifications end to end', () => {
  const receiver = new Receiver();
  const mails: { to: string; subject: string; body: string }[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (chunk) => {
        body += chunk;
      });
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), subject: /^Subject: (.*)$/m.exec(body)?.[1] ?? '', body });
        callback();
      });
    },
  });
  let system: System;
  let app: ApiServer;
  let delivery: Delivery;
  let auth: { authorization: string };
  let secret: string;
  let webhookId: string;
  let minute = 0;

  /** A new sample of a unit at `pct` % of its TBW, a minute after the previous one, then one evaluation run. */
  const wearAndEvaluate = async (samples: [string, number][]) => {
    minute++;
    const collected = new Date(Date.now() - (120 - minute) * 60_000).toISOString();
    await system.clickhouse!.client.insert({
      table: 'telemetry',
      format: 'JSONEachRow',
      values: samples.map(([serial, pct]) => ({
        serial,
        fleet_id: serial === strictUnit ? strictFleet : fleet,
        collected_at: collected,
        model,
        firmware: '1',
        source: 'agent',
        host_bytes_written: Math.round((limit * pct) / 100),
        temperature_c: 40,
      })),
    });
    const producer = system.kafka!.kafka.producer();
    await producer.connect();
    try {
      return await runWarrantyJob({ client: system.clickhouse!.client, catalog, thresholds: thresholdsFrom(system.config), producer });
    } finally {
      await producer.disconnect();
    }
  };

  const deliveries = () => new DeliveryStore(system.clickhouse!.client).list(fleet, { limit: 100 });

  beforeAll(async () => {
    await receiver.up();
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const config = loadConfig({
      WEARWATCH_DATA: mkdtempSync(join(tmpdir(), 'wearwatch-notify-')),
      KAFKA_BROKERS: testBrokers().join(','),
      WEARWATCH_LOG_LEVEL: 'silent',
      NOTIFY_GROUP: `notify-e2e-${tag}`,
      NOTIFY_POLL_MS: '100',
      NOTIFY_RETRY_BASE_MS: '200',
      NOTIFY_RETRY_MAX_MS: '800',
      NOTIFY_MAX_ATTEMPTS: '100',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String((smtp.server.address() as AddressInfo).port),
      SMTP_FROM: 'wearwatch <alerts@example.test>',
    });
    system = new System(config, createLogger(config), () => {});
    await system.startClickHouse();
    await system.startKafka();
    const producer = system.kafka!.kafka.producer();
    await producer.connect();
    system.onStop({ name: 'test api producer', stop: () => producer.disconnect() });
    app = await buildServer({ config, logger: system.logger, health: system.health, clickhouse: system.clickhouse!, catalog, producer });
    await app.ready();
    auth = {
      authorization: `Bearer ${(await new KeyStore(system.clickhouse!.client).create({ name: 'ops', role: 'fleet_manager', fleet_ids: [fleet] })).key}`,
    };
    await system.clickhouse!.client.insert({
      table: 'drives',
      format: 'JSONEachRow',
      values: [unitA, unitB, unitC, unitD, strictUnit].map((serial) => ({
        serial,
        model,
        fleet_id: serial === strictUnit ? strictFleet : fleet,
        purchase_date: '2026-06-01',
        proof_of_purchase: `INV-${serial}`,
        price_paid: 100,
        currency: 'USD',
        enrolled_at: '2026-06-02T00:00:00Z',
      })),
    });
    delivery = await startDelivery(system as Started);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await system?.stop();
    await receiver.down().catch(() => {});
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('creates the channels through the API and delivers a test notification', { timeout: 120_000 }, async () => {
    const webhook = await app.inject({
      method: 'POST',
      url: `/v1/fleets/${fleet}/channels`,
      headers: auth,
      payload: { kind: 'webhook', name: 'ops webhook', target: `http://127.0.0.1:${receiver.port}/hook`, min_level: 'warn', flags: ['near_tbw'] },
    });
    expect(webhook.statusCode, webhook.body).toBe(201);
    secret = webhook.json().secret;
    webhookId = webhook.json().channel_id;
    expect(secret).toMatch(/^whsec_/);
    const mail = await app.inject({
      method: 'POST',
      url: `/v1/fleets/${fleet}/channels`,
      headers: auth,
      payload: { kind: 'email', name: 'ops mail', target: 'ops@example.test', min_level: 'warn' },
    });
    expect(mail.statusCode, mail.body).toBe(201);
    const bad = await app.inject({
      method: 'POST',
      url: `/v1/fleets/${fleet}/channels`,
      headers: auth,
      payload: { kind: 'email', name: 'x', target: 'not-an-address' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('target');
    const listed = await app.inject({ method: 'GET', url: `/v1/fleets/${fleet}/channels`, headers: auth });
    expect(listed.json().channels).toHaveLength(2);
    expect(listed.body).not.toContain(secret);

    const test = await app.inject({ method: 'POST', url: `/v1/fleets/${fleet}/channels/${webhookId}/test`, headers: auth });
    expect(test.statusCode).toBe(202);
    const done = await waitFor(
      'the test delivery',
      async () => {
        const d = (await app.inject({ method: 'GET', url: test.json().delivery, headers: auth })).json();
        return d.status === 'delivered' ? d : undefined;
      },
      30_000,
    );
    expect(done.attempts).toBe(1);
    expect(receiver.ofSerial('TEST-0000')).toHaveLength(1);
  });

  it('a unit crossing warn → one signed webhook and one e-mail; acknowledged → quiet until critical; receiver down → delivered once it is back', {
    timeout: 600_000,
  }, async () => {
    await wearAndEvaluate([
      [unitA, 50],
      [unitB, 50],
      [unitC, 50],
    ]);
    const crossed = await wearAndEvaluate([[unitA, 85]]);
    expect(crossed.raised).toBe(1);
    const [hook] = await waitFor('the warn webhook', async () => (receiver.ofSerial(unitA).length ? receiver.ofSerial(unitA) : undefined), 60_000);
    await waitFor('the warn e-mail', async () => (mails.some((m) => m.subject.includes(unitA)) ? true : undefined), 30_000);
    expect(hook!.json.alert).toMatchObject({ serial: unitA, flag: 'near_tbw', level: 'warn', action: 'raised', threshold: 80 });
    const timestamp = String(hook!.headers[webhookHeaders.timestamp]);
    expect(verifyWebhook(secret, timestamp, hook!.body, String(hook!.headers[webhookHeaders.signature]))).toBe(true);
    expect(verifyWebhook('whsec_wrong', timestamp, hook!.body, String(hook!.headers[webhookHeaders.signature]))).toBe(false);
    const warnMails = mails.filter((m) => m.subject.includes(unitA));
    expect(warnMails).toHaveLength(1);
    expect(warnMails[0]!.to).toBe('ops@example.test');
    expect(warnMails[0]!.subject).toContain('[WARN] near tbw');

    // The same alert delivered again by Kafka (a producer retry, a rebalance) is not sent twice.
    const handledBefore = delivery.consumer.handled;
    const producer = system.kafka!.kafka.producer();
    await producer.connect();
    await producer.send({ topic: topics.alerts, messages: [{ key: unitA, value: JSON.stringify(hook!.json.alert) }] });
    await producer.disconnect();
    await waitFor('the redelivered alert to be consumed', async () => (delivery.consumer.handled > handledBefore ? true : undefined), 30_000);

    const ack = await app.inject({
      method: 'POST',
      url: `/v1/fleets/${fleet}/drives/${unitA}/flags/near_tbw/acknowledge`,
      headers: auth,
      payload: { reason: 'replacement ordered' },
    });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toMatchObject({ state: 'acknowledged', ack: { kind: 'ack', reason: 'replacement ordered' } });
    expect(ack.json().ack.by).toContain('ops');
    const stillWarn = await wearAndEvaluate([[unitA, 90]]);
    expect(stillWarn.raised).toBe(0);

    const critical = await wearAndEvaluate([[unitA, 96]]);
    expect(critical.raised).toBe(1);
    await waitFor('the critical webhook', async () => (receiver.ofSerial(unitA).length === 2 ? true : undefined), 60_000);
    await waitFor('the critical e-mail', async () => (mails.filter((m) => m.subject.includes(unitA)).length === 2 ? true : undefined), 30_000);
    expect(receiver.ofSerial(unitA).map((r) => r.json.alert.level)).toEqual(['warn', 'critical']);
    const inbox = await app.inject({ method: 'GET', url: `/v1/fleets/${fleet}/inbox?serial=${unitA}`, headers: auth });
    expect(inbox.json().flags[0]).toMatchObject({ level: 'critical', state: 'open' });

    // The receiver is down while units B and C cross warn: the webhooks are retried with backoff. C is acknowledged
    // meanwhile, so its waiting delivery is dropped; B's is delivered once the receiver is back.
    await receiver.down();
    await wearAndEvaluate([
      [unitB, 82],
      [unitC, 83],
    ]);
    const failing = await waitFor(
      'failed attempts while the receiver is down',
      async () => (await deliveries()).find((d) => d.serial === unitB && d.channel_id === webhookId && d.attempts >= 2 && d.status === 'pending'),
      60_000,
    );
    expect(failing.last_error).not.toBe('');
    const ackC = await app.inject({
      method: 'POST',
      url: `/v1/fleets/${fleet}/drives/${unitC}/flags/near_tbw/acknowledge`,
      headers: auth,
      payload: { reason: 'known, drive is being retired' },
    });
    expect(ackC.statusCode, ackC.body).toBe(200);
    await receiver.up();
    await waitFor('the webhook after the receiver is back', async () => (receiver.ofSerial(unitB).length ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.ofSerial(unitB)).toHaveLength(1);
    expect(receiver.ofSerial(unitA)).toHaveLength(2);
    const final = (await deliveries()).find((d) => d.serial === unitB && d.channel_id === webhookId)!;
    expect(final).toMatchObject({ status: 'delivered' });
    expect(final.attempts).toBeGreaterThanOrEqual(3);
    expect(mails.filter((m) => m.subject.includes(unitA))).toHaveLength(2);
    const droppedC = await waitFor(
      "C's suppressed webhook",
      async () => (await deliveries()).find((d) => d.serial === unitC && d.channel_id === webhookId && d.status === 'suppressed'),
      30_000,
    );
    expect(droppedC.last_error).toContain('acknowledged by ops');
    expect(receiver.ofSerial(unitC)).toHaveLength(0);
  });

  it('a fleet with its own thresholds gets flags at its levels while another fleet keeps the defaults', { timeout: 300_000 }, async () => {
    const admin = { authorization: `Bearer ${(await new KeyStore(system.clickhouse!.client).create({ name: 'admin', role: 'admin' })).key}` };
    const bad = await app.inject({
      method: 'PUT',
      url: `/v1/fleets/${strictFleet}/thresholds`,
      headers: admin,
      payload: { warn_pct: 90, critical_pct: 70, ending_days: 30 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields[0].field).toBe('body.warn_pct');
    const put = await app.inject({
      method: 'PUT',
      url: `/v1/fleets/${strictFleet}/thresholds`,
      headers: admin,
      payload: { warn_pct: 60, critical_pct: 70, ending_days: 30, reason: 'we retire drives at 70 %' },
    });
    expect(put.statusCode, put.body).toBe(200);
    // The fleet manager of the first fleet cannot see or change the other fleet's thresholds.
    expect((await app.inject({ method: 'GET', url: `/v1/fleets/${strictFleet}/thresholds`, headers: auth })).statusCode).toBe(404);
    await wearAndEvaluate([
      [strictUnit, 65],
      [unitD, 65],
    ]);
    const strict = (await app.inject({ method: 'GET', url: `/v1/fleets/${strictFleet}/inbox`, headers: admin })).json();
    expect(strict.flags).toMatchObject([{ serial: strictUnit, flag: 'near_tbw', level: 'warn', threshold: 60 }]);
    const defaults = (await app.inject({ method: 'GET', url: `/v1/fleets/${fleet}/inbox?serial=${unitD}`, headers: auth })).json();
    expect(defaults.flags).toEqual([]);
    await wearAndEvaluate([[strictUnit, 71]]);
    const critical = (await app.inject({ method: 'GET', url: `/v1/fleets/${strictFleet}/inbox`, headers: admin })).json();
    expect(critical.flags).toMatchObject([{ serial: strictUnit, level: 'critical', threshold: 70 }]);
    const history = (await app.inject({ method: 'GET', url: `/v1/fleets/${strictFleet}/thresholds/history`, headers: admin })).json();
    expect(history.versions).toMatchObject([
      { warn_pct: 60, critical_pct: 70, reason: 'we retire drives at 70 %', changed_by: expect.stringContaining('admin') },
    ]);
  });

  it('exposes fleet figures to Prometheus per fleet and model, never per drive', async () => {
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    const body = metrics.body;
    expect(body).toContain('# TYPE wearwatch_fleet_drives gauge');
    expect(body).toContain(`wearwatch_fleet_drives{fleet="${strictFleet}",model="${model}",level="critical"} 1`);
    expect(body).toContain(`wearwatch_fleet_drives{fleet="${fleet}",model="${model}",level="critical"} 1`);
    // B and C stay at warn: a later, lower sample never lowers wear (the highest counter counts).
    expect(body).toContain(`wearwatch_fleet_drives{fleet="${fleet}",model="${model}",level="warn"} 2`);
    expect(body).toContain(`wearwatch_fleet_drives{fleet="${fleet}",model="${model}",level="ok"} 1`);
    expect(body).toContain(`wearwatch_fleet_flags{fleet="${strictFleet}",model="${model}",flag="near_tbw",level="critical"} 1`);
    expect(body).toMatch(new RegExp(`wearwatch_fleet_worst_wear_percent\\{fleet="${fleet}",model="${model}"\\} 96(\\.\\d+)?\n`));
    // Every drive sampled within the last two hours: none is silent.
    expect(body).toContain(`wearwatch_fleet_drives_not_reporting{fleet="${fleet}",model="${model}"} 0`);
    expect(body).toMatch(/wearwatch_api_requests_total\{route="\/v1\/fleets\/:fleetId\/inbox",method="GET",status="200"\} \d+/);
    for (const serial of [unitA, unitB, unitC, unitD, strictUnit]) expect(body).not.toContain(serial);
  });
});
