// Customers in the browser: create one, customer protection while typing, the pipeline board.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, BASE, login, token, withPage } from './helpers.mjs';

const NAME = '济南泉城星光广告有限公司';

test('a salesperson creates a customer and lands on its page', async () => {
  await withPage('customer-create', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/customers"]').click();
    await page.getByRole('link', { name: '新建客户' }).click();
    await page.fill('input[name=name]', NAME);
    await page.fill('input[name=phone]', '0531-8611 2233');
    await page.selectOption('select[name=region]', { label: '\u3000济南市' });
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('heading', { name: NAME }).waitFor();
    await page.locator('.facts', { hasText: '济南市' }).waitFor();
    assert.match(await page.locator('.facts').innerText(), /销售一部/);
    await page.fill('input[name=contact_name]', '刘经理');
    await page.getByRole('button', { name: '添加联系人' }).click();
    await page.getByRole('cell', { name: '刘经理', exact: true }).waitFor();

    // Edit: the form comes back filled in, and the change shows on the page.
    await page.getByRole('link', { name: '编辑' }).click();
    await page.locator('input[name=name]').waitFor();
    assert.equal(await page.inputValue('input[name=name]'), NAME);
    await page.waitForTimeout(800); // the duplicate check runs 300 ms after typing stops
    assert.equal(await page.locator('.warning').count(), 0, 'a customer is no duplicate of itself');
    await page.fill('input[name=address]', '济南市历下区泉城路1号');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('heading', { name: NAME }).waitFor();
    assert.match(await page.locator('.facts').innerText(), /泉城路1号/);
  });
});

test('a second salesperson typing the same customer sees who owns it', async () => {
  await withPage('customer-duplicate-warning', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's2_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(page.url().replace(/\/$/, '') + '/customers/new');
    await page.fill('input[name=name]', '泉城星光广告（济南）');
    const warning = page.locator('.warning');
    await warning.waitFor();
    const text = await warning.innerText();
    assert.match(text, /已存在的客户/);
    assert.match(text, new RegExp(NAME));
    assert.match(text, /销售一部/, 'names the owner\'s department');
    assert.equal(await warning.getByRole('link').count(), 0, 'no way into a customer the caller cannot see');
    await page.getByRole('button', { name: '保存' }).click();
    const error = page.locator('[role=alert]');
    await error.waitFor();
    assert.match(await error.innerText(), /客户已存在/);
  });
});

test('a manager moves a card on the pipeline board', async () => {
  await withPage('pipeline-board', { viewport: { width: 1400, height: 900 } }, async (page) => {
    page.on('dialog', (dialog) => dialog.accept('客户已明确预算'));
    await login(page, 's1_mgr');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/customers/pipeline"]').click();
    const card = page.locator(`.board-column[data-level=lead] .board-card[data-customer="${NAME}"]`);
    await card.waitFor();
    await card.locator('select[name=move]').selectOption('prospect');
    await page.locator(`.board-column[data-level=prospect] .board-card[data-customer="${NAME}"]`).waitFor();
    // Each column reloads on its own: wait for the old one to let go of the card.
    await page.locator(`.board-column[data-level=lead] .board-card[data-customer="${NAME}"]`).waitFor({ state: 'detached' });
  });
});

test('logging a contact takes a line and a button', async () => {
  await withPage('activity-quick-log', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/customers"]').click();
    await page.fill('input[name=q]', '泉城星光');
    await page.getByRole('link', { name: NAME }).click();
    await page.getByRole('heading', { name: NAME }).waitFor();
    await page.fill('input[name=activity_summary]', '电话沟通推广方案，约下周面谈');
    await page.getByRole('button', { name: '记录' }).click();
    await page.getByRole('cell', { name: '电话沟通推广方案，约下周面谈' }).waitFor();
    await page.locator('.facts', { hasText: '年' }).waitFor();
    assert.doesNotMatch(await page.locator('.facts').innerText(), /从未联系/, 'the last contact is set');
  });
});

test('the search box asks once typing pauses, and a slow earlier answer never overwrites a later one', async () => {
  const rep = await token('s1_a');
  const tag = Date.now() % 100000;
  const slow = `慢答${tag}`;
  const fast = `快答${tag}`;
  await api('POST', '/customers', rep, { name: `${slow}科技有限公司` });
  await api('POST', '/customers', rep, { name: `${fast}贸易有限公司` });
  await withPage('customer-search-latest-wins', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/customers`);
    await page.getByRole('heading', { name: '客户', exact: true }).waitFor();
    await page.waitForLoadState('networkidle');
    // Every question the list asks, and the answer to the first query held back 1.5 s, as on a
    // slow network when the server takes longer over one query than over the next.
    const asked = [];
    let slowAnswered;
    const slowDone = new Promise((resolve) => { slowAnswered = resolve; });
    await page.route('**/api/v1/customers?*', async (route) => {
      const q = new URL(route.request().url()).searchParams.get('q');
      asked.push(q);
      if (q === slow) {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
        slowAnswered();
      } else {
        await route.continue();
      }
    });
    const box = page.locator('input[name=q]');
    await box.pressSequentially(slow, { delay: 30 });
    await page.waitForRequest((r) => r.url().includes(encodeURIComponent(slow)));
    await box.fill('');
    await box.pressSequentially(fast, { delay: 30 });
    const rows = page.locator('table.customers-table tbody tr[data-customer]');
    await page.locator(`tr[data-customer="${fast}贸易有限公司"]`).waitFor();
    await slowDone;
    await page.waitForTimeout(300);
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.customer)), [`${fast}贸易有限公司`],
      'the list shows the answer to what is in the box, not the late answer to what was');
    // Typed at 30 ms a key, the intermediate prefixes were never asked.
    const prefixes = [...slow].slice(1, -1).map((_, i) => slow.slice(0, i + 2))
      .concat([...fast].slice(1, -1).map((_, i) => fast.slice(0, i + 2)));
    const partial = asked.filter((q) => q && prefixes.includes(q) && q !== slow && q !== fast);
    assert.deepEqual(partial, [], `asked only once typing paused: ${JSON.stringify(asked)}`);
  });
});
