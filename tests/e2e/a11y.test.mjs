// Every page passes axe-core's checks (no violation of any impact)
// at a desktop and a phone width, in light and dark colours; wide tables
// keep their header and first column in view and say when columns are cut
// off; narrow screens show rows as cards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { start, q } from './harness.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let env;
let chinook;
before(async () => {
  env = await start();
  chinook = q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`]]);
});
after(async () => { await env?.close(); });

/** axe-core's violations on the page, in words (serious and critical are
 * the bar; the minor and moderate ones were fixed too, and stay
 * fixed), and a line naming them for the test's output. */
async function violations(page) {
  await page.addScriptTag({ content: AXE });
  const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
  const named = found
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  const counts = found.map((v) => `${v.id} (${v.impact})`).join(', ') || 'none';
  return { named, counts };
}

const PAGES = [
  ['home', '', '.database-card'],
  ['database', '#/Chinook_Sqlite', '.table-item'],
  ['table', '#/Chinook_Sqlite/Invoice?_facet=BillingCountry', 'table.rows tbody tr'],
  ['row', '#/Chinook_Sqlite/Invoice/1', '.row-page h1'],
  ['query', `#/Chinook_Sqlite?sql=${encodeURIComponent('select * from Album limit 20')}`, '.query-meta'],
  ['summaries', '#/Chinook_Sqlite/Track', 'table.rows tbody tr'],
  ['chart', '#/Chinook_Sqlite/Invoice?_chart=histogram&_chart_x=Total&_chart_color=BillingCountry', '.chart-figure svg'],
  ['compare', '#/-/compare?left=Chinook_Sqlite/Employee&right=Chinook_Sqlite/Customer', '.compare-summary'],
];

for (const [width, height] of [[1280, 900], [390, 844]]) {
  for (const theme of ['light', 'dark']) {
    test(`no accessibility violations at ${width} px, ${theme}`, async (t) => {
      const { page } = env;
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: theme });
      const problems = [];
      for (const [name, hash, ready] of PAGES) {
        await page.goto(env.appUrl(name === 'home' ? '' : chinook, hash));
        await page.waitForSelector(ready);
        if (name === 'summaries') {
          await page.click('button.summarize');
          await page.waitForSelector('.column-summary');
        }
        const { named, counts } = await violations(page);
        problems.push(...named.map((v) => `${name}: ${v}`));
        t.diagnostic(`${name}: ${counts}`);
      }
      assert.deepEqual(problems, []);
    });
  }
}

test('a wide table scrolls in its box with the header and first column in view', async () => {
  const { page } = env;
  await page.setViewportSize({ width: 1280, height: 700 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Customer'));
  await page.waitForSelector('table.rows tbody tr');
  // 13 columns do not fit: the hint says so, and says where they are once
  // scrolled to the end.
  await page.waitForSelector('.columns-cut-off:text("More columns to the right")');
  const box = page.locator('.table-wrapper');
  // No taller than the window: scrolled into view, its scrollbar is too.
  assert.ok(await box.evaluate((e) => e.getBoundingClientRect().height <= innerHeight), 'the box fits the window');
  await box.evaluate((e) => { e.scrollTo(e.scrollWidth, 400); });
  await page.waitForSelector('.columns-cut-off:text("More columns to the left:")');
  const stays = await page.evaluate(() => {
    const wrapper = document.querySelector('.table-wrapper').getBoundingClientRect();
    const header = document.querySelector('table.rows thead th:nth-child(2)').getBoundingClientRect();
    const key = document.querySelector('table.rows tbody tr:nth-child(20) td:nth-child(2)').getBoundingClientRect();
    return { headerAtTop: Math.abs(header.top - wrapper.top) < 3, keyAtLeft: key.left - wrapper.left < 60 };
  });
  assert.deepEqual(stays, { headerAtTop: true, keyAtLeft: true });
});

test('on a phone each row is a card with its columns named, and dark mode can be chosen', async () => {
  const { page } = env;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Invoice'));
  await page.waitForSelector('table.rows tbody tr');
  const label = await page.evaluate(() => getComputedStyle(document.querySelector('table.rows tbody td[data-label="Total"]'), '::before').content);
  assert.equal(label, '"Total"');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth + 1), 'no sideways scrolling of the page');
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const light = await background();
  await page.click('.theme-toggle');
  assert.notEqual(await background(), light);
  await page.reload();
  await page.waitForSelector('table.rows tbody tr');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark', 'remembered');
  await page.click('.theme-toggle');
  assert.equal(await background(), light);
});
