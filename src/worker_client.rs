//! The UI's end of the worker protocol: spawns the worker, numbers
//! requests, routes each reply to whoever asked, and replaces the worker
//! when it dies or stops answering.
//!
//! The watchdog: while requests are pending and the worker has been silent
//! for `SILENCE_BEFORE_PING_MS`, it is sent a `Ping`. The worker answers at
//! once unless a statement holds it (one VM step that no progress handler
//! can interrupt, such as a search through a huge string). If no answer
//! comes within the longest time limit of what is pending plus
//! `GRACE_MS`, the worker is ended and a new one started, and every
//! pending request gets an error that says which one was too expensive.
//! A worker waiting for a lazy database's server says so first
//! (`Waiting`): the watchdog holds off that long. A panic (the worker's
//! hook posts `Crashed`) or an error event does the same at once. The app then reopens every database (see `recovery.rs`).

use std::cell::{Cell as StdCell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use futures::channel::oneshot;
use gloo_timers::callback::Interval;
use js_sys::{Array, Uint8Array};
use protocol::{ErrorKind, ErrorReport, Request, RequestBody, Response, ResponseBody};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, File, MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::Callback;

mod calls;
pub use calls::{ExportEvent, KeepOutcome, LoadEvent, Reply};

/// What the worker itself is doing, as opposed to any one request.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerStatus {
    Starting,
    Ready { sqlite_version: String },
    Failed(String),
}

/// What the client tells the app about the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    Status(WorkerStatus),
    /// A copy of this database is saved and can be restored after a restart.
    Saved(String),
    /// A statement changed this database: its schema now.
    SchemaChanged(protocol::DatabaseSchema),
    /// Rows of big tables of `db`, counted in the background.
    RowCounts {
        db: String,
        counts: Vec<(String, Option<u64>)>,
    },
    /// What reading lazy database `db` has fetched from its server so far.
    Fetched {
        db: String,
        requests: u64,
        bytes: u64,
    },
    /// The worker was replaced by a new one, for this reason; the app must
    /// reopen the databases. `by_user`: the user's Stop, not a failure.
    Restarted {
        reason: String,
        by_user: bool,
    },
}

/// Silence while requests wait, before the watchdog asks.
const SILENCE_BEFORE_PING_MS: f64 = 1_500.0;
/// Added to the longest time limit pending before the worker counts as stuck.
const GRACE_MS: f64 = 3_000.0;
/// More restarts than this within `RESTART_WINDOW_MS` and the client gives up.
const MAX_RESTARTS: usize = 3;
const RESTART_WINDOW_MS: f64 = 60_000.0;

enum ReplyTo {
    /// A request with one reply.
    Once(oneshot::Sender<ResponseBody>),
    /// A request with one reply that may carry a buffer beside it.
    WithBuffer(oneshot::Sender<(ResponseBody, Option<Uint8Array>)>),
    /// A request that also reports `Progress` before its final reply.
    Stream(Callback<ResponseBody>),
}

struct Pending {
    reply: ReplyTo,
    /// How long the worker may legitimately be busy with this request.
    patience_ms: f64,
    /// What it was, in words, for the message if it proves too expensive.
    what: String,
}

struct Handlers {
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

struct Inner {
    script_url: String,
    session: String,
    worker: RefCell<Option<Worker>>,
    handlers: RefCell<Option<Handlers>>,
    next_id: StdCell<u32>,
    ready: StdCell<bool>,
    /// Requests made before the worker said `Ready`, sent once it does.
    queue: RefCell<Vec<Outgoing>>,
    pending: RefCell<HashMap<u32, Pending>>,
    on_event: Callback<WorkerEvent>,
    last_heard: StdCell<f64>,
    /// When the watchdog's `Ping` went out, while unanswered.
    ping_sent: StdCell<Option<f64>>,
    /// Until when the worker said it may be waiting for a server.
    waiting_until: StdCell<f64>,
    restarts: RefCell<Vec<f64>>,
    watchdog: RefCell<Option<Interval>>,
}

/// A cheap handle to the one worker; clones share it, and it stays the
/// same handle when the worker behind it is replaced.
#[derive(Clone)]
pub struct WorkerClient(Rc<Inner>);

impl PartialEq for WorkerClient {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_else(js_sys::Date::now)
}

impl WorkerClient {
    pub fn spawn(script_url: &str, on_event: Callback<WorkerEvent>) -> Result<WorkerClient, String> {
        let early = EarlyWorker::take();
        let session = match &early {
            Some(early) => early.session.clone(),
            None => format!("{:x}{:x}", (js_sys::Math::random() * 1e12) as u64, js_sys::Date::now() as u64),
        };
        let inner = Rc::new(Inner {
            script_url: script_url.to_string(),
            session,
            worker: RefCell::new(None),
            handlers: RefCell::new(None),
            next_id: StdCell::new(1),
            ready: StdCell::new(false),
            queue: RefCell::default(),
            pending: RefCell::default(),
            on_event,
            last_heard: StdCell::new(now()),
            ping_sent: StdCell::new(None),
            waiting_until: StdCell::new(0.0),
            restarts: RefCell::default(),
            watchdog: RefCell::new(None),
        });
        Inner::start_worker(&inner, true, early)?;
        let weak = Rc::downgrade(&inner);
        *inner.watchdog.borrow_mut() = Some(Interval::new(500, move || {
            if let Some(inner) = weak.upgrade() {
                Inner::watch(&inner);
            }
        }));
        Ok(WorkerClient(inner))
    }

    fn send(&self, body: RequestBody, reply: Option<ReplyTo>, attachment: Option<File>) -> u32 {
        let id = self.0.next_id.get();
        self.0.next_id.set(id + 1);
        if let Some(reply) = reply {
            let pending = Pending { reply, patience_ms: patience_ms(&body), what: describe(&body) };
            if self.0.pending.borrow().is_empty() {
                // The silence that counts starts now, not when it went idle.
                self.0.last_heard.set(now());
            }
            self.0.pending.borrow_mut().insert(id, pending);
        }
        self.0.post(Outgoing { bytes: protocol::encode(&Request { id, body }), attachment });
        id
    }

    /// Sends a request and waits for its one reply. Dropping the future
    /// before the reply comes (the view moved on) tells the worker, which
    /// drops the request if it has not run it yet (background work).
    async fn call(&self, body: RequestBody) -> ResponseBody {
        let (tx, rx) = oneshot::channel();
        let guard = CancelOnDrop::new(self, self.send(body, Some(ReplyTo::Once(tx)), None));
        let reply = rx.await.unwrap_or_else(|_| ResponseBody::Error(ErrorReport::new(ErrorKind::Other, "The data worker went away.")));
        guard.disarm();
        reply
    }

    /// `call`, for a request whose reply carries a buffer beside it (a
    /// database file), handed over as the JS array it arrived as.
    async fn call_with_buffer(&self, body: RequestBody) -> (ResponseBody, Option<Uint8Array>) {
        let (tx, rx) = oneshot::channel();
        let guard = CancelOnDrop::new(self, self.send(body, Some(ReplyTo::WithBuffer(tx)), None));
        let reply =
            rx.await.unwrap_or_else(|_| (ResponseBody::Error(ErrorReport::new(ErrorKind::Other, "The data worker went away.")), None));
        guard.disarm();
        reply
    }

    /// Sends a request whose replies (progress, then a final one) all go to
    /// `on_reply`. Returns the request id, for `cancel`.
    fn stream(&self, body: RequestBody, on_reply: Callback<ResponseBody>) -> u32 {
        self.send(body, Some(ReplyTo::Stream(on_reply)), None)
    }

    /// As `stream`, with a local file sent along for the worker to read.
    fn stream_file(&self, body: RequestBody, file: File, on_reply: Callback<ResponseBody>) -> u32 {
        self.send(body, Some(ReplyTo::Stream(on_reply)), Some(file))
    }

    /// The user's Stop: a statement running in the worker cannot be
    /// interrupted from here (no SharedArrayBuffer on static hosts), so the
    /// worker is ended and a new one started; every database comes back as
    /// it was (see `recovery.rs`).
    pub fn stop(&self, reason: &str) {
        Inner::replace_worker(&self.0, reason.to_string(), true);
    }

    pub fn cancel(&self, target: u32) {
        self.send(RequestBody::Cancel { target }, None, None);
    }
}

/// Cancels request `id` when dropped before `disarm`: the future waiting
/// for its reply was dropped.
struct CancelOnDrop {
    client: WorkerClient,
    id: u32,
    armed: bool,
}

impl CancelOnDrop {
    fn new(client: &WorkerClient, id: u32) -> CancelOnDrop {
        CancelOnDrop { client: client.clone(), id, armed: true }
    }

    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if self.armed {
            // Its reply, if it still comes, goes nowhere.
            self.client.0.pending.borrow_mut().remove(&self.id);
            self.client.cancel(self.id);
        }
    }
}

impl Inner {
    /// Starts a worker (the first, or a replacement), or adopts the one the
    /// page started early, and wires its events.
    fn start_worker(this: &Rc<Inner>, fresh: bool, early: Option<EarlyWorker>) -> Result<(), String> {
        let (worker, missed) = match early {
            Some(early) => (early.worker, early.events),
            None => {
                let options = WorkerOptions::new();
                options.set_type(WorkerType::Module);
                // The session names this tab's saved copies; a fresh page
                // clears them. It goes in the worker's name: a URL fragment
                // is lost when the service worker answers with the cached
                // script.
                options.set_name(&format!("session={}{}", this.session, if fresh { "&fresh=1" } else { "" }));
                let worker =
                    Worker::new_with_options(&this.script_url, &options).map_err(|e| format!("could not start the data worker: {e:?}"))?;
                (worker, Array::new())
            }
        };
        let weak: Weak<Inner> = Rc::downgrade(this);
        let on_message = {
            let weak = weak.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(inner) = weak.upgrade() {
                    // `bytes`, or `[bytes, buffer]` for a reply with a file.
                    let data = event.data();
                    let (bytes, buffer) = match data.dyn_ref::<Array>() {
                        Some(parts) => (Uint8Array::new(&parts.get(0)), parts.get(1).dyn_into::<Uint8Array>().ok()),
                        None => (Uint8Array::new(&data), None),
                    };
                    Inner::received(&inner, bytes.to_vec(), buffer);
                }
            })
        };
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            if let Some(inner) = weak.upgrade() {
                Inner::restart(&inner, format!("The data worker stopped ({}).", event.message()));
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *this.worker.borrow_mut() = Some(worker);
        this.ready.set(false);
        this.last_heard.set(now());
        this.ping_sent.set(None);
        this.waiting_until.set(0.0);
        // What an early worker said before it was adopted, in order.
        for event in missed.iter() {
            let handler: &js_sys::Function =
                if event.is_instance_of::<ErrorEvent>() { on_error.as_ref().unchecked_ref() } else { on_message.as_ref().unchecked_ref() };
            let _ = handler.call1(&JsValue::NULL, &event);
        }
        *this.handlers.borrow_mut() = Some(Handlers { _on_message: on_message, _on_error: on_error });
        Ok(())
    }

    fn received(this: &Rc<Inner>, bytes: Vec<u8>, buffer: Option<Uint8Array>) {
        this.last_heard.set(now());
        this.ping_sent.set(None);
        match protocol::decode::<Response>(&bytes) {
            Ok(Response { body: ResponseBody::Ready { sqlite_version }, .. }) => {
                this.ready.set(true);
                let worker = this.worker.borrow().clone();
                if let Some(worker) = worker {
                    for message in this.queue.take() {
                        message.post(&worker);
                    }
                }
                this.on_event.emit(WorkerEvent::Status(WorkerStatus::Ready { sqlite_version }));
            }
            Ok(Response { body: ResponseBody::Saved { db }, .. }) => this.on_event.emit(WorkerEvent::Saved(db)),
            Ok(Response { body: ResponseBody::RowCounts { db, counts }, .. }) => this.on_event.emit(WorkerEvent::RowCounts { db, counts }),
            Ok(Response { body: ResponseBody::Fetched { db, requests, bytes }, .. }) => {
                this.on_event.emit(WorkerEvent::Fetched { db, requests, bytes })
            }
            Ok(Response { id: 0, body: ResponseBody::SchemaChanged(schema) }) => this.on_event.emit(WorkerEvent::SchemaChanged(schema)),
            Ok(Response { body: ResponseBody::Crashed { message }, .. }) => {
                Inner::restart(this, format!("The data worker crashed ({message})."));
            }
            Ok(Response { body: ResponseBody::Pong, .. }) => {}
            Ok(Response { body: ResponseBody::Waiting { ms }, .. }) => {
                this.waiting_until.set(now() + f64::from(ms));
            }
            Ok(response) => this.deliver(response, buffer),
            Err(e) => this.on_event.emit(WorkerEvent::Status(WorkerStatus::Failed(e.to_string()))),
        }
    }

    fn post(&self, message: Outgoing) {
        let worker = self.worker.borrow().clone();
        match worker {
            Some(worker) if self.ready.get() => message.post(&worker),
            _ => self.queue.borrow_mut().push(message),
        }
    }

    /// Runs every 500 ms; see the module comment.
    fn watch(this: &Rc<Inner>) {
        let (patience, oldest) = {
            let pending = this.pending.borrow();
            if pending.is_empty() || !this.ready.get() {
                return;
            }
            let patience = pending.values().map(|p| p.patience_ms).fold(0.0, f64::max);
            let oldest = pending.iter().min_by_key(|(id, _)| **id).map(|(_, p)| p.what.clone()).unwrap_or_default();
            (patience, oldest)
        };
        let t = now();
        // Silence while the worker waits for a server does not count.
        let heard = this.last_heard.get().max(this.waiting_until.get());
        match this.ping_sent.get() {
            None if t - heard > SILENCE_BEFORE_PING_MS => {
                this.ping_sent.set(Some(t));
                let id = this.next_id.get();
                this.next_id.set(id + 1);
                this.post(Outgoing { bytes: protocol::encode(&Request { id, body: RequestBody::Ping }), attachment: None });
            }
            Some(sent) if t - sent > patience + GRACE_MS => Inner::restart(
                this,
                format!(
                    "The data worker was busy with {oldest} for longer than its time limit allows, so it was stopped and started again."
                ),
            ),
            _ => {}
        }
    }

    /// Ends the worker, fails what was pending, and starts a new one.
    fn restart(this: &Rc<Inner>, reason: String) {
        Inner::replace_worker(this, reason, false);
    }

    /// `restart`, for a failure or for the user's Stop (which is not
    /// counted against the restarts allowed a minute).
    fn replace_worker(this: &Rc<Inner>, reason: String, by_user: bool) {
        if let Some(worker) = this.worker.borrow_mut().take() {
            // Its events stop here: a trap's error event after a panic's
            // `Crashed` message must not restart the new worker too.
            worker.set_onmessage(None);
            worker.set_onerror(None);
            worker.terminate();
        }
        this.handlers.borrow_mut().take();
        this.queue.borrow_mut().clear();
        this.fail_all(&format!("{reason} What you had open is being reopened."));
        let t = now();
        let too_often = !by_user && {
            let mut restarts = this.restarts.borrow_mut();
            restarts.retain(|&at| t - at < RESTART_WINDOW_MS);
            restarts.push(t);
            restarts.len() > MAX_RESTARTS
        };
        if too_often {
            let message =
                format!("{reason} It stopped {MAX_RESTARTS} times within a minute, so it was not started again; reload the page.");
            this.on_event.emit(WorkerEvent::Status(WorkerStatus::Failed(message)));
            return;
        }
        match Inner::start_worker(this, false, None) {
            Ok(()) => {
                this.on_event.emit(WorkerEvent::Status(WorkerStatus::Starting));
                this.on_event.emit(WorkerEvent::Restarted { reason, by_user });
            }
            Err(e) => this.on_event.emit(WorkerEvent::Status(WorkerStatus::Failed(e))),
        }
    }

    fn deliver(&self, response: Response, buffer: Option<Uint8Array>) {
        let is_final = response.body.is_final();
        let mut pending = self.pending.borrow_mut();
        if is_final {
            match pending.remove(&response.id).map(|p| p.reply) {
                Some(ReplyTo::Once(tx)) => {
                    let _ = tx.send(response.body);
                }
                Some(ReplyTo::WithBuffer(tx)) => {
                    let _ = tx.send((response.body, buffer));
                }
                Some(ReplyTo::Stream(cb)) => {
                    drop(pending);
                    cb.emit(response.body);
                }
                None => {}
            }
        } else if let Some(ReplyTo::Stream(cb)) = pending.get(&response.id).map(|p| &p.reply) {
            let cb = cb.clone();
            drop(pending);
            cb.emit(response.body);
        }
    }

    fn fail_all(&self, message: &str) {
        let report = ErrorReport::new(ErrorKind::WorkerRestarted, message);
        let drained: Vec<_> = self.pending.borrow_mut().drain().collect();
        for (_, p) in drained {
            match p.reply {
                ReplyTo::Once(tx) => {
                    let _ = tx.send(ResponseBody::Error(report.clone()));
                }
                ReplyTo::WithBuffer(tx) => {
                    let _ = tx.send((ResponseBody::Error(report.clone()), None));
                }
                ReplyTo::Stream(cb) => cb.emit(ResponseBody::Error(report.clone())),
            }
        }
    }
}

/// The worker `index.html` started before the UI's wasm loaded, its
/// session, and the events it sent before anyone listened.
struct EarlyWorker {
    worker: Worker,
    session: String,
    events: Array,
}

impl EarlyWorker {
    /// Takes it from the page (once).
    fn take() -> Option<EarlyWorker> {
        let global = js_sys::global();
        let early = js_sys::Reflect::get(&global, &"EXPLORER_EARLY_WORKER".into()).ok().filter(|e| e.is_object())?;
        let _ = js_sys::Reflect::set(&global, &"EXPLORER_EARLY_WORKER".into(), &JsValue::UNDEFINED);
        let field = |name: &str| js_sys::Reflect::get(&early, &name.into()).ok();
        Some(EarlyWorker {
            worker: field("worker")?.dyn_into().ok()?,
            session: field("session")?.as_string()?,
            events: field("events")?.dyn_into().ok()?,
        })
    }
}

/// How long the worker may be busy with `body` before it counts as stuck:
/// its own time limits (see the engine), without the grace.
fn patience_ms(body: &RequestBody) -> f64 {
    let ms: u32 = match body {
        RequestBody::Query(q) => q.time_limit_ms,
        RequestBody::CountRows(r) => r.time_limit_ms,
        RequestBody::TablePage(r) | RequestBody::SuggestFacets(r) => r.time_limit_ms.max(1_000) * 3,
        RequestBody::Row(_) | RequestBody::QueryParameters { .. } => 2_000,
        // One export statement may run 30 s; pieces come out as it goes.
        RequestBody::Export(_) => 30_000,
        // A script's statement may run 60 s; opening checks a file for 5 s.
        RequestBody::OpenUrl { .. } | RequestBody::OpenFile { .. } | RequestBody::Import { .. } => 65_000,
        _ => 10_000,
    };
    f64::from(ms)
}

/// A request in words, for the message when it proves too expensive.
fn describe(body: &RequestBody) -> String {
    match body {
        RequestBody::Query(q) => format!("the query on {}", q.db),
        RequestBody::TablePage(r) => format!("the page of {} in {}", r.table, r.db),
        RequestBody::SuggestFacets(r) => format!("suggesting facets for {}", r.table),
        RequestBody::CountRows(r) => format!("counting the rows of {}", r.table),
        RequestBody::Row(r) => format!("a row of {}", r.table),
        RequestBody::Export(_) => "an export".into(),
        RequestBody::OpenUrl { url, .. } | RequestBody::Import { url, .. } => format!("loading {url}"),
        RequestBody::OpenFile { file_name, .. } => format!("loading {file_name}"),
        _ => "a request".into(),
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
