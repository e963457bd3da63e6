import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../agent/agent.ts';
import { GatewaySender, KafkaSender } from '../../agent/senders.ts';
import { Smartctl } from '../../agent/smartctl.ts';
import { Spool } from '../../agent/spool.ts';
import { type ApiServer, buildServer } from '../../api/server.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { loadConfig } from '../../core/config.ts';
import { HealthRegistry } from '../../core/health.ts';
import { createLogger } from '../../core/logger.ts';
import { KeyStore } from '../../keys/api-keys.ts';
import { projectRoot, runCli } from '../support/cli.ts';
import { openTestClickHouse } from '../support/clickhouse.ts';
import { readMessages, testKafka, uniqueTopic } from '../support/kafka.ts';

// smartctl cannot read drives here: a stand-in script replays real smartctl documents (test/support/smartctl-stand-in.mjs).
const standIn = join(projectRoot, 'test', 'support', 'smartctl-stand-in.mjs');
const devices = {
  '/dev/nvme0': 'smart-nvme.json',
  '/dev/nvme1': 'nvme-intel-dc-p3700-16pb.json',
  '/dev/sda': 'sata-kingston-sa400-exit4.json',
  '/dev/sdb': 'smart-ata.json', // an HDD: the server refuses it for good
  '/dev/sdz': 'smart-ata2.json', // left out with --exclude
};
process.env.SMARTCTL_STAND_IN_DEVICES = JSON.stringify(devices);

const config = loadConfig({ WEARWATCH_LOG_LEVEL: 'silent', API_RATE_LIMIT: '100000' });
const logger = createLogger(config);
const kafka = testKafka();
let clickhouse: ClickHouse;
let topic: string;
let key: string;
let app: ApiServer | undefined;
let port = 0;
const producer = kafka.producer();

/** The API on a fixed port, started again after an outage on the same one, as a restarted server would be. */
async function serverUp(): Promise<void> {
  app = await buildServer({
    config,
    logger,
    health: new HealthRegistry(),
    clickhouse,
    catalog: loadCatalog(),
    producer,
    topics: { telemetry: topic, enrollment: topic, rma: topic },
  });
  await app.listen({ host: '127.0.0.1', port });
  port = (app.server.address() as { port: number }).port;
}
async function serverDown(): Promise<void> {
  await app?.close();
  app = undefined;
}

let clock = Date.parse('2026-01-01T00:00:00Z');
const agentOn = (spoolDir: string, spoolMax: number) =>
  new Agent(new Smartctl(standIn), new Spool(spoolDir, spoolMax), new GatewaySender(`http://127.0.0.1:${port}`, key, 5_000), logger, {
    fleet: 'fleet-a',
    include: [],
    exclude: ['/dev/sdz'],
    // One minute per document, so every document of the run has its own collection time to order by.
    now: () => new Date((clock += 60_000)),
  });

/** The collection times the topic holds for the NVMe drive, in the order they arrived. */
async function nvmeTimes(count: number): Promise<string[]> {
  const messages = (await readMessages(kafka, topic, count)).map(
    (m) => JSON.parse(m.value!.toString()) as { collected_at: string; smartctl: { serial_number: string } },
  );
  return messages.filter((m) => m.smartctl.serial_number === 'BTNH93710FS91P0B').map((m) => m.collected_at);
}

beforeAll(async () => {
  clickhouse = await openTestClickHouse();
  topic = await uniqueTopic(kafka, 'agent-telemetry', 1);
  await producer.connect();
  key = (await new KeyStore(clickhouse.client).create({ name: 'agent', role: 'fleet_manager', fleet_ids: ['fleet-a'] })).key;
  await serverUp();
});
afterAll(async () => {
  await serverDown();
  await producer.disconnect();
  await clickhouse?.close();
});

describe('wearwatch agent', () => {
  it('--dry-run prints one wrapped document per selected device and sends nothing', () => {
    const result = runCli(['agent', '--once', '--dry-run', '--fleet', 'fleet-a', '--smartctl', standIn, '--exclude', '/dev/sdz,/dev/sdb'], {
      SMARTCTL_STAND_IN_DEVICES: JSON.stringify(devices),
      WEARWATCH_DATA: mkdtempSync(join(tmpdir(), 'wearwatch-agent-cli-')),
    });
    expect(result.status).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.schema, l.fleet_id, l.smartctl.serial_number])).toEqual([
      ['wearwatch.telemetry.smartctl.v1', 'fleet-a', 'BTNH93710FS91P0B'],
      ['wearwatch.telemetry.smartctl.v1', 'fleet-a', 'REDACTED'],
      ['wearwatch.telemetry.smartctl.v1', 'fleet-a', '50026B73815A7309'],
    ]);
    // The 16.58 PB drive's document is embedded as smartctl printed it.
    expect(result.stdout).toContain('"data_units_written":32381395004');
  });

  it('spools through a server outage and sends everything in order when the server is back', async () => {
    const agent = agentOn(mkdtempSync(join(tmpdir(), 'wearwatch-agent-spool-')), 100);
    expect(await agent.cycle()).toMatchObject({ devices: 4, collected: 4, sent: 3, refused: 1, spooled: 0, dropped: 0 });

    await serverDown();
    const during = [await agent.cycle(), await agent.cycle()];
    expect(during.map((r) => [r.collected, r.sent, r.spooled])).toEqual([
      [4, 0, 4],
      [4, 0, 8],
    ]);
    expect(during[0]!.error).toMatch(/fetch failed|ECONNREFUSED/);

    await serverUp();
    // The 8 spooled documents go first, then this cycle's 4; HDD documents are refused for good and not kept.
    expect(await agent.cycle()).toMatchObject({ collected: 4, sent: 9, refused: 3, spooled: 0 });
    const times = await nvmeTimes(12);
    expect(times).toHaveLength(4);
    expect(times).toEqual([...times].sort());
  });

  it('drops the oldest beyond --spool-max with a count, and an agent restarted on a full spool sends it in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wearwatch-agent-full-'));
    await serverDown();
    const before = agentOn(dir, 5);
    const reports = [await before.cycle(), await before.cycle()];
    expect(reports.map((r) => [r.collected, r.dropped, r.spooled])).toEqual([
      [4, 0, 4],
      [4, 3, 5],
    ]);
    const kept = new Spool(dir, 5).peek(5).map((e) => JSON.parse(e.message).collected_at as string);

    // A new process on the same spool: the count of dropped documents and the five kept survive the restart.
    const restarted = new Spool(dir, 5);
    expect([restarted.size, restarted.dropped]).toEqual([5, 3]);
    await serverUp();
    const after = agentOn(dir, 5);
    // Kept: the first cycle's HDD document and the whole second cycle (two of the five are HDD documents, refused).
    expect(await after.cycle()).toMatchObject({ collected: 4, sent: 6, refused: 3, spooled: 0, dropped: 0 });
    const all = (await readMessages(kafka, topic, 12 + 6)).slice(12).map((m) => JSON.parse(m.value!.toString()).collected_at as string);
    // The kept documents (less the refused HDD ones) arrive first and in their order, then the new collection.
    expect(all.slice(0, 3)).toEqual(kept.filter((t) => all.includes(t)));
    expect(all).toEqual([...all].sort());
  });

  it('sends through Kafka as well, keyed by serial', async () => {
    const kafkaTopic = await uniqueTopic(kafka, 'agent-kafka', 1);
    const kafkaProducer = kafka.producer();
    await kafkaProducer.connect();
    const agent = new Agent(
      new Smartctl(standIn),
      new Spool(mkdtempSync(join(tmpdir(), 'wearwatch-agent-kafka-')), 10),
      new KafkaSender(kafkaProducer, kafkaTopic, 'kafka'),
      logger,
      {
        fleet: 'fleet-a',
        include: ['/dev/nvme0', '/dev/sda'],
        exclude: [],
      },
    );
    expect(await agent.cycle()).toMatchObject({ collected: 2, sent: 2, spooled: 0 });
    await kafkaProducer.disconnect();
    expect((await readMessages(kafka, kafkaTopic, 2)).map((m) => m.key!.toString())).toEqual(['BTNH93710FS91P0B', '50026B73815A7309']);
  });
});
