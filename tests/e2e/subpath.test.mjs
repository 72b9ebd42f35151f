// dist/ works from any static host under a sub-path: page, app, worker, data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.mjs';

test('the app, its worker and the demo database load under /some/path/', async () => {
  const env = await start({ appPrefix: '/some/path/' });
  try {
    await env.page.goto(env.appUrl('', '#/demo/Artist?_size=3'));
    await env.page.waitForSelector('.total:text("40 rows")');
    const requested = env.app.requests.filter((p) => !p.startsWith('/some/path/'));
    assert.deepEqual(requested, [], 'nothing is requested outside the sub-path');
    assert.ok(env.app.requests.some((p) => /^\/some\/path\/worker-[0-9a-f]+_bg\.wasm$/.test(p)));
    assert.deepEqual(env.errors, []);
    // The service worker is registered for the sub-path, and serves it.
    await env.page.waitForFunction(() => navigator.serviceWorker?.controller != null);
    const scope = await env.page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).scope);
    assert.equal(scope, `${env.app.url}/some/path/`);
    await env.context.setOffline(true);
    await env.page.reload();
    await env.page.waitForSelector('.total:text("40 rows")');
    await env.context.setOffline(false);
  } finally {
    await env.close();
  }
});
