import type { ClickHouseClient } from '../core/clickhouse.ts';
import { type AlertFlag, alertFlags } from '../core/contracts/alert.ts';
import { queryRows } from '../core/query.ts';
import { type CurrentFlag, currentFlags } from '../warranty/queries.ts';
import { AckStore, type FlagAckRecord } from './ack-store.ts';
import { ackState } from './routing.ts';

export const flagStates = ['open', 'acknowledged', 'snoozed'] as const;
type FlagState = (typeof flagStates)[number];

/** A raised flag as a fleet manager sees it: since when at this level, and whether someone acknowledged or snoozed it. */
export type InboxFlag = Omit<CurrentFlag, 'fleet_id'> & {
  raised_at: string | null;
  state: FlagState;
  ack: Omit<FlagAckRecord, 'fleet_id' | 'serial' | 'flag'> | null;
};

export interface InboxFilter {
  serial?: string;
  flag?: string;
  level?: string;
  state?: FlagState;
  limit: number;
  offset: number;
}

/** The fleet's flags raised by the latest evaluation with their acknowledgement state, most urgent first. */
export async function flagInbox(
  client: ClickHouseClient,
  fleet: string,
  filter: InboxFilter,
  now = new Date(),
): Promise<{ total: number; flags: InboxFlag[] }> {
  const [flags, acks, raised] = await Promise.all([
    currentFlags(client, { fleetId: fleet, flag: filter.flag }),
    new AckStore(client).current(fleet, filter.serial),
    queryRows<{ serial: string; flag: string; level: string; raised_at: string }>(
      client,
      `SELECT serial, toString(flag) AS flag, toString(level) AS level, concat(replaceOne(toString(max(at)), ' ', 'T'), 'Z') AS raised_at
       FROM warranty_flag_events WHERE fleet_id = {fleet:String} AND action = 'raised' AND ({serial:String} = '' OR serial = {serial:String})
       GROUP BY serial, flag, level`,
      { fleet, serial: filter.serial ?? '' },
    ),
  ]);
  const ackOf = new Map(acks.map((a) => [`${a.serial}\n${a.flag}`, a]));
  const raisedAt = new Map(raised.map((r) => [`${r.serial}\n${r.flag}\n${r.level}`, r.raised_at]));
  const levelOrder = ['critical', 'warn', 'review', 'info'];
  // Within a level, wear near the rating first: it is what ends coverage.
  const flagOrder = alertFlags;
  const all = flags
    .filter((f) => (!filter.serial || f.serial === filter.serial) && (!filter.level || f.level === filter.level))
    .map(({ fleet_id: _, ...f }): InboxFlag => {
      const ack = ackOf.get(`${f.serial}\n${f.flag}`) ?? null;
      const since = raisedAt.get(`${f.serial}\n${f.flag}\n${f.level}`) ?? null;
      const state = ackState(ack, f.level, since, now) ?? 'open';
      const shown = ack && state !== 'open' ? { kind: ack.kind, level: ack.level, until: ack.until, by: ack.by, reason: ack.reason, at: ack.at } : null;
      return { ...f, raised_at: since, state, ack: shown };
    })
    .filter((f) => !filter.state || f.state === filter.state)
    .sort(
      (a, b) =>
        levelOrder.indexOf(a.level) - levelOrder.indexOf(b.level) ||
        flagOrder.indexOf(a.flag as AlertFlag) - flagOrder.indexOf(b.flag as AlertFlag) ||
        b.value - a.value ||
        a.serial.localeCompare(b.serial),
    );
  return { total: all.length, flags: all.slice(filter.offset, filter.offset + filter.limit) };
}
