//! Importing real CSV, SQL and JSON files, pushed in chunks as the worker
//! does, and checked against independent readers.

mod common;

use engine::import::{DelimitedOptions, Format};
use engine::{Engine, ImportOutcome};
use protocol::{Cell, Position, PositionUnit, QueryRequest};

fn import_bytes(
    engine: &mut Engine,
    source: &str,
    format: Format,
    options: DelimitedOptions,
    bytes: &[u8],
    chunk: usize,
) -> engine::Result<ImportOutcome> {
    let mut import = engine.begin_import(source, format, options)?;
    for piece in bytes.chunks(chunk.max(1)) {
        if let Err(e) = engine.push_import(&mut import, piece) {
            engine.abort_import(import);
            return Err(e);
        }
    }
    engine.finish_import(import)
}

fn import(engine: &mut Engine, file: &str, format: Format, chunk: usize) -> ImportOutcome {
    let bytes = common::read_shared(file);
    import_bytes(engine, file, format, DelimitedOptions::default(), &bytes, chunk).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn query(engine: &mut Engine, db: &str, sql: &str) -> Vec<Vec<Cell>> {
    engine
        .query(&QueryRequest { db: db.into(), sql: sql.into(), params: vec![], time_limit_ms: 10_000, max_rows: 1000, allow_writes: true })
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows
}

/// "col:TYPE col:TYPE | row | row", with NULL spelled out: an import's
/// table at a glance.
fn summary(engine: &mut Engine, outcome: &ImportOutcome) -> String {
    let table = outcome.table.clone().unwrap();
    let info = outcome.schema.tables.iter().find(|t| t.name == table).unwrap();
    let mut shown = info.columns.iter().map(|c| format!("{}:{}", c.name, c.decl_type)).collect::<Vec<_>>().join(" ");
    for row in query(engine, "data", &format!("SELECT * FROM {}", engine::quote_ident(&table))) {
        let cells: Vec<String> = row.iter().map(|c| if c.is_null() { "NULL".into() } else { c.display() }).collect();
        shown += &format!(" | {}", cells.join(","));
    }
    shown
}

fn count(engine: &mut Engine, db: &str, table: &str) -> i64 {
    match query(engine, db, &format!("SELECT count(*) FROM {}", engine::quote_ident(table)))[0][0] {
        Cell::Integer(n) => n,
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn csv_spectrum_rows_equal_the_expected_json() {
    let dir = common::shared_data("csv-spectrum/csvs");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names.len(), 11);
    for name in names {
        for chunk in [1, 5, 1 << 20] {
            let mut engine = Engine::new(engine::native_clock);
            let outcome = import(&mut engine, &format!("csv-spectrum/csvs/{name}"), Format::Delimited, chunk);
            let table = outcome.table.clone().unwrap();
            let expected: serde_json::Value =
                serde_json::from_slice(&common::read_shared(&format!("csv-spectrum/json/{}.json", name.trim_end_matches(".csv")))).unwrap();
            let result = engine
                .query(&QueryRequest {
                    params: vec![],
                    db: "data".into(),
                    sql: format!("SELECT * FROM {}", engine::quote_ident(&table)),
                    time_limit_ms: 1000,
                    max_rows: 1000,
                    allow_writes: true,
                })
                .unwrap();
            let actual: Vec<serde_json::Value> = result
                .rows
                .iter()
                .map(|row| {
                    serde_json::Value::Object(
                        result.columns.iter().zip(row).map(|(c, v)| (c.clone(), serde_json::Value::String(v.display()))).collect(),
                    )
                })
                .collect();
            assert_eq!(serde_json::Value::Array(actual), expected, "{name}, chunks of {chunk}");
        }
    }
}

/// Rows per file by the `csv` crate's own reader, over the decoded text.
fn independent_row_count(bytes: &[u8], delimiter: u8) -> usize {
    let (text, _, _) = encoding_rs::UTF_8.decode(bytes);
    let text = if std::str::from_utf8(bytes).is_err() { encoding_rs::WINDOWS_1252.decode(bytes).0 } else { text };
    csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes()).records().count()
}

#[test]
fn every_real_csv_imports_with_sensible_types_and_every_row() {
    let files = [
        ("csv/actions_under_antiquities_act.csv", b','),
        ("csv/impeachment_polls.csv", b','),
        ("csv/congress-terms.csv", b','),
        ("csv/marvel-wikia-data.csv", b','),
        ("csv/cabinet-turnover_utf8-bom.csv", b','),
        ("csv/potential-candidates-events_cp1252.csv", b','),
        ("csv/raw-polls-2014.tsv", b'\t'),
        ("csv/single-quotes_semicolon.csv", b';'),
    ];
    let mut engine = Engine::new(engine::native_clock);
    let mut summary = String::new();
    for (file, delimiter) in files {
        let outcome = import(&mut engine, file, Format::Delimited, 48 * 1024);
        let table = outcome.table.clone().unwrap();
        let expected_rows = independent_row_count(&common::read_shared(file), delimiter);
        assert_eq!(outcome.count as usize, expected_rows, "{file}");
        assert_eq!(count(&mut engine, "data", &table) as usize, expected_rows, "{file}");
        let info = outcome.schema.tables.iter().find(|t| t.name == table).unwrap();
        let columns: Vec<String> = info.columns.iter().map(|c| format!("{}:{}", c.name, c.decl_type)).collect();
        summary += &format!("{table} ({} rows): {}\n", outcome.count, columns.join(", "));
    }
    // The declared types were written after the rows went in; SQLite agrees
    // that every stored value fits them.
    assert_eq!(query(&mut engine, "data", "PRAGMA integrity_check"), vec![vec![Cell::Text("ok".into())]]);
    expect_test::expect![[r#"
        actions_under_antiquities_act (344 rows): current_name:TEXT, states:TEXT, original_name:TEXT, current_agency:TEXT, action:TEXT, date:TEXT, year:INTEGER, pres_or_congress:TEXT, acres_affected:TEXT
        impeachment_polls (550 rows): Start:TEXT, End:TEXT, Pollster:TEXT, Sponsor:TEXT, SampleSize:INTEGER, Pop:TEXT, tracking:TEXT, Text:TEXT, Category:TEXT, Include?:TEXT, Yes:REAL, No:REAL, Unsure:REAL, Rep Sample:INTEGER, Rep Yes:REAL, Rep No:REAL, Dem Sample:INTEGER, Dem Yes:REAL, Dem No:REAL, Ind Sample:INTEGER, Ind Yes:REAL, Ind No:REAL, URL:TEXT, Notes:TEXT
        congress-terms (18635 rows): congress:INTEGER, chamber:TEXT, bioguide:TEXT, firstname:TEXT, middlename:TEXT, lastname:TEXT, suffix:TEXT, birthday:TEXT, state:TEXT, party:TEXT, incumbent:TEXT, termstart:TEXT, age:REAL
        marvel-wikia-data (16376 rows): page_id:INTEGER, name:TEXT, urlslug:TEXT, ID:TEXT, ALIGN:TEXT, EYE:TEXT, HAIR:TEXT, SEX:TEXT, GSM:TEXT, ALIVE:TEXT, APPEARANCES:INTEGER, FIRST APPEARANCE:TEXT, Year:INTEGER
        cabinet-turnover_utf8-bom (379 rows): president:TEXT, position:TEXT, appointee:TEXT, start_date:TEXT, end_date:TEXT, length:TEXT, departure_day:TEXT, gender:TEXT, column_9:TEXT, column_10:TEXT
        potential-candidates-events_cp1252 (74 rows): Person:TEXT, Party:TEXT, State:TEXT, Event:TEXT, Type:TEXT, Date:TEXT, Link:TEXT, Snippet:TEXT
        raw-polls-2014 (6614 rows): pollno:INTEGER, race:TEXT, year:INTEGER, location:TEXT, type_simple:TEXT, type_detail:TEXT, pollster:TEXT, partisan:TEXT, polldate:TEXT, samplesize:INTEGER, cand1_name:TEXT, cand1_pct:REAL, cand2_name:TEXT, cand2_pct:REAL, cand3_pct:REAL, margin_poll:REAL, electiondate:TEXT, cand1_actual:REAL, cand2_actual:REAL, margin_actual:REAL, error:REAL, bias:REAL, rightcall:REAL, comment:TEXT
        single-quotes_semicolon (4999 rows): DEPCOM:TEXT, COM:TEXT, PMUN:INTEGER, PCAP:INTEGER, PTOT:INTEGER
    "#]]
    .assert_eq(&summary);
}

#[test]
fn encodings_delimiters_and_codes_come_out_right() {
    let mut engine = Engine::new(engine::native_clock);
    import(&mut engine, "csv/potential-candidates-events_cp1252.csv", Format::Delimited, 1000);
    let curly =
        query(&mut engine, "data", "SELECT count(*) FROM [potential-candidates-events_cp1252] WHERE event LIKE '%’%' OR event LIKE '%“%'");
    assert_ne!(curly[0][0], Cell::Integer(0), "Windows-1252 quotes decoded to their Unicode characters");

    import(&mut engine, "csv/single-quotes_semicolon.csv", Format::Delimited, 7000);
    let first = query(&mut engine, "data", "SELECT DEPCOM, COM, PMUN, typeof(DEPCOM) FROM [single-quotes_semicolon] LIMIT 1");
    assert_eq!(
        first[0],
        vec![Cell::Text("01001".into()), Cell::Text("L' Abergement-Clémenciat".into()), Cell::Integer(776), Cell::Text("text".into())]
    );

    import(&mut engine, "csv/marvel-wikia-data.csv", Format::Delimited, 65536);
    let wolverine = query(&mut engine, "data", "SELECT name FROM [marvel-wikia-data] WHERE name LIKE 'Wolverine%' LIMIT 1");
    assert_eq!(wolverine[0][0], Cell::Text(r#"Wolverine (James \"Logan\" Howlett)"#.into()));

    import(&mut engine, "csv/cabinet-turnover_utf8-bom.csv", Format::Delimited, 65536);
    let columns = query(&mut engine, "data", "SELECT group_concat(name, '|') FROM pragma_table_info('cabinet-turnover_utf8-bom')");
    let Cell::Text(columns) = &columns[0][0] else { panic!() };
    assert!(columns.starts_with("president|"), "BOM stripped: {columns}");
    assert!(columns.ends_with("|gender|column_9|column_10"), "blank headers named: {columns}");
}

#[test]
fn awkward_csv_shapes() {
    let cases: [(&str, &[u8], &str); 7] = [
        (
            "ragged.csv",
            b"a,b,c\n1,2\n3,4,5,6,7\n",
            "a:INTEGER b:INTEGER c:INTEGER column_4:INTEGER column_5:INTEGER | 1,2,NULL,NULL,NULL | 3,4,5,6,7",
        ),
        ("cr.csv", b"a,b\r1,x\r2,y", "a:INTEGER b:TEXT | 1,x | 2,y"),
        ("nul.csv", b"a,b\n1,x\0y\n", "a:INTEGER b:TEXT | 1,x\0y"),
        ("dup.csv", b"id,ID,,id\n1,2,3,4\n", "id:INTEGER ID_2:INTEGER column_3:INTEGER id_3:INTEGER | 1,2,3,4"),
        ("mixed.csv", b"n,r,t\n1,1.5,7\n2,2,x\n,,007\n", "n:INTEGER r:REAL t:TEXT | 1,1.5,7 | 2,2.0,x | NULL,NULL,007"),
        ("reals.csv", b"a,b,c\n1.50,1.5,1.5\n2,2.0,x\n1e3,.5,2.50\n", "a:REAL b:REAL c:TEXT | 1.5,1.5,1.5 | 2.0,2.0,x | 1000.0,0.5,2.50"),
        ("header-only.csv", b"x,y\n", "x:TEXT y:TEXT"),
    ];
    for (name, bytes, expected) in cases {
        for chunk in [1, 2, 1000] {
            let mut engine = Engine::new(engine::native_clock);
            let outcome = import_bytes(&mut engine, name, Format::Delimited, DelimitedOptions::default(), bytes, chunk).unwrap();
            assert_eq!(summary(&mut engine, &outcome), expected, "{name}, chunks of {chunk}");
            // Every cell's storage class fits its declared type.
            let check = query(&mut engine, "data", "PRAGMA integrity_check");
            assert_eq!(check, vec![vec![Cell::Text("ok".into())]], "{name}");
        }
    }
    let mut engine = Engine::new(engine::native_clock);
    let err = import_bytes(&mut engine, "empty.csv", Format::Delimited, DelimitedOptions::default(), b"", 10).unwrap_err();
    assert!(err.message().contains("empty"), "{err}");
    assert!(engine.names().is_empty(), "a failed first import leaves no empty data database");
}

#[test]
fn utf16_with_a_bom_is_decoded() {
    for (bom, encode) in
        [(&[0xff, 0xfe][..], u16::to_le_bytes as fn(u16) -> [u8; 2]), (&[0xfe, 0xff][..], u16::to_be_bytes as fn(u16) -> [u8; 2])]
    {
        let mut bytes = bom.to_vec();
        bytes.extend("name;n\r\nZoë;1\r\n日本;2\r\n".encode_utf16().flat_map(encode));
        for chunk in [1, 3, 1000] {
            let mut engine = Engine::new(engine::native_clock);
            import_bytes(&mut engine, "u16.csv", Format::Delimited, DelimitedOptions::default(), &bytes, chunk).unwrap();
            let rows = query(&mut engine, "data", "SELECT name, n FROM u16");
            assert_eq!(
                rows,
                vec![vec![Cell::Text("Zoë".into()), Cell::Integer(1)], vec![Cell::Text("日本".into()), Cell::Integer(2)]],
                "chunks of {chunk}"
            );
        }
    }
}

#[test]
fn overrides_beat_sniffing() {
    let mut engine = Engine::new(engine::native_clock);
    let bytes = "a;b\n1,5;x\n".as_bytes();
    let options = DelimitedOptions { delimiter: Some(b','), encoding: None };
    let outcome = import_bytes(&mut engine, "x.csv", Format::Delimited, options, bytes, 100).unwrap();
    // One column by the header; the row's second cell gets a column of its own.
    assert_eq!(query(&mut engine, "data", "SELECT * FROM x"), vec![vec![Cell::Integer(1), Cell::Text("5;x".into())]]);
    assert_eq!(outcome.table.as_deref(), Some("x"));
    // Latin-1 text that happens to be valid UTF-8 is read as the user says.
    let options = DelimitedOptions { delimiter: None, encoding: engine::import::encoding_for_label("latin1") };
    let outcome = import_bytes(&mut engine, "x.csv", Format::Delimited, options, "name\nCafÃ©\n".as_bytes(), 100).unwrap();
    assert_eq!(outcome.table.as_deref(), Some("x_1"), "same file name, next free table name (Datasette Lite: _1 first)");
    assert_eq!(query(&mut engine, "data", "SELECT name FROM x_1")[0][0], Cell::Text("CafÃƒÂ©".into()));
}

#[test]
fn sql_dumps_load_whole() {
    let mut engine = Engine::new(engine::native_clock);
    let outcome = import(&mut engine, "sql/Chinook_Sqlite.sql", Format::SqlScript, 64 * 1024);
    assert!(outcome.count > 11, "{}", outcome.count);
    for (table, rows) in [("Album", 347), ("Track", 3503), ("PlaylistTrack", 8715), ("InvoiceLine", 2240)] {
        assert_eq!(count(&mut engine, "data", table), rows, "{table}");
    }
    let semicolons = query(&mut engine, "data", "SELECT count(*) FROM Track WHERE Composer LIKE '%;%'");
    assert_ne!(semicolons[0][0], Cell::Integer(0));

    let mut engine = Engine::new(engine::native_clock);
    import(&mut engine, "sql/publii_dump_7caf0dc_literal-newlines.sql", Format::SqlScript, 1000);
    for (table, rows) in [("authors", 1), ("posts", 6), ("posts_additional_data", 12), ("posts_images", 6), ("sqlite_sequence", 4)] {
        assert_eq!(count(&mut engine, "data", table), rows, "{table}");
    }
    let multiline = query(&mut engine, "data", "SELECT count(*) FROM posts WHERE text LIKE '%' || char(10) || '%;%'");
    assert_ne!(multiline[0][0], Cell::Integer(0), "literal newlines and ; inside strings kept");

    let mut engine = Engine::new(engine::native_clock);
    let outcome = import(&mut engine, "sql/sqlite-sakila-schema.sql", Format::SqlScript, 333);
    let schema = outcome.schema;
    assert_eq!(schema.tables.iter().filter(|t| !t.hidden).count(), 16);
    assert_eq!(schema.views.len(), 5);
    let triggers = query(&mut engine, "data", "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'");
    assert_eq!(triggers[0][0], Cell::Integer(30));
}

#[test]
fn dumps_with_bom_crlf_and_a_broken_statement() {
    let mut engine = Engine::new(engine::native_clock);
    let script = "\u{feff}PRAGMA foreign_keys=OFF;\r\nBEGIN TRANSACTION;\r\nCREATE TABLE t(a);\r\nINSERT INTO t VALUES('x;\r\ny');\r\nINSERT INTO t VALUES(2);\r\nINSERT INTO t VALUE(3);\r\nCOMMIT;\r\n";
    let err = import_bytes(&mut engine, "dump.sql", Format::SqlScript, DelimitedOptions::default(), script.as_bytes(), 9).unwrap_err();
    assert_eq!(err.message(), "near \"VALUE\": syntax error\nINSERT INTO t VALUE(3);");
    let byte = script.trim_start_matches('\u{feff}').find("INSERT INTO t VALUE(3)").unwrap() as u64;
    assert_eq!(err.position(), Some(Position { unit: PositionUnit::Statement, number: 6, line: 7, byte }));
    assert_eq!(err.to_string(), format!("statement 6 (line 7): {}", err.message()));
    assert_eq!(count(&mut engine, "data", "t"), 2, "what loaded before the error stays");
    assert_eq!(query(&mut engine, "data", "SELECT a FROM t LIMIT 1")[0][0], Cell::Text("x;\r\ny".into()));
}

#[test]
fn json_shapes() {
    let cases: [(&str, &str, &str); 5] = [
        (
            "list.json",
            r#"[{"id": 1, "name": "a", "tags": ["x", "y"]}, {"id": 2, "score": 2.5, "ok": true}]"#,
            "id:INTEGER name:TEXT tags:TEXT score:REAL ok:INTEGER | 1,a,[\"x\",\"y\"],NULL,NULL | 2,NULL,NULL,2.5,1",
        ),
        ("lines.ndjson", "{\"a\": 1}\n{\"a\": 2, \"b\": {\"c\": null}}\n", "a:INTEGER b:TEXT | 1,NULL | 2,{\"c\":null}"),
        ("keyed.json", r#"{"k1": {"v": 1}, "k2": {"v": 2.0}}"#, "_key:TEXT v:REAL | k1,1.0 | k2,2.0"),
        ("wrapped.json", r#"{"count": 2, "rows": [{"x": "1"}, {"x": "2"}]}"#, "x:TEXT | 1 | 2"),
        ("one.json", r#"{"title": "only", "n": 3}"#, "title:TEXT n:INTEGER | only,3"),
    ];
    for (name, text, expected) in cases {
        let mut engine = Engine::new(engine::native_clock);
        let outcome = import_bytes(&mut engine, name, Format::Json, DelimitedOptions::default(), text.as_bytes(), 7).unwrap();
        assert_eq!(summary(&mut engine, &outcome), expected, "{name}");
    }
    let mut engine = Engine::new(engine::native_clock);
    let err = import_bytes(&mut engine, "bad.json", Format::Json, DelimitedOptions::default(), b"[{\"a\": 1},", 100).unwrap_err();
    assert!(err.message().contains("ends before its last value is complete"), "{err}");
    let err =
        import_bytes(&mut engine, "bad.json", Format::Json, DelimitedOptions::default(), b"[{\"a\": 1}, {\"a\": tru}]", 5).unwrap_err();
    assert!(err.message().contains("not valid"), "{err}");
    let err =
        import_bytes(&mut engine, "page.csv", Format::Delimited, DelimitedOptions::default(), b"<!DOCTYPE html><p>hi", 100).unwrap_err();
    assert!(err.message().contains("HTML page"), "{err}");
}

#[test]
fn csv_and_sqlite_files_live_side_by_side() {
    let (mut engine, chinook) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    import(&mut engine, "csv/congress-terms.csv", Format::Delimited, 65536);
    import(&mut engine, "csv/congress-terms.csv", Format::Delimited, 65536);
    assert_eq!(engine.names(), [chinook.as_str(), "data"]);
    let tables = query(&mut engine, "data", "SELECT group_concat(name) FROM sqlite_schema WHERE type = 'table'");
    assert_eq!(tables[0][0], Cell::Text("congress-terms,congress-terms_1".into()));
}

#[test]
fn import_errors_say_which_record_or_value_and_where() {
    // JSON: the third item of the list, on line 4, is not valid.
    let json = "[\n{\"a\": 1},\n{\"a\": 2},\n{\"a\": tru}\n]";
    let mut engine = Engine::new(engine::native_clock);
    let err = import_bytes(&mut engine, "x.json", Format::Json, DelimitedOptions::default(), json.as_bytes(), 5).unwrap_err();
    let byte = json.find("{\"a\": tru").unwrap() as u64;
    assert_eq!(err.position(), Some(Position { unit: PositionUnit::Value, number: 3, line: 4, byte }), "{err}");
    // CSV: the fourth record (the header is the first) is too wide.
    let wide = vec!["x"; engine::import::MAX_COLUMNS + 1].join(",");
    let csv = format!("a,b\n1,2\n3,4\n{wide}\n5,6\n");
    let mut engine = Engine::new(engine::native_clock);
    let err = import_bytes(&mut engine, "x.csv", Format::Delimited, DelimitedOptions::default(), csv.as_bytes(), 7).unwrap_err();
    let byte = csv.find(&wide).unwrap() as u64;
    assert_eq!(err.position(), Some(Position { unit: PositionUnit::Record, number: 4, line: 4, byte }), "{err}");
}
