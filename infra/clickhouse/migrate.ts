import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { WearwatchError } from '../../core/errors.ts';
import { insertRows, queryRows } from '../../core/query.ts';
import { clusterStatements, newClusterSchema } from './cluster-ddl.ts';

export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

const migrationLabel = (m: Pick<Migration, 'version' | 'name'>): string => `${String(m.version).padStart(4, '0')}_${m.name}`;

export interface MigrationResult {
  applied: Migration[];
  alreadyApplied: number;
}

const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads `NNNN_name.sql` files in version order; a file that does not fit the pattern is an error, not ignored. */
export function readMigrations(dir = migrationsDir): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const match = fileName.exec(file);
      if (!match) {
        throw new WearwatchError('WW_MIGRATION_NAME', `migration file ${file} does not match NNNN_name.sql`, 'rename it, e.g. 0007_add_index.sql');
      }
      const text = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(match[1]),
        name: match[2]!,
        checksum: createHash('sha256').update(text).digest('hex'),
        statements: splitStatements(text),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1]!.version === m.version) {
      throw new WearwatchError('WW_MIGRATION_DUPLICATE', `two migration files share version ${m.version}`, 'give each file its own number');
    }
  });
  return migrations;
}

/** Splits a SQL file into statements at semicolons that end a line, after removing `--` comment lines. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order. Running it again applies nothing. A
 * recorded migration whose file has since changed stops the run: applied history is never rewritten silently.
 */
export interface MigrateOptions {
  dir?: string;
  progress?: (line: string) => void;
  /** CLICKHOUSE_CLUSTER: render every statement for that sharded, replicated cluster (cluster-ddl.ts). */
  cluster?: string;
}

/**
 * Every migration's statements as they run on this deployment: as written for one server, or in their cluster form.
 * The cluster form of a statement depends on the tables created before it, so all migrations are rendered in order,
 * applied or not.
 */
export function renderMigrations(migrations: Migration[], cluster?: string): Migration[] {
  if (!cluster) return migrations;
  const schema = newClusterSchema(cluster);
  return migrations.map((m) => ({ ...m, statements: m.statements.flatMap((s) => clusterStatements(s, schema)) }));
}

const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations
            (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
            ENGINE = MergeTree ORDER BY version`;

export async function migrate(client: ClickHouseClient, options: MigrateOptions = {}): Promise<MigrationResult> {
  const progress = options.progress ?? (() => {});
  const [table] = renderMigrations([{ version: 0, name: 'schema_migrations', checksum: '', statements: [migrationsTable] }], options.cluster);
  await client.command({ query: table!.statements[0]! });
  const rows = await queryRows<{ version: number; name: string; checksum: string }>(
    client,
    'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
  );
  const recorded = new Map(rows.map((r) => [Number(r.version), r]));

  const applied: Migration[] = [];
  for (const migration of renderMigrations(readMigrations(options.dir), options.cluster)) {
    const done = recorded.get(migration.version);
    if (done) {
      if (done.checksum !== migration.checksum) {
        throw new WearwatchError(
          'WW_MIGRATION_CHANGED',
          `migration ${migrationLabel(migration)} was applied but its file has changed since`,
          'never edit an applied migration: revert the file and add a new migration with the change',
        );
      }
      continue;
    }
    progress(`applying migration ${migrationLabel(migration)}`);
    for (const statement of migration.statements) {
      try {
        await client.command({ query: statement });
      } catch (cause) {
        throw new WearwatchError(
          'WW_MIGRATION_FAILED',
          `migration ${migrationLabel(migration)} failed: ${(cause as Error).message}`,
          'fix the statement; statements before it in the same file were applied, so write them with IF NOT EXISTS',
          { cause },
        );
      }
    }
    await insertRows(
      client,
      'schema_migrations',
      [{ version: migration.version, name: migration.name, checksum: migration.checksum, applied_at: Date.now() }],
      { date_time_input_format: 'best_effort' },
    );
    applied.push(migration);
  }
  return { applied, alreadyApplied: recorded.size };
}
