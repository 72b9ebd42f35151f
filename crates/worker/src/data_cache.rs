//! The worker's side of `www/data-cache.js` (`globalThis.explorerDataCache`,
//! loaded by the worker loader): downloads kept for offline use, and the
//! copies of changed databases a restarted worker reopens.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, ReadableStream, Response};

fn api() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str("explorerDataCache")).ok().filter(|v| v.is_object())
}

fn call(name: &str, args: &[JsValue]) -> Option<JsValue> {
    let api = api()?;
    let function: Function = Reflect::get(&api, &JsValue::from_str(name)).ok()?.dyn_into().ok()?;
    function.apply(&api, &args.iter().collect()).ok()
}

pub fn cap_bytes() -> u64 {
    api().and_then(|a| Reflect::get(&a, &JsValue::from_str("CAP_BYTES")).ok()).and_then(|v| v.as_f64()).unwrap_or(0.0) as u64
}

/// Starts keeping `stream` as `url`'s response (not awaited: it fills
/// as the other branch is read).
pub fn keep(url: &str, stream: ReadableStream, headers: &Headers) {
    call("keep", &[JsValue::from_str(url), stream.into(), headers.into()]);
}

pub fn record(url: &str, bytes: u64) {
    call("record", &[JsValue::from_str(url), JsValue::from_f64(bytes as f64)]);
}

/// Starts keeping the bytes a lazy read fetched at `start` of `url` (a
/// file of `size` bytes with those validators), for reading offline.
pub fn keep_piece(url: &str, start: u64, buffer: &JsValue, size: u64, etag: Option<String>, last_modified: Option<String>) {
    let text = |v: Option<String>| v.map_or(JsValue::NULL, |v| JsValue::from_str(&v));
    let args = [
        JsValue::from_str(url),
        JsValue::from_f64(start as f64),
        buffer.clone(),
        JsValue::from_f64(size as f64),
        text(etag),
        text(last_modified),
    ];
    call("keepPiece", &args);
}

pub async fn lookup(url: &str) -> Option<Response> {
    let promise: Promise = call("lookup", &[JsValue::from_str(url)])?.dyn_into().ok()?;
    JsFuture::from(promise).await.ok()?.dyn_into().ok()
}

/// This tab's session id and whether the page is fresh (not a restart),
/// from the worker's name (`session=ID&fresh=1`), which the UI sets.
pub fn session() -> (String, bool) {
    let hash = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("name")).ok().and_then(|h| h.as_string()).unwrap_or_default();
    let mut session = String::from("default");
    let mut fresh = false;
    for (k, v) in form_urlencoded::parse(hash.trim_start_matches('#').as_bytes()) {
        match k.as_ref() {
            "session" => session = v.into_owned(),
            "fresh" => fresh = v == "1",
            _ => {}
        }
    }
    (session, fresh)
}

/// Saves a copy of database `name`; true once stored.
pub async fn save_snapshot(session: &str, name: &str, source: &str, image: &js_sys::Uint8Array) -> bool {
    let args = [JsValue::from_str(session), JsValue::from_str(name), JsValue::from_str(source), image.into()];
    let Some(promise) = call("saveSnapshot", &args).and_then(|p| p.dyn_into::<Promise>().ok()) else { return false };
    JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false)
}

/// The saved copy of `name` and where it first came from.
pub async fn load_snapshot(session: &str, name: &str) -> Option<(Vec<u8>, String)> {
    let promise: Promise = call("loadSnapshot", &[JsValue::from_str(session), JsValue::from_str(name)])?.dyn_into().ok()?;
    let found = JsFuture::from(promise).await.ok().filter(|v| v.is_object())?;
    let bytes: js_sys::Uint8Array = Reflect::get(&found, &JsValue::from_str("bytes")).ok()?.dyn_into().ok()?;
    let source = Reflect::get(&found, &JsValue::from_str("source")).ok()?.as_string().unwrap_or_default();
    Some((bytes.to_vec(), source))
}

/// Clears this session's copies on a fresh page, and old ones of closed tabs.
pub fn drop_snapshots(session: &str, fresh: bool) {
    call("dropSnapshots", &[JsValue::from_str(session), JsValue::from_bool(fresh)]);
}
