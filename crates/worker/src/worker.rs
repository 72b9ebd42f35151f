use std::cell::RefCell;
use std::collections::HashMap;

use engine::Engine;
use js_sys::{Array, Uint8Array};
use protocol::{ErrorKind, ErrorReport, Request, RequestBody, Response, ResponseBody};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, DedicatedWorkerGlobalScope, MessageEvent};

use crate::fetch::fetch_bytes;

struct State {
    engine: Engine,
    /// Downloads in flight, by request id, so `Cancel` can abort them.
    fetches: HashMap<u32, AbortController>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State { engine: Engine::new(now_ms), fetches: HashMap::new() });
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now_ms() -> f64 {
    scope().performance().map(|p| p.now()).unwrap_or_else(js_sys::Date::now)
}

pub fn start() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let bytes = Uint8Array::new(&event.data()).to_vec();
        match protocol::decode::<Request>(&bytes) {
            Ok(request) => handle(request),
            Err(e) => post(0, ResponseBody::Error(ErrorReport { kind: ErrorKind::Other, message: e.to_string() })),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let sqlite_version = rusqlite_version();
    post(0, ResponseBody::Ready { sqlite_version });
}

fn rusqlite_version() -> String {
    engine::open_empty()
        .ok()
        .and_then(|c| c.query_row("SELECT sqlite_version()", [], |r| r.get(0)).ok())
        .unwrap_or_default()
}

pub fn post(id: u32, body: ResponseBody) {
    let bytes = protocol::encode(&Response { id, body });
    let array = Uint8Array::from(bytes.as_slice());
    let transfer = Array::of1(&array.buffer());
    // Posting to our own parent cannot fail for a plain transferable buffer.
    let _ = scope().post_message_with_transfer(&array, &transfer);
}

fn reply<T>(id: u32, result: engine::Result<T>, ok: impl FnOnce(T) -> ResponseBody) {
    post(id, match result {
        Ok(value) => ok(value),
        Err(e) => ResponseBody::Error(e.to_report()),
    });
}

fn handle(request: Request) {
    let id = request.id;
    match request.body {
        RequestBody::OpenUrl { url } => {
            let name = STATE.with_borrow_mut(|s| s.engine.reserve_name(&url));
            let controller = AbortController::new().expect("AbortController exists in workers");
            let signal = controller.signal();
            STATE.with_borrow_mut(|s| s.fetches.insert(id, controller));
            wasm_bindgen_futures::spawn_local(async move {
                let fetch_url = engine::source::rewrite_url(&url);
                let fetched = fetch_bytes(&fetch_url, &signal, |loaded, total| {
                    post(id, ResponseBody::Progress { loaded, total });
                })
                .await;
                STATE.with_borrow_mut(|s| s.fetches.remove(&id));
                match fetched {
                    Ok(bytes) => {
                        let opened = STATE.with_borrow_mut(|s| s.engine.open(&name, &url, &bytes));
                        reply(id, opened.map_err(|e| with_source(e, &url)), ResponseBody::Opened);
                    }
                    Err(body) => {
                        STATE.with_borrow_mut(|s| s.engine.release_name(&name));
                        post(id, body);
                    }
                }
            });
        }
        RequestBody::OpenBytes { file_name, bytes } => {
            let opened = STATE.with_borrow_mut(|s| {
                let name = s.engine.reserve_name(&file_name);
                s.engine.open(&name, &file_name, &bytes)
            });
            reply(id, opened.map_err(|e| with_source(e, &file_name)), ResponseBody::Opened);
        }
        RequestBody::Cancel { target } => {
            if let Some(controller) = STATE.with_borrow_mut(|s| s.fetches.remove(&target)) {
                controller.abort();
            }
        }
        RequestBody::Schema { db } => {
            let result = STATE.with_borrow_mut(|s| s.engine.schema(&db));
            reply(id, result, ResponseBody::Schema);
        }
        RequestBody::TablePage(req) => {
            let result = STATE.with_borrow_mut(|s| s.engine.table_page(&req));
            reply(id, result, ResponseBody::TablePage);
        }
        RequestBody::Query(req) => {
            let result = STATE.with_borrow_mut(|s| s.engine.query(&req));
            reply(id, result, ResponseBody::Query);
        }
    }
}

/// Open errors name the file, so a page with several sources says which failed.
fn with_source(e: engine::Error, source: &str) -> engine::Error {
    engine::Error::new(e.kind(), format!("{source}: {}", e.message()))
}
