//! The UI's end of the worker protocol: spawns the worker, numbers
//! requests, and routes each reply to whoever asked.

use std::cell::{Cell as StdCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::oneshot;
use js_sys::{Array, Uint8Array};
use protocol::{ErrorKind, ErrorReport, Request, RequestBody, Response, ResponseBody};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, File, MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::Callback;

/// What the worker itself is doing, as opposed to any one request.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerStatus {
    Starting,
    Ready { sqlite_version: String },
    Failed(String),
}

enum Pending {
    /// A request with one reply.
    Once(oneshot::Sender<ResponseBody>),
    /// A request that also reports `Progress` before its final reply.
    Stream(Callback<ResponseBody>),
}

struct Inner {
    worker: Worker,
    next_id: StdCell<u32>,
    ready: StdCell<bool>,
    /// Requests made before the worker said `Ready`, sent once it does.
    queue: RefCell<Vec<Outgoing>>,
    pending: RefCell<HashMap<u32, Pending>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

/// A cheap handle to the one worker; clones share it.
#[derive(Clone)]
pub struct WorkerClient(Rc<Inner>);

impl PartialEq for WorkerClient {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl WorkerClient {
    pub fn spawn(script_url: &str, on_status: Callback<WorkerStatus>) -> Result<WorkerClient, String> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(script_url, &options)
            .map_err(|e| format!("could not start the data worker: {e:?}"))?;
        Ok(WorkerClient(Rc::new_cyclic(|weak: &std::rc::Weak<Inner>| {
            let on_message = {
                let weak = weak.clone();
                let on_status = on_status.clone();
                Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                    let Some(inner) = weak.upgrade() else { return };
                    let bytes = Uint8Array::new(&event.data()).to_vec();
                    match protocol::decode::<Response>(&bytes) {
                        Ok(Response { body: ResponseBody::Ready { sqlite_version }, .. }) => {
                            inner.ready.set(true);
                            for message in inner.queue.take() {
                                message.post(&inner.worker);
                            }
                            on_status.emit(WorkerStatus::Ready { sqlite_version });
                        }
                        Ok(response) => inner.deliver(response),
                        Err(e) => on_status.emit(WorkerStatus::Failed(e.to_string())),
                    }
                })
            };
            let on_error = {
                let weak = weak.clone();
                Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
                    let message = format!("The data worker stopped: {}", event.message());
                    if let Some(inner) = weak.upgrade() {
                        inner.fail_all(&message);
                    }
                    on_status.emit(WorkerStatus::Failed(message));
                })
            };
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            Inner {
                worker,
                next_id: StdCell::new(1),
                ready: StdCell::new(false),
                queue: RefCell::default(),
                pending: RefCell::default(),
                _on_message: on_message,
                _on_error: on_error,
            }
        })))
    }

    fn send(&self, body: RequestBody, pending: Option<Pending>, attachment: Option<File>) -> u32 {
        let id = self.0.next_id.get();
        self.0.next_id.set(id + 1);
        if let Some(p) = pending {
            self.0.pending.borrow_mut().insert(id, p);
        }
        let message = Outgoing { bytes: protocol::encode(&Request { id, body }), attachment };
        if self.0.ready.get() {
            message.post(&self.0.worker);
        } else {
            self.0.queue.borrow_mut().push(message);
        }
        id
    }

    /// Sends a request and waits for its one reply.
    pub async fn call(&self, body: RequestBody) -> ResponseBody {
        let (tx, rx) = oneshot::channel();
        self.send(body, Some(Pending::Once(tx)), None);
        rx.await.unwrap_or_else(|_| {
            ResponseBody::Error(ErrorReport { kind: ErrorKind::Other, message: "The data worker went away.".into() })
        })
    }

    /// Sends a request whose replies (progress, then a final one) all go to
    /// `on_reply`. Returns the request id, for `cancel`.
    pub fn stream(&self, body: RequestBody, on_reply: Callback<ResponseBody>) -> u32 {
        self.send(body, Some(Pending::Stream(on_reply)), None)
    }

    /// As `stream`, with a local file sent along for the worker to read.
    pub fn stream_file(&self, body: RequestBody, file: File, on_reply: Callback<ResponseBody>) -> u32 {
        self.send(body, Some(Pending::Stream(on_reply)), Some(file))
    }

    pub fn cancel(&self, target: u32) {
        self.send(RequestBody::Cancel { target }, None, None);
    }
}

impl Inner {
    fn deliver(&self, response: Response) {
        let is_final = response.body.is_final();
        let mut pending = self.pending.borrow_mut();
        if is_final {
            match pending.remove(&response.id) {
                Some(Pending::Once(tx)) => {
                    let _ = tx.send(response.body);
                }
                Some(Pending::Stream(cb)) => {
                    drop(pending);
                    cb.emit(response.body);
                }
                None => {}
            }
        } else if let Some(Pending::Stream(cb)) = pending.get(&response.id) {
            let cb = cb.clone();
            drop(pending);
            cb.emit(response.body);
        }
    }

    fn fail_all(&self, message: &str) {
        let report = ErrorReport { kind: ErrorKind::Other, message: message.to_string() };
        let drained: Vec<_> = self.pending.borrow_mut().drain().collect();
        for (_, p) in drained {
            match p {
                Pending::Once(tx) => {
                    let _ = tx.send(ResponseBody::Error(report.clone()));
                }
                Pending::Stream(cb) => cb.emit(ResponseBody::Error(report.clone())),
            }
        }
    }
}

/// One message to the worker: `[encoded request, attached File?]`. The
/// request's buffer is transferred; a File is cloned by reference (the
/// browser does not copy its contents).
struct Outgoing {
    bytes: Vec<u8>,
    attachment: Option<File>,
}

impl Outgoing {
    fn post(self, worker: &Worker) {
        let array = Uint8Array::from(self.bytes.as_slice());
        let message = Array::of1(&array);
        if let Some(file) = self.attachment {
            message.push(&file);
        }
        let _ = worker.post_message_with_transfer(&message, &Array::of1(&array.buffer()));
    }
}
