import { z } from 'zod';
import { fleetId, instant, serial } from './common.ts';

export const alertFlags = ['near_tbw', 'near_pe', 'wearout_before_coverage_end', 'warranty_ending', 'temperature_out_of_range'] as const;
export type AlertFlag = (typeof alertFlags)[number];

/** Produced by the processors whenever a flag is raised, changes level, or clears. */
export const alertEvent = z.object({
  schema: z.literal('wearwatch.alerts.v1'),
  /** Stable per raise or clear of one flag in one evaluation run: producing it again (at least once) keeps the id. */
  id: z.string().min(1).max(200).optional(),
  serial,
  fleet_id: fleetId,
  flag: z.enum(alertFlags),
  level: z.enum(['info', 'review', 'warn', 'critical']),
  action: z.enum(['raised', 'cleared']),
  at: instant,
  value: z.number().optional(),
  threshold: z.number().optional(),
  message: z.string().max(500),
});
export type AlertEvent = z.output<typeof alertEvent>;
