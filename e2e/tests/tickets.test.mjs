// Service in the browser: a salesperson opens a complaint from an order's page; the service desk
// takes it, resolves it and closes it with the customer's four stars; the customer's page shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, withPage, login, api, token } from './helpers.mjs';

test('open a complaint from an order page; resolve and close it with four stars', async () => {
  const rep = await token('s1_a');
  const products = await api('GET', '/products', rep);
  const customer = await api('POST', '/customers', rep, { name: `潍坊投诉测试${Date.now() % 100000}有限公司` });
  const order = await api('POST', '/orders', rep, {
    customer_id: customer.id,
    lines: [{ product_id: products[0].id, quantity: 1, unit_price: '1000' }],
  });
  const subject = `网站打不开${Date.now() % 100000}`;
  let ticketId;

  await withPage('ticket-open-from-order', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/orders/${order.id}`);
    await page.locator('a[name=new-complaint]').click();
    await page.getByRole('heading', { name: '新建工单' }).waitFor();
    await page.fill('input[name=subject]', subject);
    await page.selectOption('select[name=priority]', 'high');
    await page.fill('textarea[name=description]', '客户说首页打不开');
    await page.getByRole('button', { name: '提交工单' }).click();
    await page.locator('section.ticket-head[data-status=open]').waitFor();
    ticketId = Number(await page.locator('section.ticket-head').getAttribute('data-ticket'));
    await page.getByRole('link', { name: order.number }).waitFor();
  });
  const opened = await api('GET', `/tickets/${ticketId}`, rep);
  assert.equal(opened.type, 'complaint');
  assert.equal(opened.order.id, order.id);
  assert.equal(opened.priority, 'high');

  await withPage('ticket-resolve-close', { viewport: { width: 1280, height: 1100 } }, async (page) => {
    await login(page, 'cs_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/tickets"]').click();
    await page.getByRole('heading', { name: '服务工单' }).waitFor();
    await page.locator('button[name=unassigned]').click();
    await page.locator(`table.tickets tr[data-ticket="${ticketId}"]`).waitFor();
    await page.locator(`table.tickets tr[data-ticket="${ticketId}"] a`).first().click();
    await page.locator('section.ticket-head[data-status=open]').waitFor();
    await page.locator('button[name=take]').click();
    await page.locator('button[name=take]').waitFor({ state: 'detached' });
    await page.locator('button[name=start]').click();
    await page.locator('section.ticket-head[data-status=in_progress]').waitFor();
    await page.fill('input[name=resolution]', '重启了服务器，首页恢复');
    await page.locator('form.resolve button[type=submit]').click();
    await page.locator('section.ticket-head[data-status=resolved]').waitFor();
    await page.locator('button[name=stars-4]').click();
    await page.locator('section.ticket-head[data-status=closed]').waitFor();
    await page.locator('dd.stars[data-stars="4"]').waitFor();
    assert.equal(await page.locator('ol.timeline li').count(), 5);
  });
  const closed = await api('GET', `/tickets/${ticketId}`, rep);
  assert.equal(closed.status, 'closed');
  assert.equal(closed.satisfaction, 4);
  assert.equal(closed.resolution, '重启了服务器，首页恢复');

  await withPage('customer-service-section', { viewport: { width: 375, height: 812 }, isMobile: true }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/customers/${customer.id}`);
    await page.locator(`section.customer-tickets tr[data-ticket="${ticketId}"]`).waitFor();
  });
});
