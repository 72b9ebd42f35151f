//! A file on a server read by ranged requests, for the engine's lazy
//! databases (`engine::lazy`). SQLite reads synchronously, so each read is
//! a synchronous `XMLHttpRequest` for `Range: bytes=a-b`: allowed in a
//! worker (never on the page), one round trip per cache miss, and the
//! engine's read-ahead makes scans few and large. (A SharedArrayBuffer and
//! Atomics.wait bridge to async fetch would need COOP/COEP headers, which
//! static hosts do not send.)
//!
//! The first ranged request (`probe`, async) tells whether the server
//! answers ranges and remembers the file's ETag or Last-Modified: a later
//! read that sees another one fails, so a file replaced on the server never
//! mixes old pages with new ones.

use std::cell::Cell;

use engine::lazy::RangeSource;
use js_sys::Uint8Array;
use protocol::ResponseBody;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, RequestMode, Response, WorkerGlobalScope, XmlHttpRequest, XmlHttpRequestResponseType};

pub struct HttpRanges {
    url: String,
    /// The file's ETag and Last-Modified at the probe, those the server
    /// lets this page read. Both are compared: a cached answer may carry
    /// an old ETag with a new date.
    validators: Vec<(&'static str, String)>,
    /// The file's size at the probe; a Content-Range saying otherwise
    /// means another file.
    size: u64,
    /// Until when the page was last told the worker may be waiting here.
    announced_until: Cell<f64>,
}

/// The first bytes, asked for by range: `Some` with the file's size when
/// the server answered 206 with an SQLite header. `known_size` is the full
/// response's Content-Length, for servers whose Content-Range this page may
/// not read (CORS).
pub async fn probe(url: &str, known_size: Option<u64>) -> Option<(HttpRanges, u64)> {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let headers = Headers::new().ok()?;
    headers.set("Range", "bytes=0-99").ok()?;
    let init = RequestInit::new();
    init.set_mode(RequestMode::Cors);
    init.set_headers(&headers);
    let response: Response = JsFuture::from(scope.fetch_with_str_and_init(url, &init)).await.ok()?.dyn_into().ok()?;
    from_probe(url, &response, known_size).await
}

/// `probe`, from the answer to its request (which the worker loader may
/// have sent already).
pub async fn from_probe(url: &str, response: &Response, known_size: Option<u64>) -> Option<(HttpRanges, u64)> {
    if response.status() != 206 {
        return None;
    }
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let size = header("content-range").and_then(|r| r.rsplit('/').next()?.trim().parse::<u64>().ok()).or(known_size)?;
    let validators = ["etag", "last-modified"].into_iter().filter_map(|name| Some((name, header(name)?))).collect();
    let head = Uint8Array::new(&JsFuture::from(response.array_buffer().ok()?).await.ok()?).to_vec();
    if engine::check_header(&head).is_err() {
        return None;
    }
    Some((HttpRanges { url: url.to_string(), validators, size, announced_until: Cell::new(0.0) }, size))
}

/// A read gets a few seconds plus time for its bytes at 64 KB/s; one that
/// times out is asked again once with twice as long, then fails. Without a
/// timeout a server that stops answering would hold the worker, and every
/// database in it, for good.
const TRIES: u32 = 2;
fn first_timeout_ms(len: u64) -> u32 {
    (4_000 + len / 64).min(30_000) as u32
}

impl HttpRanges {
    fn failed(&self, offset: u64, last: u64) -> String {
        format!("{}: the request for bytes {offset}-{last} failed (network or CORS)", self.url)
    }

    /// Sends one ranged request and waits for its answer.
    fn send(&self, offset: u64, last: u64) -> Result<XmlHttpRequest, String> {
        let failed = |_| self.failed(offset, last);
        let first = first_timeout_ms(last - offset + 1);
        self.announce_wait(first * ((1 << TRIES) - 1));
        let mut timeout = first;
        for _ in 0..TRIES {
            let xhr = XmlHttpRequest::new().map_err(failed)?;
            xhr.open_with_async("GET", &self.url, false).map_err(failed)?;
            xhr.set_response_type(XmlHttpRequestResponseType::Arraybuffer);
            // Allowed for synchronous requests in a worker, not on a page.
            xhr.set_timeout(timeout);
            xhr.set_request_header("Range", &format!("bytes={offset}-{last}")).map_err(failed)?;
            match xhr.send() {
                Ok(()) => return Ok(xhr),
                Err(e) if e.dyn_ref::<web_sys::DomException>().is_some_and(|e| e.name() == "TimeoutError") => timeout *= 2,
                Err(_) if !navigator_on_line() => {
                    return Err(format!("{}: you are offline, and no part of this database was kept for offline reading", self.url))
                }
                Err(e) => return Err(failed(e)),
            }
        }
        Err(format!("{}: no answer for bytes {offset}-{last} after {TRIES} tries; the server or the network is not responding", self.url))
    }

    /// Tells the page's watchdog the worker may not answer for up to `ms`
    /// (a blocked read cannot answer its ping). Said again only when an
    /// earlier notice would run out first, so a page of reads costs a
    /// message or two, not one each.
    fn announce_wait(&self, ms: u32) {
        let now = crate::worker::now_ms();
        if now + f64::from(ms) > self.announced_until.get() {
            let ahead = ms.saturating_mul(2);
            self.announced_until.set(now + f64::from(ahead));
            crate::worker::post(0, ResponseBody::Waiting { ms: ahead });
        }
    }
}

fn navigator_on_line() -> bool {
    js_sys::global().unchecked_into::<WorkerGlobalScope>().navigator().on_line()
}

impl RangeSource for HttpRanges {
    fn read_range(&self, offset: u64, len: u64) -> Result<Vec<u8>, String> {
        let last = offset + len.max(1) - 1;
        let failed = |_| self.failed(offset, last);
        let xhr = self.send(offset, last)?;
        match xhr.status().unwrap_or(0) {
            206 => {}
            200 => return Err(format!("{}: the server stopped answering ranged requests", self.url)),
            // The service worker, offline, without the pieces asked for.
            504 if xhr.get_response_header("x-explorer-offline").ok().flatten().is_some() => {
                return Err(format!(
                    "{}: you are offline, and this part of the database (bytes {offset}-{last}) was not read while online; \
                     the views you opened online can be opened again",
                    self.url
                ))
            }
            status => return Err(format!("{}: the server answered HTTP {status} for bytes {offset}-{last}", self.url)),
        }
        let size_now =
            xhr.get_response_header("content-range").ok().flatten().and_then(|r| r.rsplit('/').next()?.trim().parse::<u64>().ok());
        if size_now.is_some_and(|n| n != self.size) {
            return Err(format!(
                "{}: the file changed on the server while it was open (its size differs); open it again to read the new version",
                self.url
            ));
        }
        for (name, expected) in &self.validators {
            let now = xhr.get_response_header(name).ok().flatten();
            if now.as_deref().is_some_and(|v| v != expected) {
                return Err(format!(
                    "{}: the file changed on the server while it was open (its {name} differs); open it again to read the new version",
                    self.url
                ));
            }
        }
        let body = xhr.response().map_err(failed)?;
        let header = |name: &str| xhr.get_response_header(name).ok().flatten();
        // Kept for offline reading (not awaited), straight from the
        // response's buffer.
        crate::data_cache::keep_piece(&self.url, offset, &body, self.size, header("etag"), header("last-modified"));
        Ok(Uint8Array::new(&body).to_vec())
    }
}
