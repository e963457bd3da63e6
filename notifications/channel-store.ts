import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { insertRows, queryRows } from '../core/query.ts';
import { isoTime } from '../core/sql.ts';
import type { Channel, ChannelInput } from './channel.ts';
import { newWebhookSecret } from './signing.ts';

interface ChannelRow extends Omit<Channel, 'send_cleared' | 'enabled'> {
  send_cleared: number;
  enabled: number;
}

const columns = `channel_id, toString(fleet_id) AS fleet_id, toString(kind) AS kind, name, target, secret, toString(min_level) AS min_level,
  arrayMap(f -> toString(f), flags) AS flags, send_cleared, enabled, version, updated_by, ${isoTime('created_at')} AS created_at, ${isoTime('updated_at')} AS updated_at`;

const fromRow = (r: ChannelRow): Channel => ({
  ...r,
  version: Number(r.version),
  send_cleared: Number(r.send_cleared) === 1,
  enabled: Number(r.enabled) === 1,
});

/** A fleet's notification channels, each change a new version (newest wins; deletion is a tombstone version). */
export class ChannelStore {
  constructor(private readonly client: ClickHouseClient) {}

  /** Live channels of one fleet, or of every fleet. */
  async list(fleet?: string): Promise<Channel[]> {
    const rows = await queryRows<ChannelRow>(
      this.client,
      `SELECT ${columns} FROM notification_channels FINAL WHERE deleted = 0 AND ({all:Bool} OR fleet_id = {fleet:String}) ORDER BY fleet_id, name, channel_id`,
      { all: fleet === undefined, fleet: fleet ?? '' },
    );
    return rows.map(fromRow);
  }

  async get(fleet: string, id: string): Promise<Channel | undefined> {
    return (await this.list(fleet)).find((c) => c.channel_id === id);
  }

  /** Creates a channel; a webhook gets a new signing secret. */
  async create(fleet: string, input: ChannelInput, by: string): Promise<Channel> {
    const created_at = new Date().toISOString();
    return this.write({ channel_id: randomUUID(), fleet_id: fleet, created_at, secret: input.kind === 'webhook' ? newWebhookSecret() : '' }, input, by, false);
  }

  /** Replaces a channel's settings; its id and secret stay (a channel changed to a webhook gets a secret). */
  async update(existing: Channel, input: ChannelInput, by: string): Promise<Channel> {
    const secret = input.kind === 'webhook' ? existing.secret || newWebhookSecret() : '';
    return this.write({ channel_id: existing.channel_id, fleet_id: existing.fleet_id, created_at: existing.created_at, secret }, input, by, false);
  }

  async remove(existing: Channel, by: string): Promise<void> {
    const { channel_id, fleet_id, secret, created_at, ...rest } = existing;
    await this.write({ channel_id, fleet_id, secret, created_at }, rest, by, true);
  }

  private async write(
    id: Pick<Channel, 'channel_id' | 'fleet_id' | 'secret' | 'created_at'>,
    input: Pick<Channel, 'kind' | 'name' | 'target' | 'min_level' | 'flags' | 'send_cleared' | 'enabled'>,
    by: string,
    deleted: boolean,
  ): Promise<Channel> {
    const now = Date.now();
    const [last] = await queryRows<{ v: number }>(this.client, 'SELECT max(version) AS v FROM notification_channels WHERE channel_id = {id:String}', {
      id: id.channel_id,
    });
    const version = Math.max(now, Number(last?.v ?? 0) + 1);
    const channel: Channel = {
      ...id,
      kind: input.kind,
      name: input.name,
      target: input.target,
      min_level: input.min_level,
      flags: input.flags,
      send_cleared: input.send_cleared,
      enabled: input.enabled,
      version,
      updated_by: by,
      updated_at: new Date(now).toISOString(),
    };
    await insertRows(this.client, 'notification_channels', [
      {
        ...channel,
        send_cleared: channel.send_cleared ? 1 : 0,
        enabled: channel.enabled ? 1 : 0,
        deleted: deleted ? 1 : 0,
        created_at: Date.parse(channel.created_at),
        updated_at: now,
      },
    ]);
    return channel;
  }
}
