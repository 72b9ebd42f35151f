// Times one import in two builds of the app, taking turns, in one run:
// the way to tell a 10 % change apart on a machine whose speed drifts
// 20-30 % between runs (two `make bench` runs cannot). Figures only.
//
//   node tools/compare-builds.mjs DIR_A DIR_B FILE [csv|json|sql|parquet] [ROUNDS]
//
// DIR_A and DIR_B are `dist/` folders (copy one aside before rebuilding);
// each round opens FILE in a fresh Chromium with each build, A and B in
// turn (alternating which goes first), timed from the click on "Open" to
// the database card, as `make bench` times its imports.
import { chromium } from 'playwright-core';
import { basename, dirname, resolve } from 'node:path';
import { serve } from './serve.mjs';
import { importWithApp } from './app-import.mjs';
import { CHROMIUM_ARGS } from '../tests/e2e/harness.mjs';

const [dirA, dirB, file, kind = 'csv', rounds = '5'] = process.argv.slice(2);
if (!dirA || !dirB || !file) {
  console.error('usage: node tools/compare-builds.mjs DIR_A DIR_B FILE [csv|json|sql|parquet] [ROUNDS]');
  process.exit(2);
}
const data = await serve({ root: dirname(resolve(file)), cors: true });
const builds = { A: await serve({ root: resolve(dirA) }), B: await serve({ root: resolve(dirB) }) };
const url = `${data.url}/${basename(file)}`;

async function importOnce(app) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const run = await importWithApp(await browser.newPage(), app, url, kind);
    return (await run()).ms;
  } finally {
    await browser.close();
  }
}

const times = { A: [], B: [] };
for (let i = 0; i < Number(rounds); i++) {
  for (const build of i % 2 ? ['B', 'A'] : ['A', 'B']) times[build].push(await importOnce(builds[build]));
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
for (const build of ['A', 'B']) {
  console.log(`${build} ${build === 'A' ? dirA : dirB}: median ${Math.round(median(times[build]))} ms (${times[build].map(Math.round).join(', ')})`);
}
console.log(`B takes ${(median(times.B) / median(times.A)).toFixed(2)}x A's time`);
process.exit(0);
