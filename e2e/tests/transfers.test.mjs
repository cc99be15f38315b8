// Customer transfer in the browser: an administrator hands over everything of a leaving salesperson.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { login, withPage } from './helpers.mjs';

test('an administrator transfers all customers of a leaving salesperson', async () => {
  await withPage('transfer-all', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 'admin');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/customer-transfers"]').click();
    await page.getByRole('heading', { name: '客户转移', exact: true }).waitFor();
    await page.selectOption('select[name=from]', { label: '业务员 (s2_a) · 销售二部' });
    await page.selectOption('select[name=to]', { label: '销售二部经理 (s2_mgr) · 销售二部' });
    await page.fill('input[name=reason]', '离职交接');
    await page.getByRole('button', { name: '预览' }).click();
    const preview = page.locator('.preview');
    await preview.waitFor();
    const text = await preview.innerText();
    const match = text.match(/(\d+) 客户/);
    assert.ok(match && Number(match[1]) > 0, `the preview counts the customers: ${text}`);
    await page.getByRole('button', { name: '确认转移' }).click();
    const result = page.locator('.result');
    await result.waitFor();
    assert.match(await result.innerText(), new RegExp(`${match[1]} 客户`));
    await page.getByRole('cell', { name: '离职交接' }).first().waitFor();
    // Nothing is left with the salesperson.
    await page.getByRole('button', { name: '预览' }).click();
    await page.locator('.preview', { hasText: '0 客户' }).waitFor();
  });
});
