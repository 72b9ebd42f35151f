// The explorer's service worker: the app works offline, and datasets opened
// by URL can be reopened offline. tools/build-dist.mjs fills in VERSION (a
// hash of every asset name, themselves content-hashed) and ASSETS.
//
// - The app shell is precached under a cache named for this build; a new
//   build installs beside it and waits. The page offers "reload", which
//   tells the waiting worker to take over; then old shell caches go, so a
//   tab never mixes versions.
// - Data requests (any GET that is not the shell: ?url=, ?csv=, metadata…)
//   go to the network with `cache: 'no-cache'`, so the browser revalidates
//   with ETag / Last-Modified instead of downloading an unchanged file
//   again; a successful answer up to KEEP_AT_MOST is kept, and served when
//   the network fails.
const VERSION = '{{VERSION}}';
const ASSETS = {{ASSETS}};
const SHELL = `explorer-shell-${VERSION}`;
const DATA = 'explorer-data';
// Larger downloads are passed through without a kept copy: keeping one
// means reading the body twice, which slowed a 36 MB CSV import by half
// and added its size again to the tab's memory (`make bench`).
const KEEP_AT_MOST = 16 * 1024 * 1024;

const scoped = (path) => new URL(path, self.registration.scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(ASSETS.map(scoped))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('explorer-shell-') && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data?.type === 'skip-waiting') self.skipWaiting();
  if (event.data?.type === 'version') event.source?.postMessage({ type: 'version', version: VERSION });
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  const inScope = url.href.startsWith(self.registration.scope);
  if (inScope && request.mode === 'navigate') {
    event.respondWith(shell(scoped('./'), request));
  } else if (inScope && ASSETS.some((a) => scoped(a) === url.href.split('?')[0])) {
    event.respondWith(shell(url.href.split('?')[0], request));
  } else if (url.protocol === 'http:' || url.protocol === 'https:') {
    event.respondWith(data(request));
  }
});

async function shell(key, request) {
  const cached = await caches.match(key, { cacheName: SHELL });
  return cached ?? fetch(request);
}

async function data(request) {
  const cache = await caches.open(DATA);
  try {
    const response = await fetch(request, { cache: 'no-cache' });
    const length = Number(response.headers.get('content-length') ?? NaN);
    const small = Number.isFinite(length) ? length <= KEEP_AT_MOST : true;
    if (response.ok && small && (response.type === 'basic' || response.type === 'cors')) {
      // Kept for offline use; the stream goes to the page at the same time.
      cache.put(request.url, response.clone()).catch(() => {});
    }
    return response;
  } catch (error) {
    const cached = request.mode === 'no-cors' ? undefined : await cache.match(request.url);
    if (cached) return cached;
    throw error;
  }
}
