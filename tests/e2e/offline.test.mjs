// Offline use and updates through the service worker, and embedding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { start, q, tableCells, CHROMIUM_ARGS } from './harness.mjs';
import { serve } from '../../tools/serve.mjs';

/** Waits until the page is controlled by its service worker. */
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 20000 });
}

test('a dataset opened online reopens offline, and queries run', async () => {
  const env = await start();
  try {
    const { page, data, context } = env;
    const url = env.appUrl(q([['url', `${data.url}/sqlite/Chinook_Sqlite.sqlite`]]));
    await page.goto(url);
    await page.waitForURL(/#\/Chinook_Sqlite$/);
    await controlled(page);
    // Controlled now: this load goes through the service worker and is kept.
    await page.reload();
    await page.waitForSelector('.table-item:has-text("Track") .count:text("3,503 rows")');
    await page.waitForFunction(async () => (await (await caches.open('explorer-data')).keys()).length > 0);
    // Online again later: the unchanged file is revalidated, not downloaded.
    const seen = data.statuses.length;
    await page.reload();
    await page.waitForSelector('.table-item:has-text("Track") .count:text("3,503 rows")');
    assert.ok(data.statuses.slice(seen).includes(304), `statuses after reload: ${data.statuses.slice(seen)}`);

    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('.table-item:has-text("Track") .count:text("3,503 rows")');
    await page.goto(`${url.split('#')[0]}#/Chinook_Sqlite?sql=${encodeURIComponent('SELECT count(*) FROM Album')}`);
    await page.waitForSelector('.query-meta');
    assert.deepEqual(await tableCells(page), [['347']]);
    // A dataset never opened online is reported, not hung on.
    await page.goto(env.appUrl(q([['url', `${data.url}/sqlite/moving_fts5.db`]])));
    await page.waitForSelector('.source[data-status="failed"] .error:has-text("could not reach")');
    await context.setOffline(false);
  } finally {
    await env.close();
  }
});

test('a new deploy is announced to an open tab; reloading runs it and drops the old cache', async () => {
  const site = mkdtempSync(join(tmpdir(), 'explorer-deploy-'));
  cpSync(join(process.cwd(), 'dist'), site, { recursive: true });
  const app = await serve({ root: site });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${app.url}/`);
    await page.waitForSelector('.database-card h2:has-text("demo")');
    await controlled(page);
    const before = await page.evaluate(() => caches.keys());
    assert.equal(before.filter((k) => k.startsWith('explorer-shell-')).length, 1);

    // "Deploy" a changed build: new page text, new service worker version.
    const index = readFileSync(join(site, 'index.html'), 'utf8').replace('<title>Data explorer</title>', '<title>Data explorer v2</title>');
    writeFileSync(join(site, 'index.html'), index);
    const worker = readFileSync(join(site, 'service-worker.js'), 'utf8').replace(/const VERSION = "[^"]+"/, 'const VERSION = "second-deploy"');
    writeFileSync(join(site, 'service-worker.js'), worker);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    await page.waitForSelector('.update-banner:has-text("A new version is available")');
    await Promise.all([page.waitForEvent('load'), page.click('.update-banner button')]);
    await page.waitForFunction(() => document.title === 'Data explorer v2');
    await page.waitForSelector('.database-card h2:has-text("demo")');
    const after = await page.evaluate(() => caches.keys());
    assert.deepEqual(after.filter((k) => k.startsWith('explorer-shell-')), ['explorer-shell-second-deploy']);
  } finally {
    await browser.close();
    await app.close();
  }
});

test('the embed example on another origin shows both views and sizes them', async () => {
  const env = await start();
  const docs = await serve({ root: join(process.cwd(), 'dist') }); // a second origin
  try {
    const { page, app } = env;
    await page.goto(`${docs.url}/embed-example.html?explorer=${encodeURIComponent(`${app.url}/`)}`);
    const table = page.frameLocator('#table-view');
    await table.locator('.total:text("55 rows")').waitFor();
    assert.equal(await table.locator('table.rows tbody tr').count(), 5);
    assert.equal(await table.locator('.filters, header.top').count(), 0, 'minimal chrome');
    assert.match(await table.locator('.open-full a').getAttribute('href'), /^http:\/\/127\.0\.0\.1:\d+\/#\/demo\/Album/);
    const query = page.frameLocator('#query-view');
    await query.locator('.row-count:text("5 rows")').waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('iframe')].every((f) => Number(f.dataset.heightReported) > 100));
    const heights = await page.$$eval('iframe', (fs) => fs.map((f) => f.getBoundingClientRect().height));
    assert.ok(heights.every((h) => h > 100), JSON.stringify(heights));
  } finally {
    await docs.close();
    await env.close();
  }
});

test('every view offers its link and an iframe snippet', async () => {
  const env = await start();
  try {
    const { page } = env;
    await page.goto(env.appUrl('', '#/demo/Artist?_sort=Name'));
    await page.waitForSelector('.total');
    await page.click('.share-toggle');
    assert.match(await page.inputValue('.share-link'), /#\/demo\/Artist\?_sort=Name$/);
    assert.match(await page.inputValue('.share-iframe'), /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?_embed=1#\/demo\/Artist\?_sort=Name"/);
  } finally {
    await env.close();
  }
});


test('a local file kept in the browser is listed, reopens offline, and can be deleted', async () => {
  const env = await start();
  try {
    const { page, context } = env;
    await page.goto(env.appUrl());
    await page.waitForSelector('.your-datasets:has-text("Nothing is kept")');
    await page.setInputFiles('input[type=file]', { name: 'mine.db', mimeType: 'application/vnd.sqlite3',
      buffer: readFileSync(new URL('../../../shared/data/sqlite/moving_fts5.db', import.meta.url)) });
    await page.click('.database-card a:text("mine")');
    await page.click('button.keep-db');
    await page.waitForSelector('.keep-status:has-text("Kept in this browser")');
    await controlled(page);

    await context.setOffline(true);
    await page.goto(env.appUrl('', '#/'));
    await page.reload();
    const kept = page.locator('.kept[data-name="mine"]');
    await kept.waitFor();
    await kept.locator('button.open-kept').click();
    await page.waitForSelector('.database-card h2:has-text("mine")');
    await page.goto(env.appUrl('', `#/mine?sql=${encodeURIComponent('SELECT count(*) FROM boxes')}`));
    await page.waitForSelector('.query-meta');
    assert.deepEqual(await tableCells(page), [['19']]);

    await page.goto(env.appUrl('', '#/'));
    await page.locator('.kept[data-name="mine"] button.delete-kept').click();
    await page.waitForSelector('.your-datasets:has-text("Nothing is kept")');
    await context.setOffline(false);
  } finally {
    await env.close();
  }
});
