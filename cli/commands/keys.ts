import type { Command } from 'commander';
import { ZodError } from 'zod';
import { openClickHouse } from '../../core/clickhouse.ts';
import { WearwatchError } from '../../core/errors.ts';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { KeyStore, type Role, roles } from '../../keys/api-keys.ts';
import { type CommandContext, runCommand } from '../run.ts';

/** Runs `body` with the key store; the schema is brought up to date first so a fresh install works. */
async function withKeys(ctx: CommandContext, body: (keys: KeyStore) => Promise<void>): Promise<void> {
  const clickhouse = await openClickHouse(ctx.config);
  try {
    await migrate(clickhouse.client, { cluster: clickhouse.cluster });
    await body(new KeyStore(clickhouse.client));
  } finally {
    await clickhouse.close();
  }
}

const collect = (value: string, previous: string[]) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

export function keysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description(
      'create, list and revoke API keys for the fleet and staff endpoints (stored hashed in ClickHouse; with embedded ClickHouse, run it while `up` is stopped or use /v1/admin/keys)',
    );

  keys
    .command('create')
    .description('create a key and print it once; only its hash is stored')
    .requiredOption('--name <name>', 'who or what the key is for, e.g. "acme fleet dashboard"')
    .requiredOption('--role <role>', `one of ${roles.join(', ')}`)
    .option('--fleet <ids>', 'fleet id a fleet_manager key may see (repeat or comma-separate)', collect, [])
    .action((options: { name: string; role: string; fleet: string[] }) =>
      runCommand((ctx) =>
        withKeys(ctx, async (store) => {
          try {
            const { key, stored } = await store.create({ name: options.name, role: options.role as Role, fleet_ids: options.fleet });
            process.stderr.write(
              `created ${stored.role} key ${stored.keyId}${stored.fleetIds.length ? ` for fleet(s) ${stored.fleetIds.join(', ')}` : ''}; store it now, it is not shown again:\n`,
            );
            process.stdout.write(`${key}\n`);
          } catch (error) {
            if (error instanceof ZodError) {
              const problems = error.issues.map((i) => `--${i.path[0] === 'fleet_ids' ? 'fleet' : String(i.path[0])}: ${i.message}`);
              throw new WearwatchError(
                'WW_KEY_INVALID',
                `cannot create the key:\n  ${problems.join('\n  ')}`,
                `e.g. wearwatch keys create --name "acme" --role fleet_manager --fleet acme-eu`,
              );
            }
            throw error;
          }
        }),
      ),
    );

  keys
    .command('list')
    .description('list keys (id, role, fleets, created, revoked); never their secrets')
    .option('--json', 'one JSON object per line')
    .action((options: { json?: boolean }) =>
      runCommand((ctx) =>
        withKeys(ctx, async (store) => {
          const all = await store.list();
          if (options.json) {
            for (const k of all) process.stdout.write(`${JSON.stringify(k)}\n`);
            return;
          }
          if (all.length === 0) process.stderr.write('no API keys yet: create one with `wearwatch keys create --name … --role …`\n');
          for (const k of all) {
            process.stdout.write(
              `${k.keyId}  ${k.role.padEnd(13)} ${(k.fleetIds.join(',') || '*').padEnd(20)} ${k.createdAt}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}  ${k.name}\n`,
            );
          }
        }),
      ),
    );

  keys
    .command('revoke')
    .description('revoke a key by its id (as listed); requests with it are refused from then on')
    .argument('<keyId>', '16-character key id')
    .action((keyId: string) =>
      runCommand((ctx) =>
        withKeys(ctx, async (store) => {
          if (!(await store.revoke(keyId))) {
            throw new WearwatchError('WW_KEY_NOT_FOUND', `no API key with id ${keyId}`, 'list the keys with `wearwatch keys list`');
          }
          process.stderr.write(`revoked key ${keyId}\n`);
        }),
      ),
    );
}
