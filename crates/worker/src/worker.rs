//! The worker's message loop: decodes requests, runs them (fetches, imports
//! in order, engine calls) and posts the replies.

// A failed step's error is the reply itself (`ResponseBody::Error`), made
// and posted once: boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

use engine::import::{decide_format, delimiter_for_name, detect_format, encoding_for_label, DelimitedOptions, Format};
use engine::Engine;
use js_sys::{Array, Uint8Array};
use protocol::{ErrorKind, ErrorReport, ImportFormat, ImportOptions, ImportReport, Request, RequestBody, Response, ResponseBody};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal, DedicatedWorkerGlobalScope, File, MessageEvent};

use crate::background::Task;
use crate::fetch::{error, open_file, open_url, open_url_or_ranges, ByteStream, Opening};

/// Something to read and load, waiting its turn.
struct Job {
    id: u32,
    source: Source,
    /// Open an SQLite file under exactly this name (reopening after a restart).
    name: Option<String>,
    /// The format the user named (the content may overrule it: an SQLite
    /// file given as `?csv=` opens as a database); `None`: found from the
    /// name and the first bytes (local files, `?load=`).
    format: Option<Format>,
    options: DelimitedOptions,
}

enum Source {
    Url(String),
    File(File),
}

impl Source {
    fn label(&self) -> String {
        match self {
            Source::Url(url) => url.clone(),
            Source::File(file) => file.name(),
        }
    }
}

pub(crate) struct State {
    pub(crate) engine: Engine,
    /// Reads in flight or queued, by request id, so `Cancel` can stop them.
    controllers: HashMap<u32, AbortController>,
    /// Imports write to one database inside one transaction each, so they
    /// run one at a time, in request order (`?sql=` before `?csv=`, as the
    /// UI sends them).
    queue: VecDeque<Job>,
    draining: bool,
    /// This tab's id for the saved copies of changed databases.
    session: String,
    /// Databases with a saved copy: changed by SQL, so only a copy can
    /// bring them back (imports alone are replayed from their sources).
    saved: std::collections::HashSet<String>,
    /// What was last said (`Fetched`) of each lazy database's reads.
    fetched_posted: HashMap<String, engine::lazy::FetchStats>,
    /// Column summaries made, by database and then by what they summarize
    /// (the encoded source); a database's are dropped when it changes.
    pub(crate) summaries: HashMap<String, HashMap<Vec<u8>, Vec<protocol::ColumnSummary>>>,
}

thread_local! {
    pub(crate) static STATE: RefCell<State> = RefCell::new(State {
        engine: Engine::new(now_ms),
        controllers: HashMap::new(),
        queue: VecDeque::new(),
        draining: false,
        session: String::new(),
        saved: std::collections::HashSet::new(),
        fetched_posted: HashMap::new(),
        summaries: HashMap::new(),
    });
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`, called directly: the engine's progress handler
    /// reads the clock every 100 VM steps, and going through the global
    /// scope's `Performance` object (four calls into JS, one object handle)
    /// made ordinary queries several times slower than sql.js.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

pub(crate) fn now_ms() -> f64 {
    performance_now()
}

pub fn start() {
    if crate::csv_thread::is_parser_thread() {
        return crate::csv_thread::start();
    }
    // A panic says what it was before the worker stops, so the page can
    // tell the user and start a new worker.
    std::panic::set_hook(Box::new(|info| post(0, ResponseBody::Crashed { message: info.to_string() })));
    engine::limit_heap();
    crate::text_decoder::install();
    let (session, fresh) = crate::data_cache::session();
    crate::data_cache::drop_snapshots(&session, fresh);
    STATE.with_borrow_mut(|s| s.session = session);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        // [encoded request, optional attached File]
        let parts: Array = event.data().unchecked_into();
        let bytes = Uint8Array::new(&parts.get(0)).to_vec();
        let attachment = parts.get(1).dyn_into::<File>().ok();
        match protocol::decode::<Request>(&bytes) {
            Ok(request) => handle(request, attachment),
            Err(e) => post(0, ResponseBody::Error(ErrorReport::new(ErrorKind::Other, e.to_string()))),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    // A constant of the library: no connection is opened (and no SQLite
    // code compiled by the browser) before the first request.
    post(0, ResponseBody::Ready { sqlite_version: engine::sqlite_version().to_string() });
}

/// `post`, with `buffer` beside the message (`[bytes, buffer]`), both
/// transferred.
fn post_with_buffer(id: u32, body: ResponseBody, buffer: &Uint8Array) {
    let bytes = protocol::encode(&Response { id, body });
    let array = Uint8Array::from(bytes.as_slice());
    let message = Array::of2(&array, buffer);
    let _ = scope().post_message_with_transfer(&message, &Array::of2(&array.buffer(), &buffer.buffer()));
}

/// Posts a message to the page. A schema that goes out may have left big
/// tables uncounted: they are counted next, in the background.
pub fn post(id: u32, body: ResponseBody) {
    let schema_of = match &body {
        ResponseBody::Opened(s) | ResponseBody::SchemaChanged(s) => Some(s.name.clone()),
        ResponseBody::Imported(report) => Some(report.schema.name.clone()),
        _ => None,
    };
    let final_reply = body.is_final();
    post_now(id, body);
    if let Some(db) = &schema_of {
        // Changed (or opened again): its summaries are made anew.
        STATE.with(|state| {
            if let Ok(mut s) = state.try_borrow_mut() {
                s.summaries.remove(db);
            }
        });
    }
    if let Some(db) = schema_of {
        crate::background::count_rows_later(&db);
    }
    if final_reply {
        post_fetched();
    }
}

/// Says what lazy databases have fetched, for those that fetched more
/// since it was last said (after each reply, which may have read pages).
fn post_fetched() {
    let changed = STATE.with(|state| {
        // Posting happens inside engine calls too; then the next reply says it.
        let Ok(mut s) = state.try_borrow_mut() else { return Vec::new() };
        let now = s.engine.lazy_fetched();
        now.into_iter().filter(|(db, stats)| s.fetched_posted.insert(db.clone(), *stats) != Some(*stats)).collect::<Vec<_>>()
    });
    for (db, stats) in changed {
        post_now(0, ResponseBody::Fetched { db, requests: stats.requests, bytes: stats.bytes });
    }
}

fn post_now(id: u32, body: ResponseBody) {
    let bytes = protocol::encode(&Response { id, body });
    let array = Uint8Array::from(bytes.as_slice());
    let transfer = Array::of1(&array.buffer());
    // Posting to our own parent cannot fail for a plain transferable buffer.
    let _ = scope().post_message_with_transfer(&array, &transfer);
}

fn reply<T>(id: u32, result: engine::Result<T>, ok: impl FnOnce(T) -> ResponseBody) {
    post(
        id,
        match result {
            Ok(value) => ok(value),
            Err(e) => ResponseBody::Error(e.to_report()),
        },
    );
}

fn new_signal(id: u32) -> AbortSignal {
    let controller = AbortController::new().expect("AbortController exists in workers");
    let signal = controller.signal();
    STATE.with_borrow_mut(|s| s.controllers.insert(id, controller));
    signal
}

fn handle(request: Request, attachment: Option<File>) {
    let id = request.id;
    match request.body {
        RequestBody::OpenUrl { url, name, lazy } => open_url_request(id, url, name, lazy),
        RequestBody::Import { url, format, options } => enqueue(id, Source::Url(url), engine_format(format), None, &options),
        RequestBody::OpenFile { file_name, options, name } => match attachment {
            Some(file) => enqueue(id, Source::File(file), None, name, &options),
            None => post(id, error(ErrorKind::BadRequest, format!("{file_name}: the file did not reach the worker"))),
        },
        RequestBody::Cancel { target } => cancel(target),
        RequestBody::TablePage(req) => reply(id, STATE.with_borrow_mut(|s| s.engine.table_page(&req)), ResponseBody::TablePage),
        RequestBody::Summarize(source) => summarize(id, source),
        RequestBody::CountRows(req) => reply(id, STATE.with_borrow_mut(|s| s.engine.count_selection(&req)), ResponseBody::Counted),
        RequestBody::Chart(req) => reply(id, STATE.with_borrow_mut(|s| s.engine.chart(&req)), ResponseBody::Chart),
        RequestBody::MakeSearchable { db, table, columns } => make_searchable(id, &db, &table, &columns),
        RequestBody::Compare(req) => reply(id, STATE.with_borrow_mut(|s| s.engine.compare(&req)), ResponseBody::Compared),
        // Background work: checked a column at a time, between requests.
        RequestBody::SuggestFacets(req) => match STATE.with_borrow_mut(|s| s.engine.begin_suggest_facets(&req)) {
            Ok(Some(suggestions)) => crate::background::add(id, Task::SuggestFacets { db: req.db, suggestions }),
            Ok(None) => post(id, ResponseBody::SuggestedFacets(Vec::new())),
            Err(e) => post(id, ResponseBody::Error(e.to_report())),
        },
        RequestBody::Row(req) => reply(id, STATE.with_borrow_mut(|s| s.engine.row(&req)), ResponseBody::Row),
        RequestBody::Query(req) => query(id, &req),
        RequestBody::QueryParameters { db, sql } => {
            reply(id, STATE.with_borrow_mut(|s| s.engine.query_parameters(&db, &sql)), ResponseBody::QueryParameters)
        }
        RequestBody::Export(req) => {
            // Pieces go out as they are made; the UI gathers them into a Blob.
            let result = STATE.with_borrow_mut(|s| s.engine.export(&req, |piece| post(id, ResponseBody::ExportChunk(piece))));
            reply(id, result, |rows| ResponseBody::ExportDone { rows });
        }
        RequestBody::DownloadDatabase { db } => download(id, &db),
        RequestBody::Ping => post(id, ResponseBody::Pong),
        RequestBody::Restore { name, imported } => restore(id, name, imported),
        RequestBody::OpenMemory { name } => {
            let opened = STATE.with_borrow_mut(|s| s.engine.reserve_exact(&name).and_then(|name| s.engine.open_memory(&name)));
            reply(id, opened, ResponseBody::Opened)
        }
        RequestBody::Metadata { url } => metadata(id, url),
        RequestBody::Keep { db, as_name, replace } => reply_later(id, crate::kept::keep(db, as_name, replace)),
        RequestBody::KeptDatasets => reply_later(id, crate::kept::list()),
        RequestBody::OpenKept { name, as_name } => crate::kept::open(id, name, as_name),
        RequestBody::DeleteKept { name } => reply_later(id, crate::kept::delete(name)),
    }
}

/// Posts what `reply` comes to, once it has.
fn reply_later(id: u32, reply: impl std::future::Future<Output = ResponseBody> + 'static) {
    wasm_bindgen_futures::spawn_local(async move { post(id, reply.await) });
}

fn engine_format(format: ImportFormat) -> Option<Format> {
    match format {
        ImportFormat::Csv => Some(Format::Delimited),
        ImportFormat::Sql => Some(Format::SqlScript),
        ImportFormat::Json => Some(Format::Json),
        ImportFormat::Parquet => Some(Format::Parquet),
        ImportFormat::Auto => None,
    }
}

/// Fetches `url` and opens it as a database.
fn open_url_request(id: u32, url: String, name: Option<String>, lazy: Option<bool>) {
    // Reserved now, so names follow request order, not finishing order.
    let name = match reserve(name, &url) {
        Ok(name) => name,
        Err(e) => return post(id, ResponseBody::Error(e.to_report())),
    };
    let signal = new_signal(id);
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = match open_url_or_ranges(&engine::source::rewrite_url(&url), &signal, lazy).await {
            Ok(Opening::Whole(mut stream)) => open_database(id, &name, &url, &mut stream, Vec::new(), &signal).await,
            Ok(Opening::Lazily(ranges, size)) => STATE
                .with_borrow_mut(|s| s.engine.open_lazy(&name, &url, Box::new(ranges), size))
                .map(ResponseBody::Opened)
                .map_err(|e| ResponseBody::Error(e.to_report())),
            Err(body) => {
                STATE.with_borrow_mut(|s| s.engine.release_name(&name));
                Err(body)
            }
        };
        STATE.with_borrow_mut(|s| s.controllers.remove(&id));
        post(id, outcome.unwrap_or_else(|body| body));
    });
}

/// Stops request `target`: its read if one is in flight, at once if it
/// still waits in the queue or is background work.
fn cancel(target: u32) {
    if let Some(controller) = STATE.with_borrow_mut(|s| s.controllers.remove(&target)) {
        controller.abort();
    }
    let queued = STATE.with_borrow_mut(|s| {
        let before = s.queue.len();
        s.queue.retain(|job| job.id != target);
        before != s.queue.len()
    });
    if queued || crate::background::cancel(target) {
        post(target, ResponseBody::Cancelled);
    }
}

/// Column summaries: from the cache, or made in the background.
fn summarize(id: u32, source: protocol::SummarySource) {
    let source = source.rows_only();
    let key = protocol::encode(&source);
    let db = source.db().to_string();
    let cached = STATE.with_borrow(|s| s.summaries.get(&db).and_then(|by| by.get(&key)).cloned());
    if let Some(summaries) = cached {
        return post(id, ResponseBody::Summaries(summaries));
    }
    match STATE.with_borrow_mut(|s| s.engine.begin_summary(&source)) {
        Ok(summarizer) => crate::background::add(id, Task::Summarize { db, key, summarizer }),
        Err(e) => post(id, ResponseBody::Error(e.to_report())),
    }
}

/// Runs a statement; a copy is saved after one that wrote.
fn query(id: u32, req: &protocol::QueryRequest) {
    let result = STATE.with_borrow_mut(|s| s.engine.query(req));
    let wrote = matches!(&result, Ok(r) if r.rows_changed.is_some());
    reply(id, result, ResponseBody::Query);
    if wrote {
        // The page's copy of the schema (tables, counts) follows the change.
        if let Ok(schema) = STATE.with_borrow_mut(|s| s.engine.schema(&req.db)) {
            post(0, ResponseBody::SchemaChanged(schema));
        }
        save_copy(&req.db);
    }
}

/// A search index for a table; the schema and the saved copy follow.
fn make_searchable(id: u32, db: &str, table: &str, columns: &[String]) {
    match STATE.with_borrow_mut(|s| s.engine.make_searchable(db, table, columns)) {
        Ok(index) => {
            if let Ok(schema) = STATE.with_borrow_mut(|s| s.engine.schema(db)) {
                post(0, ResponseBody::SchemaChanged(schema));
            }
            post(id, ResponseBody::Searchable { index });
            save_copy(db);
        }
        Err(e) => post(id, ResponseBody::Error(e.to_report())),
    }
}

/// The database file, in one copy, into a buffer that is transferred.
fn download(id: u32, db: &str) {
    match STATE.with_borrow_mut(|s| s.engine.with_image(db, |bytes| Uint8Array::from(bytes))) {
        Ok(image) => post_with_buffer(id, ResponseBody::DatabaseFile { size: u64::from(image.length()) }, &image),
        Err(e) => post(id, ResponseBody::Error(e.to_report())),
    }
}

/// Reopens `name` from the copy saved after it last changed.
fn restore(id: u32, name: String, imported: bool) {
    let reserved = STATE.with_borrow_mut(|s| s.engine.reserve_exact(&name));
    wasm_bindgen_futures::spawn_local(async move {
        let session = STATE.with_borrow(|s| s.session.clone());
        let body = match (reserved, crate::data_cache::load_snapshot(&session, &name).await) {
            (Err(e), _) => ResponseBody::Error(e.to_report()),
            (Ok(_), Some((bytes, source))) => match STATE.with_borrow_mut(|s| s.engine.open_restored(&name, &source, &bytes, imported)) {
                Ok(schema) => {
                    // Its copy must keep following its changes.
                    STATE.with_borrow_mut(|s| s.saved.insert(name.clone()));
                    ResponseBody::Opened(schema)
                }
                Err(e) => ResponseBody::Error(e.to_report()),
            },
            (Ok(_), None) => {
                STATE.with_borrow_mut(|s| s.engine.release_name(&name));
                error(ErrorKind::NotFound, format!("{name}: no saved copy was found, so it could not be reopened"))
            }
        };
        post(id, body);
    });
}

/// Fetches and applies Datasette metadata.
fn metadata(id: u32, url: String) {
    let signal = new_signal(id);
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = async {
            let mut stream = open_url(&engine::source::rewrite_url(&url), &signal).await?;
            let mut bytes = Vec::new();
            while let Some(chunk) = stream.next(&signal).await? {
                bytes.extend_from_slice(&chunk);
            }
            let metadata = read_metadata(&bytes).await.map_err(|e| named(&url, e))?;
            STATE.with_borrow_mut(|s| s.engine.apply_metadata(&metadata));
            Ok(ResponseBody::Metadata(metadata))
        }
        .await;
        STATE.with_borrow_mut(|s| s.controllers.remove(&id));
        post(id, outcome.unwrap_or_else(|body: ResponseBody| body));
    });
}

/// A metadata file in JSON, or in YAML converted to JSON by the YAML
/// module (`crates/metadata-yaml`), which is loaded the first time one is.
async fn read_metadata(bytes: &[u8]) -> engine::Result<protocol::Metadata> {
    use engine::metadata::{from_value, neither, read_text, MetadataText};
    match read_text(bytes)? {
        MetadataText::Json(value) => from_value(value),
        MetadataText::NotJson { text, json_error } => {
            let converted = async {
                let convert = crate::loader_function("explorerYamlToJson")?;
                let promise: js_sys::Promise = convert.call1(&JsValue::NULL, &text.as_str().into()).ok()?.dyn_into().ok()?;
                Some(wasm_bindgen_futures::JsFuture::from(promise).await)
            };
            match converted.await {
                Some(Ok(json)) => from_value(
                    serde_json::from_str(&json.as_string().unwrap_or_default()).map_err(|e| neither(&json_error, &e.to_string()))?,
                ),
                Some(Err(yaml_error)) => {
                    Err(neither(&json_error, &yaml_error.as_string().unwrap_or_else(|| "the YAML reader failed".into())))
                }
                None => Err(neither(&json_error, "the YAML reader could not be loaded")),
            }
        }
    }
}

fn parse_options(options: &ImportOptions) -> Result<DelimitedOptions, ResponseBody> {
    let encoding = match &options.encoding {
        None => None,
        Some(label) => Some(encoding_for_label(label).ok_or_else(|| {
            error(
                ErrorKind::BadRequest,
                format!("encoding={label} is not an encoding this browser knows; try utf-8, windows-1252, latin1, utf-16le or utf-16be"),
            )
        })?),
    };
    let delimiter = match &options.delimiter {
        None => None,
        Some(name) => Some(delimiter_for_name(name).ok_or_else(|| {
            error(ErrorKind::BadRequest, format!("delimiter={name} is not understood; use comma, semicolon, tab, pipe, colon or space"))
        })?),
    };
    Ok(DelimitedOptions { delimiter, encoding })
}

/// Exactly `requested` (reopening after a restart), else a fresh name
/// from `source`.
pub(crate) fn reserve(requested: Option<String>, source: &str) -> engine::Result<String> {
    STATE.with_borrow_mut(|s| match requested {
        Some(name) => s.engine.reserve_exact(&name),
        None => Ok(s.engine.reserve_name(source)),
    })
}

/// An import into a database that SQL changed before: its copy must follow.
/// (A database only imported into is reopened by replaying its imports,
/// which costs no copy of it at all.)
fn save_copy_if_saved(db: &str) {
    if STATE.with_borrow(|s| s.saved.contains(db)) {
        save_copy(db);
    }
}

/// Saves a copy of `db` as it is now, for a restarted worker to reopen;
/// tells the UI once it is stored.
fn save_copy(db: &str) {
    STATE.with_borrow_mut(|s| s.saved.insert(db.to_string()));
    let copy = STATE.with_borrow_mut(|s| {
        s.engine.with_image(db, |bytes| Uint8Array::from(bytes)).map(|image| (image, s.engine.source_of(db), s.session.clone()))
    });
    let Ok((image, source, session)) = copy else { return };
    let db = db.to_string();
    wasm_bindgen_futures::spawn_local(async move {
        if crate::data_cache::save_snapshot(&session, &db, &source, &image).await {
            post(0, ResponseBody::Saved { db });
        }
    });
}

fn enqueue(id: u32, source: Source, format: Option<Format>, name: Option<String>, options: &ImportOptions) {
    let options = match parse_options(options) {
        Ok(o) => o,
        Err(body) => return post(id, body),
    };
    new_signal(id);
    let start = STATE.with_borrow_mut(|s| {
        s.queue.push_back(Job { id, source, format, name, options });
        !std::mem::replace(&mut s.draining, true)
    });
    if start {
        wasm_bindgen_futures::spawn_local(async {
            while let Some(job) = STATE.with_borrow_mut(|s| s.queue.pop_front()) {
                let id = job.id;
                let body = run_job(job).await.unwrap_or_else(|body| body);
                STATE.with_borrow_mut(|s| s.controllers.remove(&id));
                post(id, body);
            }
            STATE.with_borrow_mut(|s| s.draining = false);
        });
    }
}

async fn run_job(job: Job) -> Result<ResponseBody, ResponseBody> {
    let signal = STATE.with_borrow(|s| s.controllers.get(&job.id).map(|c| c.signal())).ok_or(ResponseBody::Cancelled)?;
    let label = job.source.label();
    // The CSV parser thread starts while the download does (`?csv=`).
    let parser = (job.format == Some(Format::Delimited)).then(crate::csv_pipeline::start_parser).flatten();
    let mut stream = match &job.source {
        Source::Url(url) => open_url(&engine::source::rewrite_url(url), &signal).await?,
        Source::File(file) => open_file(file),
    };
    // Enough of the start to tell an SQLite file, whatever it was named as.
    let mut first = Vec::new();
    while first.len() < engine::SQLITE_HEADER.len() {
        match stream.next(&signal).await? {
            Some(chunk) => first.extend_from_slice(&chunk),
            None => break,
        }
    }
    let format = match job.format {
        Some(requested) => decide_format(requested, &first),
        None => detect_format(&label, &first).map_err(|e| named(&label, e))?,
    };
    if format == Format::Sqlite {
        let name = reserve(job.name.clone(), &label).map_err(|e| named(&label, e))?;
        return open_database(job.id, &name, &label, &mut stream, first, &signal).await;
    }
    if format == Format::Parquet {
        return import_parquet(job.id, &label, &job.source, &mut stream, first, &signal, job.options).await;
    }
    if format == Format::Delimited {
        if let Some(port) = crate::csv_pipeline::parser(parser.or_else(crate::csv_pipeline::start_parser)).await {
            return crate::csv_pipeline::import(port, job.id, &label, &mut stream, first, &signal, job.options).await;
        }
    }
    let mut import = STATE.with_borrow_mut(|s| s.engine.begin_import(&label, format, job.options)).map_err(|e| named(&label, e))?;
    let mut loaded = first.len() as u64;
    let mut chunk = Some(first);
    loop {
        if let Some(bytes) = chunk.take() {
            let pushed = STATE.with_borrow_mut(|s| s.engine.push_import(&mut import, &bytes));
            if let Err(e) = pushed {
                abort(job.id, import);
                return Err(named(&label, e));
            }
            post(job.id, ResponseBody::Progress { loaded, total: stream.total, rows: import.progress() });
        }
        match stream.next(&signal).await {
            Ok(Some(bytes)) => {
                loaded += bytes.len() as u64;
                chunk = Some(bytes);
            }
            Ok(None) => break,
            Err(body) => {
                abort(job.id, import);
                return Err(body);
            }
        }
    }
    finish(job.id, &label, import)
}

/// A Parquet file: its footer, then its row groups one at a time, each
/// imported as JSON rows (`parquet.rs`). A local file is read in slices
/// where it lies; a download is first gathered into a `Blob`. Progress
/// is the bytes of the row groups read, and the rows.
#[allow(clippy::too_many_arguments)]
async fn import_parquet(
    id: u32,
    label: &str,
    source: &Source,
    stream: &mut ByteStream,
    first: Vec<u8>,
    signal: &AbortSignal,
    options: engine::import::DelimitedOptions,
) -> Result<ResponseBody, ResponseBody> {
    let failed = |message: String| unreadable(label, message);
    let pieces = match source {
        Source::File(file) => {
            stream.cancel();
            crate::parquet::Pieces::file(file)
        }
        Source::Url(_) => {
            let mut blob = crate::parquet::BlobBuilder::new();
            let mut loaded = first.len() as u64;
            blob.push(Uint8Array::from(first.as_slice())).map_err(failed)?;
            while let Some(chunk) = stream.next_js(signal).await? {
                loaded += u64::from(chunk.length());
                blob.push(chunk).map_err(failed)?;
                post(id, ResponseBody::Progress { loaded, total: stream.total, rows: 0 });
            }
            crate::parquet::Pieces::blob(blob.finish().map_err(failed)?)
        }
    };
    let reader = crate::parquet::reader().await.map_err(failed)?;
    let file = crate::parquet::open(&reader, &first, &pieces).await.map_err(failed)?;
    let outcome = import_row_groups(id, label, &pieces, &file, signal, options).await;
    file.free();
    outcome
}

async fn import_row_groups(
    id: u32,
    label: &str,
    pieces: &crate::parquet::Pieces,
    file: &crate::parquet::ParquetFile,
    signal: &AbortSignal,
    options: engine::import::DelimitedOptions,
) -> Result<ResponseBody, ResponseBody> {
    let mut import = STATE.with_borrow_mut(|s| s.engine.begin_import(label, Format::Json, options)).map_err(|e| named(label, e))?;
    match import_each_group(id, label, pieces, file, signal, &mut import).await {
        Ok(()) => finish(id, label, import),
        Err(body) => {
            abort(id, import);
            Err(body)
        }
    }
}

/// Reads each row group and imports its rows into `import`.
async fn import_each_group(
    id: u32,
    label: &str,
    pieces: &crate::parquet::Pieces,
    file: &crate::parquet::ParquetFile,
    signal: &AbortSignal,
    import: &mut engine::import::Import,
) -> Result<(), ResponseBody> {
    let failed = |message: String| unreadable(label, message);
    let total = Some(pieces.len() as u64);
    for group in 0..file.groups() {
        let (start, end) = file.group_range(group);
        let bytes = pieces.read(start, end).await.map_err(failed)?;
        if signal.aborted() {
            return Err(ResponseBody::Cancelled);
        }
        file.begin_group(group, &bytes).map_err(failed)?;
        drop(bytes);
        while let Some(chunk) = file.next_chunk().map_err(failed)? {
            STATE.with_borrow_mut(|s| s.engine.push_import(import, &chunk)).map_err(|e| named(label, e))?;
            crate::parquet::next_turn().await;
            if signal.aborted() {
                return Err(ResponseBody::Cancelled);
            }
        }
        post(id, ResponseBody::Progress { loaded: end as u64, total, rows: import.progress() });
    }
    Ok(())
}

/// A Parquet file that could not be read, in words.
fn unreadable(label: &str, message: String) -> ResponseBody {
    named(label, engine::Error::new(protocol::ErrorKind::Unreadable, message))
}

/// Ends an import that read all its input: the report, or what stayed
/// after a failure.
pub(crate) fn finish(id: u32, label: &str, import: engine::import::Import) -> Result<ResponseBody, ResponseBody> {
    let db = import.database().to_string();
    let outcome = STATE.with_borrow_mut(|s| s.engine.finish_import(import)).map_err(|e| {
        report_leftovers(id, &db);
        named(label, e)
    })?;
    save_copy_if_saved(&db);
    Ok(ResponseBody::Imported(ImportReport {
        schema: outcome.schema,
        table: outcome.table,
        count: outcome.count,
        warnings: outcome.warnings,
    }))
}

pub(crate) fn abort(id: u32, import: engine::import::Import) {
    let db = import.database().to_string();
    STATE.with_borrow_mut(|s| s.engine.abort_import(import));
    report_leftovers(id, &db);
}

/// After a failed import, tells the UI about what stayed (a script keeps
/// what ran); nothing when the database was empty and so dropped.
fn report_leftovers(id: u32, db: &str) {
    if let Ok(schema) = STATE.with_borrow_mut(|s| s.engine.schema(db)) {
        post(id, ResponseBody::SchemaChanged(schema));
        save_copy_if_saved(db);
    }
}

/// Reads a whole SQLite file and opens it under `name` (reserved by the
/// caller; released here if anything fails).
async fn open_database(
    id: u32,
    name: &str,
    label: &str,
    stream: &mut ByteStream,
    first: Vec<u8>,
    signal: &AbortSignal,
) -> Result<ResponseBody, ResponseBody> {
    // The buffer grows from the bytes that arrive, never from the length
    // the server declares (a 1 GiB Content-Length with 16 bytes behind it).
    let mut bytes = first;
    post(id, ResponseBody::Progress { loaded: bytes.len() as u64, total: stream.total, rows: 0 });
    loop {
        match stream.next(signal).await {
            Ok(Some(chunk)) => {
                bytes.extend_from_slice(&chunk);
                post(id, ResponseBody::Progress { loaded: bytes.len() as u64, total: stream.total, rows: 0 });
            }
            Ok(None) => break,
            Err(body) => {
                STATE.with_borrow_mut(|s| s.engine.release_name(name));
                return Err(body);
            }
        }
    }
    // `open` releases the name itself when it fails.
    let opened = STATE.with_borrow_mut(|s| s.engine.open(name, label, &bytes));
    opened.map(ResponseBody::Opened).map_err(|e| named(label, e))
}

/// Errors about a source name it, so a page with several says which failed.
pub(crate) fn named(label: &str, e: engine::Error) -> ResponseBody {
    ResponseBody::Error(ErrorReport { position: e.position(), ..ErrorReport::new(e.kind(), format!("{label}: {}", e.message())) })
}
