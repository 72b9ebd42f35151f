//! JSON: a list of objects, newline-delimited objects, an object of
//! objects (keys become a `_key` primary key), or an object holding a list
//! of objects. Nested values are stored as JSON text, which SQLite's JSON
//! functions can query.
//!
//! Unlike CSV, JSON is parsed once the whole file is in: a list of objects
//! cannot be split into rows before it is complete without a streaming
//! parser, and JSON files are rarely the big ones.

use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use rusqlite::Connection;
use serde_json::{Map, Value};

use std::collections::HashMap;

use super::table::{check_width, ColumnNames};
use super::text::{sniff_encoding, TextStream};
use super::types::ColumnType;
use crate::error::{Error, ErrorKind, Result};
use crate::sql::quote_ident;

#[derive(Default)]
pub struct JsonImport {
    bytes: Vec<u8>,
}

/// Rows found in a document, and whether they came with keys.
struct Rows {
    keyed: bool,
    rows: Vec<(Option<String>, Map<String, Value>)>,
}

impl JsonImport {
    pub fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
    }

    pub fn finish(self, conn: &Connection, table: &str) -> Result<u64> {
        super::refuse_html(&self.bytes, "JSON")?;
        let mut text = String::new();
        TextStream::new(sniff_encoding(&self.bytes, true)).decode_text(&self.bytes, true, &mut text);
        let found = find_rows(&text)?;
        insert_rows(conn, table, found)
    }
}

fn bad(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::BadRequest, message)
}

fn find_rows(text: &str) -> Result<Rows> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with(['{', '[']) {
        return Err(bad("this does not look like JSON: it should start with { or ["));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => Ok(Rows { keyed: false, rows: items.into_iter().map(|v| (None, as_row(v))).collect() }),
        Ok(Value::Object(object)) => Ok(rows_of_object(object)),
        // Not reached (the text starts with `{` or `[`), but a scalar would
        // be one row of one value, not a crash.
        Ok(other) => Ok(Rows { keyed: false, rows: vec![(None, as_row(other))] }),
        // Several top-level values: newline-delimited JSON.
        Err(e) if e.is_syntax() && e.to_string().contains("trailing characters") => {
            let mut rows = Vec::new();
            for (i, value) in serde_json::Deserializer::from_str(text).into_iter::<Value>().enumerate() {
                let value = value.map_err(|e| bad(format!("newline-delimited JSON, record {}: {e}", i + 1)))?;
                rows.push((None, as_row(value)));
            }
            Ok(Rows { keyed: false, rows })
        }
        Err(e) => Err(bad(format!("the JSON is not valid: {e}"))),
    }
}

/// `{"a": {...}, "b": {...}}` → keyed rows; `{"rows": [{...}]}` → that
/// list (of several lists, the longest, the first of equals, as Datasette
/// Lite does); any other object → one row.
fn rows_of_object(object: Map<String, Value>) -> Rows {
    if !object.is_empty() && object.values().all(Value::is_object) {
        let rows = object.into_iter().map(|(k, v)| (Some(k), as_row(v))).collect();
        return Rows { keyed: true, rows };
    }
    let mut list_key: Option<(&String, usize)> = None;
    for (key, value) in &object {
        if let Value::Array(items) = value {
            let of_objects = !items.is_empty() && items.iter().all(Value::is_object);
            if of_objects && list_key.is_none_or(|(_, longest)| items.len() > longest) {
                list_key = Some((key, items.len()));
            }
        }
    }
    let list_key = list_key.map(|(k, _)| k.clone());
    let mut object = object;
    match list_key.and_then(|k| object.remove(&k)) {
        Some(Value::Array(items)) => Rows { keyed: false, rows: items.into_iter().map(|v| (None, as_row(v))).collect() },
        _ => Rows { keyed: false, rows: vec![(None, object)] },
    }
}

fn as_row(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => Map::from_iter([("value".to_string(), other)]),
    }
}

fn insert_rows(conn: &Connection, table: &str, found: Rows) -> Result<u64> {
    // Columns in order of first appearance, and their types, in one pass:
    // linear in the cells, however many distinct keys there are.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut names = ColumnNames::default();
    let mut tallies: Vec<TypeTally> = Vec::new();
    for (_, row) in &found.rows {
        for (k, v) in row {
            let i = match index.get(k.as_str()) {
                Some(&i) => i,
                None => {
                    check_width(index.len() + 1 + usize::from(found.keyed))?;
                    names.add(k, index.len());
                    tallies.push(TypeTally::default());
                    index.insert(k.as_str(), index.len());
                    index.len() - 1
                }
            };
            tallies[i].add(v);
        }
    }
    let mut columns: Vec<String> =
        names.names().iter().zip(&tallies).map(|(n, t)| format!("{} {}", quote_ident(n), t.decided().sql())).collect();
    if found.keyed {
        let key_name = crate::source::unique_name("_key", |n| names.contains(n));
        columns.insert(0, format!("{} TEXT PRIMARY KEY", quote_ident(&key_name)));
    }
    if columns.is_empty() {
        return Err(bad("the JSON holds no objects to make rows from"));
    }
    conn.execute_batch(&format!("CREATE TABLE {} ({})", quote_ident(table), columns.join(", ")))?;
    let width = columns.len();
    let mut stmt = conn.prepare(&format!("INSERT INTO {} VALUES ({})", quote_ident(table), vec!["?"; width].join(", ")))?;
    let offset = usize::from(found.keyed);
    for (key, row) in &found.rows {
        // Absent keys are NULL: clear all, then bind what the row has.
        stmt.clear_bindings();
        if let Some(key) = key {
            stmt.raw_bind_parameter(1, key.as_str())?;
        }
        for (k, v) in row {
            if let Some(&i) = index.get(k.as_str()) {
                stmt.raw_bind_parameter(i + 1 + offset, ToSqlOutput::Owned(sql_value(Some(v))))?;
            }
        }
        stmt.raw_execute()?;
    }
    Ok(found.rows.len() as u64)
}

/// Counts of a column's non-null values by kind, for its type.
#[derive(Debug, Default, Clone, Copy)]
struct TypeTally {
    any: u64,
    ints: u64,
    numbers: u64,
}

impl TypeTally {
    fn add(&mut self, value: &Value) {
        match value {
            Value::Null => return,
            Value::Bool(_) => self.ints += 1,
            Value::Number(n) if n.is_i64() || n.is_u64() && n.as_i64().is_some() => self.ints += 1,
            Value::Number(_) => self.numbers += 1,
            _ => {}
        }
        self.any += 1;
    }

    fn decided(&self) -> ColumnType {
        match (self.any, self.ints, self.numbers) {
            (0, _, _) => ColumnType::Text,
            (a, i, _) if a == i => ColumnType::Integer,
            (a, i, n) if a == i + n => ColumnType::Real,
            _ => ColumnType::Text,
        }
    }
}

fn sql_value(value: Option<&Value>) -> SqlValue {
    match value {
        None | Some(Value::Null) => SqlValue::Null,
        Some(Value::Bool(b)) => SqlValue::Integer(i64::from(*b)),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => n.as_f64().map_or_else(|| SqlValue::Text(n.to_string()), SqlValue::Real),
        },
        Some(Value::String(s)) => SqlValue::Text(s.clone()),
        Some(nested) => SqlValue::Text(nested.to_string()),
    }
}
