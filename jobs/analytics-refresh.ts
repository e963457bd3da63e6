import { saveAdjustedCauses } from '../analytics/adjusted-causes.ts';
import { forecastClaims, saveForecast } from '../analytics/forecast/run.ts';
import { refreshUnitAttributes } from '../analytics/units.ts';
import type { Catalog } from '../core/catalog/load.ts';
import type { ClickHouse } from '../core/clickhouse.ts';
import { WearwatchError } from '../core/errors.ts';

/**
 * The scheduled analytics work: decode the serials of newly enrolled drives (batch, manufacturing date) and store a
 * fresh 12-month forecast and the adjusted failure causes for the dashboards. An empty database has no history to
 * forecast from yet: not a failure.
 */
export async function runAnalyticsJob(ch: ClickHouse, catalog: Catalog): Promise<{ units: number }> {
  const decoded = await refreshUnitAttributes(ch, catalog);
  await saveAdjustedCauses(ch);
  try {
    const forecast = await forecastClaims(ch, { months: 12 });
    await saveForecast(ch, forecast);
    return { units: forecast.units_in_coverage };
  } catch (error) {
    if (error instanceof WearwatchError && error.code === 'WW_NO_HISTORY') return { units: decoded };
    throw error;
  }
}
