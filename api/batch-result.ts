import { z } from 'zod';

/** The answer to a batch (enrolment, telemetry): counts plus one entry per item, so a client can resend exactly the rejected ones. */
export const batchResult = z
  .object({
    accepted: z.number(),
    rejected: z.number(),
    held: z.number().describe('telemetry for a serial not enrolled yet: kept apart, counted once it is enrolled in the sample fleet'),
    quarantined: z.number().describe('telemetry kept for review, never the unit reading (e.g. a lifetime counter going down)'),
    items: z.array(
      z.object({
        index: z.number().describe('position of the item in the request'),
        serial: z.string().nullable(),
        status: z.enum(['accepted', 'held', 'quarantined', 'rejected']),
        reasons: z.array(z.string()).describe('field and problem for each reason the item was rejected'),
      }),
    ),
  })
  .meta({ id: 'BatchResult' });
export type BatchResult = z.output<typeof batchResult>;
export type ItemResult = BatchResult['items'][number];

export const summarize = (items: ItemResult[]): BatchResult => {
  const count = (status: ItemResult['status']) => items.filter((i) => i.status === status).length;
  return { accepted: count('accepted'), rejected: count('rejected'), held: count('held'), quarantined: count('quarantined'), items };
};

/** The serial an item claims, for the report, even when the item is invalid. */
export const claimedSerial = (item: unknown): string | null => {
  const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).serial : undefined;
  return typeof value === 'string' ? value.slice(0, 64) : null;
};
