//! The generators: a seeded random source and, per target, inputs that
//! are mostly almost right (the shapes that reach deep code) and sometimes
//! plain garbage.

use std::path::Path;

/// SplitMix64: small, fast, and the same sequence for the same seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Characters that matter to some parser: delimiters, quotes, line ends,
/// NUL, BOMs, SQL and JSON punctuation, multi-byte letters.
const SPICY: &[&str] = &[
    ",", ";", "\t", "|", "\"", "'", "`", "[", "]", "{", "}", "(", ")", "\n", "\r\n", "\r", "\0", "\u{feff}", "--", "/*", "*/", "?", ":",
    "$", "@", "\\", "é", "東", "🦀", "END", "BEGIN", " ", "x", "1", "-1.5e3", "null", "true",
];

/// Random text of up to `max` pieces, words and punctuation.
pub fn text(rng: &mut Rng, max: u64) -> String {
    (0..rng.below(max + 1)).map(|_| *rng.pick(SPICY)).collect()
}

/// Bytes of garbage, valid UTF-8 or not.
fn garbage(rng: &mut Rng, max: u64) -> Vec<u8> {
    (0..rng.below(max + 1)).map(|_| rng.next_u64() as u8).collect()
}

/// Damages `bytes` a little: a cut, flipped bytes, an inserted piece.
fn mutate(rng: &mut Rng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..rng.below(4) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len() as u64) as usize;
        match rng.below(4) {
            0 => bytes.truncate(at),
            1 => bytes[at] = rng.next_u64() as u8,
            2 => {
                let piece = rng.pick(SPICY).as_bytes().to_vec();
                bytes.splice(at..at, piece);
            }
            _ => {
                let end = (at + rng.below(64) as usize).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
        }
    }
    bytes
}

pub fn csv(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(0.05) {
        return garbage(rng, 400);
    }
    let delimiter = *rng.pick(&[",", ";", "\t", "|"]);
    let columns = 1 + rng.below(8);
    let mut out = String::new();
    if rng.chance(0.2) {
        out.push('\u{feff}');
    }
    for row in 0..1 + rng.below(12) {
        let width = if rng.chance(0.15) { rng.below(columns + 3) } else { columns };
        let cells: Vec<String> = (0..width)
            .map(|_| {
                let cell = match rng.below(6) {
                    0 => rng.below(100_000).to_string(),
                    1 => format!("{}.{}", rng.below(1000), rng.below(100)),
                    2 => String::new(),
                    3 if row == 0 => "name".to_string(),
                    _ => text(rng, 6),
                };
                if rng.chance(0.3) {
                    format!("\"{}\"", cell.replace('"', "\"\""))
                } else {
                    cell
                }
            })
            .collect();
        out += &cells.join(delimiter);
        out += *rng.pick(&["\n", "\r\n", "\n", "\r"]);
    }
    let mut bytes = out.into_bytes();
    if rng.chance(0.1) {
        // Another encoding's bytes.
        bytes = bytes.iter().map(|&b| if b >= 0x80 { 0x80 | (b & 0x3f) } else { b }).collect();
    }
    if rng.chance(0.05) {
        let utf16: Vec<u8> =
            [0xff, 0xfe].into_iter().chain(String::from_utf8_lossy(&bytes).encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        bytes = utf16;
    }
    if rng.chance(0.3) {
        mutate(rng, bytes)
    } else {
        bytes
    }
}

fn json_value(rng: &mut Rng, depth: u32) -> serde_json::Value {
    use serde_json::Value;
    match if depth > 4 { rng.below(4) } else { rng.below(7) } {
        0 => Value::Null,
        1 => Value::from(rng.next_u64() as i64 >> rng.below(64)),
        2 => serde_json::Number::from_f64((rng.next_u64() as f64).sqrt() - 1e9).map_or(Value::Null, Value::Number),
        3 => Value::String(text(rng, 5)),
        4 => Value::Bool(rng.chance(0.5)),
        5 => Value::Array((0..rng.below(4)).map(|_| json_value(rng, depth + 1)).collect()),
        _ => Value::Object((0..rng.below(5)).map(|_| (key(rng), json_value(rng, depth + 1))).collect()),
    }
}

fn key(rng: &mut Rng) -> String {
    if rng.chance(0.7) {
        rng.pick(&["id", "name", "value", "tags", "", "_key", "ID", "a\0b"]).to_string()
    } else {
        text(rng, 4)
    }
}

pub fn json(rng: &mut Rng) -> Vec<u8> {
    use serde_json::Value;
    if rng.chance(0.05) {
        return garbage(rng, 300);
    }
    let rows = || -> Vec<Value> { Vec::new() };
    let mut list = rows();
    for _ in 0..rng.below(10) {
        list.push(if rng.chance(0.9) {
            Value::Object((0..rng.below(6)).map(|_| (key(rng), json_value(rng, 1))).collect())
        } else {
            json_value(rng, 1)
        });
    }
    let document = match rng.below(4) {
        0 => Value::Array(list),
        1 => Value::Object(list.into_iter().enumerate().map(|(i, v)| (format!("k{i}"), v)).collect()),
        2 => serde_json::json!({ "meta": [{"a": 1}], "rows": list, "more": [] }),
        _ => {
            let lines: Vec<String> = list.iter().map(|v| v.to_string()).collect();
            return maybe_mutate(rng, lines.join("\n").into_bytes());
        }
    };
    maybe_mutate(rng, document.to_string().into_bytes())
}

fn maybe_mutate(rng: &mut Rng, bytes: Vec<u8>) -> Vec<u8> {
    if rng.chance(0.3) {
        mutate(rng, bytes)
    } else {
        bytes
    }
}

pub fn sql_script(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(0.05) {
        return garbage(rng, 300);
    }
    let pieces: &[&str] = &[
        "CREATE TABLE t(a, b TEXT, c INTEGER PRIMARY KEY);\n",
        "INSERT INTO t(a, b) VALUES (1, 'x;y'), ('it''s', \"q\");\n",
        "INSERT INTO t VALUES(2, 'multi\nline', NULL);\n",
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = a || ';'; SELECT 1; END;\n",
        "CREATE TEMP TRIGGER t2 BEGIN SELECT 'END;'; END;\n",
        "-- a comment; with ; semicolons\n",
        "/* block; */ SELECT 1;\n",
        "BEGIN TRANSACTION;\n",
        "COMMIT;\n",
        "ROLLBACK;\n",
        "PRAGMA writable_schema=ON;\n",
        "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','s','s',0,'CREATE VIRTUAL TABLE s USING fts5(a)');\n",
        "INSERT INTO sqlite_master(type,name,tbl_name,rootpage,sql)VALUES('table','r','r',0,'CREATE VIRTUAL TABLE r USING rtree(id, x0, x1)');\n",
        "CREATE TABLE IF NOT EXISTS 's_data'(id INTEGER PRIMARY KEY, block BLOB);\n",
        "PRAGMA writable_schema=OFF;\n",
        "UPDATE sqlite_schema SET sql = 'x';\n",
        "CREATE VIEW v AS SELECT * FROM t;\n",
        "CREATE INDEX i ON t(b);\n",
        "ATTACH 'x' AS y;\n",
        "DROP TABLE t;\n",
        "SELECT * FROM nope;\n",
        "CREATE TABLE \"odd ? name\"(\"a\"\"b\", [c d], `e`);\n",
        "INSERT INTO t VALUES (zeroblob(1000), randomblob(10), 3);\n",
    ];
    let mut out = Vec::new();
    if rng.chance(0.1) {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    for _ in 0..rng.below(12) {
        out.extend_from_slice(rng.pick(pieces).as_bytes());
    }
    maybe_mutate(rng, out)
}

pub fn url(rng: &mut Rng) -> String {
    let bases = [
        "https://github.com/o/r/blob/main/x.db",
        "https://gist.github.com/u/0a1b",
        "https://gist.github.com/",
        "http://127.0.0.1:8000/a%20b.csv?x=1#y",
        "https://example.com/",
        "file:///etc/passwd",
        "not a url",
        "",
        "[[\"a\"],1]",
        "[1, 2, [3]]",
        "17",
        "-1",
    ];
    let mut s = rng.pick(&bases).to_string();
    for _ in 0..rng.below(4) {
        let at = rng.below(s.len() as u64 + 1) as usize;
        let at = (0..=at).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        let piece = rng.pick(SPICY).to_string();
        s.insert_str(at, &piece);
    }
    s
}

pub fn cursor_text(rng: &mut Rng) -> String {
    let options =
        ["0", "1000000000000", "-5", "[]", "[1]", "[[\"v3\"], 5]", "[[null], 2]", "[[1.5], \"x\"]", "{}", "nul", "[[[]], [], {}]"];
    if rng.chance(0.7) {
        rng.pick(&options).to_string()
    } else {
        text(rng, 6)
    }
}

pub fn metadata(rng: &mut Rng) -> Vec<u8> {
    let samples = [
        "{\"title\": \"T\", \"databases\": {\"d\": {\"tables\": {\"t\": {\"label_column\": \"name\", \"columns\": {\"a\": \"b\"}}}, \"queries\": {\"q\": \"select 1\"}}}}",
        "title: T\ndatabases:\n  d:\n    tables:\n      t: {label_column: name}\n    queries:\n      q:\n        sql: select :n\n",
        "license: MIT\nsource_url: http://x\n",
        "[1, 2]",
        "a: &x [1, *x]\n",
        "{",
        "- - - - -\n",
    ];
    let mut bytes = rng.pick(&samples).as_bytes().to_vec();
    if rng.chance(0.05) {
        let depth = rng.below(200) as usize;
        bytes = format!("{}1{}", "[".repeat(depth), "]".repeat(depth)).into_bytes();
    }
    maybe_mutate(rng, bytes)
}

/// Database files to start from: the shared real files, the demo, and a
/// few made here (hostile but valid: huge values, wide views).
pub fn database_seeds(data: &Path) -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for file in ["sqlite/moving_fts5.db", "sqlite/Chinook_Sqlite.sqlite"] {
        if let Ok(bytes) = std::fs::read(data.join(file)) {
            seeds.push(bytes);
        }
    }
    if let Ok(bytes) = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/demo.db")) {
        seeds.push(bytes);
    }
    let made = [
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, big BLOB GENERATED ALWAYS AS (zeroblob(99000000)) VIRTUAL);
         WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r LIMIT 50) INSERT INTO t(id, a) SELECT i, 'x' FROM r;
         CREATE VIEW huge AS SELECT zeroblob(99000000) FROM t;",
        "CREATE TABLE w(a); CREATE VIEW wide AS SELECT 1 AS c1, 2 AS c2, a FROM w;",
        "CREATE TABLE k(a PRIMARY KEY, b) WITHOUT ROWID; INSERT INTO k VALUES (1, 2), ('x', NULL);
         CREATE TABLE fk(id INTEGER PRIMARY KEY, k REFERENCES k(a)); INSERT INTO fk VALUES (1, 1), (2, 'x');",
    ];
    for sql in made {
        let mut conn = rusqlite::Connection::open_in_memory().expect("in-memory");
        conn.execute_batch(sql).expect("seed SQL");
        seeds.push(conn.serialize(rusqlite::MAIN_DB).expect("serialize").to_vec());
    }
    seeds
}

/// A seed database, damaged: cut short, bytes flipped in the header, in
/// the b-tree pages or in the schema page, absurd page size or count.
pub fn database(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = rng.pick(seeds).clone();
    if rng.chance(0.1) {
        return bytes;
    }
    let page_size = u16::from_be_bytes([bytes[16], bytes[17]]).max(512) as usize;
    for _ in 0..1 + rng.below(3) {
        match rng.below(6) {
            0 => bytes.truncate(rng.below(bytes.len() as u64) as usize),
            1 => {
                let at = rng.below(100) as usize;
                if at < bytes.len() {
                    bytes[at] = rng.next_u64() as u8;
                }
            }
            2 if bytes.len() > 18 => {
                let absurd = *rng.pick(&[0u16, 1, 3, 511, 1000, 0xffff]);
                bytes[16..18].copy_from_slice(&absurd.to_be_bytes());
            }
            3 if bytes.len() > 32 => {
                let count = (rng.next_u64() as u32).to_be_bytes();
                bytes[28..32].copy_from_slice(&count);
            }
            4 => {
                // The schema page (page 1, after the header).
                let at = 100 + rng.below(page_size.min(bytes.len()).saturating_sub(100) as u64) as usize;
                if at < bytes.len() {
                    bytes[at] ^= 1 << rng.below(8);
                }
            }
            _ => {
                for _ in 0..1 + rng.below(16) {
                    let at = rng.below(bytes.len() as u64) as usize;
                    if at < bytes.len() {
                        bytes[at] = rng.next_u64() as u8;
                    }
                }
            }
        }
    }
    bytes
}

/// The pyarrow-written Parquet files in every compression.
pub fn parquet_seeds() -> Vec<Vec<u8>> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/parquet");
    ["none", "snappy", "gzip", "zstd", "lz4", "brotli"]
        .iter()
        .filter_map(|codec| std::fs::read(dir.join(format!("types-{codec}.parquet"))).ok())
        .collect()
}

/// A Parquet file with flipped bytes anywhere (pages, their headers, the
/// footer), cut short or with a footer length that lies; sometimes whole.
pub fn parquet(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = rng.pick(seeds).clone();
    if rng.chance(0.05) {
        return bytes;
    }
    for _ in 0..1 + rng.below(4) {
        let len = bytes.len();
        match rng.below(5) {
            0 if len > 8 => {
                // Keep the magic at the end, so the footer is parsed.
                let at = 4 + rng.below((len - 8) as u64) as usize;
                bytes[at] ^= 1 << rng.below(8);
            }
            1 if len > 8 => {
                // The footer (metadata): where a flip does the most.
                let from = len.saturating_sub(800).max(4);
                let at = from + rng.below((len - 4 - from).max(1) as u64) as usize;
                bytes[at] = rng.next_u64() as u8;
            }
            2 if len > 8 => {
                let length = (rng.next_u64() as u32).to_le_bytes();
                bytes[len - 8..len - 4].copy_from_slice(&length);
            }
            3 => {
                let keep = rng.below(len as u64) as usize;
                bytes.truncate(keep);
                bytes.extend_from_slice(b"PAR1");
            }
            _ if len > 8 => {
                let at = 4 + rng.below((len - 8) as u64) as usize;
                bytes[at] = 0xff;
            }
            _ => {}
        }
    }
    bytes
}
