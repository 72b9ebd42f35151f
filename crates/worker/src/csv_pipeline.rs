//! A delimited file imported by two threads: this worker reads the file
//! and inserts, the parser thread (`csv_thread.rs`, started by the worker
//! loader's `explorerCsvParser`) parses. Chunks go out as they arrive, at
//! most `IN_FLIGHT` unanswered; each comes back as a batch of rows
//! (`engine::import::CsvBatches`), inserted here
//! (`Engine::begin_batch_import`) while the parser works on the next.
//! Where nested workers are missing, or the thread fails to start, the
//! file is parsed here as before (`worker::run_job`).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use engine::import::DelimitedOptions;
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use protocol::{ErrorKind, ErrorReport, ResponseBody};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::fetch::{error, ByteStream};
use crate::worker::{abort, finish, named, post, STATE};

/// Chunks sent and not yet answered: enough to keep the parser busy
/// while a batch is inserted, few enough that a fast download does not
/// pile up in memory.
const IN_FLIGHT: usize = 8;

#[wasm_bindgen]
extern "C" {
    /// The loader's handle on the parser thread.
    pub type ParserPort;
    #[wasm_bindgen(method)]
    fn send(this: &ParserPort, message: &JsValue);
    /// `send`, with these buffers transferred, not copied.
    #[wasm_bindgen(method, js_name = send)]
    fn send_moving(this: &ParserPort, message: &JsValue, transfer: &Array);
    /// The next message, waited for; the same promise until it comes, so
    /// a wait given up loses nothing.
    #[wasm_bindgen(method)]
    fn next(this: &ParserPort) -> Promise;
}

thread_local! {
    static JOBS: Cell<u32> = const { Cell::new(0) };
}

/// Starts the parser thread (once; later calls share it), so it can be
/// getting ready while the file's first bytes arrive; `None` where it
/// cannot run.
pub fn start_parser() -> Option<Promise> {
    let start = crate::loader_function("explorerCsvParser")?;
    start.call1(&JsValue::NULL, &wasm_bindgen::module()).ok()?.dyn_into().ok()
}

/// The started parser thread, once ready; `None` if it could not start.
pub async fn parser(started: Option<Promise>) -> Option<ParserPort> {
    JsFuture::from(started?).await.ok().map(JsCast::unchecked_into)
}

/// Imports the delimited file `stream` (its `first` bytes already read)
/// through `port`.
pub async fn import(
    port: ParserPort,
    id: u32,
    label: &str,
    stream: &mut ByteStream,
    first: Vec<u8>,
    signal: &AbortSignal,
    options: DelimitedOptions,
) -> Result<ResponseBody, ResponseBody> {
    let mut import = STATE.with_borrow_mut(|s| s.engine.begin_batch_import(label)).map_err(|e| named(label, e))?;
    let job = JOBS.with(|j| {
        j.set(j.get().wrapping_add(1));
        j.get()
    });
    let begin = Object::new();
    if let Some(delimiter) = options.delimiter {
        set(&begin, "delimiter", &delimiter.into());
    }
    if let Some(encoding) = options.encoding {
        set(&begin, "encoding", &encoding.name().into());
    }
    port.send(&message(job, "begin", &begin));
    let first = Uint8Array::from(first.as_slice());
    port.send_moving(&message(job, "chunk", &first), &Array::of1(&first.buffer()));
    // Every way out but the end: the parser forgets the import, and what
    // was inserted is rolled back.
    match pump(&port, job, &mut import, id, label, stream, first.length(), signal).await {
        Ok(warnings) => {
            import.add_warnings(warnings);
            finish(id, label, import)
        }
        Err(body) => {
            port.send(&message(job, "cancel", &true.into()));
            abort(id, import);
            Err(body)
        }
    }
}

/// Sends the rest of the file to the parser and inserts its batches
/// until it is done; its warnings.
#[allow(clippy::too_many_arguments)]
async fn pump(
    port: &ParserPort,
    job: u32,
    import: &mut engine::import::Import,
    id: u32,
    label: &str,
    stream: &mut ByteStream,
    first: u32,
    signal: &AbortSignal,
) -> Result<Vec<String>, ResponseBody> {
    // A download's chunks are shared with the branch that keeps it for
    // offline use: those are copied; a local file's are handed over.
    let transfer = !stream.shares_chunks();
    let mut loaded = u64::from(first);
    let mut in_flight = 1;
    let mut ended = false;
    // A network read and a wait for the parser, each kept until it
    // finishes (whichever comes first is handled, the other waits on).
    let mut reading: Option<JsFuture> = None;
    let mut replying: Option<JsFuture> = None;
    loop {
        if signal.aborted() {
            return Err(ResponseBody::Cancelled);
        }
        if !ended && in_flight < IN_FLIGHT && reading.is_none() {
            reading = Some(JsFuture::from(stream.read()));
        }
        if replying.is_none() {
            replying = Some(JsFuture::from(port.next()));
        }
        let reply = match first_of(&mut reading, &mut replying).await {
            Either::Read(read) => {
                match stream.chunk_from(read, signal)? {
                    Some(chunk) => {
                        loaded += u64::from(chunk.length());
                        let chunk_message = message(job, "chunk", &chunk);
                        // Only a chunk that is its whole buffer: a view's
                        // buffer may hold more than this chunk.
                        let whole = chunk.byte_offset() == 0 && chunk.byte_length() == chunk.buffer().byte_length();
                        if transfer && whole {
                            port.send_moving(&chunk_message, &Array::of1(&chunk.buffer()));
                        } else {
                            port.send(&chunk_message);
                        }
                        in_flight += 1;
                    }
                    None => {
                        port.send(&message(job, "end", &true.into()));
                        ended = true;
                    }
                }
                continue;
            }
            Either::Reply(reply) => reply.unwrap_or_else(|e| e),
        };
        let field = |name: &str| Reflect::get(&reply, &name.into()).ok().filter(|v| !v.is_undefined());
        if let Some(crash) = field("crashed") {
            let detail = crash.as_string().unwrap_or_default();
            return Err(error(ErrorKind::Other, format!("{label}: the CSV parser stopped ({detail}); nothing else was lost, try again")));
        }
        if field("job").and_then(|j| j.as_f64()) != Some(f64::from(job)) {
            // A cancelled import's late answer.
            continue;
        }
        if let Some(report) = field("error") {
            let report = protocol::decode::<ErrorReport>(&Uint8Array::new(&report).to_vec())
                .unwrap_or_else(|e| ErrorReport::new(ErrorKind::Other, e.to_string()));
            return Err(ResponseBody::Error(ErrorReport { message: format!("{label}: {}", report.message), ..report }));
        }
        if let Some(batch) = field("batch") {
            let batch = Uint8Array::new(&batch).to_vec();
            STATE.with_borrow_mut(|s| s.engine.push_import(import, &batch)).map_err(|e| named(label, e))?;
            post(id, ResponseBody::Progress { loaded, total: stream.total, rows: import.progress() });
        }
        match field("done") {
            Some(warnings) => {
                let warnings: Array = warnings.unchecked_into();
                return Ok(warnings.iter().filter_map(|w| w.as_string()).collect());
            }
            None => in_flight -= 1,
        }
    }
}

enum Either {
    Read(Result<JsValue, JsValue>),
    Reply(Result<JsValue, JsValue>),
}

/// Whichever of the two waits finishes first (taken out of its slot);
/// the other stays in its slot, still pending.
async fn first_of(reading: &mut Option<JsFuture>, replying: &mut Option<JsFuture>) -> Either {
    std::future::poll_fn(|cx| {
        if let Some(read) = reading.as_mut() {
            if let Poll::Ready(result) = Pin::new(read).poll(cx) {
                *reading = None;
                return Poll::Ready(Either::Read(result));
            }
        }
        if let Some(reply) = replying.as_mut() {
            if let Poll::Ready(result) = Pin::new(reply).poll(cx) {
                *replying = None;
                return Poll::Ready(Either::Reply(result));
            }
        }
        Poll::Pending
    })
    .await
}

fn message(job: u32, key: &str, value: &JsValue) -> JsValue {
    let message = Object::new();
    set(&message, "job", &job.into());
    set(&message, key, value);
    message.into()
}

fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &key.into(), value);
}
