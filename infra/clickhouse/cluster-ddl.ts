/**
 * Renders the migrations for a sharded, replicated ClickHouse cluster (CLICKHOUSE_CLUSTER set). The migration files
 * stay written for one server — the embedded engine, a single server and ClickHouse Cloud (whose SharedMergeTree
 * replicates by itself) run them as they are — and this module turns each statement into its cluster form:
 *
 * - a table with a `serial` column becomes `<name>_local` on every node (Replicated*MergeTree, one replica set per
 *   shard) plus a Distributed table `<name>` sharded by cityHash64(serial), so every row of one drive lives on one
 *   shard: FINAL, per-unit aggregates and the materialized views stay shard-local and exact;
 * - a table without `serial` (catalog, runs, keys, forecasts) is small and read everywhere: one replica set across the
 *   whole cluster, no Distributed table;
 * - materialized views attach to the local tables they read and write, because Distributed inserts land there;
 * - plain views, ALTERs and DROPs run ON CLUSTER; data-moving INSERT … SELECT statements run once, through the
 *   Distributed tables.
 *
 * Statement shapes this module does not know are an error rather than a silent single-node statement: a new kind of
 * migration statement has to be taught here (the test renders every migration and parses the result).
 */

export interface ClusterSchema {
  cluster: string;
  /** Tables sharded by serial so far, in migration order: later statements refer to their `_local` tables. */
  sharded: Set<string>;
}

const ident = '[A-Za-z_][A-Za-z0-9_]*';
const createTable = new RegExp(`^CREATE TABLE IF NOT EXISTS (${ident})\\s*(\\(|AS\\s+(${ident})\\b)`, 'i');
const createMv = new RegExp(`^CREATE MATERIALIZED VIEW IF NOT EXISTS (${ident})\\b`, 'i');
const createView = new RegExp(`^CREATE (?:OR REPLACE )?VIEW (?:IF NOT EXISTS )?(${ident})\\b`, 'i');
const alterTable = new RegExp(`^ALTER TABLE (${ident})\\b`, 'i');
const dropTable = new RegExp(`^DROP (TABLE|VIEW) IF EXISTS (${ident})\\b`, 'i');
const insertSelect = /^INSERT INTO /i;
const engine = /ENGINE\s*=\s*(ReplacingMergeTree|AggregatingMergeTree|SummingMergeTree|MergeTree)(\s*\(([^)]*)\))?/i;

const quote = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const local = (table: string): string => `${table}_local`;

/** The column list of a CREATE TABLE, up to its closing parenthesis, so a `serial` elsewhere in the text does not count. */
function columnList(statement: string): string {
  const open = statement.indexOf('(');
  let depth = 0;
  for (let i = open; i < statement.length; i++) {
    if (statement[i] === '(') depth++;
    else if (statement[i] === ')' && --depth === 0) return statement.slice(open, i + 1);
  }
  return '';
}

function replicated(statement: string, zooPath: string): string {
  const match = engine.exec(statement);
  if (!match) throw new Error(`cluster DDL: no MergeTree-family engine in: ${statement.slice(0, 120)}`);
  const args = [quote(zooPath), "'{replica}'", ...(match[3]?.trim() ? [match[3].trim()] : [])].join(', ');
  return statement.replace(engine, `ENGINE = Replicated${match[1]}(${args})`);
}

/** Rewrites references to sharded tables (FROM t, JOIN t) to their local tables, inside a materialized view's SELECT. */
function readLocal(select: string, schema: ClusterSchema): string {
  return select.replace(new RegExp(`\\b(FROM|JOIN)\\s+(${ident})\\b`, 'gi'), (whole, keyword: string, table: string) =>
    schema.sharded.has(table) ? `${keyword} ${local(table)}` : whole,
  );
}

function onCluster(statement: string, prefix: RegExp, name: string, schema: ClusterSchema, renamed = name): string {
  return statement.replace(prefix, (head) => head.replace(new RegExp(`\\b${name}\\b`), `${renamed} ON CLUSTER ${quote(schema.cluster)}`));
}

function table(statement: string, match: RegExpExecArray, schema: ClusterSchema): string[] {
  const [, name, , likeTable] = match as unknown as [string, string, string, string | undefined];
  const isSharded = likeTable ? schema.sharded.has(likeTable) : /\bserial\s+String\b/.test(columnList(statement));
  const cluster = quote(schema.cluster);
  if (!isSharded) {
    const body = onCluster(statement, createTable, name!, schema);
    return [replicated(body, `/clickhouse/tables/{database}/${name}`)];
  }
  schema.sharded.add(name!);
  let body = onCluster(statement, createTable, name!, schema, local(name!));
  if (likeTable) body = body.replace(new RegExp(`AS\\s+${likeTable}\\b`), `AS ${local(likeTable)}`);
  return [
    replicated(body, `/clickhouse/tables/{shard}/{database}/${local(name!)}`),
    `CREATE TABLE IF NOT EXISTS ${name} ON CLUSTER ${cluster} AS ${local(name!)} ENGINE = Distributed(${cluster}, currentDatabase(), ${local(name!)}, cityHash64(serial))`,
  ];
}

function materializedView(statement: string, name: string, schema: ClusterSchema): string[] {
  const to = new RegExp(`\\bTO\\s+(${ident})\\b`, 'i').exec(statement.split(/\bAS\b/i)[0]!);
  const asIndex = statement.search(/\bAS\s*(\n|\s)(SELECT|WITH)\b/i);
  if (asIndex < 0) throw new Error(`cluster DDL: materialized view ${name} has no AS SELECT`);
  let head = onCluster(statement.slice(0, asIndex), createMv, name, schema);
  if (to && schema.sharded.has(to[1]!)) head = head.replace(new RegExp(`\\bTO\\s+${to[1]}\\b`), `TO ${local(to[1]!)}`);
  if (!to) head = replicated(head, `/clickhouse/tables/{shard}/{database}/${name}`);
  return [head + readLocal(statement.slice(asIndex), schema)];
}

function alter(statement: string, name: string, schema: ClusterSchema): string[] {
  if (!schema.sharded.has(name)) return [onCluster(statement, alterTable, name, schema)];
  // The Distributed table mirrors the local table's columns, so a column change applies to both.
  return [onCluster(statement, alterTable, name, schema, local(name)), onCluster(statement, alterTable, name, schema)];
}

function drop(statement: string, name: string, schema: ClusterSchema): string[] {
  const statements = [onCluster(statement, dropTable, name, schema)];
  if (schema.sharded.delete(name)) statements.push(onCluster(statement, dropTable, name, schema, local(name)));
  return statements;
}

/** One migration statement in its cluster form: zero, one or several statements, in the order they must run. */
export function clusterStatements(statement: string, schema: ClusterSchema): string[] {
  const text = statement.trim();
  let match: RegExpExecArray | null;
  if ((match = createTable.exec(text))) return table(text, match, schema);
  if ((match = createMv.exec(text))) return materializedView(text, match[1]!, schema);
  if ((match = createView.exec(text))) return [onCluster(text, createView, match[1]!, schema)];
  if ((match = alterTable.exec(text))) return alter(text, match[1]!, schema);
  if ((match = dropTable.exec(text))) return drop(text, match[2]!, schema);
  if (insertSelect.test(text)) return [text];
  throw new Error(`cluster DDL: no cluster form for the statement: ${text.slice(0, 120)}`);
}

export const newClusterSchema = (cluster: string): ClusterSchema => ({ cluster, sharded: new Set() });
