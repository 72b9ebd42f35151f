//! Running SQL the user typed.

use protocol::{QueryResult, MAX_RETURNED_ROWS};
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::sql::cell_from_ref;
use crate::time_limit::{with_time_limit, Clock};

/// Runs one statement under a time limit and returns at most `max_rows` rows
/// (capped at `MAX_RETURNED_ROWS`), saying whether there were more.
pub fn run_query(conn: &mut Connection, clock: Clock, sql: &str, time_limit_ms: u32, max_rows: u32) -> Result<QueryResult> {
    if sql.trim().is_empty() {
        return Err(Error::new(ErrorKind::BadRequest, "There is no SQL to run."));
    }
    let max_rows = max_rows.clamp(1, MAX_RETURNED_ROWS) as usize;
    let started = clock();
    with_time_limit(conn, clock, time_limit_ms, |conn| {
        let mut stmt = conn.prepare(sql).map_err(|e| match e {
            rusqlite::Error::MultipleStatement => {
                Error::new(ErrorKind::Sql, "Only one statement can be run at a time; remove the others.")
            }
            other => other.into(),
        })?;
        let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let readonly = stmt.readonly();
        let width = columns.len();
        let mut rows = Vec::new();
        let mut truncated = false;
        let mut cursor = stmt.raw_query();
        while let Some(row) = cursor.next()? {
            if rows.len() == max_rows {
                truncated = true;
                break;
            }
            rows.push((0..width).map(|i| row.get_ref(i).map(cell_from_ref)).collect::<rusqlite::Result<Vec<_>>>()?);
        }
        drop(cursor);
        let rows_changed = (!readonly).then(|| conn.changes());
        Ok(QueryResult { columns, rows, truncated, rows_changed, elapsed_ms: clock() - started })
    })
}
