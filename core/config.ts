import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Every setting wearwatch reads comes from the environment through this one schema, so the README's
 * configuration table, the defaults and the validation can never drift apart.
 */
const port = z.coerce.number({ error: 'expected a port number 1-65535' }).int('expected a port number 1-65535').min(1).max(65535);
const percent = z.coerce.number().gt(0).max(100);
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

export const settings = {
  WEARWATCH_HOST: { schema: z.string().min(1).default('127.0.0.1'), doc: 'address the HTTP API listens on' },
  WEARWATCH_PORT: { schema: port.default(8080), doc: 'port the HTTP API listens on' },
  WEARWATCH_DATA: { schema: z.string().min(1).default('./data'), doc: 'folder for embedded ClickHouse and the local Kafka broker' },
  WEARWATCH_CACHE: {
    schema: z.string().min(1).default(resolve(homedir(), '.cache', 'wearwatch')),
    doc: 'folder where the Kafka broker jars are cached after the first Maven fetch',
  },
  WEARWATCH_LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'log level (pino)',
  },
  CLICKHOUSE_URL: { schema: optionalText.pipe(z.url().optional()), doc: 'ClickHouse server over HTTP; unset = embedded chDB under WEARWATCH_DATA' },
  CLICKHOUSE_USER: { schema: z.string().default('default'), doc: 'ClickHouse user (server mode)' },
  CLICKHOUSE_PASSWORD: { schema: z.string().default(''), doc: 'ClickHouse password (server mode)' },
  CLICKHOUSE_DATABASE: {
    schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a plain identifier (letters, digits, underscore)').default('wearwatch'),
    doc: 'database holding wearwatch tables',
  },
  KAFKA_BROKERS: {
    schema: optionalText.pipe(z.string().regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'comma-separated host:port list').optional()),
    doc: 'existing Kafka cluster (host:port,…); unset = start a local single-node broker',
  },
  KAFKA_PORT: { schema: port.default(9092), doc: 'port of the local broker (controller uses the next port)' },
  KAFKA_PARTITIONS: { schema: z.coerce.number().int().min(1).max(1024).default(4), doc: 'partitions per topic when wearwatch creates them' },
  KAFKA_CLIENT_ID: { schema: z.string().min(1).default('wearwatch'), doc: 'kafkajs client id' },
  WEARWATCH_WARN_PCT: { schema: percent.default(80), doc: 'near-limit warning at this % of TBW or P/E' },
  WEARWATCH_CRITICAL_PCT: { schema: percent.default(95), doc: 'near-limit critical at this % of TBW or P/E' },
  WEARWATCH_ENDING_DAYS: { schema: z.coerce.number().int().min(1).max(3650).default(90), doc: '"warranty ending" flag this many days ahead' },
} as const;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

export class ConfigError extends Error {
  readonly code = 'WW_CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const schema = z.object(
  Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v.schema])) as { [K in keyof Settings]: Settings[K]['schema'] },
);

/** Reads and validates the environment; throws a ConfigError naming each bad variable, its value and what is expected. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.keys(settings).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}=${JSON.stringify(env[name])}: ${issue.message}`;
      }),
    );
  }
  const config = parsed.data as Config;
  if (config.WEARWATCH_WARN_PCT >= config.WEARWATCH_CRITICAL_PCT) {
    throw new ConfigError([
      `WEARWATCH_WARN_PCT=${config.WEARWATCH_WARN_PCT}: must be below WEARWATCH_CRITICAL_PCT (${config.WEARWATCH_CRITICAL_PCT})`,
    ]);
  }
  return { ...config, WEARWATCH_DATA: resolve(config.WEARWATCH_DATA), WEARWATCH_CACHE: resolve(config.WEARWATCH_CACHE) };
}
