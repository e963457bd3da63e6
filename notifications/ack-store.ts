import type { ClickHouseClient } from '../core/clickhouse.ts';
import { insertRows, queryRows } from '../core/query.ts';
import { isoTime } from '../core/sql.ts';
import type { FlagAck } from './routing.ts';

export type FlagAckRecord = FlagAck & {
  fleet_id: string;
  serial: string;
  flag: string;
};

const columns = `toString(fleet_id) AS fleet_id, serial, toString(flag) AS flag, toString(kind) AS kind, toString(level) AS level,
  if(until IS NULL, NULL, ${isoTime('assumeNotNull(until)')}) AS until, by, reason, ${isoTime('at')} AS at`;

/** Acknowledgements and snoozes of flags, every one kept; the newest per (serial, flag) is in force. */
export class AckStore {
  constructor(private readonly client: ClickHouseClient) {}

  /** The newest record of each flag of a fleet (optionally of one serial). */
  async current(fleet: string, serial?: string): Promise<FlagAckRecord[]> {
    return queryRows<FlagAckRecord>(
      this.client,
      `SELECT ${columns} FROM flag_acknowledgements
       WHERE fleet_id = {fleet:String} AND ({serial:String} = '' OR serial = {serial:String})
       ORDER BY at DESC LIMIT 1 BY serial, flag`,
      { fleet, serial: serial ?? '' },
    );
  }

  /** The newest record of one flag, or null. */
  async of(fleet: string, serial: string, flag: string): Promise<FlagAck | null> {
    return (await this.current(fleet, serial)).find((a) => a.flag === flag) ?? null;
  }

  /** The records of one flag, newest first: who acknowledged or snoozed it, when and why. */
  async history(fleet: string, serial: string, flag: string): Promise<FlagAckRecord[]> {
    return queryRows<FlagAckRecord>(
      this.client,
      `SELECT ${columns} FROM flag_acknowledgements WHERE fleet_id = {fleet:String} AND serial = {serial:String} AND flag = {flag:String} ORDER BY at DESC`,
      { fleet, serial, flag },
    );
  }

  async record(entry: FlagAckRecord): Promise<void> {
    await insertRows(this.client, 'flag_acknowledgements', [
      { ...entry, until: entry.until === null ? null : Date.parse(entry.until), at: Date.parse(entry.at) },
    ]);
  }
}
