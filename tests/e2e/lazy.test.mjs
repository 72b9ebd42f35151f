// A big SQLite file on a server that answers ranged requests opens lazily:
// the explorer works on top and fetches a sliver of the file. Without
// Range support it is downloaded whole; a file replaced on the server
// while open gives a clear message, never mixed pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, q } from './harness.mjs';
import { serve } from '../../tools/serve.mjs';
import { bigDatabase as makeBigDatabase } from '../../tools/make-big-db.mjs';

// ~70 MB: rows with an indexed group and an FTS5 index on the name, made
// once by the benchmark's script (kept in ~/.cache/explorer-bench).
const ROWS = 400_000;
const bigDatabase = () => makeBigDatabase(ROWS);
let env;
let dir;
let withRanges;
let withoutRanges;

before(async () => {
  env = await start();
  dir = join(tmpdir(), `explorer-e2e-lazy-served-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(bigDatabase(), join(dir, 'big.db'));
  withRanges = await serve({ root: dir, cors: true });
  withoutRanges = await serve({ root: dir, cors: true, ranges: false });
});
after(async () => {
  await env?.close();
  await withRanges?.close();
  await withoutRanges?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a big file on a Range server is browsed lazily, fetching a sliver of it', async () => {
  const { page } = env;
  const size = statSync(join(dir, 'big.db')).size;
  const before = withRanges.bytesSent;
  await page.goto(env.appUrl(q([['url', `${withRanges.url}/big.db`]])));
  await page.waitForURL(/#\/big$/);
  await page.waitForSelector('.source .lazy-note');
  assert.match(await page.textContent('.source .lazy-note'), /read from its server as needed: [\d.]+ KB of [\d.]+ MB fetched/);
  // The whole file only on request: the server's own link.
  assert.equal(await page.getAttribute('.source a.download-db', 'href'), `${withRanges.url}/big.db`);
  // Not counted: ANALYZE's figure stands in.
  assert.equal(await page.textContent('.table-item:has(a:text-is("items")) .count'), '≈ 400,000 rows (estimate)');
  // A table page sorted by an indexed column, then a search, then a row:
  // moves within the page, so the database stays open.
  const go = (hash) => page.evaluate((h) => { location.hash = h; }, hash);
  // Each indexed view fetches at most 1 % of the file.
  const costOf = async (name, view) => {
    const at = withRanges.bytesSent;
    await view();
    const cost = withRanges.bytesSent - at;
    assert.ok(cost < size / 100, `${name}: ${cost} bytes of a ${size}-byte file`);
  };
  await costOf('sorted by an index', async () => {
    await go('#/big/items?_sort=grp');
    await page.waitForSelector('table.rows tbody tr');
  });
  assert.match(await page.textContent('.total'), /Rows not counted/);
  assert.equal(await page.locator('table.rows tbody tr').count(), 100);
  await costOf('full-text search', async () => {
    // A selective term (every name has "item", whose index entry is big).
    await go('#/big/items?_search=123457');
    await page.waitForSelector('table.rows tbody tr:has-text("item 123457")');
  });
  await costOf('a row', async () => {
    await go('#/big/items/399999');
    await page.waitForSelector('text=item 399999');
  });
  await page.waitForSelector('footer .fetched');
  const fetched = withRanges.bytesSent - before;
  assert.ok(fetched < size / 20, `${fetched} bytes sent of ${size} in all`);
  assert.ok(withRanges.statuses.includes(206), 'ranged answers');
});

test('a sorted page on a slow server is waited for, not stopped by the time limit or the watchdog', async () => {
  // A hundred scattered rows, one round trip each at 60 ms: six seconds
  // of waiting, past the page's 1 s limit and the watchdog's patience.
  const slow = await serve({ root: dir, cors: true, rangeDelayMs: 60 });
  try {
    const { page } = env;
    await page.goto(env.appUrl(q([['url', `${slow.url}/big.db`]]), '#/big/items?_sort=grp'));
    await page.waitForSelector('table.rows tbody tr', { timeout: 60000 });
    assert.equal(await page.locator('table.rows tbody tr').count(), 100);
    assert.equal(await page.locator('.error, [role="alert"]').count(), 0);
    assert.ok(slow.requests.length > 50, `${slow.requests.length} requests`);
  } finally {
    await slow.close();
  }
});

test('offline, a lazy database answers from the pages read online and names what it never read', async () => {
  const { page, context } = env;
  const url = env.appUrl(q([['url', `${withRanges.url}/big.db`]]));
  await page.goto(`${url}#/big/items?_sort=grp`);
  await page.waitForSelector('table.rows tbody tr');
  const firstRow = await page.textContent('table.rows tbody tr');
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 20000 });
  // The worker keeps each piece it read, without holding up the page: wait
  // until their number stops growing.
  const kept = () => page.evaluate(async () => (await (await caches.open('explorer-data')).keys()).filter((r) => r.url.includes('/explorer-ranges/')).length);
  let count = -1;
  for (let now = await kept(); now !== count; now = await kept()) {
    count = now;
    await page.waitForTimeout(500);
  }
  assert.ok(count > 10, `${count} pieces kept`);
  await context.setOffline(true);
  try {
    await page.reload();
    await page.waitForSelector('table.rows tbody tr');
    assert.equal(await page.textContent('table.rows tbody tr'), firstRow);
    // A row whose page no test read online.
    await page.evaluate(() => { location.hash = '#/big/items/333333'; });
    const error = page.locator('.error, [role="alert"]').first();
    await error.waitFor();
    assert.match(await error.textContent(), /offline, and this part of the database \(bytes \d+-\d+\) was not read while online/);
  } finally {
    await context.setOffline(false);
  }
});

test('without Range support the same file is downloaded whole and counted', async () => {
  const { page } = env;
  await page.goto(env.appUrl(q([['url', `${withoutRanges.url}/big.db`]])));
  await page.waitForURL(/#\/big$/, { timeout: 60000 });
  await page.waitForSelector('.table-item:has(a:text-is("items"))');
  assert.equal(await page.locator('.source .lazy-note').count(), 0);
  assert.ok(!withoutRanges.statuses.includes(206));
});

test('&_lazy=1 reads even a small file lazily, counting rows on request; &_lazy=0 downloads a big one', async () => {
  const { page, data } = env;
  await page.goto(env.appUrl(q([['url', `${data.url}/sqlite/Chinook_Sqlite.sqlite`], ['_lazy', '1']])));
  await page.waitForSelector('.source .lazy-note');
  // Counts on request, in place: a whole table (then known everywhere),
  // and a filtered view.
  const track = page.locator('.table-item:has(a:text-is("Track"))');
  assert.equal(await track.locator('.count').textContent(), 'not counted');
  await track.locator('button.count-rows').click();
  await track.locator('.count:text-is("3,503 rows")').waitFor();
  assert.equal(await track.locator('button.count-rows').count(), 0);
  await page.evaluate(() => { location.hash = '#/Chinook_Sqlite/Track'; });
  await page.waitForSelector('.total:has-text("3,503 rows")');
  await page.evaluate(() => { location.hash = '#/Chinook_Sqlite/Track?GenreId__exact=1'; });
  await page.waitForSelector('.total:has-text("Rows not counted")');
  await page.click('.total button.count-rows');
  await page.waitForSelector('.total .count-rows:text-is("1,297 rows")');
  await page.goto(env.appUrl(q([['url', `${withRanges.url}/big.db`], ['_lazy', '0']])));
  await page.waitForURL(/#\/big$/, { timeout: 60000 });
  await page.waitForSelector('.table-item:has(a:text-is("items"))');
  assert.equal(await page.locator('.source .lazy-note').count(), 0);
});

test('a file replaced on the server while open says so instead of mixing versions', async () => {
  const { page } = env;
  const served = join(dir, 'changing.db');
  copyFileSync(bigDatabase(), served);
  await page.goto(env.appUrl(q([['url', `${withRanges.url}/changing.db`]])));
  await page.waitForSelector('.source .lazy-note');
  // Another version of the file: bigger, and a second later (Last-Modified
  // counts seconds), so its size, ETag and date all differ.
  await new Promise((r) => setTimeout(r, 1100));
  execFileSync('sqlite3', [served], { input: "PRAGMA journal_mode = OFF; INSERT INTO items(grp, name, body) SELECT 1, 'new', body FROM items WHERE id <= 2000;" });
  await page.evaluate(() => { location.hash = '#/changing/items/388888'; });
  const error = page.locator('[role="alert"], .error').first();
  await error.waitFor();
  assert.match(await error.textContent(), /changed on the server/);
});
