import type { Producer } from 'kafkajs';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { InspectionFinding, RmaEvent, RmaEventType } from '../core/contracts/rma.ts';
import { decodeRma } from '../core/contracts/rows.ts';
import { sendInBatches } from '../core/kafka.ts';
import type { Logger } from '../core/logger.ts';
import { insertRows, queryRows } from '../core/query.ts';
import { isoTime } from '../core/sql.ts';

export interface StoredRmaEvent {
  event_id: string;
  rma_number: string;
  serial: string;
  event_type: RmaEventType;
  occurred_at: string;
  findings: InspectionFinding[];
  reasons: string[];
  replacement_serial: string | null;
  details: Record<string, unknown>;
}

export interface RmaSummary {
  rma_number: string;
  serial: string;
  state: RmaEventType;
  opened_at: string;
  updated_at: string;
  events: number;
}

type Row = Omit<StoredRmaEvent, 'details'> & { details: string };

const columns = `toString(event_id) AS event_id, rma_number, serial, toString(event_type) AS event_type,
  ${isoTime('occurred_at')} AS occurred_at, findings, reasons, replacement_serial, details`;

/**
 * RMA events: Kafka (`wearwatch.rma.v1`) is the record; ingest copies it into `rma_events` asynchronously. To let a
 * customer read their RMA right after submitting it, each event is also inserted here directly, as the very row ingest
 * will write (same bytes through the same decoder, same event_id): when ingest's copy lands, the ReplacingMergeTree key
 * (serial, rma_number, occurred_at, event_id) makes the two one row, and reads use FINAL.
 */
export class RmaStore {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  /** Publishes events in order (one serial = one partition, so order holds), then writes them for read-your-writes. */
  async record(events: RmaEvent[]): Promise<void> {
    const values = events.map((e) => JSON.stringify(e));
    await sendInBatches(this.producer, { topic: this.topic, acks: -1, messages: events.map((e, i) => ({ key: e.serial, value: values[i]! })) });
    const rows = values.flatMap((v) => {
      const decoded = decodeRma(Buffer.from(v));
      return decoded.ok ? [decoded.row] : [];
    });
    try {
      await insertRows(this.client, 'rma_events', rows);
    } catch (error) {
      // Kafka already holds the events and ingest will write them; the RMA only shows up a little later.
      this.logger.warn({ err: error, rma: events[0]?.rma_number }, 'direct write of RMA events failed; ingest will deliver them');
    }
  }

  /** Every event of one RMA, oldest first. */
  async history(rmaNumber: string): Promise<StoredRmaEvent[]> {
    const rows = await queryRows<Row>(
      this.client,
      `SELECT ${columns} FROM rma_events FINAL WHERE rma_number = {rmaNumber:String}
              ORDER BY occurred_at, toUInt8(rma_events.event_type)`,
      { rmaNumber },
    );
    return rows.map(parseRow);
  }

  /** RMAs whose latest event is one of `states`, least recently updated first (the desk's work queue). */
  async queue(states: readonly RmaEventType[], limit: number, offset: number): Promise<RmaSummary[]> {
    return queryRows<RmaSummary>(
      this.client,
      `SELECT rma_number, any(serial) AS serial,
                     toString(argMaxIf(event_type, (occurred_at, toUInt8(event_type)), event_type NOT IN ('proof_verified', 'proof_rejected'))) AS state,
                     ${isoTime('min(occurred_at)')} AS opened_at,
                     ${isoTime('max(occurred_at)')} AS updated_at,
                     count() AS events
              FROM rma_events FINAL
              GROUP BY rma_number
              HAVING state IN {states:Array(String)}
              ORDER BY max(occurred_at), rma_number
              LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      { states, limit, offset },
    );
  }

  /** Every RMA event of one unit, oldest first: its claim history. */
  async forSerial(serial: string): Promise<StoredRmaEvent[]> {
    const rows = await queryRows<Row>(
      this.client,
      `SELECT ${columns} FROM rma_events FINAL WHERE serial = {serial:String} ORDER BY occurred_at, toUInt8(rma_events.event_type)`,
      { serial },
    );
    return rows.map(parseRow);
  }
}

function parseRow(row: Row): StoredRmaEvent {
  let details: Record<string, unknown> = {};
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    // Rows come from our own producer; an unreadable details field only loses the extra information.
  }
  return { ...row, details };
}
