//! The heap limit is process-wide, so it is tested in a process of its own.

mod common;

use protocol::QueryRequest;

#[test]
fn a_query_that_needs_more_than_the_heap_limit_is_an_error_not_a_dead_worker() {
    engine::limit_heap();
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    // Sorting 40 values of 60 MB holds 2.4 GB at once: over the 2 GiB limit.
    let sql =
        "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r LIMIT 40) SELECT i, zeroblob(60000000) FROM r ORDER BY i DESC";
    let req = QueryRequest { db: db.clone(), sql: sql.into(), params: vec![], time_limit_ms: 60_000, max_rows: 1, allow_writes: false };
    let err = engine.query(&req).unwrap_err();
    assert!(err.message().contains("out of memory"), "{err}");
    // The database is still there, and the memory was given back.
    let req = QueryRequest { sql: "SELECT count(*) FROM Album".into(), ..req };
    assert_eq!(engine.query(&req).unwrap().rows[0][0], protocol::Cell::Integer(347));
}
