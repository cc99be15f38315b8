// Documents in the browser: a salesperson drops a proposal on a customer's page (the upload shows
// its progress), downloads it back byte for byte, finds it from the global search box, and opens
// its page; the documents section at phone width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BASE, withPage, login, api, token } from './helpers.mjs';

test('upload a proposal on a customer page, download it, find it from the search box', async () => {
  const word = `鹭岛${Date.now() % 100000}`;
  const owner = await token('s1_a');
  const customer = await api('POST', '/customers', owner, { name: `济南${word}网络科技有限公司` });
  const proposal = `${word} 网络推广方案\n预算：每月 3000 元\n`;

  await withPage('documents-upload', { viewport: { width: 1280, height: 1000 }, acceptDownloads: true }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/customers/${customer.id}`);
    const section = page.locator('section.documents');
    await section.getByRole('heading', { name: '文档资料' }).waitFor();
    await section.getByText('还没有文档。').waitFor();
    await section.locator('input[name=document_file]').setInputFiles({
      name: `${word}-推广方案.txt`,
      mimeType: 'text/plain',
      buffer: Buffer.from(proposal, 'utf8'),
    });
    const item = section.locator('.doc-list li', { hasText: `${word}-推广方案` });
    await item.waitFor();
    assert.match(await item.textContent(), /业务员/);
    // The download is the file as uploaded, under its own name.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.getByRole('button', { name: '下载' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `${word}-推广方案.txt`);
    assert.equal(await readFile(await download.path(), 'utf8'), proposal);
    // The search box in the top bar finds it by a word of its name.
    await page.keyboard.press('/');
    await page.keyboard.type(word);
    const hit = page.locator('.search-popover .search-group[data-kind=document] a').first();
    await hit.waitFor();
    await hit.click();
    await page.getByRole('heading', { name: `${word}-推广方案` }).waitFor();
    await page.getByRole('link', { name: customer.name }).waitFor();
  });

  const docs = await api('GET', `/documents?customer_id=${customer.id}`, owner);
  assert.equal(docs.items.length, 1);
  assert.equal(docs.items[0].content_type, 'text/plain');
  // Another department does not see it.
  const res = await fetch(`${BASE}/api/v1/documents/${docs.items[0].id}`, {
    headers: { authorization: `Bearer ${await token('s2_a')}` },
  });
  assert.equal(res.status, 404);

  await withPage('documents-phone', { viewport: { width: 375, height: 812 } }, async (page) => {
    await login(page, 's1_a');
    await page.getByRole('heading', { name: /欢迎/ }).waitFor();
    await page.goto(`${BASE}/customers/${customer.id}`);
    const section = page.locator('section.documents');
    await section.locator('.doc-list li').first().waitFor();
    await section.scrollIntoViewIfNeeded();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `no sideways scrolling (${width}px)`);
  });
});
