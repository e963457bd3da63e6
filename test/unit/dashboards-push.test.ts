import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WearwatchError } from '../../core/errors.ts';
import { dashboards } from '../../dashboards/definitions.ts';
import { dashboard } from '../../dashboards/model.ts';
import { pushDashboards } from '../../dashboards/push.ts';
import { runCli, startCli } from '../support/cli.ts';

/**
 * A stand-in for Grafana's HTTP API (Grafana cannot run here): the folder and dashboard endpoints `dashboards push`
 * uses, with token auth, storing what it receives and versioning dashboards by uid as Grafana does.
 */
class GrafanaStandIn {
  readonly requests: { method: string; path: string; auth: string | undefined; body: any }[] = [];
  readonly folders = new Map<string, string>();
  readonly dashboards = new Map<string, { dashboard: any; folderUid: string; version: number }>();
  private server?: Server;

  constructor(private readonly token: string) {}

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const body = await read(req);
      this.requests.push({ method: req.method!, path: req.url!, auth: req.headers.authorization, body });
      const send = (status: number, json: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      if (req.headers.authorization !== `Bearer ${this.token}`) return send(401, { message: 'invalid API key' });
      const folder = /^\/api\/folders\/([^/]+)$/.exec(req.url!);
      if (req.method === 'GET' && folder) return this.folders.has(folder[1]!) ? send(200, { uid: folder[1] }) : send(404, { message: 'folder not found' });
      if (req.method === 'POST' && req.url === '/api/folders') {
        this.folders.set(body.uid, body.title);
        return send(200, { uid: body.uid, title: body.title });
      }
      if (req.method === 'POST' && req.url === '/api/dashboards/db') {
        if (!this.folders.has(body.folderUid)) return send(400, { message: 'folder not found' });
        const previous = this.dashboards.get(body.dashboard.uid);
        if (previous && !body.overwrite) return send(412, { message: 'version-mismatch' });
        const version = (previous?.version ?? 0) + 1;
        this.dashboards.set(body.dashboard.uid, { dashboard: body.dashboard, folderUid: body.folderUid, version });
        return send(200, { id: 1, uid: body.dashboard.uid, url: `/d/${body.dashboard.uid}/x`, status: 'success', version });
      }
      send(404, { message: 'not found' });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function read(req: IncomingMessage): Promise<any> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : undefined;
}

let grafana: GrafanaStandIn;
afterEach(() => grafana?.stop());

describe('wearwatch dashboards push (against a Grafana API stand-in)', () => {
  it('creates the folder once and creates, then updates, every dashboard with token auth', async () => {
    grafana = new GrafanaStandIn('s3cret');
    const url = await grafana.start();
    const target = { url, token: 's3cret', folderUid: 'wearwatch' };
    const first = await pushDashboards(target, dashboards());
    expect(first.map((p) => p.version)).toEqual([1, 1, 1, 1, 1]);
    const second = await pushDashboards(target, dashboards());
    expect(second.map((p) => p.version)).toEqual([2, 2, 2, 2, 2]);
    expect(grafana.requests.filter((r) => r.path === '/api/folders')).toHaveLength(1);
    expect(grafana.requests.every((r) => r.auth === 'Bearer s3cret')).toBe(true);
    for (const { dashboard: sent, folderUid } of grafana.dashboards.values()) {
      expect(folderUid).toBe('wearwatch');
      expect(sent.id).toBeNull();
      const { id: _id, ...rest } = sent;
      expect(dashboard.safeParse(rest).success).toBe(true);
    }
  });

  it('names the token as the fix when Grafana refuses it', async () => {
    grafana = new GrafanaStandIn('right');
    const url = await grafana.start();
    const error = await pushDashboards({ url, token: 'wrong', folderUid: 'wearwatch' }, dashboards()).catch((e) => e);
    expect(error).toBeInstanceOf(WearwatchError);
    expect(error.code).toBe('WW_GRAFANA_AUTH');
    expect(error.hint).toMatch(/GRAFANA_TOKEN/);
  });

  it('pushes from the command line and reports a missing setting or an unreachable Grafana clearly', async () => {
    grafana = new GrafanaStandIn('cli-token');
    const url = await grafana.start();
    // The CLI runs as a child process that is not awaited synchronously: spawnSync would block the stand-in server.
    const cli = startCli(['dashboards', 'push'], { GRAFANA_URL: url, GRAFANA_TOKEN: 'cli-token' });
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/wearwatch-forecast\t\/d\/wearwatch-forecast\/x\tversion 1/);
    expect([...grafana.dashboards.keys()]).toHaveLength(5);
    const missing = runCli(['dashboards', 'push'], { GRAFANA_URL: '', GRAFANA_TOKEN: '' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/GRAFANA_URL and GRAFANA_TOKEN/);
    const unreachable = runCli(['dashboards', 'push'], { GRAFANA_URL: 'http://127.0.0.1:9', GRAFANA_TOKEN: 't' });
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/unreachable[\s\S]*fix: check GRAFANA_URL/);
  });
});
