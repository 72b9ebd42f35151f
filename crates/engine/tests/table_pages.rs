//! Keyset pagination walks every row exactly once, in the same order a
//! single ORDER BY gives, whatever the sort column holds (ties, NULLs).

mod common;

use engine::Engine;
use protocol::{Cell, Cursor, SortBy, TablePageRequest};

fn request(db: &str, table: &str, sort: Option<(&str, bool)>, after: Option<Cursor>, page_size: u32) -> TablePageRequest {
    TablePageRequest {
        sort: sort.map(|(column, descending)| SortBy { column: column.into(), descending }),
        after,
        page_size,
        ..common::page_request(db, table)
    }
}

/// Every row of `table`, page by page, following `next` to the end.
fn walk(engine: &mut Engine, db: &str, table: &str, sort: Option<(&str, bool)>, page_size: u32) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut after = None;
    let mut all = Vec::new();
    for _ in 0..10_000 {
        let page = engine.table_page(&request(db, table, sort, after.clone(), page_size)).unwrap();
        assert!(page.rows.len() <= page_size as usize);
        let columns = page.columns;
        all.extend(page.rows);
        // The cursor must survive the trip through the URL.
        after = page.next.map(|c| Cursor::from_url_text(&c.to_url_text()).expect("cursor round-trips"));
        if after.is_none() {
            return (columns, all);
        }
        let _ = columns;
    }
    panic!("pagination never ended");
}

fn column(rows: &[Vec<Cell>], i: usize) -> Vec<Cell> {
    rows.iter().map(|r| r[i].clone()).collect()
}

fn reference(engine: &mut Engine, db: &str, sql: &str) -> Vec<Vec<Cell>> {
    let result = engine
        .query(&protocol::QueryRequest {
            db: db.into(),
            sql: sql.into(),
            params: vec![],
            time_limit_ms: 5000,
            max_rows: 1000,
            allow_writes: true,
        })
        .unwrap();
    result.rows
}

#[test]
fn unsorted_pages_follow_the_primary_key() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let (columns, rows) = walk(&mut engine, &db, "Track", None, 100);
    assert_eq!(columns[0], "TrackId", "INTEGER PRIMARY KEY is the rowid, so no extra rowid column");
    assert_eq!(rows.len(), 3503);
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| match r[0] {
            Cell::Integer(i) => i,
            _ => panic!(),
        })
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn sorted_pages_with_ties_and_nulls_match_one_order_by() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    // Composer has 977 NULLs and many repeats; GenreId has only 25 values.
    for sort_column in ["Composer", "GenreId"] {
        for descending in [false, true] {
            let (_, rows) = walk(&mut engine, &db, "Track", Some((sort_column, descending)), 97);
            assert_eq!(rows.len(), 3503, "{sort_column} desc={descending}");
            let dir = if descending { "DESC" } else { "ASC" };
            // The reference query returns at most 1000 rows, so compare keys
            // chunk by chunk with OFFSET.
            let mut expected = Vec::new();
            for offset in (0..3503).step_by(1000) {
                expected.extend(reference(
                    &mut engine,
                    &db,
                    &format!("SELECT TrackId FROM Track ORDER BY {sort_column} {dir}, TrackId {dir} LIMIT 1000 OFFSET {offset}"),
                ));
            }
            assert_eq!(column(&rows, 0), column(&expected, 0), "{sort_column} {dir}");
        }
    }
}

#[test]
fn rowid_tables_without_integer_key_show_rowid_and_views_page_by_offset() {
    let mut engine = Engine::new(engine::native_clock);
    let name = engine.reserve_name("mem.db");
    let bytes = {
        let mut conn = engine::open_empty().unwrap();
        conn.execute_batch(
            "CREATE TABLE t(name TEXT, score REAL);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)
             INSERT INTO t SELECT 'n' || (i % 7), CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 END FROM n;
             CREATE VIEW v AS SELECT name, count(*) AS c FROM t GROUP BY name;
             CREATE TABLE k(a TEXT, b INTEGER, v, PRIMARY KEY (a, b)) WITHOUT ROWID;
             INSERT INTO k SELECT name, rowid, score FROM t;",
        )
        .unwrap();
        conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec()
    };
    engine.open(&name, "mem.db", &bytes).unwrap();

    let (columns, rows) = walk(&mut engine, &name, "t", Some(("score", true)), 10);
    assert_eq!(columns, ["rowid", "name", "score"]);
    assert_eq!(rows.len(), 250);
    let mut rowids: Vec<_> = column(&rows, 0)
        .into_iter()
        .map(|c| match c {
            Cell::Integer(i) => i,
            _ => 0,
        })
        .collect();
    rowids.sort();
    assert_eq!(rowids, (1..=250).collect::<Vec<i64>>(), "each row exactly once");
    assert!(rows[249][2].is_null(), "NULLs come last when descending");

    let (columns, rows) = walk(&mut engine, &name, "v", Some(("c", false)), 3);
    assert_eq!(columns, ["name", "c"]);
    assert_eq!(rows.len(), 7);

    let (columns, rows) = walk(&mut engine, &name, "k", Some(("v", false)), 33);
    assert_eq!(columns, ["a", "b", "v"]);
    assert_eq!(rows.len(), 250);
}

#[test]
fn page_sql_is_shown_with_values_inlined() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let first = engine.table_page(&request(&db, "Artist", Some(("Name", true)), None, 2)).unwrap();
    assert_eq!(first.total, Some(275));
    let second = engine.table_page(&request(&db, "Artist", Some(("Name", true)), first.next, 2)).unwrap();
    expect_test::expect![[r#"SELECT "ArtistId", "Name" FROM "Artist" WHERE (("Name", "ArtistId") < ('Youssou N''Dour', 168) OR "Name" IS NULL) ORDER BY "Name" DESC, "ArtistId" DESC LIMIT 2"#]]
        .assert_eq(&second.sql);
    // The shown SQL runs and gives the same page.
    assert_eq!(reference(&mut engine, &db, &second.sql), second.rows);
}

#[test]
fn datasette_next_tokens_page_as_datasette_pages() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let first_id = |page: &protocol::TablePage| page.rows[0][0].clone();
    // A bare number on a keyed table is the key to continue after.
    let tracks = engine.table_page(&request(&db, "Track", None, Some(Cursor::Offset(5)), 3)).unwrap();
    assert_eq!(first_id(&tracks), Cell::Integer(6));
    // Sorted: the sort value, then the key; tilde-encoded, `+` a space.
    let ours = engine.table_page(&request(&db, "Artist", Some(("Name", true)), None, 2)).unwrap();
    let after_ours = engine.table_page(&request(&db, "Artist", Some(("Name", true)), ours.next, 2)).unwrap();
    let token = Cursor::Token("Youssou+N'Dour,168".into());
    assert_eq!(engine.table_page(&request(&db, "Artist", Some(("Name", true)), Some(token), 2)).unwrap().rows, after_ours.rows);
    let acdc = engine.table_page(&request(&db, "Artist", Some(("Name", false)), Some(Cursor::Token("AC~2FDC,1".into())), 1)).unwrap();
    // Binary order: "AC/DC" < "Aaron…" ("C" sorts before "a").
    assert_eq!(acdc.rows[0][1], Cell::Text("Aaron Copland & London Symphony Orchestra".into()));
    // `$null`: a NULL sort value (NULLs come first ascending).
    let states =
        engine.table_page(&request(&db, "Invoice", Some(("BillingState", false)), Some(Cursor::Token("$null,10".into())), 1)).unwrap();
    assert_eq!(first_id(&states), Cell::Integer(11));
}

#[test]
fn bad_requests_are_errors_not_panics() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let cases = [
        (request(&db, "Nope", None, None, 10), "no table or view named"),
        (request(&db, "Track", Some(("Nope", false)), None, 10), "no such column"),
        (request(&db, "Track", None, Some(Cursor::Token("1,2".into())), 10), "does not fit"),
        (request(&db, "Track", None, Some(Cursor::Token("~ZZ".into())), 10), "does not fit"),
        (
            request(&db, "Track", None, Some(Cursor::Keyset { sort_value: Some(Cell::Null), key: vec![Cell::Integer(1)] }), 10),
            "does not fit",
        ),
        (request(&db, "Track", None, None, 0), "Page size"),
        (request("nodb", "Track", None, None, 10), "no database named"),
    ];
    for (req, expected) in cases {
        let err = engine.table_page(&req).unwrap_err();
        assert!(err.message().contains(expected), "{req:?}: {err}");
    }
}
