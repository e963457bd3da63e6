import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dashboard } from './model.ts';

/** Where the generated dashboard JSON lives for Grafana's file provisioning (infra/grafana/provisioning). */
export const dashboardJsonDir = join(dirname(fileURLToPath(import.meta.url)), 'json');

export const dashboardFileText = (d: Dashboard) => `${JSON.stringify(d, null, 2)}\n`;

export function writeDashboardFiles(dashboards: Dashboard[], dir = dashboardJsonDir): string[] {
  mkdirSync(dir, { recursive: true });
  return dashboards.map((d) => {
    const path = join(dir, `${d.uid}.json`);
    writeFileSync(path, dashboardFileText(d));
    return path;
  });
}
