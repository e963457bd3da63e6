import { Command } from 'commander';
import { configCommand } from './commands/config.ts';
import { migrateCommand } from './commands/migrate.ts';
import { upCommand } from './commands/up.ts';

const program = new Command('wearwatch')
  .description('SSD and TF card telemetry ingestion, warranty policy and fleet analytics. Settings come from environment variables: see `wearwatch config` and the README.')
  .showHelpAfterError()
  .enablePositionalOptions();

for (const register of [upCommand, migrateCommand, configCommand]) register(program);

await program.parseAsync(process.argv);
