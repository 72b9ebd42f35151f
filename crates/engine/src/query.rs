//! Running SQL the user typed.

use protocol::{Cell, QueryResult, MAX_RETURNED_ROWS};
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::sink::RowSink;
use crate::sql::{cell_size, row_cells, too_large, RESULT_BYTES_MAX};
use crate::time_limit::{with_time_limit, Clock};

fn prepare<'c>(conn: &'c Connection, sql: &str) -> Result<rusqlite::Statement<'c>> {
    if sql.trim().is_empty() {
        return Err(Error::new(ErrorKind::BadRequest, "There is no SQL to run."));
    }
    // Each database is opened on its own, in memory: another file cannot
    // be attached, nor one written (`harden` sets the limit of attached
    // databases to 0 as well; this only gives the refusal clearer words).
    match crate::sql::first_keyword(sql).as_str() {
        "ATTACH" | "DETACH" => {
            return Err(Error::new(ErrorKind::Sql, "ATTACH and DETACH are not available here: each database is opened on its own. Open more files with ?url= and query each one."));
        }
        "VACUUM" => {
            return Err(Error::new(
                ErrorKind::Sql,
                "VACUUM is not available here: the database is a copy in memory. Use \"Download this database\" to save it.",
            ));
        }
        _ => {}
    }
    conn.prepare(sql).map_err(|e| match e {
        rusqlite::Error::MultipleStatement => Error::new(ErrorKind::Sql, "Only one statement can be run at a time; remove the others."),
        other => other.into(),
    })
}

/// The named parameters of `sql` (`:name`, `@name`, `$name`), without their
/// sigil, in order of first appearance.
pub fn query_parameters(conn: &Connection, sql: &str) -> Result<Vec<String>> {
    let stmt = prepare(conn, sql)?;
    let mut names = Vec::new();
    for i in 1..=stmt.parameter_count() {
        if let Some(name) = stmt.parameter_name(i) {
            let bare = name.trim_start_matches([':', '@', '$']).to_string();
            if !names.contains(&bare) {
                names.push(bare);
            }
        }
    }
    Ok(names)
}

/// Runs one statement under a time limit, with its named parameters bound
/// from `params` (as text, as Datasette does; a missing one is NULL), and
/// returns at most `max_rows` rows (capped at `MAX_RETURNED_ROWS`), saying
/// whether there were more.
///
/// Unless `allow_writes`, a statement that could change the database is
/// refused (`NeedsConfirmation`) before it runs: SQL from a shared link
/// only reads until the user asks for it to run.
pub fn run_query(conn: &mut Connection, clock: Clock, req: &protocol::QueryRequest) -> Result<QueryResult> {
    let started = clock();
    let writes = if req.allow_writes { Writes::Allowed } else { Writes::Refused };
    let mut result = CappedResult {
        max_rows: req.max_rows.clamp(1, MAX_RETURNED_ROWS) as usize,
        bytes_left: RESULT_BYTES_MAX,
        columns: Vec::new(),
        rows: Vec::new(),
    };
    let ran = each_row(conn, clock, &req.sql, &req.params, req.time_limit_ms, writes, &mut result)?;
    Ok(QueryResult {
        columns: result.columns,
        rows: result.rows,
        truncated: ran.stopped,
        rows_changed: ran.rows_changed,
        elapsed_ms: clock() - started,
    })
}

/// Keeps rows until `max_rows` or until their values pass `bytes_left`,
/// whichever comes first (the first row is always kept).
struct CappedResult {
    max_rows: usize,
    bytes_left: usize,
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

impl RowSink for CappedResult {
    fn begin(&mut self, columns: &[String]) -> Result<()> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, row: Vec<Cell>) -> Result<bool> {
        let size: usize = row.iter().map(cell_size).sum();
        if self.rows.len() == self.max_rows || (size > self.bytes_left && !self.rows.is_empty()) {
            return Ok(false);
        }
        self.bytes_left = self.bytes_left.saturating_sub(size);
        self.rows.push(row);
        Ok(true)
    }

    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Whether a statement may change the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    Allowed,
    Refused,
}

/// How a statement run by `each_row` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ran {
    /// The sink stopped it before its last row.
    pub stopped: bool,
    /// Rows changed, for a statement that writes.
    pub rows_changed: Option<u64>,
}

/// Runs one statement and streams its rows into `sink` until it says stop.
pub fn each_row(
    conn: &mut Connection,
    clock: Clock,
    sql: &str,
    params: &[(String, String)],
    time_limit_ms: u32,
    writes: Writes,
    sink: &mut impl RowSink,
) -> Result<Ran> {
    with_time_limit(conn, clock, time_limit_ms, |conn| {
        let mut stmt = prepare(conn, sql)?;
        if writes == Writes::Refused && !stmt.readonly() {
            return Err(Error::new(
                ErrorKind::NeedsConfirmation,
                "This statement would change the database, and it came from a link, so it has not run. Run it only if you meant to.",
            ));
        }
        for i in 1..=stmt.parameter_count() {
            let Some(name) = stmt.parameter_name(i).map(|n| n.trim_start_matches([':', '@', '$']).to_string()) else {
                return Err(Error::new(ErrorKind::Sql, "Use named parameters (:name), not ?, so they can be given values."));
            };
            let value = params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone());
            stmt.raw_bind_parameter(i, value)?;
        }
        let columns: Vec<String> = stmt.column_names().map(String::from).collect();
        let readonly = stmt.readonly();
        sink.begin(&columns)?;
        let mut stopped = false;
        let mut cursor = stmt.raw_query();
        while let Some(row) = cursor.next()? {
            let mut budget = RESULT_BYTES_MAX;
            let Some(cells) = row_cells(row, columns.len(), &mut budget)? else {
                return Err(too_large("A row of this result", "select length() or substr() of the big values instead"));
            };
            if !sink.row(cells)? {
                stopped = true;
                break;
            }
        }
        drop(cursor);
        sink.finish()?;
        let rows_changed = (!readonly).then(|| conn.changes());
        Ok(Ran { stopped, rows_changed })
    })
}
