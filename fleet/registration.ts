import { z } from 'zod';
import { type Catalog, decodeSerial, findModel } from '../core/catalog/load.ts';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { serial } from '../core/contracts/common.ts';
import { checkPurchaseDate, proofDateReasons, proofOfPurchase } from '../core/contracts/proof.ts';
import { badRequest, WearwatchError } from '../core/errors.ts';
import { insertRows, queryRows } from '../core/query.ts';
import type { UnitRegistry } from './registry.ts';

/** The fleet retail units registered by their buyers belong to. */
const retailFleet = 'retail';

/** A customer who bought a unit in a shop registers it (policy I: the proof of purchase starts the warranty). */
export const productRegistration = z
  .object({
    serial,
    model: z.string().trim().min(1).max(128).describe('a model of the catalog (GET /v1/models)'),
    proof_of_purchase: proofOfPurchase,
    price_paid: z
      .object({ amount: z.number().nonnegative().max(1_000_000_000).multipleOf(0.01), currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code') })
      .optional()
      .describe('as on the receipt; without it the liability cap is "unknown, desk review"'),
    contact: z.object({ name: z.string().trim().min(1).max(100), email: z.email('a valid e-mail address').max(200) }),
  })
  .meta({ id: 'ProductRegistration' });
export type ProductRegistration = z.output<typeof productRegistration>;

export interface RegistrationConflict {
  received_at: string;
  serial: string;
  model: string;
  enrolled_fleet: string;
  registration: string;
}

/**
 * Registers retail units: the model must be in the catalog and match the serial's format, the purchase date may be
 * neither after today nor before the serial's manufacturing date. A serial already enrolled is never overwritten:
 * the registration is kept for the desk and answered with 409.
 */
export class ProductRegistrations {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly registry: UnitRegistry,
    private readonly catalog: Catalog,
  ) {}

  async register(r: ProductRegistration, now = new Date()): Promise<{ serial: string; fleet_id: string }> {
    const model = findModel(this.catalog, r.model);
    if (!model)
      throw badRequest(`model ${r.model} is not in the catalog`, [{ field: 'body.model', message: 'not a model of the catalog (see GET /v1/models)' }]);
    const decoded = decodeSerial(this.catalog, r.serial, model.product_line);
    if (!decoded.ok) throw badRequest(`serial ${r.serial}: ${decoded.reason}`, [{ field: 'body.serial', message: decoded.reason }]);
    const refused = checkPurchaseDate(r.proof_of_purchase.purchase_date, now.toISOString().slice(0, 10), decoded.manufactured);
    if (refused) {
      const message = `${refused}: ${proofDateReasons[refused]}`;
      throw badRequest(`proof_of_purchase.purchase_date: ${message}`, [{ field: 'body.proof_of_purchase.purchase_date', message }]);
    }
    const owner = await this.registry.ownerOf(r.serial);
    if (owner !== null) {
      await insertRows(this.client, 'registration_conflicts', [
        { received_at: now.toISOString(), serial: r.serial, model: r.model, enrolled_fleet: owner, registration: JSON.stringify(r) },
      ]);
      throw new WearwatchError(
        'WW_REGISTRATION_CONFLICT',
        `serial ${r.serial} is registered already; the support desk will review this registration`,
        undefined,
        {
          fields: [{ field: 'body.serial', message: 'this serial number is registered already; the support desk will contact you' }],
        },
      );
    }
    await this.registry.enrol(
      {
        serial: r.serial,
        model: r.model,
        fleet_id: retailFleet,
        proof_of_purchase: r.proof_of_purchase,
        price_paid: r.price_paid?.amount ?? null,
        currency: r.price_paid?.currency ?? 'USD',
      },
      now,
    );
    return { serial: r.serial, fleet_id: retailFleet };
  }

  /** Registrations that named an enrolled serial, newest first, for the desk. */
  conflicts(limit: number): Promise<RegistrationConflict[]> {
    return queryRows<RegistrationConflict>(
      this.client,
      `SELECT toString(received_at) AS received_at, serial, toString(model) AS model, toString(enrolled_fleet) AS enrolled_fleet, registration
       FROM registration_conflicts ORDER BY received_at DESC LIMIT {limit:UInt32}`,
      { limit },
    );
  }
}
