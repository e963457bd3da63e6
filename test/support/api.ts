import { type ApiServer, buildServer } from '../../api/server.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import type { ClickHouse } from '../../core/clickhouse.ts';
import { loadConfig } from '../../core/config.ts';
import { HealthRegistry } from '../../core/health.ts';
import type { Kafka } from '../../core/kafka.ts';
import { createLogger } from '../../core/logger.ts';
import { insertRows } from '../../core/query.ts';
import { KeyStore, type NewKeyRequest } from '../../keys/api-keys.ts';
import { openTestClickHouse } from './clickhouse.ts';
import { testKafka, uniqueTopic } from './kafka.ts';

export interface TestApi {
  app: ApiServer;
  clickhouse: ClickHouse;
  kafka: Kafka;
  topics: { rma: string; telemetry: string; enrollment: string };
  keys: KeyStore;
  /** Creates a key and returns the `Authorization` header for it. */
  auth(request: NewKeyRequest): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/**
 * The real API on a fresh embedded ClickHouse and the suite's Kafka broker, with topics of its own so assertions on
 * produced messages only see this file's traffic.
 */
export async function openTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const config = loadConfig({ WEARWATCH_LOG_LEVEL: 'error', API_RATE_LIMIT: '100000', ...env });
  const clickhouse = await openTestClickHouse();
  const kafka = testKafka();
  const topics = {
    rma: await uniqueTopic(kafka, 'api-rma'),
    telemetry: await uniqueTopic(kafka, 'api-telemetry'),
    enrollment: await uniqueTopic(kafka, 'api-enrollment'),
  };
  const producer = kafka.producer();
  await producer.connect();
  const app = await buildServer({
    config,
    logger: createLogger(config),
    health: new HealthRegistry(),
    clickhouse,
    catalog: loadCatalog(),
    producer,
    topics,
  });
  await app.ready();
  const keys = new KeyStore(clickhouse.client);
  return {
    app,
    clickhouse,
    kafka,
    topics,
    keys,
    auth: async (request) => ({ authorization: `Bearer ${(await keys.create(request)).key}` }),
    close: async () => {
      await app.close();
      await producer.disconnect();
      await clickhouse.close();
    },
  };
}

export interface SeedDrive {
  serial: string;
  model: string;
  fleet_id: string;
  purchase_date?: string | null;
  proof_of_purchase?: string | null;
  price_paid?: number | null;
}

/** Enrols drives directly in ClickHouse, as ingest would write them. */
export async function seedDrives(clickhouse: ClickHouse, drives: SeedDrive[]): Promise<void> {
  await insertRows(
    clickhouse.client,
    'drives',
    drives.map((d) => ({
      purchase_date: null,
      proof_of_purchase: null,
      price_paid: 100,
      currency: 'USD',
      enrolled_at: '2025-01-01T00:00:00.000Z',
      ...d,
    })),
  );
}

/** Writes telemetry samples directly, as ingest would. */
export async function seedTelemetry(
  clickhouse: ClickHouse,
  samples: {
    serial: string;
    fleet_id: string;
    model: string;
    collected_at: string;
    host_bytes_written?: number;
    avg_pe_cycles?: number;
    temperature_c?: number;
  }[],
): Promise<void> {
  await insertRows(
    clickhouse.client,
    'telemetry',
    samples.map((s) => ({ firmware: '1.0', source: 'simulator', ...s })),
  );
}
