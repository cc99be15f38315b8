// Orders and receivables in the browser: a salesperson enters an order through the form, signs it
// and splits its payment plan so that the first installment is overdue; finance then records part
// of that installment on the receivables page and sees what is outstanding shrink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, withPage, login, api, token, companyDaysAgo } from './helpers.mjs';

const RED = 'rgb(198, 40, 40)'; // --danger

test('an order is entered, signed and planned; finance records a receipt on its overdue installment', async () => {
  const rep = await token('s1_a');
  const name = `临沂订单回款测试${Date.now() % 100000}有限公司`;
  const customer = await api('POST', '/customers', rep, { name });
  const products = await api('GET', '/products', rep);
  const web = products.find((p) => p.code === 'WEB-B');
  assert.ok(web, 'the demo product WEB-B (企业网站建设) is seeded');
  const firstDue = companyDaysAgo(40);
  let number;

  await withPage('order-create-sign-plan', { viewport: { width: 1280, height: 1400 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/customers/${customer.id}`);
    await page.getByRole('heading', { name }).waitFor();
    const orders = page.locator('section.customer-orders');
    await orders.getByRole('link', { name: '新建订单' }).click();
    await page.waitForURL(/\/orders\/new\?customer_id=\d+$/);
    await page.locator(`.customer-picker .picked[data-customer-id="${customer.id}"]`).waitFor();

    // One line: the product brings its list price; the total is exact and live.
    const line = page.locator('.line-row[data-line]').first();
    await line.locator('select[name=product]').selectOption(String(web.id));
    assert.equal(await line.locator('input[name=unit_price]').inputValue(), '6800.00');
    await page.locator('.order-total strong[data-total="6800.00"]').waitFor();
    await line.locator('input[name=discount]').fill('6800.01');
    await line.locator('.line-error', { hasText: '折扣（6800.01）超过了该行金额（6800.00）' }).waitFor();
    await line.locator('input[name=discount]').fill('0');
    await page.locator('.order-total strong[data-total="6800.00"]').waitFor();
    const contract = `HT-${Date.now()}`;
    await page.locator('input[name=contract_no]').fill(contract);
    await page.getByRole('button', { name: '创建订单' }).click();
    await page.waitForURL(/\/orders\/\d+$/);
    await page.locator(`.order-facts dd[data-contract-no="${contract}"]`).waitFor();

    const head = page.locator('section.order-head');
    await head.locator('.status[data-status=draft]').waitFor();
    number = await head.getAttribute('data-order');
    assert.match(number, /^SO/);
    assert.equal(await head.locator('dd[data-total]').getAttribute('data-total'), '6800.00');

    await head.getByRole('button', { name: '签约', exact: true }).click();
    await head.locator('.status[data-status=signed]').waitFor();

    // Three installments, the first due 40 days ago, a month apart.
    const plan = page.locator('section.plan');
    await plan.locator('input[name=split_count]').fill('3');
    await plan.locator('input[name=split_first_due]').fill(firstDue);
    await plan.locator('input[name=split_months]').fill('1');
    await plan.getByRole('button', { name: '平均分期', exact: true }).click();
    await plan.locator('tr.installment').nth(2).waitFor();
    assert.equal(await plan.locator('tr.installment').count(), 3);
    await plan.locator('.plan-sum strong[data-planned="6800.00"]').waitFor();
    await plan.getByRole('button', { name: '保存收款计划' }).click();
    const first = plan.locator(`tr.installment.overdue[data-due="${firstDue}"]`);
    await first.waitFor();
    assert.notEqual(await first.getAttribute('data-installment'), '', 'saved rows carry their id');
    await page.waitForFunction(
      ([selector, red]) => {
        const td = document.querySelector(selector);
        return td !== null && getComputedStyle(td).color === red;
      },
      [`tr.installment.overdue[data-due="${firstDue}"] td`, RED],
    );
    assert.equal(await first.locator('td[data-outstanding]').getAttribute('data-outstanding'), '2266.66');
  });

  await withPage('receivables-record-receipt', { viewport: { width: 1280, height: 1400 } }, async (page) => {
    await login(page, 'fin_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/receivables"]').click();
    await page.getByRole('heading', { name: '应收账款' }).waitFor();
    await page.locator('.aging-tiles .tile.total strong').waitFor();

    // Group the aging by customer and narrow the list to this one.
    await page.selectOption('select[name=group_by]', 'customer');
    await page.locator(`table.aging-table button[data-group=customer][data-key="${customer.id}"]`).click();
    const row = page.locator(`tr.receivable[data-order="${number}"][data-due="${firstDue}"]`);
    await row.waitFor();
    assert.match(await row.getAttribute('class'), /\boverdue\b/);
    // The list may render again when its data arrives: ask the page until the row shows red.
    await page.waitForFunction(
      ([selector, red]) => {
        const td = document.querySelector(selector);
        return td !== null && getComputedStyle(td).color === red;
      },
      [`tr.receivable[data-order="${number}"][data-due="${firstDue}"] td`, RED],
    );
    const before = await row.locator('td.outstanding').getAttribute('data-outstanding');
    assert.equal(before, '2266.66');

    await row.getByRole('button', { name: '登记回款' }).click();
    const form = page.locator('tr.pay-row form.pay-form');
    await form.waitFor();
    assert.equal(await form.locator('input[name=pay_amount]').inputValue(), '2266.66', 'prefilled with the outstanding');
    await form.locator('input[name=pay_amount]').fill('1000.00');
    await form.getByRole('button', { name: '确认登记' }).click();
    await form.waitFor({ state: 'detached' });
    await row.locator('td.outstanding[data-outstanding="1266.66"]').waitFor();
  });
});

test('the order and receivables pages fit a 375 px phone', async () => {
  const rep = await token('s1_b');
  const customer = await api('POST', '/customers', rep, { name: `日照窄屏订单测试${Date.now() % 100000}有限公司` });
  const products = await api('GET', '/products', rep);
  const adv = products.find((p) => p.code === 'ADV-Y');
  assert.ok(adv, 'the demo product ADV-Y (年度推广套餐) is seeded');
  const order = await api('POST', '/orders', rep, {
    customer_id: customer.id,
    lines: [{ product_id: adv.id, quantity: 1, unit_price: adv.list_price, discount: '0' }],
  });
  const fits = async (page) => {
    const [scroll, client] = await page.locator('main.content').evaluate((el) => [el.scrollWidth, el.clientWidth]);
    assert.ok(scroll <= client + 1, `the page is ${scroll}px wide in a ${client}px screen`);
  };
  await withPage('order-phone', { viewport: { width: 375, height: 900 }, isMobile: true }, async (page) => {
    await login(page, 's1_b');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/orders/${order.id}`);
    await page.locator('section.order-head .status[data-status=draft]').waitFor();
    await page.locator('section.plan').waitFor();
    await fits(page);
    await page.goto(`${BASE}/orders/new?customer_id=${customer.id}`);
    await page.locator('.line-row[data-line] select[name=product]').selectOption(String(adv.id));
    await page.locator('input[name=service_start]').waitFor();
    await fits(page);
  });
  await withPage('receivables-phone', { viewport: { width: 375, height: 900 }, isMobile: true }, async (page) => {
    await login(page, 'fin_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/receivables`);
    await page.locator('.aging-tiles .tile.total strong').waitFor();
    await page.locator('tr.receivable').first().waitFor();
    await fits(page);
    // Rows stay one line high (the table scrolls sideways): Chinese names once wrapped a character
    // per line in columns squeezed to fit the screen.
    const rowHeights = await page.locator('tr.receivable').evaluateAll((rows) => rows.slice(0, 5).map((r) => r.getBoundingClientRect().height));
    for (const h of rowHeights) assert.ok(h < 48, `a receivable row is ${h}px high`);
  });
});
