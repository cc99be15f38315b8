// The public pool (公海) in the browser: a salesperson releases a customer, a colleague in another
// department finds it in the pool and claims it, and it opens as theirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, api, login, token, withPage } from './helpers.mjs';

test('a released customer is claimed from the pool by a colleague', async () => {
  const name = `泉城公海测试${Date.now() % 1000000}商贸有限公司`;
  const owner = await token('s1_a');
  const customer = await api('POST', '/customers', owner, { name, phone: `0531-6${Date.now() % 10000000}` });

  await withPage('pool-release', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/customers/${customer.id}`);
    await page.getByRole('heading', { name, exact: true }).waitFor();
    page.on('dialog', (dialog) => dialog.accept('暂无合作意向'));
    await page.getByRole('button', { name: '放入公海' }).click();
    // Off to the pool, where it now is.
    await page.getByRole('heading', { name: '公海客户' }).waitFor();
    await page.fill('input[name=q]', name.slice(0, 6));
    await page.locator(`tr[data-customer="${name}"]`).waitFor();
  });

  await withPage('pool-claim', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's2_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/pool"]').click();
    await page.getByRole('heading', { name: '公海客户' }).waitFor();
    await page.fill('input[name=q]', name.slice(0, 6));
    const row = page.locator(`tr[data-customer="${name}"]`);
    await row.waitFor();
    // The pool shows what the customer is, not how to reach it.
    assert.ok(!(await row.innerText()).includes('0531'), 'no phone in the pool');
    await row.getByRole('button', { name: '领取' }).click();
    const done = page.locator('p.ok', { hasText: '已领取' });
    await done.waitFor();
    await row.waitFor({ state: 'detached' });
    await done.getByRole('link', { name: '打开客户' }).click();
    await page.getByRole('heading', { name, exact: true }).waitFor();
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /销售二部/, 'it is the claimer’s now');
    assert.match(facts, /0531/, 'with its phone');
  });
});
