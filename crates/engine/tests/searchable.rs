//! "Make searchable" on Chinook: the index finds rows, ranks them, follows
//! inserts, updates and deletes through its triggers, and what cannot be
//! made searchable says why.

mod common;

use protocol::{Cell, QueryRequest, Search};

fn run(engine: &mut engine::Engine, db: &str, sql: &str) -> Vec<Vec<Cell>> {
    let request = QueryRequest { db: db.into(), sql: sql.into(), params: vec![], time_limit_ms: 5000, max_rows: 1000, allow_writes: true };
    engine.query(&request).unwrap().rows
}

#[test]
fn a_searchable_table_finds_its_rows_and_follows_changes() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let index = engine.make_searchable(&db, "Track", &["Name".into(), "Composer".into()]).unwrap();
    assert_eq!(index, "Track_fts");
    let search = |engine: &mut engine::Engine, words: &str| {
        let request =
            protocol::TablePageRequest { search: Some(Search { query: words.into(), raw: false }), ..common::page_request(&db, "Track") };
        let page = engine.table_page(&request).unwrap();
        assert_eq!(page.fts_table.as_deref(), Some("Track_fts"), "the page knows its index");
        page.rows.iter().map(|r| r[1].display()).collect::<Vec<_>>()
    };
    assert_eq!(search(&mut engine, "Sweet Child"), ["Sweet Child O' Mine"]);
    let both = "SELECT count(*) FROM Track WHERE coalesce(Name, '') || ' ' || coalesce(Composer, '') LIKE '%bruce%' \
                AND coalesce(Name, '') || ' ' || coalesce(Composer, '') LIKE '%dickinson%'";
    let expected = run(&mut engine, &db, both)[0][0].clone();
    assert_eq!(Cell::Integer(search(&mut engine, "Bruce Dickinson").len() as i64), expected, "composers too");
    run(&mut engine, &db, "INSERT INTO Track (Name, MediaTypeId, Milliseconds, UnitPrice) VALUES ('Zyzzyva song', 1, 1, 0.99)");
    assert_eq!(search(&mut engine, "zyzzyva"), ["Zyzzyva song"]);
    run(&mut engine, &db, "UPDATE Track SET Name = 'Quokka song' WHERE Name = 'Zyzzyva song'");
    assert!(search(&mut engine, "zyzzyva").is_empty());
    assert_eq!(search(&mut engine, "quokka"), ["Quokka song"]);
    run(&mut engine, &db, "DELETE FROM Track WHERE Name = 'Quokka song'");
    assert!(search(&mut engine, "quokka").is_empty());
    // The index is consistent with its table.
    assert!(run(&mut engine, &db, "INSERT INTO Track_fts(Track_fts) VALUES ('integrity-check')").is_empty());
    assert_eq!(run(&mut engine, &db, "PRAGMA integrity_check")[0][0], Cell::Text("ok".into()));
}

#[test]
fn what_cannot_be_made_searchable_says_why() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    run(&mut engine, &db, "CREATE TABLE pairs (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID");
    let mut failures = vec![
        engine.make_searchable(&db, "Nope", &["Name".into()]),
        engine.make_searchable(&db, "Track", &[]),
        engine.make_searchable(&db, "Track", &["Nope".into()]),
        engine.make_searchable(&db, "pairs", &["a".into()]),
    ];
    engine.make_searchable(&db, "Album", &["Title".into()]).unwrap();
    failures.push(engine.make_searchable(&db, "Album", &["Title".into()]));
    failures.push(engine.make_searchable(&db, "Album_fts", &["Title".into()]));
    let messages: Vec<String> = failures.into_iter().map(|f| f.unwrap_err().message().to_string()).collect();
    expect_test::expect![[r#"
        There is no table named “Nope” to make searchable.
        Choose at least one column to search.
        “Track” has no column named “Nope”.
        “pairs” has no rowid (it is WITHOUT ROWID), which a search index needs.
        “Album” is searchable already.
        “Album_fts” is a virtual table; only ordinary tables can be made searchable."#]]
    .assert_eq(&messages.join("\n"));
    // A failed attempt leaves nothing behind.
    let objects = run(&mut engine, &db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'Track%'");
    assert_eq!(objects[0][0], Cell::Integer(1));
}
