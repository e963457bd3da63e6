import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { projectRoot } from './cli.ts';

/** Screenshots land here (git-ignored) so a person can look at what the pages showed. */
export const artifacts = join(projectRoot, 'test', 'artifacts');

/**
 * Debian's Chromium, headless. The background-networking and component-update flags keep it from calling out to a
 * network these machines do not have.
 */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
