/**
 * Headless Chromium for the report and serve tests (Debian's chromium via playwright-core).
 * Tests call chromiumMissing() and skip with its reason; otherwise withPage() gives a page that
 * records console errors and is closed, with its browser, also when the test fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (apt-get install chromium); browser checks skipped`;
}

export interface PageRun { page: Page; errors: string[]; requests: string[] }

export async function withPage<T>(fn: (r: PageRun) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'splitbrain-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 900 } });
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    return await fn({ page, errors, requests });
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
