// Webhooks in the browser: an administrator registers an endpoint, keeps the secret shown once,
// and reads the delivery log of an event (nobody answers at the address: the attempt is logged
// and waits to be retried), then sends it again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, api, login, token, withPage } from './helpers.mjs';

test('an administrator registers a webhook and reads its delivery log', async () => {
  const admin = await token('admin');
  const settings = await api('GET', '/settings', admin);
  await api('PATCH', '/settings', admin, { webhooks_allow_private_network: true, version: settings.version });
  const url = `http://127.0.0.1:9/e2e-${Date.now() % 1000000}`;

  await withPage('webhooks', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 'admin');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/system/webhooks"]').click();
    await page.getByRole('heading', { name: '集成推送（Webhooks）' }).waitFor();
    await page.fill('input[name=url]', url);
    await page.check('input[name=event][value="customer.created"]');
    await page.fill('input[name=description]', '对接 ERP');
    await page.getByRole('button', { name: '添加推送' }).click();
    const secret = page.locator('p.secret code');
    await secret.waitFor();
    assert.match(await secret.innerText(), /^[0-9a-f]{64}$/, 'the secret, shown once');
    const card = page.locator(`section.webhook[data-url="${url}"]`);
    await card.waitFor();

    // Something happens: a salesperson creates a customer; the worker tries to deliver it.
    await api('POST', '/customers', await token('s1_a'), { name: `推送测试${Date.now() % 1000000}科技有限公司` });
    await card.getByRole('button', { name: '推送记录' }).click();
    const row = card.locator('table.deliveries-table tbody tr').first();
    for (let i = 0; i < 20 && !(await row.innerText().catch(() => '')).includes('·'); i++) {
      await page.waitForTimeout(500);
      await card.getByRole('button', { name: '推送记录' }).click();
      await card.getByRole('button', { name: '推送记录' }).click();
    }
    await row.waitFor();
    assert.match(await row.innerText(), /customer\.created/);
    assert.equal(await row.getAttribute('data-status'), 'pending', 'not answered: to be retried');
    await row.getByRole('button', { name: '重新推送' }).click();
    await row.waitFor();
  });
});
