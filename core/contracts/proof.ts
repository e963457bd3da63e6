import { z } from 'zod';
import { isoDate } from './common.ts';

/**
 * Proof of purchase as evidence (policy I, Proof of Warranty): the invoice or receipt reference, the purchase date it
 * shows, and optionally the seller. On an RMA request it is checked against the unit (not before its manufacturing date,
 * not after today) and decides the claim provisionally until the desk verifies or rejects it.
 */
export const proofOfPurchase = z
  .object({
    reference: z.string().trim().min(1, 'the invoice or receipt number').max(128),
    purchase_date: isoDate.describe('the date on the invoice or receipt'),
    seller: z.string().trim().min(1).max(200).optional(),
  })
  .meta({ id: 'ProofOfPurchase' });
export type ProofOfPurchase = z.output<typeof proofOfPurchase>;

/** Why a proof's purchase date is refused; such a date is never used. */
export const proofDateReasons = {
  purchase_in_future: 'the purchase date is after today',
  purchase_before_manufacture: "the purchase date is before the unit's manufacturing date (from its serial number)",
} as const;
export type ProofDateReason = keyof typeof proofDateReasons;

/** The reason a purchase date cannot be used, or null when it can (manufactured: the serial's date, when it decodes). */
export function checkPurchaseDate(purchaseDate: string, today: string, manufactured: string | null): ProofDateReason | null {
  if (purchaseDate > today) return 'purchase_in_future';
  if (manufactured !== null && purchaseDate < manufactured) return 'purchase_before_manufacture';
  return null;
}
