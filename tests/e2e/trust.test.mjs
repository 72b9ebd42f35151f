// Files from the wild that used to fail, and links that must not change
// data unasked (issue "Trust on real files"). Each test is named after what
// a user saw.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, q, tableCells, headers, SHARED } from './harness.mjs';
import { serve } from '../../tools/serve.mjs';

/** Column names that break SQL pasting, URL parsing and `?` counting. */
const ODD = ['a?b', 'x:y', '$d', '@e', "it's", 'say "hi"', '[br]', 'new\nline', '🦀 crab', 'select', '-- c', 'semi;colon', '_sort', 'a__b', '%20', 'a&b=c#d'];

function makeFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'explorer-trust-'));
  // A real WAL-mode file, as copied from a running app.
  execFileSync('sqlite3', [join(dir, 'wal.db'), "PRAGMA journal_mode=WAL; CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('written in WAL mode'), ('second');"]);
  assert.deepEqual([...readFileSync(join(dir, 'wal.db')).subarray(18, 20)], [2, 2]);
  // The CLI's own dump of a database with an FTS5 table and triggers.
  writeFileSync(join(dir, 'moving.sql'), execFileSync('sqlite3', [join(SHARED, 'sqlite/moving_fts5.db'), '.dump']));
  for (const [sub, hero] of [['a', 'Thor'], ['b', 'Hulk'], ['c', 'Loki']]) {
    mkdirSync(join(dir, sub));
    writeFileSync(join(dir, sub, 'avengers.csv'), `name,power\n${hero},${sub}\n`);
  }
  const quote = (s) => `"${s.replace(/"/g, '""')}"`;
  const rows = [['id', ...ODD].map(quote).join(',')];
  for (let i = 1; i <= 30; i++) {
    rows.push([i, ...ODD.map((_, c) => `v${(i * (c + 1)) % 7} ${i % 2 ? 'odd' : 'even'}`)].map(String).map(quote).join(','));
  }
  writeFileSync(join(dir, 'odd.csv'), rows.join('\n') + '\n');
  writeFileSync(join(dir, 'page.html'), '<!doctype html><html><body>Not the data</body></html>');
  return dir;
}

let env;
let files;
before(async () => {
  env = await start();
  files = await serve({ root: makeFiles(), cors: true });
});
after(async () => {
  await files?.close();
  await env?.close();
});

test('a WAL-mode database is not called damaged, by URL or as a local file', async () => {
  const { page } = env;
  await page.goto(env.appUrl(q([['url', `${files.url}/wal.db`]]), '#/wal/notes'));
  await page.waitForSelector('.total:text("2 rows")');
  assert.deepEqual((await tableCells(page))[0], ['1', 'written in WAL mode']);

  await page.goto(env.appUrl('', '#/'));
  await page.reload();
  await page.waitForSelector('section.home');
  const bytes = await (await fetch(`${files.url}/wal.db`)).arrayBuffer();
  await page.setInputFiles('input[type=file]', { name: 'copied.db', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  await page.waitForSelector('.database-card h2:has-text("copied")');
  assert.equal(await page.locator('.source[data-status="failed"]').count(), 0);
});

test('a sqlite3 .dump with FTS5 tables loads completely and is searchable', async () => {
  const { page } = env;
  await page.goto(env.appUrl(q([['sql', `${files.url}/moving.sql`]]), '#/data/items?_search=shirts'));
  await page.waitForSelector('.total');
  const total = Number((await page.textContent('.total')).replace(/\D/g, ''));
  assert.ok(total > 0, 'the search found rows');
  const cells = await tableCells(page);
  assert.ok(cells.every((row) => row.join(' ').toLowerCase().includes('shirt')), JSON.stringify(cells));
  await page.goto(env.appUrl(q([['sql', `${files.url}/moving.sql`]]), `#/data?sql=${encodeURIComponent("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'")}`));
  await page.waitForSelector('.query-meta');
  assert.deepEqual(await tableCells(page), [['3']]);
});

test('files of the same name get the table names Datasette Lite gives them', async () => {
  const { page } = env;
  const csvs = ['a', 'b', 'c'].map((d) => ['csv', `${files.url}/${d}/avengers.csv`]);
  await page.goto(env.appUrl(q(csvs), '#/data/avengers_1'));
  await page.waitForSelector('table.rows tbody tr');
  assert.deepEqual(await tableCells(page), [['1', 'Hulk', 'b']], 'rowid, then the row');
  await page.goto(env.appUrl(q(csvs), '#/data/avengers_2'));
  await page.waitForSelector('table.rows tbody tr td:text("Loki")');
});

/** The table page's state, once it shows rows or an error. */
async function view(page, hash) {
  await page.goto(env.appUrl(q([['csv', `${files.url}/odd.csv`]]), hash));
  await page.waitForSelector('.total, .error');
  const error = await page.locator('.error').count();
  assert.equal(error, 0, `${hash}: ${error && await page.textContent('.error')}`);
  return { total: await page.textContent('.total'), cells: await tableCells(page), heads: await headers(page) };
}

test('column names with any character work in every table-page feature', async () => {
  const { page } = env;
  const base = '#/data/odd';
  for (const [index, name] of ODD.entries()) {
    const c = encodeURIComponent(name);
    const column = index + 2; // after the rowid and id columns
    // Sort both ways: sorting by a name with `?` once killed the worker.
    const up = await view(page, `${base}?_sort=${c}&_size=7`);
    const down = await view(page, `${base}?_sort_desc=${c}&_size=7`);
    const values = (v) => v.cells.map((r) => r[column]);
    assert.deepEqual(values(up), [...values(up)].sort(), `ascending by ${JSON.stringify(name)}`);
    assert.deepEqual(values(down), [...values(down)].sort().reverse(), `descending by ${JSON.stringify(name)}`);
    // Filter, facet and hide together.
    const shown = await view(page, `${base}?${c}__endswith=even&_facet=${c}&_nocol=${encodeURIComponent(ODD[(index + 1) % ODD.length])}`);
    assert.match(shown.total, /^15 rows/, name);
    assert.ok(!shown.heads.includes(ODD[(index + 1) % ODD.length].replace(/\s+/g, ' ')), `hidden next to ${name}`);
    const facetCounts = await page.$$eval('.facet', (fs, n) => {
      const facet = fs.find((f) => f.dataset.column === n);
      return facet ? [...facet.querySelectorAll('.facet-value .count')].map((e) => Number(e.textContent.replace(/\D/g, ''))) : null;
    }, name);
    assert.ok(facetCounts, `facet for ${JSON.stringify(name)}`);
    assert.equal(facetCounts.reduce((a, b) => a + b, 0), 15, name);
  }
  // Next page and a row page, sorted by the worst name.
  await view(page, `${base}?_sort=${encodeURIComponent('a?b')}&_size=7`);
  const first = await tableCells(page);
  const before = JSON.stringify(await page.$$eval('table.rows tbody tr', (rs) => rs.map((r) => r.textContent)));
  await page.click('a.next-page');
  await page.waitForFunction((b) => JSON.stringify([...document.querySelectorAll('table.rows tbody tr')].map((r) => r.textContent)) !== b, before);
  const second = await tableCells(page);
  assert.equal(second.length, 7);
  assert.ok(second.every((row) => !first.some((f) => f[0] === row[0])), 'the next page has other rows');
  await page.click('table.rows tbody tr:first-child td.row-link a');
  await page.waitForSelector('.row-page');
  assert.ok((await page.textContent('.row-page')).includes('🦀 crab'));
  // Export of all rows keeps every name.
  await view(page, `${base}?${encodeURIComponent('a?b')}__endswith=odd`);
  const downloading = page.waitForEvent('download');
  await page.click('.export button:text("CSV") >> nth=1');
  const csv = readFileSync(await (await downloading).path(), 'utf8');
  assert.ok(csv.startsWith('rowid,id,a?b,x:y,$d,@e,it\'s,"say ""hi""",[br],"new\nline",🦀 crab,select,-- c,semi;colon,_sort,a__b,%20,a&b=c#d'), csv.slice(0, 200));
  assert.equal(csv.trim().split('\n').length, 1 + 1 + 15, 'header (two lines) and 15 rows');
});

test('SQL from a link never changes data until the user asks', async () => {
  const { page } = env;
  await page.goto(env.appUrl('', `#/demo?sql=${encodeURIComponent('DROP TABLE Album')}`));
  await page.waitForSelector('.confirm-write');
  assert.match(await page.textContent('.confirm-write'), /would change the database/);
  await page.goto(env.appUrl('', '#/demo'));
  await page.waitForSelector('.table-item:has-text("Album")');
  // The user's own click runs it.
  await page.goto(env.appUrl('', `#/demo?sql=${encodeURIComponent('DELETE FROM Album WHERE AlbumId = 1')}`));
  await page.click('.confirm-write button.run-anyway');
  await page.waitForSelector('.row-count:text("1 row changed")');
  // Typed and run by the user: writes as before, no question asked.
  await page.goto(env.appUrl('', '#/demo?sql=select+1'));
  await page.waitForSelector('.query-meta');
  await page.waitForSelector('.cm-content');
  await page.fill('.cm-content', 'DELETE FROM Album WHERE AlbumId = 2');
  await page.click('.sql-form button[type=submit]');
  await page.waitForSelector('.row-count:text("1 row changed")');
  // ATTACH stays refused, even on the user's click.
  await page.fill('.cm-content', "ATTACH ':memory:' AS other");
  await page.click('.sql-form button[type=submit]');
  await page.waitForSelector('.query-page .error:has-text("ATTACH and DETACH are not available")');
});

test('an SQLite file given as ?csv= opens as a database; HTML as ?csv= says it is HTML', async () => {
  const { page } = env;
  await page.goto(env.appUrl(q([['csv', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`], ['csv', `${files.url}/page.html`]])));
  await page.waitForSelector('.source[data-status="failed"]');
  await page.waitForSelector('.database-card h2:has-text("Chinook_Sqlite")');
  assert.match(await page.textContent('.source[data-status="failed"] .error'), /an HTML page came back instead of CSV/);
});

test('the home page URL box tells the kind of file from its content', async () => {
  const { page } = env;
  await page.goto(env.appUrl('', '#/'));
  await page.reload();
  await page.waitForSelector('section.home');
  assert.equal(await page.inputValue('.open-url select'), 'load');
  await page.fill('.open-url input', `${files.url}/a/avengers.csv`);
  await page.click('.open-url button');
  await page.waitForSelector('.database-card h2:has-text("data")');
  await page.fill('.open-url input', `${files.url}/wal.db`);
  await page.click('.open-url button');
  await page.waitForSelector('.database-card h2:has-text("wal")');
  assert.match(page.url(), /[?&]load=/, 'kept in the page URL, so a reload brings it back');
});

test('a link that loads two CSVs and joins them shows the result every time (20 runs)', async () => {
  const { page } = env;
  const csvs = q([['csv', `${env.badData.url}/authors.csv`], ['csv', `${env.badData.url}/books.tsv`]]);
  const sql = 'SELECT a.name, count(*) AS n FROM authors a JOIN books b ON b.author_id = a.id GROUP BY a.name ORDER BY n DESC, a.name';
  for (let run = 0; run < 20; run++) {
    await page.goto('about:blank');
    await page.goto(env.appUrl(csvs, `#/data?sql=${encodeURIComponent(sql)}`));
    await page.waitForSelector('.query-page .query-meta, .query-page .error, .query-page .confirm-write', { timeout: 20000 });
    assert.deepEqual(await tableCells(page), [['Ursula K. Le Guin', '2'], ['Italo Calvino', '1'], ['Octavia E. Butler', '1']], `run ${run + 1}`);
  }
});
