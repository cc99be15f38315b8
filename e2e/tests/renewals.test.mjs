// The renewal risk list in the browser: a salesperson whose customer's service ends soon, never
// contacted and owing money, finds it at the top with its reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, companyDaysAgo, login, token, withPage } from './helpers.mjs';

test('the renewal risk list shows a neglected customer with its reasons', async () => {
  const seller = await token('s1_b');
  const admin = await token('admin');
  const stamp = Date.now() % 1000000;
  const product = await api('POST', '/products', admin, {
    code: `RNW${stamp}`, name: `续费套餐${stamp}`, unit: '年', list_price: '5000', renewable: true, service_months: 12,
  });
  const name = `到期未续${stamp}网络科技有限公司`;
  const customer = await api('POST', '/customers', seller, { name });
  let order = await api('POST', '/orders', seller, {
    customer_id: customer.id, service_start: companyDaysAgo(355), service_end: companyDaysAgo(-10),
    lines: [{ product_id: product.id, quantity: 1, unit_price: '5000' }],
  });
  order = await api('POST', `/orders/${order.id}/sign`, seller, { version: order.version, signed_on: companyDaysAgo(360) });
  await api('PUT', `/orders/${order.id}/payment-plan`, seller, { installments: [{ due_date: companyDaysAgo(3), amount: '5000' }] });

  await withPage('renewal-risk', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's1_b');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/reports/renewal-risk"]').click();
    await page.getByRole('heading', { name: '续费风险' }).waitFor();
    const row = page.locator(`tr[data-customer="${name}"]`);
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /从未联系/);
    assert.match(text, /逾期未收 ¥5000\.00/);
    assert.equal((await row.locator('.risk').innerText()).trim(), '55');
  });
});
