import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../core/catalog/load.ts';
import { runWarrantyJob } from '../../jobs/warranty-evaluation.ts';
import { openTestApi, seedDrives, type TestApi } from '../support/api.ts';
import { artifacts, launchChromium } from '../support/browser.ts';

/**
 * The fleet manager's pages in Debian's Chromium against the real API on embedded ClickHouse: the drives list with
 * search, filters and paging, one drive with its history charts, flags, warranty and RMA history, and the flags inbox
 * with acknowledge / snooze.
 */
const catalog = loadCatalog();
const fleet = 'ops-eu';
const model = 'WW-NV4-512';
const limit = catalog.byModel.get(model)!.tbw_tb! * 1e12;
const serialOf = (i: number) => `NV2610Z${String(i).padStart(5, '0')}`;
const worn = serialOf(7);
let api: TestApi;
let base: string;
let browser: Browser;
let key: string;

beforeAll(async () => {
  api = await openTestApi();
  // 60 drives, so the list pages; drive 7 wears towards its limit, runs hot and logs media errors.
  await seedDrives(
    api.clickhouse,
    Array.from({ length: 60 }, (_, i) => ({ serial: serialOf(i), model, fleet_id: fleet, purchase_date: '2026-01-10', proof_of_purchase: `INV-${i}` })),
  );
  const now = Date.now();
  const samples = Array.from({ length: 60 }, (_, i) =>
    Array.from({ length: 30 }, (_, day) => {
      const share = i === 7 ? 0.55 + day * 0.0115 : (i % 10) * 0.05 + day * 0.001;
      return {
        serial: serialOf(i),
        fleet_id: fleet,
        collected_at: new Date(now - (30 - day) * 86_400_000).toISOString(),
        model,
        firmware: '1',
        source: 'agent',
        host_bytes_written: Math.round(limit * share),
        temperature_c: i === 7 ? 45 + (day % 7) * 4 : 38 + (day % 5),
        media_errors: i === 7 ? Math.floor(day / 6) : 0,
        available_spare_pct: i === 7 ? 100 - day : 100,
      };
    }),
  ).flat();
  await api.clickhouse.client.insert({ table: 'telemetry', format: 'JSONEachRow', values: samples });
  await api.clickhouse.client.insert({
    table: 'rma_events',
    format: 'JSONEachRow',
    values: [
      {
        event_id: '00000000-0000-4000-8000-000000000001',
        rma_number: 'RMA-2026-000001',
        serial: worn,
        event_type: 'requested',
        occurred_at: new Date(now - 5 * 86_400_000).toISOString(),
        findings: [],
        reasons: [],
        replacement_serial: null,
        details: '{}',
      },
    ],
  });
  await runWarrantyJob({ client: api.clickhouse.client, catalog, thresholds: { warnPct: 80, criticalPct: 95, endingDays: 90 } });
  key = (await api.auth({ name: 'Dana (ops-eu)', role: 'fleet_manager', fleet_ids: [fleet] })).authorization.slice('Bearer '.length);
  base = await api.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function open(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
  await page.goto(`${base}${path}`);
  await page.fill('#f-key', key);
  return { page, problems };
}

const loaded = async (page: Page) => {
  await page.waitForSelector('[data-fleet-page][data-loaded]', { timeout: 30_000 });
  expect(await page.getAttribute('[data-fleet-page]', 'data-loaded'), (await page.textContent('#fleet-status')) ?? '').toBe('true');
};

describe('fleet pages in a browser', () => {
  it('drives: search, filters and paging', async () => {
    const { page, problems } = await open('/fleet');
    await page.fill('#f-fleet', fleet);
    await page.click('button[type=submit]');
    await loaded(page);
    expect(await page.textContent('#drives-count')).toContain('60 drive(s)');
    expect(await page.locator('#drives-table tbody tr').count()).toBe(25);
    expect(await page.textContent('#page-of')).toBe('page 1 of 3');
    await page.screenshot({ path: join(artifacts, 'fleet-drives.png'), fullPage: true });
    await page.click('#next');
    await loaded(page);
    expect(await page.textContent('#page-of')).toBe('page 2 of 3');
    await page.selectOption('#f-level', 'warn');
    await page.click('button[type=submit]');
    await loaded(page);
    const rows = page.locator('#drives-table tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.nth(0).innerText()).toContain(worn);
    expect(await rows.nth(0).innerText()).toContain('near tbw');
    await page.selectOption('#f-level', '');
    await page.fill('#f-q', 'z0004');
    await page.click('button[type=submit]');
    await loaded(page);
    // Serials containing "z0004" in any case: 00040-00049.
    expect(await page.locator('#drives-table tbody tr').count()).toBe(10);
    expect(problems).toEqual([]);
  });

  it('drive: history charts, flags with acknowledge, warranty and RMA history', async () => {
    const { page, problems } = await open(`/fleet/drive?fleet=${fleet}&serial=${worn}`);
    await page.click('button[type=submit]');
    await loaded(page);
    for (const chart of ['wear-chart', 'temp-chart', 'media-chart', 'spare-chart']) expect(await page.locator(`#${chart} canvas`).count(), chart).toBe(1);
    expect(await page.textContent('#warranty-facts')).toContain('active');
    expect(await page.textContent('#rma-table')).toContain('RMA-2026-000001');
    const flagRow = page.locator('#flags-table tbody tr', { hasText: 'near tbw' });
    expect(await flagRow.innerText()).toContain('open');
    await page.screenshot({ path: join(artifacts, 'fleet-drive.png'), fullPage: true });
    await flagRow.locator('input').fill('replacement ordered');
    await flagRow.getByRole('button', { name: 'Acknowledge' }).click();
    await page.waitForSelector('#flags-table tbody tr:has-text("acknowledged by Dana")', { timeout: 30_000 });
    expect(await page.locator('#flags-table tbody tr', { hasText: 'near tbw' }).innerText()).toContain('replacement ordered');
    expect(problems).toEqual([]);
  });

  it('inbox: raised flags with their state, snooze from the list', async () => {
    const { page, problems } = await open(`/fleet/inbox?fleet=${fleet}`);
    await page.click('button[type=submit]');
    await loaded(page);
    const rows = page.locator('#inbox-table tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await page.locator('#inbox-table').innerText()).toContain('acknowledged by Dana');
    const open_ = page.locator('#inbox-table tbody tr', { hasText: 'open' }).first();
    const serial = (await open_.locator('a').innerText()).trim();
    await open_.getByRole('button', { name: 'Snooze 7 days' }).click();
    await page.waitForSelector(`#inbox-table tbody tr:has-text("${serial}"):has-text("snoozed by Dana")`, { timeout: 30_000 });
    await page.screenshot({ path: join(artifacts, 'fleet-inbox.png'), fullPage: true });
    await page.selectOption('#f-state', 'open');
    await page.click('button[type=submit]');
    await loaded(page);
    expect(await page.locator('#inbox-table').innerText()).not.toContain('acknowledged by');
    expect(problems).toEqual([]);
  });
});
