//! Bad input gives a typed error with a message a person can act on, and
//! never takes down the other open databases.

mod common;

use engine::{Engine, ErrorKind};
use protocol::{Cell, QueryRequest};

fn query(engine: &mut Engine, db: &str, sql: &str, time_limit_ms: u32) -> engine::Result<protocol::QueryResult> {
    engine.query(&QueryRequest { db: db.into(), sql: sql.into(), params: vec![], time_limit_ms, max_rows: 1000, allow_writes: true })
}

#[test]
fn a_runaway_query_is_stopped_at_the_time_limit() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let started = engine::native_clock();
    let err =
        query(&mut engine, &db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n", 200).unwrap_err();
    let elapsed = engine::native_clock() - started;
    assert_eq!(err.kind(), ErrorKind::TimeLimit);
    assert!(err.message().contains("200 ms"), "{err}");
    // Generous bound: the point is "stopped", not a timing assertion.
    assert!(elapsed < 5000.0, "took {elapsed} ms");
    // The connection is usable afterwards, with no leftover handler.
    let ok = query(&mut engine, &db, "SELECT count(*) FROM Track", 1000).unwrap();
    assert_eq!(ok.rows, vec![vec![Cell::Integer(3503)]]);
}

#[test]
fn results_are_capped_and_say_so() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let r = query(&mut engine, &db, "SELECT TrackId, Name, UnitPrice FROM Track ORDER BY TrackId", 1000).unwrap();
    assert_eq!(r.rows.len(), 1000);
    assert!(r.truncated);
    assert_eq!(r.columns, ["TrackId", "Name", "UnitPrice"]);
    assert_eq!(r.rows[0], vec![Cell::Integer(1), Cell::Text("For Those About To Rock (We Salute You)".into()), Cell::Real(0.99)]);
    assert_eq!(r.rows_changed, None);

    let r = query(&mut engine, &db, "SELECT 1 AS one;  ", 1000).unwrap();
    assert!(!r.truncated);
    let r = query(&mut engine, &db, "UPDATE Genre SET Name = upper(Name) WHERE GenreId < 3", 1000).unwrap();
    assert_eq!(r.rows_changed, Some(2));
}

#[test]
fn sql_errors_keep_sqlites_words() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let cases = [
        ("SELEC 1", ErrorKind::Sql, "syntax error"),
        ("SELECT * FROM nope", ErrorKind::Sql, "no such table: nope"),
        ("SELECT 1; SELECT 2", ErrorKind::Sql, "one statement"),
        ("   ", ErrorKind::BadRequest, "no SQL"),
        ("SELECT load_extension('x')", ErrorKind::Sql, "not authorized"),
    ];
    for (sql, kind, expected) in cases {
        let err = query(&mut engine, &db, sql, 1000).unwrap_err();
        assert_eq!(err.kind(), kind, "{sql}: {err}");
        assert!(err.message().contains(expected), "{sql}: {err}");
    }
}

#[test]
fn damaged_and_foreign_files_are_refused_and_nothing_else_is_lost() {
    let (mut engine, good) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let chinook = common::read_shared("sqlite/Chinook_Sqlite.sqlite");

    // Right header, pages overwritten with noise in the middle of the file.
    let mut damaged = chinook.clone();
    let mut x: u32 = 12345;
    for b in &mut damaged[4096 * 3..4096 * 60] {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        *b = (x >> 16) as u8;
    }
    // Cut short: the header promises more pages than there are.
    let truncated = chinook[..chinook.len() / 3].to_vec();
    let csv = common::read_shared("csv/congress-terms.csv");
    let cases: [(&str, &[u8], ErrorKind); 4] = [
        ("damaged.db", &damaged, ErrorKind::Corrupt),
        ("truncated.db", &truncated, ErrorKind::Corrupt),
        ("page.html", b"<!doctype html><title>Not found</title>", ErrorKind::NotADatabase),
        ("terms.csv", &csv, ErrorKind::NotADatabase),
    ];
    for (source, bytes, kind) in cases {
        let name = engine.reserve_name(source);
        let err = engine.open(&name, source, bytes).unwrap_err();
        assert_eq!(err.kind(), kind, "{source}: {err}");
    }
    assert_eq!(engine.names(), std::slice::from_ref(&good));
    // Failed loads gave their names back.
    assert_eq!(engine.reserve_name("damaged.db"), "damaged");
    assert_eq!(query(&mut engine, &good, "SELECT count(*) FROM Album", 1000).unwrap().rows, vec![vec![Cell::Integer(347)]]);
}

#[test]
fn names_are_reserved_in_request_order() {
    let mut engine = Engine::new(engine::native_clock);
    let a = engine.reserve_name("https://a.example/x.db");
    let b = engine.reserve_name("https://b.example/x.db");
    assert_eq!((a.as_str(), b.as_str()), ("x", "x_2"));
    // b finishes first; it keeps its name.
    let bytes = common::read_shared("sqlite/moving_fts5.db");
    engine.open(&b, "https://b.example/x.db", &bytes).unwrap();
    engine.open(&a, "https://a.example/x.db", &bytes).unwrap();
    assert_eq!(engine.names(), ["x_2", "x"]);
}

#[test]
fn tables_not_counted_before_the_schema_answers_are_counted_later() {
    // A clock that moves 100 ms each time it is read: the counting budget
    // runs out after the first tables.
    fn slow_clock() -> f64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NOW: AtomicU64 = AtomicU64::new(0);
        NOW.fetch_add(100, Ordering::Relaxed) as f64
    }
    let bytes = {
        let mut conn = engine::open_empty().unwrap();
        for i in 0..8 {
            conn.execute_batch(&format!("CREATE TABLE t{i}(a); INSERT INTO t{i} VALUES (1), (2), ({i});")).unwrap();
        }
        conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec()
    };
    let mut engine = Engine::new(slow_clock);
    let name = engine.reserve_name("many.db");
    let schema = engine.open(&name, "many.db", &bytes).unwrap();
    let uncounted = engine.take_uncounted(&name);
    assert!(!uncounted.is_empty(), "the budget ran out before the last tables");
    for table in &schema.tables {
        assert_eq!(table.row_count.is_none(), uncounted.contains(&table.name), "{}", table.name);
    }
    for table in &uncounted {
        assert_eq!(engine.count_rows(&name, table), Some(3));
    }
    assert!(engine.take_uncounted(&name).is_empty(), "taken once");
}
