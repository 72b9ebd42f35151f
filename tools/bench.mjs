// Prints the app's size and speed figures. Figures, not tests: nothing here
// passes or fails. Run with `make bench` (builds dist/, installs bench/).
//
//   node tools/bench.mjs [--runs 3] [--only size,load,csv,imports,parquet]
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { importWithApp } from './app-import.mjs';
import { bigDatabase, BIG_DB_DIR } from './make-big-db.mjs';
import { CHROMIUM_ARGS, SHARED } from '../tests/e2e/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg('runs', 3));
const ONLY = arg('only', 'size,load,offline,csv,imports,parquet,clicks,explore,charts,compare,lazy').split(',');
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// --- Chromium, one fresh browser per measurement so memory figures are its own.
let launches = 0;
async function launch() {
  const marker = `--explorer-bench=${process.pid}-${launches++}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, marker] });
  return { browser, marker };
}

/** PIDs of the renderer processes under the browser started with `marker`. */
function renderers(marker) {
  const procs = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      procs.set(Number(pid), { cmd, ppid });
    } catch { /* gone */ }
  }
  const underMarker = (pid) => {
    for (let p = pid, depth = 0; p > 1 && depth < 10; p = procs.get(p)?.ppid ?? 0, depth++) {
      if (procs.get(p)?.cmd.includes(marker)) return true;
    }
    return false;
  };
  return [...procs].filter(([pid, p]) => p.cmd.includes('--type=renderer') && underMarker(pid)).map(([pid]) => pid);
}

const statusKb = (pid, field) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+)`))[1]) * 1024;

/** Resets the renderers' peak RSS and returns their current RSS. */
function memoryBaseline(marker) {
  const pids = renderers(marker);
  for (const pid of pids) writeFileSync(`/proc/${pid}/clear_refs`, '5');
  return { pids, rss: Object.fromEntries(pids.map((p) => [p, statusKb(p, 'VmRSS')])) };
}

/** The largest rise of any renderer's peak RSS over its baseline. */
function memoryPeak({ pids, rss }) {
  return Math.max(...pids.map((p) => statusKb(p, 'VmHWM') - rss[p]));
}

// --- Size: what a first visit downloads, by part.
function sizes() {
  const files = readdirSync('dist');
  const groups = {
    'UI wasm': files.filter((f) => /^app-.*_bg\.wasm$/.test(f)),
    'worker wasm': files.filter((f) => /^worker-.*_bg\.wasm$/.test(f)),
    // Not fetched by a first visit: the editor and the YAML reader (on
    // demand), data-cache.js (bundled into the worker loader; the file is
    // for the service worker's precache), the service worker's own script.
    'JS + HTML': files.filter((f) => /\.(js|html)$/.test(f) && !/^(editor|metadata-yaml|chart-svg|parquet-json|data-cache)-/.test(f) && f !== 'service-worker.js' && f !== 'embed-example.html'),
    CSS: files.filter((f) => f.endsWith('.css')),
  };
  console.log('Transfer size of the app (dist/, without the demo database)');
  console.log('part           raw        gzip       brotli');
  let total = [0, 0, 0];
  for (const [part, names] of Object.entries(groups)) {
    const bytes = Buffer.concat(names.map((n) => readFileSync(join('dist', n))));
    const s = [bytes.length, gzipSync(bytes, { level: 9 }).length, brotliCompressSync(bytes).length];
    total = total.map((t, i) => t + s[i]);
    console.log(`${part.padEnd(14)} ${s.map((x) => kb(x).padEnd(10)).join(' ')}`);
  }
  console.log(`${'total'.padEnd(14)} ${total.map((x) => kb(x).padEnd(10)).join(' ')}  (a cold first visit)`);
  for (const [part, names, when] of [
    ['SQL editor', files.filter((f) => /^editor-/.test(f)), 'when the query page first opens'],
    ['YAML reader', files.filter((f) => /^metadata-yaml-/.test(f)), 'when a ?metadata= file is YAML'],
    ['Chart renderer', files.filter((f) => /^chart-svg-/.test(f)), 'the first time a chart is shown'],
    ['Parquet reader', files.filter((f) => /^parquet-json-/.test(f)), 'the first time a Parquet file is opened'],
    ['demo.db', ['demo.db'], 'when no data is named'],
    ['service worker', ['service-worker.js'], 'after load, then it precaches the rest'],
  ]) {
    const bytes = Buffer.concat(names.map((n) => readFileSync(join('dist', n))));
    console.log(`${part.padEnd(14)} ${[bytes.length, gzipSync(bytes, { level: 9 }).length, brotliCompressSync(bytes).length].map((x) => kb(x).padEnd(10)).join(' ')}  (${when})`);
  }
}

// --- Reopening a dataset offline, from the service worker's caches.
async function offlineReopen(app, data) {
  const { browser } = await launch();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const url = `${app.url}/?url=${encodeURIComponent(`${data.url}/sqlite/Chinook_Sqlite.sqlite`)}`;
    await page.goto(url);
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 20000 });
    await page.reload();
    await page.waitForSelector('.tables .table-item');
    await context.setOffline(true);
    const times = [];
    for (let i = 0; i < Math.max(RUNS, 5); i++) {
      await page.goto(url);
      await page.waitForSelector('.tables .table-item');
      times.push(await page.evaluate(() => performance.now()));
    }
    console.log(`\nReopening Chinook (984 KB) by ?url= offline, from the service worker's caches: median ${median(times).toFixed(0)} ms from navigation to the table list (${times.length} runs)`);
  } finally {
    await browser.close();
  }
}

// --- Navigation to the first rendered table list, Chinook via ?url=.
async function loadTime(app, data) {
  const pages = await serve({ root: 'bench', cors: true });
  const chinook = `${data.url}/sqlite/Chinook_Sqlite.sqlite`;
  const times = { app: [], sqljs: [] };
  const { browser } = await launch();
  try {
    for (let i = 0; i < Math.max(RUNS, 5); i++) {
      for (const [who, url] of [['app', `${app.url}/?url=${encodeURIComponent(chinook)}`], ['sqljs', `${pages.url}/pages/sqljs-ready.html?url=${encodeURIComponent(chinook)}`]]) {
        const context = await browser.newContext(); // nothing cached
        const page = await context.newPage();
        await page.addInitScript(() => {
          new MutationObserver((_, observer) => {
            if (document.querySelector('.tables .table-item')) {
              window.__firstTableList = performance.now();
              observer.disconnect();
            }
          }).observe(document, { childList: true, subtree: true });
        });
        await page.goto(url);
        await page.waitForFunction(() => window.__firstTableList !== undefined, null, { timeout: 30000 });
        times[who].push(await page.evaluate(() => window.__firstTableList));
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await pages.close();
  }
  console.log(`\nNavigation to the first table list, Chinook (984 KB) by ?url= on loopback, cold cache, ${times.app.length} runs`);
  const line = (name, t) => console.log(`${name.padEnd(22)} median ${median(t).toFixed(0)} ms (min ${Math.min(...t).toFixed(0)}, max ${Math.max(...t).toFixed(0)})`);
  line('this app', times.app);
  line('a bare sql.js page', times.sqljs);
  console.log(`this app / sql.js: ${(median(times.app) / median(times.sqljs)).toFixed(2)}x (goal <= 1.3x)`);
}

// --- CSV import: the 36 MB ATP file into a queryable table, same browser build.
const CSV = 'csv/atp_matches_1968-2024_concat.csv';

/** A baseline page in bench/pages exposing `runImport(url)` (or another
 *  function, `run`). */
async function importWithBaseline(page, pages, name, csvUrl, run = 'runImport') {
  await page.goto(`${pages.url}/pages/${name}.html`);
  await page.waitForFunction(() => typeof window.runImport === 'function');
  if (name === 'duckdb') await page.evaluate(() => window.engineReady);
  else await page.evaluate(() => new Promise((r) => setTimeout(r, 300))); // sql.js instantiation
  return async () => {
    const result = await page.evaluate(([u, f]) => window[f](u), [csvUrl, run]);
    return { ms: result.ms, note: `${result.rows} rows` };
  };
}

async function csvImport(app, data) {
  const pages = await serve({ root: 'bench' });
  const csvUrl = `${data.url}/${CSV}`;
  const size = statSync(join(SHARED, CSV)).size;
  const mb = size / 1e6;
  const contenders = [
    ['this app (Rust csv-core + SQLite, worker)', (page) => importWithApp(page, app, csvUrl)],
    // The parser thread, used by default only with more than two cores.
    ['this app, two threads (?_threads=2)', (page) => importWithApp(page, app, csvUrl, 'csv', '?_threads=2')],
    ['PapaParse + sql.js', (page) => importWithBaseline(page, pages, 'papaparse-sqljs', csvUrl)],
    ['DuckDB-Wasm read_csv', (page) => importWithBaseline(page, pages, 'duckdb', csvUrl)],
  ];
  const results = [];
  const which = arg('contenders', 'all');
  try {
    for (const [name, prepare] of contenders.filter((_, i) => which === 'all' || which.split(',').includes(String(i)))) {
      results.push({ name, ...(await timeInBrowser(prepare)) });
    }
  } finally {
    await pages.close();
  }
  let native = null;
  try {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const started = process.hrtime.bigint();
      execFileSync('sqlite3', [':memory:', '-cmd', `.import --csv ${join(SHARED, CSV)} t`, 'SELECT count(*) FROM t'], { stdio: 'pipe' });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    native = median(times);
  } catch (e) {
    console.log(`(native sqlite3 not measured: ${e.message.split('\n')[0]})`);
  }

  console.log(`\nCSV import: ${CSV} (${mb.toFixed(1)} MB, 194,996 rows) from loopback, median of ${RUNS} runs`);
  console.log('contender                                   time      MB/s     peak RSS rise  (x file)');
  for (const r of results) {
    const rate = mb / (r.ms / 1000);
    console.log(`${r.name.padEnd(43)} ${`${r.ms.toFixed(0)} ms`.padEnd(9)} ${rate.toFixed(1).padEnd(8)} ${`${(r.peak / 1e6).toFixed(0)} MB`.padEnd(14)} ${(r.peak / size).toFixed(2)}`);
  }
  if (native !== null) {
    console.log(`${'native sqlite3 .import (CLI, reference)'.padEnd(43)} ${`${native.toFixed(0)} ms`.padEnd(9)} ${(mb / (native / 1000)).toFixed(1)}`);
  }
  const [ours, , papa, duck] = results;
  if (!papa || !duck) return;
  console.log(`this app vs PapaParse + sql.js: ${(papa.ms / ours.ms).toFixed(2)}x the rate (target >= 2x)`);
  console.log(`this app vs DuckDB-Wasm:        ${(duck.ms / ours.ms).toFixed(2)}x the rate (target > 1x)`);
  console.log(`this app peak memory:           ${(ours.peak / size).toFixed(2)}x the file (target < 3x)`);
}

// --- The other import paths, each on a ~40 MB file made here (once, in
// BIG_DB_DIR): a CSV whose text fields carry commas, quotes and line
// breaks (every record goes through csv-core, not the plain-line path), the
// ATP table as a `sqlite3 .dump`, and rows as a JSON array and as NDJSON.
// Against DuckDB-Wasm read_csv and native sqlite3 where they read the
// same file, in the same run.
function quotedCsv() {
  const path = join(BIG_DB_DIR, 'bench-quoted-v1.csv');
  if (existsSync(path)) return path;
  mkdirSync(BIG_DB_DIR, { recursive: true });
  const words = ['alpha', 'beta', 'gamma, delta', 'say "hi"', 'two\nlines', 'ünï, cödé', 'x'];
  const lines = ['id,name,notes,score,city,comment'];
  let size = 0;
  for (let i = 0; size < 40e6; i++) {
    const pick = (k) => words[(i * 7 + k * 13) % words.length];
    const quote = (text) => `"${text.replaceAll('"', '""')}"`;
    const line = [i, quote(`${pick(1)} ${i}`), quote(`${pick(2)}, ${pick(3)}`), (i % 1000) / 8, quote(pick(4)), quote(`${pick(5)}; ${pick(6)}`)].join(',');
    lines.push(line);
    size += line.length + 1;
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function atpDump() {
  const path = join(BIG_DB_DIR, 'bench-atp-dump-v1.sql');
  if (existsSync(path)) return path;
  mkdirSync(BIG_DB_DIR, { recursive: true });
  execFileSync('sqlite3', [':memory:', '-cmd', `.import --csv ${join(SHARED, CSV)} atp`, '-cmd', `.output ${path}`, '.dump']);
  return path;
}

function jsonRows(kind) {
  const path = join(BIG_DB_DIR, `bench-rows-v1.${kind}`);
  if (existsSync(path)) return path;
  mkdirSync(BIG_DB_DIR, { recursive: true });
  const items = [];
  let size = 0;
  for (let i = 0; size < 40e6; i++) {
    const item = JSON.stringify({ id: i, name: `name ${i}`, score: (i % 1000) / 8, flag: i % 3 === 0, tags: ['a', `t${i % 17}`], city: i % 5 ? 'Paris' : null });
    items.push(item);
    size += item.length + 1;
  }
  writeFileSync(path, kind === 'json' ? `[${items.join(',\n')}]\n` : `${items.join('\n')}\n`);
  return path;
}

/** Median time and peak renderer RSS of `prepare` over RUNS fresh browsers. */
async function timeInBrowser(prepare) {
  const times = [];
  const peaks = [];
  for (let i = 0; i < RUNS; i++) {
    const { browser, marker } = await launch();
    try {
      const page = await browser.newPage();
      const run = await prepare(page);
      const baseline = memoryBaseline(marker);
      times.push((await run()).ms);
      peaks.push(memoryPeak(baseline));
    } finally {
      await browser.close();
    }
  }
  return { ms: median(times), peak: Math.max(...peaks) };
}

/** Median wall time of a native command over RUNS runs. */
function timeNative(command, args, input) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    execFileSync(command, args, { stdio: ['pipe', 'ignore', 'ignore'], input: input ? readFileSync(input) : '' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

async function otherImports(app) {
  let files;
  try {
    files = { quoted: quotedCsv(), dump: atpDump(), json: jsonRows('json'), ndjson: jsonRows('ndjson') };
  } catch (e) {
    console.log(`\nOther imports not measured: making the files failed: ${e.message.split('\n')[0]}`);
    return;
  }
  const served = await serve({ root: BIG_DB_DIR, cors: true });
  const pages = await serve({ root: 'bench' });
  const url = (path) => `${served.url}/${path.split('/').pop()}`;
  const rows = [];
  const line = (name, path, r) => {
    const mb = statSync(path).size / 1e6;
    rows.push(`${name.padEnd(46)} ${`${r.ms.toFixed(0)} ms`.padEnd(9)} ${(mb / (r.ms / 1000)).toFixed(1).padEnd(7)} ${r.peak === undefined ? '' : `${(r.peak / 1e6).toFixed(0)} MB (${(r.peak / (mb * 1e6)).toFixed(2)}x the file)`}`);
    return r.ms;
  };
  try {
    const quoted = line('quoted CSV: this app', files.quoted, await timeInBrowser((page) => importWithApp(page, app, url(files.quoted), 'csv')));
    line('quoted CSV: this app, two threads', files.quoted, await timeInBrowser((page) => importWithApp(page, app, url(files.quoted), 'csv', '?_threads=2')));
    const quotedDuck = line('quoted CSV: DuckDB-Wasm read_csv', files.quoted, await timeInBrowser((page) => importWithBaseline(page, pages, 'duckdb', url(files.quoted))));
    const quotedNative = line('quoted CSV: native sqlite3 .import', files.quoted, { ms: timeNative('sqlite3', [':memory:', '-cmd', `.import --csv ${files.quoted} t`, 'SELECT count(*) FROM t']) });
    rows.push(`  this app vs DuckDB-Wasm ${(quotedDuck / quoted).toFixed(2)}x the rate (goal >= 2x), vs native sqlite3 ${(quotedNative / quoted).toFixed(2)}x (goal >= 1.5x)`);
    const dump = line('ATP .dump: this app', files.dump, await timeInBrowser((page) => importWithApp(page, app, url(files.dump), 'sql')));
    const dumpNative = line('ATP .dump: native sqlite3 < dump', files.dump, { ms: timeNative('sqlite3', [':memory:'], files.dump) });
    rows.push(`  this app vs native sqlite3 ${(dumpNative / dump).toFixed(2)}x the rate (goal >= 1.5x)`);
    line('JSON array of objects: this app', files.json, await timeInBrowser((page) => importWithApp(page, app, url(files.json), 'json')));
    line('NDJSON: this app', files.ndjson, await timeInBrowser((page) => importWithApp(page, app, url(files.ndjson), 'json')));
    rows.push('  JSON goals: >= 30 MB/s, peak <= 3x the file');
  } catch (e) {
    rows.push(`(stopped: ${e.message.split('\n')[0].slice(0, 160)})`);
  } finally {
    await pages.close();
    await served.close();
  }
  console.log(`\nOther imports, from loopback, median of ${RUNS} runs        time      MB/s    peak RSS rise`);
  for (const row of rows) console.log(row);
}

// --- A ~40 MB Parquet file (pyarrow, Snappy, 3M rows of six columns):
// this app's import against DuckDB-Wasm's read_parquet, same run.
const PARQUET_ROWS = 3_000_000;
function parquetFile() {
  const path = join(BIG_DB_DIR, `bench-${PARQUET_ROWS}-v1.parquet`);
  if (existsSync(path)) return path;
  mkdirSync(BIG_DB_DIR, { recursive: true });
  const script = `
import datetime, pyarrow as pa, pyarrow.parquet as pq
n = ${PARQUET_ROWS}
ids = pa.array(range(n), pa.int64())
table = pa.table({
  'id': ids,
  'name': pa.array(['name %d' % i for i in range(n)]),
  'score': pa.array([i * 0.37 % 1000 for i in range(n)], pa.float64()),
  'flag': pa.array([i % 3 == 0 for i in range(n)]),
  'day': pa.array([datetime.date(2000, 1, 1) + datetime.timedelta(days=i % 9000) for i in range(n)], pa.date32()),
  'category': pa.array(['category %d' % (i % 20) for i in range(n)]),
})
pq.write_table(table, '${path}.making', compression='snappy', row_group_size=200000)`;
  execFileSync('python3', ['-c', script], { stdio: 'inherit' });
  execFileSync('mv', [`${path}.making`, path]);
  return path;
}

async function parquetImport(app) {
  let file;
  try {
    file = parquetFile();
  } catch (e) {
    console.log(`\nParquet import not measured: making the file needs pyarrow (pip install pyarrow==26.0.1): ${e.message.split('\n')[0]}`);
    return;
  }
  const files = await serve({ root: BIG_DB_DIR, cors: true });
  const pages = await serve({ root: 'bench' });
  const url = `${files.url}/${file.split('/').pop()}`;
  const size = statSync(file).size;
  const contenders = [
    ['this app (parquet-json → JSON import, worker)', (page) => importWithApp(page, app, url, 'parquet')],
    // DuckDB-Wasm reads Parquet through its parquet extension, which it
    // downloads from extensions.duckdb.org; where that host cannot be
    // reached (this machine) it is said, not measured.
    ['DuckDB-Wasm read_parquet', (page) => importWithBaseline(page, pages, 'duckdb', url, 'runParquet')],
  ];
  const results = [];
  try {
    for (const [name, prepare] of contenders) {
      try {
        results.push({ name, ...(await timeInBrowser(prepare)) });
      } catch (e) {
        console.log(`(${name} not measured: ${e.message.split('\n')[0].slice(0, 160)})`);
      }
    }
  } finally {
    await pages.close();
    await files.close();
  }
  // Native DuckDB (Python, `pip install duckdb==1.5.6`; its parquet reader
  // is built in) as the reference where DuckDB-Wasm cannot get its
  // extension: the same file into an in-memory table, timed in-process.
  let native = null;
  try {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const out = execFileSync('python3', ['-c', `
import duckdb, time
db = duckdb.connect()
t = time.perf_counter()
db.execute("CREATE TABLE t AS SELECT * FROM read_parquet('${file}')")
print((time.perf_counter() - t) * 1000)`]).toString();
      times.push(Number(out.trim()));
    }
    native = median(times);
  } catch (e) {
    console.log(`(native DuckDB not measured: ${e.message.split('\n')[0]})`);
  }
  console.log(`\nParquet import: ${(size / 1e6).toFixed(1)} MB, ${PARQUET_ROWS.toLocaleString('en')} rows, Snappy, from loopback, median of ${RUNS} runs`);
  for (const r of results) {
    console.log(`${r.name.padEnd(47)} ${`${r.ms.toFixed(0)} ms`.padEnd(10)} peak RSS rise ${(r.peak / 1e6).toFixed(0)} MB (${(r.peak / size).toFixed(2)}x the file)`);
  }
  if (native !== null) console.log(`${'native DuckDB read_parquet (Python, reference)'.padEnd(47)} ${native.toFixed(0)} ms`);
  const duck = results.find((r) => r.name.startsWith('DuckDB-Wasm'));
  if (duck) console.log(`this app vs DuckDB-Wasm: ${(duck.ms / results[0].ms).toFixed(2)}x the rate`);
  if (native !== null && results[0]) console.log(`this app vs native DuckDB: ${(native / results[0].ms).toFixed(2)}x the rate`);
}

// --- Exploring a 1,000,000-row table, and SELECTs against sql.js.
const BIG_SQL = `CREATE TABLE big (id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, score REAL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO big SELECT i, (i * 7919) % 1000, 'name ' || i, (i % 997) / 7.0 FROM n;
CREATE INDEX big_grp ON big(grp);
`;
const CHINOOK_QUERIES = [
  "SELECT count(*) FROM Track WHERE Composer LIKE '%a%'",
  'SELECT g.Name, count(*), avg(t.Milliseconds) FROM Track t JOIN Genre g USING (GenreId) GROUP BY g.Name ORDER BY 2 DESC',
  'SELECT c.Country, sum(il.UnitPrice * il.Quantity) AS total FROM InvoiceLine il JOIN Invoice i USING (InvoiceId) JOIN Customer c USING (CustomerId) GROUP BY c.Country ORDER BY total DESC',
];

/** Navigates the app (already open) to `hash` and times until the table
 *  page shows rows whose first cell is not `previous` (or the facet). */
async function timeView(page, hash, waitFor) {
  return page.evaluate(async ({ hash, waitFor }) => {
    const before = document.querySelector('table.rows tbody tr')?.textContent;
    const started = performance.now();
    location.hash = hash;
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      const row = document.querySelector('table.rows tbody tr')?.textContent;
      const ready = waitFor ? document.querySelector(waitFor) : row && row !== before && !document.querySelector('[aria-busy]');
      if (ready) return performance.now() - started;
      if (performance.now() - started > 30000) return NaN;
    }
  }, { hash, waitFor });
}

async function explore(app, data) {
  const script = await serve({ root: 'bench', cors: true, routes: { '/big.sql': (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.end(BIG_SQL);
  } } });
  const { browser } = await launch();
  try {
    const page = await browser.newPage();
    const started = Date.now();
    await page.goto(`${app.url}/?sql=${encodeURIComponent(`${script.url}/big.sql`)}`);
    await page.waitForURL(/#\/data$/, { timeout: 120000 });
    console.log(`\nExploring a generated 1,000,000-row table (id, grp with 1,000 values, name, score); made by ?sql= in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // The cursor for row 900,000 in each order, from the app's own query page.
    const cursorFor = async (sql) => {
      await page.evaluate(() => { location.hash = '#/data'; });
      await page.waitForSelector('.database h1');
      await page.evaluate((sql) => { location.hash = `#/data?sql=${encodeURIComponent(sql)}`; }, sql);
      await page.waitForSelector('.query-meta');
      return page.$$eval('table.rows tbody td', (tds) => tds.map((td) => td.textContent));
    };
    const [deepId] = await cursorFor('SELECT id FROM big ORDER BY id LIMIT 1 OFFSET 899999');
    const [grp, grpId] = await cursorFor('SELECT grp, id FROM big ORDER BY grp, id LIMIT 1 OFFSET 899999');
    const views = [
      ['sorted by rowid, page 1', '#/data/big?_sort=id'],
      ['sorted by rowid, row 900,000', `#/data/big?_sort=id&_next=${encodeURIComponent(`[[${deepId}],${deepId}]`)}`],
      ['sorted by grp (ties), page 1', '#/data/big?_sort=grp'],
      ['sorted by grp (ties), row 900,000', `#/data/big?_sort=grp&_next=${encodeURIComponent(`[[${grp}],${grpId}]`)}`],
    ];
    const results = {};
    for (const [name, hash] of views) results[name] = [];
    for (let i = 0; i < Math.max(RUNS, 5); i++) {
      for (const [name, hash] of views) {
        await page.evaluate(() => { location.hash = '#/data'; });
        await page.waitForSelector('.database h1');
        results[name].push(await timeView(page, hash));
      }
    }
    for (const [name] of views) console.log(`${name.padEnd(36)} ${median(results[name]).toFixed(0)} ms`);
    const ratio = (deep, first) => (median(results[deep]) / median(results[first])).toFixed(2);
    console.log(`deep page / page 1: rowid ${ratio('sorted by rowid, row 900,000', 'sorted by rowid, page 1')}x, grp ${ratio('sorted by grp (ties), row 900,000', 'sorted by grp (ties), page 1')}x (target <= 2x)`);
    const facetTimes = [];
    for (let i = 0; i < Math.max(RUNS, 5); i++) {
      await page.evaluate(() => { location.hash = '#/data'; });
      await page.waitForSelector('.database h1');
      facetTimes.push(await timeView(page, '#/data/big?_facet=grp', '.facet[data-column="grp"] li'));
    }
    console.log(`${'page with a facet on grp'.padEnd(36)} ${median(facetTimes).toFixed(0)} ms`);

    // Three SELECTs on Chinook: this app's worker (its own timing) vs sql.js.
    const chinook = `${data.url}/sqlite/Chinook_Sqlite.sqlite`;
    await page.goto(`${app.url}/?url=${encodeURIComponent(chinook)}`);
    await page.waitForURL(/#\/Chinook_Sqlite$/);
    const ours = [];
    for (const sql of CHINOOK_QUERIES) {
      const times = [];
      for (let i = 0; i < 7; i++) {
        await page.evaluate((sql) => { location.hash = `#/Chinook_Sqlite?sql=${encodeURIComponent(sql)}&_r=${Math.random()}`; }, sql);
        await page.waitForFunction(() => document.querySelector('.query-meta') && !document.querySelector('.running'));
        times.push(Number((await page.textContent('.query-meta .muted')).match(/([\d.]+) ms/)[1]));
        await page.evaluate(() => { location.hash = '#/'; });
      }
      ours.push(median(times));
    }
    const sqljs = await browser.newPage();
    await sqljs.goto(`${script.url}/pages/sqljs-queries.html`);
    const theirs = await sqljs.evaluate(({ url, queries }) => window.timeQueries(url, queries, 7), { url: chinook, queries: CHINOOK_QUERIES });
    console.log('\nSELECTs on Chinook, median of 7 (execution time)        this app    sql.js');
    CHINOOK_QUERIES.forEach((sql, i) => {
      console.log(`${sql.slice(0, 52).padEnd(54)} ${`${ours[i].toFixed(1)} ms`.padEnd(11)} ${theirs[i].toFixed(1)} ms`);
    });
  } finally {
    await browser.close();
    await script.close();
  }
}

// --- Clicks right after a big file opens: each must be answered before the
// background work that opening starts (suggested facets for 49 columns).
async function clicks(app, data) {
  const { browser } = await launch();
  const results = { sort: [], 'next page': [], facet: [] };
  try {
    for (let i = 0; i < Math.max(RUNS, 5); i++) {
      const page = await browser.newPage();
      await page.goto(`${app.url}/?csv=${encodeURIComponent(`${data.url}/${CSV}`)}`);
      await page.waitForURL(/#\/data\/[^?]+$/, { timeout: 120000 });
      await page.waitForSelector('table.rows tbody tr');
      const table = page.url().split('#/data/')[1];
      results.sort.push(await timeView(page, `#/data/${table}?_sort=winner_name`));
      const next = await page.getAttribute('a.next-page', 'href');
      results['next page'].push(await timeView(page, next));
      results.facet.push(await timeView(page, `#/data/${table}?_facet=surface`, '.facet[data-column="surface"] li'));
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`\nClick → rows shown, right after the ATP CSV (49 columns, 195k rows) opens, median of ${results.sort.length} (goal < 300 ms)`);
  for (const [name, times] of Object.entries(results)) {
    console.log(`${name.padEnd(12)} ${median(times).toFixed(0)} ms (max ${Math.max(...times).toFixed(0)})`);
  }
}

// --- Charts: the time from the link to the drawn chart (the worker's
// reduction, the renderer's module, the SVG in the page) and the longest
// task on the page's thread meanwhile (what a click would wait behind).
const POINTS = 'with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000) select i, abs(random() % 1000) as noise, i % 3 as kind from n';
const CHARTS = [
  ['Invoice: line of sum(Total) by date (guessed)', '#/Chinook_Sqlite/Invoice?_chart=1'],
  ['Track: bar of rows by genre, coloured by media', `#/Chinook_Sqlite?${new URLSearchParams({ sql: 'select g.Name as genre, m.Name as media from Track t join Genre g using (GenreId) join MediaType m using (MediaTypeId)', _chart: 'bar', _chart_color: 'media' })}`],
  ['100,000 points: scatter', `#/Chinook_Sqlite?${new URLSearchParams({ sql: POINTS, _chart: 'scatter', _chart_x: 'i', _chart_y: 'noise' })}`],
  ['100,000 points: three lines of every row', `#/Chinook_Sqlite?${new URLSearchParams({ sql: POINTS, _chart: 'line', _chart_x: 'i', _chart_y: 'noise', _chart_color: 'kind', _chart_agg: 'none' })}`],
];

async function charts(app, data) {
  const { browser } = await launch();
  const results = Object.fromEntries(CHARTS.map(([name]) => [name, { ms: [], task: [], shapes: 0 }]));
  try {
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage();
      await page.goto(`${app.url}/?url=${encodeURIComponent(`${data.url}/sqlite/Chinook_Sqlite.sqlite`)}#/Chinook_Sqlite`);
      await page.waitForSelector('.table-item');
      for (const [name, hash] of CHARTS) {
        const r = await page.evaluate(async (hash) => {
          let longest = 0;
          const observer = new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
          });
          observer.observe({ type: 'longtask' });
          location.hash = '#/';
          await new Promise((r) => setTimeout(r, 50));
          const started = performance.now();
          location.hash = hash;
          for (;;) {
            await new Promise((r) => requestAnimationFrame(r));
            const figure = document.querySelector('.chart-figure');
            if (figure?.querySelector('svg') && figure.getAttribute('aria-busy') === 'false') break;
            if (performance.now() - started > 60000) return { ms: NaN, task: NaN, shapes: 0 };
          }
          const ms = performance.now() - started;
          await new Promise((r) => setTimeout(r, 100));
          observer.disconnect();
          return { ms, task: longest, shapes: document.querySelectorAll('.chart-figure svg .marks > *').length };
        }, hash);
        results[name].ms.push(r.ms);
        results[name].task.push(r.task);
        results[name].shapes = r.shapes;
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`\nLink → chart drawn, Chinook open, median of ${RUNS} (the renderer's module is fetched by the first chart of each run)`);
  console.log(`${'chart'.padEnd(48)} ${'time'.padEnd(10)} ${'longest task'.padEnd(14)} shapes`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(48)} ${`${median(r.ms).toFixed(0)} ms`.padEnd(10)} ${`${median(r.task).toFixed(0)} ms`.padEnd(14)} ${r.shapes}`);
  }
}

// --- Comparing two versions of a 1M-row table (no declared key: it is
// guessed), opened whole (`_lazy=0`), from the link to the summary.
const COMPARE_ROWS = 1_000_000;
function compareDatabase() {
  const path = join(BIG_DB_DIR, `compare-${COMPARE_ROWS}-v1.db`);
  if (existsSync(path)) return path;
  mkdirSync(BIG_DB_DIR, { recursive: true });
  execFileSync('rm', ['-f', `${path}.making`]);
  execFileSync('sqlite3', [`${path}.making`], { stdio: ['pipe', 'ignore', 'inherit'], input: `
    PRAGMA journal_mode = OFF;
    CREATE TABLE v2024(id INTEGER, name TEXT, score REAL);
    CREATE TABLE v2025(id INTEGER, name TEXT, score REAL, note TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${COMPARE_ROWS})
    INSERT INTO v2024 SELECT i, 'name ' || i, i * 0.5 FROM n;
    WITH RECURSIVE n(i) AS (SELECT 5001 UNION ALL SELECT i + 1 FROM n WHERE i < ${COMPARE_ROWS + 5000})
    INSERT INTO v2025 SELECT i, 'name ' || i, CASE WHEN i % 100 = 0 THEN i ELSE i * 0.5 END, NULL FROM n;
    VACUUM;` });
  execFileSync('mv', [`${path}.making`, path]);
  return path;
}

async function compareTimes(app) {
  const file = compareDatabase();
  const files = await serve({ root: BIG_DB_DIR, cors: true });
  const { browser } = await launch();
  const times = [];
  let summary = '';
  try {
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage();
      await page.goto(`${app.url}/?url=${encodeURIComponent(`${files.url}/${file.split('/').pop()}`)}&_lazy=0#/compare-${COMPARE_ROWS}-v1`);
      await page.waitForSelector('.table-item', { timeout: 120000 });
      const db = `compare-${COMPARE_ROWS}-v1`;
      times.push(await page.evaluate(async (db) => {
        const started = performance.now();
        location.hash = `#/-/compare?left=${db}/v2024&right=${db}/v2025`;
        for (;;) {
          await new Promise((r) => setTimeout(r, 20));
          const outcome = document.querySelector('.compare-outcome');
          if (outcome?.querySelector('.compare-summary') && outcome.getAttribute('aria-busy') === 'false') return performance.now() - started;
          if (outcome?.querySelector('.error') || performance.now() - started > 120000) return NaN;
        }
      }, db));
      summary = await page.textContent('.compare-summary');
      await page.close();
    }
  } finally {
    await browser.close();
    await files.close();
  }
  console.log(`\nCompare two versions of a ${COMPARE_ROWS.toLocaleString('en')}-row table (key guessed), link → summary, median of ${RUNS}: ${median(times).toFixed(0)} ms (max ${Math.max(...times).toFixed(0)})`);
  console.log(`  ${summary}`);
}

if (ONLY.includes('size')) sizes();
// --- A ~1 GB database read lazily by ranged requests: this app and
// sql.js-httpvfs on the same file and queries, time and bytes the server
// sent for each (the same server counts both).
const BIG_ROWS = 6_000_000;
const LAZY_VIEWS = [
  ['indexed lookup (primary key)', `SELECT * FROM items WHERE id = ${BIG_ROWS * 0.7}`],
  ['keyset page deep in an index', `SELECT id, grp, name FROM items WHERE grp = 400 AND id > ${BIG_ROWS * 0.9} ORDER BY grp, id LIMIT 100`],
  ['FTS5 query', "SELECT rowid, name FROM items_fts WHERE items_fts MATCH '4321987'"],
  ['facet: 5 values of an indexed column', 'SELECT grp, count(*) FROM items WHERE grp BETWEEN 100 AND 104 GROUP BY grp'],
];

async function lazyBrowsing(app) {
  const started = Date.now();
  const path = bigDatabase(BIG_ROWS);
  const size = statSync(path).size;
  const made = ((Date.now() - started) / 1000).toFixed(0);
  const files = await serve({ root: join(path, '..'), cors: true });
  const pages = await serve({ root: 'bench' });
  const url = `${files.url}/${path.split('/').pop()}`;
  const kbOf = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
  const results = {};
  const { browser, marker } = await launch();
  try {
    // This app: open by ?url=, then each view as a query on the query page.
    let page = await browser.newPage();
    // Peaks count from here (the baseline's RSS is not needed: the goal is
    // the peak itself).
    memoryBaseline(marker);
    let sent = files.bytesSent;
    const t0 = Date.now();
    await page.goto(`${app.url}/?url=${encodeURIComponent(url)}`);
    await page.waitForSelector('.tables .table-item', { timeout: 120000 });
    results.open = { app: { ms: Date.now() - t0, bytes: files.bytesSent - sent } };
    const db = new URL(page.url()).hash.slice(2);
    for (const [name, sql] of LAZY_VIEWS) {
      sent = files.bytesSent;
      await page.evaluate(({ db, sql }) => { location.hash = `#/${db}?sql=${encodeURIComponent(sql)}&_r=${Math.random()}`; }, { db, sql });
      await page.waitForFunction(() => document.querySelector('.query-meta') && !document.querySelector('.running'), null, { timeout: 120000 });
      const ms = Number((await page.textContent('.query-meta .muted')).match(/([\d.]+) ms/)[1]);
      results[name] = { app: { ms, bytes: files.bytesSent - sent } };
    }
    const appPeak = Math.max(...renderers(marker).map((p) => statusKb(p, 'VmHWM')));
    // How that splits: the renderer's own (anonymous) memory, and pages of
    // Chromium's code and data files, shared with every other renderer.
    const busiest = renderers(marker).sort((a, b) => statusKb(b, 'VmHWM') - statusKb(a, 'VmHWM'))[0];
    const rollup = readFileSync(`/proc/${busiest}/smaps_rollup`, 'utf8');
    const rollupMb = (field) => Number(rollup.match(new RegExp(`${field}:\\s+(\\d+)`))[1]) / 1024;
    const appSplit = { anonymous: rollupMb('Anonymous'), files: rollupMb('Rss') - rollupMb('Anonymous') };
    await page.close();
    // sql.js-httpvfs, same server, same queries.
    page = await browser.newPage();
    memoryBaseline(marker);
    await page.goto(`${pages.url}/pages/httpvfs.html`);
    sent = files.bytesSent;
    const opened = await page.evaluate((u) => window.openLazy(u), url);
    results.open.httpvfs = { ms: opened.ms, bytes: files.bytesSent - sent };
    for (const [name, sql] of LAZY_VIEWS) {
      sent = files.bytesSent;
      const r = await page.evaluate((q) => window.run(q), sql);
      results[name].httpvfs = { ms: r.ms, bytes: files.bytesSent - sent };
    }
    const httpvfsPeak = Math.max(...renderers(marker).map((p) => statusKb(p, 'VmHWM')));
    console.log(`\nA ${(size / 1e9).toFixed(2)} GB database (${BIG_ROWS.toLocaleString('en')} rows, index, FTS5; made in ${made} s, cached in ~/.cache/explorer-bench) read lazily by Range on loopback`);
    console.log(`${'view'.padEnd(38)} ${'this app'.padEnd(22)} ${'sql.js-httpvfs'.padEnd(22)} app bytes / file`);
    for (const [name, r] of Object.entries(results)) {
      const cell = (x) => `${x.ms.toFixed(0)} ms, ${kbOf(x.bytes)}`.padEnd(22);
      const label = name === 'open' ? 'open → first table list' : name;
      console.log(`${label.padEnd(38)} ${cell(r.app)} ${cell(r.httpvfs)} ${((100 * r.app.bytes) / size).toFixed(3)} %`);
    }
    console.log(`this app's renderer peak RSS while browsing: ${(appPeak / 1e6).toFixed(0)} MB (goal < 200 MB); after the views ${appSplit.anonymous.toFixed(0)} MB of it its own, ${appSplit.files.toFixed(0)} MB shared Chromium code and data; sql.js-httpvfs's page: ${(httpvfsPeak / 1e6).toFixed(0)} MB`);
  } finally {
    await browser.close();
    await files.close();
    await pages.close();
  }
}

// Sections that need only the app served.
for (const [section, measure] of [['imports', otherImports], ['parquet', parquetImport], ['compare', compareTimes], ['lazy', lazyBrowsing]]) {
  if (!ONLY.includes(section)) continue;
  const app = await serve({ root: 'dist' });
  try {
    await measure(app);
  } finally {
    await app.close();
  }
}

if (['load', 'offline', 'csv', 'clicks', 'explore', 'charts'].some((s) => ONLY.includes(s))) {
  const app = await serve({ root: 'dist' });
  const data = await serve({ root: SHARED, cors: true });
  try {
    if (ONLY.includes('load')) await loadTime(app, data);
    if (ONLY.includes('offline')) await offlineReopen(app, data);
    if (ONLY.includes('csv')) await csvImport(app, data);
    if (ONLY.includes('clicks')) await clicks(app, data);
    if (ONLY.includes('explore')) await explore(app, data);
    if (ONLY.includes('charts')) await charts(app, data);
  } finally {
    await app.close();
    await data.close();
  }
}
