import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { datasourceUid } from '../../dashboards/build.ts';
import { dashboards } from '../../dashboards/definitions.ts';
import { dashboardFileText, dashboardJsonDir } from '../../dashboards/files.ts';
import { clickhouseDatasourceType, dashboard } from '../../dashboards/model.ts';
import { projectRoot } from '../support/cli.ts';

describe('Grafana dashboards as code', () => {
  const built = dashboards();

  it('covers fleet wear, units near limits, failure trends, claim trends and the forecast', () => {
    expect(built.map((d) => d.uid)).toEqual([
      'wearwatch-fleet-wear',
      'wearwatch-near-limits',
      'wearwatch-failure-trends',
      'wearwatch-claim-trends',
      'wearwatch-forecast',
    ]);
  });

  it('matches Grafana’s dashboard model, with every query on the ClickHouse datasource', () => {
    for (const d of built) {
      expect(dashboard.safeParse(d).success).toBe(true);
      for (const p of d.panels) {
        expect(p.targets.length).toBe(1);
        expect(p.targets[0]!.datasource).toEqual({ type: clickhouseDatasourceType, uid: datasourceUid });
      }
    }
  });

  it('rejects what Grafana would silently mangle', () => {
    const [first] = built;
    const panel = first!.panels[0]!;
    const bad = [
      { ...first, panels: [panel, panel] },
      { ...first, panels: [{ ...panel, gridPos: { ...panel.gridPos, x: 20, w: 12 } }] },
      { ...first, panels: [{ ...panel, targets: [{ ...panel.targets[0], format: 1 }] }] },
      { ...first, uid: 'x'.repeat(41) },
      { ...first, panels: [{ ...panel, datasource: { type: 'prometheus', uid: 'p' } }] },
    ];
    for (const d of bad) expect(dashboard.safeParse(d).success).toBe(false);
  });

  it('keeps the provisioned JSON files in step with the code', () => {
    for (const d of built) {
      expect(readFileSync(join(dashboardJsonDir, `${d.uid}.json`), 'utf8'), `${d.uid}.json is stale: run wearwatch dashboards write`).toBe(
        dashboardFileText(d),
      );
    }
  });

  it('provisions the datasource under the uid the panels use, and the dashboards folder', () => {
    const base = join(projectRoot, 'infra', 'grafana', 'provisioning');
    const ds = parse(readFileSync(join(base, 'datasources', 'wearwatch-clickhouse.yaml'), 'utf8'));
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources[0]).toMatchObject({ uid: datasourceUid, type: clickhouseDatasourceType });
    const providers = parse(readFileSync(join(base, 'dashboards', 'wearwatch.yaml'), 'utf8'));
    expect(providers.providers[0]).toMatchObject({ type: 'file', folderUid: 'wearwatch', options: { path: '$WEARWATCH_DASHBOARDS_DIR' } });
  });
});
