// Entry point of the dedicated module worker: loads the worker's wasm, whose
// start function installs the message handler and posts `Ready`. The data
// cache (keeping downloads for offline use) is set up first.
import './{{data-cache.js}}';
import init from './{{worker.js}}';

// The downloads the page's address names (`prefetch=` and `prefetch-db=` in
// the worker's name, set by index.html) start now, while the wasm downloads
// and compiles; fetch.rs takes each one (once) instead of fetching it again.
// A failed one is fetched again there, which explains the failure; a 206
// is the range probe of a database to read lazily.
const prefetched = new Map();
const params = new URLSearchParams(self.name);
const fetchWhole = (url, signal) => fetch(url, { mode: 'cors', signal });
// An SQLite file (`prefetch-db`) is asked for by its first bytes first: a
// server that answers the range with a size above protocol::LAZY_ABOVE_BYTES
// has it read lazily (fetch.rs), so nothing more is fetched here; anything
// else is then fetched whole. (Starting the whole download and stopping it
// would waste what arrives meanwhile, and leave the HTTP cache a truncated
// entry that a later request resumes in full.)
async function prefetchDatabase(url, signal) {
  if (params.get('lazy') === '0') return fetchWhole(url, signal);
  const first = await fetch(url, { mode: 'cors', signal, headers: { Range: 'bytes=0-99' } });
  if (first.status !== 206) return first;
  const size = Number((first.headers.get('content-range') ?? '').split('/')[1]);
  // The probe itself goes to fetch.rs, which reads the file lazily from it.
  if (params.get('lazy') === '1' || size > 32 * 1024 * 1024) return first;
  // Read to its end: an unread body keeps the HTTP cache's entry for this
  // URL locked, and the whole download below would wait for it (20 s).
  await first.arrayBuffer();
  return fetchWhole(url, signal);
}
const databases = params.getAll('prefetch-db');
for (const url of [...databases, ...params.getAll('prefetch')]) {
  const controller = new AbortController();
  const response = databases.includes(url) ? prefetchDatabase(url, controller.signal) : fetchWhole(url, controller.signal);
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

// YAML metadata, converted to JSON by a module of its own, loaded the
// first time (crates/metadata-yaml): most visits never need a YAML parser.
let yamlModule;
self.explorerYamlToJson = async (text) => {
  yamlModule ??= import(new URL('./{{metadata-yaml.js}}', import.meta.url).href).then(async (m) => {
    await m.default({ module_or_path: new URL('./{{metadata-yaml_bg.wasm}}', import.meta.url) });
    return m;
  });
  return (await yamlModule).yaml_to_json(text);
};

// Parquet files, read a row group at a time into JSON rows by a module of
// its own (crates/parquet-json: the reader and five codecs, ~880 KB gzip),
// loaded the first time one is opened. The worker hands it the file's
// footer, then each row group's bytes (crates/worker/src/parquet.rs).
// After a trap (a panic: they abort in wasm) its instance is not used
// again: the next file imports a fresh copy (a new URL is a new module
// record; the service worker serves it from the same cached file).
let parquetModule;
let parquetInstances = 0;
const READER_FAILED = 'The Parquet reader failed on this file (it may be damaged, or use a feature the reader lacks).';
self.explorerParquetReader = async () => {
  parquetModule ??= import(new URL(`./{{parquet-json.js}}?instance=${parquetInstances++}`, import.meta.url).href).then(async (m) => {
    await m.default({ module_or_path: new URL('./{{parquet-json_bg.wasm}}', import.meta.url) });
    return m;
  });
  parquetModule.catch(() => { parquetModule = undefined; });
  const loading = parquetModule;
  const module = await loading;
  // The module throws its errors as strings; anything else is a trap.
  const guarded = (work) => {
    try {
      return work();
    } catch (error) {
      if (typeof error !== 'string') {
        if (parquetModule === loading) parquetModule = undefined;
        throw READER_FAILED;
      }
      throw error;
    }
  };
  return {
    footerLength: (head, tail, len) => guarded(() => module.ParquetRows.footer_length(head, tail, len)),
    open: (len, footer) => {
      const rows = guarded(() => new module.ParquetRows(len, footer));
      return {
        groups: () => rows.groups(),
        groupStart: (index) => rows.group_start(index),
        groupEnd: (index) => rows.group_end(index),
        startGroup: (index, bytes) => guarded(() => rows.start_group(index, bytes)),
        nextChunk: () => guarded(() => rows.next_chunk()),
        free: () => { try { rows.free(); } catch { /* already gone with a trapped instance */ } },
      };
    },
  };
};

// CSV files are parsed in a second worker while this one inserts
// (crates/worker/src/csv_pipeline.rs): this same script and wasm, in the
// role `csv-parser` (csv_thread.rs), given this worker's compiled module so
// nothing is fetched or compiled again. `undefined` (or a rejection) where
// it cannot run: the file is then parsed here. A parser that crashes or
// does not start is dropped; the next import starts another.
// Only with more than two cores (or `?_threads=2`; `?_threads=1` never):
// on two, the second thread competes with the download and the browser
// itself, and `make bench` measured no gain there for ~80 MB more memory.
const threads = params.get('threads');
const parserWanted = threads ? threads !== '1' : (navigator.hardwareConcurrency ?? 2) > 2;
let csvParser;
self.explorerCsvParser = (module) => {
  if (typeof Worker !== 'function' || !parserWanted) return undefined;
  csvParser ??= new Promise((resolve, reject) => {
    let worker;
    try {
      worker = new Worker(import.meta.url, { type: 'module', name: 'role=csv-parser' });
    } catch (error) {
      reject(error);
      return;
    }
    const queue = [];
    let waiting;
    let stopped;
    const deliver = (message) => {
      if (waiting) {
        const wake = waiting;
        waiting = undefined;
        wake(message);
      } else {
        queue.push(message);
      }
    };
    const stop = (why) => {
      if (stopped) return;
      stopped = { crashed: String(why) };
      csvParser = undefined;
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(stopped.crashed));
      deliver(stopped);
    };
    // `next` hands out one promise per message: asked again before the
    // message comes, it returns the same one, so a wait the worker gave up
    // (its download answered first) still gets the message later.
    let pending;
    const port = {
      send: (message, transfer) => worker.postMessage(message, transfer ?? []),
      next: () => {
        if (queue.length) return Promise.resolve(queue.shift());
        if (stopped) return Promise.resolve(stopped);
        pending ??= new Promise((wake) => {
          waiting = (message) => {
            pending = undefined;
            wake(message);
          };
        });
        return pending;
      },
    };
    const timer = setTimeout(() => stop('it did not start'), 15000);
    worker.onmessage = ({ data }) => {
      if (data?.ready) {
        clearTimeout(timer);
        resolve(port);
      } else if (data?.crashed) {
        stop(data.crashed);
      } else {
        deliver(data);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      stop(event.message || 'it failed');
    };
    worker.postMessage({ module });
  });
  csvParser.catch(() => {});
  return csvParser;
};

const failed = (error) => {
  // Surfaces in the page through the Worker's `error` event.
  setTimeout(() => { throw error; });
};
if (params.get('role') === 'csv-parser') {
  // The wasm's start function sees the role and serves the first worker.
  self.explorerRole = 'csv-parser';
  self.onmessage = ({ data }) => {
    self.onmessage = null;
    init({ module_or_path: data.module }).catch(failed);
  };
} else {
  init({ module_or_path: new URL('./{{worker_bg.wasm}}', import.meta.url) }).catch(failed);
}
