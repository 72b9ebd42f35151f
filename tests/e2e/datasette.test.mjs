// Links written for Datasette and Datasette Lite work here: `_where`,
// `_col`, `_size=max`, `_facet_size` and "… more", `.json` (with
// `_shape`, `_nl`) and `.csv` views, canned-query URLs, metadata table
// defaults, `?memory=1`; and what this app lacks is said, never silently
// dropped (`?install=`, unknown `_` parameters).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, q, tableCells, headers } from './harness.mjs';

let env;
let chinook;
before(async () => {
  env = await start();
  chinook = q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`]]);
});
after(async () => { await env?.close(); });

const go = (page, hash) => page.evaluate((h) => { location.hash = h; }, hash);

test('_where selects what it says, _col shows only those columns, unknown parameters are named', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite/Invoice?${q([['_where', 'Total > 15'], ['_shape', 'array'], ['_foo', '1']])}`));
  await page.waitForSelector('.total:text-is("11 rows")');
  assert.match(await page.textContent('.table-meta .description'), /where Total > 15/);
  assert.equal(await page.textContent('.ignored-params'), 'Not supported here, so ignored: _shape, _foo.');
  // Removing the condition shows every row again.
  await page.click('a.remove-where');
  await page.waitForSelector('.total:text-is("412 rows")');
  // A condition that could reach past its parentheses is refused, in words.
  await go(page, `#/Chinook_Sqlite/Invoice?${q([['_where', '1) --']])}`);
  await page.waitForSelector('.error:has-text("_where condition")');
  await go(page, '#/Chinook_Sqlite/Invoice?_col=Total&_col=BillingCity&_size=max');
  await page.waitForFunction(() => document.querySelectorAll('table.rows tbody tr').length === 412);
  assert.deepEqual(await headers(page), ['BillingCity', 'Total']);
});

test("Datasette's _next tokens page as they do in Datasette", async () => {
  const { page } = env;
  const firstKey = () => page.textContent('table.rows tbody tr:first-child td[data-label="TrackId"]');
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Track?_next=5'));
  await page.waitForSelector('table.rows tbody tr');
  assert.equal(await firstKey(), '6', 'a bare number is the key to continue after');
  await go(page, `#/Chinook_Sqlite/Artist?${q([['_sort', 'Name'], ['_next', 'AC~2FDC,1']])}`);
  await page.waitForSelector('table.rows tbody tr');
  assert.equal(await page.textContent('table.rows tbody tr:first-child td[data-label="Name"]'), 'Aaron Copland & London Symphony Orchestra');
  // Our own next link keeps working from there.
  await page.click('nav.pager:not(.pager-top) a.next-page');
  await page.waitForFunction(() => document.querySelector('table.rows tbody tr:first-child td[data-label="Name"]')?.textContent !== 'Aaron Copland & London Symphony Orchestra');
});

test('_facet_size and the "… more" link show every value', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Invoice?_facet=BillingCity'));
  const values = page.locator('.facet[data-column="BillingCity"] .facet-value');
  await page.waitForSelector('.facet[data-column="BillingCity"] .more-values');
  assert.equal(await values.count(), 30);
  await page.click('.facet[data-column="BillingCity"] .more-values a');
  await page.waitForFunction(() => document.querySelectorAll('.facet[data-column="BillingCity"] .facet-value').length === 53);
  assert.match(page.url(), /_facet_size=1000/);
});

test('.json and .csv views in Datasette shapes, viewable and downloadable', async () => {
  const { page } = env;
  const json = async () => JSON.parse(await page.textContent('pre.data-text'));
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Invoice.json?_size=2&_shape=objects'));
  await page.waitForSelector('pre.data-text');
  const table = await json();
  assert.equal(table.database, 'Chinook_Sqlite');
  assert.equal(table.filtered_table_rows_count, 412);
  assert.deepEqual(table.primary_keys, ['InvoiceId']);
  assert.equal(table.rows.length, 2);
  assert.equal(table.rows[1].InvoiceId, 2);
  assert.match(table.next_url, /^#\/Chinook_Sqlite\/Invoice\.json\?.*_next=/);
  // The next page, by its link.
  await go(page, table.next_url);
  await page.waitForFunction(() => JSON.parse(document.querySelector('pre.data-text')?.textContent ?? '{}').rows?.[0]?.InvoiceId === 3);
  // A query, as a bare array and as lines.
  await go(page, `#/Chinook_Sqlite.json?${q([['sql', 'select 1 as a, \'x\' as b'], ['_shape', 'array']])}`);
  await page.waitForFunction(() => document.querySelector('pre.data-text')?.textContent.includes('"b": "x"'));
  assert.deepEqual(await json(), [{ a: 1, b: 'x' }]);
  await go(page, `#/Chinook_Sqlite.json?${q([['sql', 'select 1 as a union all select 2'], ['_shape', 'array'], ['_nl', 'on']])}`);
  await page.waitForFunction(() => document.querySelector('pre.data-text')?.textContent === '{"a":1}\n{"a":2}\n');
  // A row as CSV, and its download.
  await go(page, '#/Chinook_Sqlite/Invoice/1.csv');
  await page.waitForFunction(() => document.querySelector('pre.data-text')?.textContent.startsWith('InvoiceId,CustomerId,InvoiceDate'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.download-data')]);
  assert.equal(download.suggestedFilename(), 'Invoice 1.csv');
  // A shape that does not exist is an error, not a guess.
  await go(page, '#/Chinook_Sqlite/Invoice.json?_shape=tree');
  await page.waitForSelector('.error:has-text("_shape=tree is not a shape")');
  // The table page links to its JSON.
  await go(page, '#/Chinook_Sqlite/Invoice?BillingCountry=Chile');
  await page.click('.table-meta a.as-json');
  await page.waitForFunction(() => JSON.parse(document.querySelector('pre.data-text')?.textContent ?? '{}').filtered_table_rows_count === 7);
});

test('canned-query URLs, metadata table defaults, and ?memory=1', async () => {
  const { page, badData } = env;
  const withMetadata = `${chinook}&${q([['metadata', `${badData.url}/metadata.json`]])}`;
  await page.goto(env.appUrl(withMetadata, '#/Chinook_Sqlite/longest?n=3'));
  await page.waitForSelector('.query-meta');
  assert.equal((await tableCells(page)).length, 3);
  // Invoice: sorted by Total descending, 5 rows, faceted by country, unless the URL says otherwise.
  await go(page, '#/Chinook_Sqlite/Invoice');
  await page.waitForSelector('.facet[data-column="BillingCountry"]');
  assert.equal((await tableCells(page)).length, 5);
  assert.match(await page.textContent('table.rows thead'), /Total ▼/);
  await go(page, '#/Chinook_Sqlite/Invoice?_size=7&_sort=InvoiceId');
  await page.waitForFunction(() => document.querySelectorAll('table.rows tbody tr').length === 7);

  await page.goto(env.appUrl(q([['memory', '1']]), `#/_memory?${q([['sql', 'select 6 * 7 as answer']])}`));
  await page.waitForSelector('.query-meta');
  assert.deepEqual(await tableCells(page), [['42']]);
});

test('?install= says it cannot be done, and the rest (a Parquet file too) still opens', async () => {
  const { page } = env;
  await page.goto(env.appUrl(`${chinook}&${q([['install', 'datasette-cluster-map'], ['parquet', `${env.badData.url}/types-zstd.parquet`]])}`));
  await page.waitForSelector('.database-card a:text("data")');
  const notices = await page.locator('.page-notice').allTextContents();
  assert.equal(notices.length, 1);
  assert.match(notices[0], /plugins cannot be installed here \(datasette-cluster-map\)/);
});
