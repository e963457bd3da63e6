import { homedir } from 'node:os';
import { resolve } from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { WearwatchError } from './errors.ts';

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
    schema: z
      .string()
      .min(1)
      .default(resolve(homedir(), '.cache', 'wearwatch')),
    doc: 'folder where the Kafka broker jars are cached after the first Maven fetch',
  },
  WEARWATCH_LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'log level (pino)',
  },
  CLICKHOUSE_URL: { schema: optionalText.pipe(z.url().optional()), doc: 'ClickHouse server over HTTP; unset = embedded chDB under WEARWATCH_DATA' },
  CLICKHOUSE_USER: { schema: z.string().default('default'), doc: 'ClickHouse user (server mode)' },
  CLICKHOUSE_PASSWORD: { schema: z.string().default(''), doc: 'ClickHouse password (server mode)' },
  CLICKHOUSE_CLUSTER: {
    schema: optionalText.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_.-]+$/, 'a cluster name of letters, digits, dot, dash or underscore')
        .optional(),
    ),
    doc: "cluster name from the servers' remote_servers: migrations then create Replicated tables ON CLUSTER, sharded by serial behind Distributed tables; unset = one server, or ClickHouse Cloud",
  },
  CLICKHOUSE_DATABASE: {
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a plain identifier (letters, digits, underscore)')
      .default('wearwatch'),
    doc: 'database holding wearwatch tables',
  },
  KAFKA_BROKERS: {
    schema: optionalText.pipe(
      z
        .string()
        .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'comma-separated host:port list')
        .optional(),
    ),
    doc: 'existing Kafka cluster (host:port,…); unset = start a local single-node broker',
  },
  KAFKA_PORT: { schema: port.default(9092), doc: 'port of the local broker (controller uses the next port)' },
  KAFKA_PARTITIONS: { schema: z.coerce.number().int().min(1).max(1024).default(4), doc: 'partitions per topic when wearwatch creates them' },
  KAFKA_CLIENT_ID: { schema: z.string().min(1).default('wearwatch'), doc: 'kafkajs client id' },
  INGEST_GROUP_PREFIX: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash or underscore')
      .default('wearwatch.ingest'),
    doc: 'ingest consumer groups are PREFIX.telemetry, PREFIX.enrollment, PREFIX.rma; instances sharing it split the partitions',
  },
  INGEST_FETCH_MAX_MB: {
    schema: z.coerce.number().int().min(1).max(512).default(64),
    doc: 'ingest: most bytes fetched per request (kafkajs maxBytes), in MiB',
  },
  INGEST_PARTITION_FETCH_MAX_MB: {
    schema: z.coerce.number().int().min(1).max(512).default(16),
    doc: 'ingest: most bytes fetched per partition per request, in MiB; bounds the size of one batch written to ClickHouse',
  },
  INGEST_CONCURRENCY: { schema: z.coerce.number().int().min(1).max(64).default(2), doc: 'ingest: partitions processed concurrently per topic' },
  INGEST_RETRY_MAX_MS: {
    schema: z.coerce.number().int().min(100).max(600_000).default(30_000),
    doc: 'ingest: longest wait between retries of a failing ClickHouse write (backoff doubles from 200 ms)',
  },
  INGEST_SESSION_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(6_000).max(300_000).default(10_000),
    doc: 'ingest: consumer group session timeout (ms); a member killed without leaving holds its partitions this long before a restart takes them over',
  },
  INGEST_LAG_POLL_MS: {
    schema: z.coerce.number().int().min(200).max(600_000).default(5_000),
    doc: 'ingest: how often lag is read from the broker (committed offsets against end offsets), in ms',
  },
  INGEST_STUCK_AFTER_MS: {
    schema: z.coerce.number().int().min(200).max(3_600_000).default(60_000),
    doc: 'ingest: a partition with lag whose committed offset has not moved for this long is stuck and makes ingest `degraded` (ms)',
  },
  TELEMETRY_FUTURE_SKEW_HOURS: {
    schema: z.coerce.number().min(0).max(8760).default(24),
    doc: 'telemetry, enrolment and RMA instants more than this many hours in the future are refused (clock skew allowance)',
  },
  TELEMETRY_COUNTER_TOLERANCE_PCT: {
    schema: z.coerce.number().min(0).max(100).default(1),
    doc: "a lifetime counter this % or more below the unit's known maximum is a rollback: the sample is quarantined, never the reading",
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    doc: 'on SIGTERM/SIGINT the process exits within this many ms whatever Kafka and ClickHouse are doing',
  },
  HEALTH_CACHE_MS: {
    schema: z.coerce.number().int().min(0).max(60_000).default(2_000),
    doc: '/healthz answers from a report at most this old (ms), so probes do not hit Kafka and ClickHouse on every call',
  },
  API_RATE_LIMIT: {
    schema: z.coerce.number().int().min(1).max(10_000_000).default(600),
    doc: 'public API routes and pages: requests per minute one client (IP address) may make before 429',
  },
  API_TRUST_PROXY: {
    schema: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    doc: 'true behind a reverse proxy: the client address for rate limiting comes from X-Forwarded-For',
  },
  API_INDEX_REFRESH_MS: {
    schema: z.coerce.number().int().min(200).max(3_600_000).default(5_000),
    doc: "how often the public warranty lookup's in-memory index takes in new telemetry, enrolments and RMA events (ms)",
  },
  RMA_MAILING_ADDRESS: {
    schema: z.string().trim().min(1).max(500).default('Wearwatch Returns Center, RMA Dept.\\n1200 Service Way, Dock 4\\nAustin, TX 78701\\nUSA'),
    doc: 'where authorised RMA units are shipped; \\n separates lines',
  },
  WEARWATCH_AGENT_KEY: { schema: optionalText, doc: 'API key (fleet_manager or admin) `wearwatch agent --server` sends with' },
  RMA_AUTHORISATION_DAYS: {
    schema: z.coerce.number().int().min(1).max(365).default(30),
    doc: 'days an authorised RMA waits for the unit; not received by then, it expires',
  },
  RMA_REQUESTS_PER_SERIAL_PER_DAY: {
    schema: z.coerce.number().int().min(1).max(100).default(3),
    doc: 'public RMA requests accepted per serial number per UTC day',
  },
  GRAFANA_URL: { schema: optionalText.pipe(z.url().optional()), doc: 'Grafana base URL for `wearwatch dashboards push`, e.g. https://grafana.example.com' },
  GRAFANA_TOKEN: { schema: optionalText, doc: 'Grafana service-account token (Editor role) for `wearwatch dashboards push`' },
  GRAFANA_FOLDER: {
    schema: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,40}$/, 'a Grafana folder uid: up to 40 letters, digits, - or _')
      .default('wearwatch'),
    doc: 'uid of the Grafana folder the dashboards are pushed into (created when missing)',
  },
  WEARWATCH_WARN_PCT: { schema: percent.default(80), doc: 'near-limit warning at this % of TBW or P/E' },
  WEARWATCH_CRITICAL_PCT: { schema: percent.default(95), doc: 'near-limit critical at this % of TBW or P/E' },
  WEARWATCH_ENDING_DAYS: { schema: z.coerce.number().int().min(1).max(3650).default(90), doc: '"warranty ending" flag this many days ahead' },
  WEARWATCH_EVALUATE_CRON: {
    schema: z
      .string()
      .trim()
      .refine((v) => v === 'off' || cron.validate(v), 'a cron expression such as "5 * * * *" (5 or 6 fields), or off')
      .default('5 * * * *'),
    doc: 'when `up` runs the bulk warranty evaluation and flagging (node-cron syntax, server local time); off = never',
  },
  WEARWATCH_ANALYTICS_CRON: {
    schema: z
      .string()
      .trim()
      .refine((v) => v === 'off' || cron.validate(v), 'a cron expression such as "35 * * * *" (5 or 6 fields), or off')
      .default('35 * * * *'),
    doc: 'when `up` decodes new serials into batches and stores a fresh 12-month warranty-load forecast (node-cron syntax); off = never',
  },
  NOTIFY_GROUP: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash or underscore')
      .default('wearwatch.notify'),
    doc: 'consumer group that reads wearwatch.alerts.v1 for notification delivery',
  },
  NOTIFY_MAX_ATTEMPTS: {
    schema: z.coerce.number().int().min(1).max(100).default(10),
    doc: 'attempts per alert and channel before the delivery goes to the dead-letter list',
  },
  NOTIFY_RETRY_BASE_MS: {
    schema: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
    doc: 'wait before the first retry of a failed delivery (ms); doubles per attempt',
  },
  NOTIFY_RETRY_MAX_MS: {
    schema: z.coerce.number().int().min(10).max(86_400_000).default(1_800_000),
    doc: 'longest wait between two attempts of a delivery (ms)',
  },
  NOTIFY_POLL_MS: { schema: z.coerce.number().int().min(50).max(600_000).default(2_000), doc: 'how often due deliveries (new, retries, tests) are sent (ms)' },
  NOTIFY_TIMEOUT_MS: { schema: z.coerce.number().int().min(100).max(120_000).default(10_000), doc: 'time one webhook, Slack or SMTP attempt may take (ms)' },
  NOTIFY_LINK_BASE_URL: {
    schema: optionalText.pipe(z.url().optional()),
    doc: "base URL of wearwatch's pages, for links to the drive in notifications; unset = no link",
  },
  SMTP_HOST: { schema: optionalText, doc: 'SMTP server for e-mail channels; unset = e-mail deliveries fail with a message naming this variable' },
  SMTP_PORT: { schema: port.default(587), doc: 'SMTP server port' },
  SMTP_SECURE: {
    schema: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    doc: 'true = TLS from the start (port 465); false = STARTTLS when the server offers it',
  },
  SMTP_USER: { schema: optionalText, doc: 'SMTP user name; unset = no authentication' },
  SMTP_PASSWORD: { schema: optionalText, doc: 'SMTP password' },
  SMTP_FROM: { schema: z.string().trim().min(3).max(200).default('wearwatch <wearwatch@localhost>'), doc: 'sender address of notification e-mails' },
  METRICS_STALE_HOURS: {
    schema: z.coerce.number().int().min(1).max(8760).default(48),
    doc: '/metrics counts a drive as not reporting when its newest sample is older than this many hours',
  },
  WEARWATCH_CATALOG: { schema: optionalText, doc: 'product catalog JSON file; unset = the catalog shipped in core/catalog/catalog.json' },
} as const;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

export class ConfigError extends WearwatchError {
  constructor(readonly problems: string[]) {
    super('WW_CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const schema = z.object(Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v.schema])) as { [K in keyof Settings]: Settings[K]['schema'] });

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
    throw new ConfigError([`WEARWATCH_WARN_PCT=${config.WEARWATCH_WARN_PCT}: must be below WEARWATCH_CRITICAL_PCT (${config.WEARWATCH_CRITICAL_PCT})`]);
  }
  return { ...config, WEARWATCH_DATA: resolve(config.WEARWATCH_DATA), WEARWATCH_CACHE: resolve(config.WEARWATCH_CACHE) };
}
