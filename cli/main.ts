import { Command } from 'commander';
import { agentCommand } from './commands/agent.ts';
import { apiCommand } from './commands/api.ts';
import { catalogCommand } from './commands/catalog.ts';
import { configCommand } from './commands/config.ts';
import { dashboardsCommand } from './commands/dashboards.ts';
import { evaluateCommand } from './commands/evaluate.ts';
import { forecastCommand } from './commands/forecast.ts';
import { importCommand } from './commands/import.ts';
import { ingestCommand } from './commands/ingest.ts';
import { keysCommand } from './commands/keys.ts';
import { migrateCommand } from './commands/migrate.ts';
import { simulateCommand } from './commands/simulate.ts';
import { smartctlCommand } from './commands/smartctl.ts';
import { upCommand } from './commands/up.ts';

const program = new Command('wearwatch')
  .description(
    'SSD and TF card telemetry ingestion, warranty policy and fleet analytics. Settings come from environment variables: see `wearwatch config` and the README.',
  )
  .showHelpAfterError()
  .enablePositionalOptions();

for (const register of [
  upCommand,
  migrateCommand,
  configCommand,
  ingestCommand,
  smartctlCommand,
  forecastCommand,
  dashboardsCommand,
  apiCommand,
  keysCommand,
  evaluateCommand,
  catalogCommand,
  simulateCommand,
  importCommand,
  agentCommand,
])
  register(program);

await program.parseAsync(process.argv);
