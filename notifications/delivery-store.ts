import type { ClickHouseClient } from '../core/clickhouse.ts';
import { type AlertEvent, alertEvent } from '../core/contracts/alert.ts';
import { insertRows, queryRows } from '../core/query.ts';
import { isoTime } from '../core/sql.ts';

export const deliveryStatuses = ['pending', 'delivered', 'dead', 'suppressed'] as const;
type DeliveryStatus = (typeof deliveryStatuses)[number];

/** One alert on one channel: its state, attempts so far, when it is next due and the last failure. */
export type Delivery = {
  channel_id: string;
  alert_id: string;
  fleet_id: string;
  serial: string;
  flag: string;
  level: string;
  action: string;
  alert: AlertEvent;
  status: DeliveryStatus;
  attempts: number;
  next_at: string;
  last_error: string;
  created_at: string;
  updated_at: string;
};

type DeliveryRow = Omit<Delivery, 'alert'> & { alert: string };

const columns = `channel_id, alert_id, toString(fleet_id) AS fleet_id, serial, toString(flag) AS flag, toString(level) AS level, toString(action) AS action,
  alert, toString(status) AS status, attempts, ${isoTime('next_at')} AS next_at, last_error, ${isoTime('created_at')} AS created_at,
  ${isoTime('updated_at')} AS updated_at`;

const fromRow = (r: DeliveryRow): Delivery => ({ ...r, attempts: Number(r.attempts), alert: alertEvent.parse(JSON.parse(r.alert)) });

export interface DeliveryFilter {
  status?: DeliveryStatus;
  channelId?: string;
  limit: number;
}

/**
 * Deliveries in ClickHouse, one row per (alert, channel) and state change, newest state winning. Recording the
 * pending row before the Kafka offset is committed, and never enqueueing a pair that has a row, makes delivery at
 * least once and a redelivered alert a no-op.
 */
export class DeliveryStore {
  constructor(private readonly client: ClickHouseClient) {}

  /** Records each (alert, channel) pair not seen before as pending, due now; returns how many were new. */
  async enqueue(pairs: { alertId: string; channelId: string; alert: AlertEvent }[], now: Date): Promise<number> {
    if (pairs.length === 0) return 0;
    const known = await queryRows<{ alert_id: string; channel_id: string }>(
      this.client,
      'SELECT DISTINCT alert_id, channel_id FROM notification_deliveries WHERE alert_id IN {ids:Array(String)}',
      { ids: [...new Set(pairs.map((p) => p.alertId))] },
    );
    const seen = new Set(known.map((k) => `${k.alert_id}\n${k.channel_id}`));
    const fresh = pairs.filter((p) => !seen.has(`${p.alertId}\n${p.channelId}`));
    await insertRows(
      this.client,
      'notification_deliveries',
      fresh.map((p) => this.row(p.alert, p.alertId, p.channelId, { status: 'pending', attempts: 0, next_at: now.toISOString(), last_error: '' }, now, now)),
    );
    return fresh.length;
  }

  /** Pending deliveries due at `now`, oldest first. */
  async due(now: Date, limit: number): Promise<Delivery[]> {
    const rows = await queryRows<DeliveryRow>(
      this.client,
      // The filter runs in a subquery: the outer SELECT's text aliases would shadow the DateTime columns.
      `SELECT ${columns} FROM (
         SELECT * FROM notification_deliveries FINAL WHERE status = 'pending' AND next_at <= fromUnixTimestamp64Milli({now:Int64}, 'UTC')
         ORDER BY next_at LIMIT {limit:UInt32})
       ORDER BY next_at`,
      { now: now.getTime(), limit },
    );
    return rows.map(fromRow);
  }

  /** A delivery's next state. */
  async update(d: Delivery, change: Pick<Delivery, 'status' | 'attempts' | 'next_at' | 'last_error'>, now: Date): Promise<Delivery> {
    const row = this.row(d.alert, d.alert_id, d.channel_id, change, new Date(d.created_at), now);
    await insertRows(this.client, 'notification_deliveries', [row]);
    return { ...d, ...change, updated_at: now.toISOString() };
  }

  async list(fleet: string, filter: DeliveryFilter): Promise<Delivery[]> {
    const rows = await queryRows<DeliveryRow>(
      this.client,
      `SELECT ${columns} FROM notification_deliveries FINAL
       WHERE fleet_id = {fleet:String} AND ({status:String} = '' OR status = {status:String}) AND ({channel:String} = '' OR channel_id = {channel:String})
       ORDER BY updated_at DESC LIMIT {limit:UInt32}`,
      { fleet, status: filter.status ?? '', channel: filter.channelId ?? '', limit: filter.limit },
    );
    return rows.map(fromRow);
  }

  async get(fleet: string, channelId: string, alertId: string): Promise<Delivery | undefined> {
    const [row] = await queryRows<DeliveryRow>(
      this.client,
      `SELECT ${columns} FROM notification_deliveries FINAL WHERE alert_id = {alert:String} AND channel_id = {channel:String} AND fleet_id = {fleet:String}`,
      { fleet, channel: channelId, alert: alertId },
    );
    return row ? fromRow(row) : undefined;
  }

  private row(
    alert: AlertEvent,
    alertId: string,
    channelId: string,
    state: Pick<Delivery, 'status' | 'attempts' | 'next_at' | 'last_error'>,
    created: Date,
    now: Date,
  ) {
    return {
      channel_id: channelId,
      alert_id: alertId,
      fleet_id: alert.fleet_id,
      serial: alert.serial,
      flag: alert.flag,
      level: alert.level,
      action: alert.action,
      alert: JSON.stringify(alert),
      status: state.status,
      attempts: state.attempts,
      next_at: Date.parse(state.next_at),
      last_error: state.last_error.slice(0, 1000),
      created_at: created.getTime(),
      updated_at: now.getTime(),
    };
  }
}
