import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedDrives, seedTelemetry, type TestApi } from '../support/api.ts';
import { artifacts, launchChromium } from '../support/browser.ts';

const phone = { width: 390, height: 844 };
let api: TestApi;
let browser: Browser;
let base: string;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

beforeAll(async () => {
  api = await openTestApi();
  await seedDrives(api.clickhouse, [
    { serial: 'NV2520P00001', model: 'WW-NV4-2T', fleet_id: 'fleet-p' },
    { serial: 'TF2504-000000P1', model: 'WW-TF-PRO-128', fleet_id: 'fleet-p' },
  ]);
  await seedTelemetry(api.clickhouse, [
    { serial: 'NV2520P00001', fleet_id: 'fleet-p', model: 'WW-NV4-2T', collected_at: daysAgo(30), host_bytes_written: 300e12 },
    { serial: 'NV2520P00001', fleet_id: 'fleet-p', model: 'WW-NV4-2T', collected_at: daysAgo(0), host_bytes_written: 360e12 },
  ]);
  base = await api.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function phonePage(): Promise<Page> {
  const context = await browser.newContext({ viewport: phone, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  return context.newPage();
}

/** Every form control has a label, and nothing is wider than the phone screen. */
async function expectAccessibleOnPhone(page: Page): Promise<void> {
  const unlabelled = await page.$$eval('input:not([type=hidden]), textarea, select', (els) =>
    els.filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label')).map((el) => el.outerHTML),
  );
  expect(unlabelled).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  expect(await page.locator('main h1').count()).toBe(1);
}

describe('customer portal in Chromium', () => {
  it('looks a serial up and shows coverage and remaining TBW', async () => {
    const page = await phonePage();
    await page.goto(`${base}/`);
    await expectAccessibleOnPhone(page);
    await page.getByLabel('Serial number').fill('NV2520P00001');
    await page.getByRole('button', { name: 'Check warranty' }).click();
    await page.waitForURL(/serial=NV2520P00001/);
    const facts = await page.locator('dl.facts').innerText();
    expect(facts).toContain('Covered');
    expect(facts).toMatch(/TBW used\s+360 TB \(30%\)/);
    expect(facts).toMatch(/TBW remaining\s+840 TB \(70%\)/);
    // 60 TB in 30 days: 2 TB a day leaves about 420 days, read in years and months.
    expect(facts).toMatch(/Estimated remaining life\s+1 year (1 month|2 months)/);
    await expectAccessibleOnPhone(page);
    await page.screenshot({ path: join(artifacts, 'portal-warranty-lookup.png'), fullPage: true });

    await page.getByLabel('Serial number').fill('NV2520XXXXXX');
    await page.getByRole('button', { name: 'Check warranty' }).click();
    expect(await page.getByRole('alert').innerText()).toContain('No registered unit');
    await page.context().close();
  });

  it('submits an RMA request and shows the RMA number, packaging rules and mailing address', async () => {
    const page = await phonePage();
    await page.goto(`${base}/rma`);
    await expectAccessibleOnPhone(page);
    expect(await page.getByRole('heading', { name: 'Mailing address' }).isVisible()).toBe(true);
    await page.screenshot({ path: join(artifacts, 'portal-rma-form.png'), fullPage: true });

    await page.getByLabel('Serial number').fill('NV2520P00001');
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('E-mail').fill('ada@example.com');
    await page.getByLabel('What is wrong with the unit?').fill('Drive drops off the bus under load');
    await page.getByRole('button', { name: 'Submit RMA request' }).click();
    // Without the data acknowledgement the form comes back with the problem next to the box.
    expect(await page.getByRole('alert').innerText()).toContain('backing up and removing your data');
    expect(await page.getByLabel('Your name').inputValue()).toBe('Ada Lovelace');
    expect(await page.locator('#rma-acknowledge').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: join(artifacts, 'portal-rma-missing-acknowledgement.png'), fullPage: true });

    await page.locator('#rma-acknowledge').check();
    await page.getByRole('button', { name: 'Submit RMA request' }).click();
    await page.waitForURL(/\/rma\/status\?number=RMA-/);
    const number = await page.locator('[data-rma-number]').innerText();
    expect(number).toMatch(/^RMA-[0-9A-Z]{10}$/);
    expect(await page.getByRole('status').first().innerText()).toContain('authorised');
    expect(await page.locator('address').innerText()).toContain('Returns');
    expect(await page.getByRole('heading', { name: 'Packaging' }).isVisible()).toBe(true);
    await expectAccessibleOnPhone(page);
    await page.screenshot({ path: join(artifacts, 'portal-rma-authorised.png'), fullPage: true });
    await page.context().close();
  });

  it('reads the model table of TBW and P/E ratings', async () => {
    const page = await phonePage();
    await page.goto(`${base}/models`);
    await expectAccessibleOnPhone(page);
    const ssd = page.getByRole('table', { name: /SSDs/ });
    expect(await ssd.getByRole('row', { name: /WW-NV4-2T/ }).innerText()).toContain('1,200 TB');
    const tf = page.getByRole('table', { name: /TF/ });
    expect(await tf.getByRole('row', { name: /WW-TF-END-256/ }).innerText()).toContain('10,000');
    expect(await page.locator('tbody tr').count()).toBe(11);
    await page.screenshot({ path: join(artifacts, 'portal-models.png'), fullPage: true });
    await page.context().close();
  });
});
