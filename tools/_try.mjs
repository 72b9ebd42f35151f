import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { CHROMIUM_ARGS, SHARED } from '../tests/e2e/harness.mjs';
const app = await serve({ root: 'dist' });
const data = await serve({ root: SHARED, cors: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
for (let i = 0; i < 2; i++) {
const page = await browser.newPage();
page.on('pageerror', e => console.log('pageerror:', e.message));
await page.goto(app.url + '/');
await page.waitForSelector('.database-card');
await page.selectOption('.open-url select', 'csv');
await page.fill('#open-url', `${data.url}/csv/atp_matches_1968-2024_concat.csv`);
const t0 = await page.evaluate(() => performance.now());
await page.click('.open-url button');
await page.waitForSelector('.database-card h2:has-text("data")', { timeout: 120000 });
const t1 = await page.evaluate(() => performance.now());
console.log('ours', t1 - t0);
await page.close();
}
await browser.close(); await app.close(); await data.close();
