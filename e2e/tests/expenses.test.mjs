// Expenses in the browser: a salesperson files one at phone width in a few taps; the manager
// approves it from the queue with one click; the analysis shows it within the department's total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, withPage, login, api, token } from './helpers.mjs';

test('file an expense at phone width, approve it as the manager', async () => {
  const rep = await token('s1_a');
  const what = `拜访客户打车${Date.now() % 100000}`;

  await withPage('expense-file-phone', { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/expenses`);
    await page.getByRole('heading', { name: '费用' }).waitFor();
    const form = page.locator('form.file-expense');
    await form.locator('input[name=amount]').fill('86.50');
    // The categories come from the dictionary; the first is 交通.
    await form.locator('select[name=category_id] option').nth(1).waitFor({ state: 'attached' });
    await form.locator('select[name=category_id]').selectOption({ index: 1 });
    await form.locator('input[name=description]').fill(what);
    await form.getByRole('button', { name: '登记费用' }).click();
    const row = page.locator('table.expense-list tbody tr', { hasText: what });
    await row.waitFor();
    await row.locator('.badge.expense-submitted').waitFor();
    assert.equal(await row.locator('td.num').getAttribute('data-amount'), '86.50');
    // Nothing spills over the phone's width.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375 + 1, `the page is ${width}px wide`);
  });

  const mine = await api('GET', '/expenses?limit=50', rep);
  const filed = mine.items.find((x) => x.description === what);
  assert.ok(filed, 'the expense was filed');
  assert.equal(filed.status, 'submitted');

  await withPage('expense-approve-manager', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's1_mgr');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/expenses/approvals"]').click();
    await page.getByRole('heading', { name: '费用审批' }).waitFor();
    const row = page.locator(`table.expense-queue tr[data-expense="${filed.id}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: '批准' }).click();
    await row.waitFor({ state: 'detached' });
  });
  const approved = await api('GET', `/expenses/${filed.id}`, rep);
  assert.equal(approved.status, 'approved');
  assert.equal(approved.decided_by.name, '销售一部经理');

  await withPage('expense-analysis', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 'gm');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/reports/expenses`);
    await page.getByRole('heading', { name: '费用分析' }).waitFor();
    const row = page.locator('table.expense-report tbody tr', { hasText: '销售一部' });
    await row.waitFor();
    await page.waitForFunction(() => document.querySelector('.expense-chart .chart svg') !== null);
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button[name=xlsx]').click(),
    ]);
    assert.match(xlsx.suggestedFilename(), /^expenses-department\.xlsx$/);
    await page.locator('select[name=group_by]').selectOption('category');
    await page.locator('table.expense-report thead th', { hasText: '类别' }).waitFor();
  });
});
