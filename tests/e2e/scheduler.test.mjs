// Never wait on the machine (issue "a scheduler in the worker"): a click is
// answered before background work, the view never blanks while the next one
// loads, Stop stops a statement without losing anything, and the user's own
// run may take longer than a link's. No timed assertions: timings are in
// `make bench`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, q, tableCells } from './harness.mjs';
import { serve } from '../../tools/serve.mjs';

// Variant numbers of protocol messages as postcard writes them (after the
// varint id); `crates/protocol` pins them in `variant_numbers_the_browser_tests_read`.
const REQUEST = { Cancel: 3, TablePage: 4, SuggestFacets: 5 };
const REPLY = { TablePage: 9, SuggestedFacets: 10, Cancelled: 22 };

/** A table wide and long enough that suggesting facets takes many steps. */
function makeWide() {
  const dir = mkdtempSync(join(tmpdir(), 'explorer-wide-'));
  const columns = Array.from({ length: 200 }, (_, i) => `c${i}`);
  const values = columns.map((_, i) => (i % 4 === 0 ? `(i * ${i + 7}) % 5` : `(i * ${i + 3}) % ${1000 + i}`));
  execFileSync('sqlite3', [join(dir, 'wide.db'), `CREATE TABLE wide(id INTEGER PRIMARY KEY, ${columns.join(', ')});
    WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r LIMIT 30000)
    INSERT INTO wide SELECT i, ${values.join(', ')} FROM r;`]);
  return dir;
}

/** Records every message between the page and its workers, in order, as
 *  {dir: 'out'|'in', id, kind} decoded from the postcard bytes. */
function recordMessages() {
  const varint = (bytes, at) => {
    let value = 0, shift = 0, i = at;
    for (;;) {
      const b = bytes[i++];
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return [value, i];
      shift += 7;
    }
  };
  const decode = (data) => {
    const bytes = Array.isArray(data) ? data[0] : data;
    if (!(bytes instanceof Uint8Array)) return null;
    const [id, at] = varint(bytes, 0);
    const [kind] = varint(bytes, at);
    return { id, kind };
  };
  window.__messages = [];
  const post = Worker.prototype.postMessage;
  // `__onSend`, when a test sets it, sees each request as it goes out.
  Worker.prototype.postMessage = function (data, ...rest) {
    const m = decode(data);
    if (m) window.__messages.push({ dir: 'out', ...m });
    const sent = post.call(this, data, ...rest);
    if (m && window.__onSend) window.__onSend(m);
    return sent;
  };
  const Native = Worker;
  window.Worker = function (...args) {
    const worker = new Native(...args);
    worker.addEventListener('message', (e) => {
      const m = decode(e.data);
      if (m) window.__messages.push({ dir: 'in', ...m });
    });
    return worker;
  };
  window.Worker.prototype = Native.prototype;
}

let env;
let wide;
before(async () => {
  env = await start();
  wide = await serve({ root: makeWide(), cors: true });
  await env.page.addInitScript(recordMessages);
});
after(async () => {
  await env?.close();
  await wide?.close();
});

test('a sort issued while facets are still being suggested gets its rows first', async () => {
  const { page } = env;
  await page.goto(env.appUrl(q([['url', `${wide.url}/wide.db`]]), '#/wide/wide'));
  await page.waitForSelector('table.rows tbody tr');
  // Open a view, and sort it the moment its suggestions are asked for:
  // they are certainly still being made when the sort arrives.
  const from = await page.evaluate((kind) => {
    const from = window.__messages.length;
    window.__onSend = (m) => {
      if (m.kind !== kind) return;
      window.__onSend = null;
      setTimeout(() => { location.hash = '#/wide/wide?_sort_desc=c1'; }, 0);
    };
    location.hash = '#/wide/wide?_sort=c5';
    return from;
  }, REQUEST.SuggestFacets);
  await page.waitForSelector('th[aria-sort="descending"]');
  const messages = (await page.evaluate(() => window.__messages)).slice(from);
  const dump = JSON.stringify(messages);
  const suggest = messages.find((m) => m.dir === 'out' && m.kind === REQUEST.SuggestFacets);
  const sortAsked = messages.findIndex((m) => m.dir === 'out' && m.kind === REQUEST.TablePage && m.id > suggest.id);
  const sortRows = messages.findIndex((m) => m.dir === 'in' && m.kind === REPLY.TablePage && m.id === messages[sortAsked].id);
  const suggestEnded = messages.findIndex((m) => m.dir === 'in' && m.id === suggest.id);
  assert.ok(sortAsked >= 0 && sortRows > sortAsked, dump);
  // The sort's rows came before the suggestions' end, which, their view
  // gone, is a cancellation rather than suggestions nobody will see.
  assert.ok(suggestEnded === -1 || suggestEnded > sortRows, dump);
  assert.ok(messages.some((m) => m.dir === 'out' && m.kind === REQUEST.Cancel), dump);
  await page.waitForFunction(([id, kind]) => window.__messages.some((m) => m.dir === 'in' && m.id === id && m.kind === kind), [suggest.id, REPLY.Cancelled]);
});

test('the previous rows stay on screen until the next page arrives', async () => {
  const { page } = env;
  await page.goto(env.appUrl(q([['url', `${wide.url}/wide.db`]]), '#/wide/wide?_sort=c2'));
  await page.waitForSelector('th[aria-sort="ascending"]');
  const first = await tableCells(page);
  await page.evaluate(() => {
    window.__blanked = false;
    window.__stale = false;
    new MutationObserver(() => {
      if (!document.querySelector('table.rows tbody tr')) window.__blanked = true;
      if (document.querySelector('.stale table.rows tbody tr')) window.__stale = true;
    }).observe(document.body, { childList: true, subtree: true, attributes: true });
  });
  await page.click('a.next-page');
  await page.waitForURL(/_next=/);
  await page.waitForFunction((before) => {
    const rows = [...document.querySelectorAll('table.rows tbody tr')].map((r) => r.textContent);
    return !document.querySelector('.stale') && rows.length > 0 && rows[0] !== before;
  }, first.map((r) => r.join(''))[0]);
  assert.equal(await page.evaluate(() => window.__blanked), false, 'the table was never empty between the pages');
  assert.notDeepEqual(await tableCells(page), first);
});

test('Stop ends a running statement, and what was open and changed is still there', async () => {
  const { page } = env;
  const chinook = q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`]]);
  const run = async (sql) => {
    await page.fill('.cm-content', sql);
    await page.click('button:text("Run SQL")');
  };
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?sql=${encodeURIComponent('SELECT 1')}`));
  await page.waitForSelector('.query-meta');
  await run('CREATE TABLE note AS SELECT 42 AS answer');
  await page.waitForSelector('.row-count:has-text("changed")');
  await page.fill('.cm-content', 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n');
  await page.click('button.run-unlimited');
  await page.waitForSelector('.running');
  await page.click('button.stop');
  await page.waitForSelector('.stopped');
  // The worker was replaced; the databases come back as they were.
  await page.waitForSelector('.worker-notice');
  await run('SELECT answer FROM note');
  await page.waitForSelector('.query-meta');
  assert.deepEqual(await tableCells(page), [['42']]);
  await run('SELECT count(*) FROM Album');
  await page.waitForFunction(() => document.querySelector('table.rows tbody tr td')?.textContent === '347');
});

test('a link keeps the 1 s limit; the user\'s own run may take the _timelimit it names', async () => {
  const { page } = env;
  const chinook = q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`]]);
  // About two seconds of work on this machine (more than 1 s, well under 5 s).
  const sql = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 3000000) SELECT count(*) FROM n';
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?sql=${encodeURIComponent(sql)}&_timelimit=5000`));
  await page.waitForSelector('.error[data-kind="TimeLimit"]', { timeout: 20000 });
  assert.match(await page.textContent('.error'), /time limit of 1000 ms/);
  await page.click('button:text("Run SQL")');
  await page.waitForSelector('.query-meta', { timeout: 20000 });
  assert.deepEqual(await tableCells(page), [['3000000']]);
});
