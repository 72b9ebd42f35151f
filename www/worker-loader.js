// Entry point of the dedicated module worker: loads the worker's wasm, whose
// start function installs the message handler and posts `Ready`. The data
// cache (keeping downloads for offline use) is set up first.
import './{{data-cache.js}}';
import init from './{{worker.js}}';

// The downloads the page's address names (`prefetch=` in the worker's name,
// set by index.html) start now, while the wasm downloads and compiles;
// fetch.rs takes each one (once) instead of fetching it again. A failed
// one is fetched again there, which explains the failure.
const prefetched = new Map();
for (const url of new URLSearchParams(self.name).getAll('prefetch')) {
  const controller = new AbortController();
  const response = fetch(url, { mode: 'cors', signal: controller.signal });
  response.catch(() => {});
  prefetched.set(url, { response, controller });
}
self.explorerTakePrefetched = (url, signal) => {
  const entry = prefetched.get(url);
  if (!entry) return undefined;
  prefetched.delete(url);
  signal.addEventListener('abort', () => entry.controller.abort(), { once: true });
  return entry.response;
};
// One nobody took in a minute is not wanted: free its body.
setTimeout(() => {
  for (const { controller } of prefetched.values()) controller.abort();
  prefetched.clear();
}, 60000);

init({ module_or_path: new URL('./{{worker_bg.wasm}}', import.meta.url) }).catch((error) => {
  // Surfaces in the page through the Worker's `error` event.
  setTimeout(() => { throw error; });
});
