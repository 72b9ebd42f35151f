//! The CSV import reads the same records as the `csv` crate (csv-core)
//! whatever the file's quoting, line ends and chunking: most lines are
//! split by the import's own fast path (lines without quotes), the rest
//! by csv-core, and the two must agree on every record and on the line
//! each record starts on.

use engine::import::{DelimitedOptions, Format};
use engine::Engine;
use protocol::QueryRequest;

/// SplitMix64: reproducible inputs without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

// Cells whose text no column type changes (numbers would be settled to
// the column's type: `42` reads back as `42.0` in a REAL column).
const FIELDS: [&str; 17] = [
    "word",
    // Quotes where a field does not start with one, or text after the
    // closing quote: csv-core's own rules.
    "\"ab\"c",
    "a\"b",
    "\"q\"\"\"",
    "two words",
    "",
    "007",
    "-0",
    "é✓",
    "\"a, b\"",
    "\"say \"\"hi\"\"\"",
    "\"line\nbreak\"",
    "\"crlf\r\ninside\"",
    "\"\"",
    "x\ty",
    "9223372036854775808",
    "a\rb",
];

fn random_csv(random: &mut Random) -> Vec<u8> {
    let width = 1 + random.below(5);
    let mut text = (0..width).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
    let rows = random.below(40);
    for _ in 0..rows {
        text.push_str(["\n", "\r\n", "\n\n", "\r\n\r\n"][random.below(4)]);
        let cells = 1 + random.below(width + 1);
        let row: Vec<&str> = (0..cells).map(|_| FIELDS[random.below(FIELDS.len())]).collect();
        text.push_str(&row.join(","));
    }
    if random.below(2) == 0 {
        text.push_str(["\n", "\r\n"][random.below(2)]);
    }
    text.into_bytes()
}

/// The rows as the `csv` crate reads them, each cell as text.
fn expected(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut rows: Vec<Vec<String>> = reader.records().skip(1).map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for row in &mut rows {
        row.resize(width, String::new());
    }
    rows
}

/// The rows the import made, each cell as text (NULL as empty).
fn imported(bytes: &[u8], chunk: usize) -> Vec<Vec<String>> {
    let mut engine = Engine::new(engine::native_clock);
    let mut import = engine.begin_import("t.csv", Format::Delimited, DelimitedOptions { delimiter: Some(b','), encoding: None }).unwrap();
    for piece in bytes.chunks(chunk) {
        engine.push_import(&mut import, piece).unwrap();
    }
    let table = engine.finish_import(import).unwrap().table.unwrap();
    let columns = engine
        .query(&request(format!("SELECT name FROM pragma_table_info('{table}')")))
        .unwrap()
        .rows
        .iter()
        .map(|c| format!("coalesce(CAST(\"{}\" AS TEXT), '')", c[0].display()))
        .collect::<Vec<_>>();
    let rows = engine.query(&request(format!("SELECT {} FROM \"{table}\" ORDER BY rowid", columns.join(", ")))).unwrap();
    let mut rows: Vec<Vec<String>> = rows.rows.iter().map(|r| r.iter().map(|c| c.display()).collect()).collect();
    // Columns only the header named, never filled, are not in the csv crate's rows.
    let width = rows.iter().map(|r| r.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1)).max().unwrap_or(0);
    let width = width.max(expected(bytes).first().map_or(0, Vec::len));
    for row in &mut rows {
        row.truncate(width);
    }
    rows
}

fn request(sql: String) -> QueryRequest {
    QueryRequest { db: "data".into(), sql, params: vec![], time_limit_ms: 10_000, max_rows: 100_000, allow_writes: false }
}

#[test]
fn the_import_reads_the_records_csv_core_reads() {
    let mut random = Random(7);
    for case in 0..400 {
        let bytes = random_csv(&mut random);
        let chunk = [1, 2, 3, 7, 64, 1 << 20][random.below(6)];
        let want = expected(&bytes);
        let got = imported(&bytes, chunk);
        assert!(got == want, "case {case}, chunks of {chunk}: {:?}\nwant {want:?}\n got {got:?}", String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn an_error_names_the_line_its_record_starts_on_whatever_the_line_ends() {
    // Line 5 holds the third record in both files (after a blank line and
    // a quoted cell over two lines); its 2,001 cells are too many.
    let wide = ",".repeat(2000);
    for newline in ["\n", "\r\n"] {
        let text = ["a,b", "1,2", "", "\"two", "lines\",3", &wide].join(newline);
        let mut engine = Engine::new(engine::native_clock);
        let mut import = engine.begin_import("t.csv", Format::Delimited, DelimitedOptions::default()).unwrap();
        let error = engine.push_import(&mut import, text.as_bytes()).and_then(|()| engine.finish_import(import).map(|_| ())).unwrap_err();
        let position = error.position().unwrap();
        assert_eq!((position.number, position.line), (4, 6), "{newline:?}: {error}");
    }
}
