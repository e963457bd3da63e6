import { type Catalog, decodeSerial } from '../core/catalog/load.ts';
import type { ClickHouse } from '../core/clickhouse.ts';
import { insertRows, queryRows } from '../core/query.ts';

export interface UnitAttributes {
  serial: string;
  batch: string;
  manufactured_on: string | null;
}

/**
 * Manufacturing batch of a unit: its product line and the manufacturing week (or month) its serial encodes, named by
 * that period's first day, e.g. "NV 2024-11-18". Units of one batch came off the line together, so a batch-level
 * excess of failures points at a production problem.
 */
export function unitAttributes(catalog: Catalog, serial: string, model: string): UnitAttributes {
  const line = catalog.byModel.get(model)?.product_line;
  if (!line) return { serial, batch: 'unknown model', manufactured_on: null };
  const decoded = decodeSerial(catalog, serial, line);
  return decoded.ok
    ? { serial, batch: `${line} ${decoded.manufactured}`, manufactured_on: decoded.manufactured }
    : { serial, batch: 'undecodable serial', manufactured_on: null };
}

/**
 * Decodes the serials of enrolled drives not decoded yet into analytics_units (SQL cannot apply the catalog's
 * named-group patterns). Cheap when nothing is new, so it runs before every analytics read and on the scheduler.
 */
export async function refreshUnitAttributes(ch: ClickHouse, catalog: Catalog, batchSize = 50_000): Promise<number> {
  let written = 0;
  for (;;) {
    const rows = await queryRows<{ serial: string; model: string }>(
      ch.client,
      `SELECT d.serial AS serial, toString(d.model) AS model FROM drives AS d FINAL
              WHERE d.serial NOT IN (SELECT serial FROM analytics_units)
              ORDER BY d.serial LIMIT {limit:UInt32}`,
      { limit: batchSize },
    );
    if (rows.length === 0) return written;
    const decodedAt = Date.now();
    await insertRows(
      ch.client,
      'analytics_units',
      rows.map((r) => ({ ...unitAttributes(catalog, r.serial, r.model), decoded_at: decodedAt })),
    );
    written += rows.length;
    if (rows.length < batchSize) return written;
  }
}
