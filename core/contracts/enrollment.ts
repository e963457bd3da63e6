import { z } from 'zod';
import { fleetId, instant, serial, storableDate } from './common.ts';

/** A drive joins a fleet. Purchase date and proof of purchase are optional: without both, coverage starts at manufacture. */
export const enrollment = z.object({
  schema: z.literal('wearwatch.enrollment.v1'),
  serial,
  model: z.string().trim().min(1).max(128),
  fleet_id: fleetId,
  purchase_date: storableDate.optional(),
  proof_of_purchase: z.string().trim().min(1).max(128).optional(),
  price_paid: z.number().nonnegative().max(1_000_000_000).multipleOf(0.01, 'at most two decimals'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
    .default('USD'),
  enrolled_at: instant,
});
export type Enrollment = z.output<typeof enrollment>;
