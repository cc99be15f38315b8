// Exports in the browser: a sales manager exports the customer list as filtered on the page, as CSV
// and as an Excel workbook; a salesperson has no Export menu at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BASE, withPage, login, api, token } from './helpers.mjs';

test('a manager exports the filtered customer list; a salesperson cannot', async () => {
  const word = `导出${Date.now() % 100000}`;
  const owner = await token('s1_a');
  const phone = `0533-${String(Date.now() % 10000000).padStart(7, '0')}`;
  const customer = await api('POST', '/customers', owner, { name: `淄博${word}商贸有限公司`, phone });

  await withPage('exports', { viewport: { width: 1280, height: 900 }, acceptDownloads: true }, async (page) => {
    await login(page, 's1_mgr');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/customers`);
    await page.getByRole('heading', { name: '客户', exact: true }).waitFor();
    await page.locator('input[name=q]').fill(word);
    await page.locator('.customers-table tbody tr', { hasText: customer.name }).waitFor();
    const menu = page.locator('details.export-menu');
    await menu.locator('summary').click();
    // CSV: the rows the page shows, with the byte-order mark Excel needs.
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      menu.locator('button[name=export-customers-csv]').click(),
    ]);
    assert.match(csv.suggestedFilename(), /^customers-\d{8}\.csv$/);
    const raw = await readFile(await csv.path());
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = raw.subarray(3).toString('utf8');
    const lines = text.trim().split('\n');
    assert.ok(lines[0].startsWith('编号,客户名称'), lines[0]);
    assert.equal(lines.length, 2, text);
    assert.ok(lines[1].includes(customer.name) && lines[1].includes(phone), lines[1]);
    // Excel: a zip container (an .xlsx), named for the day.
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      menu.locator('button[name=export-customers-xlsx]').click(),
    ]);
    assert.match(xlsx.suggestedFilename(), /^customers-\d{8}\.xlsx$/);
    const bytes = await readFile(await xlsx.path());
    assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK');
  });

  await withPage('exports-salesperson', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/customers`);
    await page.locator('.customers-table tbody tr', { hasText: customer.name }).waitFor();
    assert.equal(await page.locator('details.export-menu').count(), 0);
  });
});
