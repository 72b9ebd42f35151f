// Offline use and updates through the service worker, and embedding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { start, q, tableCells, CHROMIUM_ARGS, SHARED } from './harness.mjs';
import { serve } from '../../tools/serve.mjs';

/** Waits until the page is controlled by its service worker. */
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 20000 });
}

/** The kept size records in `explorer-data-sizes`, by URL. */
async function keptSizes(page) {
  return page.evaluate(async () => {
    const sizes = await caches.open('explorer-data-sizes');
    const out = {};
    for (const r of await sizes.keys()) out[r.url] = (await (await sizes.match(r)).json()).bytes;
    return out;
  });
}

test('a dataset opened on a genuine first visit reopens offline, and queries run', async () => {
  const env = await start();
  try {
    const { page, data, context } = env;
    const file = `${data.url}/sqlite/Chinook_Sqlite.sqlite`;
    const url = env.appUrl(q([['url', file]]));
    // First visit: no service worker controls the page while it downloads.
    await page.goto(url);
    await page.waitForURL(/#\/Chinook_Sqlite$/);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller), null, 'not controlled on a first visit');
    await page.waitForFunction((f) => caches.open('explorer-data-sizes').then((c) => c.match(f)).then(Boolean), file);
    assert.equal((await keptSizes(page))[file], statSync(join(SHARED, 'sqlite/Chinook_Sqlite.sqlite')).size);
    await controlled(page);

    // Online again later: the unchanged file is revalidated, not downloaded.
    await page.reload();
    await page.waitForSelector('.table-item:has-text("Track") .count:text("3,503 rows")');
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
    // A dataset never opened online is reported as such, not hung on.
    await page.goto(env.appUrl(q([['url', `${data.url}/sqlite/moving_fts5.db`]])));
    const failure = page.locator('.source[data-status="failed"] .error');
    await failure.waitFor();
    assert.equal(await failure.getAttribute('data-kind'), 'Offline');
    assert.match(await failure.textContent(), /you are offline, and this dataset was not kept for offline use/);
    await context.setOffline(false);
  } finally {
    await env.close();
  }
});

test('a CSV served without Content-Length is kept and counted by the bytes read', async () => {
  const env = await start();
  const chunked = await serve({ root: SHARED, cors: true, chunked: true });
  try {
    const { page, context } = env;
    const file = `${chunked.url}/csv/congress-terms.csv`;
    await page.goto(env.appUrl(q([['csv', file]])));
    await page.waitForSelector('.total');
    await page.waitForFunction((f) => caches.open('explorer-data-sizes').then((c) => c.match(f)).then(Boolean), file);
    assert.equal((await keptSizes(page))[file], statSync(join(SHARED, 'csv/congress-terms.csv')).size);
    await controlled(page);
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('.total');
    assert.match(await page.textContent('.total'), /18,635 rows/);
    await context.setOffline(false);
  } finally {
    await chunked.close();
    await env.close();
  }
});

test('the data cache evicts the least recently used datasets past its cap', async () => {
  const env = await start();
  try {
    const { page, app } = env;
    await page.goto(env.appUrl());
    await page.waitForSelector('.database-card h2:has-text("demo")');
    const names = JSON.parse(readFileSync(join(process.cwd(), 'dist/assets.json'), 'utf8'));
    await page.addScriptTag({ type: 'module', url: `${app.url}/${names['data-cache.js']}` });
    await page.waitForFunction(() => globalThis.explorerDataCache);
    const left = await page.evaluate(async () => {
      const dc = globalThis.explorerDataCache;
      const base = 'http://127.0.0.1:1/';
      const keep = async (name, cap) => {
        await dc.keep(base + name, new Blob([new Uint8Array(100)]).stream(), new Headers());
        await dc.record(base + name, 100, cap);
        await new Promise((r) => setTimeout(r, 20));
      };
      await keep('old', 1000);
      await keep('middle', 1000);
      await keep('new', 1000);
      // Opened again: "old" becomes the most recently used.
      await dc.record(base + 'old', 100, 1000);
      await new Promise((r) => setTimeout(r, 20));
      // 400 bytes against a cap of 250: the least recently used go first.
      await keep('newest', 250);
      const keys = await (await caches.open('explorer-data')).keys();
      return keys.map((r) => r.url.slice(base.length)).sort();
    });
    assert.deepEqual(left, ['newest', 'old']);
  } finally {
    await env.close();
  }
});

test('other pages in the scope are not answered with the app', async () => {
  const env = await start();
  try {
    const { page } = env;
    await page.goto(env.appUrl());
    await page.waitForSelector('.database-card h2:has-text("demo")');
    await controlled(page);
    await page.goto(`${env.app.url}/embed-example.html`);
    await page.waitForSelector('iframe#table-view');
    assert.equal(await page.locator('header.top').count(), 0, 'the embed example page, not the app');
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
