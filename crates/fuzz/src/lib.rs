//! Inputs made to break the engine: random and malformed CSV, JSON, SQL
//! scripts, table-page requests (filters, sorts, searches, cursors), URLs
//! and metadata, and database files cut short, with flipped bytes and
//! absurd headers, plus valid but hostile databases. Property-test style,
//! on stable Rust: a seeded generator, every input run through the engine,
//! and the properties checked are "`Ok` or a clear error, never a panic"
//! and "within the time budget". `make fuzz` runs millions (`src/main.rs`);
//! `tests/corpus.rs` runs a fixed few hundred of each in `make test`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use engine::import::{DelimitedOptions, Format};
use engine::Engine;
use protocol::{
    Aggregate, ChartKind, ChartRequest, ChartSpec, Cursor, FacetKind, FacetRequest, Filter, QueryRequest, RowRequest, Search, SortBy,
    SummarySource, TablePageRequest,
};

pub mod generate;

use generate::Rng;

/// What a run of one target found.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: &'static str,
    pub inputs: u64,
    /// Inputs that gave an error (as they may: most are malformed).
    pub errors: u64,
    pub slowest: Duration,
    /// A short description of the slowest input.
    pub slowest_input: String,
}

/// An input that broke a property.
#[derive(Debug, Clone)]
pub struct Failure {
    pub target: &'static str,
    pub input: String,
    pub problem: String,
}

/// Every target by name, in the order `make fuzz` runs them.
pub const TARGETS: &[&str] = &["csv", "json", "sql", "table_pages", "charts", "urls", "metadata", "databases", "parquet"];

/// Runs `count` inputs of `target` from `seed`; fails at the first input
/// that panics or takes longer than `budget`.
pub fn run(target: &'static str, seed: u64, count: u64, budget: Duration, data: &Path) -> Result<Report, Failure> {
    let mut rng = Rng::new(seed ^ hash(target));
    let mut report = Report { target, inputs: 0, errors: 0, slowest: Duration::ZERO, slowest_input: String::new() };
    let mut pages = PageTarget::new();
    let seeds = generate::database_seeds(data);
    let parquet_seeds = if target == "parquet" { generate::parquet_seeds() } else { Vec::new() };
    for _ in 0..count {
        let (input, outcome, elapsed) = match target {
            "csv" => timed(generate::csv(&mut rng), csv_both_ways),
            "json" => timed(generate::json(&mut rng), |bytes| import(bytes, Format::Json, &mut Rng::new(bytes.len() as u64))),
            "sql" => timed(generate::sql_script(&mut rng), |bytes| import(bytes, Format::SqlScript, &mut Rng::new(bytes.len() as u64))),
            "table_pages" => {
                let request = pages.request(&mut rng);
                let shown = format!("{request:?}");
                let (_, outcome, elapsed) = timed(Vec::new(), |_| pages.run(&request));
                (shown.into_bytes(), outcome, elapsed)
            }
            "charts" => {
                let request = pages.request(&mut rng);
                let spec = pages.chart_spec(&mut rng);
                let shown = format!("{spec:?} of {request:?}");
                let (_, outcome, elapsed) = timed(Vec::new(), |_| pages.chart(request, spec));
                (shown.into_bytes(), outcome, elapsed)
            }
            "urls" => timed(generate::url(&mut rng).into_bytes(), |bytes| {
                let text = String::from_utf8_lossy(bytes);
                let _ = engine::source::rewrite_url(&text);
                let _ = engine::source::name_from_source(&text);
                let _ = Cursor::from_url_text(&text);
                Ok(())
            }),
            "metadata" => timed(generate::metadata(&mut rng), |bytes| engine::metadata::parse(bytes).map(|_| ())),
            "databases" => timed(generate::database(&mut rng, &seeds), explore_database),
            "parquet" => timed(generate::parquet(&mut rng, &parquet_seeds), |bytes| {
                parquet_json::to_ndjson(bytes.to_vec()).map(|_| ()).map_err(|m| engine::Error::new(engine::ErrorKind::BadRequest, m))
            }),
            other => panic!("no fuzz target {other:?}"),
        };
        report.inputs += 1;
        let shown = describe(&input);
        match outcome {
            Err(problem) => return Err(Failure { target, input: shown, problem }),
            Ok(false) => report.errors += 1,
            Ok(true) => {}
        }
        if elapsed > budget {
            return Err(Failure { target, input: shown, problem: format!("took {elapsed:?}, over the {budget:?} budget") });
        }
        if elapsed > report.slowest {
            report.slowest = elapsed;
            report.slowest_input = shown;
        }
    }
    Ok(report)
}

/// Runs `work` on `input`, catching a panic: `Ok(true)` for `Ok`,
/// `Ok(false)` for an error, `Err` for a panic.
fn timed(input: Vec<u8>, work: impl FnOnce(&[u8]) -> engine::Result<()>) -> (Vec<u8>, Result<bool, String>, Duration) {
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| work(&input)));
    let elapsed = started.elapsed();
    let outcome = match outcome {
        Ok(Ok(())) => Ok(true),
        Ok(Err(e)) if e.message().trim().is_empty() => Err("an error without a message".to_string()),
        Ok(Err(_)) => Ok(false),
        Err(panic) => Err(format!(
            "panicked: {}",
            panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
        )),
    };
    (input, outcome, elapsed)
}

/// Imports `bytes` pushed in random chunk sizes, as the worker would.
pub fn import(bytes: &[u8], format: Format, rng: &mut Rng) -> engine::Result<()> {
    let mut engine = Engine::new(engine::native_clock);
    let mut import = engine.begin_import("fuzz.input", format, DelimitedOptions::default())?;
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = (1 + rng.below(rest.len().min(70_000) as u64) as usize).min(rest.len());
        if let Err(e) = engine.push_import(&mut import, &rest[..n]) {
            engine.abort_import(import);
            return Err(e);
        }
        rest = &rest[n..];
    }
    let outcome = engine.finish_import(import)?;
    // What was made can be read back.
    if let Some(table) = outcome.table {
        engine.table_page(&page("data", &table))?;
    }
    Ok(())
}

/// A CSV imported directly and through batches (the browser's two
/// threads, `engine::import::CsvBatches`): both must agree, on the rows or
/// on the error (a disagreement panics, which the fuzzer reports).
pub fn csv_both_ways(bytes: &[u8]) -> engine::Result<()> {
    let direct = import(bytes, Format::Delimited, &mut Rng::new(bytes.len() as u64));
    let batched = import_batched(bytes, &mut Rng::new(bytes.len() as u64 + 1));
    match (&direct, &batched) {
        (Ok(()), Ok(())) => {}
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "the direct and batched imports fail differently"),
        _ => panic!("the direct import gave {direct:?}, the batched one {batched:?}"),
    }
    direct
}

/// `import` of a CSV parsed into batches and inserted from them.
pub fn import_batched(bytes: &[u8], rng: &mut Rng) -> engine::Result<()> {
    let mut engine = Engine::new(engine::native_clock);
    let mut parser = engine::import::CsvBatches::new(DelimitedOptions::default());
    let mut import = engine.begin_batch_import("fuzz.input")?;
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = (1 + rng.below(rest.len().min(70_000) as u64) as usize).min(rest.len());
        if let Err(e) = parser.push(&rest[..n]).and_then(|batch| engine.push_import(&mut import, &batch)) {
            engine.abort_import(import);
            return Err(e);
        }
        rest = &rest[n..];
    }
    let ended = parser.finish().and_then(|(batch, warnings)| {
        engine.push_import(&mut import, &batch)?;
        import.add_warnings(warnings);
        Ok(())
    });
    if let Err(e) = ended {
        engine.abort_import(import);
        return Err(e);
    }
    let outcome = engine.finish_import(import)?;
    if let Some(table) = outcome.table {
        engine.table_page(&page("data", &table))?;
    }
    Ok(())
}

/// Opens a database file and walks it as a user would: the first page of
/// each table and view, a row page, suggested facets, a query.
pub fn explore_database(bytes: &[u8]) -> engine::Result<()> {
    let mut engine = Engine::new(engine::native_clock);
    let name = engine.reserve_name("fuzz.db");
    let schema = engine.open(&name, "fuzz.db", bytes)?;
    let names: Vec<String> =
        schema.tables.iter().map(|t| t.name.clone()).chain(schema.views.iter().map(|v| v.name.clone())).take(6).collect();
    for table in names {
        let mut req = page(&name, &table);
        req.page_size = 20;
        if let Ok(first) = engine.table_page(&req) {
            if let Some(key) = first.row_keys.first() {
                let _ = engine.row(&RowRequest { db: name.clone(), table: table.clone(), key: key.clone() });
            }
        }
        let _ = engine.suggest_facets(&req);
        let chart = ChartRequest { source: SummarySource::Table(req), spec: ChartSpec::default(), width: 800 };
        if let Ok(data) = engine.chart(&chart) {
            chart_svg::render(&data, 640.0, 320.0);
        }
    }
    let sql = "SELECT name, type FROM sqlite_schema LIMIT 50";
    engine.query(&QueryRequest { db: name, sql: sql.into(), params: vec![], time_limit_ms: 1000, max_rows: 100, allow_writes: false })?;
    Ok(())
}

fn page(db: &str, table: &str) -> TablePageRequest {
    TablePageRequest {
        db: db.into(),
        table: table.into(),
        sort: None,
        after: None,
        page_size: 100,
        time_limit_ms: 1000,
        filters: vec![],
        search: None,
        facets: vec![],
        hidden: vec![],
        suggest_facets: false,
        wheres: vec![],
        shown: vec![],
        facet_size: protocol::DEFAULT_FACET_SIZE,
    }
}

/// Table-page requests with random filters, sorts, searches, facets and
/// cursors against one database with awkward names and an FTS index.
struct PageTarget {
    engine: Engine,
    columns: Vec<String>,
}

impl PageTarget {
    fn new() -> PageTarget {
        let mut conn = rusqlite::Connection::open_in_memory().expect("an in-memory database");
        conn.execute_batch(
            "CREATE TABLE \"t ?\"(id INTEGER PRIMARY KEY, \"a?b\" TEXT, n REAL, tags TEXT, d TEXT, \"_sort\" TEXT);
             WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r LIMIT 300)
             INSERT INTO \"t ?\" SELECT i, 'v' || (i % 7) || ' text ' || i, i / 3.0, json_array('x' || (i % 4), 'y'), date('2020-01-01', '+' || i || ' days'), NULL FROM r;
             CREATE VIRTUAL TABLE f USING fts5(\"a?b\", content='t ?', content_rowid='id');
             INSERT INTO f(f) VALUES ('rebuild');
             CREATE VIEW v AS SELECT * FROM \"t ?\" WHERE id % 2 = 0;",
        )
        .expect("the fixture database");
        let bytes = conn.serialize(rusqlite::MAIN_DB).expect("serialized").to_vec();
        let mut engine = Engine::new(engine::native_clock);
        let name = engine.reserve_name("pages.db");
        engine.open(&name, "pages.db", &bytes).expect("opens");
        let columns = ["id", "a?b", "n", "tags", "d", "_sort", "rowid", "missing", ""].map(String::from).to_vec();
        PageTarget { engine, columns }
    }

    fn request(&self, rng: &mut Rng) -> TablePageRequest {
        let table = *rng.pick(&["t ?", "v", "f", "nope"]);
        let mut req = page("pages", table);
        req.page_size = *rng.pick(&[0, 1, 7, 100, 1000, 1001]);
        let column = |rng: &mut Rng| if rng.chance(0.8) { rng.pick(&self.columns).clone() } else { generate::text(rng, 12) };
        for _ in 0..rng.below(4) {
            let op = *rng.pick(&protocol::FilterOp::ALL);
            let value = if rng.chance(0.5) {
                generate::text(rng, 20)
            } else {
                rng.pick(&["1", "v3", "[\"x1\"]", "2020-02-01", "1,2,3", "%", "'", "\""]).to_string()
            };
            req.filters.push(Filter { column: column(rng), op, value });
        }
        if rng.chance(0.5) {
            req.sort = Some(SortBy { column: column(rng), descending: rng.chance(0.5) });
        }
        if rng.chance(0.3) {
            req.search = Some(Search { query: generate::text(rng, 15), raw: rng.chance(0.5) });
        }
        for _ in 0..rng.below(3) {
            let kind = *rng.pick(&[FacetKind::Column, FacetKind::Array, FacetKind::Date]);
            req.facets.push(FacetRequest { column: column(rng), kind });
        }
        if rng.chance(0.3) {
            req.hidden.push(column(rng));
        }
        if rng.chance(0.4) {
            req.after = Cursor::from_url_text(&generate::cursor_text(rng));
        }
        req.suggest_facets = rng.chance(0.2);
        req
    }

    fn run(&mut self, req: &TablePageRequest) -> engine::Result<()> {
        self.engine.table_page(req).map(|_| ())
    }

    /// Any kind, columns that exist or not, any aggregation and colour.
    fn chart_spec(&self, rng: &mut Rng) -> ChartSpec {
        let column = |rng: &mut Rng| {
            rng.chance(0.7).then(|| if rng.chance(0.9) { rng.pick(&self.columns).clone() } else { generate::text(rng, 12) })
        };
        ChartSpec {
            kind: rng.chance(0.8).then(|| *rng.pick(&ChartKind::ALL)),
            x: column(rng),
            y: column(rng),
            color: if rng.chance(0.3) { column(rng) } else { None },
            agg: rng.chance(0.5).then(|| *rng.pick(&Aggregate::ALL)),
        }
    }

    /// Charts the view and draws it; the drawing must be well-formed.
    fn chart(&mut self, req: TablePageRequest, spec: ChartSpec) -> engine::Result<()> {
        let width = 100 + (req.page_size % 2000);
        let data = self.engine.chart(&ChartRequest { source: SummarySource::Table(req), spec, width })?;
        let svg = chart_svg::render(&data, width as f64, width as f64 / 2.0);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "a whole SVG document");
        Ok(())
    }
}

/// How long `make_input(size)` takes to import at `size` and at ten times
/// it, best of three: the ratio says whether the parser is linear.
pub fn scaling(format: Format, size: usize, make_input: impl Fn(usize) -> Vec<u8>) -> (Duration, Duration) {
    let best = |bytes: &[u8]| {
        (0..3)
            .map(|_| {
                let started = Instant::now();
                let _ = import(bytes, format, &mut Rng::new(7));
                started.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    (best(&make_input(size)), best(&make_input(size * 10)))
}

/// A parser's name, its format, and a maker of inputs of a given size.
pub type ScalingInput = (&'static str, Format, fn(usize) -> Vec<u8>);

/// The inputs `scaling` is measured on: each parser's worst known shape
/// (repeated header names, many distinct JSON keys, a trigger body).
pub fn scaling_inputs() -> Vec<ScalingInput> {
    vec![
        ("csv rows", Format::Delimited, |n| {
            let mut s = String::from("id,name,\"quoted, text\"\n");
            while s.len() < n {
                s += &format!("{},\"name {}\",\"a \"\"b\"\", c\"\n", s.len(), s.len() % 97);
            }
            s.into_bytes()
        }),
        ("csv header of one name", Format::Delimited, |n| {
            let count = (n / 100).min(1_999);
            format!("{}\n", vec!["name"; count].join(",")).into_bytes()
        }),
        ("json objects", Format::Json, |n| {
            let mut s = String::from("[");
            while s.len() < n {
                s += &format!("{{\"id\": {}, \"name\": \"n{}\", \"tags\": [1, 2]}},", s.len(), s.len() % 13);
            }
            s.pop();
            s += "]";
            s.into_bytes()
        }),
        ("sql trigger body", Format::SqlScript, |n| {
            let mut s = String::from("CREATE TABLE t(a);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n");
            while s.len() < n {
                s += "UPDATE t SET a = a + 1 WHERE a = ';';\n";
            }
            s += "END;\n";
            s.into_bytes()
        }),
    ]
}

fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
}

/// An input as a short printable description.
fn describe(input: &[u8]) -> String {
    let head: String =
        String::from_utf8_lossy(&input[..input.len().min(120)]).chars().map(|c| if c.is_control() { '·' } else { c }).collect();
    format!("{} bytes: {head}", input.len())
}
