// Knowledge in the browser: a sales manager writes an FAQ with the editor's preview; a
// salesperson finds it from the search box in the top bar (the `/` key) and opens it; the week's
// bulletin shows on Today until it is read; the knowledge centre at phone width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, withPage, login, api, token } from './helpers.mjs';

test('write an FAQ, find it from the global search box, see a bulletin on Today', async () => {
  const word = `雁鸣${Date.now() % 100000}`;
  const question = `${word}推广支持小程序吗？`;
  let articleId;

  await withPage('knowledge-write-faq', { viewport: { width: 1280, height: 1000 } }, async (page) => {
    await login(page, 's1_mgr');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('nav.sidebar a[href="/knowledge"]').click();
    await page.getByRole('heading', { name: '知识库' }).first().waitFor();
    await page.locator('a.tab[href="/knowledge?kind=faq"]').click();
    await page.locator('details.faq').first().waitFor();
    await page.getByRole('link', { name: '写文章' }).click();
    await page.getByRole('heading', { name: '写文章' }).waitFor();
    await page.fill('input[name=title]', question);
    await page.fill('textarea[name=body]', '**支持**。小程序推广与网站推广共用一个账户。<script>alert(1)</script>');
    await page.getByRole('button', { name: '预览' }).click();
    await page.locator('.article-body.preview strong', { hasText: '支持' }).waitFor();
    assert.equal(await page.locator('.article-body.preview script').count(), 0);
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('heading', { name: question }).waitFor();
    articleId = Number(new URL(page.url()).pathname.split('/').pop());
  });
  const saved = await api('GET', `/articles/${articleId}`, await token('s1_mgr'));
  assert.equal(saved.kind, 'faq');
  assert.equal(saved.status, 'published');

  await withPage('knowledge-global-search', { viewport: { width: 1280, height: 900 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    // The week's bulletin waits on Today.
    const strip = page.locator('section.bulletins');
    await strip.waitFor();
    const bulletin = strip.locator('li a').first();
    const title = await bulletin.textContent();
    await page.keyboard.press('/');
    await page.keyboard.type(word);
    const hit = page.locator(`.search-popover .search-group[data-kind=article] a[href="/knowledge/${articleId}"]`);
    await hit.waitFor();
    assert.match(await hit.locator('mark').first().textContent(), new RegExp(word));
    await hit.click();
    await page.getByRole('heading', { name: question }).waitFor();
    await page.locator('.votes button').first().click();
    await page.locator('.votes button.chosen').waitFor();
    // Reading the bulletin takes it off Today.
    await page.goto(`${BASE}/`);
    await page.getByRole('link', { name: title }).click();
    await page.getByRole('heading', { name: title }).waitFor();
    await page.goto(`${BASE}/`);
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.locator('section.today').waitFor();
    assert.equal(await page.getByRole('link', { name: title }).count(), 0);
  });
  const voted = await api('GET', `/articles/${articleId}`, await token('s1_a'));
  assert.equal(voted.helpful, 1);

  await withPage('knowledge-phone', { viewport: { width: 375, height: 800 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/knowledge?kind=faq`);
    await page.locator('details.faq').first().waitFor();
    await page.locator('details.faq summary').first().click();
    await page.locator('details.faq .article-body').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at 375 px (${overflow})`);
  });
});
