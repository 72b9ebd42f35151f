// Entry point of the dedicated module worker: loads the worker's wasm, whose
// start function installs the message handler and posts `Ready`. The data
// cache (keeping downloads for offline use) is set up first.
import './{{data-cache.js}}';
import init from './{{worker.js}}';

init({ module_or_path: new URL('./{{worker_bg.wasm}}', import.meta.url) }).catch((error) => {
  // Surfaces in the page through the Worker's `error` event.
  setTimeout(() => { throw error; });
});
