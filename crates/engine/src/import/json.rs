//! JSON: a list of objects, newline-delimited objects, an object of
//! objects (keys become a `_key` primary key), or an object holding lists
//! of objects (the longest is imported, as Datasette Lite does; else the
//! object is one row). Nested values are stored as JSON text, which
//! SQLite's JSON functions can query.
//!
//! Streamed: a scanner finds the document's top-level values (the list's
//! items, the object's members) as the text arrives, and each is parsed on
//! its own and inserted, so memory holds one value at a time, never a
//! whole document's tree. Rows go into tables whose columns are added as
//! keys appear and typed at the end (INTEGER, REAL or TEXT, as every value
//! of the column allows), like the CSV import. For an object the shape is
//! known only at its end, so its lists and its object members fill staging
//! tables, and the one that fits the shape becomes the table.

use std::collections::HashMap;

use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use rusqlite::Connection;
use serde_json::{Map, Value};

use super::table::{check_width, free_table_name, set_table_sql, ColumnNames};
use super::text::{sniff_encoding, TextStream};
use super::types::ColumnType;
use crate::error::{Error, ErrorKind, Position, PositionUnit, Result};
use crate::sql::quote_ident;

/// How much of the start is read before deciding between one document and
/// newline-delimited values.
const SNIFF_BYTES: usize = 64 * 1024;
/// An object that is one row (not a list, not keyed) is held whole; past
/// this it is refused.
const ONE_ROW_MAX_BYTES: usize = 16 << 20;

pub struct JsonImport {
    table: String,
    text: Option<TextStream>,
    head: Vec<u8>,
    /// Decoded text not consumed yet; `scan` is how far it was scanned.
    pending: String,
    scan: Scanner,
    shape: Shape,
    rows: u64,
    /// What was dropped from the front of `pending` (bytes and newlines)
    /// and the values read: where an error is, counted only when one is.
    dropped_bytes: u64,
    dropped_lines: u64,
    values: u64,
}

/// What the document turned out to be, and where its rows go.
enum Shape {
    /// Not decided yet (before the first value).
    Unknown,
    /// A list, or newline-delimited values: each item a row.
    Rows(RowTable),
    /// An object: its members are being read.
    Object(ObjectMembers),
}

#[derive(Default)]
struct ObjectMembers {
    /// The member whose value is being read, once its key is read.
    key: Option<String>,
    /// Members whose values are objects: the rows of the keyed shape.
    keyed: Option<RowTable>,
    /// Members whose values are lists of objects, each a staging table,
    /// with whether every item was an object.
    lists: Vec<(RowTable, bool)>,
    /// The list member being read, if the current value is a list.
    in_list: Option<usize>,
    /// Every member as JSON text, for the one-row shape, while small.
    raw: Vec<(String, String)>,
    raw_bytes: usize,
    /// Members read so far.
    count: usize,
}

/// The table rows go into, typed at the end.
struct RowTable {
    name: String,
    keyed: bool,
    names: ColumnNames,
    /// Each JSON key's column index.
    index: HashMap<String, usize>,
    tallies: Vec<TypeTally>,
    insert_sql: Option<String>,
    rows: u64,
    /// Whether the table exists yet (see `BUFFER_ROWS`).
    made: bool,
    buffer: Vec<(Option<String>, Map<String, Value>)>,
    buffer_bytes: usize,
}

impl JsonImport {
    pub fn new(table: String) -> JsonImport {
        JsonImport {
            table,
            text: None,
            head: Vec::new(),
            pending: String::new(),
            scan: Scanner::default(),
            shape: Shape::Unknown,
            rows: 0,
            dropped_bytes: 0,
            dropped_lines: 0,
            values: 0,
        }
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The table the rows end up in.
    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn push(&mut self, conn: &Connection, chunk: &[u8]) -> Result<()> {
        if self.text.is_none() {
            self.head.extend_from_slice(chunk);
            if self.head.len() < SNIFF_BYTES {
                return Ok(());
            }
            let head = std::mem::take(&mut self.head);
            return self.start(conn, &head, false);
        }
        self.feed(conn, chunk, false)
    }

    pub fn finish(mut self, conn: &Connection) -> Result<u64> {
        if self.text.is_none() {
            let head = std::mem::take(&mut self.head);
            self.start(conn, &head, true)?;
        } else {
            self.feed(conn, &[], true)?;
        }
        if self.scan.depth != 0 || self.scan.in_string {
            return Err(bad("the JSON ends before its last value is complete"));
        }
        let table = self.table.clone();
        match std::mem::replace(&mut self.shape, Shape::Unknown) {
            Shape::Unknown => Err(bad("the JSON holds no objects to make rows from")),
            Shape::Rows(mut rows) => {
                if rows.rows == 0 {
                    return Err(bad("the JSON holds no objects to make rows from"));
                }
                rows.finish(conn)?;
                Ok(rows.rows)
            }
            Shape::Object(members) => members.finish(conn, &table),
        }
    }

    fn start(&mut self, conn: &Connection, head: &[u8], last: bool) -> Result<()> {
        super::refuse_html(head, "JSON")?;
        let encoding = sniff_encoding(head, last);
        let mut sample = String::new();
        TextStream::new(encoding)?.decode_text(head, last, &mut sample);
        if !sample.trim_start().starts_with(['{', '[']) {
            return Err(bad("this does not look like JSON: it should start with { or ["));
        }
        // Values one after another (newline-delimited JSON): each one whole
        // is a row, not a document to look inside.
        self.scan.whole_top_level = second_value_follows(&sample);
        self.text = Some(TextStream::new(encoding)?);
        self.feed(conn, head, last)
    }

    fn feed(&mut self, conn: &Connection, chunk: &[u8], last: bool) -> Result<()> {
        let Some(text) = self.text.as_mut() else { return Err(bad("the JSON was fed before it started")) };
        text.decode_text(chunk, last, &mut self.pending);
        let mut consumed = 0;
        while let Some(event) = self.scan.next(&self.pending, last)? {
            match event {
                Event::Value { start, end, depth } => {
                    self.values += 1;
                    let value = self.pending[start..end].to_string();
                    if let Err(e) = self.value(conn, &value, depth) {
                        return Err(e.at(self.position_at(start)));
                    }
                    consumed = end;
                }
                Event::Key { start, end } => {
                    let key: String =
                        serde_json::from_str(&self.pending[start..end]).map_err(|e| bad(format!("a key is not valid JSON: {e}")))?;
                    if let Shape::Object(members) = &mut self.shape {
                        members.key = Some(key);
                    }
                    consumed = end;
                }
                Event::Open { at, list, depth } => {
                    self.open(conn, list, depth)?;
                    consumed = at + 1;
                }
                Event::Close { at, depth } => {
                    if let (Shape::Object(members), 1) = (&mut self.shape, depth) {
                        members.in_list = None;
                        members.key = None;
                    }
                    consumed = at + 1;
                }
            }
        }
        // Only what was consumed is dropped: a value still arriving stays.
        let keep_from = consumed.min(self.scan.value_start.unwrap_or(consumed));
        self.dropped_bytes += keep_from as u64;
        self.dropped_lines += self.pending.as_bytes()[..keep_from].iter().filter(|&&b| b == b'\n').count() as u64;
        self.pending.drain(..keep_from);
        self.scan.shift(keep_from);
        Ok(())
    }

    /// Where the value being read, which starts at `pending[start..]`, is.
    fn position_at(&self, start: usize) -> Position {
        let lines = self.pending.as_bytes()[..start].iter().filter(|&&b| b == b'\n').count() as u64;
        Position {
            unit: PositionUnit::Value,
            number: self.values,
            line: self.dropped_lines + lines + 1,
            byte: self.dropped_bytes + start as u64,
        }
    }

    /// A container opens at `depth` (0: the document itself; 1: a list member of an object).
    fn open(&mut self, conn: &Connection, list: bool, depth: u32) -> Result<()> {
        match (&mut self.shape, depth) {
            (Shape::Unknown, 0) if list => self.shape = Shape::Rows(RowTable::create(conn, self.table.clone(), false)?),
            (Shape::Unknown, 0) => self.shape = Shape::Object(ObjectMembers::default()),
            (Shape::Object(members), 1) => {
                let key = members.key.clone().unwrap_or_default();
                let staging = free_table_name(conn, &format!("_explorer staging: list {} of {}", members.lists.len(), self.table))?;
                members.lists.push((RowTable::create(conn, staging, false)?, true));
                members.in_list = Some(members.lists.len() - 1);
                members.count += 1;
                members.raw_bytes += key.len();
                // A list's text is not kept: the one-row shape needs it only
                // when no member is a list of objects, checked at the end.
                members.raw.push((key, String::new()));
            }
            _ => {}
        }
        Ok(())
    }

    /// A complete value at `depth`: a row, a member, or a list item.
    fn value(&mut self, conn: &Connection, text: &str, depth: u32) -> Result<()> {
        let parsed: Value = serde_json::from_str(text).map_err(|e| bad(format!("the JSON is not valid: {e}")))?;
        match &mut self.shape {
            // A document that is one value after another: each a row.
            Shape::Unknown | Shape::Rows(_) if depth == 0 => {
                if matches!(self.shape, Shape::Unknown) {
                    self.shape = Shape::Rows(RowTable::create(conn, self.table.clone(), false)?);
                }
                if let Shape::Rows(rows) = &mut self.shape {
                    rows.insert(conn, None, as_row(parsed), text.len())?;
                }
            }
            Shape::Rows(rows) => rows.insert(conn, None, as_row(parsed), text.len())?,
            Shape::Object(members) if depth == 2 => {
                if let Some(i) = members.in_list {
                    let (list, all_objects) = &mut members.lists[i];
                    *all_objects &= parsed.is_object();
                    list.insert(conn, None, as_row(parsed), text.len())?;
                    if let Some((_, raw)) = members.raw.last_mut() {
                        // Kept for the one-row shape only while small.
                        if members.raw_bytes < ONE_ROW_MAX_BYTES {
                            raw.push_str(if raw.is_empty() { "[" } else { "," });
                            raw.push_str(text);
                            members.raw_bytes += text.len();
                        }
                    }
                }
            }
            Shape::Object(members) => {
                let key = members.key.take().unwrap_or_default();
                if parsed.is_object() {
                    if members.keyed.is_none() {
                        members.keyed = Some(RowTable::create(
                            conn,
                            free_table_name(conn, &format!("_explorer staging: keyed {}", self.table))?,
                            true,
                        )?);
                    }
                    if let Some(keyed) = &mut members.keyed {
                        keyed.insert(conn, Some(&key), as_row(parsed), text.len())?;
                    }
                }
                members.count += 1;
                members.raw_bytes += key.len() + text.len();
                if members.raw_bytes <= ONE_ROW_MAX_BYTES {
                    members.raw.push((key, text.to_string()));
                }
            }
            Shape::Unknown => {}
        }
        self.rows = match &self.shape {
            Shape::Rows(r) => r.rows,
            Shape::Object(m) => m.keyed.as_ref().map_or(0, |k| k.rows).max(m.lists.iter().map(|(l, _)| l.rows).max().unwrap_or(0)),
            Shape::Unknown => 0,
        };
        Ok(())
    }
}

impl ObjectMembers {
    /// The shape is known now: keyed rows, the longest list of objects, or
    /// the object as one row. The staging table chosen becomes `table`.
    fn finish(self, conn: &Connection, table: &str) -> Result<u64> {
        let lists_of_objects = self.lists.iter().filter(|(l, all)| *all && l.rows > 0).count();
        let keyed_rows = self.keyed.as_ref().map_or(0, |k| k.rows);
        let chosen = if keyed_rows > 0 && keyed_rows as usize == self.count {
            self.keyed
        } else if lists_of_objects > 0 {
            // The longest list of objects; the first of equals.
            let mut best: Option<RowTable> = None;
            for (list, all) in self.lists {
                if all && list.rows > best.as_ref().map_or(0, |b| b.rows) {
                    if let Some(dropped) = best.replace(list) {
                        dropped.drop_table(conn)?;
                    }
                } else {
                    list.drop_table(conn)?;
                }
            }
            if let Some(keyed) = self.keyed {
                keyed.drop_table(conn)?;
            }
            best
        } else {
            // One row: the object itself, its nested values as JSON text.
            if self.raw_bytes > ONE_ROW_MAX_BYTES {
                return Err(bad(format!("the JSON is one object of more than {} MB, too big for one row", ONE_ROW_MAX_BYTES >> 20)));
            }
            for (list, _) in self.lists {
                list.drop_table(conn)?;
            }
            if let Some(keyed) = self.keyed {
                keyed.drop_table(conn)?;
            }
            let mut row = Map::new();
            for (key, raw) in self.raw {
                let text = if raw.starts_with('[') {
                    format!("{raw}]")
                } else if raw.is_empty() {
                    "[]".to_string()
                } else {
                    raw
                };
                row.insert(key, serde_json::from_str(&text).map_err(|e| bad(format!("the JSON is not valid: {e}")))?);
            }
            if row.is_empty() {
                return Err(bad("the JSON holds no objects to make rows from"));
            }
            let mut one = RowTable::create(conn, free_table_name(conn, &format!("_explorer staging: one {table}"))?, false)?;
            one.insert(conn, None, row, 0)?;
            Some(one)
        };
        let Some(mut chosen) = chosen else { return Err(bad("the JSON holds no objects to make rows from")) };
        let rows = chosen.rows;
        chosen.finish(conn)?;
        conn.execute_batch(&format!("ALTER TABLE {} RENAME TO {}", quote_ident(&chosen.name), quote_ident(table)))?;
        Ok(rows)
    }
}

/// Rows held before a table is made, so that it is made with the columns
/// of its first rows at once (adding them one by one costs a schema change
/// each, which made 2,000 distinct keys quadratic).
const BUFFER_ROWS: usize = 10_000;
const BUFFER_BYTES: usize = 8 << 20;

impl RowTable {
    fn create(_conn: &Connection, name: String, keyed: bool) -> Result<RowTable> {
        let mut names = ColumnNames::default();
        if keyed {
            names.add("_key", 0);
        }
        Ok(RowTable {
            name,
            keyed,
            names,
            index: HashMap::new(),
            tallies: Vec::new(),
            insert_sql: None,
            rows: 0,
            made: false,
            buffer: Vec::new(),
            buffer_bytes: 0,
        })
    }

    /// Adds a row (`size`: its JSON text's length, for the buffer's budget).
    fn insert(&mut self, conn: &Connection, key: Option<&str>, row: Map<String, Value>, size: usize) -> Result<()> {
        let offset = usize::from(self.keyed);
        let mut new_columns = Vec::new();
        for k in row.keys() {
            if !self.index.contains_key(k) {
                check_width(self.index.len() + 1 + offset)?;
                let name = self.names.add(k, self.index.len() + offset);
                new_columns.push(quote_ident(&name));
                self.index.insert(k.clone(), self.index.len());
                self.tallies.push(TypeTally::default());
                self.insert_sql = None;
            }
        }
        for (k, v) in &row {
            if let Some(&i) = self.index.get(k) {
                self.tallies[i].add(v);
            }
        }
        self.rows += 1;
        if !self.made {
            self.buffer.push((key.map(String::from), row));
            self.buffer_bytes += size;
            if self.buffer.len() >= BUFFER_ROWS || self.buffer_bytes >= BUFFER_BYTES {
                self.make(conn)?;
            }
            return Ok(());
        }
        for column in new_columns {
            conn.execute_batch(&format!("ALTER TABLE {} ADD COLUMN {column}", quote_ident(&self.name)))?;
        }
        self.write(conn, key, &row)
    }

    /// Makes the table with every column known so far and writes the
    /// buffered rows.
    fn make(&mut self, conn: &Connection) -> Result<()> {
        let mut columns: Vec<String> = self.names.names().iter().map(|n| quote_ident(n)).collect();
        if self.keyed {
            columns[0] = format!("{} TEXT PRIMARY KEY", quote_ident("_key"));
        }
        if columns.is_empty() {
            return Err(bad("the JSON holds no objects to make rows from"));
        }
        conn.execute_batch(&format!("CREATE TABLE {} ({})", quote_ident(&self.name), columns.join(", ")))?;
        self.made = true;
        self.buffer_bytes = 0;
        for (key, row) in std::mem::take(&mut self.buffer) {
            self.write(conn, key.as_deref(), &row)?;
        }
        Ok(())
    }

    fn write(&mut self, conn: &Connection, key: Option<&str>, row: &Map<String, Value>) -> Result<()> {
        let offset = usize::from(self.keyed);
        let width = self.index.len() + offset;
        let sql = self.insert_sql.get_or_insert_with(|| {
            let mut columns: Vec<String> = Vec::with_capacity(width);
            if self.keyed {
                columns.push(quote_ident("_key"));
            }
            let mut by_index: Vec<usize> = self.index.values().copied().collect();
            by_index.sort_unstable();
            columns.extend(by_index.iter().map(|&i| quote_ident(&self.names.names()[i + offset])));
            format!("INSERT INTO {} ({}) VALUES ({})", quote_ident(&self.name), columns.join(", "), vec!["?"; width].join(", "))
        });
        let mut stmt = conn.prepare_cached(sql)?;
        // Absent keys are NULL: clear all, then bind what the row has.
        stmt.clear_bindings();
        if let Some(key) = key {
            stmt.raw_bind_parameter(1, key)?;
        }
        for (k, v) in row {
            if let Some(&i) = self.index.get(k) {
                stmt.raw_bind_parameter(i + 1 + offset, ToSqlOutput::Owned(sql_value(v)))?;
            }
        }
        stmt.raw_execute()?;
        Ok(())
    }

    /// Declares each column's type, turning numbers in TEXT columns into
    /// their text (as the column's type would have on insert).
    fn finish(&mut self, conn: &Connection) -> Result<()> {
        if !self.made {
            self.make(conn)?;
        }
        let t = quote_ident(&self.name);
        let offset = usize::from(self.keyed);
        let mut declared = Vec::new();
        if self.keyed {
            declared.push(format!("{} TEXT PRIMARY KEY", quote_ident("_key")));
        }
        let mut order: Vec<(&String, usize)> = self.index.iter().map(|(k, &i)| (k, i)).collect();
        order.sort_by_key(|&(_, i)| i);
        let mut fixes = Vec::new();
        for &(_, i) in &order {
            let c = quote_ident(&self.names.names()[i + offset]);
            let kind = self.tallies[i].decided();
            if kind == ColumnType::Text && self.tallies[i].numbers_or_ints() {
                fixes.push(format!("{c} = CASE WHEN typeof({c}) IN ('integer', 'real') THEN CAST({c} AS TEXT) ELSE {c} END"));
            }
            declared.push(format!("{c} {}", kind.sql()));
        }
        if !fixes.is_empty() {
            conn.execute_batch(&format!("UPDATE {t} SET {}", fixes.join(", ")))?;
        }
        set_table_sql(conn, &self.name, &format!("CREATE TABLE {t} ({})", declared.join(", ")))
    }

    fn drop_table(self, conn: &Connection) -> Result<()> {
        if self.made {
            conn.execute_batch(&format!("DROP TABLE {}", quote_ident(&self.name)))?;
        }
        Ok(())
    }
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

    fn numbers_or_ints(&self) -> bool {
        self.ints + self.numbers > 0
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

fn bad(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::BadRequest, message)
}

fn as_row(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => Map::from_iter([("value".to_string(), other)]),
    }
}

fn sql_value(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => n.as_f64().map_or_else(|| SqlValue::Text(n.to_string()), SqlValue::Real),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        nested => SqlValue::Text(nested.to_string()),
    }
}

/// Whether `sample` holds a complete first value with another after it.
fn second_value_follows(sample: &str) -> bool {
    let mut scanner = Scanner { whole_top_level: true, ..Scanner::default() };
    match scanner.next(sample, false) {
        Ok(Some(Event::Value { end, .. })) => !sample[end..].trim_start().is_empty(),
        _ => false,
    }
}

/// What the scanner found in the text.
#[derive(Debug, PartialEq, Eq)]
enum Event {
    /// A complete value at `depth`, as `text[start..end]`: the document's
    /// own values at 0, an object's members or a list's items at 1, a list
    /// member's items at 2. Containers at 0 (and lists at 1 inside an
    /// object) are not reported as values: their insides are.
    Value {
        start: usize,
        end: usize,
        depth: u32,
    },
    /// An object member's key at depth 1, as a JSON string.
    Key {
        start: usize,
        end: usize,
    },
    Open {
        at: usize,
        list: bool,
        depth: u32,
    },
    Close {
        at: usize,
        depth: u32,
    },
}

/// A resumable scanner of JSON structure: strings, escapes and nesting,
/// never the values themselves (serde_json parses each one found).
#[derive(Debug, Default)]
struct Scanner {
    pos: usize,
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// For each open container: is it a list, and is it reported (its
    /// items are events) or inside a value being collected.
    stack: Vec<(bool, bool)>,
    /// Where the value being collected began.
    value_start: Option<usize>,
    /// The depth the collected value sits at.
    value_depth: u32,
    /// In a reported object: the next string is a key.
    expect_key: bool,
    key_start: Option<usize>,
    /// Newline-delimited values: top-level containers are values, not looked into.
    whole_top_level: bool,
}

impl Scanner {
    /// Moves positions after `n` bytes were dropped from the front.
    fn shift(&mut self, n: usize) {
        self.pos -= n;
        if let Some(s) = &mut self.value_start {
            *s -= n;
        }
        if let Some(s) = &mut self.key_start {
            *s -= n;
        }
    }

    /// Whether the container about to open at the current depth has its
    /// items reported: the document itself, and a list that is an object
    /// member at depth 1.
    fn reports(&self, list: bool) -> bool {
        match self.stack.as_slice() {
            [] => !self.whole_top_level,
            [(false, true)] => list,
            _ => false,
        }
    }

    fn next(&mut self, text: &str, last: bool) -> Result<Option<Event>> {
        let bytes = text.as_bytes();
        while self.pos < bytes.len() {
            let at = self.pos;
            let b = bytes[at];
            self.pos += 1;
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if let Some(start) = self.key_start.take() {
                        return Ok(Some(Event::Key { start, end: at + 1 }));
                    }
                    if let Some(event) = self.end_scalar_if_done(at + 1) {
                        return Ok(Some(event));
                    }
                }
                continue;
            }
            let collecting = self.value_start.is_some();
            match b {
                b'"' => {
                    self.in_string = true;
                    if !collecting && self.expect_key {
                        self.expect_key = false;
                        self.key_start = Some(at);
                    } else if !collecting {
                        self.value_start = Some(at);
                        self.value_depth = self.depth;
                    }
                }
                b'{' | b'[' => {
                    let list = b == b'[';
                    if !collecting && self.reports(list) {
                        self.stack.push((list, true));
                        self.depth += 1;
                        self.expect_key = !list;
                        return Ok(Some(Event::Open { at, list, depth: self.depth - 1 }));
                    }
                    if !collecting {
                        self.value_start = Some(at);
                        self.value_depth = self.depth;
                    }
                    self.stack.push((list, false));
                    self.depth += 1;
                }
                b'}' | b']' => {
                    let Some((_, reported)) = self.stack.pop() else {
                        return Err(bad(format!("the JSON has an unmatched {}", b as char)));
                    };
                    self.depth -= 1;
                    if reported {
                        if let Some(start) = self.value_start.take() {
                            // A number or literal ended by the bracket.
                            self.pos = at;
                            self.depth += 1;
                            self.stack.push((b == b']', true));
                            return Ok(Some(Event::Value { start, end: at, depth: self.value_depth }));
                        }
                        self.expect_key = false;
                        return Ok(Some(Event::Close { at, depth: self.depth }));
                    }
                    if let Some(start) = self.value_start {
                        if self.depth == self.value_depth {
                            self.value_start = None;
                            return Ok(Some(Event::Value { start, end: at + 1, depth: self.value_depth }));
                        }
                    }
                }
                b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' if !collecting || self.stack.len() as u32 == self.value_depth => {
                    if let Some(start) = self.value_start.take() {
                        // A number or literal ends at a separator.
                        if b == b',' && self.stack.last().is_some_and(|(list, reported)| !list && *reported) {
                            self.expect_key = true;
                        }
                        return Ok(Some(Event::Value { start, end: at, depth: self.value_depth }));
                    }
                    if b == b',' && self.stack.last().is_some_and(|(list, reported)| !list && *reported) {
                        self.expect_key = true;
                    }
                }
                b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' => {}
                _ => {
                    if !collecting {
                        self.value_start = Some(at);
                        self.value_depth = self.depth;
                    }
                }
            }
        }
        // The end: a number or literal that runs to the end of the text.
        if last {
            if let Some(start) = self.value_start.take() {
                if !self.in_string && self.value_depth == self.stack.len() as u32 {
                    return Ok(Some(Event::Value { start, end: bytes.len(), depth: self.value_depth }));
                }
                self.value_start = Some(start);
            }
        }
        Ok(None)
    }

    /// A string value just closed: it is complete if it is the value.
    fn end_scalar_if_done(&mut self, end: usize) -> Option<Event> {
        let start = self.value_start?;
        if self.stack.len() as u32 == self.value_depth && self.stack.iter().all(|(_, reported)| *reported) {
            self.value_start = None;
            return Some(Event::Value { start, end, depth: self.value_depth });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> Vec<Event> {
        let mut scanner = Scanner::default();
        let mut out = Vec::new();
        while let Some(e) = scanner.next(text, true).unwrap() {
            out.push(e);
        }
        out
    }

    #[test]
    fn the_scanner_reports_top_level_values_and_members() {
        let text = r#"[{"a": "}"}, 12, "x,y", [1, [2]], true]"#;
        let values: Vec<&str> = events(text)
            .into_iter()
            .filter_map(|e| match e {
                Event::Value { start, end, .. } => Some(&text[start..end]),
                _ => None,
            })
            .collect();
        assert_eq!(values, [r#"{"a": "}"}"#, "12", "\"x,y\"", "[1, [2]]", "true"]);
        let text = r#"{"n": 3, "rows": [{"x": 1}, {"x": 2}], "s": "a\"b"}"#;
        let shown: Vec<String> = events(text)
            .into_iter()
            .map(|e| match e {
                Event::Value { start, end, depth } => format!("v{depth}:{}", &text[start..end]),
                Event::Key { start, end } => format!("k:{}", &text[start..end]),
                Event::Open { list, depth, .. } => format!("open{depth}{}", if list { "[" } else { "{" }),
                Event::Close { depth, .. } => format!("close{depth}"),
            })
            .collect();
        assert_eq!(
            shown,
            [
                "open0{",
                "k:\"n\"",
                "v1:3",
                "k:\"rows\"",
                "open1[",
                "v2:{\"x\": 1}",
                "v2:{\"x\": 2}",
                "close1",
                "k:\"s\"",
                "v1:\"a\\\"b\"",
                "close0"
            ]
        );
    }
}
