// Comparing two versions of a table: two CSV URLs, "Compare with another
// version…" from a table page, the summary and groups, the changed fields
// old → new, a URL that reloads to the same view, another key, and the
// difference downloaded as JSON and CSV.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { start, q } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

test('two CSV versions compare by their guessed key, from a table page, in a URL that reloads the same', async () => {
  const { page } = env;
  const versions = q([['csv', `${env.badData.url}/pets-2024.csv`], ['csv', `${env.badData.url}/pets-2025.csv`]]);
  await page.goto(env.appUrl(versions, '#/data/pets-2024'));
  await page.waitForSelector('table.rows tbody tr');
  await page.click('.compare-with a');
  await page.waitForSelector('.compare-summary');
  assert.equal(await page.textContent('.compare-summary strong'), '1 row added, 1 removed, 1 changed; column “email” added; column “zip” removed');
  assert.match(await page.textContent('.compare-summary'), /Matched by id \(guessed\)/);
  assert.equal(await page.inputValue('select.compare-left'), 'data/pets-2024');
  assert.equal(await page.inputValue('select.compare-right'), 'data/pets-2025');
  assert.deepEqual(await page.locator('.compare-added table.rows tbody td').allTextContents(), ['5', 'New', '3', 'NULL']);
  assert.deepEqual(await page.locator('.compare-removed table.rows tbody td[data-label="name"]').allTextContents(), ['Gone']);
  const change = page.locator('.compare-changed li[data-column="age"]');
  assert.equal(await change.locator('del').textContent(), '4');
  assert.equal(await change.locator('ins').textContent(), '5');
  // The URL alone brings the same comparison back.
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /^#\/-\/compare\?left=data%2Fpets-2024&right=data%2Fpets-2025/);
  await page.goto('about:blank');
  await page.goto(env.appUrl(versions, hash));
  await page.waitForSelector('.compare-summary');
  assert.match(await page.textContent('.compare-summary strong'), /^1 row added, 1 removed, 1 changed/);
  // Another key: by name, every row of both is matched the same way here.
  await page.check('.compare-key input[name="name"]');
  await page.waitForFunction(() => /key=id&key=name/.test(location.hash) && document.querySelector('.compare-outcome')?.getAttribute('aria-busy') === 'false');
  assert.match(await page.textContent('.compare-summary'), /Matched by id \+ name\./);
  await page.uncheck('.compare-key input[name="id"]');
  await page.waitForFunction(() => /key=name$/.test(location.hash) && document.querySelector('.compare-outcome')?.getAttribute('aria-busy') === 'false');
  assert.match(await page.textContent('.compare-summary'), /Matched by name\./);
  assert.deepEqual(env.errors, []);
});

test('the difference downloads as csv-diff JSON and as CSV', async () => {
  const { page } = env;
  const versions = q([['csv', `${env.badData.url}/pets-2024.csv`], ['csv', `${env.badData.url}/pets-2025.csv`]]);
  await page.goto(env.appUrl(versions, '#/-/compare?left=data/pets-2024&right=data/pets-2025&key=id'));
  await page.waitForSelector('.compare-summary');
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('button.download-diff-json')]);
  assert.equal(json.suggestedFilename(), 'pets-2024-vs-pets-2025.json');
  const diff = JSON.parse(readFileSync(await json.path(), 'utf8'));
  assert.deepEqual(diff.changed, [{ key: 1, changes: { age: [4, 5] } }]);
  assert.deepEqual(diff.columns_added, ['email']);
  assert.deepEqual(diff.removed.map((r) => r.name), ['Gone']);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('button.download-diff-csv')]);
  const lines = readFileSync(await csv.path(), 'utf8').trim().split('\r\n');
  assert.equal(lines[0], 'change,id,column,old,new');
  assert.ok(lines.includes('changed,1,age,4,5'), lines.join('\n'));
  // Choosing no tables yet is a hint, not an error.
  await page.evaluate(() => { location.hash = '#/-/compare'; });
  await page.waitForSelector('.compare-page .muted:has-text("Choose the old version")');
});

test('the groups page together, with their counts whole on every page', async () => {
  const { page } = env;
  const chinook = q([['url', `${env.data.url}/sqlite/Chinook_Sqlite.sqlite`]]);
  await page.goto(env.appUrl(chinook, '#/-/compare?left=Chinook_Sqlite/Employee&right=Chinook_Sqlite/Customer&key=Email&_size=5'));
  await page.waitForSelector('.compare-summary');
  const summary = await page.textContent('.compare-summary strong');
  assert.match(summary, /^59 rows added, 8 removed, 0 changed/);
  const firstAdded = () => page.textContent('.compare-added table.rows tbody tr:first-child td[data-label="Email"]');
  const before = await firstAdded();
  assert.equal(await page.locator('.compare-added table.rows tbody tr').count(), 5);
  await page.click('.compare-pager a.next-page');
  await page.waitForFunction(() => /_page=2/.test(location.hash) && document.querySelector('.compare-outcome')?.getAttribute('aria-busy') === 'false');
  assert.notEqual(await firstAdded(), before);
  assert.equal(await page.textContent('.compare-summary strong'), summary);
  assert.match(await page.textContent('.compare-pager'), /Rows from 6 of each group/);
  await page.click('.compare-pager a.previous-page');
  await page.waitForFunction(() => !/_page=/.test(location.hash));
});
