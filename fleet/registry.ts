import type { Producer } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { type Enrollment, enrollment } from '../core/contracts/enrollment.ts';
import { decodeEnrollment } from '../core/contracts/rows.ts';
import { type TelemetrySample, telemetrySample } from '../core/contracts/telemetry.ts';
import { insertRows, queryFirst } from '../core/query.ts';

/**
 * Units the vendor learns of outside a fleet's bulk enrolment: a replacement serial the desk ships, a product a retail
 * customer registers. Each is published as an enrolment on Kafka (the record, ingest writes it) and written to
 * `drives` at once as the very row ingest will write, so it can be looked up and claimed right away (the
 * ReplacingMergeTree makes the two copies one, as for RMA events).
 */
export class UnitRegistry {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly telemetryTopic: string,
  ) {}

  /** Publishes and writes one enrolment; `fields` are the contract's fields less schema and enrolled_at. */
  async enrol(fields: Omit<Enrollment, 'schema' | 'enrolled_at'>, at = new Date()): Promise<Enrollment> {
    const message = enrollment.parse({ ...fields, schema: 'wearwatch.enrollment.v1', enrolled_at: at.toISOString() });
    const value = JSON.stringify(message);
    await this.producer.send({ topic: this.topic, acks: -1, messages: [{ key: message.serial, value }] });
    const decoded = decodeEnrollment(Buffer.from(value));
    if (decoded.ok) await insertRows(this.client, 'drives', [decoded.row]);
    return message;
  }

  /**
   * Publishes and writes one telemetry sample read outside the unit's own agent (an inspector's bench reading), so the
   * rules count it like any other sample at once.
   */
  async recordSample(fields: Omit<TelemetrySample, 'schema' | 'firmware' | 'source'> & { source: TelemetrySample['source'] }): Promise<void> {
    const message = telemetrySample.parse({ ...fields, schema: 'wearwatch.telemetry.v1' });
    const value = JSON.stringify(message);
    await this.producer.send({ topic: this.telemetryTopic, acks: -1, messages: [{ key: message.serial, value }] });
    const { schema: _schema, ...row } = message;
    await insertRows(this.client, 'telemetry', [row]);
  }

  /** The fleet a serial is enrolled in, or null when no fleet holds it. */
  async ownerOf(serial: string): Promise<string | null> {
    const row = await queryFirst<{ fleet_id: string }>(this.client, 'SELECT toString(fleet_id) AS fleet_id FROM drives FINAL WHERE serial = {serial:String}', {
      serial,
    });
    return row?.fleet_id ?? null;
  }
}
