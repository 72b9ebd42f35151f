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

use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde_json::{Map, Value};

use super::insert::RowInsert;
use super::json_row::{parse_leading_object, parse_row, JsonCell, JsonRow};
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
    /// The keys of the last row, by position, with their columns: rows
    /// mostly repeat their keys in order, and a comparison is cheaper
    /// than a hash.
    recent: Vec<(String, usize)>,
    /// For the row being written, per column: its cell's place in the
    /// row plus one, or 0 for none.
    slots: Vec<u32>,
    tallies: Vec<TypeTally>,
    insert_sql: Option<String>,
    rows: u64,
    /// Whether the table exists yet (see `BUFFER_ROWS`).
    made: bool,
    /// Rows read before the table is made, as their JSON text (with the
    /// `_key` of the keyed shape).
    buffer: Vec<(Option<String>, String)>,
    buffer_bytes: usize,
}

/// The INSERTs of one stretch of input, prepared once each (they live no
/// longer than the connection they are lent).
struct Inserts<'c> {
    conn: &'c Connection,
    /// Per table: the INSERT's text and its statement.
    prepared: Vec<(String, String, RowInsert<'c>)>,
}

impl<'c> Inserts<'c> {
    fn new(conn: &'c Connection) -> Inserts<'c> {
        Inserts { conn, prepared: Vec::new() }
    }

    /// The statement for `sql` into `table` (a table's INSERT changes as
    /// its columns do).
    fn get(&mut self, table: &str, sql: &str, width: usize) -> Result<&mut RowInsert<'c>> {
        let at = match self.prepared.iter().position(|(t, s, _)| t == table && s == sql) {
            Some(at) => at,
            None => {
                let insert = RowInsert::new(self.conn, sql, width)?;
                self.prepared.retain(|(t, _, _)| t != table);
                self.prepared.push((table.to_string(), sql.to_string(), insert));
                self.prepared.len() - 1
            }
        };
        Ok(&mut self.prepared[at].2)
    }
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
            dropped_bytes: 0,
            dropped_lines: 0,
            values: 0,
        }
    }

    /// Rows read so far (for an object, its longest staging table's).
    pub fn rows(&self) -> u64 {
        match &self.shape {
            Shape::Rows(r) => r.rows,
            Shape::Object(m) => m.keyed.as_ref().map_or(0, |k| k.rows).max(m.lists.iter().map(|(l, _)| l.rows).max().unwrap_or(0)),
            Shape::Unknown => 0,
        }
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
        // Out of `self` while it is read, so that values are read in place.
        let mut pending = std::mem::take(&mut self.pending);
        let mut inserts = Inserts::new(conn);
        let outcome = self.read_values(&pending, &mut inserts, last);
        drop(inserts);
        // Only what was consumed is dropped: a value still arriving stays.
        let consumed = outcome.as_ref().map_or(0, |&consumed| consumed);
        let keep_from = consumed.min(self.scan.value_start.unwrap_or(consumed));
        self.dropped_bytes += keep_from as u64;
        self.dropped_lines += line_ends(&pending[..keep_from]);
        pending.drain(..keep_from);
        self.scan.shift(keep_from);
        self.pending = pending;
        outcome.map(|_| ())
    }

    /// Reads the values `pending` holds, each row inserted; returns how
    /// much of it was consumed.
    fn read_values(&mut self, pending: &str, inserts: &mut Inserts, last: bool) -> Result<usize> {
        let mut consumed = 0;
        loop {
            // Rows one after another, as most files are: serde_json reads
            // each whole, and the scanner steps over it.
            if let (Shape::Rows(rows), Some(from)) = (&mut self.shape, self.scan.next_row_object(pending)) {
                if let Some((row, length)) = parse_leading_object(&pending[from..]) {
                    self.values += 1;
                    let end = from + length;
                    if let Err(e) = rows.insert_row(inserts, None, &pending[from..end], row) {
                        return Err(e.at(self.position_at(pending, from)));
                    }
                    self.scan.pos = end;
                    consumed = end;
                    continue;
                }
            }
            let Some(event) = self.scan.next(pending, last)? else { break };
            match event {
                Event::Value { start, end, depth } => {
                    self.values += 1;
                    if let Err(e) = self.value(inserts, &pending[start..end], depth) {
                        return Err(e.at(self.position_at(pending, start)));
                    }
                    consumed = end;
                }
                Event::Key { start, end } => {
                    let key: String =
                        serde_json::from_str(&pending[start..end]).map_err(|e| bad(format!("a key is not valid JSON: {e}")))?;
                    if let Shape::Object(members) = &mut self.shape {
                        members.key = Some(key);
                    }
                    consumed = end;
                }
                Event::Open { at, list, depth } => {
                    self.open(inserts.conn, list, depth)?;
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
        Ok(consumed)
    }

    /// Where the value being read, which starts at `pending[start..]`, is.
    fn position_at(&self, pending: &str, start: usize) -> Position {
        let lines = line_ends(&pending[..start]);
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
    fn value(&mut self, inserts: &mut Inserts, text: &str, depth: u32) -> Result<()> {
        let conn = inserts.conn;
        // Values come from the scanner without leading space.
        let is_object = text.starts_with('{');
        match &mut self.shape {
            // A document that is one value after another: each a row.
            Shape::Unknown | Shape::Rows(_) if depth == 0 => {
                if matches!(self.shape, Shape::Unknown) {
                    self.shape = Shape::Rows(RowTable::create(conn, self.table.clone(), false)?);
                }
                if let Shape::Rows(rows) = &mut self.shape {
                    rows.insert(inserts, None, text)?;
                }
            }
            Shape::Rows(rows) => rows.insert(inserts, None, text)?,
            Shape::Object(members) if depth == 2 => {
                if let Some(i) = members.in_list {
                    let (list, all_objects) = &mut members.lists[i];
                    *all_objects &= is_object;
                    list.insert(inserts, None, text)?;
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
                if is_object {
                    if members.keyed.is_none() {
                        members.keyed = Some(RowTable::create(
                            conn,
                            free_table_name(conn, &format!("_explorer staging: keyed {}", self.table))?,
                            true,
                        )?);
                    }
                    if let Some(keyed) = &mut members.keyed {
                        keyed.insert(inserts, Some(&key), text)?;
                    }
                } else {
                    // Not a row, but it must be JSON all the same.
                    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(not_valid)?;
                }
                members.count += 1;
                members.raw_bytes += key.len() + text.len();
                if members.raw_bytes <= ONE_ROW_MAX_BYTES {
                    members.raw.push((key, text.to_string()));
                }
            }
            Shape::Unknown => {}
        }
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
            one.insert(&mut Inserts::new(conn), None, &Value::Object(row).to_string())?;
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
            recent: Vec::new(),
            slots: Vec::new(),
            tallies: Vec::new(),
            insert_sql: None,
            rows: 0,
            made: false,
            buffer: Vec::new(),
            buffer_bytes: 0,
        })
    }

    /// Adds a row: `text`, one JSON value (an object's members are its
    /// cells; anything else is the one cell `value`).
    fn insert(&mut self, inserts: &mut Inserts, key: Option<&str>, text: &str) -> Result<()> {
        let row = parse_row(text).map_err(not_valid)?;
        self.insert_row(inserts, key, text, row)
    }

    /// Adds `row`, read from `text`.
    fn insert_row(&mut self, inserts: &mut Inserts, key: Option<&str>, text: &str, row: JsonRow) -> Result<()> {
        let new_columns = self.place(&row)?;
        for (column, &slot) in self.slots.iter().enumerate() {
            if let Some(cell) = placed(slot, &row) {
                self.tallies[column].add(cell);
            }
        }
        self.rows += 1;
        if !self.made {
            self.buffer.push((key.map(String::from), text.to_string()));
            self.buffer_bytes += text.len();
            if self.buffer.len() >= BUFFER_ROWS || self.buffer_bytes >= BUFFER_BYTES {
                self.make(inserts)?;
            }
            return Ok(());
        }
        for column in new_columns {
            inserts.conn.execute_batch(&format!("ALTER TABLE {} ADD COLUMN {column}", quote_ident(&self.name)))?;
        }
        self.write(inserts, key, &row)
    }

    /// Finds each cell's column (adding columns for new keys, whose
    /// quoted names are returned) and notes it in `slots`.
    fn place(&mut self, row: &JsonRow) -> Result<Vec<String>> {
        let offset = usize::from(self.keyed);
        let mut new_columns = Vec::new();
        self.slots.iter_mut().for_each(|slot| *slot = 0);
        for (at, (key, _)) in row.iter().enumerate() {
            let column = match self.recent.get(at) {
                Some((recent, column)) if recent == key => *column,
                _ => {
                    let column = match self.index.get(key.as_ref()) {
                        Some(&column) => column,
                        None => {
                            check_width(self.index.len() + 1 + offset)?;
                            let column = self.index.len();
                            new_columns.push(quote_ident(&self.names.add(key, column + offset)));
                            self.index.insert(key.to_string(), column);
                            self.tallies.push(TypeTally::default());
                            self.slots.push(0);
                            self.insert_sql = None;
                            column
                        }
                    };
                    if at < self.recent.len() {
                        self.recent[at] = (key.to_string(), column);
                    } else {
                        self.recent.push((key.to_string(), column));
                    }
                    column
                }
            };
            // A key given twice keeps its first place and its last value.
            self.slots[column] = at as u32 + 1;
        }
        Ok(new_columns)
    }

    /// Makes the table with every column known so far and writes the
    /// buffered rows.
    fn make(&mut self, inserts: &mut Inserts) -> Result<()> {
        let mut columns: Vec<String> = self.names.names().iter().map(|n| quote_ident(n)).collect();
        if self.keyed {
            columns[0] = format!("{} TEXT PRIMARY KEY", quote_ident("_key"));
        }
        if columns.is_empty() {
            return Err(bad("the JSON holds no objects to make rows from"));
        }
        inserts.conn.execute_batch(&format!("CREATE TABLE {} ({})", quote_ident(&self.name), columns.join(", ")))?;
        self.made = true;
        self.buffer_bytes = 0;
        for (key, text) in std::mem::take(&mut self.buffer) {
            let row = parse_row(&text).map_err(not_valid)?;
            self.place(&row)?;
            self.write(inserts, key.as_deref(), &row)?;
        }
        Ok(())
    }

    /// Inserts `row`, whose cells `place` has just found columns for.
    fn write(&mut self, inserts: &mut Inserts, key: Option<&str>, row: &JsonRow) -> Result<()> {
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
        let slots = &self.slots;
        inserts.get(&self.name, sql, width)?.execute_with(|bound| {
            if let Some(key) = key {
                bound.set(0, ValueRef::Text(key.as_bytes()))?;
            }
            // Every column is bound: absent keys are NULL.
            for (column, &slot) in slots.iter().enumerate() {
                let cell = placed(slot, row).map_or(ValueRef::Null, JsonCell::as_sql);
                bound.set(column + offset, cell)?;
            }
            Ok(())
        })
    }

    /// Declares each column's type, turning numbers in TEXT columns into
    /// their text (as the column's type would have on insert).
    fn finish(&mut self, conn: &Connection) -> Result<()> {
        if !self.made {
            self.make(&mut Inserts::new(conn))?;
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

/// The cell a column's `slot` (`RowTable::slots`) points at in `row`.
fn placed<'r, 'a>(slot: u32, row: &'r JsonRow<'a>) -> Option<&'r JsonCell<'a>> {
    let at = slot.checked_sub(1)?;
    row.get(at as usize).map(|(_, cell)| cell)
}

/// Counts of a column's non-null values by kind, for its type.
#[derive(Debug, Default, Clone, Copy)]
struct TypeTally {
    any: u64,
    ints: u64,
    numbers: u64,
}

impl TypeTally {
    fn add(&mut self, cell: &JsonCell) {
        match cell {
            JsonCell::Null => return,
            JsonCell::Integer(_) => self.ints += 1,
            JsonCell::Real(_) => self.numbers += 1,
            JsonCell::Text(_) | JsonCell::Nested(_) => {}
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

fn line_ends(text: &str) -> u64 {
    memchr::memchr_iter(b'\n', text.as_bytes()).count() as u64
}

fn not_valid(e: serde_json::Error) -> Error {
    bad(format!("the JSON is not valid: {e}"))
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

/// The bytes that open or close a string or a container.
const STRUCTURE: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// The bytes that end a string or start an escape in it.
const STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

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

    /// Where the next row starts, when it is an object and the scanner is
    /// between the rows of a list or of newline-delimited values (past
    /// blanks and the commas, which it does not check either).
    fn next_row_object(&self, text: &str) -> Option<usize> {
        let between_rows = !self.in_string
            && self.value_start.is_none()
            && match self.stack.as_slice() {
                [] => self.whole_top_level,
                [(true, true)] => true,
                _ => false,
            };
        if !between_rows {
            return None;
        }
        let bytes = text.as_bytes();
        let mut at = self.pos;
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r' | b',') {
            at += 1;
        }
        (bytes.get(at) == Some(&b'{')).then_some(at)
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
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    self.pos += 1;
                    continue;
                }
                // Straight to the string's end or its next escape (a plain
                // loop: most strings are a few bytes, shorter than a
                // search's set-up, and wasm's has no SIMD).
                while self.pos < bytes.len() && !STRING_STOP[usize::from(bytes[self.pos])] {
                    self.pos += 1;
                }
                if self.pos == bytes.len() {
                    break;
                }
                let at = self.pos;
                self.pos = at + 1;
                if bytes[at] == b'\\' {
                    self.escaped = true;
                    continue;
                }
                self.in_string = false;
                if let Some(start) = self.key_start.take() {
                    return Ok(Some(Event::Key { start, end: at + 1 }));
                }
                if let Some(event) = self.end_scalar_if_done(at + 1) {
                    return Ok(Some(event));
                }
                continue;
            }
            let collecting = self.value_start.is_some();
            if collecting && self.stack.len() as u32 > self.value_depth {
                // Inside a value being collected only strings and nesting
                // matter.
                while self.pos < bytes.len() && !STRUCTURE[usize::from(bytes[self.pos])] {
                    self.pos += 1;
                }
                if self.pos == bytes.len() {
                    break;
                }
            }
            let at = self.pos;
            let b = bytes[at];
            self.pos += 1;
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
