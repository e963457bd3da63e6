/**
 * The one error registry, in the manner of fastify's `createError`: every code wearwatch raises is declared here once,
 * with the HTTP status it answers with and the fix a user should try. Throw sites name the code and say what happened;
 * the status and the default hint come from here, so the API, the CLI and the logs never disagree about an error.
 */
interface ErrorSpec {
  /** HTTP status when the error reaches the API. */
  status: number;
  /** What the code means, for the README's error table and the OpenAPI description. */
  meaning: string;
  /** The fix a user should try, unless the throw site knows a more specific one. */
  hint?: string;
}

const spec = <T extends Record<string, ErrorSpec>>(table: T): { [K in keyof T]: ErrorSpec } => table;

const errorRegistry = spec({
  // Request problems (HTTP).
  WW_VALIDATION: { status: 400, meaning: 'a field of the request is missing or invalid; `fields` names each one' },
  WW_BAD_REQUEST: { status: 400, meaning: 'the request could not be parsed' },
  WW_UNAUTHORIZED: { status: 401, meaning: 'no API key, or an unknown, malformed or revoked one' },
  WW_FORBIDDEN: { status: 403, meaning: "the key's role may not use this endpoint" },
  WW_NOT_FOUND: { status: 404, meaning: 'no such serial, fleet, RMA, key or route' },
  WW_METHOD_NOT_ALLOWED: { status: 405, meaning: 'the route does not take this method' },
  WW_NOT_ACCEPTABLE: { status: 406, meaning: 'no representation matches the Accept header' },
  WW_REQUEST_TIMEOUT: { status: 408, meaning: 'the request did not arrive in time' },
  WW_INVALID_TRANSITION: { status: 409, meaning: 'the RMA event does not follow from the RMA state' },
  WW_FLAG_NOT_RAISED: {
    status: 409,
    meaning: 'the flag is not raised on this drive by the latest evaluation, so it cannot be acknowledged or snoozed',
    hint: 'list the raised flags with GET /v1/fleets/{fleetId}/inbox',
  },
  WW_REGISTRATION_CONFLICT: {
    status: 409,
    meaning: 'a product registration names a serial that is registered already; it is kept for the support desk',
    hint: 'check the serial on the label; the desk contacts you if it is yours',
  },
  WW_LENGTH_REQUIRED: { status: 411, meaning: 'the request needs a Content-Length' },
  WW_PAYLOAD_TOO_LARGE: { status: 413, meaning: 'the body is larger than the route accepts' },
  WW_URI_TOO_LONG: { status: 414, meaning: 'the URL is too long' },
  WW_UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'the body has a content type the route does not read' },
  WW_RATE_LIMITED: { status: 429, meaning: 'too many requests from this client; retry after the seconds in retry-after' },
  WW_HEADERS_TOO_LARGE: { status: 431, meaning: 'the request headers are too large' },
  WW_INTERNAL: { status: 500, meaning: 'a fault of wearwatch; it has been logged' },

  // State the request cannot be served in (409) or a dependency that is down (503).
  WW_NO_HISTORY: { status: 409, meaning: 'no telemetry or claim history to learn from yet', hint: 'ingest data first, e.g. `wearwatch simulate`' },
  WW_CLICKHOUSE_UNAVAILABLE: {
    status: 503,
    meaning: 'ClickHouse cannot be reached or opened',
    hint: 'check CLICKHOUSE_URL / credentials, or unset CLICKHOUSE_URL to use embedded chDB; an embedded data folder can be used by one process at a time',
  },
  WW_KAFKA_UNAVAILABLE: { status: 503, meaning: 'Kafka did not accept the message', hint: 'retry later; check KAFKA_BROKERS' },
  WW_EVALUATE_FAILED: { status: 500, meaning: 'a warranty evaluation run failed', hint: 'see the cause; the previous snapshot and flags are unchanged' },
  WW_CONTRACT_VIOLATION: { status: 500, meaning: 'a message about to be produced breaks its contract' },

  // Command line, configuration and files (the CLI prints them; status only matters if one ever reaches the API).
  WW_CONFIG_INVALID: { status: 500, meaning: 'an environment variable has an invalid value', hint: 'fix the named variables; `wearwatch config` lists them' },
  WW_BAD_OPTION: { status: 400, meaning: 'a command-line option has an invalid value' },
  WW_BAD_DATE: { status: 400, meaning: 'a date is not a calendar date YYYY-MM-DD', hint: 'give the date as YYYY-MM-DD, e.g. 2026-11-24' },
  WW_UNKNOWN_SERIAL: { status: 404, meaning: 'the serial is not enrolled', hint: 'check the serial, or enrol it first' },
  WW_KEY_INVALID: { status: 400, meaning: 'an API key cannot be created with these options' },
  WW_KEY_NOT_FOUND: { status: 404, meaning: 'no API key with that id', hint: 'list the keys with `wearwatch keys list`' },
  WW_IMPORT_FILE: { status: 400, meaning: 'an import file cannot be read', hint: 'check the path' },
  WW_IMPORT_FORMAT: { status: 400, meaning: 'an import file is not in the expected format' },
  WW_CATALOG_INVALID: { status: 500, meaning: 'the product catalog fails validation', hint: 'fix the named fields in the catalog file' },
  WW_CATALOG_MISSING: { status: 500, meaning: 'the product catalog file cannot be read', hint: 'point WEARWATCH_CATALOG to an existing catalog JSON file' },
  WW_MIGRATION_NAME: { status: 500, meaning: 'a migration file is misnamed', hint: 'rename it, e.g. 0007_add_index.sql' },
  WW_MIGRATION_DUPLICATE: { status: 500, meaning: 'two migration files share a version', hint: 'give each file its own number' },
  WW_MIGRATION_CHANGED: { status: 500, meaning: 'an applied migration file was edited' },
  WW_MIGRATION_FAILED: { status: 500, meaning: 'a migration failed to apply' },
  WW_MISSING_TOOL: { status: 500, meaning: 'a program wearwatch runs (java, mvn, smartctl) is not on PATH' },
  WW_SMARTCTL_OUTPUT: { status: 500, meaning: 'smartctl printed no JSON', hint: 'smartmontools 7.1 or newer is needed for --json=c' },
  WW_AGENT_SEND_FAILED: { status: 503, meaning: 'the agent could not deliver to the server; the documents stay spooled' },
  WW_KAFKA_UNREACHABLE: { status: 503, meaning: 'no Kafka broker answers', hint: 'start `wearwatch up` or set KAFKA_BROKERS to a running cluster' },
  WW_KAFKA_PORT_IN_USE: { status: 500, meaning: "the local broker's port is taken", hint: 'stop the other process or set KAFKA_PORT' },
  WW_KAFKA_JARS: { status: 500, meaning: 'Maven could not fetch the Kafka broker jars' },
  WW_KAFKA_FORMAT_FAILED: { status: 500, meaning: "the local broker's storage could not be formatted" },
  WW_KAFKA_EXITED: { status: 500, meaning: 'the local Kafka broker exited while starting' },
  WW_KAFKA_NOT_READY: { status: 500, meaning: 'the local Kafka broker did not answer in time' },
  WW_INGEST_NEEDS_KAFKA: { status: 500, meaning: '`wearwatch ingest` needs a Kafka cluster' },
  WW_API_NEEDS_SERVERS: { status: 500, meaning: '`wearwatch api` on its own needs a ClickHouse server and a Kafka cluster' },
  WW_GRAFANA_NOT_CONFIGURED: { status: 500, meaning: 'GRAFANA_URL is not set', hint: 'set GRAFANA_URL and GRAFANA_TOKEN' },
  WW_GRAFANA_UNREACHABLE: { status: 503, meaning: 'Grafana cannot be reached', hint: 'check GRAFANA_URL and that Grafana is running' },
  WW_GRAFANA_AUTH: { status: 500, meaning: 'Grafana refused the token' },
  WW_GRAFANA_REJECTED: { status: 500, meaning: 'Grafana rejected a dashboard or folder' },
});

export type ErrorCode = keyof typeof errorRegistry;

/** Where the problem is in a request: `body.serial`, `query.limit`, … and what is wrong there. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Errors that reach a user carry a stable code, the status its registry entry gives and, where one exists, the fix;
 * the CLI prints message and hint and exits non-zero instead of a stack trace, the API answers the JSON error body.
 */
export class WearwatchError extends Error {
  readonly status: number;
  readonly hint?: string;
  readonly fields?: FieldProblem[];

  constructor(
    readonly code: ErrorCode,
    message: string,
    hint?: string,
    options?: { cause?: unknown; fields?: FieldProblem[] },
  ) {
    super(message, options);
    this.name = 'WearwatchError';
    this.status = errorRegistry[code].status;
    this.hint = hint ?? errorRegistry[code].hint;
    this.fields = options?.fields;
  }
}

export const notFound = (what: string): WearwatchError => new WearwatchError('WW_NOT_FOUND', `${what} not found`);

export const badRequest = (message: string, fields?: FieldProblem[]): WearwatchError => new WearwatchError('WW_VALIDATION', message, undefined, { fields });
