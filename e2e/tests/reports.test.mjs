// Decision support in the browser: the general manager's dashboard in both languages with its
// charts drawn, a drill-down from a chart's bar to the orders behind it, the report as Excel, and
// a report page at phone width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BASE, api, companyDaysAgo, login, shot, token, withPage } from './helpers.mjs';

/** Waits until the page's charts have drawn (ECharts' SVG). */
async function charts(page, count) {
  await page.waitForFunction((n) => document.querySelectorAll('.chart svg').length >= n, count);
}

test('the dashboard shows the month against the last in both languages', async () => {
  // Someone signs today, so that this month's ranking has a line.
  const seller = await token('s1_a');
  const admin = await token('admin');
  const stamp = Date.now() % 1000000;
  const product = await api('POST', '/products', admin, {
    code: `DSH${stamp}`, name: `看板套餐${stamp}`, unit: '年', list_price: '1234', renewable: false,
  });
  const customer = await api('POST', '/customers', seller, { name: `看板${stamp}网络科技有限公司` });
  const order = await api('POST', '/orders', seller, {
    customer_id: customer.id, lines: [{ product_id: product.id, quantity: 1, unit_price: '1234' }],
  });
  await api('POST', `/orders/${order.id}/sign`, seller, { version: order.version, signed_on: companyDaysAgo(0) });

  await withPage('dashboard-zh', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 'gm');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/reports/dashboard"]').click();
    await page.getByRole('heading', { name: '经营看板' }).waitFor();
    for (const kpi of ['new_customers', 'signed', 'orders_signed', 'received', 'expenses', 'deals_won', 'overdue']) {
      await page.locator(`.kpi[data-kpi=${kpi}] strong`).waitFor();
    }
    assert.match(await page.locator('.kpi[data-kpi=signed]').innerText(), /去年同期/);
    await charts(page, 4);
    // The ranking lists this month's people, the one who signed today among them.
    await page.locator('table.ranking tbody tr').first().waitFor();
    assert.ok(Number(await page.locator('.kpi[data-kpi=orders_signed] strong').getAttribute('data-value')) >= 1);
  });
  await withPage('dashboard-en', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 'sales_dir');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: /Welcome/ }).waitFor();
    await page.locator('nav.sidebar a[href="/reports/dashboard"]').click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.match(await page.locator('.kpi[data-kpi=signed]').innerText(), /Last year, same days/);
    await charts(page, 4);
    await shot(page, 'dashboard-english');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '经营看板' }).waitFor();
    await page.waitForLoadState('networkidle');
  });
});

test('a bar of the sales report opens the orders behind it, and the report downloads as Excel', async () => {
  const seller = await token('s1_b');
  const admin = await token('admin');
  const stamp = Date.now() % 1000000;
  const product = await api('POST', '/products', admin, {
    code: `RPT${stamp}`, name: `报表套餐${stamp}`, unit: '年', list_price: '4321', renewable: false,
  });
  const customer = await api('POST', '/customers', seller, { name: `报表钻取${stamp}网络科技有限公司` });
  let order = await api('POST', '/orders', seller, {
    customer_id: customer.id, lines: [{ product_id: product.id, quantity: 1, unit_price: '4321' }],
  });
  order = await api('POST', `/orders/${order.id}/sign`, seller, { version: order.version, signed_on: companyDaysAgo(0) });
  const month = companyDaysAgo(0).slice(0, 7);

  await withPage('sales-report', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's1_b');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/reports/sales"]').click();
    await page.getByRole('heading', { name: '销售分析' }).waitFor();
    const row = page.locator(`table.report-table tr[data-key="${month}"]`);
    await row.waitFor();
    const amount = Number(await row.locator('td[data-amount]').getAttribute('data-amount'));
    assert.ok(amount >= 4321, `this month holds the new order (${amount})`);
    await charts(page, 1);

    // Excel: a zip container named for the report and its period.
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button[name=xlsx]').click(),
    ]);
    assert.match(xlsx.suggestedFilename(), /^sales-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const bytes = await readFile(await xlsx.path());
    assert.equal(bytes.subarray(0, 2).toString(), 'PK');

    // Click this month's bar: the orders signed this month open, the new one among them.
    const index = await page.evaluate((m) => {
      const rows = [...document.querySelectorAll('table.report-table tbody tr')];
      return rows.findIndex((r) => r.dataset.key === m);
    }, month);
    const point = await page.evaluate(([i, value]) => {
      const el = document.querySelector('.chart');
      const chart = window.echarts.getInstanceByDom(el);
      const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [i, value / 2]);
      const box = el.getBoundingClientRect();
      return { x: box.left + x, y: box.top + y };
    }, [index, amount]);
    await page.mouse.click(point.x, point.y);
    await page.waitForURL(/\/orders\?signed_from=/);
    await page.locator('.chip[data-filter=report]').waitFor();
    await page.getByText(order.number).waitFor();
  });
});

test('a report at phone width keeps its chart above a table that scrolls sideways', async () => {
  await withPage('report-phone', { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true }, async (page) => {
    await login(page, 's1_mgr');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/reports/receipts?group_by=month,owner`);
    await page.getByRole('heading', { name: '回款分析' }).waitFor();
    await page.locator('table.report-table').waitFor();
    await charts(page, 1);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `no horizontal scrolling of the page (${width}px)`);
    const chartTop = await page.locator('.chart').evaluate((e) => e.getBoundingClientRect().top);
    const tableTop = await page.locator('table.report-table').evaluate((e) => e.getBoundingClientRect().top);
    assert.ok(chartTop < tableTop, 'the chart comes first');
  });
});

test('the deal report shows the stages, the win rate and whom deals were lost to', async () => {
  await withPage('opportunity-report', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 's1_mgr');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/reports/opportunities"]').click();
    await page.getByRole('heading', { name: '商机分析' }).waitFor();
    for (const kpi of ['open', 'won', 'lost', 'win_rate', 'days_to_win']) {
      await page.locator(`.kpi[data-kpi=${kpi}] strong`).waitFor();
    }
    await charts(page, 2);
    assert.ok(Number(await page.locator('.kpi[data-kpi=open] strong').getAttribute('data-value')) > 0, 'the demo team has open deals');
  });
});

test('the staff scorecard shows each part beside the department average, weighed by the settings', async () => {
  // The company weighs only the signed amount for a moment: the scores follow.
  await withPage('scorecard-weights', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 'admin');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/system/settings`);
    await page.locator('input[name=weight_received]').waitFor();
    assert.equal(await page.locator('input[name=weight_received]').inputValue(), '25');
    await page.locator('input[name=weight_received]').fill('30');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('p.ok').waitFor();
  });
  await withPage('scorecard', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 's1_mgr');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/reports/scorecard"]').click();
    await page.getByRole('heading', { name: '绩效考核' }).waitFor();
    await page.locator('table.scorecard tbody tr').first().waitFor();
    await charts(page, 1);
    // His team: himself and his two salespeople, each with a score and every part.
    assert.equal(await page.locator('table.scorecard tbody tr').count(), 3);
    const received = page.locator('table.scorecard th[data-part=received]');
    assert.match(await received.innerText(), /权重 30/);
    const cell = page.locator('table.scorecard tbody tr').first().locator('td[data-part=signed]');
    assert.ok((await cell.locator('.avg').innerText()).length > 0, 'the department average is shown');
    assert.match(await cell.locator('.points').innerText(), /^\d+\.\d 得分$/);
    await page.locator('select[name=preset]').selectOption('this_year');
    await page.locator('table.scorecard tbody tr').first().waitFor();
    await shot(page, 'scorecard-this-year');
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button[name=xlsx]').click(),
    ]);
    assert.match(xlsx.suggestedFilename(), /^scorecard-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx$/);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Staff scorecard' }).waitFor();
    // The server's names follow the language: asked again.
    await page.locator('table.scorecard th[data-part=activities]', { hasText: 'Activities' }).waitFor();
    // The choice is kept for the next login: back to Chinese for the other tests.
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '绩效考核' }).waitFor();
    await page.waitForLoadState('networkidle');
  });
});

test('renewals per month, the product report, and the funnel of new customers by level', async () => {
  await withPage('renewals-report', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 'sales_dir');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/reports/renewals"]').click();
    await page.getByRole('heading', { name: '续费分析' }).waitFor();
    await page.locator('table.renewals tfoot th[data-due]').waitFor();
    await charts(page, 1);
    // The demo company has service periods ending this year.
    assert.ok(Number(await page.locator('table.renewals tfoot th[data-due]').getAttribute('data-due')) > 0);
    await shot(page, 'renewals-this-year');
    await page.locator('nav.sidebar a[href="/reports/products"]').click();
    await page.getByRole('heading', { name: '产品分析' }).waitFor();
    await page.locator('table.report-table tbody tr').first().waitFor();
    assert.equal(await page.locator('select[name=group_by]').inputValue(), 'product');
    await page.locator('nav.sidebar a[href="/reports/customers"]').click();
    await page.getByRole('heading', { name: '客户分析' }).waitFor();
    await page.locator('select[name=group_by]').selectOption('level');
    await page.locator('table.level-funnel tr[data-level=signed]').waitFor();
    await charts(page, 2);
    const lead = Number(await page.locator('table.level-funnel tr[data-level=lead] td[data-reached]').getAttribute('data-reached'));
    const contacted = Number(await page.locator('table.level-funnel tr[data-level=contacted] td[data-reached]').getAttribute('data-reached'));
    assert.ok(lead >= contacted && lead > 0, `a funnel narrows (${lead} → ${contacted})`);
    await shot(page, 'customer-funnel');
  });
});
