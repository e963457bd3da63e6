import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { enrollment, rmaEvent, telemetryMessage } from '../../core/contracts/index.ts';
import { normalizeSmartctl } from '../../core/contracts/smartctl/normalize.ts';
import { readBackblazeCsv } from '../../ingest/importers/backblaze.ts';
import { listSmartctlFiles, readSmartctlFile } from '../../ingest/importers/smartctl.ts';
import { ContractProducer } from '../../simulator/producer.ts';
import { projectRoot, runCli } from '../support/cli.ts';
import { smartctlFixtures } from '../support/ingest.ts';
import { readJsonMessages, readMessages, testBrokers, testKafka, uniqueTopic } from '../support/kafka.ts';

const kafka = testKafka();
describe('importers into Kafka', () => {
  it('sends usable smartctl documents as raw telemetry keyed by serial, which ingest can normalise', async () => {
    const telemetry = await uniqueTopic(kafka, 'import.smartctl');
    const producer = new ContractProducer(kafka, { topics: { telemetry } });
    await producer.connect();
    const files = await listSmartctlFiles([smartctlFixtures]);
    const results = await Promise.all(files.map((file) => readSmartctlFile(file, { fleet_id: 'lab-7' })));
    for (const result of results) if (result.ok) await producer.add({ topic: 'telemetry', key: result.serial, value: result.message });
    await producer.disconnect();
    const usable = results.filter((r) => r.ok);
    expect(usable.length).toBeGreaterThanOrEqual(4);
    expect(
      results
        .filter((r) => !r.ok)
        .map((r) => (r.ok ? '' : r.reason))
        .join('\n'),
    ).toMatch(/rotating disk/);

    const messages = await readJsonMessages(kafka, telemetry, usable.length);
    expect(messages.map((m) => m.key).sort()).toEqual(usable.map((r) => (r.ok ? r.serial : '')).sort());
    for (const { key, value } of messages) {
      const parsed = telemetryMessage.parse(value);
      expect(parsed.schema).toBe('wearwatch.telemetry.smartctl.v1');
      if (parsed.schema !== 'wearwatch.telemetry.smartctl.v1') continue;
      expect(parsed.fleet_id).toBe('lab-7');
      const normalized = normalizeSmartctl(parsed.smartctl, { fleet_id: parsed.fleet_id, collected_at: parsed.collected_at });
      expect(normalized.ok && normalized.sample.serial).toBe(key);
    }
  });

  it('enrols each Backblaze drive with its first row, sends rows as telemetry and failures as RMA requests', async () => {
    const telemetry = await uniqueTopic(kafka, 'import.bb.telemetry');
    const rma = await uniqueTopic(kafka, 'import.bb.rma');
    const enrollments = await uniqueTopic(kafka, 'import.bb.enrollment');
    const producer = new ContractProducer(kafka, { topics: { telemetry, rma, enrollment: enrollments } });
    await producer.connect();
    const file = join(projectRoot, 'test', 'fixtures', 'backblaze', '2024-06-drive-stats-sample.csv');
    for await (const record of readBackblazeCsv(file, { fleet_id: 'bb', rma: true })) {
      if (record.kind !== 'sample') continue;
      if (record.enrollment) await producer.add({ topic: 'enrollment', key: record.enrollment.serial, value: record.enrollment });
      await producer.add({ topic: 'telemetry', key: record.sample.serial, value: record.sample });
      if (record.rma) await producer.add({ topic: 'rma', key: record.rma.serial, value: record.rma });
    }
    await producer.disconnect();
    // At least once: a producer retry may repeat a sample (ingest collapses it), so read until all 12 distinct arrived.
    const distinct = (messages: KafkaMessage[]) => new Set(messages.map((m) => `${m.key}@${JSON.parse(m.value!.toString()).collected_at}`)).size;
    const samples = (await readMessages(kafka, telemetry, 12, 30_000, (m) => distinct(m) >= 12)).map((m) => ({
      key: m.key!.toString(),
      value: JSON.parse(m.value!.toString()) as Record<string, unknown>,
    }));
    expect(new Set(samples.map((m) => m.key))).toEqual(new Set(['ZA1FLE1P', '8HJ5Y7KH', 'ZLW18P9K', '7QT032NR']));
    for (const { value } of samples) expect(telemetryMessage.safeParse(value).success).toBe(true);
    const enrolled = await readMessages(kafka, enrollments, 4, 30_000, (m) => new Set(m.map((e) => e.key!.toString())).size >= 4);
    expect([...new Set(enrolled.map((m) => m.key!.toString()))].sort()).toEqual(['7QT032NR', '8HJ5Y7KH', 'ZA1FLE1P', 'ZLW18P9K']);
    for (const m of enrolled) expect(enrollment.parse(JSON.parse(m.value!.toString()))).toMatchObject({ fleet_id: 'bb', price_paid: null });
    const [claim] = await readJsonMessages(kafka, rma, 1);
    expect(rmaEvent.parse(claim!.value)).toMatchObject({ serial: 'ZLW18P9K', event_type: 'requested', reasons: ['drive_failed'] });
  });

  it('the import command checks files without sending on --dry-run and exits 1 when some are unusable', () => {
    const env = { KAFKA_BROKERS: testBrokers().join(',') };
    const smartctl = runCli(['import', 'smartctl', smartctlFixtures, '--fleet', 'lab', '--dry-run'], env);
    expect(smartctl.status).toBe(1);
    expect(smartctl.stderr).toMatch(/unusable: .*smart-ata\.json: .*rotating disk/);
    expect(smartctl.stderr).toMatch(/19 file\(s\): 12 usable \(dry run, nothing sent\), 7 unusable/);
    const noFleet = runCli(['import', 'smartctl', smartctlFixtures, '--fleet', 'bad fleet!'], env);
    expect(noFleet.status).not.toBe(0);
    expect(noFleet.stderr).toMatch(/--fleet <id>.*letters, digits, dot, dash or underscore only/);
    const bb = runCli(['import', 'backblaze', join(projectRoot, 'test', 'fixtures', 'backblaze', '2024-06-drive-stats-sample.csv'), '--dry-run'], env);
    expect(bb.status).toBe(1);
    expect(bb.stderr).toMatch(/14 row\(s\): 4 drives enrolled, 12 telemetry samples usable .*\(1 failures\), 2 rejected/);
  });

  it('names the fix when no Kafka answers', () => {
    const result = runCli(['import', 'smartctl', smartctlFixtures, '--fleet', 'lab'], { KAFKA_BROKERS: '', KAFKA_PORT: '1' }, 60_000);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no Kafka broker answers at 127\.0\.0\.1:1/);
    expect(result.stderr).toMatch(/fix: start `wearwatch up` first/);
  });
});
