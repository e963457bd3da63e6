import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { fleetId, instant } from '../../core/contracts/common.ts';
import { normalizeSmartctl } from '../../core/contracts/smartctl/normalize.ts';
import { WearwatchError } from '../../core/errors.ts';
import { runCommand } from '../run.ts';

/** When the document was collected: the option, else smartctl's own `local_time`, else now. */
function collectedAt(doc: unknown, option: string | undefined): string {
  if (option) return option;
  const timeT = (doc as { local_time?: { time_t?: unknown } } | null)?.local_time?.time_t;
  return typeof timeT === 'number' ? new Date(timeT * 1000).toISOString() : new Date().toISOString();
}

async function normalizeFile(file: string, fleet: string, collectedAtOption: string | undefined): Promise<object> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return { file, error: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not readable JSON: ${(error as Error).message}` };
  }
  const result = normalizeSmartctl(doc, { fleet_id: fleet, collected_at: collectedAt(doc, collectedAtOption) });
  return result.ok ? result.sample : { file, error: result.reason };
}

export function smartctlCommand(program: Command): void {
  const smartctl = program.command('smartctl').description('work with `smartctl --json` output');
  smartctl
    .command('normalize')
    .description(
      'normalise `smartctl --json -a` documents into wearwatch telemetry: one JSON line per file, the sample or {"file","error"}; exits 1 if any file could not be used',
    )
    .argument('<files...>', 'smartctl JSON files')
    .option('--fleet <id>', 'fleet id to put in each sample', 'unassigned')
    .option('--collected-at <iso>', "collection time (ISO 8601 with offset); default: the document's local_time, else now")
    .action((files: string[], options: { fleet: string; collectedAt?: string }) =>
      runCommand(async () => {
        const fleet = fleetId.safeParse(options.fleet);
        if (!fleet.success)
          throw new WearwatchError(
            'WW_BAD_OPTION',
            `--fleet ${JSON.stringify(options.fleet)}: ${fleet.error.issues[0]!.message}`,
            'use letters, digits, dot, dash or underscore',
          );
        if (options.collectedAt && !instant.safeParse(options.collectedAt).success) {
          throw new WearwatchError(
            'WW_BAD_OPTION',
            `--collected-at ${JSON.stringify(options.collectedAt)}: not an ISO 8601 instant with offset`,
            'e.g. 2025-03-01T12:00:00Z',
          );
        }
        let failures = 0;
        for (const file of files) {
          const line = await normalizeFile(file, fleet.data, options.collectedAt);
          if ('error' in line) failures++;
          process.stdout.write(JSON.stringify(line) + '\n');
        }
        if (failures > 0) process.exitCode = 1;
      }),
    );
}
