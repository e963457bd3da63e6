import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ClickHouseClient } from '../clickhouse.ts';
import { WearwatchError } from '../errors.ts';
import { insertRows } from '../query.ts';
import { decodeManufactureDate, type SerialDecode, type SerialFormat, type SerialGroups, serialGroups } from './serial.ts';

export const defaultCatalogPath = join(dirname(fileURLToPath(import.meta.url)), 'catalog.json');

const code = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, dash or underscore (1-32)');

const serialFormat = z.object({ pattern: z.string().min(1), example: z.string().min(1), description: z.string().min(1) }).superRefine((format, ctx) => {
  const groups = serialGroups(format.pattern);
  if (typeof groups === 'string') ctx.addIssue({ code: 'custom', path: ['pattern'], message: groups });
});

const model = z
  .object({
    model: z.string().trim().min(1).max(128),
    product_line: code,
    kind: z.enum(['ssd', 'tf']),
    capacity_gb: z.number().int().positive(),
    tbw_tb: z.number().positive().optional(),
    pe_cycles: z.number().int().positive().optional(),
    warranty_months: z.number().int().min(1).max(240),
    temp_min_c: z.number().int().min(-60).max(150),
    temp_max_c: z.number().int().min(-60).max(150),
  })
  .strict()
  .superRefine((m, ctx) => {
    // The policy limits an SSD by TBW and a TF card by P/E cycles (clauses I and III); each needs its own rating.
    if (m.kind === 'ssd' && m.tbw_tb === undefined) ctx.addIssue({ code: 'custom', path: ['tbw_tb'], message: 'an SSD needs its TBW rating' });
    if (m.kind === 'tf' && m.pe_cycles === undefined) ctx.addIssue({ code: 'custom', path: ['pe_cycles'], message: 'a TF card needs its P/E cycle rating' });
    if (m.temp_min_c >= m.temp_max_c) ctx.addIssue({ code: 'custom', path: ['temp_max_c'], message: 'must be above temp_min_c' });
  });

const catalogSchema = z
  .object({
    version: z.string().min(1).max(64),
    vendor: z.string().min(1),
    serial_formats: z.record(code, serialFormat),
    product_lines: z.record(code, z.object({ name: z.string().min(1), serial_format: code })),
    models: z.array(model).min(1),
  })
  .superRefine((c, ctx) => {
    for (const [line, def] of Object.entries(c.product_lines)) {
      if (!c.serial_formats[def.serial_format]) {
        ctx.addIssue({ code: 'custom', path: ['product_lines', line, 'serial_format'], message: `no serial format named "${def.serial_format}"` });
      }
    }
    const seen = new Set<string>();
    c.models.forEach((m, i) => {
      if (seen.has(m.model)) ctx.addIssue({ code: 'custom', path: ['models', i, 'model'], message: `duplicate model ${m.model}` });
      seen.add(m.model);
      if (!c.product_lines[m.product_line])
        ctx.addIssue({ code: 'custom', path: ['models', i, 'product_line'], message: `no product line "${m.product_line}"` });
    });
  });

export type CatalogModel = z.output<typeof model>;
export type CatalogData = z.output<typeof catalogSchema>;

export interface Catalog extends CatalogData {
  /** The serial format each product line uses, with its date group positions. */
  formats: Map<string, { name: string; format: SerialFormat; groups: SerialGroups }>;
  byModel: Map<string, CatalogModel>;
}

/** Validates catalog data; errors name the model (or section) and the field. */
export function parseCatalog(data: unknown, source = 'catalog'): Catalog {
  const parsed = catalogSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String);
      const at =
        path[0] === 'models' && path.length > 1 && Array.isArray((data as CatalogData)?.models)
          ? `model ${JSON.stringify((data as CatalogData).models[Number(path[1])]?.model ?? `#${path[1]}`)} field ${path.slice(2).join('.') || '(entry)'}`
          : path.join('.') || '(root)';
      return `${at}: ${issue.message}`;
    });
    throw new WearwatchError('WW_CATALOG_INVALID', `${source} is invalid:\n  ${problems.join('\n  ')}`, 'fix the named fields in the catalog file');
  }
  const c = parsed.data;
  const formats = new Map(
    Object.entries(c.product_lines).map(([line, def]) => {
      const format = c.serial_formats[def.serial_format]!;
      return [line, { name: def.serial_format, format, groups: serialGroups(format.pattern) as SerialGroups }] as const;
    }),
  );
  return { ...c, formats, byModel: new Map(c.models.map((m) => [m.model, m])) };
}

/** Reads and validates the catalog file (the repo's catalog.json unless a vendor's own file is given). */
export function loadCatalog(path = defaultCatalogPath): Catalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new WearwatchError('WW_CATALOG_MISSING', `cannot read catalog ${path}: ${(cause as Error).message}`, 'point to an existing catalog JSON file', {
      cause,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new WearwatchError('WW_CATALOG_INVALID', `catalog ${path} is not JSON: ${(cause as Error).message}`, 'fix the JSON syntax', { cause });
  }
  return parseCatalog(data, `catalog ${path}`);
}

export function findModel(catalog: Catalog, name: string): CatalogModel | undefined {
  return catalog.byModel.get(name);
}

/** Manufacturing date from a serial, using the format of the model's product line. */
export function decodeSerial(catalog: Catalog, serial: string, productLine: string): SerialDecode {
  const entry = catalog.formats.get(productLine);
  if (!entry) return { ok: false, format: null, reason: `product line ${productLine} has no serial format in catalog ${catalog.version}` };
  return decodeManufactureDate(serial, entry.name, entry.format);
}

/** A model as published and stored: absent ratings are explicit nulls, and the catalog version travels with it. */
export function modelRecord(catalog: Catalog, m: CatalogModel) {
  return {
    model: m.model,
    product_line: m.product_line,
    kind: m.kind,
    capacity_gb: m.capacity_gb,
    tbw_tb: m.tbw_tb ?? null,
    pe_cycles: m.pe_cycles ?? null,
    warranty_months: m.warranty_months,
    temp_min_c: m.temp_min_c,
    temp_max_c: m.temp_max_c,
    catalog_version: catalog.version,
  };
}

/** Writes every model into catalog_models; the newest load of a model wins (ReplacingMergeTree on loaded_at). */
export async function writeCatalog(client: ClickHouseClient, catalog: Catalog): Promise<number> {
  const loadedAt = Date.now();
  await insertRows(
    client,
    'catalog_models',
    catalog.models.map((m) => ({
      ...modelRecord(catalog, m),
      serial_format: catalog.formats.get(m.product_line)!.name,
      loaded_at: loadedAt,
    })),
  );
  return catalog.models.length;
}
