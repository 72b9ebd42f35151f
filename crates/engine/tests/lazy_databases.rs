//! Databases read lazily through the engine's VFS, from files on disk
//! through a range source that counts what it is asked for: the bytes an
//! indexed view fetches, read-ahead on scans, failures in words, and the
//! whole explorer (pages, search, rows, queries) on top.

mod common;

use std::cell::Cell;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::rc::Rc;

use common::{page_request, read_shared, shared_data};
use engine::lazy::RangeSource;
use engine::{Engine, ErrorKind};
use protocol::{Cell as Value, QueryRequest, RowRequest};

/// A file on disk read by ranges; counts requests and bytes, and can be
/// told to fail from some request on, or to answer slowly.
struct DiskRanges {
    file: File,
    requests: Rc<Cell<u64>>,
    server: Server,
}

/// How the stand-in server behaves.
#[derive(Clone, Copy, Default)]
struct Server {
    /// Fails this request and every later one.
    fail_from: Option<u64>,
    /// Waits this long before each answer.
    delay_ms: u64,
}

impl RangeSource for DiskRanges {
    fn read_range(&self, offset: u64, len: u64) -> Result<Vec<u8>, String> {
        let n = self.requests.get() + 1;
        self.requests.set(n);
        std::thread::sleep(std::time::Duration::from_millis(self.server.delay_ms));
        if self.server.fail_from.is_some_and(|from| n >= from) {
            return Err("the host stopped answering".into());
        }
        let mut bytes = vec![0; len as usize];
        self.file.read_exact_at(&mut bytes, offset).map_err(|e| e.to_string())?;
        Ok(bytes)
    }
}

fn open_lazily(path: &std::path::Path, server: Server) -> (Engine, String, Rc<Cell<u64>>) {
    let mut engine = Engine::new(engine::native_clock);
    let name = engine.reserve_name(&path.to_string_lossy());
    let requests = Rc::new(Cell::new(0));
    let size = std::fs::metadata(path).unwrap().len();
    let source = DiskRanges { file: File::open(path).unwrap(), requests: requests.clone(), server };
    engine.open_lazy(&name, &path.to_string_lossy(), Box::new(source), size).expect("opens lazily");
    (engine, name, requests)
}

/// What reading lazy database `db` has fetched so far.
fn fetched(engine: &Engine, db: &str) -> engine::lazy::FetchStats {
    engine.lazy_fetched().into_iter().find(|(name, _)| name == db).expect("a lazy database").1
}

fn query(engine: &mut Engine, db: &str, sql: &str) -> engine::Result<Vec<Vec<Value>>> {
    query_within(engine, db, sql, 60_000)
}

fn query_within(engine: &mut Engine, db: &str, sql: &str, time_limit_ms: u32) -> engine::Result<Vec<Vec<Value>>> {
    let req = QueryRequest { db: db.into(), sql: sql.into(), params: vec![], time_limit_ms, max_rows: 1000, allow_writes: true };
    engine.query(&req).map(|r| r.rows)
}

/// A database of `rows` rows (~100 bytes each) with an index and an FTS5
/// table, made once per test run in the temporary directory.
fn generated(rows: u64) -> std::path::PathBuf {
    // Tests run in parallel: one makes it, under the lock, the others wait.
    static MAKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _making = MAKING.lock().unwrap_or_else(|e| e.into_inner());
    let path = std::env::temp_dir().join(format!("explorer-lazy-{rows}-{}.db", std::process::id()));
    if !path.exists() {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE items(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, body TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
             INSERT INTO items SELECT i, i % 500, 'item ' || i, printf('%.60c words %d', 'x', i * 7919 % 100003) FROM n;
             CREATE INDEX items_grp ON items(grp);
             CREATE VIRTUAL TABLE items_fts USING fts5(name, content=items, content_rowid=id);
             INSERT INTO items_fts(items_fts) VALUES ('rebuild');
             ANALYZE;"
        ))
        .unwrap();
    }
    path
}

#[test]
fn chinook_read_lazily_answers_as_it_does_whole() {
    let path = shared_data("sqlite/Chinook_Sqlite.sqlite");
    let (mut lazy, db, _) = open_lazily(&path, Server::default());
    let (mut whole, whole_db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let lazy_schema = lazy.schema(&db).unwrap();
    let whole_schema = whole.schema(&whole_db).unwrap();
    assert!(lazy_schema.lazy && !whole_schema.lazy);
    assert_eq!(lazy_schema.size_bytes, whole_schema.size_bytes);
    let names = |s: &protocol::DatabaseSchema| s.tables.iter().map(|t| (t.name.clone(), t.columns.clone())).collect::<Vec<_>>();
    assert_eq!(names(&lazy_schema), names(&whole_schema));
    assert!(lazy_schema.tables.iter().all(|t| t.row_count.is_none()), "nothing counted on a lazy database");
    assert!(lazy_schema.tables.iter().all(|t| t.row_estimate.is_none()), "Chinook was never analyzed");
    let sql = "SELECT g.Name, count(*), sum(t.Milliseconds) FROM Track t JOIN Genre g USING (GenreId) GROUP BY 1 ORDER BY 2 DESC";
    assert_eq!(query(&mut lazy, &db, sql).unwrap(), query(&mut whole, &whole_db, sql).unwrap());
    let page = lazy.table_page(&page_request(&db, "Track")).unwrap();
    assert_eq!(page.rows.len(), 100);
    assert_eq!(page.total, None, "a lazy table page is not counted");
    let row = lazy.row(&RowRequest { db: db.clone(), table: "Album".into(), key: vec!["1".into()] }).unwrap();
    assert!(!row.incoming.is_empty(), "incoming links work");
}

#[test]
fn an_indexed_lookup_fetches_a_sliver_of_a_big_file() {
    let path = generated(200_000);
    let size = std::fs::metadata(&path).unwrap().len();
    let (mut engine, db, requests) = open_lazily(&path, Server::default());
    let schema = engine.schema(&db).unwrap();
    let items = schema.tables.iter().find(|t| t.name == "items").unwrap();
    assert_eq!((items.row_count, items.row_estimate), (None, Some(200_000)), "not counted, estimated from ANALYZE");
    let opened = fetched(&engine, &db);
    assert!(opened.bytes < 64 * 1024, "opening read the header and schema only: {opened:?} of {size}");
    let rows = query(&mut engine, &db, "SELECT id, name FROM items WHERE id = 123456").unwrap();
    assert_eq!(rows, [[Value::Integer(123456), Value::Text("item 123456".into())]]);
    let facet = query(&mut engine, &db, "SELECT count(*) FROM items WHERE grp = 42").unwrap();
    assert_eq!(facet, [[Value::Integer(400)]]);
    let search = query(&mut engine, &db, "SELECT rowid FROM items_fts WHERE items_fts MATCH '\"item 77777\"'").unwrap();
    assert_eq!(search, [[Value::Integer(77777)]]);
    let stats = fetched(&engine, &db);
    assert_eq!(stats.requests, requests.get());
    assert!(stats.bytes * 100 < size, "{} bytes fetched of {size}", stats.bytes);
}

#[test]
fn a_full_scan_reads_ahead_in_growing_requests() {
    let path = generated(200_000);
    let size = std::fs::metadata(&path).unwrap().len();
    let (mut engine, db, requests) = open_lazily(&path, Server::default());
    let sum = query(&mut engine, &db, "SELECT sum(length(body)) FROM items").unwrap();
    assert!(matches!(sum[0][0], Value::Integer(n) if n > 0));
    let pages = size / 4096;
    // Page by page would be one request per page; read-ahead makes it far fewer.
    assert!(requests.get() * 20 < pages, "{} requests for {pages} pages", requests.get());
}

#[test]
fn a_sorted_page_on_a_slow_server_is_not_stopped_by_the_time_limit() {
    // A page sorted by an index reads rows scattered over the file, one
    // round trip each: waiting for them is not the query's work.
    let path = generated(200_000);
    let (mut engine, db, requests) = open_lazily(&path, Server { delay_ms: 15, ..Server::default() });
    let sql = "SELECT id, grp, name FROM items ORDER BY grp LIMIT 60";
    let rows = query_within(&mut engine, &db, sql, 200).expect("waits are not counted");
    assert_eq!(rows.len(), 60);
    assert!(requests.get() * 15 > 200, "the page waited longer than the limit: {} requests", requests.get());
    // Work is still limited on a lazy database.
    let busy = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";
    let error = query_within(&mut engine, &db, busy, 200).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TimeLimit, "{error}");
}

#[test]
fn rows_are_counted_when_asked_with_the_views_filters_and_search() {
    let path = generated(200_000);
    let (mut engine, db, _) = open_lazily(&path, Server::default());
    let mut request = page_request(&db, "items");
    assert_eq!(engine.count_selection(&request).unwrap(), 200_000);
    request.filters = vec![protocol::Filter { column: "grp".into(), op: protocol::FilterOp::Exact, value: "42".into() }];
    assert_eq!(engine.count_selection(&request).unwrap(), 400);
    request.filters.clear();
    request.search = Some(protocol::Search { query: "item 77777".into(), raw: false });
    assert_eq!(engine.count_selection(&request).unwrap(), 1);
}

#[test]
fn a_failed_read_says_why_and_the_database_stays_open() {
    let path = shared_data("sqlite/Chinook_Sqlite.sqlite");
    let (mut engine, db, _) = open_lazily(&path, Server { fail_from: Some(4), ..Server::default() });
    let error = query(&mut engine, &db, "SELECT sum(length(Name)) FROM Track").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unreachable, "{error}");
    assert!(error.to_string().contains("the host stopped answering"), "{error}");
    // The engine is still usable: other databases open, and this one answers from its cache.
    let (mut other, other_db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    assert!(query(&mut other, &other_db, "SELECT count(*) FROM Track").is_ok());
    assert!(query(&mut engine, &db, "SELECT count(*) FROM sqlite_schema").is_ok());
}

#[test]
fn a_lazy_database_refuses_writes_and_whole_file_work() {
    let path = shared_data("sqlite/Chinook_Sqlite.sqlite");
    let (mut engine, db, _) = open_lazily(&path, Server::default());
    let error = query(&mut engine, &db, "DELETE FROM Track").unwrap_err();
    assert!(
        error.to_string().contains("readonly") || error.to_string().contains("read-only") || error.to_string().contains("read only"),
        "{error}"
    );
    assert!(engine.serialize(&db).is_err(), "not downloadable whole from here");
    assert_eq!(engine.count_rows(&db, "Track"), None);
    assert!(engine.begin_suggest_facets(&page_request(&db, "Track")).unwrap().is_none());
}

#[test]
fn html_or_a_short_file_is_not_opened_lazily() {
    let dir = std::env::temp_dir().join(format!("explorer-lazy-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("page.html");
    std::fs::write(&page, "<!doctype html><html><head><title>x</title></head></html>").unwrap();
    let mut engine = Engine::new(engine::native_clock);
    let name = engine.reserve_name("page.html");
    let source = DiskRanges { file: File::open(&page).unwrap(), requests: Rc::default(), server: Server::default() };
    let error = engine.open_lazy(&name, "page.html", Box::new(source), std::fs::metadata(&page).unwrap().len()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotADatabase);
    assert!(!read_shared("sqlite/Chinook_Sqlite.sqlite").is_empty());
}
