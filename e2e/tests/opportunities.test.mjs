// Opportunities in the browser: a card moves on the deal board; two quote versions are made on
// the deal's page, one is accepted and the salesperson lands on its draft order; the quote's A4
// print view in Chinese and in English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, withPage, login, api, token } from './helpers.mjs';

async function dealFor(rep, name, title) {
  const customer = await api('POST', '/customers', rep, { name });
  const deal = await api('POST', '/opportunities', rep, { customer_id: customer.id, title, amount: '12800' });
  return { customer, deal };
}

test('a card moves to the next stage on the deal board', async () => {
  const rep = await token('s1_a');
  const stages = await api('GET', '/dictionaries/opportunity_stage', rep);
  const { deal } = await dealFor(rep, `济南看板测试${Date.now() % 100000}有限公司`, '看板移动测试');
  assert.equal(deal.stage.id, stages[0].id);

  await withPage('deal-board-move', { viewport: { width: 1400, height: 1000 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/opportunities/board"]').click();
    await page.getByRole('heading', { name: '机会看板' }).waitFor();
    const card = page.locator(`.board-column[data-stage="${stages[0].id}"] .deal-card[data-deal="${deal.id}"]`);
    await card.waitFor();
    await card.locator('select[name=move]').selectOption(String(stages[1].id));
    await page.locator(`.board-column[data-stage="${stages[1].id}"] .deal-card[data-deal="${deal.id}"]`).waitFor();
    assert.equal(await page.locator(`.board-column[data-stage="${stages[0].id}"] .deal-card[data-deal="${deal.id}"]`).count(), 0);
  });
  const moved = await api('GET', `/opportunities/${deal.id}`, rep);
  assert.equal(moved.stage.id, stages[1].id);
  assert.equal(moved.probability, stages[1].probability);
  const history = await api('GET', `/opportunities/${deal.id}/stage-history`, rep);
  assert.deepEqual(history.map((m) => m.stage.id), [stages[0].id, stages[1].id]);
});

test('two quote versions; the accepted one becomes a draft order; the print view in both languages', async () => {
  const rep = await token('s1_a');
  const products = await api('GET', '/products', rep);
  const web = products.find((p) => p.code === 'WEB-B');
  assert.ok(web, 'the demo product WEB-B is seeded');
  const { deal } = await dealFor(rep, `青岛报价测试${Date.now() % 100000}有限公司`, '官网改版');
  let accepted;

  await withPage('deal-quotes-accept', { viewport: { width: 1280, height: 1600 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/opportunities/${deal.id}`);
    await page.getByRole('heading', { name: '官网改版' }).waitFor();
    const form = page.locator('form.quote-form');
    for (const discount of ['0', '680.50']) {
      const line = form.locator('.line-row[data-line]').first();
      await line.locator('select[name=product]').selectOption(String(web.id));
      await line.locator('input[name=discount]').fill(discount);
      await form.getByRole('button', { name: '生成报价' }).click();
      await page.locator('section.deal-quotes article.quote').nth(discount === '0' ? 0 : 1).waitFor();
    }
    const quotes = page.locator('section.deal-quotes article.quote');
    assert.equal(await quotes.count(), 2);
    // Newest first: v2 (6119.50) on top.
    const v2 = quotes.first();
    assert.equal(await v2.locator('strong[data-total]').getAttribute('data-total'), '6119.50');
    accepted = await v2.getAttribute('data-quote');
    assert.match(accepted, /^QT\d{8}-\d{4}$/);
    await v2.getByRole('button', { name: '客户接受' }).click();
    await page.waitForURL(/\/orders\/\d+$/);
    const head = page.locator('section.order-head');
    await head.locator('.status[data-status=draft]').waitFor();
    assert.equal(await head.locator('dd[data-total]').getAttribute('data-total'), '6119.50');
  });
  const after = await api('GET', `/opportunities/${deal.id}`, rep);
  assert.equal(after.status, 'won');
  const all = await api('GET', `/opportunities/${deal.id}/quotes`, rep);
  assert.deepEqual(all.map((q) => q.status), ['accepted', 'rejected']);

  for (const [locale, heading] of [['zh-CN', '报价单'], ['en-US', 'Quotation']]) {
    await withPage(`quote-print-${locale}`, { locale, viewport: { width: 900, height: 1200 } }, async (page) => {
      await login(page, 's1_a');
      await page.locator('nav.sidebar').waitFor();
      await page.goto(`${BASE}/quotes/${all[0].id}/print`);
      await page.getByRole('heading', { name: heading }).waitFor();
      await page.locator(`.quote-sheet[data-quote="${accepted}"]`).waitFor();
      await page.locator('.quote-sheet .company').filter({ hasText: /\S/ }).waitFor();
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('.no-print').isVisible(), false);
    });
  }
});
