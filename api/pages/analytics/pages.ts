import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { adjustedFactors } from '../../../analytics/adjusted-causes.ts';
import { survivalGroups } from '../../../analytics/survival.ts';
import { html, type SafeHtml, sendPage } from '../layout.ts';

const require = createRequire(import.meta.url);
// ECharts ships a prebuilt minified bundle; the app serves it itself so the pages work without internet access.
const echarts = readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
const client = readFileSync(new URL('./charts.js', import.meta.url), 'utf8');

const scripts = ['/assets/echarts.min.js', '/assets/analytics.js'];

/** The API-key box and the filters every analytics page shares; the script reads them and calls /v1/analytics/*. */
function controls(fields: ('model' | 'fleet' | 'firmware' | 'factor' | 'by')[]): SafeHtml {
  const input = (name: string, label: string, hint: string, type = 'text') =>
    html`<div><label for="f-${name}">${label} <span class="hint">${hint}</span></label><input type="${type}" id="f-${name}" name="${name}"></div>`;
  return html`<form id="analytics-filters" class="analytics-filters">
  <div><label for="f-key">API key <span class="hint">staff key (wwk_…); kept in this browser tab only</span></label>
  <input type="password" id="f-key" name="key" autocomplete="off"></div>
  ${input('from', 'From', 'YYYY-MM-DD, optional', 'date')}
  ${input('to', 'To', 'YYYY-MM-DD, exclusive, optional', 'date')}
  ${fields.includes('model') ? input('model', 'Model', 'e.g. WW-NV4-1T, optional') : ''}
  ${fields.includes('firmware') ? input('firmware', 'Firmware', 'optional') : ''}
  ${fields.includes('fleet') ? input('fleet', 'Fleet', 'required when your key manages several fleets') : ''}
  ${
    fields.includes('factor')
      ? html`<div><label for="f-factor">Failure factor</label><select id="f-factor" name="factor">${adjustedFactors.map((f) => html`<option value="${f}"${f === 'firmware' ? html` selected` : ''}>${f.replace('_', ' ')}</option>`)}</select></div>`
      : ''
  }
  ${
    fields.includes('by')
      ? html`<div><label for="f-by">Curves by</label><select id="f-by" name="by">${survivalGroups.map((g) => html`<option value="${g}">${g}</option>`)}</select></div>`
      : ''
  }
  <button type="submit">Show</button>
</form>
<div id="analytics-status" role="status" class="notice" hidden></div>`;
}

const chart = (id: string, title: string, note: string) =>
  html`<section class="analytics-panel"><h2 id="${id}-title">${title}</h2><p class="hint">${note}</p><div id="${id}" class="chart" role="img" aria-labelledby="${id}-title"></div></section>`;

const table = (id: string, title: string, note: string) =>
  html`<section class="analytics-panel"><h2>${title}</h2><p class="hint">${note}</p><div class="table-wrap" id="${id}"></div></section>`;

const pages = {
  fleet: {
    title: 'Fleet wear',
    body: html`${controls(['model', 'fleet'])}
${chart('wear-chart', 'Wear distribution', 'Drives per 10 % band of their TBW (SSD) or P/E (TF) rating used, from each drive’s latest report.')}
${table('near-table', 'Units near their limits', 'Drives at or above the warning threshold, most worn first.')}
${table('risk-table', 'Drives most likely to fail in the next 30 days', 'Expected probability from the drive’s recent telemetry (new media errors, spare, critical warnings, wear, temperature, unsafe shutdowns, age) and its model, firmware and batch; ⚠ marks drives at or above the alert probability.')}`,
  },
  quality: {
    title: 'Failure trends and causes',
    body: html`${controls(['model', 'firmware', 'factor'])}
${chart('afr-model-chart', 'Cumulative AFR by model', 'Annualised failure rate from the first month up to each month, in % (failures ÷ drive-days × 365); dashed: exact 95 % interval.')}
${chart('afr-firmware-chart', 'Cumulative AFR by firmware', 'The same per firmware version; a young firmware starts with a wide band that narrows as drive-years accumulate.')}
${chart('causes-chart', 'Adjusted failure-rate ratio', 'Rate ratio against the reference level from a Poisson regression with model, firmware, batch, age, temperature, fleet and wear together; the bar spans the 95 % interval. Right of 1 with the whole bar: failing more than it should.')}
<p id="causes-summary" class="hint"></p>
${table('causes-table', 'Causes, adjusted, ranked', 'Most certain excess first (by the lower bound of the adjusted ratio); sparse levels are pooled and not judged on their own.')}
${table('causes-unadjusted-table', 'Unadjusted one-factor view', 'Each level against the rest of the fleet, model by model, nothing else adjusted for: a level riding on a bad batch or an old age looks bad here. q is the p-value adjusted for the number of levels.')}`,
  },
  survival: {
    title: 'Survival curves',
    body: html`${controls(['model', 'firmware', 'fleet', 'by'])}
${chart('survival-chart', 'Share failed by age (Kaplan–Meier)', 'Age in days since coverage start; a drive enrolled when already old counts from its age at enrolment. Dashed: 95 % Greenwood band on the log(−log) scale. The ten largest groups are drawn.')}
${table('survival-table', 'Groups and drives at risk', 'Drives still watched and not failed at each age, and the AFR over the whole follow-up with its exact interval.')}`,
  },
  support: {
    title: 'Claims and forecast',
    body: html`${controls(['model'])}
${chart('claims-outcome-chart', 'Claims per month by outcome', 'Warranty claims (RMAs) opened per month.')}
${chart('claims-reason-chart', 'Claims per month by reason', 'Each exclusion reason on its own; "none" when no reason was recorded.')}
${chart('forecast-chart', 'Forecast vs actual', 'Actual claims, the backtest (the last 6 months forecast from the history before them) and the forecast for the next 12 months.')}
<p id="backtest-summary" class="notice" hidden></p>`,
  },
} as const;

/** Staff analytics pages: static shells whose script fetches the analytics API with the staff member's key. */
export function registerAnalyticsPages(app: FastifyInstance): void {
  const hidden = { schema: { hide: true } };
  app.get('/assets/echarts.min.js', hidden, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(echarts),
  );
  app.get('/assets/analytics.js', hidden, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(client),
  );
  app.get('/analytics', hidden, async (_request, reply) =>
    sendPage(reply, {
      title: 'Analytics',
      path: '/analytics',
      body: html`<p>Views for staff; each needs an API key with the matching role.</p>
<ul>
  <li><a href="/analytics/fleet">Fleet wear</a> — wear distribution and units near their TBW / P/E limits (fleet managers, quality, support)</li>
  <li><a href="/analytics/quality">Failure trends and causes</a> — AFR by model and firmware, failure causes with confidence intervals (quality)</li>
  <li><a href="/analytics/survival">Survival curves</a> — share failed by age per model, firmware or batch with confidence bands and drives at risk (quality)</li>
  <li><a href="/analytics/support">Claims and forecast</a> — claim trends by outcome and reason, warranty-load forecast against actual claims (support, quality)</li>
</ul>`,
    }),
  );
  for (const [name, page] of Object.entries(pages)) {
    app.get(`/analytics/${name}`, hidden, async (_request, reply) =>
      sendPage(reply, { title: page.title, path: '/analytics', body: html`<div data-analytics-page="${name}">${page.body}</div>`, scripts }),
    );
  }
}
