//! A dump's INSERTs of literals are bound rather than parsed by SQLite
//! (`import/dump_insert.rs`); the tables must come out exactly as when
//! SQLite runs the same script itself: every value with its storage class,
//! under every column affinity, and a failing multi-row INSERT leaves
//! nothing of itself.

mod common;

use engine::import::{DelimitedOptions, Format};
use engine::Engine;
use rusqlite::Connection;

/// Every table's rows as `quote()`d values with their types, in rowid order.
fn contents(conn: &Connection) -> String {
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.sort();
    let mut out = String::new();
    for table in tables {
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{}')", table.replace('\'', "''")))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let cells: Vec<String> =
            columns.iter().map(|c| format!("typeof(\"{c}\") || ' ' || quote(\"{c}\")", c = c.replace('"', "\"\""))).collect();
        let sql = format!("SELECT {} FROM \"{}\"", cells.join(" || ' | ' || "), table.replace('"', "\"\""));
        out.push_str(&format!("{table}\n"));
        let mut stmt = conn.prepare(&sql).unwrap();
        for row in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
            out.push_str(&row.unwrap());
            out.push('\n');
        }
    }
    out
}

/// The script imported by the engine (in chunks), then its database's
/// contents; and the error, if any.
fn imported(script: &[u8]) -> (String, Option<String>) {
    let mut engine = Engine::new(engine::native_clock);
    let mut import = engine.begin_import("dump.sql", Format::SqlScript, DelimitedOptions::default()).unwrap();
    let mut error = None;
    for chunk in script.chunks(4096) {
        if let Err(e) = engine.push_import(&mut import, chunk) {
            error = Some(e.message().to_string());
            break;
        }
    }
    match error {
        Some(_) => engine.abort_import(import),
        None => {
            if let Err(e) = engine.finish_import(import) {
                error = Some(e.message().to_string());
            }
        }
    }
    let image = engine.with_image("data", <[u8]>::to_vec).unwrap_or_default();
    let mut conn = Connection::open_in_memory().unwrap();
    if !image.is_empty() {
        conn.deserialize_read_exact(rusqlite::MAIN_DB, image.as_slice(), image.len(), false).unwrap();
    }
    (contents(&conn), error)
}

/// The same script run by SQLite statement by statement, stopping at the
/// first failure as the import does.
fn by_sqlite(script: &str) -> String {
    let conn = Connection::open_in_memory().unwrap();
    let mut rest = script;
    while !rest.trim().is_empty() {
        let end = (1..=rest.len())
            .find(|&i| rest.is_char_boundary(i) && rest[..i].ends_with(';') && rusqlite_complete(&rest[..i]))
            .unwrap_or(rest.len());
        if conn.execute_batch(&rest[..end]).is_err() {
            break;
        }
        rest = &rest[end..];
    }
    contents(&conn)
}

fn rusqlite_complete(sql: &str) -> bool {
    let c = std::ffi::CString::new(sql).unwrap();
    unsafe { rusqlite::ffi::sqlite3_complete(c.as_ptr()) != 0 }
}

const AFFINITIES: &str = "CREATE TABLE t(i INTEGER, r REAL, x TEXT, b BLOB, n NUMERIC, u);\n";

#[test]
fn literal_inserts_store_what_sqlite_would_under_every_affinity() {
    let literals = [
        "1",
        "-0",
        "2.5",
        "-1e300",
        "1e999",
        ".5",
        "1.",
        "'7'",
        "'1.50'",
        "'text'",
        "'it''s'",
        "X'00ff'",
        "x''",
        "NULL",
        "9223372036854775807",
        "-9223372036854775808",
        "0.1",
        "3e0",
        "'2024-01-01'",
        "''",
    ];
    let mut script = String::from("BEGIN TRANSACTION;\n");
    script.push_str(AFFINITIES);
    for literal in literals {
        script.push_str(&format!("INSERT INTO t VALUES({literal},{literal},{literal},{literal},{literal},{literal});\n"));
    }
    // Several rows in one statement, with a column list.
    script.push_str("INSERT INTO \"t\" (u, i) VALUES (1, '2'), ('3', 4.0), (NULL, X'01');\nCOMMIT;\n");
    let (got, error) = imported(script.as_bytes());
    assert_eq!(error, None);
    assert_eq!(got, by_sqlite(&script));
    assert!(got.lines().count() > literals.len(), "{got}");
}

#[test]
fn a_failing_multi_row_insert_leaves_nothing_of_itself() {
    let script = "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\
                  INSERT INTO t VALUES(1,'a');\n\
                  INSERT INTO t VALUES(2,'b'),(3,NULL),(4,'d');\n\
                  INSERT INTO t VALUES(5,'e');\n";
    let (got, error) = imported(script.as_bytes());
    assert_eq!(got, by_sqlite(script));
    assert_eq!(got, "t\ninteger 1 | text 'a'\n");
    let error = error.unwrap();
    assert!(error.contains("NOT NULL constraint failed: t.name"), "{error}");
}

#[test]
fn real_dumps_load_as_sqlite_loads_them() {
    for dump in ["sql/Chinook_Sqlite.sql", "sql/publii_dump_7caf0dc_literal-newlines.sql"] {
        let script = common::read_shared(dump);
        let (got, error) = imported(&script);
        assert_eq!(error, None, "{dump}");
        assert_eq!(got, by_sqlite(&String::from_utf8(script).unwrap()), "{dump}");
    }
}
