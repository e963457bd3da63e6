import type { Command } from 'commander';
import { loadCatalog, writeCatalog } from '../../core/catalog/load.ts';
import { System } from '../../runtime/system.ts';
import { createProgress } from '../progress.ts';
import { runCommand } from '../run.ts';

export function catalogCommand(program: Command): void {
  program
    .command('catalog')
    .description(
      'validate the product catalog (WEARWATCH_CATALOG or --file, else the shipped one), print its TBW / P/E table, and with --load write it into ClickHouse',
    )
    .option('--file <path>', 'catalog JSON file to check instead of WEARWATCH_CATALOG')
    .option('--load', 'also write the models into the catalog_models table')
    .action((options: { file?: string; load?: boolean }) =>
      runCommand(async ({ config, logger }) => {
        const progress = createProgress();
        const catalog = loadCatalog(options.file ?? config.WEARWATCH_CATALOG);
        progress(`catalog ${catalog.version} (${catalog.vendor}) is valid: ${catalog.models.length} model(s), ${catalog.formats.size} product line(s)`);
        const rows = catalog.models.map((m) => ({
          model: m.model,
          kind: m.kind,
          capacity_gb: m.capacity_gb,
          rating: m.kind === 'ssd' ? `${m.tbw_tb} TBW` : `${m.pe_cycles} P/E cycles`,
          warranty: `${m.warranty_months} months`,
          temperature: `${m.temp_min_c}..${m.temp_max_c} °C`,
          serial_format: catalog.formats.get(m.product_line)!.name,
        }));
        const columns = Object.keys(rows[0]!) as (keyof (typeof rows)[number])[];
        const width = (c: (typeof columns)[number]) => Math.max(c.length, ...rows.map((r) => String(r[c]).length));
        const line = (cells: string[]) =>
          cells
            .map((cell, i) => cell.padEnd(width(columns[i]!)))
            .join('  ')
            .trimEnd();
        process.stdout.write(`${[line(columns), ...rows.map((r) => line(columns.map((c) => String(r[c]))))].join('\n')}\n`);
        if (!options.load) return;
        const system = new System(config, logger, progress);
        try {
          const clickhouse = await system.startClickHouse();
          progress(`loaded ${await writeCatalog(clickhouse.client, catalog)} model(s) into catalog_models (${clickhouse.location})`);
        } finally {
          await system.stop();
        }
      }),
    );
}
