import { z } from 'zod';
import type { Config } from '../../core/config.ts';
import { apiTopics, type ApiDependencies } from '../dependencies.ts';
import { WarrantyService } from '../warranty.ts';
import { addressLines, packagingRules, rmaSteps } from './instructions.ts';
import { RmaService } from './service.ts';
import { RmaStore } from './store.ts';

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
