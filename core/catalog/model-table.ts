import { z } from 'zod';
import { type Catalog, modelRecord } from './load.ts';

export const modelInfo = z
  .object({
    model: z.string(),
    product_line: z.string(),
    product_line_name: z.string(),
    kind: z.enum(['ssd', 'tf']),
    capacity_gb: z.number(),
    tbw_tb: z.number().nullable().describe('terabytes written the SSD is rated for; null for TF cards'),
    pe_cycles: z.number().nullable().describe('program/erase cycles the TF card is rated for; null for SSDs'),
    warranty_months: z.number(),
    temp_min_c: z.number(),
    temp_max_c: z.number(),
    catalog_version: z.string(),
  })
  .meta({ id: 'Model' });
export type ModelInfo = z.output<typeof modelInfo>;

/**
 * The model table served to customers, from the same validated catalog the warranty rules evaluate against, so the
 * published ratings and the ratings applied can never disagree. SSDs first, then TF cards, each by capacity.
 */
export function modelTable(catalog: Catalog): ModelInfo[] {
  return catalog.models
    .map((m) => ({ ...modelRecord(catalog, m), product_line_name: catalog.product_lines[m.product_line]?.name ?? m.product_line }))
    .sort(
      (a, b) => a.kind.localeCompare(b.kind) || a.product_line.localeCompare(b.product_line) || a.capacity_gb - b.capacity_gb || a.model.localeCompare(b.model),
    );
}
