// "Make searchable": any table of a database held here gets a full-text
// index of the columns the user ticks; the search box appears, searches
// rank, and the index is kept with the database in the browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, q } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

test('a table made searchable gets a search box, and keeps its index when kept in the browser', async () => {
  const { page } = env;
  await page.goto(env.appUrl(q([['csv', `${env.data.url}/csv/actions_under_antiquities_act.csv`]])));
  await page.waitForURL(/#\/data\/[^?]+$/);
  const table = page.url().split('#/data/')[1];
  await page.waitForSelector('table.rows tbody tr');
  assert.equal(await page.locator('form.search').count(), 0, 'no index yet');
  await page.click('details.make-searchable summary');
  // Text columns are ticked; numbers are not.
  assert.equal(await page.isChecked('details.make-searchable input[name="current_name"]'), true);
  assert.equal(await page.isChecked('details.make-searchable input[name="year"]'), false);
  await page.uncheck('details.make-searchable input[name="states"]');
  await page.click('details.make-searchable button[type=submit]');
  await page.waitForSelector('form.search input[type=search]');
  assert.equal(await page.locator('details.make-searchable').count(), 0, 'offered only while there is no index');
  await page.fill('form.search input[type=search]', 'Roosevelt');
  await page.click('form.search button[type=submit]');
  await page.waitForFunction(() => /_search=Roosevelt/.test(location.hash) && !document.querySelector('[aria-busy="true"]'));
  const presidents = await page.locator('table.rows tbody td[data-label="pres_or_congress"]').allTextContents();
  assert.ok(presidents.length > 10 && presidents.every((p) => /Roosevelt/.test(p)), presidents.join());

  // Kept in the browser, the index comes back with the database.
  await page.evaluate(() => { location.hash = '#/data'; });
  await page.click('button.keep-db');
  await page.waitForSelector('.keep-status:has-text("Kept in this browser")');
  await page.goto('about:blank');
  await page.goto(env.appUrl('', '#/'));
  await page.locator('.kept[data-name="data"] button.open-kept').click();
  await page.waitForSelector('.database-card h2:has-text("data")');
  await page.goto(env.appUrl('', `#/data/${table}?_search=Roosevelt`));
  await page.waitForSelector('form.search input[type=search]');
  await page.waitForSelector('table.rows tbody tr');
  assert.deepEqual(env.errors, []);
});
