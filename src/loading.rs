//! Starting loads: a URL or a local file becomes a worker request whose
//! replies are folded into the app state.

use std::cell::Cell;
use std::rc::Rc;

use protocol::{ImportFormat, ImportOptions, RequestBody};
use web_sys::File;
use yew::{Callback, UseReducerDispatcher};

use crate::browser;
use crate::state::{Action, AppState, Reopen};
use crate::worker_client::{LoadEvent, WorkerClient};

/// What the page URL asks to load, in the order it is loaded: SQLite files
/// (in parallel), then SQL scripts, then CSV, JSON and Parquet (one at a time, into
/// the `data` database), as Datasette Lite does; then `?load=` URLs, whose
/// kind the worker tells from their content.
pub struct PageSources {
    pub databases: Vec<String>,
    pub imports: Vec<(ImportFormat, String)>,
    pub options: ImportOptions,
    /// `?memory=1`: an empty in-memory database, `_memory`.
    pub memory: bool,
}

impl PageSources {
    pub fn from_page() -> PageSources {
        let mut imports = Vec::new();
        let kinds = [
            ("sql", ImportFormat::Sql),
            ("csv", ImportFormat::Csv),
            ("json", ImportFormat::Json),
            ("parquet", ImportFormat::Parquet),
            ("load", ImportFormat::Auto),
        ];
        for (key, format) in kinds {
            imports.extend(browser::query_params(key).into_iter().map(|url| (format, url)));
        }
        let memory = browser::query_params("memory").iter().any(|v| v != "0");
        PageSources { databases: browser::query_params("url"), imports, options: import_options_from_page(), memory }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> usize {
        self.databases.len() + self.imports.len() + usize::from(self.memory)
    }
}

/// What the page URL asks for that this app cannot do, in words: Datasette
/// Lite's `?install=` (Python plugins). Never silently ignored.
pub fn page_notices() -> Vec<String> {
    let mut notices = Vec::new();
    let plugins = browser::query_params("install");
    if !plugins.is_empty() {
        notices.push(format!(
            "Datasette plugins cannot be installed here ({}): they are Python packages, and this explorer runs no Python. \
             Everything else in the link was opened.",
            plugins.join(", ")
        ));
    }
    notices
}

/// `&_lazy=1` (read SQLite files by ranges as needed) or `&_lazy=0`
/// (download them whole); without it the worker decides by size.
pub fn lazy_from_page() -> Option<bool> {
    browser::query_params("_lazy").pop().map(|v| v != "0")
}

/// `?encoding=` and `?delimiter=`, which apply to every CSV on the page
/// (and to files opened from it).
pub fn import_options_from_page() -> ImportOptions {
    ImportOptions { encoding: browser::query_params("encoding").pop(), delimiter: browser::query_params("delimiter").pop() }
}

fn on_event(dispatch: UseReducerDispatcher<AppState>, request_id: Rc<Cell<u32>>) -> Callback<LoadEvent> {
    Callback::from(move |event: LoadEvent| {
        let request_id = request_id.get();
        dispatch.dispatch(match event {
            LoadEvent::Progress { loaded, total, rows } => Action::Progress { request_id, loaded, total, rows },
            LoadEvent::Opened(schema) => Action::Loaded { request_id, schema },
            LoadEvent::Imported(report) => Action::Imported { request_id, report },
            LoadEvent::SchemaChanged(schema) => Action::SchemaChanged(schema),
            LoadEvent::Cancelled => Action::Cancelled { request_id },
            LoadEvent::Failed(error) => Action::LoadFailed { request_id, error },
        })
    })
}

/// Sends `body` (with `file`, if any) and records it as a source shown as
/// `label`; returns the request id.
pub(crate) fn start(
    client: &WorkerClient,
    dispatch: &UseReducerDispatcher<AppState>,
    label: String,
    body: RequestBody,
    file: Option<File>,
    reopen: Reopen,
) -> u32 {
    // The id is only known once sent; replies cannot arrive before then.
    let id = Rc::new(Cell::new(0));
    let request_id = client.load(body, file, on_event(dispatch.clone(), id.clone()));
    id.set(request_id);
    dispatch.dispatch(Action::LoadStarted { request_id, label, reopen });
    request_id
}

/// Opens the SQLite database at `url` (relative URLs are resolved here).
pub fn load_url(client: &WorkerClient, dispatch: &UseReducerDispatcher<AppState>, url: &str) -> u32 {
    let body = RequestBody::OpenUrl { url: browser::absolute_url(url), name: None, lazy: lazy_from_page() };
    start(client, dispatch, url.to_string(), body, None, Reopen::Url(url.to_string()))
}

/// Imports the CSV, SQL or JSON at `url` into the `data` database.
pub fn import_url(
    client: &WorkerClient,
    dispatch: &UseReducerDispatcher<AppState>,
    format: ImportFormat,
    url: &str,
    options: ImportOptions,
) -> u32 {
    let body = RequestBody::Import { url: browser::absolute_url(url), format, options: options.clone() };
    start(client, dispatch, url.to_string(), body, None, Reopen::Import { url: url.to_string(), format, options })
}

/// Opens or imports a local file, whatever its format.
pub fn load_file(client: &WorkerClient, dispatch: &UseReducerDispatcher<AppState>, file: File) {
    let file_name = file.name();
    let options = import_options_from_page();
    let body = RequestBody::OpenFile { file_name: file_name.clone(), options: options.clone(), name: None };
    start(client, dispatch, file_name, body, Some(file.clone()), Reopen::File(file, options));
}

/// The in-memory database Datasette calls `_memory` (`?memory=1`).
pub const MEMORY_DATABASE: &str = "_memory";

/// Opens an empty in-memory database, `_memory`.
pub fn open_memory(client: &WorkerClient, dispatch: &UseReducerDispatcher<AppState>) -> u32 {
    let body = RequestBody::OpenMemory { name: MEMORY_DATABASE.to_string() };
    start(client, dispatch, "an empty database in memory".to_string(), body, None, Reopen::Memory(MEMORY_DATABASE.to_string()))
}

/// Opens a database kept in this browser.
pub fn open_kept(client: &WorkerClient, dispatch: &UseReducerDispatcher<AppState>, name: &str) {
    let body = RequestBody::OpenKept { name: name.to_string(), as_name: None };
    start(client, dispatch, format!("{name} (kept in this browser)"), body, None, Reopen::Kept(name.to_string()));
}
