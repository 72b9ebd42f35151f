//! Parquet files written by pyarrow (tests/fixtures/parquet, made by
//! tools/make-parquet-fixtures.py) in every compression: the same rows
//! come out of each, typed as SQLite will hold them after the engine's
//! JSON import; files that are not Parquet, or are cut short, say so.

use std::path::PathBuf;

use expect_test::expect;
use protocol::{Cell, QueryRequest};

const CODECS: [&str; 6] = ["none", "snappy", "gzip", "zstd", "lz4", "brotli"];

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/parquet").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ndjson(name: &str) -> String {
    let chunks = parquet_json::to_ndjson(fixture(name)).unwrap();
    assert_eq!(chunks.len(), 3, "five rows in row groups of two");
    String::from_utf8(chunks.concat()).unwrap()
}

#[test]
fn every_compression_gives_the_same_rows() {
    let rows = ndjson("types-none.parquet");
    expect![[r#"
        {"id":1,"small":-128,"big_unsigned":0,"name":"Ada","score":1.5,"ratio":0.5,"flag":true,"day":"2024-02-29","at":"2024-02-29 13:45:30.123","clock":"12:34:56","price":19.99,"exact":"12345678901234567890.1234","blob":"00ff","tags":["a","b"],"point":{"x":1,"y":2},"attrs":{"k":1}}
        {"id":2,"small":0,"big_unsigned":"9223372036854775813","name":"Grace, \"Amazing\"","score":-0.25,"ratio":null,"flag":false,"day":"1969-12-31","at":null,"clock":null,"price":-0.05,"exact":null,"blob":null,"tags":[],"point":null,"attrs":null}
        {"id":3,"small":127,"big_unsigned":7,"name":null,"score":null,"ratio":2.25,"flag":null,"day":null,"at":"1999-12-31 23:59:59","clock":"00:00:00.25","price":null,"exact":-1.0,"blob":"616263","tags":null,"point":{"x":-3,"y":null},"attrs":{"a":2,"b":3}}
        {"id":4,"small":null,"big_unsigned":null,"name":"Ünïcödé ✓","score":1e+300,"ratio":1.0,"flag":true,"day":"2000-01-01","at":"1970-01-01 00:00:00","clock":"23:59:59","price":100.0,"exact":0.0001,"blob":"","tags":["c"],"point":{"x":0,"y":0},"attrs":{}}
        {"id":5,"small":1,"big_unsigned":1,"name":"","score":3.0,"ratio":-1.0,"flag":false,"day":"1970-01-01","at":"2030-06-01 00:00:00.5","clock":"01:02:03","price":0.0,"exact":1.0,"blob":"10","tags":["d",null],"point":{"x":5,"y":6},"attrs":{"z":null}}
    "#]]
    .assert_eq(&rows);
    for codec in CODECS {
        assert_eq!(ndjson(&format!("types-{codec}.parquet")), rows, "{codec}");
    }
}

#[test]
fn imported_columns_have_sqlite_types_and_keep_every_digit() {
    let mut engine = engine::Engine::new(engine::native_clock);
    let mut import = engine.begin_import("types-zstd.parquet", engine::import::Format::Json, Default::default()).unwrap();
    for chunk in parquet_json::to_ndjson(fixture("types-zstd.parquet")).unwrap() {
        engine.push_import(&mut import, &chunk).unwrap();
    }
    let table = engine.finish_import(import).unwrap().table.unwrap();
    assert_eq!(table, "types-zstd");
    let sql = "SELECT typeof(id), typeof(name), typeof(score), typeof(flag), flag, day, typeof(price), price, exact, tags, point \
               FROM \"types-zstd\" WHERE id = 1";
    let query = QueryRequest { db: "data".into(), sql: sql.into(), params: vec![], time_limit_ms: 1000, max_rows: 10, allow_writes: false };
    let row = engine.query(&query).unwrap().rows.remove(0);
    let shown: Vec<String> = row.iter().map(Cell::display).collect();
    expect![[r#"["integer", "text", "real", "integer", "1", "2024-02-29", "real", "19.99", "12345678901234567890.1234", "[\"a\",\"b\"]", "{\"x\":1,\"y\":2}"]"#]]
        .assert_eq(&format!("{shown:?}"));
}

#[test]
fn a_file_the_parquet_crate_panics_on_is_an_error() {
    // One byte of types-snappy's footer set to 1, found by flipping bytes:
    // the crate asserts on it. Natively caught; in the browser (where the
    // module traps) the worker loader says the same.
    let error = parquet_json::to_ndjson(fixture("reader-panics.parquet")).unwrap_err();
    assert_eq!(error, "The Parquet reader failed on this file (it may be damaged, or use a feature the reader lacks).");
}

#[test]
fn a_footer_pointing_outside_the_file_is_an_error_not_a_panic() {
    // Found by `make fuzz` (two flipped bytes in types-lz4's footer); the
    // crate asserted on it before row groups' ranges were checked here.
    let error = parquet_json::to_ndjson(fixture("damaged-footer.parquet")).unwrap_err();
    assert_eq!(error, "This Parquet file could not be read: row group 3 says its columns lie outside the file.");
}

#[test]
fn a_row_group_is_handed_out_in_chunks_of_bounded_size() {
    // A row group of a million rows must not become one text of hundreds
    // of megabytes: with chunks of about one byte, every row is a chunk.
    let whole = fixture("types-gzip.parquet");
    let chunks = parquet_json::read_pieces(&whole, 1).unwrap();
    assert_eq!(chunks.len(), 5);
    assert_eq!(chunks.concat(), parquet_json::to_ndjson(whole).unwrap().concat());
}

#[test]
fn a_row_group_given_the_wrong_bytes_is_an_error() {
    let whole = fixture("types-none.parquet");
    let len = whole.len();
    let footer = parquet_json::ParquetRows::footer_length(&whole[..8], &whole[len - 8..], len as f64).unwrap() as usize;
    let mut rows = parquet_json::ParquetRows::new(len as f64, whole[len - footer..].to_vec()).unwrap();
    assert_eq!(rows.groups(), 3);
    let error = rows.start_group(0, vec![0; 3]).unwrap_err();
    assert!(error.starts_with("Row group 1 came with 3 bytes, not the "), "{error}");
    let (start, end) = (rows.group_start(1) as usize, rows.group_end(1) as usize);
    let mut scrambled = whole[start..end].to_vec();
    scrambled.reverse();
    assert!(rows.start_group(1, scrambled).and_then(|()| rows.next_chunk()).is_err());
}

#[test]
fn what_is_not_parquet_or_is_cut_short_says_so() {
    let whole = fixture("types-snappy.parquet");
    let errors = [
        b"id,name\n1,Ada\n".to_vec(),
        b"<!doctype html><html>".to_vec(),
        Vec::new(),
        whole[..whole.len() / 2].to_vec(),
        // The footer's length pointing past the start.
        [b"PAR1".as_slice(), &[0; 8], &u32::MAX.to_le_bytes(), b"PAR1"].concat(),
    ]
    .map(|bytes| parquet_json::to_ndjson(bytes).err().unwrap_or_else(|| "read".into()));
    expect![[r#"
        This is not a Parquet file: it looks like text, CSV perhaps.
        This is not a Parquet file: it is a web page.
        This is not a Parquet file: it is empty.
        This Parquet file is cut short: it lacks its footer (the download stopped early, or the file is damaged).
        This Parquet file could not be read: its footer claims 4294967295 bytes, more than the file holds (20 bytes)."#]]
    .assert_eq(&errors.join("\n"));
}
