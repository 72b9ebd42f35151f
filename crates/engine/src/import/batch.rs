//! CSV parsed on one thread and inserted on another: the parser (the
//! worker's second instance, `crates/worker/src/csv_parser.rs`) turns the
//! file into batches of rows already classified (`BatchWriter`, written by
//! `delimited.rs` in batch mode: `CsvBatches`), and the worker that owns
//! SQLite inserts them (`BatchImport`). With two cores the two halves,
//! about equal in cost, overlap.
//!
//! A batch is a run of items; numbers are LEB128 varints (`n`), signed
//! ones zigzagged first, so small ones take a byte:
//! - `H` n count, count × (n len, UTF-8): the header's column names, made
//!   usable (`ColumnNames`): the table is created with them;
//! - `W` the same: columns a long row added;
//! - `R` n record, n line, n byte (the row's `Position`, each as the
//!   difference from the previous row's in the batch), n width (the
//!   table's then), width cells, each a tag: 0 empty (NULL), 1 integer
//!   (zigzag n), 2 real stored as REAL (8 bytes, little-endian), 3 text
//!   (n len, UTF-8), 4 text that reads as a real but is kept as text
//!   (`1.50`). A batch is about as long as the text it came from.
//!
//! The tags carry each cell's vote (`ColumnVote::add`), so the types come
//! out as a direct import's do (tested: every CSV fixture both ways).
//!
//! Invariant: a batch is only ever made by `BatchWriter` and read by
//! `BatchImport` of the same build; a malformed one is an error, never a
//! panic or an out-of-bounds read.

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::delimited::{DelimitedImport, DelimitedOptions};
use super::insert::RowInsert;
use super::table::{finish_table, NewTable};
use super::types::{ColumnVote, Shape};
use crate::error::{Error, ErrorKind, Position, PositionUnit, Result};

const HEADER: u8 = b'H';
const WIDEN: u8 = b'W';
const ROW: u8 = b'R';

const EMPTY: u8 = 0;
const INTEGER: u8 = 1;
const REAL: u8 = 2;
const TEXT: u8 = 3;
const REAL_AS_TEXT: u8 = 4;

/// Rows encoded as they are parsed.
#[derive(Debug, Default)]
pub(crate) struct BatchWriter {
    bytes: Vec<u8>,
    /// The last row's position, which the next one is written against.
    last: [u64; 3],
}

impl BatchWriter {
    pub fn header(&mut self, names: &[String]) {
        self.names(HEADER, names);
    }

    pub fn widen(&mut self, names: &[String]) {
        self.names(WIDEN, names);
    }

    fn names(&mut self, tag: u8, names: &[String]) {
        self.bytes.push(tag);
        self.varint(names.len() as u64);
        for name in names {
            self.varint(name.len() as u64);
            self.bytes.extend_from_slice(name.as_bytes());
        }
    }

    pub fn row_start(&mut self, position: Position, width: usize) {
        self.bytes.push(ROW);
        let now = [position.number, position.line, position.byte];
        for (n, last) in now.into_iter().zip(self.last) {
            // Rows only move forward; wrapping keeps a bug from panicking.
            self.varint(n.wrapping_sub(last));
        }
        self.last = now;
        self.varint(width as u64);
    }

    /// One cell: its text, its shape and whether a real is stored as REAL.
    pub fn cell(&mut self, text: &str, shape: Shape, as_real: bool) {
        match shape {
            Shape::Empty => self.bytes.push(EMPTY),
            Shape::Integer(n) => {
                self.bytes.push(INTEGER);
                self.varint(((n << 1) ^ (n >> 63)) as u64);
            }
            Shape::Real(r) if as_real => {
                self.bytes.push(REAL);
                self.bytes.extend_from_slice(&r.to_le_bytes());
            }
            Shape::Real(_) | Shape::Text => {
                self.bytes.push(if matches!(shape, Shape::Text) { TEXT } else { REAL_AS_TEXT });
                self.varint(text.len() as u64);
                self.bytes.extend_from_slice(text.as_bytes());
            }
        }
    }

    fn varint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.bytes.push(n as u8 | 0x80);
            n >>= 7;
        }
        self.bytes.push(n as u8);
    }

    /// The batch so far; the next one starts empty, positions written
    /// against none (each batch is read on its own).
    pub fn take(&mut self) -> Vec<u8> {
        self.last = [0; 3];
        let capacity = self.bytes.len();
        std::mem::replace(&mut self.bytes, Vec::with_capacity(capacity))
    }
}

/// The parsing half: a delimited file in, batches out. Knows nothing of
/// SQLite, so it runs where no database is open.
pub struct CsvBatches {
    import: DelimitedImport,
}

impl CsvBatches {
    pub fn new(options: DelimitedOptions) -> CsvBatches {
        CsvBatches { import: DelimitedImport::batches(options) }
    }

    /// Parses the next chunk; returns the rows it completed as a batch
    /// (empty while the first 64 KB are gathered to sniff the format).
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<u8>> {
        self.import.push_parsed(chunk)?;
        Ok(self.import.take_batch())
    }

    /// The file has ended: the last batch, and the warnings about the
    /// file (its encoding) for the import's report.
    pub fn finish(mut self) -> Result<(Vec<u8>, Vec<String>)> {
        let warnings = self.import.finish_parsing()?;
        Ok((self.import.take_batch(), warnings))
    }
}

/// The inserting half: batches in, a table out.
pub(crate) struct BatchImport {
    table: NewTable,
    columns: Vec<(String, ColumnVote)>,
    insert_sql: String,
    warnings: Vec<String>,
}

impl BatchImport {
    pub fn new(table: NewTable) -> BatchImport {
        BatchImport { table, columns: Vec::new(), insert_sql: String::new(), warnings: Vec::new() }
    }

    pub fn rows(&self) -> u64 {
        self.table.rows
    }

    pub fn add_warnings(&mut self, warnings: Vec<String>) {
        self.warnings.extend(warnings);
    }

    /// Inserts one batch's rows (creating the table at its header).
    pub fn push(&mut self, conn: &Connection, batch: &[u8]) -> Result<()> {
        let mut input = Input { bytes: batch };
        let mut insert: Option<RowInsert<'_>> = None;
        // The previous row's record, line and byte (rows are written as
        // differences from it).
        let mut last = [0u64; 3];
        while let Some(tag) = input.next_tag() {
            match tag {
                HEADER => {
                    if !self.columns.is_empty() {
                        return Err(damaged());
                    }
                    let names = input.names()?;
                    self.table.create(conn, names.iter().copied())?;
                    self.columns = names.iter().map(|n| (n.to_string(), ColumnVote::default())).collect();
                    self.insert_sql = self.table.insert_sql(self.columns.len());
                    insert = None;
                }
                WIDEN => {
                    for name in input.names()? {
                        self.table.add_column(conn, name)?;
                        self.columns.push((name.to_string(), ColumnVote::default()));
                    }
                    self.insert_sql = self.table.insert_sql(self.columns.len());
                    insert = None;
                }
                ROW => {
                    for last in &mut last {
                        *last = last.wrapping_add(input.varint()?);
                    }
                    let position = Position { unit: PositionUnit::Record, number: last[0], line: last[1], byte: last[2] };
                    if input.varint()? != self.columns.len() as u64 || self.columns.is_empty() {
                        return Err(damaged());
                    }
                    let stmt = match &mut insert {
                        Some(stmt) => stmt,
                        None => insert.insert(RowInsert::new(conn, &self.insert_sql, self.columns.len())?),
                    };
                    let columns = &mut self.columns;
                    stmt.execute_with(|row| {
                        for (index, (_, vote)) in columns.iter_mut().enumerate() {
                            let (value, shape, as_real) = match input.take(1)?[0] {
                                EMPTY => (ValueRef::Null, Shape::Empty, false),
                                INTEGER => {
                                    let zigzag = input.varint()?;
                                    let n = (zigzag >> 1) as i64 ^ -((zigzag & 1) as i64);
                                    (ValueRef::Integer(n), Shape::Integer(n), false)
                                }
                                REAL => {
                                    let r = f64::from_le_bytes(input.array()?);
                                    (ValueRef::Real(r), Shape::Real(r), true)
                                }
                                tag @ (TEXT | REAL_AS_TEXT) => {
                                    let len = input.len()?;
                                    let text = input.take(len)?;
                                    let shape = if tag == TEXT { Shape::Text } else { Shape::Real(0.0) };
                                    (ValueRef::Text(text), shape, false)
                                }
                                _ => return Err(damaged()),
                            };
                            vote.add(shape, as_real);
                            row.set(index, value)?;
                        }
                        Ok(())
                    })
                    .map_err(|e| e.at(position))?;
                    self.table.rows += 1;
                }
                _ => return Err(damaged()),
            }
        }
        Ok(())
    }

    /// Settles the column types; the table's name, rows and warnings.
    pub fn finish(self, conn: &Connection) -> Result<super::ImportedTable> {
        if self.columns.is_empty() {
            return Err(Error::new(ErrorKind::BadRequest, "the file is empty: there is not even a header row"));
        }
        finish_table(conn, &self.table, &self.columns)?;
        Ok(super::ImportedTable { name: self.table.name, rows: self.table.rows, warnings: self.warnings })
    }
}

/// A batch being read; every read checks there is enough left.
struct Input<'b> {
    bytes: &'b [u8],
}

impl<'b> Input<'b> {
    /// The next item's tag, `None` at the end.
    fn next_tag(&mut self) -> Option<u8> {
        let (&tag, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(tag)
    }

    /// The next `n` bytes, all there or an error.
    #[inline(always)]
    fn take(&mut self, n: usize) -> Result<&'b [u8]> {
        if n > self.bytes.len() {
            return Err(damaged());
        }
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.take(N)?;
        bytes.try_into().map_err(|_| damaged())
    }

    #[inline(always)]
    fn varint(&mut self) -> Result<u64> {
        // Most numbers take one byte.
        if let Some((&byte, rest)) = self.bytes.split_first() {
            if byte < 0x80 {
                self.bytes = rest;
                return Ok(u64::from(byte));
            }
        }
        self.long_varint()
    }

    fn long_varint(&mut self) -> Result<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.bytes.split_first().ok_or_else(damaged)?;
            self.bytes = rest;
            n |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Ok(n);
            }
        }
        Err(damaged())
    }

    /// A length, which must fit what is left.
    fn len(&mut self) -> Result<usize> {
        let n = self.varint()?;
        usize::try_from(n).ok().filter(|&n| n <= self.bytes.len()).ok_or_else(damaged)
    }

    fn names(&mut self) -> Result<Vec<&'b str>> {
        let count = self.varint()?;
        let mut names = Vec::with_capacity((count as usize).min(super::MAX_COLUMNS));
        for _ in 0..count {
            let len = self.len()?;
            names.push(std::str::from_utf8(self.take(len)?).map_err(|_| damaged())?);
        }
        Ok(names)
    }
}

fn damaged() -> Error {
    Error::new(ErrorKind::Other, "the CSV parser sent a damaged batch of rows (a bug: please report it)")
}
