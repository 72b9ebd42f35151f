//! Typed calls to the worker: one function per kind of request, each
//! returning its own reply type, and typed events for the two requests that
//! stream (loads and exports). Matching a reply to its request happens here
//! and nowhere else, so a view never sees a reply meant for another kind.

use js_sys::Uint8Array;
use protocol::{
    DatabaseSchema, ErrorKind, ErrorReport, ExportRequest, FacetRequest, ImportReport, KeptDataset, Metadata, QueryRequest, QueryResult,
    RequestBody, ResponseBody, RowPage, RowRequest, TablePage, TablePageRequest,
};
use web_sys::File;
use yew::Callback;

use super::WorkerClient;

/// A reply, or what went wrong, in words for the user.
pub type Reply<T> = Result<T, ErrorReport>;

/// What `keep` did.
#[derive(Debug, Clone, PartialEq)]
pub enum KeepOutcome {
    Kept(KeptDataset),
    /// Another dataset has that name; `free` is one that is not taken.
    NameTaken {
        name: String,
        free: String,
    },
}

/// What a load (`OpenUrl`, `OpenFile`, `OpenKept`, `Import`, `Restore`)
/// reports as it goes; `Opened`, `Imported`, `Cancelled` and `Failed` end it.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadEvent {
    Progress {
        loaded: u64,
        total: Option<u64>,
        rows: u64,
    },
    /// A failed import changed the database before it stopped.
    SchemaChanged(DatabaseSchema),
    Opened(DatabaseSchema),
    Imported(ImportReport),
    Cancelled,
    Failed(ErrorReport),
}

/// What an export reports: its pieces in order, then its end.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportEvent {
    Piece(Vec<u8>),
    Done { rows: u64 },
    Failed(ErrorReport),
}

/// The error for a reply of the wrong kind: a bug in the worker, said as
/// one. (Only the kind of reply is named: formatting whole replies would
/// pull Debug code for every protocol type into the UI's wasm.)
fn mismatch(asked: &str, reply: &ResponseBody) -> ErrorReport {
    let got = if reply.is_final() { "a reply of another kind" } else { "an unexpected progress message" };
    ErrorReport::new(ErrorKind::Other, format!("The data worker answered {asked} with {got}; this is a bug."))
}

/// Picks the expected variant out of a final reply, or the error it is.
macro_rules! expect_reply {
    ($reply:expr, $asked:literal, $pattern:pat => $value:expr) => {
        match $reply {
            $pattern => Ok($value),
            ResponseBody::Error(e) => Err(e),
            other => Err(mismatch($asked, &other)),
        }
    };
}

impl WorkerClient {
    pub async fn table_page(&self, request: TablePageRequest) -> Reply<TablePage> {
        expect_reply!(self.call(RequestBody::TablePage(request)).await, "a table page", ResponseBody::TablePage(p) => p)
    }

    /// Column summaries of a table view or a query's rows.
    pub async fn summarize(&self, source: protocol::SummarySource) -> Reply<Vec<protocol::ColumnSummary>> {
        expect_reply!(self.call(RequestBody::Summarize(source)).await, "column summaries", ResponseBody::Summaries(s) => s)
    }

    /// A chart of a table view's or a query's rows, reduced to its marks.
    pub async fn chart(&self, request: protocol::ChartRequest) -> Reply<protocol::ChartData> {
        expect_reply!(self.call(RequestBody::Chart(request)).await, "a chart", ResponseBody::Chart(c) => c)
    }

    /// Makes a table searchable; the index's name.
    pub async fn make_searchable(&self, db: String, table: String, columns: Vec<String>) -> Reply<String> {
        expect_reply!(self.call(RequestBody::MakeSearchable { db, table, columns }).await, "a search index", ResponseBody::Searchable { index } => index)
    }

    /// Two tables compared by a key.
    pub async fn compare(&self, request: protocol::CompareRequest) -> Reply<protocol::CompareResult> {
        expect_reply!(self.call(RequestBody::Compare(request)).await, "a comparison", ResponseBody::Compared(r) => r)
    }

    /// Rows a table view selects, counted on request (lazy databases).
    pub async fn count_rows(&self, request: TablePageRequest) -> Reply<u64> {
        expect_reply!(self.call(RequestBody::CountRows(request)).await, "a row count", ResponseBody::Counted(n) => n)
    }

    pub async fn suggest_facets(&self, request: TablePageRequest) -> Reply<Vec<FacetRequest>> {
        expect_reply!(self.call(RequestBody::SuggestFacets(request)).await, "facet suggestions", ResponseBody::SuggestedFacets(f) => f)
    }

    pub async fn row(&self, request: RowRequest) -> Reply<RowPage> {
        expect_reply!(self.call(RequestBody::Row(request)).await, "a row", ResponseBody::Row(r) => r)
    }

    pub async fn query(&self, request: QueryRequest) -> Reply<QueryResult> {
        expect_reply!(self.call(RequestBody::Query(request)).await, "a query", ResponseBody::Query(r) => r)
    }

    /// The named parameters (`:name`) of `sql`, in order.
    pub async fn query_parameters(&self, db: String, sql: String) -> Reply<Vec<String>> {
        expect_reply!(self.call(RequestBody::QueryParameters { db, sql }).await, "a parameter list", ResponseBody::QueryParameters(p) => p)
    }

    pub async fn metadata(&self, url: String) -> Reply<Metadata> {
        expect_reply!(self.call(RequestBody::Metadata { url }).await, "a metadata request", ResponseBody::Metadata(m) => m)
    }

    pub async fn keep(&self, db: String, as_name: Option<String>, replace: bool) -> Reply<KeepOutcome> {
        match self.call(RequestBody::Keep { db, as_name, replace }).await {
            ResponseBody::Kept(kept) => Ok(KeepOutcome::Kept(kept)),
            ResponseBody::KeepNameTaken { name, free } => Ok(KeepOutcome::NameTaken { name, free }),
            ResponseBody::Error(e) => Err(e),
            other => Err(mismatch("keep", &other)),
        }
    }

    pub async fn kept_datasets(&self) -> Reply<Vec<KeptDataset>> {
        expect_reply!(self.call(RequestBody::KeptDatasets).await, "the kept list", ResponseBody::KeptDatasets(k) => k)
    }

    pub async fn delete_kept(&self, name: String) -> Reply<()> {
        expect_reply!(self.call(RequestBody::DeleteKept { name }).await, "delete", ResponseBody::Deleted => ())
    }

    /// The whole database file, as the buffer it arrived in.
    pub async fn database_file(&self, db: String) -> Reply<Uint8Array> {
        match self.call_with_buffer(RequestBody::DownloadDatabase { db }).await {
            (ResponseBody::DatabaseFile { .. }, Some(bytes)) => Ok(bytes),
            (ResponseBody::Error(e), _) => Err(e),
            (other, _) => Err(mismatch("a download", &other)),
        }
    }

    /// Starts a load (with `file` sent along, if any); its events go to
    /// `on_event`. Returns the request id, for `cancel`.
    pub fn load(&self, body: RequestBody, file: Option<File>, on_event: Callback<LoadEvent>) -> u32 {
        let on_reply = Callback::from(move |reply: ResponseBody| {
            on_event.emit(match reply {
                ResponseBody::Progress { loaded, total, rows } => LoadEvent::Progress { loaded, total, rows },
                ResponseBody::SchemaChanged(schema) => LoadEvent::SchemaChanged(schema),
                ResponseBody::Opened(schema) => LoadEvent::Opened(schema),
                ResponseBody::Imported(report) => LoadEvent::Imported(report),
                ResponseBody::Cancelled => LoadEvent::Cancelled,
                ResponseBody::Error(e) => LoadEvent::Failed(e),
                other => LoadEvent::Failed(mismatch("a load", &other)),
            })
        });
        match file {
            Some(file) => self.stream_file(body, file, on_reply),
            None => self.stream(body, on_reply),
        }
    }

    /// Starts an export; its pieces and end go to `on_event`.
    pub fn export(&self, request: ExportRequest, on_event: Callback<ExportEvent>) {
        let on_reply = Callback::from(move |reply: ResponseBody| {
            on_event.emit(match reply {
                ResponseBody::ExportChunk(piece) => ExportEvent::Piece(piece),
                ResponseBody::ExportDone { rows } => ExportEvent::Done { rows },
                ResponseBody::Error(e) => ExportEvent::Failed(e),
                other => ExportEvent::Failed(mismatch("an export", &other)),
            })
        });
        self.stream(RequestBody::Export(request), on_reply);
    }
}
