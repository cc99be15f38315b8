// Importing in the browser: a salesperson checks a spreadsheet of customers (the dry run lists the
// refused row), imports it with a progress bar, and finds the new customer in the list; then
// imports contacts and an order for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, withPage, login, api, shot, token } from './helpers.mjs';

test('check a file, import it, find the customers', async () => {
  const word = `导入${Date.now() % 100000}`;
  const phone = `0536-${String(Date.now() % 10000000).padStart(7, '0')}`;
  const csv = `客户名称,电话,负责人\n潍坊${word}科技有限公司,${phone},s1_a\nX,,s1_a\n寿光${word}农业有限公司,,\n`;

  await withPage('imports', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/customers`);
    await page.getByRole('link', { name: '导入', exact: true }).click();
    await page.getByRole('heading', { name: '导入数据' }).waitFor();
    await page.locator('input[name=import_file]').setInputFiles({
      name: '客户.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });
    // The check names the refused row and creates nothing.
    await page.locator('button[name=check]').click();
    await page.getByText('共 3 行：2 行可以导入，1 处问题。').waitFor();
    const bad = page.locator('.import-errors tr[data-row="3"]');
    await bad.waitFor();
    assert.equal(await bad.getAttribute('data-field'), 'name');
    assert.match(await bad.textContent(), /客户名称/);
    const owner = await token('s1_a');
    const before = await api('GET', `/customers?q=${encodeURIComponent(word)}`, owner);
    assert.equal(before.items.length, 0);
    // The import itself: it runs, then says what it made.
    await page.locator('button[name=import]').click();
    await page.getByText('导入完成：创建了 2 条，1 处问题。').waitFor();
    await page.getByRole('link', { name: '查看客户列表' }).click();
    await page.locator('input[name=q]').fill(word);
    await page.locator('.customers-table tbody tr', { hasText: `潍坊${word}科技有限公司` }).waitFor();

    // Contacts for the new customer, one naming a customer that does not exist.
    await page.goto(`${BASE}/customers/import?kind=contacts`);
    await page.getByText('每一行是您可见的某个客户的联系人').waitFor();
    assert.equal(await page.locator('select[name=kind]').inputValue(), 'contacts');
    const contacts = `客户名称,姓名,手机,关键联系人\n潍坊${word}科技有限公司,刘${word},13700000000,是\n无此${word}有限公司,陈${word},,\n`;
    await page.locator('input[name=import_file]').setInputFiles({
      name: '联系人.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(contacts, 'utf8'),
    });
    await page.locator('button[name=check]').click();
    await page.getByText('共 2 行：1 行可以导入，1 处问题。').waitFor();
    const unknown = page.locator('.import-errors tr[data-row="3"]');
    assert.equal(await unknown.getAttribute('data-field'), 'customer');
    assert.match(await unknown.textContent(), /客户名称.*您可见的客户中没有/);
    await page.locator('button[name=import]').click();
    await page.getByText('导入完成：创建了 1 条，1 处问题。').waitFor();
    await shot(page, 'imports-contacts');

    // An order for it: two lines of one contract, chosen from the page's selector.
    const products = await api('GET', '/products', await token('s1_a'));
    const code = products.find((p) => p.enabled).code;
    await page.locator('select[name=kind]').selectOption('orders');
    await page.getByText('合同号相同的几行是同一张订单').waitFor();
    const orders = `合同号,客户名称,产品,数量,服务开始,服务结束\nHT-${word},潍坊${word}科技有限公司,${code},1,2027-01-01,2027-12-31\nHT-${word},潍坊${word}科技有限公司,${code},2,,\n`;
    await page.locator('input[name=import_file]').setInputFiles({
      name: '订单.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(orders, 'utf8'),
    });
    await page.locator('button[name=check]').click();
    await page.getByText('共 2 行：2 行可以导入，0 处问题。').waitFor();
    await page.locator('button[name=import]').click();
    await page.getByText('导入完成：创建了 1 条，0 处问题。').waitFor();
    await page.getByRole('link', { name: '查看订单列表' }).waitFor();
  });

  const owner = await token('s1_a');
  const made = await api('GET', `/customers?q=${encodeURIComponent(word)}`, owner);
  assert.equal(made.items.length, 2);
  const weifang = made.items.find((c) => c.name.startsWith('潍坊'));
  const people = await api('GET', `/customers/${weifang.id}/contacts`, owner);
  assert.deepEqual(people.map((c) => [c.name, c.is_key]), [[`刘${word}`, true]]);
  const contracts = await api('GET', `/orders?customer_id=${weifang.id}`, owner);
  assert.equal(contracts.items.length, 1);
  assert.equal(contracts.items[0].status, 'draft');
  assert.equal(contracts.items[0].service_end, '2027-12-31');
});
