// Shared setup: the server URL (started by `cargo xtask test`), the browser, screenshots.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const BASE = process.env.CRM_E2E_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.CRM_E2E_SCREENSHOTS ?? 'screenshots';
mkdirSync(SHOTS, { recursive: true });

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/// Runs `body` with a fresh page; saves a screenshot named `name` whether it passes or fails.
export async function withPage(name, options, body) {
  const b = await browser();
  const context = await b.newContext({ locale: 'zh-CN', ...options });
  const page = await context.newPage();
  try {
    await body(page);
    await shot(page, name);
  } catch (e) {
    await shot(page, `${name}-FAILED`).catch(() => {});
    throw e;
  } finally {
    await b.close();
  }
}

export async function login(page, username, password = 'demo1234') {
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}
