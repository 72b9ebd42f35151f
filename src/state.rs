//! App-wide state as a reducer: what is loading, what has loaded, and how
//! the worker is doing. Pages keep their own page data; this holds only
//! what several parts of the UI show.

use std::rc::Rc;

use protocol::{DatabaseMetadata, DatabaseSchema, ErrorReport, ImportFormat, ImportOptions, ImportReport, Metadata, TableMetadata};
use web_sys::File;
use yew::Reducible;

use crate::worker_client::WorkerStatus;

#[derive(Debug, Clone, PartialEq)]
pub enum LoadStatus {
    /// Bytes read so far, of `total` when known; rows imported so far.
    Downloading {
        loaded: u64,
        total: Option<u64>,
        rows: u64,
    },
    /// Open as database `name`; `table` is the table an import made.
    Loaded {
        name: String,
        table: Option<String>,
        warnings: Vec<String>,
    },
    Failed(ErrorReport),
    Cancelled,
}

/// One `?url=` (or picked file) and how its loading went.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The worker request id; also what `Cancel` needs.
    pub request_id: u32,
    /// What the user gave: a URL or a file name.
    pub label: String,
    pub status: LoadStatus,
    /// How to open the same database again in a new worker.
    pub reopen: Reopen,
    /// How many times the worker had been replaced when this load began:
    /// a recovery replays the loads of the worker that was lost.
    pub epoch: u32,
}

/// How a loaded database can be opened again after the worker restarts.
#[derive(Debug, Clone, PartialEq)]
pub enum Reopen {
    /// Download it again (the data cache usually has it).
    Url(String),
    /// Read the local file again (the `File` stays readable).
    File(File, ImportOptions),
    /// Open the copy kept in this browser (OPFS).
    Kept(String),
    /// Import it again (into the database imports go into).
    Import { url: String, format: ImportFormat, options: ImportOptions },
    /// Reopened from a saved copy: only such a copy can bring it back.
    SavedCopy,
    /// An empty database in memory (`?memory=1`), made again.
    Memory(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    pub worker: WorkerStatus,
    /// From `?metadata=`, once loaded.
    pub metadata: Option<Metadata>,
    pub metadata_error: Option<ErrorReport>,
    /// A new version of the app is installed and waits for a reload.
    pub update_ready: bool,
    pub sources: Vec<Source>,
    /// Open databases in the order they finished loading.
    pub databases: Vec<DatabaseSchema>,
    /// The loads the page URL named (request ids); `None` until started.
    pub page_loads: Option<Vec<u32>>,
    /// Databases whose current state the worker has saved a copy of.
    pub saved: Vec<String>,
    /// The database imports go into, once there is one.
    pub imported_db: Option<String>,
    /// Why the worker was last replaced, shown until dismissed.
    pub worker_notice: Option<String>,
    /// Counts worker replacements; the app reopens databases on each.
    pub restarts: u32,
    /// What each lazy database has fetched from its server: requests, bytes.
    pub fetched: Vec<(String, u64, u64)>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            worker: WorkerStatus::Starting,
            metadata: None,
            metadata_error: None,
            update_ready: false,
            sources: Vec::new(),
            databases: Vec::new(),
            page_loads: None,
            saved: Vec::new(),
            imported_db: None,
            worker_notice: None,
            restarts: 0,
            fetched: Vec::new(),
        }
    }
}

impl AppState {
    /// Requests and bytes lazy database `db` has fetched (zero before the
    /// worker first says).
    pub fn fetched_of(&self, db: &str) -> (u64, u64) {
        self.fetched.iter().find(|(d, ..)| d == db).map_or((0, 0), |(_, requests, bytes)| (*requests, *bytes))
    }

    pub fn database(&self, name: &str) -> Option<&DatabaseSchema> {
        self.databases.iter().find(|d| d.name == name)
    }

    pub fn database_metadata(&self, db: &str) -> Option<&DatabaseMetadata> {
        self.metadata.as_ref()?.databases.iter().find(|d| d.name == db)
    }

    pub fn table_metadata(&self, db: &str, table: &str) -> Option<TableMetadata> {
        self.database_metadata(db)?.tables.iter().find(|t| t.name == table).cloned()
    }

    /// Adds a database, or replaces its schema if it is open already (each
    /// import into `data` brings the whole database's new schema).
    fn upsert(&mut self, schema: DatabaseSchema) {
        match self.databases.iter_mut().find(|d| d.name == schema.name) {
            Some(d) => *d = schema,
            None => self.databases.push(schema),
        }
    }

    /// True until every load the page URL named has loaded, failed or
    /// been cancelled.
    pub fn waiting_for_page_loads(&self) -> bool {
        let Some(ids) = &self.page_loads else { return true };
        self.sources.iter().any(|s| ids.contains(&s.request_id) && matches!(s.status, LoadStatus::Downloading { .. }))
    }

    /// True while any source is still downloading or being opened.
    pub fn loading(&self) -> bool {
        self.sources.iter().any(|s| matches!(s.status, LoadStatus::Downloading { .. }))
    }
}

pub enum Action {
    Worker(WorkerStatus),
    LoadStarted {
        request_id: u32,
        label: String,
        reopen: Reopen,
    },
    /// The worker saved a copy of this database.
    Saved(String),
    /// The worker was replaced, for this reason.
    WorkerRestarted(String),
    DismissWorkerNotice,
    /// The page URL's loads have all been sent, with these request ids.
    PageLoadsStarted(Vec<u32>),
    Progress {
        request_id: u32,
        loaded: u64,
        total: Option<u64>,
        rows: u64,
    },
    Loaded {
        request_id: u32,
        schema: DatabaseSchema,
    },
    Imported {
        request_id: u32,
        report: ImportReport,
    },
    LoadFailed {
        request_id: u32,
        error: ErrorReport,
    },
    Cancelled {
        request_id: u32,
    },
    /// A database's schema after a statement changed it.
    SchemaRefreshed(DatabaseSchema),
    /// Rows of big tables, counted in the background after their schema.
    RowCounts {
        db: String,
        counts: Vec<(String, Option<u64>)>,
    },
    Fetched {
        db: String,
        requests: u64,
        bytes: u64,
    },
    /// A database was made or changed by a load that then failed.
    SchemaChanged(DatabaseSchema),
    Metadata(Result<Metadata, ErrorReport>),
    UpdateReady,
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        let set_status = |next: &mut AppState, id: u32, status: LoadStatus| {
            if let Some(s) = next.sources.iter_mut().find(|s| s.request_id == id) {
                s.status = status;
            }
        };
        match action {
            Action::Worker(status) => next.worker = status,
            Action::PageLoadsStarted(ids) => next.page_loads = Some(ids),
            Action::LoadStarted { request_id, label, reopen } => next.sources.push(Source {
                request_id,
                label,
                status: LoadStatus::Downloading { loaded: 0, total: None, rows: 0 },
                reopen,
                epoch: next.restarts,
            }),
            Action::Saved(db) => {
                if !next.saved.contains(&db) {
                    next.saved.push(db);
                }
            }
            Action::WorkerRestarted(reason) => {
                next.worker_notice = Some(reason);
                next.restarts += 1;
            }
            Action::DismissWorkerNotice => next.worker_notice = None,
            Action::Progress { request_id, loaded, total, rows } => {
                set_status(&mut next, request_id, LoadStatus::Downloading { loaded, total, rows })
            }
            Action::Loaded { request_id, schema } => {
                let status = LoadStatus::Loaded { name: schema.name.clone(), table: None, warnings: Vec::new() };
                set_status(&mut next, request_id, status);
                next.upsert(schema);
            }
            Action::Imported { request_id, report } => {
                next.imported_db = Some(report.schema.name.clone());
                let status = LoadStatus::Loaded { name: report.schema.name.clone(), table: report.table, warnings: report.warnings };
                set_status(&mut next, request_id, status);
                next.upsert(report.schema);
            }
            Action::LoadFailed { request_id, error } => set_status(&mut next, request_id, LoadStatus::Failed(error)),
            Action::Cancelled { request_id } => set_status(&mut next, request_id, LoadStatus::Cancelled),
            Action::SchemaChanged(schema) => next.upsert(schema),
            Action::Metadata(Ok(metadata)) => next.metadata = Some(metadata),
            Action::Metadata(Err(error)) => next.metadata_error = Some(error),
            Action::UpdateReady => next.update_ready = true,
            Action::SchemaRefreshed(schema) => {
                if let Some(d) = next.databases.iter_mut().find(|d| d.name == schema.name) {
                    *d = schema;
                }
            }
            Action::Fetched { db, requests, bytes } => {
                next.fetched.retain(|(d, ..)| *d != db);
                next.fetched.push((db, requests, bytes));
            }
            Action::RowCounts { db, counts } => {
                if let Some(d) = next.databases.iter_mut().find(|d| d.name == db) {
                    for (table, count) in counts {
                        if let Some(t) = d.tables.iter_mut().find(|t| t.name == table) {
                            t.row_count = count;
                        }
                    }
                }
            }
        }
        Rc::new(next)
    }
}
