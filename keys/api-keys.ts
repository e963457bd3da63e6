import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { fleetId } from '../core/contracts/common.ts';
import { insertRows, queryRows } from '../core/query.ts';

export const roles = ['fleet_manager', 'quality', 'support', 'admin'] as const;
export type Role = (typeof roles)[number];

/** What a key may do: its role and, for a fleet manager, the fleets it sees. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  fleetIds: string[];
}

export interface StoredKey extends Principal {
  createdAt: string;
  revokedAt: string | null;
}

/**
 * A key reads `wwk_<id>_<secret>`. The id is not secret: it finds the row. Only a SHA-256 of the 256-bit random secret
 * is stored; with that much entropy a slow password hash buys nothing, and each request stays cheap.
 */
const keyPattern = /^wwk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export function parseKey(text: string): { keyId: string; secret: string } | undefined {
  const match = keyPattern.exec(text.trim());
  return match ? { keyId: match[1]!, secret: match[2]! } : undefined;
}

/** Constant-time comparison of a presented secret against the stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export const newKeyRequest = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(roles),
    fleet_ids: z.array(fleetId).max(100).default([]),
  })
  .superRefine((k, ctx) => {
    if (k.role === 'fleet_manager' && k.fleet_ids.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['fleet_ids'], message: 'a fleet_manager key names at least one fleet' });
    }
    if (k.role !== 'fleet_manager' && k.fleet_ids.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['fleet_ids'], message: `only fleet_manager keys are limited to fleets; a ${k.role} key sees every fleet` });
    }
  });
export type NewKeyRequest = z.input<typeof newKeyRequest>;

interface KeyRow {
  key_id: string;
  name: string;
  role: Role;
  fleet_ids: string[];
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
  version: number;
}

const toStored = (row: KeyRow): StoredKey => ({
  keyId: row.key_id,
  name: row.name,
  role: row.role,
  fleetIds: row.fleet_ids,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

/** API keys in ClickHouse (`api_keys`). */
export class KeyStore {
  constructor(private readonly client: ClickHouseClient) {}

  /** Creates a key and returns it with its one-time plain text; only the hash is kept. */
  async create(request: NewKeyRequest, now = new Date()): Promise<{ key: string; stored: StoredKey }> {
    const parsed = newKeyRequest.parse(request);
    const keyId = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const row = {
      key_id: keyId,
      name: parsed.name,
      role: parsed.role,
      fleet_ids: parsed.fleet_ids,
      secret_hash: hashSecret(secret),
      created_at: now.toISOString(),
      revoked_at: null,
      version: now.getTime(),
    };
    await insertRows(this.client, 'api_keys', [row]);
    return { key: `wwk_${keyId}_${secret}`, stored: toStored(row) };
  }

  async list(): Promise<StoredKey[]> {
    const rows = await queryRows<KeyRow>(
      this.client,
      `SELECT key_id, name, role, fleet_ids, secret_hash, toString(created_at) AS created_at,
                     if(revoked_at IS NULL, NULL, toString(revoked_at)) AS revoked_at, version
              FROM api_keys FINAL ORDER BY created_at`,
    );
    return rows.map(toStored);
  }

  /** Marks a key revoked; false when no such key exists. Revoking twice keeps the first revocation time. */
  async revoke(keyId: string, now = new Date()): Promise<boolean> {
    const rows = await this.rows(keyId);
    const row = rows[0];
    if (!row) return false;
    if (row.revoked_at) return true;
    await insertRows(this.client, 'api_keys', [{ ...row, revoked_at: now.toISOString(), version: Math.max(now.getTime(), row.version + 1) }]);
    return true;
  }

  /** The principal a presented key stands for, or undefined when it is malformed, unknown, wrong or revoked. */
  async verify(presented: string): Promise<Principal | undefined> {
    const parsed = parseKey(presented);
    if (!parsed) return undefined;
    const row = (await this.rows(parsed.keyId))[0];
    if (!row || row.revoked_at || !secretMatches(parsed.secret, row.secret_hash)) return undefined;
    return { keyId: row.key_id, name: row.name, role: row.role, fleetIds: row.fleet_ids };
  }

  private async rows(keyId: string): Promise<KeyRow[]> {
    return queryRows<KeyRow>(
      this.client,
      `SELECT key_id, name, role, fleet_ids, secret_hash, toString(created_at) AS created_at,
                     if(revoked_at IS NULL, NULL, toString(revoked_at)) AS revoked_at, version
              FROM api_keys FINAL WHERE key_id = {keyId:String}`,
      { keyId },
    );
  }
}
