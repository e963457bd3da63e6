import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizeSmartctl } from '../../core/contracts/smartctl/normalize.ts';
import type { SmartctlTelemetry } from '../../core/contracts/telemetry.ts';

export type SmartctlFileResult = { file: string; ok: true; serial: string; message: SmartctlTelemetry } | { file: string; ok: false; reason: string };

export interface SmartctlImportOptions {
  fleet_id: string;
  /** Collection time for every document; default: each document's own `local_time`. */
  collected_at?: string;
}

/** The JSON files named, with directories expanded (recursively, sorted, `.json` files only). */
export async function listSmartctlFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      const entries = (await readdir(path, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && e.name.endsWith('.json'))
        .map((e) => join(e.parentPath, e.name))
        .sort();
      files.push(...entries);
    } else {
      files.push(path);
    }
  }
  return files;
}

/**
 * Reads smartctl `--json` documents and wraps each usable one in the raw-document contract
 * (`wearwatch.telemetry.smartctl.v1`) for ingest to normalise. Each document is also normalised here, only to report
 * unusable files (HDDs, failed reads, no serial…) up front with the reason, instead of as dead letters later.
 */
export async function readSmartctlFile(file: string, options: SmartctlImportOptions): Promise<SmartctlFileResult> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { file, ok: false, reason: code === 'ENOENT' ? 'file not found' : code ? `cannot read: ${code}` : `not JSON: ${(error as Error).message}` };
  }
  const collectedAt = options.collected_at ?? documentTime(doc);
  if (!collectedAt) return { file, ok: false, reason: 'no collection time: the document has no local_time.time_t; pass --collected-at' };
  const normalized = normalizeSmartctl(doc, { fleet_id: options.fleet_id, collected_at: collectedAt });
  if (!normalized.ok) return { file, ok: false, reason: normalized.reason };
  return {
    file,
    ok: true,
    serial: normalized.sample.serial,
    message: {
      schema: 'wearwatch.telemetry.smartctl.v1',
      fleet_id: options.fleet_id,
      collected_at: normalized.sample.collected_at,
      smartctl: doc as Record<string, unknown>,
    },
  };
}

/** smartctl records when it ran as `local_time.time_t` (seconds since 1970). */
function documentTime(doc: unknown): string | undefined {
  const timeT = (doc as { local_time?: { time_t?: unknown } } | null)?.local_time?.time_t;
  return typeof timeT === 'number' && Number.isFinite(timeT) ? new Date(timeT * 1000).toISOString() : undefined;
}
