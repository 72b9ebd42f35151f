//! The explorer's engine: everything it does with data, in plain Rust on
//! rusqlite. It knows nothing of the DOM or of workers: the worker crate
//! feeds it bytes and requests and posts back what it returns. Natively it
//! runs on bundled SQLite, which is how it is tested.

pub mod charts;
pub mod compare;
mod error;
pub mod export;
pub mod facets;
pub mod filters;
pub mod fts;
pub mod import;
pub mod lazy;
pub mod metadata;
mod open;
mod paging;
mod plan;
mod query;
pub mod relations;
mod row;
mod schema;
pub mod searchable;
mod selected_rows;
pub mod sink;
pub mod source;
mod sql;
pub mod summaries;
mod table_page;
mod time_limit;

pub use error::{Error, ErrorKind, Result};
pub use open::{
    check_header, harden, limit_heap, open_empty, open_image, open_image_within, HEAP_LIMIT_BYTES, OPEN_CHECK_TIME_LIMIT_MS, SQLITE_HEADER,
};
pub use query::{each_row, query_parameters, run_query, Ran, Writes};
pub use schema::{read_schema, COUNTS_BEFORE_ANSWER_MS, COUNT_TIME_LIMIT_MS};
pub use sql::quote_ident;
pub use table_page::{suggest_facets, table_page};
#[cfg(not(target_arch = "wasm32"))]
pub use time_limit::native_clock;
pub use time_limit::{with_time_limit, Clock};

use import::{BatchImport, DelimitedImport, DelimitedOptions, Format, Import, ImportKind, JsonImport, NewTable, SqlScriptImport};
use protocol::{DatabaseSchema, ExportRequest, ExportSource, QueryRequest, QueryResult, RowPage, RowRequest, TablePage, TablePageRequest};
use rusqlite::Connection;
use selected_rows::SelectedRows;

/// The SQLite library's version, e.g. "3.50.4".
pub fn sqlite_version() -> &'static str {
    rusqlite::version()
}

/// An open database and where it came from.
struct Database {
    name: String,
    source: String,
    conn: Connection,
    /// Label columns named by metadata, by table.
    label_columns: relations::LabelColumns,
    /// Made by the explorer to hold imported CSV/JSON/SQL (Datasette Lite's
    /// `data` database), rather than opened from a file.
    imported: bool,
    /// Tables the last schema read had no time to count (`take_uncounted`).
    uncounted: Vec<String>,
    /// A database read lazily from its server (`open_lazy`).
    lazy: Option<Lazy>,
}

impl Database {
    /// A database as most are opened: in memory, counted, not the one
    /// imports go into; its label columns from `metadata`.
    fn new(name: &str, source: &str, conn: Connection, metadata: &Option<protocol::Metadata>) -> Database {
        Database {
            label_columns: label_columns_from(metadata, name),
            name: name.into(),
            source: source.into(),
            conn,
            imported: false,
            uncounted: Vec::new(),
            lazy: None,
        }
    }
}

/// The file under a lazy database, and its place in the VFS's registry,
/// which lasts as long as the database.
struct Lazy {
    file: std::rc::Rc<lazy::LazyFile>,
    _registration: lazy::LazyRegistration,
}

/// What a finished import made, and the database it is in now.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOutcome {
    pub schema: DatabaseSchema,
    /// The table made (CSV, JSON); `None` for a script, which may make many.
    pub table: Option<String>,
    /// Rows inserted, or statements run for a script.
    pub count: u64,
    pub warnings: Vec<String>,
}

/// The set of open databases, by name, in the order they were opened.
///
/// Invariant: names are unique; a name is reserved when a load starts (so
/// `?url=a/x.db&url=b/x.db` gives `x` and `x_2` in URL order whatever
/// finishes first) and released if the load fails.
pub struct Engine {
    clock: Clock,
    /// Metadata given with `?metadata=`, applied to databases as they open.
    metadata: Option<protocol::Metadata>,
    databases: Vec<Database>,
    reserved: Vec<String>,
    /// The database an import is writing into, inside its own transaction.
    importing: Option<String>,
}

impl Engine {
    pub fn new(clock: Clock) -> Engine {
        Engine { clock, metadata: None, databases: Vec::new(), reserved: Vec::new(), importing: None }
    }

    /// Picks and holds a unique database name for `source`.
    pub fn reserve_name(&mut self, source: &str) -> String {
        let base = source::name_from_source(source);
        let name = source::unique_name(&base, |n| self.is_taken(n));
        self.reserved.push(name.clone());
        name
    }

    /// Holds exactly `name`, as a database reopened after a worker restart
    /// must keep its name (links and views name it); an error if taken.
    pub fn reserve_exact(&mut self, name: &str) -> Result<String> {
        if self.is_taken(name) {
            return Err(Error::new(ErrorKind::BadRequest, format!("a database named {name:?} is open already")));
        }
        self.reserved.push(name.to_string());
        Ok(name.to_string())
    }

    /// `open`, for a copy saved by the worker: `imported` marks the
    /// database that imports go into, as it was before.
    pub fn open_restored(&mut self, name: &str, source: &str, bytes: &[u8], imported: bool) -> Result<DatabaseSchema> {
        let schema = self.open(name, source, bytes)?;
        if let Some(d) = self.databases.iter_mut().find(|d| d.name == name) {
            d.imported = imported;
        }
        Ok(schema)
    }

    pub fn release_name(&mut self, name: &str) {
        self.reserved.retain(|n| n != name);
    }

    fn is_taken(&self, name: &str) -> bool {
        self.reserved.iter().any(|n| n == name) || self.databases.iter().any(|d| d.name == name)
    }

    /// Opens `bytes` under a name reserved with `reserve_name`. On failure
    /// the name is released and nothing else changes.
    pub fn open(&mut self, name: &str, source: &str, bytes: &[u8]) -> Result<DatabaseSchema> {
        let clock = self.clock;
        let opened = open::open_image_within(bytes, Some((clock, open::OPEN_CHECK_TIME_LIMIT_MS))).and_then(|mut conn| {
            let (schema, uncounted) = read_schema(&mut conn, self.clock, name, source)?;
            Ok((conn, schema, uncounted))
        });
        self.release_name(name);
        let (conn, schema, uncounted) = opened?;
        self.databases.push(Database { uncounted, ..Database::new(name, source, conn, &self.metadata) });
        Ok(schema)
    }

    /// Opens an empty database in memory under the reserved `name`, for
    /// the user's own tables (Datasette's `_memory`).
    pub fn open_memory(&mut self, name: &str) -> Result<DatabaseSchema> {
        let clock = self.clock;
        let opened = open_empty().and_then(|mut conn| {
            let (schema, _) = read_schema(&mut conn, clock, name, "")?;
            Ok((conn, schema))
        });
        self.release_name(name);
        let (conn, schema) = opened?;
        self.databases.push(Database::new(name, "", conn, &self.metadata));
        Ok(schema)
    }

    /// Opens a database under a reserved name without reading it whole:
    /// pages come from `source` (a file of `size` bytes) as queries need
    /// them. Only the header and the schema are read now; nothing is
    /// counted or checked whole. On failure the name is released.
    pub fn open_lazy(&mut self, name: &str, source_label: &str, source: Box<dyn lazy::RangeSource>, size: u64) -> Result<DatabaseSchema> {
        let clock = self.clock;
        let file = std::rc::Rc::new(lazy::LazyFile::new(source, size, lazy::DEFAULT_CACHE_BYTES, clock));
        let opened = (|| -> Result<_> {
            let mut header = [0u8; 100];
            let n = file.read(0, &mut header).map_err(|why| lazy::read_error(&why))?;
            open::check_header(&header[..n])?;
            let (mut conn, registration) = lazy::open_connection(file.clone())?;
            open::harden(&conn)?;
            let schema = schema::read_lazy_schema(&mut conn, clock, name, source_label)?;
            Ok((conn, registration, schema))
        })();
        self.release_name(name);
        let (conn, registration, schema) = opened?;
        let lazy = Some(Lazy { file, _registration: registration });
        self.databases.push(Database { lazy, ..Database::new(name, source_label, conn, &self.metadata) });
        Ok(schema)
    }

    /// What reading each lazy database has fetched so far.
    pub fn lazy_fetched(&self) -> Vec<(String, lazy::FetchStats)> {
        self.databases.iter().filter_map(|d| Some((d.name.clone(), d.lazy.as_ref()?.file.stats()))).collect()
    }

    fn is_lazy(&self, db: &str) -> bool {
        self.databases.iter().any(|d| d.name == db && d.lazy.is_some())
    }

    /// Starts importing `source` into the `data` database, made on first
    /// use. Imports must run one at a time: each holds the database's
    /// transaction until `finish_import` or `abort_import`.
    pub fn begin_import(&mut self, source: &str, format: Format, options: DelimitedOptions) -> Result<Import> {
        self.begin(source, Some((format, options)))
    }

    /// `begin_import` of a delimited file parsed elsewhere: each chunk
    /// pushed is a batch from `import::CsvBatches`, and the parser's
    /// warnings go in with `Import::add_warnings` before `finish_import`.
    pub fn begin_batch_import(&mut self, source: &str) -> Result<Import> {
        self.begin(source, None)
    }

    fn begin(&mut self, source: &str, format: Option<(Format, DelimitedOptions)>) -> Result<Import> {
        let db = match self.databases.iter().find(|d| d.imported) {
            Some(d) => d.name.clone(),
            None => {
                let name = source::unique_name("data", |n| self.is_taken(n));
                let conn = open_empty()?;
                self.databases.push(Database { imported: true, ..Database::new(&name, "", conn, &self.metadata) });
                name
            }
        };
        let conn = &self.database(&db)?.conn;
        let table_name = || import::free_table_name(conn, &source::name_from_source(source));
        let Some((format, options)) = format else {
            conn.execute_batch("BEGIN")?;
            let kind = ImportKind::Batches(BatchImport::new(NewTable::new(table_name()?)));
            self.importing = Some(db.clone());
            return Ok(Import { db, kind });
        };
        let kind = match format {
            Format::Delimited => {
                conn.execute_batch("BEGIN")?;
                ImportKind::Delimited(DelimitedImport::new(NewTable::new(table_name()?), options))
            }
            Format::Json => {
                conn.execute_batch("BEGIN")?;
                ImportKind::Json(JsonImport::new(table_name()?))
            }
            Format::SqlScript => ImportKind::SqlScript(SqlScriptImport::default()),
            Format::Sqlite => {
                return Err(Error::new(ErrorKind::BadRequest, "an SQLite file is opened, not imported"));
            }
            Format::Parquet => {
                return Err(Error::new(ErrorKind::BadRequest, "a Parquet file is converted to JSON rows first, then imported as JSON"));
            }
        };
        self.importing = Some(db.clone());
        Ok(Import { db, kind })
    }

    /// Feeds the next chunk of the source. After an error, call `abort_import`.
    pub fn push_import(&mut self, import: &mut Import, chunk: &[u8]) -> Result<()> {
        let clock = self.clock;
        let conn = &mut self.database(&import.db)?.conn;
        match &mut import.kind {
            ImportKind::Delimited(d) => d.push(conn, chunk),
            ImportKind::Batches(b) => b.push(conn, chunk),
            ImportKind::Json(j) => j.push(conn, chunk),
            ImportKind::SqlScript(s) => s.push(conn, clock, chunk),
        }
    }

    /// The source has ended: completes the table(s) and commits.
    pub fn finish_import(&mut self, import: Import) -> Result<ImportOutcome> {
        self.importing = None;
        let clock = self.clock;
        let db = import.db.clone();
        let conn = &mut self.database(&db)?.conn;
        let finished = match import.kind {
            ImportKind::Delimited(d) => d.finish(conn).and_then(|t| {
                conn.execute_batch("COMMIT")?;
                Ok((Some(t.name), t.rows, t.warnings))
            }),
            ImportKind::Batches(b) => b.finish(conn).and_then(|t| {
                conn.execute_batch("COMMIT")?;
                Ok((Some(t.name), t.rows, t.warnings))
            }),
            ImportKind::Json(j) => {
                let table = j.table().to_string();
                j.finish(conn).and_then(|rows| {
                    conn.execute_batch("COMMIT")?;
                    Ok((Some(table), rows, Vec::new()))
                })
            }
            ImportKind::SqlScript(s) => s.finish(conn, clock).map(|(n, warnings)| (None, n, warnings)),
        };
        match finished {
            Ok((table, count, warnings)) => Ok(ImportOutcome { schema: self.schema(&db)?, table, count, warnings }),
            Err(e) => {
                self.discard_failed(&db);
                Err(e)
            }
        }
    }

    /// Stops an import: its table is rolled back (a script keeps the
    /// statements that ran).
    pub fn abort_import(&mut self, import: Import) {
        self.importing = None;
        self.discard_failed(&import.db);
    }

    fn discard_failed(&mut self, db: &str) {
        if let Ok(d) = self.database(db) {
            if !d.conn.is_autocommit() {
                let _ = d.conn.execute_batch("ROLLBACK");
            }
            let empty = d.conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).unwrap_or(0) == 0;
            if d.imported && empty {
                self.databases.retain(|d| d.name != db);
            }
        }
    }

    pub fn names(&self) -> Vec<String> {
        self.databases.iter().map(|d| d.name.clone()).collect()
    }

    fn database(&mut self, name: &str) -> Result<&mut Database> {
        self.databases
            .iter_mut()
            .find(|d| d.name == name)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("There is no database named {name:?}.")))
    }

    pub fn schema(&mut self, db: &str) -> Result<DatabaseSchema> {
        let clock = self.clock;
        let d = self.database(db)?;
        if d.lazy.is_some() {
            return schema::read_lazy_schema(&mut d.conn, clock, &d.name, &d.source);
        }
        let (schema, uncounted) = read_schema(&mut d.conn, clock, &d.name, &d.source)?;
        d.uncounted = uncounted;
        Ok(schema)
    }

    /// The tables of `db` its last schema had no time to count, to be
    /// counted with `count_rows`, one at a time, between other requests.
    pub fn take_uncounted(&mut self, db: &str) -> Vec<String> {
        self.database(db).map(|d| std::mem::take(&mut d.uncounted)).unwrap_or_default()
    }

    /// Rows of `table` in `db`; `None` past `COUNT_TIME_LIMIT_MS` (or when
    /// either is gone).
    pub fn count_rows(&mut self, db: &str, table: &str) -> Option<u64> {
        let clock = self.clock;
        let d = self.database(db).ok()?;
        // Counting a lazy table would download it.
        if d.lazy.is_some() {
            return None;
        }
        schema::count_rows(&mut d.conn, clock, table, COUNT_TIME_LIMIT_MS)
    }

    pub fn table_page(&mut self, req: &TablePageRequest) -> Result<TablePage> {
        let clock = self.clock;
        let d = self.database(&req.db)?;
        let whole_reads = d.lazy.is_none();
        table_page(&mut d.conn, clock, req, &d.label_columns, whole_reads)
    }

    /// Plans the column summaries of a table view or a query, made a column
    /// at a time with `summary_step`.
    pub fn begin_summary(&mut self, source: &protocol::SummarySource) -> Result<summaries::Summarizer> {
        let conn = &self.database(source.db())?.conn;
        Ok(summaries::Summarizer::new(selected_rows(conn, source, "summarized")?))
    }

    /// Makes `table` searchable (`searchable`); returns the index's name.
    pub fn make_searchable(&mut self, db: &str, table: &str, columns: &[String]) -> Result<String> {
        if self.is_lazy(db) {
            return Err(Error::new(ErrorKind::BadRequest, "This database is read from its server as needed and cannot be changed here."));
        }
        let clock = self.clock;
        let d = self.database(db)?;
        searchable::make_searchable(&mut d.conn, clock, table, columns)
    }

    /// Two tables compared by a key (`compare`); in two databases, the
    /// right one is copied next to the left one first.
    pub fn compare(&mut self, req: &protocol::CompareRequest) -> Result<protocol::CompareResult> {
        let clock = self.clock;
        if req.left.db == req.right.db {
            let d = self.database(&req.left.db)?;
            return compare::compare(&mut d.conn, clock, req, &sql::quote_ident(&req.right.table));
        }
        let position = |name: &str| {
            self.databases
                .iter()
                .position(|d| d.name == name)
                .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("There is no database named {name:?}.")))
        };
        let (i, j) = (position(&req.left.db)?, position(&req.right.db)?);
        let (left, right) = if i < j {
            let (a, b) = self.databases.split_at_mut(j);
            (&mut a[i], &mut b[0])
        } else {
            let (a, b) = self.databases.split_at_mut(i);
            (&mut b[0], &mut a[j])
        };
        let right_sql = compare::copy_right_table(&mut left.conn, &mut right.conn, clock, &req.right.table)?;
        let result = compare::compare(&mut left.conn, clock, req, &right_sql);
        compare::drop_copy(&left.conn);
        result
    }

    /// A chart of a table view's or a query's rows (`charts`).
    pub fn chart(&mut self, req: &protocol::ChartRequest) -> Result<protocol::ChartData> {
        let clock = self.clock;
        let d = self.database(req.source.db())?;
        let rows = selected_rows(&d.conn, &req.source, "charted")?;
        charts::chart(&mut d.conn, clock, &rows, &req.spec, req.width)
    }

    /// Summarizes the next column; false when done (or the database is gone).
    pub fn summary_step(&mut self, db: &str, summarizer: &mut summaries::Summarizer) -> bool {
        let clock = self.clock;
        match self.database(db) {
            Ok(d) => summarizer.step(&mut d.conn, clock),
            Err(_) => false,
        }
    }

    /// Rows the table view `req` selects, counted even on a lazy database
    /// (the user asked), under `req.time_limit_ms`.
    pub fn count_selection(&mut self, req: &TablePageRequest) -> Result<u64> {
        let clock = self.clock;
        table_page::count_selection(&mut self.database(&req.db)?.conn, clock, req)
    }

    pub fn suggest_facets(&mut self, req: &TablePageRequest) -> Result<Vec<protocol::FacetRequest>> {
        let clock = self.clock;
        table_page::suggest_facets(&mut self.database(&req.db)?.conn, clock, req)
    }

    /// `suggest_facets` as steps, for a caller that answers other requests
    /// between them: `begin_suggest_facets`, then `suggest_facets_step`
    /// until it returns false, then `FacetSuggestions::found`.
    pub fn begin_suggest_facets(&mut self, req: &TablePageRequest) -> Result<Option<facets::FacetSuggestions>> {
        let clock = self.clock;
        // Each check scans a column: on a lazy database, a download.
        if self.is_lazy(&req.db) {
            return Ok(None);
        }
        table_page::begin_suggest_facets(&mut self.database(&req.db)?.conn, clock, req)
    }

    /// One check of `suggestions` in database `db`; false when done (or
    /// when the database is gone).
    pub fn suggest_facets_step(&mut self, db: &str, suggestions: &mut facets::FacetSuggestions) -> bool {
        let clock = self.clock;
        match self.database(db) {
            Ok(d) => suggestions.step(&mut d.conn, clock),
            Err(_) => false,
        }
    }

    /// Keeps metadata and applies what the engine needs of it (label
    /// columns) to open databases, and to those that open later.
    pub fn apply_metadata(&mut self, metadata: &protocol::Metadata) {
        self.metadata = Some(metadata.clone());
        for d in &mut self.databases {
            d.label_columns = label_columns_from(&self.metadata, &d.name);
        }
    }

    pub fn query(&mut self, req: &QueryRequest) -> Result<QueryResult> {
        let clock = self.clock;
        // An import holds the database's transaction: a COMMIT or ROLLBACK
        // typed meanwhile would cut it in two (its table half kept).
        let transaction =
            matches!(sql::first_keyword(&req.sql).as_str(), "BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE");
        if transaction && self.importing.as_deref() == Some(req.db.as_str()) {
            return Err(Error::new(
                ErrorKind::BadRequest,
                format!("An import into {} is running; transaction statements wait until it has finished.", req.db),
            ));
        }
        run_query(&mut self.database(&req.db)?.conn, clock, req)
    }

    pub fn query_parameters(&mut self, db: &str, sql: &str) -> Result<Vec<String>> {
        query_parameters(&self.database(db)?.conn, sql)
    }

    pub fn row(&mut self, req: &RowRequest) -> Result<RowPage> {
        let clock = self.clock;
        let d = self.database(&req.db)?;
        row::row_page(&mut d.conn, clock, req, protocol::DEFAULT_TIME_LIMIT_MS, &d.label_columns)
    }

    /// All rows (or one page) of a view or query in `format`, handed to
    /// `sink` in pieces of about `EXPORT_CHUNK` bytes.
    pub fn export(&mut self, req: &ExportRequest, sink: impl FnMut(Vec<u8>)) -> Result<u64> {
        let clock = self.clock;
        let db = match &req.source {
            ExportSource::Table(t) => t.db.clone(),
            ExportSource::Query(q) => q.db.clone(),
        };
        export::export(&mut self.database(&db)?.conn, clock, req, sink)
    }

    /// Where a database came from (a URL, a file name; empty for `data`).
    pub fn source_of(&self, db: &str) -> String {
        self.databases.iter().find(|d| d.name == db).map(|d| d.source.clone()).unwrap_or_default()
    }

    /// The database file as it is now.
    pub fn serialize(&mut self, db: &str) -> Result<Vec<u8>> {
        self.with_image(db, <[u8]>::to_vec)
    }

    /// Hands `use_image` the database file as it is now without copying it
    /// (SQLite's own pages, `SQLITE_SERIALIZE_NOCOPY`, for in-memory
    /// databases), so saving or downloading costs one copy, not several.
    pub fn with_image<R>(&mut self, db: &str, use_image: impl FnOnce(&[u8]) -> R) -> Result<R> {
        if self.is_lazy(db) {
            return Err(Error::new(
                ErrorKind::BadRequest,
                "this database is read from its server as needed, not held here whole: download it from its own address",
            ));
        }
        let conn = &mut self.database(db)?.conn;
        let image = conn.serialize(rusqlite::MAIN_DB)?;
        Ok(use_image(&image))
    }
}

fn label_columns_from(metadata: &Option<protocol::Metadata>, db: &str) -> relations::LabelColumns {
    let Some(db) = metadata.iter().flat_map(|m| &m.databases).find(|d| d.name == db) else { return Default::default() };
    db.tables.iter().filter_map(|t| Some((t.name.clone(), t.label_column.clone()?))).collect()
}

/// The rows a table view or a read-only query selects; `doing` names what
/// is done to them in the message for a query that cannot be used.
fn selected_rows(conn: &Connection, source: &protocol::SummarySource, doing: &str) -> Result<SelectedRows> {
    match source {
        protocol::SummarySource::Table(req) => table_page::selected_rows(conn, req),
        protocol::SummarySource::Query(q) => SelectedRows::of_query(conn, &q.sql, &q.params, doing),
    }
}
