//! JSON rows imported in place (keys and strings read where they lie,
//! rows read whole by serde_json when they arrive whole) against what
//! `serde_json::Value` makes of the same text: generated lists and
//! newline-delimited files, cut into chunks anywhere, must give the same
//! columns, types and cells.

use engine::import::{DelimitedOptions, Format};
use engine::Engine;
use protocol::{Cell, QueryRequest};
use rusqlite::types::Value as SqlValue;
use serde_json::Value;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

const KEYS: &[&str] = &["id", "name", "score", "flag", "tags", "city", r#"k\"q"#, "ünï", "a b", r#"\u0041x"#];
const SCALARS: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-17",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "2.5",
    "-0.0",
    "1e3",
    "1.5E-7",
    r#""plain""#,
    r#""""#,
    r#""say \"hi\"\n\tback\\slash""#,
    r#""\u00e9\ud83e\udd80 ünï 🦀""#,
    r#""12""#,
];

fn blank(rng: &mut Rng) -> &'static str {
    ["", "", " ", "\n  ", "\t"][rng.below(5) as usize]
}

fn value(rng: &mut Rng, depth: u32) -> String {
    match rng.below(if depth > 2 { 1 } else { 8 }) {
        6 => {
            let items: Vec<String> = (0..rng.below(3)).map(|_| format!("{}{}", blank(rng), value(rng, depth + 1))).collect();
            format!("[{}]", items.join(","))
        }
        7 => object(rng, depth + 1),
        _ => rng.pick(SCALARS).to_string(),
    }
}

/// An object as text, which may give a key twice.
fn object(rng: &mut Rng, depth: u32) -> String {
    object_with(rng, depth, Vec::new())
}

fn object_with(rng: &mut Rng, depth: u32, mut members: Vec<String>) -> String {
    for _ in 0..rng.below(6) {
        members.push(format!("{}\"{}\"{}:{}{}", blank(rng), rng.pick(KEYS), blank(rng), blank(rng), value(rng, depth)));
    }
    format!("{{{}{}}}", members.join(","), blank(rng))
}

/// A document of `rows` items: a list, or one value per line.
fn document(rng: &mut Rng, rows: usize, lines: bool) -> String {
    // The first row has a key, so that there is a table to make.
    let items: Vec<String> = (0..rows)
        .map(|i| match i {
            0 => object_with(rng, 0, vec!["\"id\": 0".into()]),
            _ if lines || rng.below(12) != 0 => object(rng, 0),
            _ => value(rng, 1),
        })
        .collect();
    if lines {
        items.join("\n") + "\n"
    } else {
        format!("[{}{}]", blank(rng), items.iter().map(|i| format!("{i}{}", blank(rng))).collect::<Vec<_>>().join(",\n"))
    }
}

/// What the import made before rows were read in place: each item as a
/// `serde_json::Value`, typed by what every value of its column allows,
/// numbers in TEXT columns turned to text.
fn expected(text: &str, lines: bool) -> (Vec<String>, Vec<Vec<String>>) {
    let items: Vec<Value> = if lines {
        serde_json::Deserializer::from_str(text).into_iter::<Value>().map(Result::unwrap).collect()
    } else {
        serde_json::from_str::<Vec<Value>>(text).unwrap()
    };
    let rows: Vec<serde_json::Map<String, Value>> = items
        .into_iter()
        .map(|item| match item {
            Value::Object(map) => map,
            other => serde_json::Map::from_iter([("value".to_string(), other)]),
        })
        .collect();
    let mut keys: Vec<String> = Vec::new();
    for row in &rows {
        for key in row.keys() {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
    }
    let types: Vec<&str> = keys
        .iter()
        .map(|key| {
            let (mut any, mut ints, mut numbers) = (0, 0, 0);
            for value in rows.iter().filter_map(|row| row.get(key)) {
                match value {
                    Value::Null => continue,
                    Value::Bool(_) => ints += 1,
                    Value::Number(n) if n.as_i64().is_some() => ints += 1,
                    Value::Number(_) => numbers += 1,
                    _ => {}
                }
                any += 1;
            }
            match (any, ints, numbers) {
                (0, _, _) => "TEXT",
                (a, i, _) if a == i => "INTEGER",
                (a, i, n) if a == i + n => "REAL",
                _ => "TEXT",
            }
        })
        .collect();
    // SQLite itself quotes the cells, as the import's table gives them
    // (its TEXT columns turn numbers into their text, as CAST does).
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let columns: Vec<String> = (0..keys.len()).map(|i| format!("c{i} {}", types[i])).collect();
    conn.execute_batch(&format!("CREATE TABLE t ({})", columns.join(", "))).unwrap();
    for row in &rows {
        let cells: Vec<SqlValue> = keys
            .iter()
            .map(|key| match row.get(key) {
                None | Some(Value::Null) => SqlValue::Null,
                Some(Value::Bool(b)) => SqlValue::Integer(i64::from(*b)),
                Some(Value::Number(n)) => n.as_i64().map_or_else(|| SqlValue::Real(n.as_f64().unwrap()), SqlValue::Integer),
                Some(Value::String(s)) => SqlValue::Text(s.clone()),
                Some(nested) => SqlValue::Text(nested.to_string()),
            })
            .collect();
        let marks = vec!["?"; keys.len()].join(", ");
        conn.execute(&format!("INSERT INTO t VALUES ({marks})"), rusqlite::params_from_iter(cells)).unwrap();
    }
    let quoted: Vec<String> = (0..keys.len()).map(|i| format!("quote(c{i})")).collect();
    let mut statement = conn.prepare(&format!("SELECT {} FROM t", quoted.join(", "))).unwrap();
    let cells = statement
        .query_map([], |r| (0..keys.len()).map(|i| r.get::<_, String>(i)).collect::<Result<Vec<_>, _>>())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (types.iter().map(|t| t.to_string()).collect(), cells)
}

fn imported(text: &str, name: &str, rng: &mut Rng) -> (Vec<String>, Vec<Vec<String>>) {
    let mut engine = Engine::new(engine::native_clock);
    let mut import = engine.begin_import(name, Format::Json, DelimitedOptions::default()).unwrap();
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + 1 + rng.below(300) as usize).min(bytes.len());
        engine.push_import(&mut import, &bytes[at..end]).unwrap();
        at = end;
    }
    let outcome = engine.finish_import(import).unwrap();
    let table = outcome.table.clone().unwrap();
    let info = outcome.schema.tables.iter().find(|t| t.name == table).unwrap();
    let types = info.columns.iter().map(|c| c.decl_type.clone()).collect();
    let quoted: Vec<String> = info.columns.iter().map(|c| format!("quote({})", engine::quote_ident(&c.name))).collect();
    let sql = format!("SELECT {} FROM {} ORDER BY rowid", quoted.join(", "), engine::quote_ident(&table));
    let request = QueryRequest {
        db: outcome.schema.name.clone(),
        sql,
        params: vec![],
        time_limit_ms: 10_000,
        max_rows: 100_000,
        allow_writes: false,
    };
    let rows = engine.query(&request).unwrap().rows;
    let cells = rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|c| match c {
                    Cell::Text(t) => t,
                    other => panic!("quote() gave {other:?}"),
                })
                .collect()
        })
        .collect();
    (types, cells)
}

#[test]
fn json_rows_read_in_place_equal_serde_json_values() {
    let mut rng = Rng(7);
    for case in 0..300 {
        let lines = case % 2 == 1;
        let rows = 1 + rng.below(if case % 10 == 0 { 400 } else { 30 }) as usize;
        let text = document(&mut rng, rows, lines);
        let name = if lines { "rows.ndjson" } else { "rows.json" };
        let want = expected(&text, lines);
        let got = imported(&text, name, &mut rng);
        assert_eq!(got, want, "case {case}:\n{text}");
    }
}
