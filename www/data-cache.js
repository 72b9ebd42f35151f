// Two caches the data worker writes (both reached through
// `globalThis.explorerDataCache`):
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

globalThis.explorerDataCache = { keep, record, lookup, CAP_BYTES, saveSnapshot, loadSnapshot, dropSnapshots };
