//! Exporting a table view or a query as CSV, JSON or newline-delimited
//! JSON, in pieces, so a large export never exists as one string.

use protocol::{Cell, Cursor, ExportFormat, ExportRequest, ExportSource, TablePageRequest, MAX_PAGE_SIZE};
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::query::{each_row, Writes};
use crate::sink::{RowSink, Take};
use crate::sql::{row_cells, too_large, value_from_cell, RESULT_BYTES_MAX};
use crate::table_page::rows_page;
use crate::time_limit::{with_time_limit, Clock};

/// Bytes gathered before a piece is handed on.
pub const EXPORT_CHUNK: usize = 64 * 1024;
/// An export of all rows may run this long per statement.
pub const EXPORT_TIME_LIMIT_MS: u32 = 30_000;

/// Writes rows in one format into pieces of about `EXPORT_CHUNK` bytes,
/// each handed to `out` as it fills.
pub struct Writer<F: FnMut(Vec<u8>)> {
    format: ExportFormat,
    columns: Vec<String>,
    buffer: Vec<u8>,
    rows: u64,
    out: F,
}

impl<F: FnMut(Vec<u8>)> Writer<F> {
    pub fn new(format: ExportFormat, out: F) -> Self {
        Writer { format, columns: Vec::new(), buffer: Vec::with_capacity(EXPORT_CHUNK), rows: 0, out }
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    fn csv_record<'a>(&mut self, fields: impl Iterator<Item = &'a str>) -> Result<()> {
        let mut csv = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut self.buffer);
        csv.write_record(fields).map_err(|e| Error::new(ErrorKind::Sql, e.to_string()))?;
        csv.flush().map_err(|e| Error::new(ErrorKind::Sql, e.to_string()))?;
        Ok(())
    }
}

impl<F: FnMut(Vec<u8>)> RowSink for Writer<F> {
    /// The CSV header, or the JSON list's opening bracket.
    fn begin(&mut self, columns: &[String]) -> Result<()> {
        self.columns = columns.to_vec();
        match self.format {
            ExportFormat::Csv => self.csv_record(columns.iter().map(String::as_str)),
            ExportFormat::Json => {
                self.buffer.push(b'[');
                Ok(())
            }
            ExportFormat::NdJson => Ok(()),
        }
    }

    fn row(&mut self, row: Vec<Cell>) -> Result<bool> {
        match self.format {
            ExportFormat::Csv => {
                // NULL is an empty field; a BLOB its hex digits.
                let fields: Vec<String> = row
                    .iter()
                    .map(|c| match c {
                        Cell::Blob(b) => protocol::hex(b),
                        other => other.display(),
                    })
                    .collect();
                self.csv_record(fields.iter().map(String::as_str))?;
            }
            ExportFormat::Json | ExportFormat::NdJson => {
                if self.format == ExportFormat::Json && self.rows > 0 {
                    self.buffer.push(b',');
                }
                if self.format == ExportFormat::Json {
                    self.buffer.push(b'\n');
                }
                let object: serde_json::Map<String, serde_json::Value> =
                    self.columns.iter().cloned().zip(row.iter().map(Cell::to_json)).collect();
                serde_json::to_writer(&mut self.buffer, &object).map_err(|e| Error::new(ErrorKind::Sql, e.to_string()))?;
                if self.format == ExportFormat::NdJson {
                    self.buffer.push(b'\n');
                }
            }
        }
        self.rows += 1;
        if self.buffer.len() >= EXPORT_CHUNK {
            (self.out)(std::mem::replace(&mut self.buffer, Vec::with_capacity(EXPORT_CHUNK)));
        }
        Ok(true)
    }

    fn finish(&mut self) -> Result<()> {
        if self.format == ExportFormat::Json {
            self.buffer.extend_from_slice(b"\n]\n");
        }
        if !self.buffer.is_empty() {
            (self.out)(std::mem::take(&mut self.buffer));
        }
        Ok(())
    }
}

pub fn export(conn: &mut Connection, clock: Clock, req: &ExportRequest, out: impl FnMut(Vec<u8>)) -> Result<u64> {
    let mut writer = Writer::new(req.format, out);
    match &req.source {
        ExportSource::Query(q) => {
            let limit = if req.all { EXPORT_TIME_LIMIT_MS } else { q.time_limit_ms };
            let max = if req.all { u64::MAX } else { u64::from(q.max_rows.clamp(1, protocol::MAX_RETURNED_ROWS)) };
            each_row(conn, clock, &q.sql, &q.params, limit, Writes::Refused, &mut Take { inner: &mut writer, left: max })?;
        }
        ExportSource::Table(t) => export_table(conn, clock, t, req.all, &mut writer)?,
    }
    Ok(writer.rows())
}

/// A table view's rows: its page, or all of it (page by page on keyset
/// tables; in one statement where paging would sort again per page).
fn export_table(conn: &mut Connection, clock: Clock, view: &TablePageRequest, all: bool, sink: &mut impl RowSink) -> Result<()> {
    // Pages of rows only: no counts, facets or labels per page.
    let mut request = view.clone();
    if all {
        request.after = None;
        request.page_size = MAX_PAGE_SIZE;
        request.time_limit_ms = EXPORT_TIME_LIMIT_MS;
    }
    let mut page = rows_page(conn, clock, &request)?;
    sink.begin(&page.plan.display)?;
    if all && matches!(page.next, Some(Cursor::Offset(_))) {
        // A view (or a relevance order) pages by OFFSET, which sorts
        // again for every page: all of it goes as one statement.
        let (sql, params) = &page.scan;
        let width = page.plan.display.len();
        with_time_limit(conn, clock, EXPORT_TIME_LIMIT_MS, |c| {
            let mut stmt = c.prepare(sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(value_from_cell)))?;
            while let Some(row) = rows.next()? {
                let mut budget = RESULT_BYTES_MAX;
                let Some(cells) = row_cells(row, width, &mut budget)? else {
                    return Err(too_large("A row of this view", "hide its big columns (_nocol=) before exporting"));
                };
                if !sink.row(cells)? {
                    break;
                }
            }
            Ok(())
        })?;
        return sink.finish();
    }
    loop {
        for row in std::mem::take(&mut page.rows) {
            if !sink.row(row)? {
                return sink.finish();
            }
        }
        match (&page.next, all) {
            (Some(next), true) => {
                request.after = Some(next.clone());
                page = rows_page(conn, clock, &request)?;
            }
            _ => return sink.finish(),
        }
    }
}
