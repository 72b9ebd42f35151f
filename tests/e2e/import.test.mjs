// ?csv=, ?sql=, ?json= and local files become tables in the `data` database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, q, tableCells, headers, runSql, SHARED } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });


test('two ?csv= files (comma and tab) become tables that join', async () => {
  const { page, badData } = env;
  // Parsed in a second worker (`_threads=2`), one file after the other.
  const query = q([['csv', `${badData.url}/authors.csv`], ['csv', `${badData.url}/books.tsv`], ['_threads', '2']]);
  const workers = [];
  const count = (worker) => workers.push(worker.url());
  page.on('worker', count);
  await page.goto(env.appUrl(query));
  // Everything went into one database: its page is shown.
  await page.waitForURL(/#\/data$/);
  await page.waitForSelector('.table-item:has-text("authors") .count:text("3 rows")');
  await page.waitForSelector('.table-item:has-text("books") .count:text("4 rows")');
  const rows = await runSql(env, page, query, 'data',
    'SELECT name, count(*) AS books, min(year) AS first, typeof(born) FROM authors JOIN books ON books.author_id = authors.id GROUP BY name ORDER BY name');
  assert.deepEqual(rows, [
    ['Italo Calvino', '1', '1972', 'integer'],
    ['Octavia E. Butler', '1', '1979', 'integer'],
    ['Ursula K. Le Guin', '2', '1971', 'integer'],
  ]);
  page.off('worker', count);
  assert.equal(workers.filter((url) => /worker-loader/.test(url)).length, 2, 'the data worker and one parser for both files');
});

test('one ?csv= opens its table; a Windows-1252 file reads correctly', async () => {
  const { page, data } = env;
  // In one worker (`_threads=1`), as without nested workers.
  const workers = [];
  const count = (worker) => workers.push(worker.url());
  page.on('worker', count);
  await page.goto(env.appUrl(q([['csv', `${data.url}/csv/potential-candidates-events_cp1252.csv`], ['_threads', '1']])));
  await page.waitForURL(/#\/data\/potential-candidates-events_cp1252$/);
  page.off('worker', count);
  assert.equal(workers.length, 1, 'no parser thread');
  await page.waitForSelector('.total:text("74 rows")');
  assert.deepEqual((await headers(page)).slice(0, 4), ['rowid', 'Person', 'Party', 'State']);
  const text = (await tableCells(page)).flat().join(' ');
  assert.ok(/[’“”]/.test(text), 'curly quotes decoded from Windows-1252');
  assert.ok(!text.includes('\uFFFD'), 'no replacement characters');
});

test('UTF-16 and Shift_JIS files decode to the same text as in their editors', async () => {
  const { page, badData } = env;
  // Decoded by the parser thread, given the encoding it was asked for.
  await page.goto(env.appUrl(q([['csv', `${badData.url}/utf16.csv`], ['_threads', '2']])));
  await page.waitForURL(/#\/data\/utf16$/);
  await page.waitForSelector('.total:text("2 rows")');
  assert.deepEqual((await headers(page)).slice(1), ['city', 'note']);
  assert.deepEqual((await tableCells(page)).map((r) => r.slice(1)), [['Zürich', 'naïve ✓'], ['東京', '🦀']]);

  await page.goto(env.appUrl(q([['csv', `${badData.url}/sjis.csv`], ['encoding', 'shift_jis'], ['_threads', '2']])));
  await page.waitForURL(/#\/data\/sjis$/);
  await page.waitForSelector('.total:text("2 rows")');
  assert.deepEqual((await headers(page)).slice(1), ['名前', 'n']);
  assert.deepEqual((await tableCells(page)).map((r) => r.slice(1)), [['東京', '1'], ['大阪', '2']]);
});

test('?sql= loads the Chinook dump', async () => {
  const { page, data } = env;
  const query = q([['sql', `${data.url}/sql/Chinook_Sqlite.sql`]]);
  await page.goto(env.appUrl(query));
  await page.waitForURL(/#\/data$/);
  await page.waitForSelector('.table-item:has-text("Track") .count:text("3,503 rows")');
  assert.equal(await page.locator('.tables:not(.hidden-tables) .table-item').count(), 11);
});

test('a broken dump names the failing statement and keeps what loaded', async () => {
  const { page, badData } = env;
  const url = `${badData.url}/broken.sql`;
  const query = q([['sql', url]]);
  await page.goto(env.appUrl(query));
  const failure = page.locator('.source[data-status="failed"] .error');
  await failure.waitFor();
  const message = await failure.textContent();
  assert.equal(await failure.locator('.position').textContent(), 'At statement 3, line 3 (byte 45)');
  assert.match(message, /near ";": syntax error/);
  assert.ok(message.includes('INSERT INTO t VALUES (2;'), message);
  assert.ok(message.includes(url), message);
  await page.click('.database-card a:text("data")');
  await page.waitForSelector('.table-item:has-text("t") .count:text("1 row")');
});

test('?json= takes a list of objects and newline-delimited JSON', async () => {
  const { page, badData } = env;
  const query = q([['json', `${badData.url}/list.json`], ['json', `${badData.url}/lines.ndjson`]]);
  await page.goto(env.appUrl(query));
  await page.waitForURL(/#\/data$/);
  const list = await runSql(env, page, query, 'data', "SELECT id, json_array_length(tags), typeof(score) FROM list ORDER BY id");
  assert.deepEqual(list, [['1', '2', 'real'], ['2', '0', 'real']]);
  const lines = await runSql(env, page, query, 'data', "SELECT event, n, extra ->> '$.by' FROM lines ORDER BY n");
  assert.deepEqual(lines, [['open', '1', 'NULL'], ['close', '2', 'x']]);
});

test('a file dropped on the page is imported', async () => {
  const { page } = env;
  // Its chunks are handed to the parser thread, not copied.
  await page.goto(env.appUrl('_threads=2'));
  await page.waitForSelector('.database-card h2:has-text("demo")');
  const csv = readFileSync(join(SHARED, 'csv/single-quotes_semicolon.csv')).toString('base64');
  const dataTransfer = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'communes.csv', { type: 'text/csv' }));
    return transfer;
  }, csv);
  await page.dispatchEvent('main', 'dragover', { dataTransfer });
  await page.waitForSelector('.drop-hint');
  await page.dispatchEvent('main', 'drop', { dataTransfer });
  await page.waitForSelector('.database-card h2:has-text("data")');
  await page.click('.database-card a:text("data")');
  await page.click('.tables a:text-is("communes")');
  await page.waitForSelector('.total:text("4,999 rows")');
  const first = (await tableCells(page))[0];
  assert.deepEqual(first.slice(1, 4), ['01001', "L' Abergement-Clémenciat", '776']);
  assert.equal(await page.$('.drop-hint'), null);
});

test('a local SQL file and JSON file from the picker', async () => {
  const { page } = env;
  await page.goto(env.appUrl());
  await page.waitForSelector('.database-card h2:has-text("demo")');
  await page.setInputFiles('input[type=file]', [
    { name: 'sqlite-sakila-schema.sql', mimeType: 'application/sql', buffer: readFileSync(join(SHARED, 'sql/sqlite-sakila-schema.sql')) },
    { name: 'people.json', mimeType: 'application/json', buffer: Buffer.from('{"a": {"age": 3}, "b": {"age": 5}}') },
  ]);
  await page.waitForSelector('.database-card:has-text("data") >> text=17 tables');
  await page.click('.database-card a:text("data")');
  await page.click('.tables a:text-is("people")');
  await page.waitForSelector('.total:text("2 rows")');
  assert.deepEqual(await headers(page), ['_key', 'age']);
});

test('an import shows rows as they arrive and can be cancelled, leaving nothing behind', async () => {
  const { page } = env;
  const { serve } = await import('../../tools/serve.mjs');
  // A CSV that sends 2,000 rows and then stalls.
  const rows = ['id,name', ...Array.from({ length: 2000 }, (_, i) => `${i},name ${i}`)].join('\n') + '\n';
  const slow = await serve({
    root: SHARED,
    routes: { '/stalled.csv': (req, res) => { res.setHeader('Access-Control-Allow-Origin', '*'); res.write(rows.repeat(40)); } },
  });
  try {
    // With the parser thread, rows parsed so far still show while the
    // download stalls.
    await page.goto(env.appUrl(q([['csv', `${slow.url}/stalled.csv`], ['_threads', '2']])));
    const source = page.locator('.source[data-status="downloading"]');
    await source.locator('.amount:has-text("rows imported")').waitFor();
    await source.locator('button:text("Cancel")').click();
    await page.waitForSelector('.source[data-status="cancelled"]');
    await page.goto(env.appUrl(q([['csv', `${slow.url}/stalled.csv`]]), '#/'));
    assert.equal(await page.locator('.database-card:has-text("data")').count(), 0, 'no half-imported table');
  } finally {
    await slow.close();
  }
});
