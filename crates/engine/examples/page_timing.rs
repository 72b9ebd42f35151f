//! Times a table page of an imported CSV natively, sorted by a column, and
//! the same sort as a plain query: a profiling aid for the table page.
//!
//!   cargo run --release -p engine --example page_timing -- FILE.csv COLUMN

use engine::import::{DelimitedOptions, Format};
use engine::Engine;
use protocol::{QueryRequest, SortBy, TablePageRequest};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: page_timing FILE.csv COLUMN");
    let column = args.next().expect("usage: page_timing FILE.csv COLUMN");
    let bytes = std::fs::read(&path).expect("readable file");
    let clock = engine::native_clock;
    let mut engine = Engine::new(clock);
    let mut import = engine.begin_import(&path, Format::Delimited, DelimitedOptions::default()).expect("begins");
    for chunk in bytes.chunks(64 * 1024) {
        engine.push_import(&mut import, chunk).expect("imports");
    }
    let outcome = engine.finish_import(import).expect("finishes");
    let (db, table) = (outcome.schema.name.clone(), outcome.table.expect("a table"));
    let request = TablePageRequest {
        db: db.clone(),
        table: table.clone(),
        sort: Some(SortBy { column: column.clone(), descending: false }),
        after: None,
        page_size: 100,
        time_limit_ms: 10_000,
        filters: vec![],
        search: None,
        facets: vec![],
        hidden: vec![],
        suggest_facets: false,
        wheres: vec![],
        shown: vec![],
        facet_size: protocol::DEFAULT_FACET_SIZE,
    };
    for _ in 0..3 {
        let started = clock();
        let page = engine.table_page(&request).expect("a page");
        let paged = clock();
        let sql = format!("SELECT * FROM {} ORDER BY {} LIMIT 101", engine::quote_ident(&table), engine::quote_ident(&column));
        let query = QueryRequest { db: db.clone(), sql, params: vec![], time_limit_ms: 10_000, max_rows: 1000, allow_writes: false };
        engine.query(&query).expect("a result");
        let queried = clock();
        let suggestions = engine.begin_suggest_facets(&request).expect("begins");
        let begun = clock();
        println!(
            "table page {:.0} ms ({} rows, total {:?}); the sort as a query {:.0} ms; starting suggestions {:.0} ms ({})",
            paged - started,
            page.rows.len(),
            page.total,
            queried - paged,
            begun - queried,
            suggestions.is_some()
        );
    }
}
