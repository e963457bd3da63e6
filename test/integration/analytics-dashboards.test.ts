import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveAdjustedCauses } from '../../analytics/adjusted-causes.ts';
import { forecastClaims, saveForecast } from '../../analytics/forecast/run.ts';
import { refreshUnitAttributes } from '../../analytics/units.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { buildDashboard } from '../../dashboards/build.ts';
import { dashboardSpecs } from '../../dashboards/definitions.ts';
import { openTestClickHouse } from '../support/clickhouse.ts';
import { fleetPlan, writeFleet } from './analytics-fleet.ts';

let ch: ClickHouse;
beforeAll(async () => {
  ch = await openTestClickHouse();
  await writeFleet(ch);
  await refreshUnitAttributes(ch, loadCatalog());
  await saveForecast(ch, await forecastClaims(ch, { months: 3 }));
  expect(await saveAdjustedCauses(ch)).toBeGreaterThan(0);
});
afterAll(() => ch?.close());

/** What the ClickHouse plugin does before it sends a panel's SQL: macros and dashboard variables expanded. */
function expand(sql: string, variables: Record<string, string>): string {
  return sql
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_, column: string) => `(${column} >= toDateTime(946684800) AND ${column} <= toDateTime(4102444800))`)
    .replace(/\$\{(\w+)\}/g, (_, name: string) => {
      if (!(name in variables)) throw new Error(`panel SQL uses an undefined variable ${name}`);
      return variables[name]!;
    });
}

const runs = [
  { label: 'all models', variables: { model: '__all', warn: '50', critical: '51' } },
  { label: 'one model', variables: { model: fleetPlan.model, warn: '50', critical: '51' } },
];

describe('every Grafana panel query runs on the real schema', () => {
  for (const spec of dashboardSpecs) {
    const built = buildDashboard(spec);
    spec.panels.forEach((panel, i) => {
      for (const run of runs) {
        it(`${spec.uid} / ${panel.title} (${run.label})`, async () => {
          const declared = built.templating.list.map((v) => v.name);
          const used = [...panel.sql.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
          for (const name of used) expect(declared, `variable ${name} is declared on the dashboard`).toContain(name);
          const result = await ch.client.query({ query: expand(built.panels[i]!.targets[0]!.rawSql, run.variables), format: 'JSON' });
          const body = await result.json<Record<string, unknown>>();
          expect(body.meta!.map((m) => m.name)).toEqual(panel.columns);
          expect(body.data.length, 'the test fleet gives every panel rows to show').toBeGreaterThan(0);
          if (panel.format === 'timeseries') expect(body.meta![0]!.type).toMatch(/^DateTime/);
        });
      }
    });
  }
});
