// Small things a person notices: column menus behave as menus, query
// results sort by their headers, an empty query is a hint, recent queries
// are kept and searchable, results and links copy to the clipboard, the
// filter form starts on the first column, the pager is above the rows too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, q, SHARED } from './harness.mjs';
import { serve } from '../../tools/serve.mjs';

let env;
let chinook;
before(async () => {
  env = await start();
  chinook = q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`]]);
  await env.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.app.url });
});
after(async () => { await env?.close(); });

test('column menus: one open at a time, closed by Escape or a click elsewhere', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Invoice'));
  await page.waitForSelector('table.rows tbody tr');
  const open = () => page.locator('details.column-menu[open]').count();
  await page.click('th:has(a.sort:text-is("Total")) summary');
  await page.click('th:has(a.sort:text-is("CustomerId")) summary');
  assert.equal(await open(), 1, 'opening one closes the other');
  await page.keyboard.press('Escape');
  assert.equal(await open(), 0);
  assert.equal(await page.evaluate(() => document.activeElement?.closest('th')?.querySelector('a.sort')?.textContent), 'CustomerId', 'focus back on its button');
  await page.click('th:has(a.sort:text-is("Total")) summary');
  await page.click('h1');
  assert.equal(await open(), 0);
  // The filter form starts on the first column; the pager is above the rows too.
  assert.equal(await page.inputValue('.add-filter select[aria-label="Column"]'), 'InvoiceId');
  assert.equal(await page.locator('.pager-top a.next-page').count(), 1);
});

test('a choice in a column menu closes it and leaves the focus on its header', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Invoice'));
  await page.waitForSelector('table.rows tbody tr');
  await page.click('th:has(a.sort:text-is("Total")) summary');
  await page.click('details.column-menu[open] a:text("Sort descending")');
  await page.waitForSelector('th[aria-sort="descending"]');
  assert.equal(await page.locator('details.column-menu[open]').count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'sort');
  assert.match(await page.evaluate(() => document.activeElement?.textContent), /^Total/);
});

test('a clicked cell copies; export is above the rows as well as below', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Invoice'));
  await page.waitForSelector('table.rows tbody tr');
  await page.click('table.rows tbody tr:first-child td[data-label="BillingAddress"]');
  await page.click('td.selected button.copy-cell');
  await page.waitForSelector('td.selected button.copy-cell:text("Copied")');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'Theodor-Heuss-Straße 34');
  assert.equal(await page.locator('button.copy-cell').count(), 1, 'one button, in the selected cell');
  const top = await page.evaluate(() => {
    const exportTop = document.querySelector('p.export.export-top').getBoundingClientRect().top;
    return exportTop < document.querySelector('table.rows').getBoundingClientRect().top;
  });
  assert.ok(top, 'export links above the rows');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('p.export-top button:text("CSV") >> nth=1')]);
  assert.equal(download.suggestedFilename(), 'Invoice.csv');
});

test('query results sort by their headers; an empty query is a hint', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?${q([['sql', "select 3 as n, 'c' as t union all select 1, 'a' union all select null, 'b' union all select 2, 'd'"]])}`));
  await page.waitForSelector('.query-meta');
  // The first cells of the rows, once they read `expected`.
  const column = (expected) => page.waitForFunction(
    (want) => JSON.stringify([...document.querySelectorAll('table.rows tbody tr')].map((r) => r.cells[0].textContent)) === want,
    JSON.stringify(expected),
  );
  await column(['3', '1', 'NULL', '2']);
  await page.click('th button.sort:has-text("n")');
  await column(['NULL', '1', '2', '3']); // NULL first, as SQLite orders
  await page.click('th button.sort:has-text("n")');
  await column(['3', '2', '1', 'NULL']);
  assert.equal(await page.getAttribute('th:has(button.sort:has-text("n"))', 'aria-sort'), 'descending');
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite?sql='));
  await page.waitForSelector('.query-hint');
  assert.equal(await page.locator('.error').count(), 0);
});

test('queries run here are kept, newest first, and searchable', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?${q([['sql', 'select 1']])}`));
  await page.waitForSelector('.query-meta');
  for (const sql of ['SELECT count(*) FROM Album', 'SELECT Name FROM Artist LIMIT 3']) {
    await page.fill('.cm-content', sql);
    await page.press('.cm-content', 'Control+Enter');
    await page.waitForURL((url) => decodeURIComponent(url.hash.replace(/\+/g, ' ')).includes(sql));
    await page.waitForSelector('.query-meta');
  }
  await page.click('.query-history summary');
  const items = page.locator('.query-history li code');
  assert.deepEqual(await items.allTextContents(), ['SELECT Name FROM Artist LIMIT 3', 'SELECT count(*) FROM Album']);
  await page.fill('.query-history input', 'album');
  await page.waitForFunction(() => document.querySelectorAll('.query-history li').length === 1);
  assert.deepEqual(await items.allTextContents(), ['SELECT count(*) FROM Album']);
  // Kept across a reload, and each is a link back.
  await page.reload();
  await page.click('.query-history summary');
  await page.click('.query-history li a:has-text("Artist")');
  await page.waitForFunction(() => document.querySelectorAll('table.rows tbody tr').length === 3);
});

test('a result copies as TSV and Markdown, a row as JSON, the share link too', async () => {
  const { page } = env;
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?${q([['sql', 'select GenreId, Name from Genre order by GenreId limit 2']])}`));
  await page.waitForSelector('.query-meta');
  await page.click('button.copy-tsv');
  await page.waitForSelector('button.copy-tsv:text("Copied")');
  assert.equal(await clipboard(), 'GenreId\tName\n1\tRock\n2\tJazz\n');
  await page.click('button.copy-markdown');
  await page.waitForSelector('button.copy-markdown:text("Copied")');
  assert.equal(await clipboard(), '| GenreId | Name |\n| --- | --- |\n| 1 | Rock |\n| 2 | Jazz |\n');
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Genre/2'));
  await page.click('button.copy-row');
  await page.waitForSelector('button.copy-row:text("Copied")');
  assert.deepEqual(JSON.parse(await clipboard()), { GenreId: 2, Name: 'Jazz' });
  await page.click('.share-toggle');
  await page.click('button.copy-link');
  await page.waitForSelector('button.copy-link:text("Copied")');
  assert.equal(await clipboard(), page.url());
});

test('an idle table page does no work: the rows box is measured after changes only', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Customer'));
  await page.waitForSelector('.columns-cut-off');
  // Count reads of scrollWidth (the box's measurement) for a second. A
  // render that caused another render measured it without end.
  const reads = await page.evaluate(async () => {
    const original = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollWidth');
    let count = 0;
    Object.defineProperty(Element.prototype, 'scrollWidth', { configurable: true, get() { count += 1; return original.get.call(this); } });
    await new Promise((r) => setTimeout(r, 1000));
    Object.defineProperty(Element.prototype, 'scrollWidth', original);
    return count;
  });
  assert.ok(reads < 5, `${reads} measurements in an idle second`);
});

test('scrolling a wide table sideways does not move its rows up or down', async () => {
  // The hint above a wide table came and went as the box scrolled, so the
  // rows jumped a line under the pointer: a click meant for one column
  // menu's button landed on nothing and closed the menu open.
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Customer'));
  await page.waitForSelector('.columns-cut-off:text("More columns to the right")');
  const top = () => page.evaluate(() => document.querySelector('table.rows').getBoundingClientRect().top + scrollY);
  const before = await top();
  const box = page.locator('.table-wrapper');
  await box.evaluate((e) => { e.scrollLeft = (e.scrollWidth - e.clientWidth) / 2; });
  await page.waitForSelector('.columns-cut-off:text("to the left and to the right")');
  assert.equal(await top(), before, 'half way along');
  await box.evaluate((e) => { e.scrollLeft = e.scrollWidth; });
  await page.waitForSelector('.columns-cut-off:text("More columns to the left:")');
  assert.equal(await top(), before, 'at the last column');
  await box.evaluate((e) => { e.scrollLeft = 0; });
  await page.waitForSelector('.columns-cut-off:text("More columns to the right")');
  assert.equal(await top(), before, 'back at the first column');
});

test('another table opens at its first column, not scrolled as far as the last one was', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Customer'));
  await page.waitForSelector('.columns-cut-off:text("More columns to the right")');
  await page.locator('.table-wrapper').evaluate((e) => { e.scrollLeft = e.scrollWidth; });
  await page.waitForSelector('.columns-cut-off:text("More columns to the left:")');
  // Sorted, the same columns stay where the reader is.
  await page.click('th a.sort:text-is("Country")');
  await page.waitForSelector('th[aria-sort="ascending"]');
  assert.ok(await page.locator('.table-wrapper').evaluate((e) => e.scrollLeft) > 0, 'a sort keeps the place');
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Invoice'));
  await page.waitForSelector('th a.sort:text-is("BillingAddress")');
  assert.equal(await page.locator('.table-wrapper').evaluate((e) => e.scrollLeft), 0);
});

test('a view opened while the link still loads is not replaced by the database page when it finishes', async () => {
  // The file comes after a second, so the address changes while it loads.
  // `replaceState` fires no hashchange, as when the load's end is handled
  // before the hashchange: the app still renders the home page then.
  const bytes = readFileSync(join(SHARED, 'sqlite/Chinook_Sqlite.sqlite'));
  const slow = await serve({ root: SHARED, cors: true, routes: { '/slow.db': (req, res) => {
    setTimeout(() => { res.setHeader('Content-Type', 'application/octet-stream'); res.end(bytes); }, 1000);
  } } });
  try {
    const { page } = env;
    await page.goto(env.appUrl(q([['url', `${slow.url}/slow.db`]]), '#/'));
    // The home page is up (the app's route is home) and the file not yet here.
    await page.waitForSelector('section.home');
    await page.evaluate(() => history.replaceState(null, '', '#/slow?sql=select+1'));
    await page.waitForFunction(() => document.querySelector('.db-nav')?.textContent.includes('slow'));
    await page.waitForTimeout(300);
    assert.match(page.url(), /#\/slow\?sql=select\+1$/, 'the address the user went to stays');
  } finally {
    await slow.close();
  }
});
