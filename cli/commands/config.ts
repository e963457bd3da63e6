import type { Command } from 'commander';
import { runCommand } from '../run.ts';

const secret = /PASSWORD|TOKEN|KEY/;

export function configCommand(program: Command): void {
  program
    .command('config')
    .description('print the effective configuration (environment variables and defaults) as JSON, secrets masked')
    .action(() =>
      runCommand(async ({ config }) => {
        const shown = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, secret.test(k) && v ? '***' : (v ?? null)]));
        process.stdout.write(JSON.stringify(shown, null, 2) + '\n');
      }),
    );
}
