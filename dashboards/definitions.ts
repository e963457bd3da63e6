import { buildDashboard, type DashboardSpec, modelCondition, modelVariable, numberVariable } from './build.ts';

/**
 * The wearwatch Grafana dashboards. Every panel reads the analytics views (infra/clickhouse/migrations/003x), the same
 * definitions the API and the built-in pages use, so Grafana and wearwatch never disagree on a number.
 */
const latestForecast = 'run_at = (SELECT max(run_at) FROM analytics_forecast)';
const afr = (failures: string, days: string) => `round(if(${days} = 0, 0, ${failures} / ${days} * 365 * 100), 3)`;

const fleetWear: DashboardSpec = {
  uid: 'wearwatch-fleet-wear',
  title: 'wearwatch · Fleet wear',
  description: 'How much of their TBW (SSD) or P/E (TF) rating the drives have used, per model, day by day.',
  variables: [modelVariable],
  panels: [
    {
      title: 'Median wear by model',
      description: 'Median % of TBW / P/E rating used among drives reporting each day.',
      type: 'timeseries',
      format: 'timeseries',
      sql: `SELECT toDateTime(day) AS time, model, wear_p50 FROM analytics_wear_daily
            WHERE $__timeFilter(day) AND ${modelCondition} ORDER BY time, model`,
      columns: ['time', 'model', 'wear_p50'],
      width: 12,
      height: 8,
      unit: 'percent',
    },
    {
      title: '90th percentile wear by model',
      description: 'The most worn tenth of the drives reporting each day starts at this % of its rating.',
      type: 'timeseries',
      format: 'timeseries',
      sql: `SELECT toDateTime(day) AS time, model, wear_p90 FROM analytics_wear_daily
            WHERE $__timeFilter(day) AND ${modelCondition} ORDER BY time, model`,
      columns: ['time', 'model', 'wear_p90'],
      width: 12,
      height: 8,
      unit: 'percent',
    },
    {
      title: 'Drives by wear band (latest report)',
      description: 'Drives per 10 % band of rating used, from each drive’s latest report.',
      type: 'barchart',
      format: 'table',
      sql: `SELECT concat(toString(b * 10), if(b = 10, '%+', concat('-', toString(b * 10 + 10), '%'))) AS band, count() AS drives
            FROM (SELECT toUInt8(least(floor(wear_pct / 10), 10)) AS b FROM analytics_wear_latest WHERE ${modelCondition})
            GROUP BY b ORDER BY b`,
      columns: ['band', 'drives'],
      width: 16,
      height: 8,
      options: { xField: 'band', orientation: 'vertical' },
    },
    {
      title: 'Drives reporting wear',
      description: 'Drives with at least one wear reading.',
      type: 'stat',
      format: 'table',
      sql: `SELECT count() AS drives FROM analytics_wear_latest WHERE ${modelCondition}`,
      columns: ['drives'],
      width: 8,
      height: 8,
    },
  ],
};

const nearLimits: DashboardSpec = {
  uid: 'wearwatch-near-limits',
  title: 'wearwatch · Units near limits',
  description: 'Drives close to the TBW or P/E rating that ends their warranty (policy clause I and III).',
  variables: [modelVariable, numberVariable('warn', 'Warning at % used', 80), numberVariable('critical', 'Critical at % used', 95)],
  panels: [
    {
      title: 'Units at warning / critical',
      description: 'Drives whose latest wear reading is at or above the thresholds.',
      type: 'stat',
      format: 'table',
      sql: `SELECT countIf(wear_pct >= toFloat64OrZero('\${warn}')) AS warning, countIf(wear_pct >= toFloat64OrZero('\${critical}')) AS critical
            FROM analytics_wear_latest WHERE ${modelCondition}`,
      columns: ['warning', 'critical'],
      width: 24,
      height: 5,
    },
    {
      title: 'Units near TBW / P/E limits',
      description: 'Most worn first; wear is the % of the model’s TBW (SSD) or P/E (TF) rating used.',
      type: 'table',
      format: 'table',
      sql: `SELECT serial, model, fleet_id, firmware, last_seen, round(wear_pct, 1) AS wear_pct
            FROM analytics_wear_latest WHERE wear_pct >= toFloat64OrZero('\${warn}') AND ${modelCondition}
            ORDER BY wear_pct DESC LIMIT 1000`,
      columns: ['serial', 'model', 'fleet_id', 'firmware', 'last_seen', 'wear_pct'],
      width: 24,
      height: 14,
    },
  ],
};

/** A table of AFR per level of one analytics_exposure column. */
const afrTable = (title: string, column: string, label: string): DashboardSpec['panels'][number] => ({
  title,
  description: `Failures, drive-days and annualised failure rate (failures ÷ drive-days × 365) by ${label} in the time range.`,
  type: 'table',
  format: 'table',
  sql: `SELECT toString(e.${column}) AS ${label}, sum(e.drive_days) AS drive_days, sum(e.failed) AS failures, ${afr('failures', 'drive_days')} AS afr_pct
        FROM analytics_exposure AS e WHERE $__timeFilter(e.day) AND ${modelCondition}
        GROUP BY ${label} ORDER BY afr_pct DESC`,
  columns: [label, 'drive_days', 'failures', 'afr_pct'],
  width: 12,
  height: 9,
});

const failureTrends: DashboardSpec = {
  uid: 'wearwatch-failure-trends',
  title: 'wearwatch · Failure trends',
  description:
    'Annualised failure rate (AFR = failures ÷ drive-days × 365). A failure is a confirmed-defect claim (repaired, replaced, or defect confirmed and not rejected) or a telemetry critical warning, whichever comes first.',
  variables: [modelVariable],
  panels: [
    {
      title: 'AFR by model',
      description: 'Monthly annualised failure rate per model, in %.',
      type: 'timeseries',
      format: 'timeseries',
      sql: `SELECT toDateTime(a.month) AS time, a.model AS model, ${afr('sum(a.failures)', 'sum(a.drive_days)')} AS afr_pct
            FROM analytics_afr_monthly AS a WHERE $__timeFilter(a.month) AND ${modelCondition}
            GROUP BY a.month, a.model ORDER BY time, model`,
      columns: ['time', 'model', 'afr_pct'],
      width: 12,
      height: 9,
      unit: 'percent',
    },
    {
      title: 'AFR by firmware',
      description: 'Monthly annualised failure rate per firmware version, in %.',
      type: 'timeseries',
      format: 'timeseries',
      sql: `SELECT toDateTime(a.month) AS time, a.firmware AS firmware, ${afr('sum(a.failures)', 'sum(a.drive_days)')} AS afr_pct
            FROM analytics_afr_monthly AS a WHERE $__timeFilter(a.month) AND ${modelCondition}
            GROUP BY a.month, a.firmware ORDER BY time, firmware`,
      columns: ['time', 'firmware', 'afr_pct'],
      width: 12,
      height: 9,
      unit: 'percent',
    },
    {
      title: 'Adjusted failure causes (latest analytics run)',
      description:
        'Rate ratio of each factor level against its reference from a Poisson regression with model, firmware, batch, age, temperature, fleet and wear together (95 % interval); ranked by the lower bound within each factor. Sparse levels are pooled and not judged. The one-factor tables below are unadjusted.',
      type: 'table',
      format: 'table',
      sql: `SELECT c.factor AS factor, c.level AS level, c.status AS status, c.failures AS failures, round(c.ratio, 2) AS ratio,
                   round(c.lower, 2) AS lower, round(c.upper, 2) AS upper, c.verdict AS verdict
            FROM analytics_causes_adjusted AS c
            WHERE c.run_at = (SELECT max(run_at) FROM analytics_causes_adjusted)
            ORDER BY c.factor, c.rank`,
      columns: ['factor', 'level', 'status', 'failures', 'ratio', 'lower', 'upper', 'verdict'],
      width: 24,
      height: 10,
    },
    afrTable('AFR by manufacturing batch (unadjusted)', 'batch', 'batch'),
    afrTable('AFR by temperature band', 'temp_band', 'temperature'),
    afrTable('AFR by unsafe-shutdown count', 'shutdown_band', 'unsafe_shutdowns'),
    afrTable('AFR by age', 'age_band', 'age'),
  ],
};

const claimTrends: DashboardSpec = {
  uid: 'wearwatch-claim-trends',
  title: 'wearwatch · Claim trends',
  description: 'Warranty claims (RMAs) opened per month, by outcome and by reason, including each exclusion reason.',
  variables: [modelVariable],
  panels: [
    {
      title: 'Claims per month by outcome',
      description: 'Outcome so far: replaced, repaired, rejected, closed, or open.',
      type: 'timeseries',
      format: 'timeseries',
      sql: `SELECT toDateTime(toStartOfMonth(opened_on)) AS time, outcome, count() AS claims FROM analytics_claims
            WHERE $__timeFilter(opened_on) AND ${modelCondition} GROUP BY time, outcome ORDER BY time, outcome`,
      columns: ['time', 'outcome', 'claims'],
      width: 12,
      height: 9,
    },
    {
      title: 'Claims per month by reason',
      description: 'A claim with several reasons counts under each; "none" when no reason was recorded.',
      type: 'timeseries',
      format: 'timeseries',
      sql: `SELECT toDateTime(c.month) AS time, c.reason AS reason, sum(c.claims) AS claims FROM analytics_claims_monthly AS c
            WHERE $__timeFilter(c.month) AND ${modelCondition} GROUP BY time, reason ORDER BY time, reason`,
      columns: ['time', 'reason', 'claims'],
      width: 12,
      height: 9,
    },
    {
      title: 'Exclusion reasons of rejected claims',
      description: 'Why claims were refused in the time range (policy clause III).',
      type: 'table',
      format: 'table',
      sql: `SELECT c.reason AS reason, sum(c.claims) AS claims FROM analytics_claims_monthly AS c
            WHERE c.outcome = 'rejected' AND $__timeFilter(c.month) AND ${modelCondition} GROUP BY reason ORDER BY claims DESC`,
      columns: ['reason', 'claims'],
      width: 24,
      height: 8,
    },
  ],
};

const forecast: DashboardSpec = {
  uid: 'wearwatch-forecast',
  title: 'wearwatch · Warranty-load forecast',
  description: 'Expected claims per month from the latest stored forecast (`wearwatch forecast`), against the claims that arrived.',
  variables: [modelVariable],
  panels: [
    {
      title: 'Forecast vs actual claims',
      description: 'Forecast: the latest run, per month. Actual: claims opened per month.',
      type: 'timeseries',
      format: 'timeseries',
      sql: `SELECT time, series, claims FROM (
              SELECT toDateTime(f.month) AS time, 'forecast' AS series, sum(f.expected_claims) AS claims FROM analytics_forecast AS f
              WHERE ${latestForecast} AND ${modelCondition} GROUP BY f.month
              UNION ALL
              SELECT toDateTime(toStartOfMonth(opened_on)) AS time, 'actual' AS series, toFloat64(count()) AS claims FROM analytics_claims
              WHERE $__timeFilter(opened_on) AND ${modelCondition} GROUP BY time)
            ORDER BY time, series`,
      columns: ['time', 'series', 'claims'],
      width: 24,
      height: 10,
    },
    {
      title: 'Forecast by model (latest run)',
      description: 'Expected claims and the units still covered at the start of each month.',
      type: 'table',
      format: 'table',
      sql: `SELECT f.month AS month, f.model AS model, round(f.expected_claims, 1) AS expected_claims, f.units_covered AS units_covered
            FROM analytics_forecast AS f WHERE ${latestForecast} AND ${modelCondition} ORDER BY month, model`,
      columns: ['month', 'model', 'expected_claims', 'units_covered'],
      width: 24,
      height: 10,
    },
  ],
};

export const dashboardSpecs: DashboardSpec[] = [fleetWear, nearLimits, failureTrends, claimTrends, forecast];

export const dashboards = () => dashboardSpecs.map(buildDashboard);
