import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { alertFlags } from '../../../core/contracts/alert.ts';
import { wearLevels } from '../../../fleet/queries.ts';
import { flagStates } from '../../../notifications/inbox.ts';
import { warrantyStatuses } from '../../../warranty/rules.ts';
import { html, type SafeHtml, sendPage } from '../layout.ts';

const client = readFileSync(new URL('./fleet.js', import.meta.url), 'utf8');
const scripts = ['/assets/echarts.min.js', '/assets/fleet.js'];

const select = (name: string, label: string, options: readonly string[]) =>
  html`<div><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}"><option value="">any</option>${options.map(
    (o) => html`<option value="${o}">${o.replaceAll('_', ' ')}</option>`,
  )}</select></div>`;

/** The key and fleet every fleet page needs; the script keeps the key in this browser tab only. */
const signIn = html`<div><label for="f-key">API key <span class="hint">fleet manager or admin key (wwk_…); kept in this browser tab only</span></label>
  <input type="password" id="f-key" name="key" autocomplete="off"></div>
  <div><label for="f-fleet">Fleet</label><input type="text" id="f-fleet" name="fleet" required maxlength="64"></div>`;

const status = html`<div id="fleet-status" role="status" class="notice" hidden></div>`;

const pages: Record<string, { title: string; body: SafeHtml }> = {
  drives: {
    title: 'Fleet drives',
    body: html`<form id="fleet-filters" class="analytics-filters">${signIn}
  <div><label for="f-q">Serial <span class="hint">contains</span></label><input type="search" id="f-q" name="q" maxlength="64"></div>
  ${select('status', 'Warranty status', warrantyStatuses)}${select('flag', 'Flag', alertFlags)}
  <div><label for="f-model">Model</label><input type="text" id="f-model" name="model" maxlength="128"></div>
  ${select('level', 'Wear level', wearLevels)}
  <button type="submit">Show</button></form>${status}
<p><a id="inbox-link" href="/fleet/inbox">Flags inbox</a></p>
<section class="analytics-panel"><h2>Drives</h2><p class="hint" id="drives-count"></p><div class="table-wrap" id="drives-table"></div>
<nav class="pager" aria-label="Pages"><button type="button" id="prev">Previous</button> <span id="page-of"></span> <button type="button" id="next">Next</button></nav></section>`,
  },
  drive: {
    title: 'Drive',
    body: html`<form id="fleet-filters" class="analytics-filters">${signIn}
  <div><label for="f-serial">Serial</label><input type="text" id="f-serial" name="serial" required maxlength="64"></div>
  <button type="submit">Show</button></form>${status}
<section class="analytics-panel"><h2>Flags</h2><div class="table-wrap" id="flags-table"></div></section>
<section class="analytics-panel"><h2 id="wear-chart-title">Wear</h2><p class="hint">Percent of the TBW (SSD) or P/E (TF) rating used, per sample.</p><div id="wear-chart" class="chart" role="img" aria-labelledby="wear-chart-title"></div></section>
<section class="analytics-panel"><h2 id="temp-chart-title">Temperature</h2><p class="hint">°C per sample, with the model's rated range.</p><div id="temp-chart" class="chart" role="img" aria-labelledby="temp-chart-title"></div></section>
<section class="analytics-panel"><h2 id="media-chart-title">Media errors</h2><p class="hint">Lifetime media and data-integrity errors the drive reports.</p><div id="media-chart" class="chart" role="img" aria-labelledby="media-chart-title"></div></section>
<section class="analytics-panel"><h2 id="spare-chart-title">Available spare</h2><p class="hint">Percent of spare blocks left (NVMe).</p><div id="spare-chart" class="chart" role="img" aria-labelledby="spare-chart-title"></div></section>
<section class="analytics-panel"><h2>Warranty evaluation</h2><div id="warranty-facts"></div></section>
<section class="analytics-panel"><h2>RMA history</h2><div class="table-wrap" id="rma-table"></div></section>`,
  },
  inbox: {
    title: 'Flags inbox',
    body: html`<form id="fleet-filters" class="analytics-filters">${signIn}
  ${select('state', 'State', flagStates)}${select('flag', 'Flag', alertFlags)}${select('level', 'Level', ['info', 'review', 'warn', 'critical'])}
  <button type="submit">Show</button></form>${status}
<section class="analytics-panel"><h2>Raised flags</h2><p class="hint" id="inbox-count"></p><div class="table-wrap" id="inbox-table"></div>
<nav class="pager" aria-label="Pages"><button type="button" id="prev">Previous</button> <span id="page-of"></span> <button type="button" id="next">Next</button></nav></section>`,
  },
};

/** Pages a fleet manager works in: static shells whose script calls the fleet API with the manager's key. */
export function registerFleetPages(app: FastifyInstance): void {
  const hidden = { schema: { hide: true } };
  app.get('/assets/fleet.js', hidden, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(client),
  );
  const paths = { drives: '/fleet', drive: '/fleet/drive', inbox: '/fleet/inbox' } as const;
  for (const [name, path] of Object.entries(paths)) {
    const page = pages[name]!;
    app.get(path, hidden, async (_request, reply) =>
      sendPage(reply, { title: page.title, path: '/fleet', body: html`<div data-fleet-page="${name}">${page.body}</div>`, scripts }),
    );
  }
}
