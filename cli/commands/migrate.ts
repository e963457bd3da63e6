import type { Command } from 'commander';
import { openClickHouse } from '../../core/clickhouse.ts';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { createProgress } from '../progress.ts';
import { runCommand } from '../run.ts';

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending ClickHouse schema migrations (infra/clickhouse/migrations) and report what was applied')
    .action(() =>
      runCommand(async ({ config }) => {
        const progress = createProgress();
        const clickhouse = await openClickHouse(config);
        try {
          const { applied, alreadyApplied } = await migrate(clickhouse.client, { progress, cluster: clickhouse.cluster });
          progress(
            applied.length === 0
              ? `nothing to apply: all ${alreadyApplied} migration(s) already applied (${clickhouse.location})`
              : `applied ${applied.length} migration(s) to ${clickhouse.location}`,
          );
        } finally {
          await clickhouse.close();
        }
      }),
    );
}
