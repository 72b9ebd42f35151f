//! The CSV parser thread: a second instance of this worker's wasm, in a
//! nested worker the worker loader starts (`explorerCsvParser`, with the
//! compiled module, so nothing is fetched or compiled twice). It opens no
//! database: it turns each chunk of a delimited file into a batch of
//! classified rows (`engine::import::CsvBatches`) while the first worker
//! inserts the previous batch (`csv_pipeline.rs`).
//!
//! Messages are plain objects, each tagged with the import's `job`:
//! in, `{job, begin: {delimiter?, encoding?}}`, `{job, chunk}`,
//! `{job, end: true}`, `{job, cancel: true}`; out, one `{job, batch}` per
//! chunk, then `{job, batch, done: [warnings]}` after the end, or
//! `{job, error}` (a postcard `ErrorReport`) at the first error, and
//! `{crashed}` if this thread panics (it then stops; the first worker
//! starts another for the next import).

use std::cell::RefCell;

use engine::import::{encoding_for_label, CsvBatches, DelimitedOptions};
use js_sys::{Array, Object, Reflect, Uint8Array};
use protocol::ErrorReport;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// The role the worker loader gave this instance (`explorerRole`).
pub fn is_parser_thread() -> bool {
    Reflect::get(&js_sys::global(), &"explorerRole".into()).ok().and_then(|r| r.as_string()).as_deref() == Some("csv-parser")
}

thread_local! {
    /// The import being parsed: its job and its parser.
    static PARSING: RefCell<Option<(u32, CsvBatches)>> = const { RefCell::new(None) };
}

pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = Object::new();
        let _ = Reflect::set(&message, &"crashed".into(), &info.to_string().into());
        let _ = scope().post_message(&message);
    }));
    crate::text_decoder::install();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| handle(&event.data()));
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let ready = Object::new();
    let _ = Reflect::set(&ready, &"ready".into(), &true.into());
    let _ = scope().post_message(&ready);
}

fn handle(data: &JsValue) {
    let field = |name: &str| Reflect::get(data, &name.into()).ok().filter(|v| !v.is_undefined());
    let Some(job) = field("job").and_then(|j| j.as_f64()).map(|j| j as u32) else { return };
    if let Some(begin) = field("begin") {
        let delimiter = Reflect::get(&begin, &"delimiter".into()).ok().and_then(|d| d.as_f64()).map(|d| d as u8);
        let encoding =
            Reflect::get(&begin, &"encoding".into()).ok().and_then(|e| e.as_string()).and_then(|label| encoding_for_label(&label));
        let parser = CsvBatches::new(DelimitedOptions { delimiter, encoding });
        PARSING.with_borrow_mut(|p| *p = Some((job, parser)));
    } else if let Some(chunk) = field("chunk") {
        let bytes = Uint8Array::new(&chunk).to_vec();
        let pushed = PARSING.with_borrow_mut(|p| match p {
            Some((current, parser)) if *current == job => Some(parser.push(&bytes)),
            // A cancelled or failed import's chunk: nobody waits for it.
            _ => None,
        });
        match pushed {
            Some(Ok(batch)) => post_batch(job, &batch, None),
            Some(Err(e)) => fail(job, e),
            None => {}
        }
    } else if field("end").is_some() {
        let parser = PARSING.with_borrow_mut(|p| match p.take() {
            Some((current, parser)) if current == job => Some(parser),
            other => {
                *p = other;
                None
            }
        });
        match parser.map(CsvBatches::finish) {
            Some(Ok((batch, warnings))) => post_batch(job, &batch, Some(warnings)),
            Some(Err(e)) => fail(job, e),
            None => {}
        }
    } else if field("cancel").is_some() {
        PARSING.with_borrow_mut(|p| {
            if p.as_ref().is_some_and(|(current, _)| *current == job) {
                *p = None;
            }
        });
    }
}

/// Posts a batch, its buffer transferred; with `done`, the last one.
fn post_batch(job: u32, batch: &[u8], done: Option<Vec<String>>) {
    let message = Object::new();
    let bytes = Uint8Array::from(batch);
    let _ = Reflect::set(&message, &"job".into(), &job.into());
    let _ = Reflect::set(&message, &"batch".into(), &bytes);
    if let Some(warnings) = done {
        let list: Array = warnings.iter().map(|w| JsValue::from_str(w)).collect();
        let _ = Reflect::set(&message, &"done".into(), &list);
    }
    let _ = scope().post_message_with_transfer(&message, &Array::of1(&bytes.buffer()));
}

/// Posts the import's error and forgets it.
fn fail(job: u32, error: engine::Error) {
    PARSING.with_borrow_mut(|p| *p = None);
    let report = ErrorReport { position: error.position(), ..ErrorReport::new(error.kind(), error.message()) };
    let message = Object::new();
    let _ = Reflect::set(&message, &"job".into(), &job.into());
    let _ = Reflect::set(&message, &"error".into(), &Uint8Array::from(protocol::encode(&report).as_slice()));
    let _ = scope().post_message(&message);
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}
