// Datasette-style exploration: filters, facets, sort and paging that a
// reload restores, search, row pages, export round trip, parameters,
// metadata, and cells that never run markup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { start, q, tableCells, headers, runSql } from './harness.mjs';

let env;
let chinook;
before(async () => {
  env = await start();
  chinook = q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`]]);
});
after(async () => { await env?.close(); });


/** Waits until the table shows rows other than `previous`. */
async function changed(page, previous) {
  await page.waitForFunction((before) => {
    const rows = [...document.querySelectorAll('table.rows tbody tr')].map((r) => r.textContent);
    return rows.length > 0 && JSON.stringify(rows) !== before;
  }, JSON.stringify(previous));
}

const rowTexts = (page) => page.$$eval('table.rows tbody tr', (rows) => rows.map((r) => r.textContent));

test('filter, facet, sort and next page, then a reload restores the same view', async () => {
  const { page } = env;
  const [[expectedCount]] = await runSql(env, page, chinook, 'Chinook_Sqlite', 'SELECT count(*) FROM Track WHERE GenreId = 1 AND MediaTypeId = 1');
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Track'));
  await page.waitForSelector('.total:text("3,503 rows")');

  // A filter from the form.
  await page.selectOption('.add-filter select[aria-label="Column"]', 'GenreId');
  await page.selectOption('.add-filter select[aria-label="Operator"]', 'exact');
  await page.fill('.add-filter input[aria-label="Value"]', '1');
  await page.click('.add-filter button');
  await page.waitForURL(/GenreId=1/);
  await page.waitForSelector('.description:has-text("where GenreId = 1")');

  // A facet from the column menu, then one of its values.
  await page.click('th:has(a.sort:text-is("MediaTypeId")) summary');
  await page.click('th:has(a.sort:text-is("MediaTypeId")) a:text("Facet by this")');
  await page.waitForURL(/_facet=MediaTypeId/);
  const facet = page.locator('.facet[data-column="MediaTypeId"]');
  await facet.locator('a:text("MPEG audio file")').click();
  await page.waitForURL(/MediaTypeId=1/);
  await page.waitForSelector(`.total:text("${Number(expectedCount).toLocaleString('en-US')} rows")`);
  await page.waitForSelector('.facet-value.selected:has-text("MPEG audio file")');

  // Sort descending from the menu, then the next page.
  await page.click('th:has(a.sort:text-is("Name")) summary');
  await page.click('th:has(a.sort:text-is("Name")) a:text("Sort descending")');
  await page.waitForURL(/_sort_desc=Name/);
  await page.waitForSelector('th[aria-sort="descending"]');
  const first = await rowTexts(page);
  await page.click('a.next-page');
  await page.waitForURL(/_next=/);
  await changed(page, first);
  const second = await tableCells(page);
  const url = page.url();

  await page.reload();
  await page.waitForSelector('.facet[data-column="MediaTypeId"]');
  await page.waitForSelector('table.rows tbody tr');
  assert.equal(page.url(), url);
  assert.deepEqual(await tableCells(page), second);
  assert.ok(await page.$('.facet-value.selected:has-text("MPEG audio file")'));
  assert.ok(await page.$('.active-filter:has-text("GenreId = 1")'));

  // The same rows by one query: names sorted descending, from the 101st.
  const reference = await runSql(env, page, chinook, 'Chinook_Sqlite',
    'SELECT TrackId, Name FROM Track WHERE GenreId = 1 AND MediaTypeId = 1 ORDER BY Name DESC, TrackId DESC LIMIT 3 OFFSET 100');
  assert.deepEqual(second.slice(0, 3).map((r) => r.slice(0, 2)), reference);
});

test('foreign keys show labels and link to rows; row pages list what points at them', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Album?_size=3'));
  await page.waitForSelector('table.rows td a:text("AC/DC")');
  await page.click('table.rows td a:text("AC/DC")');
  await page.waitForURL(/#\/Chinook_Sqlite\/Artist\/1$/);
  await page.waitForSelector('.row-fields td:text("AC/DC")');
  await page.click('.incoming a:text("2 rows from Album")');
  await page.waitForURL(/#\/Chinook_Sqlite\/Album\?ArtistId=1$/);
  await page.waitForSelector('.total:text("2 rows")');
  // Row links from the table page; composite keys name rows by all parts.
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/PlaylistTrack?_size=2'));
  await page.click('table.rows tbody tr:first-child td.row-link a');
  await page.waitForURL(/#\/Chinook_Sqlite\/PlaylistTrack\/\d+,\d+$/);
  await page.waitForSelector('.row-fields');
});

test('full-text search finds the rows the index finds, best first', async () => {
  const { page, data } = env;
  const moving = q([['url', `${data.url}/sqlite/moving_fts5.db`]]);
  const expected = await runSql(env, page, moving, 'moving_fts5', "SELECT rowid FROM search_items WHERE search_items MATCH 'box' ORDER BY rank");
  await page.goto(env.appUrl(moving, '#/moving_fts5/items'));
  await page.waitForSelector('form.search');
  await page.fill('form.search input[type=search]', 'box');
  await page.click('form.search button');
  await page.waitForURL(/_search=box/);
  await page.waitForSelector(`.total:text("${expected.length} row")`);
  const ids = (await tableCells(page)).map((r) => r[0]);
  assert.deepEqual(ids, expected.map((r) => r[0]));
  assert.match(await page.textContent('.description'), /search matches "box"/);
});

test('exported CSV of all rows imports back to the same rows', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Track?GenreId=2&_sort=Name'));
  await page.waitForSelector('.total:text("130 rows")');
  const downloading = page.waitForEvent('download');
  await page.click('.export button:text("CSV") >> nth=1');
  const download = await downloading;
  assert.equal(download.suggestedFilename(), 'Track.csv');
  const csv = readFileSync(await download.path());
  await page.waitForSelector('.export-status:has-text("Exported 130 rows")');
  await page.goto(env.appUrl(chinook, '#/'));
  await page.setInputFiles('input[type=file]', { name: 'genre2.csv', mimeType: 'text/csv', buffer: csv });
  await page.waitForSelector('.database-card h2:has-text("data")');
  const again = await runSql(env, page, chinook, 'data', 'SELECT TrackId, Name, Composer, Milliseconds, UnitPrice FROM genre2 ORDER BY Name, TrackId');
  const original = await runSql(env, page, chinook, 'Chinook_Sqlite', 'SELECT TrackId, Name, Composer, Milliseconds, UnitPrice FROM Track WHERE GenreId = 2 ORDER BY Name, TrackId');
  assert.equal(again.length, 130);
  assert.deepEqual(again, original);
});

test('cells: markup stays text, only http(s) links, JSON laid out, long text folded, NULL marked', async () => {
  const { page, badData } = env;
  await page.goto(env.appUrl(q([['csv', `${badData.url}/cells.csv`]])));
  await page.waitForURL(/#\/data\/cells$/);
  await page.waitForSelector('table.rows tbody tr');
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.$('table.rows script, table.rows img'), null);
  const cells = await tableCells(page); // rowid, id, markup, …
  assert.equal(cells[0][2], '<script>window.pwned=1</script>');
  assert.equal(cells[1][2], '<img src=x onerror="window.pwned=3">');
  const links = await page.$$eval('table.rows td a:not(.row-link a)', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links.filter((h) => !h.startsWith('#')), ['https://example.com/page', 'http://example.org']);
  assert.equal(await page.$('a[href^="javascript" i]'), null);
  assert.match(await page.textContent('pre.json'), /"a": \[\n\s+1,/);
  assert.equal(await page.textContent('td.null'), 'NULL');
  const more = page.locator('button.more');
  await more.click();
  assert.equal(await more.count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
});

test('named parameters become inputs and live in the URL', async () => {
  const { page } = env;
  const sql = 'SELECT Name FROM Genre WHERE GenreId = :genre';
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?sql=${encodeURIComponent(sql)}`));
  await page.waitForSelector('.parameters input[name="genre"]');
  await page.fill('.parameters input[name="genre"]', '3');
  await page.click('button:text("Run SQL")');
  await page.waitForURL(/genre=3/);
  await page.waitForFunction(() => document.querySelector('table.rows td')?.textContent === 'Metal');
  await page.reload();
  await page.waitForFunction(() => document.querySelector('table.rows td')?.textContent === 'Metal');
  assert.equal(await page.inputValue('.parameters input[name="genre"]'), '3');
});

test('metadata: titles, descriptions, licence, column notes, canned queries, label columns', async () => {
  const { page, badData } = env;
  const query = `${chinook}&${q([['metadata', `${badData.url}/metadata.json`]])}`;
  await page.goto(env.appUrl(query));
  await page.waitForSelector('header .home-link:text("Music archive")');
  await page.waitForSelector('.about .description:text("A digital media store.")');
  assert.equal(await page.getAttribute('footer a:text("MIT")', 'href'), 'https://opensource.org/licenses/MIT');
  assert.equal(await page.getAttribute('.about a:text("chinook-database")', 'href'), 'https://github.com/lerocha/chinook-database');
  await page.click('.canned-query a:text("Longest tracks")');
  await page.waitForSelector('.parameters input[name="n"]');
  await page.goto(env.appUrl(query, '#/Chinook_Sqlite/Track?_size=1'));
  await page.waitForSelector('.about .description:text("Every song for sale.")');
  await page.waitForSelector('.column-descriptions dd:text("Length in ms")');
  // Employee.ReportsTo points at Employee; metadata makes LastName its label.
  await page.goto(env.appUrl(query, '#/Chinook_Sqlite/Employee?_size=2&_sort=EmployeeId'));
  await page.waitForSelector('table.rows td a:text("Adams")');

  await page.goto(env.appUrl(`${chinook}&${q([['metadata', `${badData.url}/metadata.yaml`]])}`));
  await page.waitForSelector('header .home-link:text("Music archive (YAML)")');
  await page.goto(env.appUrl(`${chinook}&${q([['metadata', `${badData.url}/page.html`]])}`));
  await page.waitForSelector('.metadata-error .error:has-text("metadata")');
});

/** Accepts the completion offered for `label`. CodeMirror ignores Enter
 *  for 75 ms after the list opens (so fast typists don't accept by
 *  accident), hence the pause. */
async function acceptCompletion(page, label) {
  await page.waitForSelector(`.cm-tooltip-autocomplete li[aria-selected="true"]:has-text("${label}")`);
  await page.waitForTimeout(250);
  await page.keyboard.press('Enter');
}

test('the SQL editor highlights SQL and completes table and column names', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?sql=${encodeURIComponent('select 1')}`));
  const editor = page.locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('SELECT Name FROM Trac');
  await acceptCompletion(page, 'Track');
  assert.equal(await editor.textContent(), 'SELECT Name FROM Track');
  // Keywords are styled apart from names.
  const styled = await page.$$eval('.cm-line span', (spans) => spans.map((s) => [s.textContent, getComputedStyle(s).color]));
  const keyword = styled.find(([t]) => t === 'SELECT');
  assert.ok(keyword, JSON.stringify(styled));
  const plain = await page.$eval('.cm-line', (line) => getComputedStyle(line).color);
  assert.notEqual(keyword[1], plain, 'keywords have their own colour');
  await page.keyboard.type(' WHERE Mill');
  await acceptCompletion(page, 'Milliseconds');
  await page.keyboard.type(' > 5200000');
  await page.keyboard.press('Control+Enter');
  await page.waitForURL(/WHERE\+Milliseconds\+%3E/);
  await page.waitForSelector('.row-count:text("1 row")');
  assert.equal((await tableCells(page))[0][0], 'Occupation / Precipice');
});

test('column summaries of a table view and of a query result', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Invoice?BillingCountry=USA'));
  await page.click('button.summarize');
  const total = page.locator('.column-summary[data-column="Total"]');
  await total.waitFor();
  // Over the 91 rows in view, not the 412 in the table.
  assert.equal(await total.locator('.types').textContent(), 'real 91');
  assert.equal(await total.locator('.nulls').textContent(), '0 (0 %)');
  assert.equal(await total.locator('.histogram rect').count(), 20);
  const country = page.locator('.column-summary[data-column="BillingCountry"]');
  assert.equal(await country.locator('.distinct').textContent(), '1');
  assert.equal(await country.locator('.top-values li').first().textContent(), 'USA91');
  await page.click('button.summarize');
  await page.waitForSelector('.summaries', { state: 'detached' });

  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?sql=${encodeURIComponent('select InvoiceDate, Total from Invoice')}`));
  await page.click('button.summarize');
  const date = page.locator('.column-summary[data-column="InvoiceDate"]');
  await date.waitFor();
  assert.deepEqual(await date.locator('.histogram figcaption span').allTextContents(), ['2021-01-01', '2025-12-22']);
  assert.equal(await page.locator('.column-summary').count(), 2);
});
