// Shared setup: the server URL (started by `cargo xtask test`), the browser, screenshots.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
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
  await signIn(page, username, password);
}

/** Fills in and sends the sign-in form already on the page. */
export async function signIn(page, username, password = 'demo1234') {
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** Today on the demo company's calendar (Asia/Shanghai), `days` days back, as YYYY-MM-DD. */
export function companyDaysAgo(days = 0) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** A JSON API call that must succeed; answers the body. */
export async function api(method, path, token, body) {
  const res = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A demo user's access token. */
export async function token(username) {
  return (await api('POST', '/auth/login', null, { username, password: 'demo1234' })).access_token;
}
