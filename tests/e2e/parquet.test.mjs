// Parquet: ?parquet= URLs (in URL order with the other formats) and local
// files become tables of the `data` database, typed as SQLite holds them;
// a CSV named .parquet and a file cut short say so, and the tab goes on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, q, runSql, REPO } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

test('?parquet= files open as tables, in URL order with the CSVs', async () => {
  const { page } = env;
  const link = q([['csv', `${env.badData.url}/authors.csv`], ['parquet', `${env.badData.url}/types-zstd.parquet`], ['parquet', `${env.badData.url}/types-snappy.parquet`]]);
  await page.goto(env.appUrl(link, '#/data'));
  await page.waitForSelector('.table-item > a:text-is("types-snappy")');
  const tables = await page.locator('.table-item > a').allTextContents();
  assert.deepEqual(tables.filter((t) => ['authors', 'types-zstd', 'types-snappy'].includes(t)).sort(), ['authors', 'types-snappy', 'types-zstd']);
  const rows = await runSql(env, page, link, 'data',
    "select id, name, typeof(score), flag, day, at, price, exact, json_extract(tags, '$[1]'), json_extract(point, '$.y') from \"types-zstd\" where id in (1, 2) order by id");
  assert.deepEqual(rows, [
    ['1', 'Ada', 'real', '1', '2024-02-29', '2024-02-29 13:45:30.123', '19.99', '12345678901234567890.1234', 'b', '2'],
    ['2', 'Grace, "Amazing"', 'real', '0', '1969-12-31', 'NULL', '-0.05', 'NULL', 'NULL', 'NULL'],
  ]);
  assert.deepEqual(env.errors, []);
});

test('a local Parquet file opens; a CSV named .parquet and a cut file say what they are', async () => {
  const { page } = env;
  await page.goto(env.appUrl());
  await page.setInputFiles('input[type=file]', { name: 'pets.parquet', mimeType: 'application/octet-stream',
    buffer: readFileSync(join(REPO, 'tests/fixtures/parquet/types-brotli.parquet')) });
  await page.waitForSelector('.database-card a:text("data")');
  await page.evaluate(() => { location.hash = '#/data/pets'; });
  await page.waitForSelector('table.rows tbody tr');
  assert.equal(await page.locator('table.rows tbody tr').count(), 5);

  // A file the reader itself fails on (it traps: panics abort in wasm)
  // comes first: the ones after it are read by a fresh reader.
  const broken = [['parquet', `${env.badData.url}/reader-panics.parquet`], ['parquet', `${env.badData.url}/damaged-footer.parquet`],
    ['parquet', `${env.badData.url}/csv-named.parquet`],
    ['parquet', `${env.badData.url}/truncated.parquet`], ['parquet', `${env.badData.url}/types-zstd.parquet`], ['csv', `${env.badData.url}/authors.csv`]];
  await page.goto(env.appUrl(q(broken)));
  const failures = page.locator('.source[data-status="failed"]');
  for (const expected of [/reader-panics\.parquet: The Parquet reader failed on this file/,
    /damaged-footer\.parquet: This Parquet file could not be read: row group 3 says its columns lie outside the file\./,
    /csv-named\.parquet: This is not a Parquet file: it looks like text, CSV perhaps\./,
    /truncated\.parquet: This Parquet file is cut short/]) {
    await page.waitForFunction((source) => [...document.querySelectorAll('.source[data-status="failed"]')].some((s) => new RegExp(source).test(s.textContent)),
      expected.source);
  }
  const texts = await failures.allTextContents();
  assert.ok(texts.every((t) => /(reader-panics|damaged-footer|csv-named|truncated)\.parquet/.test(t)), texts.join('\n'));
  assert.match((await failures.allTextContents()).join('\n'), /Could not read the file/);
  assert.equal(await page.locator('.worker-notice').count(), 0, 'the worker was not restarted');
  // The files after them still loaded.
  await page.waitForSelector('.database-card a:text("data")');
  await page.evaluate(() => { location.hash = '#/data/types-zstd'; });
  await page.waitForSelector('table.rows tbody tr');
  assert.deepEqual(env.errors, []);
});
