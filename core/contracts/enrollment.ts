import { z } from 'zod';
import { fleetId, instant, serial, storableDate } from './common.ts';
import { checkPurchaseDate, proofDateReasons, proofOfPurchase } from './proof.ts';

/**
 * A drive joins a fleet. Purchase date and proof of purchase are optional: without both, coverage starts at manufacture.
 * The proof is `{reference, purchase_date, seller?}`; the older form, a reference string next to `purchase_date`, is
 * still accepted (existing producers and CSV files send it). A purchase date after the enrolment day is refused.
 */
export const enrollment = z
  .object({
    schema: z.literal('wearwatch.enrollment.v1'),
    serial,
    model: z.string().trim().min(1).max(128),
    fleet_id: fleetId,
    purchase_date: storableDate.optional(),
    proof_of_purchase: z.union([proofOfPurchase, z.string().trim().min(1).max(128)]).optional(),
    // null: the price is not known (a liability cap of "unknown, desk review", never 0).
    price_paid: z.number().nonnegative().max(1_000_000_000).multipleOf(0.01, 'at most two decimals').nullable(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
      .default('USD'),
    enrolled_at: instant,
  })
  .superRefine((e, ctx) => {
    const proof = typeof e.proof_of_purchase === 'object' ? e.proof_of_purchase : null;
    if (proof && e.purchase_date && e.purchase_date !== proof.purchase_date) {
      ctx.addIssue({ code: 'custom', path: ['purchase_date'], message: 'differs from proof_of_purchase.purchase_date; send one date' });
    }
    const date = proof?.purchase_date ?? e.purchase_date;
    if (date && checkPurchaseDate(date, e.enrolled_at.slice(0, 10), null)) {
      ctx.addIssue({
        code: 'custom',
        path: proof ? ['proof_of_purchase', 'purchase_date'] : ['purchase_date'],
        message: `purchase_in_future: ${proofDateReasons.purchase_in_future}`,
      });
    }
  });
export type Enrollment = z.output<typeof enrollment>;
