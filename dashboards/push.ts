import { WearwatchError } from '../core/errors.ts';
import type { Dashboard } from './model.ts';

export interface GrafanaTarget {
  url: string;
  token: string;
  folderUid: string;
}

export interface PushedDashboard {
  uid: string;
  title: string;
  url: string;
  version: number;
}

/** Grafana's HTTP API with a service-account token (Bearer), returning parsed JSON or a WearwatchError naming the fix. */
async function grafana(target: GrafanaTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const url = new URL(path, target.url.endsWith('/') ? target.url : `${target.url}/`);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${target.token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (cause) {
    throw new WearwatchError(
      'WW_GRAFANA_UNREACHABLE',
      `Grafana at ${target.url} is unreachable: ${(cause as Error).message}`,
      'check GRAFANA_URL and that Grafana is running',
      { cause },
    );
  }
  const text = await response.text();
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    // Proxies answer errors in HTML; the text is still the best message.
  }
  if (response.status === 401 || response.status === 403) {
    throw new WearwatchError(
      'WW_GRAFANA_AUTH',
      `Grafana refused ${method} ${url.pathname} (${response.status}): ${messageOf(json)}`,
      'set GRAFANA_TOKEN to a service-account token with the Editor (or Admin) role',
    );
  }
  return { status: response.status, json };
}

function messageOf(json: unknown): string {
  if (json && typeof json === 'object' && 'message' in json) return String((json as { message: unknown }).message);
  return String(json).slice(0, 300);
}

function fail(what: string, status: number, json: unknown): never {
  throw new WearwatchError(
    'WW_GRAFANA_REJECTED',
    `Grafana rejected ${what} (${status}): ${messageOf(json)}`,
    'see the message; the dashboards are validated against Grafana’s model before they are sent',
  );
}

/** Creates the folder when it does not exist yet; an existing folder is left as it is. */
async function ensureFolder(target: GrafanaTarget, title: string): Promise<void> {
  const existing = await grafana(target, 'GET', `api/folders/${encodeURIComponent(target.folderUid)}`);
  if (existing.status === 200) return;
  if (existing.status !== 404) fail(`the folder lookup ${target.folderUid}`, existing.status, existing.json);
  const created = await grafana(target, 'POST', 'api/folders', { uid: target.folderUid, title });
  if (created.status !== 200) fail(`creating folder ${target.folderUid}`, created.status, created.json);
}

/**
 * Creates or updates every dashboard in the folder (POST /api/dashboards/db, overwrite: the code is the source of
 * truth). The dashboard's own uid identifies it, so pushing twice updates rather than duplicates.
 */
export async function pushDashboards(target: GrafanaTarget, dashboards: Dashboard[], progress: (line: string) => void = () => {}): Promise<PushedDashboard[]> {
  await ensureFolder(target, 'wearwatch');
  const pushed: PushedDashboard[] = [];
  for (const dashboard of dashboards) {
    const { status, json } = await grafana(target, 'POST', 'api/dashboards/db', {
      dashboard: { ...dashboard, id: null },
      folderUid: target.folderUid,
      overwrite: true,
      message: 'wearwatch dashboards push',
    });
    if (status !== 200) fail(`dashboard ${dashboard.uid}`, status, json);
    const answer = json as { uid: string; url: string; version: number };
    pushed.push({ uid: answer.uid, title: dashboard.title, url: answer.url, version: answer.version });
    progress(`pushed ${dashboard.title} → ${answer.url} (version ${answer.version})`);
  }
  return pushed;
}
