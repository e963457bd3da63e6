import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetPlan, serialOf, writeClaimHistory, writeFleet } from '../integration/analytics-fleet.ts';
import { openTestApi, type TestApi } from '../support/api.ts';
import { artifacts, launchChromium } from '../support/browser.ts';

let api: TestApi;
let base: string;
let browser: Browser;
let keys: Record<'quality' | 'support' | 'manager', string>;

beforeAll(async () => {
  api = await openTestApi();
  await writeFleet(api.clickhouse);
  await writeClaimHistory(api.clickhouse, { units: 3000, seed: 11, start: '2023-06-01', end: '2025-04-01' });
  // Two drives of the fleet close to their 600 TB rating: one past the 80 % warning, one past the 95 % critical mark.
  await api.clickhouse.client.insert({
    table: 'telemetry',
    format: 'JSONEachRow',
    values: [
      { serial: serialOf('FW-GOOD', 10), host_bytes_written: 510e12 },
      { serial: serialOf('FW-BAD', 20), host_bytes_written: 582e12 },
    ].map((s) => ({ ...s, fleet_id: fleetPlan.fleet, collected_at: '2025-04-05 12:00:00', model: fleetPlan.model, firmware: 'FW-GOOD', source: 'test' })),
  });
  const bare = async (role: 'quality' | 'support' | 'fleet_manager', fleet_ids?: string[]) =>
    (await api.auth({ name: role, role, fleet_ids })).authorization.slice('Bearer '.length);
  keys = { quality: await bare('quality'), support: await bare('support'), manager: await bare('fleet_manager', [fleetPlan.fleet]) };
  base = await api.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

/** Opens a page, signs in with the key, waits for the data, and checks nothing failed in the browser. */
async function open(path: string, key: string, setup: (page: Page) => Promise<void> = async () => {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
  await page.goto(`${base}${path}`);
  await page.fill('#f-key', key);
  await setup(page);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-analytics-page][data-loaded]', { timeout: 30_000 });
  expect(await page.getAttribute('[data-analytics-page]', 'data-loaded'), (await page.textContent('#analytics-status')) ?? '').toBe('true');
  expect(problems).toEqual([]);
  return page;
}

describe('analytics pages in a browser', () => {
  it('fleet manager: wear distribution and the near-limit table', async () => {
    const page = await open('/analytics/fleet', keys.manager);
    expect(await page.locator('#wear-chart canvas').count()).toBe(1);
    const rows = page.locator('#near-table tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain(`${serialOf('FW-BAD', 20)}`);
    expect(await rows.nth(0).textContent()).toContain('critical');
    expect(await rows.nth(1).textContent()).toContain('warning');
    const risk = page.locator('#risk-table tbody tr');
    expect(await risk.count()).toBeGreaterThan(0);
    expect(await risk.first().textContent()).toMatch(/\d+\.\d/);
    await page.screenshot({ path: join(artifacts, 'analytics-fleet.png'), fullPage: true });
    await page.close();
  });

  it('quality engineer: AFR trends and the ranked causes, bad firmware first', async () => {
    const page = await open('/analytics/quality', keys.quality, async (p) => {
      await p.fill('#f-to', '2025-04-02');
      await p.selectOption('#f-factor', 'firmware');
    });
    for (const id of ['afr-model-chart', 'afr-firmware-chart', 'causes-chart']) expect(await page.locator(`#${id} canvas`).count()).toBe(1);
    const first = page.locator('#causes-table tbody tr').first();
    expect(await first.textContent()).toContain('FW-BAD');
    expect(await first.textContent()).toContain('failing more than it should');
    expect(await page.textContent('#causes-summary')).toMatch(/Adjusted for .*Likelihood-ratio test of firmware: χ² [\d.]+ on \d+ df/);
    expect(await page.locator('#causes-unadjusted-table tbody tr').count()).toBeGreaterThan(1);
    await page.screenshot({ path: join(artifacts, 'analytics-quality.png'), fullPage: true });
    await page.close();
  });

  it('quality engineer: Kaplan–Meier curves with bands and drives at risk', async () => {
    const page = await open('/analytics/survival', keys.quality, async (p) => {
      await p.selectOption('#f-by', 'firmware');
    });
    expect(await page.locator('#survival-chart canvas').count()).toBe(1);
    const rows = page.locator('#survival-table tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    expect(await page.textContent('#survival-table')).toContain('FW-BAD');
    expect(await page.textContent('#survival-table thead')).toContain('at risk, day 0');
    await page.screenshot({ path: join(artifacts, 'analytics-survival.png'), fullPage: true });
    await page.close();
  });

  it('support desk: claim trends and forecast against actual with the backtest error', async () => {
    const page = await open('/analytics/support', keys.support);
    for (const id of ['claims-outcome-chart', 'claims-reason-chart', 'forecast-chart']) expect(await page.locator(`#${id} canvas`).count()).toBe(1);
    expect(await page.textContent('#backtest-summary')).toMatch(/MAPE \d+(\.\d)? %, total absolute error \d+(\.\d)? claims/);
    await page.screenshot({ path: join(artifacts, 'analytics-support.png'), fullPage: true });
    await page.close();
  });

  it('says why when the key lacks the role', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/analytics/quality`);
    await page.fill('#f-key', keys.support);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-analytics-page][data-loaded="error"]');
    expect(await page.textContent('#analytics-status')).toContain('cannot use this endpoint');
    // The views the key may see are still loading; let them finish before the server closes.
    await page.waitForLoadState('networkidle');
    await page.close();
  });
});
