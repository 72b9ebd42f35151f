//! Times a CSV import natively, phase by phase: a profiling aid for the
//! import path (the browser figures come from `make bench`).
//!
//!   cargo run --release -p engine --example import_timing -- FILE.csv

use engine::import::{DelimitedOptions, Format};
use engine::Engine;

fn main() {
    let path = std::env::args().nth(1).expect("usage: import_timing FILE.csv");
    let bytes = std::fs::read(&path).expect("readable file");
    let clock = engine::native_clock;
    let mut engine = Engine::new(clock);
    let started = clock();
    let mut import = engine.begin_import(&path, Format::Delimited, DelimitedOptions::default()).expect("begins");
    for chunk in bytes.chunks(64 * 1024) {
        engine.push_import(&mut import, chunk).expect("imports");
    }
    let pushed = clock();
    let outcome = engine.finish_import(import).expect("finishes");
    let finished = clock();
    let mb = bytes.len() as f64 / 1e6;
    println!(
        "{} rows, {:.1} MB: parse+insert {:.0} ms, finish {:.0} ms, total {:.0} ms ({:.1} MB/s)",
        outcome.count,
        mb,
        pushed - started,
        finished - pushed,
        finished - started,
        mb / ((finished - started) / 1000.0)
    );
}
