//! Reading bytes from the network or a local file as a stream, with the
//! ways it can fail told apart.

// A failure is the reply itself (`ResponseBody::Error`), as in worker.rs.
#![allow(clippy::result_large_err)]

use js_sys::{Promise, Reflect, Uint8Array};
use protocol::{ErrorKind, ErrorReport, ResponseBody};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::data_cache;
use crate::ranges::HttpRanges;
use web_sys::{AbortSignal, File, ReadableStreamDefaultReader, RequestInit, RequestMode, Response, ResponseType, WorkerGlobalScope};

pub fn error(kind: ErrorKind, message: String) -> ResponseBody {
    ResponseBody::Error(ErrorReport::new(kind, message))
}

/// A body being read, and its length when the server said.
pub struct ByteStream {
    reader: ReadableStreamDefaultReader,
    pub total: Option<u64>,
    label: String,
    /// A download being kept for offline use (see `www/data-cache.js`):
    /// its URL and the bytes read so far, recorded when it ends.
    kept: Option<(String, u64)>,
}

/// Starts downloading `url`; fails with a message that says what happened.
/// What downloads in full is kept for offline use; when the network
/// fails, a kept copy is used.
pub async fn open_url(url: &str, signal: &AbortSignal) -> Result<ByteStream, ResponseBody> {
    match open_url_or_ranges(url, signal, Some(false)).await? {
        Opening::Whole(stream) => Ok(stream),
        Opening::Lazily(..) => Err(error(ErrorKind::Other, format!("{url}: it can only be read lazily"))),
    }
}

/// A database by URL: downloaded whole, or read by ranges as needed.
pub enum Opening {
    Whole(ByteStream),
    Lazily(HttpRanges, u64),
}

/// `open_url`, but an SQLite file the server answers ranged requests for
/// is read lazily instead when `lazy` says so, or (`None`) when it is
/// bigger than `LAZY_ABOVE_BYTES`: its download is cancelled once the
/// headers tell its size.
pub async fn open_url_or_ranges(url: &str, signal: &AbortSignal, lazy: Option<bool>) -> Result<Opening, ResponseBody> {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let init = RequestInit::new();
    init.set_mode(RequestMode::Cors);
    init.set_signal(Some(signal));
    let fetch_now = || JsFuture::from(scope.fetch_with_str_and_init(url, &init));
    let fetched = match take_prefetched(url, signal) {
        None => fetch_now().await,
        Some(prefetched) => match JsFuture::from(prefetched).await {
            Ok(response) => {
                let response: Response = response.unchecked_into();
                // A 206 is the loader's range probe of a big database on a
                // Range server (a whole download is a 200): read it lazily.
                if response.status() != 206 {
                    Ok(response.into())
                } else {
                    if lazy != Some(false) {
                        if let Some((ranges, size)) = crate::ranges::from_probe(url, &response, None).await {
                            return Ok(Opening::Lazily(ranges, size));
                        }
                    }
                    fetch_now().await
                }
            }
            Err(e) if signal.aborted() => Err(e),
            // Fetched again: the second failure is the one explained.
            Err(_) => fetch_now().await,
        },
    };
    // `from_cache`: the kept copy itself, which needs no keeping again.
    let (response, from_cache) = match fetched {
        Ok(r) => (r.unchecked_into::<Response>(), false),
        Err(_) if signal.aborted() => return Err(ResponseBody::Cancelled),
        Err(_) => match data_cache::lookup(url).await {
            Some(kept) => (kept, true),
            None => {
                // Read lazily before: offline, the service worker answers
                // ranged requests from the pieces kept then.
                if lazy != Some(false) {
                    if let Some((ranges, size)) = crate::ranges::probe(url, None).await {
                        return Ok(Opening::Lazily(ranges, size));
                    }
                }
                return Err(explain_network_failure(&scope, url).await);
            }
        },
    };
    if !response.ok() {
        let status = response.status();
        let text = response.status_text();
        let reason = if text.is_empty() { String::new() } else { format!(" {text}") };
        return Err(error(ErrorKind::HttpStatus, format!("{url}: the server answered HTTP {status}{reason}.")));
    }
    // With Content-Encoding the length is of the compressed body, so the bar
    // may run past it; the UI clamps.
    let total = response.headers().get("content-length").ok().flatten().and_then(|v| v.parse::<u64>().ok());
    let body = response.body().ok_or_else(|| error(ErrorKind::NotADatabase, format!("{url}: the response has no body.")))?;
    let wants_lazy = lazy.unwrap_or_else(|| total.is_some_and(|n| n > protocol::LAZY_ABOVE_BYTES));
    if wants_lazy && !from_cache {
        // Stopped at once, so little of a big file comes for nothing.
        let _ = body.cancel();
        if let Some((ranges, size)) = crate::ranges::probe(url, total).await {
            return Ok(Opening::Lazily(ranges, size));
        }
        // No ranges here after all: downloaded whole, from the start.
        return Box::pin(open_url_or_ranges(url, signal, Some(false))).await;
    }
    let readable = matches!(response.type_(), ResponseType::Basic | ResponseType::Cors | ResponseType::Default);
    let fits = total.is_none_or(|n| n <= data_cache::cap_bytes());
    let (body, kept) = if from_cache {
        // Only its last use is recorded (for eviction), when read to the end.
        (body, Some((url.to_string(), 0)))
    } else if readable && fits {
        // One branch is read here, the other streams into the cache as it
        // comes: no second copy in wasm memory.
        let branches = body.tee();
        data_cache::keep(url, branches.get(1).unchecked_into(), &response.headers());
        (branches.get(0).unchecked_into::<web_sys::ReadableStream>(), Some((url.to_string(), 0)))
    } else {
        (body, None)
    };
    Ok(Opening::Whole(ByteStream { reader: body.get_reader().unchecked_into(), total, label: url.to_string(), kept }))
}

/// The response the worker loader began fetching for `url` before the
/// wasm was ready (see www/worker-loader.js), once; it is aborted with
/// `signal`.
fn take_prefetched(url: &str, signal: &AbortSignal) -> Option<Promise> {
    let take = crate::loader_function("explorerTakePrefetched")?;
    take.call2(&JsValue::NULL, &JsValue::from_str(url), signal).ok()?.dyn_into().ok()
}

pub fn open_file(file: &File) -> ByteStream {
    ByteStream { reader: file.stream().get_reader().unchecked_into(), total: Some(file.size() as u64), label: file.name(), kept: None }
}

impl ByteStream {
    /// The next chunk, `None` at the end. Checks `signal` first, so a
    /// cancelled file read stops too.
    pub async fn next(&mut self, signal: &AbortSignal) -> Result<Option<Vec<u8>>, ResponseBody> {
        Ok(self.next_js(signal).await?.map(|chunk| chunk.to_vec()))
    }

    /// `next`, the chunk left where the browser put it (not copied into
    /// wasm memory).
    pub async fn next_js(&mut self, signal: &AbortSignal) -> Result<Option<Uint8Array>, ResponseBody> {
        if signal.aborted() {
            let _ = self.reader.cancel();
            return Err(ResponseBody::Cancelled);
        }
        let read = JsFuture::from(self.read()).await;
        self.chunk_from(read, signal)
    }

    /// The next read, to be awaited beside other work and handed to
    /// `chunk_from` (a read is never dropped once started: its chunk would
    /// be lost).
    pub fn read(&self) -> Promise {
        self.reader.read()
    }

    /// What a finished `read` gave: a chunk, `None` at the end, or the
    /// failure in words.
    pub fn chunk_from(&mut self, read: Result<JsValue, JsValue>, signal: &AbortSignal) -> Result<Option<Uint8Array>, ResponseBody> {
        let chunk = match read {
            Ok(chunk) => chunk,
            Err(_) if signal.aborted() => return Err(ResponseBody::Cancelled),
            Err(e) => {
                let detail = e
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .or_else(|| e.as_string())
                    .unwrap_or_else(|| "the connection broke off".into());
                return Err(error(ErrorKind::Unreachable, format!("{}: reading stopped part way: {detail}", self.label)));
            }
        };
        if Reflect::get(&chunk, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
            if let Some((url, bytes)) = self.kept.take() {
                data_cache::record(&url, bytes);
            }
            return Ok(None);
        }
        let value: Uint8Array = Reflect::get(&chunk, &JsValue::from_str("value"))
            .map_err(|_| error(ErrorKind::Other, format!("{}: the browser gave a chunk without data", self.label)))?
            .unchecked_into();
        if let Some((_, bytes)) = &mut self.kept {
            *bytes += u64::from(value.length());
        }
        Ok(Some(value))
    }

    /// Whether the chunks are also read by another branch of the stream
    /// (the copy kept for offline use), so must not be transferred away.
    pub fn shares_chunks(&self) -> bool {
        self.kept.is_some()
    }

    /// Stops reading (a local file is then read in slices instead).
    pub fn cancel(&self) {
        let _ = self.reader.cancel();
    }
}

/// A rejected CORS fetch and an unreachable host look the same to a page.
/// A second, opaque (`no-cors`) request tells them apart: it succeeds when
/// the host answered and only the CORS header was missing.
async fn explain_network_failure(scope: &WorkerGlobalScope, url: &str) -> ResponseBody {
    let init = RequestInit::new();
    init.set_mode(RequestMode::NoCors);
    let host = engine::source::host_of(url);
    match JsFuture::from(scope.fetch_with_str_and_init(url, &init)).await {
        Ok(_) => error(
            ErrorKind::Cors,
            format!(
                "{url}: {host} answered, but without an Access-Control-Allow-Origin header, so the \
                 browser will not let this page read the file. Host it where CORS is allowed, for \
                 example in a GitHub repository or a Gist (their raw links work here)."
            ),
        ),
        Err(_) if !scope.navigator().on_line() => error(
            ErrorKind::Offline,
            format!("{url}: you are offline, and this dataset was not kept for offline use. Open it once while online and it will be."),
        ),
        Err(_) => error(ErrorKind::Unreachable, format!("{url}: could not reach {host}. Check the address and your connection.")),
    }
}
