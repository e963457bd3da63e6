import { z } from 'zod';

/**
 * The parts of Grafana's dashboard JSON model (schemaVersion 39+) these dashboards use, and of the ClickHouse
 * datasource plugin's query model. Strict where a typo would make Grafana silently drop a setting.
 */
export const clickhouseDatasourceType = 'grafana-clickhouse-datasource';

const datasourceRef = z.object({ type: z.literal(clickhouseDatasourceType), uid: z.string().min(1) }).strict();

/** Plugin query formats: 0 time series, 1 table (grafana-clickhouse-datasource `Format`). */
const clickhouseTarget = z
  .object({
    refId: z.string().regex(/^[A-Z]$/),
    datasource: datasourceRef,
    editorType: z.literal('sql'),
    queryType: z.enum(['timeseries', 'table']),
    format: z.union([z.literal(0), z.literal(1)]),
    rawSql: z.string().min(1),
  })
  .strict()
  .refine((t) => (t.queryType === 'timeseries') === (t.format === 0), { path: ['format'], message: 'format 0 goes with queryType timeseries, 1 with table' });

const gridPos = z
  .object({ x: z.number().int().min(0).max(23), y: z.number().int().min(0), w: z.number().int().min(1).max(24), h: z.number().int().min(1) })
  .strict()
  .refine((g) => g.x + g.w <= 24, { message: 'panel runs past the 24-column grid' });

const panelTypes = ['timeseries', 'barchart', 'table', 'stat', 'text'] as const;

const panel = z
  .object({
    id: z.number().int().positive(),
    type: z.enum(panelTypes),
    title: z.string().min(1),
    description: z.string().optional(),
    gridPos,
    datasource: datasourceRef.optional(),
    targets: z.array(clickhouseTarget),
    fieldConfig: z.object({ defaults: z.record(z.string(), z.unknown()), overrides: z.array(z.unknown()) }).strict(),
    options: z.record(z.string(), z.unknown()),
  })
  .strict();

const variable = z
  .object({
    name: z.string().regex(/^[a-z_]+$/),
    label: z.string(),
    type: z.enum(['query', 'custom', 'textbox']),
    query: z.string(),
    datasource: datasourceRef.optional(),
    current: z.object({ text: z.string(), value: z.string() }).strict(),
    includeAll: z.boolean().optional(),
    allValue: z.string().optional(),
    options: z.array(z.unknown()),
    refresh: z.number().int().optional(),
    hide: z.number().int().min(0).max(2),
  })
  .strict();

export const dashboard = z
  .object({
    uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/, 'Grafana uids are up to 40 letters, digits, - or _'),
    title: z.string().min(1),
    description: z.string(),
    tags: z.array(z.string()),
    timezone: z.literal('utc'),
    editable: z.boolean(),
    schemaVersion: z.number().int().min(39),
    version: z.number().int().min(0),
    refresh: z.string(),
    time: z.object({ from: z.string(), to: z.string() }).strict(),
    templating: z.object({ list: z.array(variable) }).strict(),
    annotations: z.object({ list: z.array(z.unknown()) }).strict(),
    panels: z.array(panel).min(1),
  })
  .strict()
  .superRefine((d, ctx) => {
    const ids = d.panels.map((p) => p.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['panels'], message: 'panel ids must be unique' });
  });

export type Dashboard = z.output<typeof dashboard>;
export type Panel = z.output<typeof panel>;
export type Variable = z.output<typeof variable>;
