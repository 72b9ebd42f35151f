// Opening databases by URL, from a GitHub-style link, from a local file,
// and the demo; every way loading can fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, q, SHARED } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

test('?url= loads a database and shows its database page', async () => {
  const { page, data } = env;
  await page.goto(env.appUrl(q([['url', `${data.url}/sqlite/Chinook_Sqlite.sqlite`]])));
  // One ?url= and no view named: straight to the database page.
  await page.waitForURL(/#\/Chinook_Sqlite$/);
  await page.waitForSelector('h1:text("Chinook_Sqlite")');
  const items = await page.$$eval('.tables .table-item', (els) => els.map((e) => e.querySelector('a').textContent + ' ' + e.querySelector('.count').textContent));
  assert.equal(items.length, 11);
  assert.ok(items.includes('Track 3,503 rows'), items.join('; '));
  assert.ok(items.includes('PlaylistTrack 8,715 rows'));
  assert.deepEqual(env.errors, []);
});

test('hidden tables (FTS index and shadow tables) sit behind a toggle', async () => {
  const { page, data } = env;
  await page.goto(env.appUrl(q([['url', `${data.url}/sqlite/moving_fts5.db`]])));
  await page.waitForSelector('h1:text("moving_fts5")');
  assert.deepEqual(await page.$$eval('.tables:not(.hidden-tables) .table-item a', (a) => a.map((x) => x.textContent)), ['boxes', 'items']);
  assert.equal(await page.$('.hidden-tables'), null);
  await page.click('button.hidden-toggle:text("Show 5 hidden tables")');
  const hidden = await page.$$eval('.hidden-tables .table-item a', (a) => a.map((x) => x.textContent));
  assert.ok(hidden.includes('search_items') && hidden.includes('search_items_data'), hidden.join());
});

test('views calling functions the app lacks are listed with the reason; the rest works', async () => {
  const { page, data } = env;
  await page.goto(env.appUrl(q([['url', `${data.url}/sqlite/calibre-web_metadata.db`]])));
  await page.waitForSelector('h1:text("calibre-web_metadata")');
  const views = await page.$$eval('.views .view-item', (els) => els.map((e) => e.textContent));
  assert.equal(views.length, 11);
  assert.ok(views.some((v) => v.startsWith('meta') && v.includes('no such function: sortconcat')), views.join('\n'));
  await page.click('.tables a:text-is("preferences")');
  await page.waitForSelector('.total:text("9 rows")');
});

test('a GitHub page link is fetched from the raw host', async () => {
  const { page, context } = env;
  const requested = [];
  const bytes = readFileSync(join(SHARED, 'sqlite/moving_fts5.db'));
  // Stands in for raw.githubusercontent.com; no real network is used.
  await context.route('https://raw.githubusercontent.com/**', (route) => {
    requested.push(route.request().url());
    route.fulfill({ status: 200, body: bytes, headers: { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/octet-stream' } });
  });
  // The page link itself is never fetched, not even by the early prefetch.
  await context.route('https://github.com/**', (route) => {
    requested.push(route.request().url());
    route.abort('connectionrefused');
  });
  await page.goto(env.appUrl(q([['url', 'https://github.com/someone/things/blob/main/data/moving_fts5.db?raw=true']])));
  await page.waitForSelector('h1:text("moving_fts5")');
  assert.deepEqual(requested, ['https://raw.githubusercontent.com/someone/things/main/data/moving_fts5.db']);
  await context.unroute('https://raw.githubusercontent.com/**');
  await context.unroute('https://github.com/**');
});

test('every kind of failure names the URL and says what happened; good databases stay usable', async () => {
  const { page, data, badData, noCors } = env;
  const sources = [
    ['unreachable', 'http://127.0.0.1:9/nothing.db', 'Could not download', 'could not reach 127.0.0.1'],
    ['404', `${data.url}/sqlite/missing.db`, 'The server refused', 'HTTP 404'],
    ['no CORS', `${noCors.url}/sqlite/Chinook_Sqlite.sqlite`, 'Blocked by the browser (CORS)', 'Access-Control-Allow-Origin'],
    ['HTML', `${badData.url}/page.html`, 'Not an SQLite database', 'HTML page came back'],
    ['CSV', `${data.url}/csv/impeachment_polls.csv`, 'Not an SQLite database', 'does not start with the SQLite header'],
    ['damaged', `${badData.url}/damaged.db`, 'Damaged database', 'damaged'],
  ];
  const good = `${data.url}/sqlite/moving_fts5.db`;
  const query = q([...sources.map(([, url]) => ['url', url]), ['url', good]]);
  await page.goto(env.appUrl(query));
  await page.waitForFunction((n) => document.querySelectorAll('.source[data-status="failed"]').length === n, sources.length, { timeout: 20000 });
  const failures = await page.$$eval('.source[data-status="failed"]', (els) => els.map((e) => ({
    label: e.querySelector('.source-label').textContent,
    headline: e.querySelector('.error strong').textContent,
    message: e.querySelector('.error p').textContent,
  })));
  for (const [what, url, headline, words] of sources) {
    const f = failures.find((x) => x.label === url);
    assert.ok(f, `${what}: no failure shown for ${url}`);
    assert.equal(f.headline, headline, what);
    assert.ok(f.message.includes(words), `${what}: ${f.message}`);
    assert.ok(f.message.includes(url), `${what}: message names the URL: ${f.message}`);
  }
  // The good one loaded and works.
  await page.waitForSelector('.database-card h2:has-text("moving_fts5")');
  await page.click('.database-card a:text("moving_fts5")');
  await page.click('.tables a:text-is("boxes")');
  await page.waitForSelector('.total:text("19 rows")');
});

test('a download without Content-Length shows bytes received and can be cancelled', async () => {
  const { page, app } = env;
  // A stalled, length-less response from the app's own origin.
  const { serve } = await import('../../tools/serve.mjs');
  const slow = await serve({
    root: SHARED, cors: true,
    routes: { '/slow.db': (req, res) => { res.setHeader('Access-Control-Allow-Origin', '*'); res.write(Buffer.alloc(300 * 1024)); } },
  });
  try {
    await page.goto(env.appUrl(q([['url', `${slow.url}/slow.db`]])));
    const source = page.locator('.source[data-status="downloading"]');
    await source.locator('.amount:text("300 KB")').waitFor();
    assert.equal(await source.locator('progress').getAttribute('value'), null, 'indeterminate bar');
    await source.locator('button:text("Cancel")').click();
    await page.waitForSelector('.source[data-status="cancelled"]');
    // Out of the URL too, so a reload does not start it again.
    assert.doesNotMatch(page.url(), /slow\.db/);
    await page.reload();
    await page.waitForSelector('.database-card h2:has-text("demo")');
    assert.equal(await page.locator('.source').count(), 0);
  } finally {
    await slow.close();
  }
  void app;
});

test('no data parameter opens the demo; a local file can be added', async () => {
  const { page } = env;
  await page.goto(env.appUrl());
  await page.waitForSelector('.database-card h2:has-text("demo")');
  assert.match(await page.textContent('.database-card'), /5 tables, 1 view/);
  await page.setInputFiles('input[type=file]', join(SHARED, 'sqlite/Chinook_Sqlite.sqlite'));
  await page.waitForSelector('.database-card h2:has-text("Chinook_Sqlite")');
  await page.click('.database-card a:text("Chinook_Sqlite")');
  await page.waitForSelector('.table-item:has-text("Track") .count:text("3,503 rows")');
});

test('a ?url= file is downloaded once, starting before the worker is ready for it', async () => {
  const { browser } = env;
  const chinook = readFileSync(join(SHARED, 'sqlite/Chinook_Sqlite.sqlite'));
  const arrivals = [];
  const { serve } = await import('../../tools/serve.mjs');
  const host = await serve({
    root: SHARED,
    routes: { '/counted.db': (req, res) => {
      arrivals.push(Date.now());
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Length': String(chinook.length) });
      res.end(chinook);
    } },
  });
  // A page of its own: the init script must not outlive this test.
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // The UI's first message to the worker goes out only once the worker
    // said Ready; a prefetch begins before that, while its wasm compiles.
    await page.addInitScript(() => {
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (...args) {
        window.__firstPost ??= performance.timeOrigin + performance.now();
        return post.apply(this, args);
      };
    });
    await page.goto(env.appUrl(q([['url', `${host.url}/counted.db`]])));
    await page.waitForSelector('.table-item:has-text("Track")');
    assert.equal(arrivals.length, 1, 'one download, taken over by the worker');
    const firstPost = await page.evaluate(() => window.__firstPost);
    assert.ok(arrivals[0] < firstPost, `the download began (${arrivals[0]}) before the UI could ask for it (${firstPost})`);
  } finally {
    await context.close();
    await host.close();
  }
});
