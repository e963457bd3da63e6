import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { adjustedFactors, adjustedFailureCauses } from '../../analytics/adjusted-causes.ts';
import { failureCauses } from '../../analytics/causes.ts';
import type { AnalyticsFilters } from '../../analytics/filters.ts';
import { withFilters } from '../../analytics/filters.ts';
import { backtestForecast, forecastClaims } from '../../analytics/forecast/run.ts';
import { alertProbability, rankRisk } from '../../analytics/risk.ts';
import { survivalCurves, survivalGroups } from '../../analytics/survival.ts';
import { afrTrend, claimTrend, cumulativeAfr, factors, nearLimitUnits, wearDistribution } from '../../analytics/trends.ts';
import { refreshUnitAttributes } from '../../analytics/units.ts';
import { badRequest } from '../../core/errors.ts';
import { apiKeySecurity, assertFleetAccess, requireRole } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';
import { registerAnalyticsPages } from '../pages/analytics/pages.ts';

const tags = ['analytics'];
const series = z.array(z.object({ month: z.string(), series: z.string() }).loose());
const months = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * A fleet manager sees only their fleets: with one fleet it is implied, with several the request names one. Other
 * staff roles see the whole fleet unless they filter.
 */
function scoped(request: FastifyRequest, filters: AnalyticsFilters): AnalyticsFilters {
  const principal = request.principal!;
  if (principal.role !== 'fleet_manager') return filters;
  if (filters.fleet) {
    assertFleetAccess(request, filters.fleet);
    return filters;
  }
  if (principal.fleetIds.length === 1) return { ...filters, fleet: principal.fleetIds[0] };
  throw badRequest('name the fleet: this key manages several fleets', [{ field: 'query.fleet', message: `one of: ${principal.fleetIds.join(', ')}` }]);
}

/**
 * Analytics for staff: AFR trends, failure causes, claim trends, wear, near-limit units and the warranty-load forecast.
 * Every view takes the same filters (from, to, model, firmware, fleet) as the analytics pages, served here too.
 */
export const analyticsRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app, deps) => {
  registerAnalyticsPages(app);
  const ch = deps.clickhouse;
  const fleetViews = { preHandler: requireRole('fleet_manager', 'quality', 'support', 'admin') };
  const quality = { preHandler: requireRole('quality', 'admin') };
  const desk = { preHandler: requireRole('support', 'quality', 'admin') };
  const schema = (summary: string, querystring: z.ZodType, response: z.ZodType) => ({
    summary,
    tags,
    security: apiKeySecurity,
    querystring,
    response: { 200: response, ...errorResponses(400, 401, 403, 404) },
  });

  app.get(
    '/v1/analytics/afr',
    {
      ...fleetViews,
      schema: schema(
        'Annualised failure rate per month by model or firmware (failures ÷ drive-days × 365, in %)',
        withFilters({ by: z.enum(['model', 'firmware']).default('model') }),
        z.object({ by: z.string(), points: series }),
      ),
    },
    async (request) => {
      const { by, ...filters } = request.query as { by: 'model' | 'firmware' } & AnalyticsFilters;
      return { by, points: await afrTrend(ch, by, scoped(request, filters)) };
    },
  );

  app.get(
    '/v1/analytics/afr/cumulative',
    {
      ...fleetViews,
      schema: schema(
        'AFR from the first month up to each month by model or firmware, with exact 95 % intervals (the running figure, not noisy monthly samples)',
        withFilters({ by: z.enum(['model', 'firmware']).default('model') }),
        z.object({ by: z.string(), points: series }),
      ),
    },
    async (request) => {
      const { by, ...filters } = request.query as { by: 'model' | 'firmware' } & AnalyticsFilters;
      return { by, points: cumulativeAfr(await afrTrend(ch, by, scoped(request, filters))) };
    },
  );

  app.get(
    '/v1/analytics/survival',
    {
      ...quality,
      schema: schema(
        'Kaplan–Meier failure curves by model, firmware or batch: share failed by age in days since coverage start, with Greenwood log-log confidence bands and drives at risk',
        withFilters({
          by: z.enum(survivalGroups).default('model'),
          min_drives: z.coerce.number().int().min(1).max(100_000).default(30).describe('leave out groups with fewer drives'),
        }),
        z.object({ by: z.string(), curves: z.array(z.object({ group: z.string(), points: z.array(z.object({}).loose()) }).loose()) }),
      ),
    },
    async (request) => {
      const { by, min_drives, ...filters } = request.query as { by: (typeof survivalGroups)[number]; min_drives: number } & AnalyticsFilters;
      await refreshUnitAttributes(ch, deps.catalog);
      return { by, curves: await survivalCurves(ch, by, filters, { minDrives: min_drives }) };
    },
  );

  app.get(
    '/v1/analytics/causes',
    {
      ...quality,
      schema: schema(
        'Failure causes per level of a factor, ranked by the lower confidence bound. adjusted=true (default): rate ratios from a Poisson regression of failures on drive-days with model, firmware, batch, age, temperature, fleet and wear together; adjusted=false: the unadjusted one-factor view (each level against the rest of the fleet, same models)',
        withFilters({
          factor: z.enum([...new Set([...factors, ...adjustedFactors])] as [string, ...string[]]).default('firmware'),
          adjusted: z
            .enum(['true', 'false'])
            .default('true')
            .transform((v) => v === 'true')
            .describe('adjust each factor for all the others (default) or show the unadjusted one-factor view'),
          confidence: z.coerce.number().min(0.5).max(0.999).default(0.95).describe('confidence level of the intervals'),
        }),
        z.object({ factor: z.string(), adjusted: z.boolean(), confidence: z.number(), levels: z.array(z.object({}).loose()) }).loose(),
      ),
    },
    async (request) => {
      const { factor, adjusted, confidence, ...filters } = request.query as { factor: string; adjusted: boolean; confidence: number } & AnalyticsFilters;
      await refreshUnitAttributes(ch, deps.catalog);
      if (adjusted) {
        if (!(adjustedFactors as readonly string[]).includes(factor)) {
          throw badRequest(`factor ${factor} is not in the adjusted model`, [
            { field: 'query.factor', message: `adjusted=true takes one of: ${adjustedFactors.join(', ')}; use adjusted=false for ${factor}` },
          ]);
        }
        return adjustedFailureCauses(ch, factor as (typeof adjustedFactors)[number], filters, confidence);
      }
      if (!(factors as readonly string[]).includes(factor)) {
        throw badRequest(`factor ${factor} has no unadjusted view`, [{ field: 'query.factor', message: `one of: ${factors.join(', ')}` }]);
      }
      return { adjusted: false, label: 'unadjusted', ...(await failureCauses(ch, factor as (typeof factors)[number], filters, confidence)) };
    },
  );

  app.get(
    '/v1/analytics/claims',
    {
      ...desk,
      schema: schema(
        'Warranty claims opened per month by outcome or by reason (each exclusion reason on its own)',
        withFilters({ by: z.enum(['outcome', 'reason']).default('outcome') }),
        z.object({ by: z.string(), points: series }),
      ),
    },
    async (request) => {
      const { by, ...filters } = request.query as { by: 'outcome' | 'reason' } & AnalyticsFilters;
      return { by, points: await claimTrend(ch, by, filters) };
    },
  );

  app.get(
    '/v1/analytics/wear',
    {
      ...fleetViews,
      schema: schema(
        'Drives per 10 % band of TBW / P/E rating used, per model, from each drive’s latest report',
        withFilters({}),
        z.object({ buckets: z.array(z.object({ model: z.string(), bucket: z.string(), drives: z.number() })) }),
      ),
    },
    async (request) => ({ buckets: await wearDistribution(ch, scoped(request, request.query as AnalyticsFilters)) }),
  );

  app.get(
    '/v1/analytics/near-limit',
    {
      ...fleetViews,
      schema: schema(
        'Drives at or above the warning share of their TBW / P/E rating, most worn first',
        withFilters({ limit: z.coerce.number().int().min(1).max(5000).default(200) }),
        z.object({ warn_pct: z.number(), critical_pct: z.number(), units: z.array(z.object({}).loose()) }),
      ),
    },
    async (request) => {
      const { limit, ...filters } = request.query as { limit: number } & AnalyticsFilters;
      const thresholds = { warnPct: deps.config.WEARWATCH_WARN_PCT, criticalPct: deps.config.WEARWATCH_CRITICAL_PCT, limit };
      return { warn_pct: thresholds.warnPct, critical_pct: thresholds.criticalPct, units: await nearLimitUnits(ch, scoped(request, filters), thresholds) };
    },
  );

  app.get(
    '/v1/analytics/risk',
    {
      ...fleetViews,
      schema: schema(
        'Drives most likely to fail in the next 30 days, with the expected probability, the telemetry signals behind it and an alert flag, from a Poisson model of past 30-day failures on telemetry bands and model / firmware / batch effects',
        z.object({
          fleet: z.string().trim().min(1).max(64).optional().describe('only this fleet'),
          as_of: z.iso.date().optional().describe('rank the drives as they were on this day (YYYY-MM-DD); default: today'),
          limit: z.coerce.number().int().min(1).max(1000).default(50),
        }),
        z.object({ as_of: z.string(), alert_probability: z.number(), drives: z.array(z.object({}).loose()) }).loose(),
      ),
    },
    async (request) => {
      const { fleet, as_of, limit } = request.query as { fleet?: string; as_of?: string; limit: number };
      const scope = scoped(request, { fleet } as AnalyticsFilters);
      await refreshUnitAttributes(ch, deps.catalog);
      return { alert_probability: alertProbability, ...(await rankRisk(ch, { asOf: as_of, fleet: scope.fleet, limit })) };
    },
  );

  app.get(
    '/v1/analytics/forecast',
    {
      ...desk,
      schema: schema(
        'Expected warranty claims per month and model for the coming months, from claim hazard by model and month of life',
        z.object({ months: months(36, 12), model: z.string().trim().min(1).max(64).optional() }),
        z.object({ as_of: z.string(), months: z.number(), units_in_coverage: z.number(), cells: z.array(z.object({}).loose()) }),
      ),
    },
    async (request) => {
      const { months: count, model } = request.query as { months: number; model?: string };
      await refreshUnitAttributes(ch, deps.catalog);
      return forecastClaims(ch, { months: count, model });
    },
  );

  app.get(
    '/v1/analytics/forecast/backtest',
    {
      ...desk,
      schema: schema(
        'Hides the last N complete months, forecasts them from the history before, and scores the forecast (MAPE, total absolute error)',
        z.object({ months: months(24, 6), model: z.string().trim().min(1).max(64).optional() }),
        z.object({ as_of: z.string(), months: z.array(z.object({}).loose()), mape_pct: z.number().nullable(), total_abs_error: z.number() }).loose(),
      ),
    },
    async (request) => {
      const { months: count, model } = request.query as { months: number; model?: string };
      await refreshUnitAttributes(ch, deps.catalog);
      return backtestForecast(ch, count, model);
    },
  );
};
