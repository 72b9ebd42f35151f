// Hostile input and a dying worker (issue "Unbreakable by hostile input"):
// a result too big to hold, a hostile little database, a statement no time
// limit can stop, and a crash, each leaving every database usable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, q, tableCells, SHARED } from './harness.mjs';
import { serve } from '../../tools/serve.mjs';

let env;
let files;
before(async () => {
  env = await start();
  const dir = mkdtempSync(join(tmpdir(), 'explorer-hostile-'));
  // Small on disk, huge when read: a view and a generated column of 99 MB values.
  execFileSync('sqlite3', [join(dir, 'hostile.db'), `
    CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, big BLOB GENERATED ALWAYS AS (zeroblob(99000000)) VIRTUAL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 200) INSERT INTO t(id, name) SELECT i, 'row ' || i FROM n;
    CREATE VIEW huge AS SELECT zeroblob(99000000) AS b FROM t;`]);
  assert.ok(statSync(join(dir, 'hostile.db')).size <= 16 * 1024);
  files = await serve({ root: dir, cors: true });
});
after(async () => {
  await files?.close();
  await env?.close();
});

/** Runs `sql` by the query page's own Run button and returns the cells. */
async function runTyped(page, sql) {
  await page.waitForSelector('.cm-content');
  await page.fill('.cm-content', sql);
  await page.click('.sql-form button[type=submit]');
  await page.waitForSelector('.query-page .query-meta, .query-page .error');
  return tableCells(page);
}

test('a link asking for 99 GB of blobs gets an error, and the worker lives on', async () => {
  const { page } = env;
  const sql = 'WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM r LIMIT 1000) SELECT zeroblob(99000000) FROM r';
  const link = env.appUrl('', `#/demo?sql=${encodeURIComponent(sql)}`);
  for (let visit = 0; visit < 2; visit++) {
    await page.goto(link);
    if (visit) await page.reload();
    await page.waitForSelector('.query-page .error');
    assert.match(await page.textContent('.query-page .error'), /string or blob too big|more than 64 MB/);
  }
  assert.deepEqual(await runTyped(page, 'SELECT count(*) FROM Album'), [['55']]);
  assert.equal(await page.locator('.worker-notice').count(), 0, 'no restart was needed');
});

test('an 8 KB hostile database: its huge view is an error, its table pages work', async () => {
  const { page } = env;
  const query = q([['url', `${files.url}/hostile.db`]]);
  await page.goto(env.appUrl(query, '#/hostile/huge'));
  await page.waitForSelector('.error');
  assert.match(await page.textContent('.error'), /string or blob too big|more than 64 MB/);
  await page.goto(env.appUrl(query, '#/hostile/t?_nocol=big&_size=5'));
  await page.waitForSelector('.total:text("200 rows")');
  assert.deepEqual((await tableCells(page))[0].slice(0, 2), ['1', 'row 1']);
});

test('a step no time limit can stop is ended by the watchdog; the other databases stay open', async () => {
  const { page } = env;
  const chinook = q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`], ['url', `${env.data.url}/sqlite/moving_fts5.db`]]);
  // One call to instr() on 50 MB with a 50 KB needle: one VM step of minutes.
  const slow = "SELECT instr(printf('%.*c', 50000000, 'a'), printf('%.*c', 50000, 'a') || 'b')";
  const link = env.appUrl(chinook, `#/Chinook_Sqlite?sql=${encodeURIComponent(slow)}`);
  await page.goto(link);
  const started = Date.now();
  const error = page.locator('.query-page .error[data-kind="WorkerRestarted"]');
  await error.waitFor({ timeout: 30000 });
  assert.match(await error.textContent(), /busy with the query on Chinook_Sqlite/);
  assert.ok(Date.now() - started < 20000, `stopped after ${Date.now() - started} ms`);
  await page.waitForSelector('.worker-notice');
  // Both databases were reopened in the new worker.
  await page.waitForFunction(() => !document.querySelector('.source[data-status="downloading"]'));
  assert.deepEqual(await runTyped(page, 'SELECT count(*) FROM Track'), [['3503']]);
  await page.goto(env.appUrl(chinook, `#/moving_fts5?sql=${encodeURIComponent('SELECT count(*) FROM boxes')}`));
  await page.waitForSelector('.query-meta');
  assert.deepEqual(await tableCells(page), [['19']]);

  // Reloading the link that stopped the worker does not run it again.
  await page.goto(link);
  await page.reload();
  await page.waitForSelector('.stopped-view:has-text("This view stopped the data worker last time")');
  assert.equal(await page.locator('.query-page').count(), 0);
});

test('a crashed worker is replaced and every database reopened, changes and imports kept', async () => {
  const { page } = env;
  const query = q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`], ['csv', `${env.badData.url}/authors.csv`]]);
  await page.goto(env.appUrl(query, `#/data?sql=${encodeURIComponent('SELECT 1')}`));
  await page.waitForSelector('.query-meta');
  await runTyped(page, "INSERT INTO authors(id, name, born) VALUES (4, 'N. K. Jemisin', 1972)");
  await page.waitForSelector('.row-count:text("1 row changed")');
  // The worker saves a copy after the change; wait until it is stored.
  await page.waitForFunction(async () => {
    const keys = await (await caches.open('explorer-recovery')).keys();
    if (keys.length === 0) return false;
    const saved = await (await caches.open('explorer-recovery')).match(keys.find((k) => k.url.endsWith('/data')));
    return saved && (await saved.arrayBuffer()).byteLength > 0;
  });
  await new Promise((r) => setTimeout(r, 300));

  // An uncaught error inside the worker, as a trap or a failed allocation gives.
  const [worker] = page.workers();
  await worker.evaluate(() => setTimeout(() => { throw new Error('deliberate crash for the test'); }));
  await page.waitForSelector('.worker-notice:has-text("The data worker stopped")');
  await page.waitForFunction(() => !document.querySelector('.source[data-status="downloading"]'));
  const failed = await page.$$eval('.source[data-status="failed"]', (els) => els.map((e) => e.textContent));
  assert.deepEqual(failed, []);

  await page.goto(env.appUrl(query, `#/data?sql=${encodeURIComponent('SELECT name FROM authors ORDER BY id DESC LIMIT 1')}`));
  await page.waitForSelector('.query-meta');
  assert.deepEqual(await tableCells(page), [['N. K. Jemisin']]);
  assert.deepEqual(await runTyped(page, 'SELECT count(*) FROM authors'), [['4']]);
  await page.goto(env.appUrl(query, `#/Chinook_Sqlite?sql=${encodeURIComponent('SELECT count(*) FROM Album')}`));
  await page.waitForSelector('.query-meta');
  assert.deepEqual(await tableCells(page), [['347']]);
});

test('a result of 1,000 rows by 2,000 columns is shown in windows, without freezing the page', async () => {
  const { page } = env;
  const columns = Array.from({ length: 2000 }, (_, i) => `x * ${i + 1} AS c${i + 1}`).join(', ');
  const sql = `WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 1000) SELECT ${columns} FROM r`;
  const started = Date.now();
  await page.goto(env.appUrl('', `#/demo?sql=${encodeURIComponent(sql)}`));
  await page.waitForSelector('.query-meta .row-count:text("1,000 rows")', { timeout: 30000 });
  await page.waitForSelector('.result-window');
  const elapsed = Date.now() - started;
  // The page answers at once: the main thread is free.
  const t = Date.now();
  await page.evaluate(() => 1);
  assert.ok(Date.now() - t < 1000, 'the page responds');
  assert.equal(await page.locator('table.rows tbody tr').count(), 200);
  assert.equal(await page.locator('table.rows thead th').count(), 50);
  assert.match(await page.textContent('.result-window'), /rows 1–200 of 1,000.*columns 1–50 of 2,000/);
  await page.click('.window-columns button.next');
  await page.waitForSelector('table.rows thead th:has(button.sort:text-is("c51"))');
  await page.click('.window-rows button.next');
  await page.waitForSelector('.window-rows:has-text("rows 201–400 of 1,000")');
  assert.equal((await tableCells(page))[0][0], String(201 * 51));
  assert.ok(elapsed < 30000, `shown after ${elapsed} ms`);
});

test('long JSON cells are folded, not laid out whole', async () => {
  const { page } = env;
  const sql = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 300) SELECT json_group_array(printf('%.*c', 200, 'y')) AS doc FROM r, (SELECT 1 FROM r LIMIT 50) GROUP BY x";
  await page.goto(env.appUrl('', `#/demo?sql=${encodeURIComponent(sql)}`));
  await page.waitForSelector('.query-meta .row-count:text("300 rows")');
  assert.equal(await page.locator('table.rows pre.json').count(), 0, 'nothing laid out while folded');
  await page.locator('table.rows tbody tr:first-child button.more').click();
  await page.waitForSelector('table.rows tbody tr:first-child pre.json');
});

test('keeping a dataset whose name is kept already asks: replace it or keep both', async () => {
  const { page, context } = env;
  const second = await context.newPage(); // another tab of the same site
  try {
    for (const tab of [page, second]) {
      await tab.goto(env.appUrl('', '#/'));
      await tab.waitForSelector('.database-card h2:has-text("demo")');
      await tab.setInputFiles('input[type=file]', join(process.cwd(), 'www/demo.db'));
      await tab.waitForSelector('.database-card h2:has-text("demo_2")');
    }
    await page.goto(env.appUrl('', '#/demo_2'));
    await page.click('button.keep-db');
    await page.waitForSelector('.keep-status:has-text("Kept in this browser as demo_2")');
    await second.goto(env.appUrl('', '#/demo_2'));
    await second.click('button.keep-db');
    await second.waitForSelector('.keep-status:has-text("A dataset named demo_2 is kept in this browser already")');
    await second.click('button.keep-both');
    await second.waitForSelector('.keep-status:has-text("Kept in this browser as demo_2_2")');
    await second.click('button.keep-db');
    await second.click('button.keep-replace');
    await second.waitForSelector('.keep-status:has-text("Kept in this browser as demo_2 ")');
    await second.goto(env.appUrl('', '#/'));
    await second.waitForSelector('.kept[data-name="demo_2_2"]');
    assert.equal(await second.locator('.kept').count(), 2);
  } finally {
    await second.close();
  }
});

test('"Download this database" gives back the file byte for byte', async () => {
  const { page } = env;
  await page.goto(env.appUrl(q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`]]), '#/Chinook_Sqlite'));
  await page.waitForSelector('.table-item:has-text("Track")');
  const downloading = page.waitForEvent('download');
  await page.click('button.download-db');
  const download = await downloading;
  assert.equal(download.suggestedFilename(), 'Chinook_Sqlite.db');
  const got = readFileSync(await download.path());
  const original = readFileSync(join(SHARED, 'sqlite/Chinook_Sqlite.sqlite'));
  assert.equal(got.length, original.length);
  assert.ok(got.equals(original), 'the same bytes');
});

test('after a crash, databases only imported into are rebuilt from their sources, with no saved copy', async () => {
  const { page } = env;
  const query = q([['csv', `${env.badData.url}/authors.csv`], ['csv', `${env.badData.url}/books.tsv`]]);
  const copies = () => page.evaluate(async () => (await (await caches.open('explorer-recovery')).keys()).length);
  await page.goto(env.appUrl('', '#/'));
  await page.waitForSelector('section.home');
  const before = await copies(); // copies other tests' pages left
  await page.goto(env.appUrl(query, '#/data'));
  await page.waitForSelector('.table-item:has-text("books")');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await copies(), before, 'importing alone saves no copy');
  const [worker] = page.workers();
  await worker.evaluate(() => setTimeout(() => { throw new Error('deliberate crash for the test'); }));
  await page.waitForSelector('.worker-notice');
  await page.waitForFunction(() => !document.querySelector('.source[data-status="downloading"]'));
  await page.goto(env.appUrl(query, `#/data?sql=${encodeURIComponent('SELECT (SELECT count(*) FROM authors) || \'/\' || (SELECT count(*) FROM books)')}`));
  await page.waitForSelector('.query-meta');
  assert.deepEqual(await tableCells(page), [['3/4']]);
  assert.equal(await page.locator('.source[data-status="failed"]').count(), 0);
});

test('servers that declare 1 GiB and send 16 bytes get errors; nothing is reserved, the worker lives on', async () => {
  const { page } = env;
  const liar = await serve({
    root: SHARED, cors: true,
    routes: { '/liar.db': (req, res) => {
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Length': String(1 << 30) });
      res.end(Buffer.from('SQLite format 3\0'));
    } },
  });
  try {
    const urls = [1, 2, 3, 4].map((n) => ['url', `${liar.url}/liar.db?n=${n}`]);
    await page.goto(env.appUrl(q(urls), `#/`));
    await page.waitForFunction(() => document.querySelectorAll('.source[data-status="failed"]').length === 4, null, { timeout: 20000 });
    assert.equal(await page.locator('.worker-notice').count(), 0, 'no restart was needed');
    await page.goto(env.appUrl('', `#/demo?sql=${encodeURIComponent('SELECT count(*) FROM Album')}`));
    await page.reload();
    await page.waitForSelector('.query-meta');
    assert.deepEqual(await tableCells(page), [['55']]);
  } finally {
    await liar.close();
  }
});
