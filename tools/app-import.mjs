// Timing one import in the app as a person does it, for the figures
// scripts (`bench.mjs`, `compare-builds.mjs`).

/** This app: pick the kind (CSV by default) in the home page's form, fill
 *  in the URL and return a function that submits it and times until the
 *  `data` database's card is rendered (a MutationObserver in the page). */
export async function importWithApp(page, app, fileUrl, kind = 'csv', query = '') {
  await page.addInitScript(() => {
    new MutationObserver(() => {
      if (!window.__done && [...document.querySelectorAll('.database-card h2')].some((h) => h.textContent === 'data')) {
        window.__done = performance.now();
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  await page.goto(`${app.url}/${query}`);
  await page.waitForSelector('.database-card');
  await page.selectOption('.open-url select', kind);
  await page.fill('#open-url', fileUrl);
  return async () => {
    const started = await page.evaluate(() => {
      const t = performance.now();
      document.querySelector('.open-url button').click();
      return t;
    });
    await page.waitForFunction(() => window.__done !== undefined, null, { timeout: 120000, polling: 50 });
    const count = await page.evaluate(() => document.querySelector('.database-card:has(h2 a[href="#/data"]) .muted')?.textContent);
    return { ms: (await page.evaluate(() => window.__done)) - started, note: count };
  };
}
