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
//   Ranged requests (lazy databases) skip the HTTP cache; offline, they are
//   answered from the pieces the data worker kept as it read them, or with
//   a 504 that names the bytes never read online (`fromPieces`).
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
  } else if ((url.protocol === 'http:' || url.protocol === 'https:') && (request.headers.has('range') || !self.navigator.onLine)) {
    // Online, a whole download goes straight to the network: passing it
    // through here cost a tenth of a big import (2 cores), and the data
    // worker keeps its own copy and reads it when the network fails
    // (fetch.rs). Ranged reads always come here: offline, or when the
    // server stops answering, the pieces kept answer them.
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
    const pieces = request.headers.has('range') ? await fromPieces(request) : undefined;
    if (pieces) return pieces;
    throw error;
  }
}

/** A ranged request answered from kept pieces (www/data-cache.js): a 206
 *  when they cover it, a 504 naming the first missing bytes when not,
 *  undefined when nothing of the file was kept. */
async function fromPieces(request) {
  const asked = /^bytes=(\d+)-(\d*)$/.exec(request.headers.get('range'));
  if (!asked) return undefined;
  const data = await caches.open(DATA);
  const prefix = scoped(`explorer-ranges/${encodeURIComponent(request.url)}/`);
  const pieces = [];
  for (const key of await data.keys()) {
    if (!key.url.startsWith(prefix)) continue;
    const [start, end] = key.url.slice(prefix.length).split('-').map(Number);
    pieces.push({ key, start, end });
  }
  if (pieces.length === 0) return undefined;
  const sample = await data.match(pieces[0].key);
  const size = Number(sample.headers.get('x-content-range').split('/')[1]);
  const start = Number(asked[1]);
  const end = Math.min(asked[2] ? Number(asked[2]) : size - 1, size - 1);
  const body = new Uint8Array(Math.max(end - start + 1, 0));
  for (let at = start; at <= end;) {
    // The piece that covers `at` and reaches furthest.
    const piece = pieces.filter((p) => p.start <= at && p.end >= at).sort((a, b) => b.end - a.end)[0];
    if (!piece) {
      return new Response(null, { status: 504, statusText: 'Offline', headers: { 'x-explorer-offline': `bytes ${at}-${end}` } });
    }
    const bytes = new Uint8Array(await (await data.match(piece.key)).arrayBuffer());
    const to = Math.min(piece.end, end);
    body.set(bytes.subarray(at - piece.start, to - piece.start + 1), at - start);
    at = to + 1;
  }
  const headers = { 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(body.length) };
  for (const name of ['etag', 'last-modified']) {
    const value = sample.headers.get(name);
    if (value) headers[name] = value;
  }
  return new Response(body, { status: 206, headers });
}
