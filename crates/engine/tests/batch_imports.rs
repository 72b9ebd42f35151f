//! A delimited file parsed into batches (`CsvBatches`, as the worker's
//! parser thread does) and inserted from them (`begin_batch_import`) makes
//! exactly the table a direct import makes: names, declared types, every
//! value with its storage class, warnings, and the same errors with the
//! same positions. Run over every real CSV here, csv-spectrum, and the
//! awkward shapes (long rows, BOM lines, bad bytes, wrong encodings).

mod common;

use engine::import::{CsvBatches, DelimitedOptions, Format};
use engine::Engine;
use protocol::QueryRequest;

/// The table's CREATE statement and all its rows with storage classes;
/// or the error; plus the warnings.
fn direct(name: &str, bytes: &[u8], chunk: usize) -> String {
    let mut engine = Engine::new(engine::native_clock);
    let outcome = (|| {
        let mut import = engine.begin_import(name, Format::Delimited, DelimitedOptions::default())?;
        for piece in bytes.chunks(chunk) {
            if let Err(e) = engine.push_import(&mut import, piece) {
                engine.abort_import(import);
                return Err(e);
            }
        }
        engine.finish_import(import)
    })();
    describe(&mut engine, outcome)
}

fn batched(name: &str, bytes: &[u8], chunk: usize) -> String {
    let mut engine = Engine::new(engine::native_clock);
    let outcome = (|| {
        let mut parser = CsvBatches::new(DelimitedOptions::default());
        let mut import = engine.begin_batch_import(name)?;
        for piece in bytes.chunks(chunk) {
            let pushed = parser.push(piece).and_then(|batch| engine.push_import(&mut import, &batch));
            if let Err(e) = pushed {
                engine.abort_import(import);
                return Err(e);
            }
        }
        let finished = parser.finish().and_then(|(batch, warnings)| {
            engine.push_import(&mut import, &batch)?;
            import.add_warnings(warnings);
            Ok(())
        });
        if let Err(e) = finished {
            engine.abort_import(import);
            return Err(e);
        }
        engine.finish_import(import)
    })();
    describe(&mut engine, outcome)
}

fn describe(engine: &mut Engine, outcome: engine::Result<engine::ImportOutcome>) -> String {
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return format!("error: {e}"),
    };
    let table = outcome.table.unwrap();
    let mut query = |sql: String| {
        let request =
            QueryRequest { db: "data".into(), sql, params: vec![], time_limit_ms: 60_000, max_rows: 1_000_000, allow_writes: false };
        engine.query(&request).unwrap()
    };
    let create = query(format!("SELECT sql FROM sqlite_schema WHERE name = '{}'", table.replace('\'', "''")));
    let columns = query(format!("SELECT name FROM pragma_table_info('{}')", table.replace('\'', "''")));
    let typed: Vec<String> = columns
        .rows
        .iter()
        .map(|c| {
            let name = format!("\"{}\"", c[0].display().replace('"', "\"\""));
            format!("typeof({name}) || ':' || coalesce(quote({name}), '')")
        })
        .collect();
    let rows = query(format!("SELECT {} FROM \"{}\" ORDER BY rowid", typed.join(" || '|' || "), table.replace('"', "\"\"")));
    let mut text = format!("{}\n{} rows, warnings {:?}\n", create.rows[0][0].display(), outcome.count, outcome.warnings);
    for row in rows.rows {
        text.push_str(&row[0].display());
        text.push('\n');
    }
    text
}

fn same_both_ways(name: &str, bytes: &[u8]) {
    for chunk in [bytes.len().max(1), 64 * 1024, 997] {
        let expected = direct(name, bytes, chunk);
        let got = batched(name, bytes, chunk);
        assert!(
            expected == got,
            "{name} in chunks of {chunk}:\n--- direct\n{}\n--- batched\n{}",
            &expected[..expected.len().min(2000)],
            &got[..got.len().min(2000)]
        );
    }
}

#[test]
fn every_real_csv_makes_the_same_table_batched() {
    let mut seen = 0;
    for dir in ["csv", "csv-spectrum/csvs"] {
        for entry in std::fs::read_dir(common::shared_data(dir)).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if bytes.len() > 4_000_000 {
                continue; // the 36 MB file: the bench's
            }
            let name = path.file_name().unwrap().to_str().unwrap();
            same_both_ways(name, &bytes);
            if !direct(name, &bytes, 64 * 1024).starts_with("error") {
                seen += 1;
            }
        }
    }
    assert!(seen > 15, "{seen} files imported");
}

#[test]
fn awkward_shapes_make_the_same_table_or_error_batched() {
    let cases: [(&str, &[u8]); 9] = [
        ("long-rows.csv", b"a,b\n1,2\n3,4,5,6\n7\n8,9,10\n"),
        ("bom-lines.csv", b"\xef\xbb\xbfid,name\n1,x\n\xef\xbb\xbf\n2,y\n"),
        ("bad-bytes.csv", b"id,name\n1,caf\xe9\n2,ok\n"),
        ("numbers.csv", b"i,r,t\n1,1.5,007\n-2,1.50,x\n,2e3,\n9223372036854775808,0.1,1\n"),
        ("empty.csv", b""),
        ("header-only.csv", b"a,b,a,,A\n"),
        ("quoted.csv", b"a,b\n\"x, \"\"y\"\"\nz\",2\n\"\",\"\"\n"),
        ("crlf.csv", b"a;b\r\n1;2\r\n3;4\r\n"),
        ("too-wide.csv", &[b"a\n1,".as_slice(), &b",".repeat(2100), b"\n"].concat()),
    ];
    for (name, bytes) in cases {
        same_both_ways(name, bytes);
    }
    assert!(direct("too-wide.csv", cases[8].1, 1000).starts_with("error: "), "a row past 2,000 columns is an error");
}

#[test]
fn a_damaged_batch_is_an_error_not_a_panic() {
    let mut parser = CsvBatches::new(DelimitedOptions::default());
    let mut batch = parser.push(b"id,name,score\n1,Ada,1.5\n-300,\"B, b\",1.50\n").unwrap();
    batch.extend(parser.finish().unwrap().0);
    let mut damaged: Vec<Vec<u8>> = (0..batch.len()).map(|cut| batch[..cut].to_vec()).collect();
    for i in 0..batch.len() {
        for value in [0, 0x7f, 0x80, 0xff, b'H', b'R'] {
            let mut copy = batch.clone();
            copy[i] = value;
            damaged.push(copy);
        }
    }
    damaged.push(vec![b'R', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    for bytes in damaged {
        let mut engine = Engine::new(engine::native_clock);
        let mut import = engine.begin_batch_import("t.csv").unwrap();
        // Ok (a cut at an item's end, or a byte that still reads) or an
        // error: either way no panic, and the import can be finished or
        // aborted.
        match engine.push_import(&mut import, &bytes) {
            Ok(()) => drop(engine.finish_import(import)),
            Err(_) => engine.abort_import(import),
        }
    }
}
