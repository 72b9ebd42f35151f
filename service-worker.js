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
//   again; when the network fails, the copy kept in `explorer-data` is
//   served. The data worker keeps those copies itself as it downloads
//   (www/data-cache.js), so a first visit, before this worker controls the
//   page, is kept too, and the cache has one writer with one size cap.
//   Ranged requests (lazy databases) skip the HTTP cache.
// - Navigations are answered with the app only for the app's own page
//   (the scope, or index.html); other pages in the scope, such as
//   embed-example.html, come from the network.
const VERSION = '{{VERSION}}';
const ASSETS = {{ASSETS}};
const SHELL = `explorer-shell-${VERSION}`;
const DATA = 'explorer-data';

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
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  const inScope = url.href.startsWith(self.registration.scope);
  const appPage = url.pathname === new URL(self.registration.scope).pathname || url.href.split(/[?#]/)[0] === scoped('index.html');
  if (inScope && request.mode === 'navigate' && appPage) {
    event.respondWith(shell(scoped('./'), request));
  } else if (inScope && ASSETS.some((a) => scoped(a) === url.href.split(/[?#]/)[0])) {
    event.respondWith(shell(url.href.split(/[?#]/)[0], request));
  } else if (url.protocol === 'http:' || url.protocol === 'https:') {
    event.respondWith(data(request));
  }
});

async function shell(key, request) {
  const cached = await caches.match(key, { cacheName: SHELL });
  return cached ?? fetch(request);
}

async function data(request) {
  try {
    // A ranged read (a lazy database's pages) skips the HTTP cache, as the
    // Fetch standard's default does for ranges: the worker keeps its own
    // page cache, and slices of a big file would crowd out everything else.
    const cache = request.headers.has('range') ? 'no-store' : 'no-cache';
    return await fetch(request, { cache });
  } catch (error) {
    const cached = request.mode === 'no-cors' ? undefined : await caches.match(request.url, { cacheName: DATA });
    if (cached) return cached;
    throw error;
  }
}
