//! Downloading a file with progress, and telling apart the ways it fails.

use js_sys::{Reflect, Uint8Array};
use protocol::{ErrorKind, ErrorReport, ResponseBody};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStreamDefaultReader, RequestInit, RequestMode, Response, WorkerGlobalScope};

/// Bytes between progress messages: often enough for a smooth bar, rare
/// enough that posting costs nothing next to the download.
const PROGRESS_STEP: u64 = 256 * 1024;

fn error(kind: ErrorKind, message: String) -> ResponseBody {
    ResponseBody::Error(ErrorReport { kind, message })
}

pub async fn fetch_bytes(url: &str, signal: &AbortSignal, progress: impl Fn(u64, Option<u64>)) -> Result<Vec<u8>, ResponseBody> {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let init = RequestInit::new();
    init.set_mode(RequestMode::Cors);
    init.set_signal(Some(signal));
    let response = match JsFuture::from(scope.fetch_with_str_and_init(url, &init)).await {
        Ok(r) => r.unchecked_into::<Response>(),
        Err(_) if signal.aborted() => return Err(ResponseBody::Cancelled),
        Err(_) => return Err(explain_network_failure(&scope, url).await),
    };
    if !response.ok() {
        let status = response.status();
        let text = response.status_text();
        let reason = if text.is_empty() { String::new() } else { format!(" {text}") };
        return Err(error(ErrorKind::HttpStatus, format!("{url}: the server answered HTTP {status}{reason}.")));
    }
    // With Content-Encoding the length is of the compressed body, so the bar
    // may run past it; the UI clamps.
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok());
    let Some(body) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::with_capacity(total.unwrap_or(0).min(1 << 30) as usize);
    let mut reported = 0u64;
    progress(0, total);
    loop {
        let chunk = match JsFuture::from(reader.read()).await {
            Ok(chunk) => chunk,
            Err(_) if signal.aborted() => return Err(ResponseBody::Cancelled),
            Err(e) => {
                let detail = e.as_string().unwrap_or_else(|| "the connection broke off".into());
                return Err(error(ErrorKind::Unreachable, format!("{url}: the download stopped part way: {detail}")));
            }
        };
        if Reflect::get(&chunk, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &JsValue::from_str("value")).map_err(|_| {
            error(ErrorKind::Other, format!("{url}: the browser returned a chunk without data"))
        })?.unchecked_into();
        let start = bytes.len();
        bytes.resize(start + value.length() as usize, 0);
        value.copy_to(&mut bytes[start..]);
        let loaded = bytes.len() as u64;
        if loaded - reported >= PROGRESS_STEP {
            reported = loaded;
            progress(loaded, total);
        }
    }
    progress(bytes.len() as u64, total);
    Ok(bytes)
}

/// A rejected CORS fetch and an unreachable host look the same to a page.
/// A second, opaque (`no-cors`) request tells them apart: it succeeds when
/// the host answered and only the CORS header was missing.
async fn explain_network_failure(scope: &WorkerGlobalScope, url: &str) -> ResponseBody {
    let init = RequestInit::new();
    init.set_mode(RequestMode::NoCors);
    let host = url::Url::parse(url).ok().and_then(|u| u.host_str().map(String::from)).unwrap_or_else(|| url.into());
    match JsFuture::from(scope.fetch_with_str_and_init(url, &init)).await {
        Ok(_) => error(
            ErrorKind::Cors,
            format!(
                "{url}: {host} answered, but without an Access-Control-Allow-Origin header, so the \
                 browser will not let this page read the file. Host it where CORS is allowed, for \
                 example in a GitHub repository or a Gist (their raw links work here)."
            ),
        ),
        Err(_) => error(
            ErrorKind::Unreachable,
            format!("{url}: could not reach {host}. Check the address and your connection."),
        ),
    }
}
