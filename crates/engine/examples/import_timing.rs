//! Times a CSV import natively, phase by phase: a profiling aid for the
//! import path (the browser figures come from `make bench`).
//!
//!   cargo run --release -p engine --example import_timing -- FILE.csv
//!
//! A `.sql` file is run as a script, and a `.json` or `.ndjson` file
//! imported, and timed whole. For CSV, prints the direct import (parse and insert on one thread), then the
//! two halves the browser runs on two threads: parsing into batches
//! (`CsvBatches`) and inserting those batches (`begin_batch_import`),
//! each timed alone.

use engine::import::{CsvBatches, DelimitedOptions, Format};
use engine::Engine;

const CHUNK: usize = 512 * 1024;

fn main() {
    let path = std::env::args().nth(1).expect("usage: import_timing FILE.csv [direct|parse|batches]");
    // One phase alone (for a profiler): the direct import, the parsing
    // half, or both halves.
    let only = std::env::args().nth(2).unwrap_or_default();
    let bytes = std::fs::read(&path).expect("readable file");
    let clock = engine::native_clock;
    let mb = bytes.len() as f64 / 1e6;
    let rate = |ms: f64| mb / (ms / 1000.0);

    let whole = if path.ends_with(".sql") {
        Some(Format::SqlScript)
    } else if path.ends_with(".json") || path.ends_with(".ndjson") {
        Some(Format::Json)
    } else {
        None
    };
    if let Some(format) = whole {
        // A script (compare `sqlite3 < FILE`) or JSON: its import whole.
        let mut engine = Engine::new(clock);
        let started = clock();
        let mut import = engine.begin_import(&path, format, DelimitedOptions::default()).expect("begins");
        for chunk in bytes.chunks(CHUNK) {
            engine.push_import(&mut import, chunk).expect("runs");
        }
        engine.finish_import(import).expect("finishes");
        let ms = clock() - started;
        println!("whole import: {mb:.1} MB in {ms:.0} ms ({:.1} MB/s)", rate(ms));
        return;
    }
    if only.is_empty() || only == "direct" {
        direct(&path, &bytes);
    }
    if only == "direct" {
        return;
    }
    let started = clock();
    let mut parser = CsvBatches::new(DelimitedOptions::default());
    let mut batches: Vec<Vec<u8>> = bytes.chunks(CHUNK).map(|chunk| parser.push(chunk).expect("parses")).collect();
    let (last, warnings) = parser.finish().expect("ends");
    batches.push(last);
    let parsed = clock();
    let batch_bytes: usize = batches.iter().map(Vec::len).sum();
    println!(
        "parse into batches: {:.0} ms ({:.1} MB/s), {:.1} MB of batches",
        parsed - started,
        rate(parsed - started),
        batch_bytes as f64 / 1e6
    );
    if only == "parse" {
        return;
    }

    let mut engine = Engine::new(clock);
    let started = clock();
    let mut import = engine.begin_batch_import(&path).expect("begins");
    for batch in &batches {
        engine.push_import(&mut import, batch).expect("inserts");
    }
    import.add_warnings(warnings);
    let pushed = clock();
    engine.finish_import(import).expect("finishes");
    let finished = clock();
    println!("insert batches: {:.0} ms, finish {:.0} ms ({:.1} MB/s)", pushed - started, finished - pushed, rate(finished - started));
}

fn direct(path: &str, bytes: &[u8]) {
    let clock = engine::native_clock;
    let mb = bytes.len() as f64 / 1e6;
    let rate = |ms: f64| mb / (ms / 1000.0);
    let mut engine = Engine::new(clock);
    let started = clock();
    let mut import = engine.begin_import(path, Format::Delimited, DelimitedOptions::default()).expect("begins");
    for chunk in bytes.chunks(CHUNK) {
        engine.push_import(&mut import, chunk).expect("imports");
    }
    let pushed = clock();
    let outcome = engine.finish_import(import).expect("finishes");
    let finished = clock();
    println!(
        "direct: {} rows, {mb:.1} MB: parse+insert {:.0} ms, finish {:.0} ms, total {:.0} ms ({:.1} MB/s)",
        outcome.count,
        pushed - started,
        finished - pushed,
        finished - started,
        rate(finished - started)
    );
}
