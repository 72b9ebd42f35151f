//! The fixed corpus `make test` runs: the first few hundred inputs of each
//! fuzz target from a fixed seed (`make fuzz` runs millions), and the
//! linear-time checks.

use std::path::PathBuf;
use std::time::Duration;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn corpus(target: &'static str, count: u64) {
    match fuzz::run(target, 2026, count, Duration::from_secs(10), &data()) {
        Ok(report) => assert_eq!(report.inputs, count),
        Err(failure) => panic!("{}: {}\ninput: {}", failure.target, failure.problem, failure.input),
    }
}

#[test]
fn csv_inputs_never_panic() {
    corpus("csv", 400);
}

#[test]
fn json_inputs_never_panic() {
    corpus("json", 400);
}

#[test]
fn sql_scripts_never_panic() {
    corpus("sql", 400);
}

#[test]
fn table_page_requests_never_panic() {
    corpus("table_pages", 400);
}

#[test]
fn charts_of_any_spec_never_panic() {
    corpus("charts", 400);
}

#[test]
fn damaged_parquet_files_never_panic() {
    corpus("parquet", 400);
}

#[test]
fn urls_and_cursors_never_panic() {
    corpus("urls", 2000);
}

#[test]
fn metadata_never_panics() {
    corpus("metadata", 400);
}

#[test]
fn damaged_databases_never_panic() {
    corpus("databases", 300);
}

#[test]
fn every_parser_takes_linear_time() {
    for (name, format, make) in fuzz::scaling_inputs() {
        let (small, large) = fuzz::scaling(format, 20_000, make);
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
        // Linear is about 10; quadratic would be about 100. The slack is
        // for a busy machine and for fixed costs at the small size.
        assert!(ratio < 25.0 || large < Duration::from_millis(50), "{name}: {small:?} at 20 KB, {large:?} at 200 KB (x{ratio:.1})");
    }
}
