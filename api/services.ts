import { z } from 'zod';
import type { Config } from '../core/config.ts';
import { addressLines, packagingRules, rmaSteps } from '../rma/instructions.ts';
import { RmaService } from '../rma/service.ts';
import { RmaStore } from '../rma/store.ts';
import { WarrantyService } from '../warranty/service.ts';
import { type ApiDependencies, apiTopics } from './dependencies.ts';

/** The RMA service over the process's ClickHouse, producer and catalog; the public, support and page routes share it. */
export function rmaServiceFor(deps: ApiDependencies): RmaService {
  const store = new RmaStore(deps.clickhouse.client, deps.producer, apiTopics(deps).rma, deps.logger);
  return new RmaService(store, new WarrantyService(deps.clickhouse.client, deps.catalog));
}

export const shippingInstructionsSchema = z
  .object({ steps: z.array(z.string()), packaging: z.array(z.string()), mailing_address: z.array(z.string()) })
  .meta({ id: 'ShippingInstructions' });

export const shippingInstructions = (config: Pick<Config, 'RMA_MAILING_ADDRESS'>) => ({
  steps: [...rmaSteps],
  packaging: [...packagingRules],
  mailing_address: addressLines(config.RMA_MAILING_ADDRESS),
});
