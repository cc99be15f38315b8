// The day's work: log a contact with a next step and find it on Today; quick-log from the list;
// a manager sees the team's day and one person's contacts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, withPage, login, api, token, companyDaysAgo } from './helpers.mjs';

test('a contact with a next step today shows up on Today, and is done in a click', async () => {
  const rep = await token('s2_a');
  const name = `烟台今日跟进测试${Date.now() % 100000}有限公司`;
  const customer = await api('POST', '/customers', rep, { name });
  await withPage('today-reminder', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 's2_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/customers/${customer.id}`);
    await page.getByRole('heading', { name }).waitFor();
    await page.fill('input[name=activity_summary]', '上门拜访，客户要看案例');
    await page.fill('input[name=next_step_on]', companyDaysAgo(0));
    await page.fill('input[name=next_step_note]', '送案例资料');
    await page.getByRole('button', { name: '记录', exact: true }).click();
    await page.getByRole('cell', { name: '上门拜访，客户要看案例' }).waitFor();
    await page.locator('nav.sidebar a[href="/"]').click();
    const row = page.locator('li.reminder[data-reminder="送案例资料"]');
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(name));
  });
  await withPage('today-reminder-done', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 's2_a');
    const row = page.locator('li.reminder[data-reminder="送案例资料"]');
    await row.waitFor();
    await row.getByRole('button', { name: '完成' }).click();
    await row.waitFor({ state: 'detached' });
  });
});

test('the customer list logs a contact in two fields and a button', async () => {
  const rep = await token('s1_b');
  const name = `威海列表速记测试${Date.now() % 100000}有限公司`;
  await api('POST', '/customers', rep, { name });
  await withPage('list-quick-log', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 's1_b');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/customers"]').click();
    await page.fill('input[name=q]', name);
    const row = page.locator(`tr[data-customer="${name}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /从未联系/);
    // The list may still settle on the last answer of the search box, which redraws the row:
    // open the form and type until the text stays.
    for (let tries = 0; tries < 5; tries += 1) {
      if (await page.locator('tr.quick-log-row').count() === 0) await row.locator('button.log-toggle').click();
      await page.fill('tr.quick-log-row input[name=activity_summary]', '电话联系，约了下周拜访');
      await page.waitForTimeout(400);
      if (await page.locator('tr.quick-log-row input[name=activity_summary]').inputValue() !== '') break;
    }
    await page.locator('tr.quick-log-row').getByRole('button', { name: '记录', exact: true }).click();
    await page.locator('tr.quick-log-row').waitFor({ state: 'detached' });
    await page.waitForFunction((n) => !document.querySelector(`tr[data-customer="${n}"]`)?.innerText.includes('从未联系'), name);
  });
});

test("a manager sees the team's day and drills into one person", async () => {
  for (const [who, summary] of [['s1_a', '团队视图测试：拜访甲'], ['s1_b', '团队视图测试：电话乙']]) {
    const t = await token(who);
    const c = await api('POST', '/customers', t, { name: `潍坊团队视图${who}${Date.now() % 100000}有限公司` });
    const types = await api('GET', '/dictionaries/activity_type', t);
    await api('POST', '/activities', t, { customer_id: c.id, type_id: types[0].id, occurred_at: new Date().toISOString(), summary });
  }
  await withPage('team-day', { viewport: { width: 1280, height: 1100 } }, async (page) => {
    await login(page, 's1_mgr');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    const team = page.locator('section.team-day');
    await team.getByRole('heading', { name: '团队今日动态' }).waitFor();
    const s1a = team.locator('tr[data-username="s1_a"]');
    await s1a.waitFor();
    assert.ok(Number(await s1a.locator('td.num').innerText()) >= 1);
    await team.locator('tr[data-username="s1_b"]').waitFor();
    assert.equal(await team.locator('tr[data-username="s2_a"]').count(), 0, 'another department is not shown');
    // Everyone's contacts first; a click on a person narrows them to that person's.
    await team.getByRole('cell', { name: '团队视图测试：电话乙' }).waitFor();
    await s1a.getByRole('button').click();
    await team.getByRole('heading', { name: '该人员当天的接触' }).waitFor();
    await team.getByRole('cell', { name: '团队视图测试：电话乙' }).waitFor({ state: 'detached' });
    await team.getByRole('cell', { name: '团队视图测试：拜访甲' }).waitFor();
  });
});

test('the bell counts unread notifications and the page opens them', async () => {
  await withPage('notifications', { viewport: { width: 1280, height: 900 } }, async (page) => {
    // The demo's reminders due today were announced when the server started.
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    const count = page.locator('.bell .bell-count');
    await count.waitFor();
    const before = Number(await count.innerText());
    assert.ok(before >= 1);
    await page.locator('a.bell').click();
    await page.getByRole('heading', { name: '通知' }).waitFor();
    const first = page.locator('ul.notifications li.unread').first();
    await first.waitFor();
    await first.locator('button.notification').click();
    // It leads to what it is about (a customer, an order, an expense, …).
    await page.waitForURL((url) => url.pathname !== '/notifications');
    await page.waitForFunction((b) => {
      const el = document.querySelector('.bell .bell-count');
      return !el || Number(el.textContent) < b;
    }, before);
  });
});
