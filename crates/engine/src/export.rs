//! Exporting a table view or a query as CSV, JSON or newline-delimited
//! JSON, in pieces, so a large export never exists as one string.

use protocol::{Cell, Cursor, ExportFormat, ExportRequest, ExportSource, MAX_PAGE_SIZE};
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::query::{each_row, Writes};
use crate::sql::{row_cells, too_large, value_from_cell, RESULT_BYTES_MAX};
use crate::table_page::rows_page;
use crate::time_limit::{with_time_limit, Clock};

/// Bytes gathered before a piece is handed on.
pub const EXPORT_CHUNK: usize = 64 * 1024;
/// An export of all rows may run this long per statement.
pub const EXPORT_TIME_LIMIT_MS: u32 = 30_000;

/// Writes rows in one format into pieces.
pub struct Writer<F: FnMut(Vec<u8>)> {
    format: ExportFormat,
    columns: Vec<String>,
    buffer: Vec<u8>,
    rows: u64,
    sink: F,
}

impl<F: FnMut(Vec<u8>)> Writer<F> {
    pub fn new(format: ExportFormat, columns: Vec<String>, sink: F) -> Result<Self> {
        let mut writer = Writer { format, columns, buffer: Vec::with_capacity(EXPORT_CHUNK), rows: 0, sink };
        match format {
            ExportFormat::Csv => {
                let header = writer.columns.clone();
                writer.csv_record(header.iter().map(String::as_str))?;
            }
            ExportFormat::Json => writer.buffer.push(b'['),
            ExportFormat::NdJson => {}
        }
        Ok(writer)
    }

    fn csv_record<'a>(&mut self, fields: impl Iterator<Item = &'a str>) -> Result<()> {
        let mut csv = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut self.buffer);
        csv.write_record(fields).map_err(|e| Error::new(ErrorKind::Sql, e.to_string()))?;
        csv.flush().map_err(|e| Error::new(ErrorKind::Sql, e.to_string()))?;
        Ok(())
    }

    pub fn row(&mut self, row: &[Cell]) -> Result<()> {
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
            (self.sink)(std::mem::replace(&mut self.buffer, Vec::with_capacity(EXPORT_CHUNK)));
        }
        Ok(())
    }

    pub fn finish(mut self) -> u64 {
        if self.format == ExportFormat::Json {
            self.buffer.extend_from_slice(b"\n]\n");
        }
        if !self.buffer.is_empty() {
            (self.sink)(std::mem::take(&mut self.buffer));
        }
        self.rows
    }
}

pub fn export(conn: &mut Connection, clock: Clock, req: &ExportRequest, sink: impl FnMut(Vec<u8>)) -> Result<u64> {
    match &req.source {
        ExportSource::Query(q) => {
            let mut writer: Option<Writer<_>> = None;
            let mut sink = Some(sink);
            let limit = if req.all { EXPORT_TIME_LIMIT_MS } else { q.time_limit_ms };
            let max = if req.all { u64::MAX } else { u64::from(q.max_rows.clamp(1, protocol::MAX_RETURNED_ROWS)) };
            let mut seen = 0u64;
            let (columns, _, _) = each_row(conn, clock, &q.sql, &q.params, limit, Writes::Refused, |columns, row| {
                if seen == max {
                    return Ok(false);
                }
                seen += 1;
                let w = match (&mut writer, sink.take()) {
                    (Some(w), _) => w,
                    (None, Some(sink)) => writer.insert(Writer::new(req.format, columns.to_vec(), sink)?),
                    // The sink goes to the first writer, made with the first row.
                    (None, None) => return Err(Error::new(ErrorKind::BadRequest, "the export lost its output")),
                };
                w.row(&row)?;
                Ok(true)
            })?;
            // No rows: still a header (CSV) or an empty list (JSON).
            let writer = match (writer, sink) {
                (Some(w), _) => w,
                (None, Some(sink)) => Writer::new(req.format, columns, sink)?,
                (None, None) => return Err(Error::new(ErrorKind::BadRequest, "the export lost its output")),
            };
            Ok(writer.finish())
        }
        ExportSource::Table(t) => {
            // Pages of rows only: no counts, facets or labels per page.
            let mut request = t.clone();
            if req.all {
                request.after = None;
                request.page_size = MAX_PAGE_SIZE;
                request.time_limit_ms = EXPORT_TIME_LIMIT_MS;
            }
            let first = rows_page(conn, clock, &request)?;
            let mut writer = Writer::new(req.format, first.plan.display.clone(), sink)?;
            if req.all && matches!(first.next, Some(Cursor::Offset(_))) {
                // A view (or a relevance order) pages by OFFSET, which sorts
                // again for every page: all of it goes as one statement.
                let (sql, params) = &first.scan;
                let width = first.plan.display.len();
                with_time_limit(conn, clock, EXPORT_TIME_LIMIT_MS, |c| {
                    let mut stmt = c.prepare(sql)?;
                    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(value_from_cell)))?;
                    while let Some(row) = rows.next()? {
                        let mut budget = RESULT_BYTES_MAX;
                        let Some(cells) = row_cells(row, width, &mut budget)? else {
                            return Err(too_large("A row of this view", "hide its big columns (_nocol=) before exporting"));
                        };
                        writer.row(&cells)?;
                    }
                    Ok(())
                })?;
                return Ok(writer.finish());
            }
            let mut page = first;
            loop {
                for row in &page.rows {
                    writer.row(row)?;
                }
                match (&page.next, req.all) {
                    (Some(next), true) => {
                        request.after = Some(next.clone());
                        page = rows_page(conn, clock, &request)?;
                    }
                    _ => break,
                }
            }
            Ok(writer.finish())
        }
    }
}
