// Shared set-up for the browser tests: Debian's Chromium driven by
// playwright-core, the built app (dist/) on one loopback origin, and test
// data on two more: one that sends CORS headers and one that does not.
import { chromium } from 'playwright-core';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../tools/serve.mjs';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = join(REPO, '../shared/data');
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Files the failure tests need that shared/data does not have. */
function makeBadFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'explorer-e2e-'));
  const chinook = readFileSync(join(SHARED, 'sqlite/Chinook_Sqlite.sqlite'));
  const damaged = Buffer.from(chinook);
  let x = 12345;
  for (let i = 4096 * 3; i < 4096 * 60; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    damaged[i] = x >>> 16;
  }
  writeFileSync(join(dir, 'damaged.db'), damaged);
  writeFileSync(join(dir, 'page.html'), '<!doctype html><html><head><title>A page</title></head><body>Hi</body></html>');
  // Small files for the import tests.
  writeFileSync(join(dir, 'authors.csv'), 'id,name,born\n1,Ursula K. Le Guin,1929\n2,Italo Calvino,1923\n3,Octavia E. Butler,1947\n');
  writeFileSync(join(dir, 'books.tsv'), 'author_id\ttitle\tyear\n1\tThe Dispossessed\t1974\n2\tInvisible Cities\t1972\n1\tThe Lathe of Heaven\t1971\n3\tKindred\t1979\n');
  // Encodings other than UTF-8, which the worker decodes with the
  // browser's TextDecoder: UTF-16LE with its BOM, and Shift_JIS (名前,n /
  // 東京,1 / 大阪,2), which only an &encoding= override names.
  writeFileSync(join(dir, 'utf16.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('city,note\nZürich,naïve ✓\n東京,🦀\n', 'utf16le')]));
  writeFileSync(join(dir, 'sjis.csv'), Buffer.from([0x96, 0xbc, 0x91, 0x4f, 0x2c, 0x6e, 0x0a, 0x93, 0x8c, 0x8b, 0x9e, 0x2c, 0x31, 0x0a, 0x91, 0xe5, 0x8d, 0xe3, 0x2c, 0x32, 0x0a]));
  writeFileSync(join(dir, 'list.json'), JSON.stringify([{ id: 1, tags: ['a', 'b'], score: 1.5 }, { id: 2, tags: [], score: 2 }]));
  writeFileSync(join(dir, 'lines.ndjson'), '{"event": "open", "n": 1}\n{"event": "close", "n": 2, "extra": {"by": "x"}}\n');
  writeFileSync(join(dir, 'cells.csv'), [
    'id,markup,link,sneaky,doc,note',
    '1,<script>window.pwned=1</script>,https://example.com/page,javascript:window.pwned=2,"{""a"": [1, 2]}",',
    `2,<img src=x onerror="window.pwned=3">,http://example.org,JAVASCRIPT:alert(1),[],${'long '.repeat(80)}`,
  ].join('\n') + '\n');
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify({
    title: 'Music archive',
    license: 'MIT', license_url: 'https://opensource.org/licenses/MIT',
    databases: { Chinook_Sqlite: {
      description: 'A digital media store.',
      source: 'chinook-database', source_url: 'https://github.com/lerocha/chinook-database',
      tables: { Track: { description: 'Every song for sale.', columns: { Milliseconds: 'Length in ms' } },
                Employee: { label_column: 'LastName' },
                // Datasette's table defaults, for the table page's URL to override.
                Invoice: { sort_desc: 'Total', size: 5, facets: ['BillingCountry'] } },
      queries: { longest: { sql: 'SELECT Name, Milliseconds FROM Track ORDER BY Milliseconds DESC LIMIT :n', title: 'Longest tracks' } },
    } },
  }));
  // Parquet files written by pyarrow (tests/fixtures/parquet), two damaged
  // (one the reader traps on), a CSV named as one, and one cut short.
  const parquetDir = join(REPO, 'tests/fixtures/parquet');
  for (const codec of ['zstd', 'snappy', 'brotli']) copyFileSync(join(parquetDir, `types-${codec}.parquet`), join(dir, `types-${codec}.parquet`));
  writeFileSync(join(dir, 'csv-named.parquet'), 'id,name\n1,Ada\n');
  for (const name of ['damaged-footer', 'reader-panics']) copyFileSync(join(parquetDir, `${name}.parquet`), join(dir, `${name}.parquet`));
  const whole = readFileSync(join(parquetDir, 'types-gzip.parquet'));
  writeFileSync(join(dir, 'truncated.parquet'), whole.subarray(0, whole.length - 100));
  // Two versions of one table, for the compare view.
  writeFileSync(join(dir, 'pets-2024.csv'), 'id,name,age,zip\n1,Cleo,4,01234\n2,Pancakes,2,\n3,Bailey,1,\n4,Gone,9,55555\n');
  writeFileSync(join(dir, 'pets-2025.csv'), 'id,name,age,email\n1,Cleo,5,c@x\n2,Pancakes,2,\n3,Bailey,1,b@x\n5,New,3,\n');
  writeFileSync(join(dir, 'metadata.yaml'), 'title: Music archive (YAML)\ndatabases:\n  Chinook_Sqlite:\n    description: From YAML.\n');
  writeFileSync(join(dir, 'broken.sql'), 'CREATE TABLE t(a);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2;\nINSERT INTO t VALUES (3);\n');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  return dir;
}

export async function start({ appPrefix = '/' } = {}) {
  const bad = makeBadFiles();
  const app = await serve({ root: join(REPO, 'dist'), prefix: appPrefix });
  const data = await serve({ root: SHARED, cors: true });
  const badData = await serve({ root: bad, cors: true });
  const noCors = await serve({ root: SHARED, cors: false });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  const errors = [];
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    app, data, badData, noCors, browser, context, page, errors,
    /** The app URL with `?query` and `#hash`. */
    appUrl: (query = '', hash = '') => `${app.url}${appPrefix}${query ? '?' + query : ''}${hash}`,
    async close() {
      await browser.close();
      await Promise.all([app.close(), data.close(), badData.close(), noCors.close()]);
    },
  };
}

export const q = (pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');

/** The text of every cell in the results table, row by row. */
/** The text of every cell in the results table, row by row (without the
 *  row-page link column). */
export async function tableCells(page) {
  return page.$$eval('table.rows tbody tr', (rows) => rows.map((r) => [...r.cells].filter((c) => !c.classList.contains('row-link')).map((c) => c.textContent)));
}

export async function headers(page) {
  return page.$$eval('table.rows thead th:not(.row-link)', (ths) => ths.map((t) => (t.querySelector('a.sort') ?? t).textContent.replace(/[▲▼]/g, '').trim()));
}

/** Runs `sql` on the query page of database `db` (page URL query `query`)
 *  and returns the result cells. Goes by the home page first, so that the
 *  previous result can never be mistaken for this one. */
export async function runSql(env, page, query, db, sql) {
  await page.goto(env.appUrl(query, '#/'));
  await page.waitForSelector('section.home');
  await page.goto(env.appUrl(query, `#/${db}?sql=${encodeURIComponent(sql)}`));
  try {
    await page.waitForSelector('.query-page .query-meta, .query-page .error');
  } catch (error) {
    // A rare stall here (seen on a first visit) has no known cause yet:
    // say what the page showed.
    const shown = await page.evaluate(() => document.querySelector('main')?.innerText.slice(0, 600)).catch(() => '(no answer)');
    throw new Error(`${error.message}\nThe page showed: ${JSON.stringify(shown)}`);
  }
  return tableCells(page);
}
