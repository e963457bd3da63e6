import { clickhouseDatasourceType, type Dashboard, dashboard, type Panel, type Variable } from './model.ts';

/** The datasource uid the dashboards reference; the provisioning file creates the datasource under this uid. */
export const datasourceUid = 'wearwatch-clickhouse';
const datasource = { type: clickhouseDatasourceType, uid: datasourceUid } as const;

interface PanelSpec {
  title: string;
  description: string;
  type: Panel['type'];
  sql: string;
  /** timeseries: rows of (time, series, value) the plugin pivots into lines; table: rows as they are */
  format: 'timeseries' | 'table';
  /** the columns the query must return, in order (the tests run every query on the real schema and compare) */
  columns: string[];
  width: number;
  height: number;
  unit?: string;
  options?: Record<string, unknown>;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: Variable[];
  panels: PanelSpec[];
}

/** A dropdown of catalog models, with "All" as the default; queries test `'${model}' = '__all' OR model = '${model}'`. */
export const modelVariable: Variable = {
  name: 'model',
  label: 'Model',
  type: 'query',
  query: 'SELECT DISTINCT model FROM catalog_models ORDER BY model',
  datasource,
  current: { text: 'All', value: '$__all' },
  includeAll: true,
  allValue: '__all',
  options: [],
  refresh: 1,
  hide: 0,
};

/** SQL condition for the model variable on a `model` column. */
export const modelCondition = `('\${model}' = '__all' OR model = '\${model}')`;

export function numberVariable(name: string, label: string, value: number): Variable {
  return { name, label, type: 'textbox', query: String(value), current: { text: String(value), value: String(value) }, options: [], hide: 0 };
}

/** Lays panels out left to right, wrapping at Grafana's 24-column grid, and validates the result against the model. */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels: Panel[] = spec.panels.map((p, i) => {
    if (x + p.width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w: p.width, h: p.height };
    x += p.width;
    rowHeight = Math.max(rowHeight, p.height);
    return {
      id: i + 1,
      type: p.type,
      title: p.title,
      description: p.description,
      gridPos,
      datasource,
      targets: [
        {
          refId: 'A',
          datasource,
          editorType: 'sql',
          queryType: p.format,
          format: p.format === 'timeseries' ? 0 : 1,
          rawSql: p.sql.replace(/\s+/g, ' ').trim(),
        },
      ],
      fieldConfig: { defaults: p.unit ? { unit: p.unit } : {}, overrides: [] },
      options: p.options ?? {},
    };
  });
  return dashboard.parse({
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['wearwatch'],
    timezone: 'utc',
    editable: true,
    schemaVersion: 39,
    version: 0,
    refresh: '5m',
    time: { from: 'now-1y', to: 'now' },
    templating: { list: spec.variables },
    annotations: { list: [] },
    panels,
  });
}
