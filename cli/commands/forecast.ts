import type { Command } from 'commander';
import { type Backtest, backtestForecast, type Forecast, forecastClaims, saveForecast } from '../../analytics/forecast/run.ts';
import { refreshUnitAttributes } from '../../analytics/units.ts';
import { loadCatalog } from '../../core/catalog/load.ts';
import { WearwatchError } from '../../core/errors.ts';
import { System } from '../../runtime/system.ts';
import { createProgress } from '../progress.ts';
import { runCommand } from '../run.ts';

function positiveInt(name: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new WearwatchError('WW_BAD_OPTION', `${name} ${JSON.stringify(text)}: expected a whole number from 1 to ${max}`, `e.g. ${name} 6`);
  }
  return n;
}

function table(header: string[], rows: (string | number)[][]): string {
  const text = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...text.map((r) => r[i]!.length)));
  return text.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

const fixed = (n: number) => n.toFixed(1);

function printForecast(f: Forecast): string {
  const months = [...new Set(f.cells.map((c) => c.month))];
  const models = [...new Set(f.cells.map((c) => c.model))].filter((m) => f.cells.some((c) => c.model === m && c.expected_claims > 0));
  const rows = months.map((month) => {
    const cells = f.cells.filter((c) => c.month === month);
    const per = models.map((m) => fixed(cells.find((c) => c.model === m)?.expected_claims ?? 0));
    return [month.slice(0, 7), ...per, fixed(cells.reduce((s, c) => s + c.expected_claims, 0)), cells.reduce((s, c) => s + c.units_covered, 0)];
  });
  return `expected warranty claims per month from ${f.units_in_coverage} units in coverage on ${f.as_of}\n${table(['month', ...models, 'total', 'units covered'], rows)}`;
}

function printBacktest(b: Backtest): string {
  const rows = b.months.map((m) => [m.month.slice(0, 7), fixed(m.forecast), m.actual, fixed(m.abs_error)]);
  rows.push(['total', fixed(b.total_forecast), b.total_actual, fixed(b.total_abs_error)]);
  return [
    `backtest: history before ${b.as_of} forecasts the ${b.months.length} months after it`,
    table(['month', 'forecast', 'actual', '|error|'], rows),
    `MAPE ${b.mape_pct === null ? 'n/a (no claims in those months)' : `${b.mape_pct.toFixed(1)} %`}, total absolute error ${b.total_abs_error.toFixed(1)} claims`,
  ].join('\n');
}

export function forecastCommand(program: Command): void {
  program
    .command('forecast')
    .description(
      'expected warranty claims per month and model for the next months, from claim hazard by model and age; --backtest N scores it on the last N months',
    )
    .option('--months <n>', 'months to forecast', '12')
    .option('--model <model>', 'only this catalog model')
    .option('--as-of <date>', 'forecast from the month of this date (YYYY-MM-DD); default: the month after the last recorded data')
    .option('--backtest <n>', 'hide the last N complete months, forecast them and print MAPE and total absolute error')
    .option('--json', 'print JSON instead of a table')
    .option('--no-save', 'do not store the forecast for the dashboards (a backtest is never stored)')
    .action((options: { months: string; model?: string; asOf?: string; backtest?: string; json?: boolean; save: boolean }) =>
      runCommand(async ({ config, logger }) => {
        const months = positiveInt('--months', options.months, 60);
        const backtest = options.backtest === undefined ? undefined : positiveInt('--backtest', options.backtest, 60);
        if (options.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.asOf)) {
          throw new WearwatchError('WW_BAD_OPTION', `--as-of ${JSON.stringify(options.asOf)}: expected a date YYYY-MM-DD`, 'e.g. --as-of 2026-01-01');
        }
        const catalog = loadCatalog(config.WEARWATCH_CATALOG);
        if (options.model !== undefined && !catalog.byModel.has(options.model)) {
          throw new WearwatchError(
            'WW_BAD_OPTION',
            `--model ${JSON.stringify(options.model)}: not a model of catalog ${catalog.version}`,
            `one of: ${[...catalog.byModel.keys()].join(', ')}`,
          );
        }
        const progress = createProgress();
        const system = new System(config, logger, progress);
        try {
          const clickhouse = await system.startClickHouse();
          await refreshUnitAttributes(clickhouse, catalog);
          progress(backtest ? `backtesting the last ${backtest} month(s)` : 'forecasting');
          const result = backtest
            ? await backtestForecast(clickhouse, backtest, options.model)
            : await forecastClaims(clickhouse, { months, model: options.model, asOf: options.asOf });
          if ('cells' in result && options.save) await saveForecast(clickhouse, result);
          const text = options.json ? JSON.stringify(result, null, 2) : 'cells' in result ? printForecast(result) : printBacktest(result);
          process.stdout.write(`${text}\n`);
        } finally {
          await system.stop();
        }
      }),
    );
}
