// Prints the app's transfer size and its load speed. Figures, not tests:
// nothing here passes or fails. Run with `make bench` (builds dist/ first).
//
//   node tools/bench.mjs [--runs 7]
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { CHROMIUM_ARGS, SHARED } from '../tests/e2e/harness.mjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// --- Size: what a first visit downloads, by part.
const files = readdirSync('dist');
const groups = {
  'UI wasm': files.filter((f) => /^app-.*_bg\.wasm$/.test(f)),
  'worker wasm': files.filter((f) => /^worker-.*_bg\.wasm$/.test(f)),
  'JS + HTML': files.filter((f) => /\.(js|html)$/.test(f)),
  CSS: files.filter((f) => f.endsWith('.css')),
};
console.log('Transfer size of the app (dist/, excluding the demo database)');
console.log('part           raw        gzip       brotli');
let total = [0, 0, 0];
for (const [part, names] of Object.entries(groups)) {
  const bytes = Buffer.concat(names.map((n) => readFileSync(join('dist', n))));
  const sizes = [bytes.length, gzipSync(bytes, { level: 9 }).length, brotliCompressSync(bytes).length];
  total = total.map((t, i) => t + sizes[i]);
  console.log(`${part.padEnd(14)} ${sizes.map((s) => kb(s).padEnd(10)).join(' ')}`);
}
console.log(`${'total'.padEnd(14)} ${total.map((s) => kb(s).padEnd(10)).join(' ')}`);

// --- Speed: navigation to the first rendered table list, Chinook by ?url=.
const app = await serve({ root: 'dist' });
const data = await serve({ root: SHARED, cors: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const times = [];
try {
  for (let i = 0; i < RUNS; i++) {
    // A fresh context each run: nothing cached.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector('.tables .table-item')) {
          window.__firstTableList = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const url = `${app.url}/?url=${encodeURIComponent(`${data.url}/sqlite/Chinook_Sqlite.sqlite`)}`;
    await page.goto(url);
    await page.waitForFunction(() => window.__firstTableList !== undefined, null, { timeout: 30000 });
    times.push(await page.evaluate(() => window.__firstTableList));
    await context.close();
  }
} finally {
  await browser.close();
  await app.close();
  await data.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`\nNavigation to first table list, Chinook (984 KB) via ?url= on loopback, cold cache, ${RUNS} runs`);
console.log(`median ${median.toFixed(0)} ms  (min ${times[0].toFixed(0)}, max ${times.at(-1).toFixed(0)})`);
