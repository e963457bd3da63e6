import { z } from 'zod';
import type { Config } from '../core/config.ts';
import { UnitRegistry } from '../fleet/registry.ts';
import { addressLines, packagingRules, rmaSteps } from '../rma/instructions.ts';
import { RmaService } from '../rma/service.ts';
import { RmaStore } from '../rma/store.ts';
import { WarrantyService } from '../warranty/service.ts';
import { type ApiDependencies, apiTopics } from './dependencies.ts';

/** Units registered outside bulk enrolment (replacements, retail registrations), over the process's ClickHouse and producer. */
export const unitRegistryFor = (deps: ApiDependencies): UnitRegistry =>
  new UnitRegistry(deps.clickhouse.client, deps.producer, apiTopics(deps).enrollment, apiTopics(deps).telemetry);

/** The RMA service over the process's ClickHouse, producer and catalog; the public, support and page routes share it. */
export function rmaServiceFor(deps: ApiDependencies): RmaService {
  const store = new RmaStore(deps.clickhouse.client, deps.producer, apiTopics(deps).rma, deps.logger);
  const registry = unitRegistryFor(deps);
  return new RmaService(store, new WarrantyService(deps.clickhouse.client, deps.catalog), {
    authorisationDays: deps.config.RMA_AUTHORISATION_DAYS,
    requestsPerSerialPerDay: deps.config.RMA_REQUESTS_PER_SERIAL_PER_DAY,
    registerUnit: async (unit) => {
      await registry.enrol(unit);
    },
    recordBenchReading: (unit, reading, at) => registry.recordSample({ ...unit, ...reading, collected_at: at.toISOString(), source: 'bench' }),
  });
}

export const shippingInstructionsSchema = z
  .object({ steps: z.array(z.string()), packaging: z.array(z.string()), mailing_address: z.array(z.string()) })
  .meta({ id: 'ShippingInstructions' });

export const shippingInstructions = (config: Pick<Config, 'RMA_MAILING_ADDRESS'>) => ({
  steps: [...rmaSteps],
  packaging: [...packagingRules],
  mailing_address: addressLines(config.RMA_MAILING_ADDRESS),
});
