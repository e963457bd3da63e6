import { z } from 'zod';
import { fleetId, isoDate } from '../core/contracts/common.ts';

/**
 * The filters every analytics view takes, shared by the API, the pages and the CLI so a chart and its endpoint can
 * never disagree about what "model X last quarter" means. `from` is inclusive, `to` exclusive.
 */
const analyticsFilterFields = {
  from: isoDate.optional().describe('first day included (YYYY-MM-DD); default: all history'),
  to: isoDate.optional().describe('first day excluded (YYYY-MM-DD); default: tomorrow'),
  model: z.string().trim().min(1).max(64).optional().describe('only this catalog model'),
  firmware: z.string().trim().min(1).max(64).optional().describe('only drives running this firmware'),
  fleet: fleetId.optional().describe('only this fleet'),
};

/** The filters plus any extra fields of one view, with the from < to check. */
export function withFilters<T extends z.ZodRawShape>(extra: T) {
  return z.object({ ...analyticsFilterFields, ...extra }).refine(
    (f) => {
      const { from, to } = f as { from?: string; to?: string };
      return !from || !to || from < to;
    },
    { path: ['to'], message: 'must be after from' },
  );
}

const analyticsFilters = withFilters({});
export type AnalyticsFilters = z.output<typeof analyticsFilters>;

/** Query parameters for the shared filters: empty text means "no filter", so one SQL text serves every combination. */
export function filterParams(filters: AnalyticsFilters, today = new Date()) {
  const tomorrow = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1));
  return {
    from: filters.from ?? '1900-01-01',
    to: filters.to ?? tomorrow.toISOString().slice(0, 10),
    model: filters.model ?? '',
    firmware: filters.firmware ?? '',
    fleet: filters.fleet ?? '',
  };
}

/** WHERE conditions for the shared filters on a view with model / firmware / fleet_id columns. */
export const filterConditions = `({model:String} = '' OR model = {model:String})
  AND ({firmware:String} = '' OR firmware = {firmware:String})
  AND ({fleet:String} = '' OR fleet_id = {fleet:String})`;
