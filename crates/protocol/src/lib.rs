//! The typed conversation between the UI thread and the SQLite worker.
//!
//! Messages are serde types encoded with `postcard` into one `Uint8Array`
//! that is *transferred* (not copied) through `postMessage`. That keeps a
//! page of rows one compact buffer instead of thousands of JS objects, keeps
//! INTEGER and REAL apart (JS numbers cannot), and lets 64-bit integers and
//! BLOBs cross untouched.
//!
//! Invariant: this crate depends on nothing but serde; both the UI and the
//! engine can use it without pulling in the other's world.

mod cell;
mod chart;
mod compare;
mod cursor;
pub mod filter_ops;
mod table;

pub use cell::{hex, Cell};
pub use chart::*;
pub use compare::*;
pub use cursor::Cursor;
pub use filter_ops::FilterOp;
pub use table::*;

use serde::{Deserialize, Serialize};

/// Rows a table page shows when the URL does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The most rows a table page may ask for (`?_size=`, `_size=max`).
pub const MAX_PAGE_SIZE: u32 = 1000;
/// Values a facet shows when the URL does not say (Datasette's
/// `default_facet_size`), and the most it may ask for (`_facet_size=max`).
pub const DEFAULT_FACET_SIZE: u32 = 30;
pub const MAX_FACET_SIZE: u32 = 1000;
/// Datasette's default `sql_time_limit_ms`; `?_timelimit=` may only lower it.
pub const DEFAULT_TIME_LIMIT_MS: u32 = 1000;
/// The longest time limit the user may ask for with `?_timelimit=` on their
/// own run (a link's SQL keeps `DEFAULT_TIME_LIMIT_MS` at most).
pub const MAX_USER_TIME_LIMIT_MS: u32 = 60_000;
/// "Run without time limit": the user has Stop instead.
pub const NO_TIME_LIMIT: u32 = u32::MAX;
/// The most rows a query result carries; the UI says when there were more.
pub const MAX_RETURNED_ROWS: u32 = 1000;

/// A message from the UI to the worker. `id` pairs it with its replies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: u32,
    pub body: RequestBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RequestBody {
    /// Fetch `url` (absolute; GitHub/Gist links are rewritten by the worker)
    /// and open it under a name the worker derives from the file name, or
    /// under exactly `name` (reopening after a worker restart).
    /// Replies: `Progress` any number of times, then `Opened` or `Error`.
    ///
    /// `lazy`: read it lazily by ranged requests (`Some(true)`, `&_lazy=1`),
    /// download it whole (`Some(false)`), or decide by its size and whether
    /// the server answers ranges (`None`; see `LAZY_ABOVE_BYTES`).
    OpenUrl {
        url: String,
        name: Option<String>,
        lazy: Option<bool>,
    },
    /// Open a local file the user picked or dropped. The `File` itself
    /// travels beside the encoded request (see the worker client), and the
    /// worker reads it as a stream. Its format comes from its name, checked
    /// against its first bytes. Replies as `OpenUrl` or `Import` do.
    OpenFile {
        file_name: String,
        options: ImportOptions,
        name: Option<String>,
    },
    /// Fetch `url` and import it into the `data` database. Imports run one
    /// at a time, in the order they were asked for.
    /// Replies: `Progress` any number of times, then `Imported` or `Error`.
    Import {
        url: String,
        format: ImportFormat,
        options: ImportOptions,
    },
    /// Stop the request with id `target` if it is still fetching.
    Cancel {
        target: u32,
    },
    TablePage(TablePageRequest),
    /// Columns worth faceting by for a view (asked after the page, since
    /// the checks can take a while on big tables).
    SuggestFacets(TablePageRequest),
    Row(RowRequest),
    Query(QueryRequest),
    /// The named parameters (`:name`) of a statement, in order.
    QueryParameters {
        db: String,
        sql: String,
    },
    /// All rows of a table view or query as CSV/JSON, sent as `ExportChunk`s.
    Export(ExportRequest),
    /// The whole database file (`sqlite3_serialize`).
    DownloadDatabase {
        db: String,
    },
    /// Fetch and parse a Datasette metadata file (JSON or YAML).
    Metadata {
        url: String,
    },
    /// Save a database in this browser's storage (OPFS) under its name, or
    /// `as_name`. A kept dataset of that name is replaced only when
    /// `replace`; else the reply is `KeepNameTaken`.
    Keep {
        db: String,
        as_name: Option<String>,
        replace: bool,
    },
    /// The databases saved with `Keep`.
    KeptDatasets,
    /// Open a saved database (as `as_name` if given). Replies as `OpenUrl` does.
    OpenKept {
        name: String,
        as_name: Option<String>,
    },
    /// Reopen database `name` from the copy the worker saved after it last
    /// changed (an import, a write), after the worker was restarted.
    /// `imported`: it is the database imports go into. Replies as `OpenUrl`.
    Restore {
        name: String,
        imported: bool,
    },
    /// Answered at once with `Pong`: the UI's watchdog asks when the
    /// worker has been silent too long (a statement no progress handler
    /// can stop leaves it unanswered).
    Ping,
    DeleteKept {
        name: String,
    },
    /// Count the rows a table view selects (its filters and search), asked
    /// for by the user where counting was left out (a lazy database: it
    /// reads the whole table from the server). Replies `Counted`.
    CountRows(TablePageRequest),
    /// Open an empty in-memory database named `name` (`?memory=1` opens
    /// `_memory`, as Datasette has). Replies as `OpenUrl`.
    OpenMemory {
        name: String,
    },
    /// Summarize each column of a table view or a query (background work,
    /// a column a step). Replies `Summaries`.
    Summarize(SummarySource),
    /// Chart a table view's or a query's rows, reduced to what the picture
    /// can show. Replies `Chart`.
    Chart(ChartRequest),
    /// Index `columns` of `table` for full-text search (FTS5, kept in step
    /// by triggers). Replies `Searchable`, after `SchemaChanged`.
    MakeSearchable {
        db: String,
        table: String,
        columns: Vec<String>,
    },
    /// Compare two tables by a key. Replies `Compared`.
    Compare(CompareRequest),
}

/// A database saved in the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptDataset {
    pub name: String,
    pub source: String,
    pub size_bytes: u64,
    /// Milliseconds since the Unix epoch.
    pub saved_at: f64,
}

/// A message from the worker to the UI, answering request `id`. Every
/// request gets one final reply; `Progress`, `SchemaChanged` and
/// `ExportChunk` may come before it (`ResponseBody::is_final`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub id: u32,
    pub body: ResponseBody,
}

// Replies are made, encoded and dropped one at a time: boxing the big
// variants would only add an allocation to each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ResponseBody {
    /// Sent by the worker once, with id 0, when it can take requests.
    Ready {
        sqlite_version: String,
    },
    /// Sent with id 0: a copy of database `db` as it is now is saved, so
    /// a restarted worker can reopen it with `Restore`.
    Saved {
        db: String,
    },
    /// Sent with id 0 by the panic hook, just before the worker stops.
    Crashed {
        message: String,
    },
    /// Sent with id 0: rows counted in the background for tables of `db`
    /// that its last schema had no time to count (`None`: too many to
    /// count quickly).
    RowCounts {
        db: String,
        counts: Vec<(String, Option<u64>)>,
    },
    Pong,
    /// Download progress; `total` is `None` without Content-Length. `rows`
    /// counts rows imported (statements run, for a script) so far.
    Progress {
        loaded: u64,
        total: Option<u64>,
        rows: u64,
    },
    Opened(DatabaseSchema),
    Imported(ImportReport),
    /// Not a final reply: a failed import left this database changed (a
    /// script keeps the statements that ran before the failing one). With
    /// id 0: a statement changed this database.
    SchemaChanged(DatabaseSchema),
    TablePage(TablePage),
    SuggestedFacets(Vec<FacetRequest>),
    Row(RowPage),
    Query(QueryResult),
    QueryParameters(Vec<String>),
    /// Not a final reply: the next piece of an export.
    ExportChunk(Vec<u8>),
    /// The export is complete: rows written.
    ExportDone {
        rows: u64,
    },
    /// The database file (`size` bytes) travels beside this message as a
    /// transferred buffer, never through postcard: copying a 1 GB file
    /// through every layer once cost ten times its size.
    DatabaseFile {
        size: u64,
    },
    Metadata(Metadata),
    Kept(KeptDataset),
    /// A dataset named `name` is kept already (another tab, an earlier
    /// visit); `free` is a name that is not.
    KeepNameTaken {
        name: String,
        free: String,
    },
    KeptDatasets(Vec<KeptDataset>),
    Deleted,
    Cancelled,
    Error(ErrorReport),
    /// Sent with id 0 after a request read a lazy database: what reading it
    /// has fetched so far (`requests` ranged requests, `bytes` in all).
    Fetched {
        db: String,
        requests: u64,
        bytes: u64,
    },
    /// Sent with id 0 as a lazy database's read starts: the worker may not
    /// answer for up to `ms` while it waits for the server, and is not
    /// stuck (the UI's watchdog waits that long before it asks).
    Waiting {
        ms: u32,
    },
    Counted(u64),
    Summaries(Vec<ColumnSummary>),
    Chart(ChartData),
    /// The search index made, by name.
    Searchable {
        index: String,
    },
    Compared(CompareResult),
}

/// A database file bigger than this, on a server that answers ranged
/// requests, is read lazily unless `&_lazy=0`.
pub const LAZY_ABOVE_BYTES: u64 = 32 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportFormat {
    /// CSV, TSV and other delimited text (`?csv=`).
    Csv,
    /// An SQL script or `sqlite3 .dump` output (`?sql=`).
    Sql,
    /// JSON or newline-delimited JSON (`?json=`).
    Json,
    /// Apache Parquet (`?parquet=`).
    Parquet,
    /// Any of those or an SQLite file, told from the name and the first
    /// bytes (`?load=`, and the home page's URL box).
    Auto,
}

/// Overrides for when sniffing guesses wrong (`?encoding=`, `?delimiter=`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// A WHATWG encoding label: `utf-8`, `windows-1252`, `latin1`, `utf-16le`…
    pub encoding: Option<String>,
    /// `comma`, `semicolon`, `tab`, `pipe`, or the character itself.
    pub delimiter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The database imported into, as it is now.
    pub schema: DatabaseSchema,
    /// The table made (CSV, JSON); `None` for a script.
    pub table: Option<String>,
    /// Rows imported, or statements run for a script.
    pub count: u64,
    /// Things the user should know, such as characters that were replaced.
    pub warnings: Vec<String>,
}

impl ResponseBody {
    /// False for the messages that come before a request's one final reply.
    pub fn is_final(&self) -> bool {
        !matches!(
            self,
            ResponseBody::Progress { .. }
                | ResponseBody::SchemaChanged(_)
                | ResponseBody::ExportChunk(_)
                | ResponseBody::Saved { .. }
                | ResponseBody::Crashed { .. }
                | ResponseBody::RowCounts { .. }
                | ResponseBody::Fetched { .. }
                | ResponseBody::Waiting { .. }
        )
    }
}

/// What went wrong, in words a user can act on, plus a machine-readable
/// kind and, for a file being imported, where in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    pub kind: ErrorKind,
    pub message: String,
    pub position: Option<Position>,
}

impl ErrorReport {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ErrorReport {
        ErrorReport { kind, message: message.into(), position: None }
    }
}

/// Where in an imported file something went wrong (the csv crate's
/// `Position` is the model): which statement, record or value, the line it
/// starts on, and its byte offset in the text as decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub unit: PositionUnit,
    /// 1-based: the third statement is 3.
    pub number: u64,
    /// 1-based line the statement, record or value starts on.
    pub line: u64,
    /// Bytes of decoded text before it.
    pub byte: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PositionUnit {
    /// A statement of an SQL script.
    Statement,
    /// A record (row) of a CSV file.
    Record,
    /// A top-level value of a JSON file (an item of its list, a line of
    /// newline-delimited JSON).
    Value,
}

impl PositionUnit {
    pub fn name(self) -> &'static str {
        match self {
            PositionUnit::Statement => "statement",
            PositionUnit::Record => "record",
            PositionUnit::Value => "value",
        }
    }
}

impl std::fmt::Display for Position {
    /// "statement 3 (line 14)": how a position reads in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} (line {})", self.unit.name(), self.number, self.line)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// The host could not be reached at all.
    Unreachable,
    /// The browser is offline and the dataset was not kept for offline use.
    Offline,
    /// The host answered but without `Access-Control-Allow-Origin`.
    Cors,
    /// The server answered with a non-2xx status.
    HttpStatus,
    /// An HTML page (or other non-database content) came back.
    NotADatabase,
    /// The file starts like SQLite but is damaged.
    Corrupt,
    /// The statement ran past its time limit and was stopped.
    TimeLimit,
    /// SQLite rejected the SQL; the message is SQLite's own.
    Sql,
    /// No database, table or row by that name.
    NotFound,
    /// The request was malformed (a bad cursor, a bad page size...).
    BadRequest,
    /// SQL from a link would change data; it runs only when the user asks.
    NeedsConfirmation,
    /// The worker died or stopped answering while this request waited, and
    /// was replaced; the message says why.
    WorkerRestarted,
    /// A file that is not what it was given as, or is damaged, in a format
    /// other than SQLite (a Parquet file, say); the message says what.
    Unreadable,
    /// Anything else; the message says what.
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseSchema {
    pub name: String,
    /// Where it came from: the URL as the user gave it, or a file name.
    pub source: String,
    pub size_bytes: u64,
    pub tables: Vec<TableInfo>,
    pub views: Vec<ViewInfo>,
    /// Read from its server page by page as queries need it (so rows are
    /// not counted, nor facets suggested, nor the file downloadable here).
    pub lazy: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableInfo {
    pub name: String,
    pub kind: TableKind,
    /// Hidden tables (`sqlite_*`, FTS indexes and their shadow tables) sit
    /// behind a toggle, as in Datasette.
    pub hidden: bool,
    /// `None` when counting took longer than the count time limit.
    pub row_count: Option<u64>,
    /// For a lazy database, whose rows are not counted: the rows ANALYZE
    /// saw (`sqlite_stat1`), if it ran.
    pub row_estimate: Option<u64>,
    pub columns: Vec<ColumnInfo>,
    pub without_rowid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableKind {
    Table,
    Virtual,
    Shadow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    pub name: String,
    pub decl_type: String,
    pub not_null: bool,
    /// 1-based position in the primary key, 0 when not part of it.
    pub pk: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewInfo {
    pub name: String,
    pub columns: Vec<String>,
    /// A view whose body fails (say, it calls a function only its app
    /// defines) is still listed, with SQLite's reason.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryRequest {
    pub db: String,
    pub sql: String,
    /// Values for the statement's named parameters, by name without `:`.
    pub params: Vec<(String, String)>,
    pub time_limit_ms: u32,
    pub max_rows: u32,
    /// The user asked to run this themselves (a click or a key press), so
    /// it may change data. SQL that only arrived in a link must read only:
    /// a statement that would write is refused with `NeedsConfirmation`.
    pub allow_writes: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// More rows existed than `max_rows`; only the first ones are here.
    pub truncated: bool,
    /// For statements that write: rows changed. `None` for reads.
    pub rows_changed: Option<u64>,
    pub elapsed_ms: f64,
}

/// Encoding failures are bugs (both ends share these types), so they carry
/// only the text postcard gave.
#[derive(Debug)]
pub struct CodecError(pub String);

impl std::fmt::Display for CodecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "protocol codec: {}", self.0)
    }
}

impl std::error::Error for CodecError {}

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain owned data into a Vec cannot fail.
    postcard::to_stdvec(value).expect("postcard encodes protocol types")
}

pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, CodecError> {
    postcard::from_bytes(bytes).map_err(|e| CodecError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_survive_a_round_trip() {
        let response = Response {
            id: 7,
            body: ResponseBody::Query(QueryResult {
                columns: vec!["a".into(), "b".into()],
                rows: vec![
                    vec![Cell::Integer(i64::MAX), Cell::Real(1.0)],
                    vec![Cell::Blob(vec![0, 255]), Cell::Null],
                    vec![Cell::Text("naïve 🚀".into()), Cell::Integer(-1)],
                ],
                truncated: true,
                rows_changed: None,
                elapsed_ms: 1.5,
            }),
        };
        let bytes = encode(&response);
        let back: Response = decode(&bytes).unwrap();
        assert_eq!(back, response);
    }

    /// tests/e2e/scheduler.test.mjs reads the order of messages from their
    /// first bytes: the varint id, then the variant number.
    #[test]
    fn variant_numbers_the_browser_tests_read() {
        let request = |body: RequestBody| encode(&Request { id: 1, body })[1];
        let reply = |body: ResponseBody| encode(&Response { id: 1, body })[1];
        assert_eq!(request(RequestBody::Cancel { target: 0 }), 3);
        assert_eq!(request(RequestBody::Ping), 16);
        assert_eq!(reply(ResponseBody::SuggestedFacets(vec![])), 10);
        assert_eq!(reply(ResponseBody::Cancelled), 22);
        let page = TablePageRequest {
            db: String::new(),
            table: String::new(),
            sort: None,
            after: None,
            page_size: 1,
            time_limit_ms: 1,
            filters: vec![],
            search: None,
            facets: vec![],
            hidden: vec![],
            suggest_facets: false,
            wheres: vec![],
            shown: vec![],
            facet_size: DEFAULT_FACET_SIZE,
        };
        assert_eq!(request(RequestBody::TablePage(page.clone())), 4);
        assert_eq!(request(RequestBody::SuggestFacets(page)), 5);
        assert_eq!(reply(ResponseBody::Pong), 4);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode::<Response>(&[0xff, 0xff, 0xff]).is_err());
    }
}
