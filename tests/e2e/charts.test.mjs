// Charts: guessed from the columns, changed with pickers, kept in the URL
// (a shareable link), embedded alone with _embed=1, downloaded as SVG and
// PNG; 100,000 points come back as a bounded picture; what cannot be
// charted says why and the rows stay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { start, q } from './harness.mjs';

let env;
let chinook;
before(async () => {
  env = await start();
  chinook = q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`]]);
});
after(async () => { await env?.close(); });

const label = (page) => page.getAttribute('.chart-figure svg', 'aria-label');

test('a chart is guessed from the columns, changed with its pickers, and kept in the URL', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Invoice'));
  await page.click('button.open-chart');
  await page.waitForSelector('.chart-figure svg');
  assert.equal(await label(page), 'Line chart: sum(Total) by InvoiceDate', 'a date and a number: a line');
  assert.match(await page.evaluate(() => location.hash), /_chart=1/);
  assert.equal(await page.inputValue('select.chart-kind'), 'line');
  assert.equal(await page.inputValue('select.chart-x'), 'InvoiceDate');
  assert.equal(await page.inputValue('select.chart-y'), 'Total');
  // Pickers: a bar of counts per country.
  await page.selectOption('select.chart-kind', 'bar');
  await page.waitForFunction(() => document.querySelector('.chart-figure svg')?.getAttribute('aria-label')?.startsWith('Bar chart'));
  await page.selectOption('select.chart-x', 'BillingCountry');
  await page.selectOption('select.chart-y', '');
  await page.waitForFunction(() => document.querySelector('.chart-figure svg')?.getAttribute('aria-label') === 'Bar chart: count by BillingCountry');
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /_chart=bar/);
  assert.match(hash, /_chart_x=BillingCountry/);
  assert.equal(await page.locator('.chart-figure svg .marks rect').count(), 24, 'a bar per country');
  const usa = await page.locator('.chart-figure svg .marks rect').first().locator('title').textContent();
  assert.equal(usa, 'USA: 91', 'the biggest bar first, with its value on hover');
  // The link alone brings the same chart back, and it follows the filters.
  await page.goto('about:blank');
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite/Invoice?BillingCountry=Canada&${hash.split('?')[1]}`));
  await page.waitForSelector('.chart-figure svg');
  assert.equal(await label(page), 'Bar chart: count by BillingCountry');
  assert.equal(await page.locator('.chart-figure svg .marks rect title').allTextContents().then((t) => t.join()), 'Canada: 56');
  await page.click('button.close-chart');
  await page.waitForSelector('button.open-chart');
  assert.doesNotMatch(await page.evaluate(() => location.hash), /_chart/);
});

test('charts download as SVG and PNG, in the theme colours', async () => {
  const { page } = env;
  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Invoice?_chart=histogram&_chart_x=Total'));
  await page.waitForSelector('.chart-figure svg');
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('button.download-svg')]);
  assert.equal(svg.suggestedFilename(), 'Invoice-histogram-Total.svg');
  const text = readFileSync(await svg.path(), 'utf8');
  assert.match(text, /^<svg [^>]*style="color: rgb\(/, 'currentColor fixed to the theme');
  assert.match(text, /aria-label="Histogram: count by Total"/);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('button.download-png')]);
  assert.equal(png.suggestedFilename(), 'Invoice-histogram-Total.png');
  const bytes = readFileSync(await png.path());
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
  assert.equal(bytes.readUInt32BE(16), Math.round(await page.evaluate(() => document.querySelector('.chart-figure svg').width.baseVal.value)) * 2, 'drawn at twice the size');
});

test('a query of 100,000 points charts as a bounded picture and the page stays usable', async () => {
  const { page } = env;
  const sql = 'with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000) select i, abs(random() % 1000) as noise, i % 3 as kind from n';
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?${q([['sql', sql], ['_chart', 'scatter'], ['_chart_x', 'i'], ['_chart_y', 'noise']])}`));
  await page.waitForSelector('.chart-figure svg', { timeout: 30000 });
  // Cells drawn as a path per shade: a handful of elements.
  const cells = await page.evaluate(() => [...document.querySelectorAll('.chart-figure svg .marks path')].map((p) => p.getAttribute('d').split('z').length - 1).reduce((a, b) => a + b, 0));
  assert.ok(cells > 1000 && cells <= 200 * 100, `${cells} cells`);
  assert.ok(await page.locator('.chart-figure svg .marks > *').count() <= 8);
  assert.match(await page.textContent('.chart-notes'), /100,000 points are drawn as [\d,]+ cells/);
  // A line of every row, by colour: four points per pixel column at most.
  await page.selectOption('select.chart-kind', 'line');
  await page.waitForFunction(() => document.querySelector('.chart-figure svg')?.getAttribute('aria-label')?.startsWith('Line chart'));
  await page.selectOption('select.chart-color', 'kind');
  await page.waitForFunction(() => document.querySelectorAll('.chart-figure svg .marks path').length === 3);
  const longest = await page.evaluate(() => Math.max(...[...document.querySelectorAll('.chart-figure svg .marks path')].map((p) => p.getAttribute('d').split('L').length)));
  assert.ok(longest <= 4 * 801, `${longest} points in a line`);
  // The result table under the chart still sorts.
  await page.click('th button.sort:has-text("noise")');
  await page.waitForSelector('th[aria-sort="ascending"]');
});

test('a second picker change made before the chart redraws is not lost', async () => {
  const { page } = env;
  const sql = 'with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000) select i, abs(random() % 1000) as noise, i % 3 as kind from n';
  await page.goto(env.appUrl(chinook, `#/Chinook_Sqlite?${q([['sql', sql], ['_chart', 'scatter'], ['_chart_x', 'i'], ['_chart_y', 'noise']])}`));
  await page.waitForSelector('.chart-figure[aria-busy="false"] svg', { timeout: 30000 });
  // The worker takes a while over 100,000 rows: the second change comes
  // while the first one's chart is still being made.
  await page.selectOption('select.chart-kind', 'line');
  await page.selectOption('select.chart-color', 'kind');
  await page.waitForFunction(() => document.querySelector('.chart-figure[aria-busy="false"] svg')?.getAttribute('aria-label') === 'Line chart: noise by i, coloured by kind', null, { timeout: 30000 });
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /_chart=line/);
  assert.match(hash, /_chart_color=kind/);
});

test('an embedded chart is the chart alone; what cannot be charted says why and keeps the rows', async () => {
  const { page } = env;
  await page.goto(env.appUrl(`${chinook}&_embed=1`, '#/Chinook_Sqlite/Invoice?_chart=bar&_chart_x=BillingCountry'));
  await page.waitForSelector('.chart-figure svg');
  assert.equal(await page.locator('table.rows').count(), 0, 'no rows');
  assert.equal(await page.locator('.chart-pickers').count(), 0, 'no pickers');
  assert.equal(await page.locator('.open-full a').count(), 1, 'a link out');
  const sql = 'select BillingCountry, count(*) as n from Invoice group by 1';
  await page.goto(env.appUrl(`${chinook}&_embed=1`, `#/Chinook_Sqlite?${q([['sql', sql], ['_chart', 'bar']])}`));
  await page.waitForSelector('.chart-figure svg');
  assert.equal(await label(page), 'Bar chart: sum(n) by BillingCountry');
  assert.equal(await page.locator('textarea').count(), 0, 'no editor');

  await page.goto(env.appUrl(chinook, '#/Chinook_Sqlite/Invoice?_chart=scatter&_chart_x=BillingCountry'));
  await page.waitForSelector('.chart .error');
  assert.match(await page.textContent('.chart .error'), /needs numbers or dates on x, and “BillingCountry” holds text/);
  assert.ok(await page.locator('table.rows tbody tr').count() > 0, 'the rows are still there');
  await page.selectOption('select.chart-kind', 'bar');
  await page.waitForSelector('.chart-figure svg');
  assert.deepEqual(env.errors, []);
});
