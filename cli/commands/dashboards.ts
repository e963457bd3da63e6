import type { Command } from 'commander';
import { WearwatchError } from '../../core/errors.ts';
import { dashboards } from '../../dashboards/definitions.ts';
import { writeDashboardFiles } from '../../dashboards/files.ts';
import { pushDashboards } from '../../dashboards/push.ts';
import { createProgress } from '../progress.ts';
import { runCommand } from '../run.ts';

export function dashboardsCommand(program: Command): void {
  const command = program.command('dashboards').description('Grafana dashboards as code (dashboards/): write the JSON files or push them to a Grafana');
  command
    .command('push')
    .description('create or update the dashboards in Grafana over its HTTP API (GRAFANA_URL, GRAFANA_TOKEN, GRAFANA_FOLDER)')
    .action(() =>
      runCommand(async ({ config }) => {
        if (!config.GRAFANA_URL || !config.GRAFANA_TOKEN) {
          throw new WearwatchError(
            'WW_GRAFANA_NOT_CONFIGURED',
            `dashboards push needs ${[!config.GRAFANA_URL && 'GRAFANA_URL', !config.GRAFANA_TOKEN && 'GRAFANA_TOKEN'].filter(Boolean).join(' and ')}`,
            'set GRAFANA_URL=https://your-grafana and GRAFANA_TOKEN=<service-account token with the Editor role>',
          );
        }
        const progress = createProgress();
        const pushed = await pushDashboards({ url: config.GRAFANA_URL, token: config.GRAFANA_TOKEN, folderUid: config.GRAFANA_FOLDER }, dashboards(), progress);
        process.stdout.write(`${pushed.map((p) => `${p.uid}\t${p.url}\tversion ${p.version}`).join('\n')}\n`);
      }),
    );
  command
    .command('write')
    .description('regenerate dashboards/json/*.json (the files Grafana provisioning reads) from the code')
    .action(() =>
      runCommand(async () => {
        process.stdout.write(`${writeDashboardFiles(dashboards()).join('\n')}\n`);
      }),
    );
}
