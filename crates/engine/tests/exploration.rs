//! Filters, facets, search, row pages, labels, parameters and export, on
//! Chinook and the FTS5 database.

mod common;

use engine::Engine;
use protocol::{
    Cell, ExportFormat, ExportRequest, ExportSource, FacetKind, FacetRequest, Filter, FilterOp, LinkTarget, QueryRequest, RowRequest,
    Search, SortBy,
};

use common::page_request;

fn filter(column: &str, op: &str, value: &str) -> Filter {
    let op = FilterOp::from_url_name(op).expect("a known operator");
    Filter { column: column.into(), op, value: value.into() }
}

fn query(engine: &mut Engine, db: &str, sql: &str) -> Vec<Vec<Cell>> {
    engine
        .query(&QueryRequest { db: db.into(), sql: sql.into(), params: vec![], time_limit_ms: 5000, max_rows: 1000, allow_writes: true })
        .unwrap()
        .rows
}

#[test]
fn filtered_sorted_pages_walk_the_same_rows_as_one_query() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let mut req = page_request(&db, "Track");
    req.filters = vec![filter("GenreId", "in", "1,3"), filter("Composer", "notcontains", "Iommi")];
    req.sort = Some(SortBy { column: "Composer".into(), descending: true });
    req.page_size = 50;
    let mut ids = Vec::new();
    let first = engine.table_page(&req).unwrap();
    assert_eq!(first.description, "where GenreId is one of \"1,3\" and Composer does not contain \"Iommi\"");
    let total = first.total.unwrap();
    let mut page = first;
    loop {
        ids.extend(page.rows.iter().map(|r| r[0].clone()));
        let Some(next) = page.next.clone() else { break };
        req.after = Some(next);
        page = engine.table_page(&req).unwrap();
    }
    // NOT LIKE drops NULL composers, as SQL does.
    let expected: Vec<Cell> =
        query(&mut engine, &db, "SELECT count(*) FROM Track WHERE GenreId IN (1, 3) AND Composer NOT LIKE '%Iommi%'").remove(0);
    assert_eq!(Cell::Integer(total as i64), expected[0]);
    assert_eq!(ids.len() as u64, total);
    let mut reference = Vec::new();
    for offset in (0..total).step_by(1000) {
        reference.extend(query(&mut engine, &db, &format!(
            "SELECT TrackId FROM Track WHERE GenreId IN (1, 3) AND Composer NOT LIKE '%Iommi%' ORDER BY Composer DESC, TrackId DESC LIMIT 1000 OFFSET {offset}"
        )).into_iter().map(|r| r[0].clone()));
    }
    assert_eq!(ids, reference);
}

#[test]
fn facets_count_within_filters_and_show_labels() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let mut req = page_request(&db, "Track");
    req.filters = vec![filter("MediaTypeId", "exact", "1")];
    req.facets = vec![FacetRequest { column: "GenreId".into(), kind: FacetKind::Column }];
    req.suggest_facets = true;
    let page = engine.table_page(&req).unwrap();
    let genre = &page.facets[0];
    assert!(genre.error.is_none());
    let top = &genre.values[0];
    let expected =
        query(&mut engine, &db, "SELECT GenreId, count(*) FROM Track WHERE MediaTypeId = 1 GROUP BY GenreId ORDER BY 2 DESC LIMIT 1");
    assert_eq!((top.value.clone(), Cell::Integer(top.count as i64)), (expected[0][0].clone(), expected[0][1].clone()));
    assert_eq!(top.label.as_deref(), Some("Rock"));
    // Suggestions look at the rows in view: unfiltered here.
    req.filters.clear();
    let unfiltered = engine.table_page(&req).unwrap();
    let suggested: Vec<_> = unfiltered.suggested_facets.iter().map(|f| f.column.as_str()).collect();
    assert!(suggested.contains(&"MediaTypeId") && suggested.contains(&"UnitPrice"), "{suggested:?}");
    assert!(!suggested.contains(&"GenreId"), "already faceted");
    assert!(!suggested.contains(&"Name"), "too many distinct values");
    // Foreign-key cells get their labels, and link to the row they name.
    let album = page.links.iter().find(|l| l.column == "AlbumId").unwrap();
    let first = album.values.iter().find(|v| v.value == Cell::Integer(1)).unwrap();
    assert_eq!(first.label.as_deref(), Some("For Those About To Rock We Salute You"));
    assert_eq!(first.target, LinkTarget::Row(vec!["1".into()]));
    // Facet values carry the filter that selects their rows.
    assert_eq!(top.filter, filter("GenreId", "exact", &top.value.display()));
}

#[test]
fn where_col_and_facet_size_follow_datasette() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let mut req = page_request(&db, "Invoice");
    // `_where=Total > 15` selects exactly those rows, in count and facets.
    req.wheres = vec!["Total > 15".into()];
    req.facets = vec![FacetRequest { column: "BillingCountry".into(), kind: FacetKind::Column }];
    let page = engine.table_page(&req).unwrap();
    let expected = query(&mut engine, &db, "SELECT count(*) FROM Invoice WHERE Total > 15");
    assert_eq!(page.total.map(|n| Cell::Integer(n as i64)), Some(expected[0][0].clone()));
    assert_eq!(page.rows.len() as u64, page.total.unwrap());
    let faceted: u64 = page.facets[0].values.iter().map(|v| v.count).sum();
    assert_eq!(faceted, page.total.unwrap());
    assert!(page.description.contains("where Total > 15"), "{}", page.description);
    // A fragment that writes, or is not one expression, is refused.
    // So is one that could reach past its parentheses into the rest of the
    // page's statement (a comment would swallow its LIMIT).
    for bad in
        ["1); DELETE FROM Invoice; --", "Total > (", "1) UNION SELECT 1 --", "Total > 1 -- rest", "1 /*", "'open", "no_such_column = 1"]
    {
        req.wheres = vec![bad.into()];
        let error = engine.table_page(&req).unwrap_err();
        assert_eq!(error.kind(), engine::ErrorKind::BadRequest, "{bad}: {error}");
    }
    // Quoted text may hold any of those.
    req.wheres = vec!["BillingCity <> 'a) -- ; /* b' AND \"Total\" > 15".into()];
    assert_eq!(engine.table_page(&req).unwrap().total, page.total);
    // `_col=` shows only those columns (the key still names rows).
    let mut req = page_request(&db, "Invoice");
    req.shown = vec!["Total".into(), "BillingCity".into()];
    let page = engine.table_page(&req).unwrap();
    assert_eq!(page.columns, ["BillingCity", "Total"], "in the table's order");
    assert_eq!(page.row_keys[0], ["1"]);
    req.shown = vec!["Nope".into()];
    assert_eq!(engine.table_page(&req).unwrap_err().kind(), engine::ErrorKind::BadRequest);
    // `_facet_size=`: more values than the default 30, and no "more" then.
    let mut req = page_request(&db, "Invoice");
    req.facets = vec![FacetRequest { column: "BillingCity".into(), kind: FacetKind::Column }];
    let page = engine.table_page(&req).unwrap();
    assert_eq!((page.facets[0].values.len(), page.facets[0].truncated), (30, true));
    req.facet_size = protocol::MAX_FACET_SIZE;
    let page = engine.table_page(&req).unwrap();
    let cities = query(&mut engine, &db, "SELECT count(DISTINCT BillingCity) FROM Invoice");
    assert_eq!(Cell::Integer(page.facets[0].values.len() as i64), cities[0][0]);
    assert!(!page.facets[0].truncated);
}

#[test]
fn array_and_date_facets() {
    let mut engine = Engine::new(engine::native_clock);
    let name = engine.reserve_name("t.db");
    let bytes = {
        let mut conn = engine::open_empty().unwrap();
        conn.execute_batch(
            "CREATE TABLE t(id INTEGER PRIMARY KEY, tags TEXT, at TEXT);
             INSERT INTO t(tags, at) VALUES ('[\"a\",\"b\"]', '2024-01-01 10:00'), ('[\"a\"]', '2024-01-01 11:00'), ('[\"c\"]', '2024-01-02'), ('x', NULL);",
        )
        .unwrap();
        let bytes = conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec();
        drop(conn);
        bytes
    };
    engine.open(&name, "t.db", &bytes).unwrap();
    let mut req = page_request(&name, "t");
    req.facets =
        vec![FacetRequest { column: "tags".into(), kind: FacetKind::Array }, FacetRequest { column: "at".into(), kind: FacetKind::Date }];
    req.filters = vec![filter("tags", "arraycontains", "a")];
    let page = engine.table_page(&req).unwrap();
    assert_eq!(page.rows.len(), 2);
    let tags: Vec<_> = page.facets[0].values.iter().map(|v| (v.value.display(), v.count)).collect();
    assert_eq!(tags, [("a".to_string(), 2), ("b".to_string(), 1)]);
    let dates: Vec<_> = page.facets[1].values.iter().map(|v| (v.value.display(), v.count)).collect();
    assert_eq!(dates, [("2024-01-01".to_string(), 2)]);
}

#[test]
fn search_uses_the_fts_index_ranked_by_relevance() {
    let (mut engine, db) = common::engine_with("sqlite/moving_fts5.db");
    let mut req = page_request(&db, "items");
    let plain = engine.table_page(&req).unwrap();
    assert_eq!(plain.fts_table.as_deref(), Some("search_items"));
    let word = match &plain.rows[0][2] {
        Cell::Text(t) => t.split_whitespace().next().unwrap().to_string(),
        other => panic!("{other:?}"),
    };
    req.search = Some(Search { query: word.clone(), raw: false });
    let found = engine.table_page(&req).unwrap();
    let expected = query(&mut engine, &db, &format!("SELECT count(*) FROM search_items WHERE search_items MATCH '\"{word}\"'"));
    assert_eq!(Cell::Integer(found.total.unwrap() as i64), expected[0][0]);
    assert!(found.total.unwrap() >= 1);
    let ranked = query(&mut engine, &db, &format!("SELECT rowid FROM search_items WHERE search_items MATCH '\"{word}\"' ORDER BY rank"));
    let ids: Vec<String> = found.row_keys.iter().map(|k| k[0].clone()).collect();
    assert_eq!(ids, ranked.into_iter().map(|r| r[0].display()).collect::<Vec<_>>(), "best match first");
    // Raw mode passes operators through; the default mode never errors.
    req.search = Some(Search { query: format!("{word} OR zzzz*"), raw: true });
    assert!(engine.table_page(&req).is_ok());
    req.search = Some(Search { query: "\"unbalanced AND (".into(), raw: false });
    assert!(engine.table_page(&req).is_ok());
    // A table without an index says so.
    let mut boxes = page_request(&db, "boxes");
    boxes.search = Some(Search { query: "x".into(), raw: false });
    assert!(engine.table_page(&boxes).unwrap_err().message().contains("no full-text index"));
}

#[test]
fn row_pages_show_the_row_and_what_points_at_it() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let row = engine.row(&RowRequest { db: db.clone(), table: "Artist".into(), key: vec!["1".into()] }).unwrap();
    assert_eq!(row.values, vec![Cell::Integer(1), Cell::Text("AC/DC".into())]);
    let albums = row.incoming.iter().find(|l| l.table == "Album").unwrap();
    assert_eq!((albums.column.as_str(), albums.count), ("ArtistId", Some(2)));
    let album = engine.row(&RowRequest { db: db.clone(), table: "Album".into(), key: vec!["1".into()] }).unwrap();
    let artist = &album.links[0].values[0];
    assert_eq!((&artist.value, artist.label.as_deref()), (&Cell::Integer(1), Some("AC/DC")));
    assert_eq!(albums.filter, filter("ArtistId", "exact", "1"), "the incoming link lists the albums");
    let err = engine.row(&RowRequest { db: db.clone(), table: "Artist".into(), key: vec!["99999".into()] }).unwrap_err();
    assert!(err.message().contains("no row 99999"), "{err}");
    // Composite keys: PlaylistTrack is (PlaylistId, TrackId).
    let pt = engine.row(&RowRequest { db: db.clone(), table: "PlaylistTrack".into(), key: vec!["1".into(), "3402".into()] }).unwrap();
    assert_eq!(pt.key_columns, ["PlaylistId", "TrackId"], "rows are named by their primary key");
    assert_eq!(pt.values, vec![Cell::Integer(1), Cell::Integer(3402)]);
    let labels: Vec<_> = pt.links.iter().map(|l| (l.column.as_str(), l.values[0].label.as_deref().unwrap())).collect();
    assert_eq!(labels, [("TrackId", "Band Members Discuss Tracks from \"Revelations\""), ("PlaylistId", "Music")]);
}

#[test]
fn label_columns_are_chosen_like_datasette() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let _ = &mut engine;
    let conn = engine::open_image(&common::read_shared("sqlite/Chinook_Sqlite.sqlite")).unwrap();
    let cases =
        [("Artist", Some("Name")), ("Album", Some("Title")), ("Genre", Some("Name")), ("InvoiceLine", None), ("Employee", Some("Title"))];
    for (table, expected) in cases {
        assert_eq!(engine::relations::label_column(&conn, table, None).as_deref(), expected, "{table}");
    }
    assert_eq!(engine::relations::label_column(&conn, "Employee", Some("LastName")).as_deref(), Some("LastName"));
    let _ = db;
}

#[test]
fn named_parameters_are_found_and_bound() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let sql = "SELECT count(*) FROM Track WHERE GenreId = :genre AND Milliseconds > :min_ms OR :genre IS NULL";
    assert_eq!(engine.query_parameters(&db, sql).unwrap(), ["genre", "min_ms"]);
    let result = engine
        .query(&QueryRequest {
            db: db.clone(),
            sql: sql.into(),
            params: vec![("genre".into(), "1".into()), ("min_ms".into(), "300000".into())],
            time_limit_ms: 1000,
            max_rows: 10,
            allow_writes: false,
        })
        .unwrap();
    let expected = query(&mut engine, &db, "SELECT count(*) FROM Track WHERE GenreId = 1 AND Milliseconds > 300000");
    assert_eq!(result.rows, expected);
}

fn export(engine: &mut Engine, source: ExportSource, format: ExportFormat, all: bool) -> (Vec<u8>, u64, usize) {
    let mut pieces = Vec::new();
    let rows = engine.export(&ExportRequest { source, format, all }, |piece| pieces.push(piece)).unwrap();
    let count = pieces.len();
    (pieces.concat(), rows, count)
}

#[test]
fn exported_csv_imports_back_to_the_same_rows() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let mut req = page_request(&db, "Track");
    req.filters = vec![filter("Composer", "notnull", "")];
    let (csv, rows, pieces) = export(&mut engine, ExportSource::Table(req.clone()), ExportFormat::Csv, true);
    let expected = query(&mut engine, &db, "SELECT count(*) FROM Track WHERE Composer IS NOT NULL");
    assert_eq!(vec![Cell::Integer(rows as i64)], expected[0]);
    assert!(pieces > 1, "streamed in pieces, not one string");
    let mut import = engine.begin_import("Track-export.csv", engine::import::Format::Delimited, Default::default()).unwrap();
    engine.push_import(&mut import, &csv).unwrap();
    engine.finish_import(import).unwrap();
    let columns = "TrackId, Name, AlbumId, MediaTypeId, GenreId, Composer, Milliseconds, Bytes, UnitPrice";
    let mut original = Vec::new();
    let mut again = Vec::new();
    for offset in (0..rows).step_by(1000) {
        original.extend(query(
            &mut engine,
            &db,
            &format!("SELECT {columns} FROM Track WHERE Composer IS NOT NULL ORDER BY TrackId LIMIT 1000 OFFSET {offset}"),
        ));
        again.extend(query(
            &mut engine,
            "data",
            &format!("SELECT {columns} FROM [Track-export] ORDER BY TrackId LIMIT 1000 OFFSET {offset}"),
        ));
    }
    assert_eq!(again, original);

    // One page only, and JSON / newline-delimited JSON of a query.
    let (_, rows, _) = export(&mut engine, ExportSource::Table(req), ExportFormat::Csv, false);
    assert_eq!(rows, 100);
    let q = QueryRequest {
        db: db.clone(),
        sql: "SELECT ArtistId, Name FROM Artist WHERE ArtistId <= :n".into(),
        params: vec![("n".into(), "2".into())],
        time_limit_ms: 1000,
        max_rows: 1000,
        allow_writes: true,
    };
    let (json, _, _) = export(&mut engine, ExportSource::Query(q.clone()), ExportFormat::Json, true);
    let parsed: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(parsed, serde_json::json!([{"ArtistId": 1, "Name": "AC/DC"}, {"ArtistId": 2, "Name": "Accept"}]));
    let (lines, _, _) = export(&mut engine, ExportSource::Query(q), ExportFormat::NdJson, true);
    assert_eq!(String::from_utf8(lines).unwrap(), "{\"ArtistId\":1,\"Name\":\"AC/DC\"}\n{\"ArtistId\":2,\"Name\":\"Accept\"}\n");
}

#[test]
fn facet_suggestions_made_a_step_at_a_time_are_those_made_at_once() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let req = page_request(&db, "Track");
    let at_once = engine.suggest_facets(&req).unwrap();
    let mut suggestions = engine.begin_suggest_facets(&req).unwrap().expect("Track's rows count quickly");
    let mut steps = 1;
    while engine.suggest_facets_step(&db, &mut suggestions) {
        steps += 1;
    }
    assert_eq!(suggestions.found(), at_once);
    // One check a step: several steps for Track's eight candidate columns.
    assert!(steps >= 8, "{steps} steps");
}
