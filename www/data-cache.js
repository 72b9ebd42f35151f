// Two caches the data worker writes (both reached through
// `globalThis.explorerDataCache`): datasets kept for offline use (1, whole
// downloads; 3, pieces of databases read lazily) and copies of databases
// changed in the tab (2).
//
// 1. Datasets kept for offline use, written by the data worker itself as it
// downloads them. The service worker only controls a page from its second
// visit on, so a cache filled there would miss what a person opened on
// their first visit; the data worker sees every download.
//
// - `explorer-data` holds the responses, keyed by URL (the service worker
//   serves them when the network fails, and so does `lookup`).
// - `explorer-data-sizes` holds, under the same URL, `{bytes, used}`: the
//   bytes actually read (a response without Content-Length counts too)
//   and when it was last opened, for least-recently-used eviction once
//   the total passes CAP_BYTES.
const DATA = 'explorer-data';
const SIZES = 'explorer-data-sizes';
export const CAP_BYTES = 512 * 1024 * 1024;

/** Starts keeping `stream` (one branch of a tee) as the response for `url`. */
async function keep(url, stream, headers) {
  try {
    const kept = new Headers();
    for (const name of ['content-type', 'etag', 'last-modified']) {
      const value = headers.get(name);
      if (value) kept.set(name, value);
    }
    await (await caches.open(DATA)).put(url, new Response(stream, { headers: kept }));
    return true;
  } catch {
    // A cancelled or broken download is not kept; neither is one over quota.
    return false;
  }
}

/** Records the size of a kept response (also when it is opened again), then
 *  evicts the least recently used past `cap`. */
async function record(url, bytes, cap = CAP_BYTES) {
  try {
    const sizes = await caches.open(SIZES);
    await sizes.put(url, new Response(JSON.stringify({ bytes, used: Date.now() })));
    await evict(url, cap);
  } catch {
    // Storage refused (quota, private mode): the dataset still opened.
  }
}

async function evict(keepUrl, cap) {
  const data = await caches.open(DATA);
  const sizes = await caches.open(SIZES);
  const entries = [];
  for (const request of await data.keys()) {
    const row = await sizes.match(request.url);
    const info = row ? await row.json() : { bytes: 0, used: 0 };
    entries.push({ url: request.url, ...info });
  }
  let total = entries.reduce((sum, e) => sum + e.bytes, 0);
  entries.sort((a, b) => a.used - b.used);
  for (const entry of entries) {
    if (total <= cap) break;
    // The newest is dropped too when it alone is over the cap.
    if (entry.url === keepUrl && entry.bytes <= cap) continue;
    await data.delete(entry.url);
    await sizes.delete(entry.url);
    total -= entry.bytes;
  }
}

/** The kept response for `url`, or undefined. */
async function lookup(url) {
  try {
    return (await (await caches.open(DATA)).match(url)) ?? undefined;
  } catch {
    return undefined;
  }
}

// 2. Copies of databases made or changed in the tab (imports, writes), in
//    `explorer-recovery`, under this tab's session id, so that a worker that
//    crashed or was stopped can be replaced and every database reopened as it
//    was. A fresh page clears its session's copies; other sessions' copies go
//    after a day (tabs that closed).
const RECOVERY = 'explorer-recovery';
const DAY_MS = 24 * 60 * 60 * 1000;
const recoveryKey = (session, name) =>
  new URL(`recovery/${encodeURIComponent(session)}/${encodeURIComponent(name)}`, self.location.origin + self.location.pathname).href;

async function saveSnapshot(session, name, source, bytes) {
  try {
    const headers = { 'x-source': encodeURIComponent(source), 'x-saved-at': String(Date.now()) };
    await (await caches.open(RECOVERY)).put(recoveryKey(session, name), new Response(bytes, { headers }));
    return true;
  } catch {
    return false;
  }
}

/** `{ bytes, source }` of the saved copy, or undefined. */
async function loadSnapshot(session, name) {
  try {
    const response = await (await caches.open(RECOVERY)).match(recoveryKey(session, name));
    if (!response) return undefined;
    const source = decodeURIComponent(response.headers.get('x-source') ?? '');
    return { bytes: new Uint8Array(await response.arrayBuffer()), source };
  } catch {
    return undefined;
  }
}

async function dropSnapshots(session, fresh) {
  try {
    const cache = await caches.open(RECOVERY);
    const mine = recoveryKey(session, '');
    for (const request of await cache.keys()) {
      const ours = request.url.startsWith(mine);
      const savedAt = Number((await cache.match(request))?.headers.get('x-saved-at') ?? 0);
      if ((ours && fresh) || (!ours && Date.now() - savedAt > DAY_MS)) await cache.delete(request);
    }
  } catch {
    // Nothing to clean, or no storage: recovery then reopens from sources.
  }
}

// 3. Pieces of databases read lazily (ranged requests), so what was read
//    online can be read again offline. Each piece is an entry of
//    `explorer-data` under a key of its own (`pieceKey`, beside the app:
//    the service worker finds them from its scope), sized and evicted like
//    any other entry. The Cache API refuses 206 answers, so a piece is kept
//    as a 200 whose `x-content-range` says where it lies in the file. The
//    service worker answers ranged requests from them when the network
//    fails.
const piecesOf = (url) => new URL(`explorer-ranges/${encodeURIComponent(url)}/`, self.location.href).href;
const pieceKey = (url, start, end) => `${piecesOf(url)}${start}-${end}`;
/** The version (`x-content-range` size, ETag, Last-Modified) whose pieces
 *  were kept this session, by URL: pieces of another version go. */
const versions = new Map();
/** Bytes kept since the last eviction: evicting reads every entry's size,
 *  too much to do for each 4 KB piece. */
let unevicted = 0;
const EVICT_EVERY_BYTES = 8 * 1024 * 1024;

async function keepPiece(url, start, buffer, size, etag, lastModified) {
  try {
    const data = await caches.open(DATA);
    const version = `${size} ${etag} ${lastModified}`;
    if (versions.get(url) !== version) {
      versions.set(url, version);
      await dropOtherVersions(data, url, version);
    }
    const end = start + buffer.byteLength - 1;
    const headers = { 'x-content-range': `bytes ${start}-${end}/${size}`, 'x-version': version };
    if (etag) headers.etag = etag;
    if (lastModified) headers['last-modified'] = lastModified;
    const key = pieceKey(url, start, end);
    await data.put(key, new Response(buffer, { headers }));
    const sizes = await caches.open(SIZES);
    await sizes.put(key, new Response(JSON.stringify({ bytes: buffer.byteLength, used: Date.now() })));
    unevicted += buffer.byteLength;
    if (unevicted >= EVICT_EVERY_BYTES) {
      unevicted = 0;
      await evict(key, CAP_BYTES);
    }
  } catch {
    // Not kept (quota, private mode): the page was still read.
  }
}

async function dropOtherVersions(data, url, version) {
  const sizes = await caches.open(SIZES);
  for (const request of await data.keys()) {
    if (!request.url.startsWith(piecesOf(url))) continue;
    const kept = await data.match(request);
    if (kept?.headers.get('x-version') !== version) {
      await data.delete(request);
      await sizes.delete(request.url);
    }
  }
}

globalThis.explorerDataCache = { keep, record, lookup, CAP_BYTES, saveSnapshot, loadSnapshot, dropSnapshots, keepPiece };
