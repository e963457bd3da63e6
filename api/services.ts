import fp from 'fastify-plugin';
import { type FleetQueries, fleetQueriesFor } from '../fleet/queries.ts';
import { ProductRegistrations } from '../fleet/registration.ts';
import { UnitRegistry } from '../fleet/registry.ts';
import { KeyStore } from '../keys/api-keys.ts';
import { RmaService } from '../rma/service.ts';
import { RmaStore } from '../rma/store.ts';
import { WarrantyService } from '../warranty/service.ts';
import { WarrantyIndex } from '../warranty/unit-index.ts';
import { type ApiDependencies, apiTopics } from './dependencies.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** API keys: requireRole verifies against it, the admin routes manage it. */
    keyStore: KeyStore;
    /** In-memory warranty inputs of every enrolled unit, refreshed in the background while the server runs. */
    warrantyIndex: WarrantyIndex;
    warranty: WarrantyService;
    rmaStore: RmaStore;
    rma: RmaService;
    fleets: FleetQueries;
    /** Units registered outside bulk enrolment: replacements and retail product registrations. */
    registrations: ProductRegistrations;
  }
}

/**
 * Builds the domain services once per app and decorates the root instance with them (fastify-plugin keeps the
 * decorations visible to every route plugin registered after it). Route plugins only use `app.<service>`.
 */
export const services = fp<ApiDependencies>(
  async (app, deps) => {
    const client = deps.clickhouse.client;
    const topics = apiTopics(deps);
    const warrantyIndex = new WarrantyIndex(client, deps.logger);
    const warranty = new WarrantyService(client, deps.catalog, warrantyIndex);
    const rmaStore = new RmaStore(client, deps.producer, topics.rma, deps.logger);
    const units = new UnitRegistry(client, deps.producer, topics.enrollment, topics.telemetry);
    app.decorate('keyStore', new KeyStore(client));
    app.decorate('warrantyIndex', warrantyIndex);
    app.decorate('warranty', warranty);
    app.decorate('rmaStore', rmaStore);
    app.decorate(
      'rma',
      new RmaService(rmaStore, warranty, {
        authorisationDays: deps.config.RMA_AUTHORISATION_DAYS,
        requestsPerSerialPerDay: deps.config.RMA_REQUESTS_PER_SERIAL_PER_DAY,
        registerUnit: async (unit) => {
          await units.enrol(unit);
        },
        recordBenchReading: (unit, reading, at) => units.recordSample({ ...unit, ...reading, collected_at: at.toISOString(), source: 'bench' }),
      }),
    );
    app.decorate('fleets', fleetQueriesFor(client, deps.config));
    app.decorate('registrations', new ProductRegistrations(client, units, deps.catalog));

    let indexFeed: ReturnType<WarrantyIndex['keepFresh']> | undefined;
    // The index loads before the server accepts requests; until it holds a serial, lookups read ClickHouse directly.
    app.addHook('onReady', async () => {
      indexFeed = warrantyIndex.keepFresh(deps.config.API_INDEX_REFRESH_MS);
      await indexFeed.first;
    });
    app.addHook('onClose', async () => indexFeed?.stop());
  },
  { name: 'wearwatch-services' },
);
