// Table pages (sort, keyset next page), the query page, links that reopen
// the same view, back/forward, and a runaway query.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, q, tableCells, headers, runSql } from './harness.mjs';

let env;
let chinook;
before(async () => {
  env = await start();
  chinook = q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`]]);
});
after(async () => { await env?.close(); });


test('sorting by a column header and paging with a keyset cursor', async () => {
  const { page } = env;
  // The reference: what one ORDER BY says rows 1 and 101 are.
  const expected = await runSql(env, page, chinook, 'Chinook_Sqlite', 'SELECT TrackId, Name FROM Track ORDER BY Name DESC, TrackId DESC LIMIT 2 OFFSET 99');

  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Track'));
  await page.waitForSelector('.total:text("3,503 rows")');
  assert.deepEqual((await headers(page)).slice(0, 3), ['TrackId', 'Name', 'AlbumId']);
  assert.equal((await tableCells(page)).length, 100);

  await page.click('th a:text("Name")');
  await page.waitForURL(/_sort=Name/);
  await page.waitForSelector('th[aria-sort="ascending"]');
  await page.click('th a:text("Name")');
  await page.waitForURL(/_sort_desc=Name/);
  await page.waitForSelector('th[aria-sort="descending"]');
  const first = await tableCells(page);
  assert.deepEqual(first[99].slice(0, 2), expected[0]);

  await page.click('a.next-page');
  await page.waitForURL(/_next=/);
  await page.waitForFunction((id) => document.querySelector('table.rows tbody tr td:not(.row-link)')?.textContent !== id, first[0][0]);
  const second = await tableCells(page);
  assert.deepEqual(second[0].slice(0, 2), expected[1]);
  assert.ok(!second.some((r) => first.some((f) => f[0] === r[0])), 'no row on both pages');
  assert.match(page.url(), /_next=%5B%5B/, 'the cursor carries the sort value');
});

test('a deep link reopens the same view after a reload, and back/forward work', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Album?_sort=Title&_size=5'));
  await page.waitForSelector('.total:text("347 rows")');
  await page.click('a.next-page');
  await page.waitForURL(/_next=/);
  await page.waitForFunction(() => document.querySelectorAll('table.rows tbody tr').length === 5);
  await page.waitForLoadState();
  const before = await tableCells(page);
  const url = page.url();

  await page.reload();
  await page.waitForSelector('.total:text("347 rows")');
  assert.equal(page.url(), url);
  assert.deepEqual(await tableCells(page), before);

  await page.goBack();
  await page.waitForURL((u) => !u.hash.includes('_next'));
  await page.waitForFunction((title) => document.querySelector('table.rows tbody tr td:nth-child(3)')?.textContent !== title, before[0][1]);
  assert.equal((await tableCells(page))[0][1], '...And Justice For All', 'first page, sorted by title');
  await page.goForward();
  await page.waitForURL(url);
  await page.waitForFunction((title) => document.querySelector('table.rows tbody tr td:nth-child(3)')?.textContent === title, before[0][1]);
});

test('the query page runs SQL from the URL, and Ctrl+Enter puts new SQL in the URL', async () => {
  const { page } = env;
  const rows = await runSql(env, page, chinook, 'Chinook_Sqlite', 'SELECT count(*) AS n, typeof(1.0) AS t FROM Track');
  assert.deepEqual(rows, [['3503', 'real']]);
  assert.deepEqual(await headers(page), ['n', 't']);

  await page.fill('.cm-content', "SELECT Name FROM Genre WHERE Name LIKE 'R%' ORDER BY Name");
  await page.press('.cm-content', 'Control+Enter');
  await page.waitForURL(/sql=SELECT\+Name\+FROM\+Genre/);
  await page.waitForSelector('.row-count:text("4 rows")');
  assert.deepEqual(await tableCells(page), [['R&B/Soul'], ['Reggae'], ['Rock'], ['Rock And Roll']]);

  // "View and edit SQL" from a table page gives SQL that runs.
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Genre?_sort_desc=Name&_size=3'));
  await page.waitForSelector('.total:text("25 rows")');
  const tableRows = await tableCells(page);
  await page.click('a.edit-sql');
  await page.waitForSelector('.row-count:text("3 rows")');
  assert.deepEqual(await tableCells(page), tableRows);

  // Running the same SQL again runs it again (the data may have changed).
  await runSql(env, page, chinook, 'Chinook_Sqlite', 'SELECT count(*) FROM Genre');
  await page.fill('.cm-content', "INSERT INTO Genre(Name) VALUES ('Polka')");
  await page.press('.cm-content', 'Control+Enter');
  await page.waitForSelector('.row-count:text("1 row changed")');
  await page.click('button:text("Run SQL")');
  await page.waitForSelector('.row-count:text("1 row changed")');
  await page.fill('.cm-content', 'SELECT count(*) FROM Genre');
  await page.press('.cm-content', 'Control+Enter');
  await page.waitForFunction(() => document.querySelector('table.rows td')?.textContent === '27');
});

test('SQL errors show SQLite\'s message', async () => {
  const { page } = env;
  await runSql(env, page, chinook, 'Chinook_Sqlite', 'SELECT * FROM no_such_table');
  assert.match(await page.textContent('.error'), /no such table: no_such_table/);
});

test('a runaway query is stopped at the time limit while the UI keeps reacting', async () => {
  const { page } = env;
  const sql = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n';
  // Start from a quiet query page, so the editor is ready before the clock runs.
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?sql=${encodeURIComponent('SELECT 1')}`));
  await page.waitForSelector('.query-meta');
  await page.fill('.cm-content', sql);
  await page.press('.cm-content', 'Control+Enter');
  await page.waitForSelector('.running');
  // While the worker is busy, the page still handles input: typing changes
  // the editor, and the query is still running when it does.
  await page.keyboard.type(' -- typed');
  assert.match(await page.textContent('.cm-content'), /-- typed$/);
  assert.ok(await page.$('.running'), 'the query was still running while the UI reacted');
  await page.waitForSelector('.error[data-kind="TimeLimit"]', { timeout: 10000 });
  assert.match(await page.textContent('.error'), /time limit of 1000 ms/);
  // _timelimit lowers it.
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?sql=${encodeURIComponent(sql)}&_timelimit=50`));
  await page.waitForSelector('.error:has-text("time limit of 50 ms")');
  // The database is still there and answers.
  assert.deepEqual(await runSql(env, page, chinook, 'Chinook_Sqlite', 'SELECT count(*) FROM Album'), [['347']]);
});

test('a link to a database that is not open says so', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/nope/Track'));
  await page.waitForSelector('.error:has-text("No database named \\"nope\\" is open")');
});

test('cell markup is shown as text, never run', async () => {
  const { page } = env;
  const rows = await runSql(env, page, chinook, 'Chinook_Sqlite', `SELECT '<img src=x onerror="window.pwned=1">' AS a, '<script>window.pwned=2</script>' AS b, NULL AS c`);
  assert.deepEqual(rows, [['<img src=x onerror="window.pwned=1">', '<script>window.pwned=2</script>', 'NULL']]);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.$('table.rows img'), null);
});
