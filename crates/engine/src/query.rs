//! Running SQL the user typed.

use protocol::{QueryResult, MAX_RETURNED_ROWS};
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
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
    let max_rows = req.max_rows.clamp(1, MAX_RETURNED_ROWS) as usize;
    let mut rows = Vec::new();
    let started = clock();
    let writes = if req.allow_writes { Writes::Allowed } else { Writes::Refused };
    // Rows stop at `max_rows` or when their values pass RESULT_BYTES_MAX,
    // whichever comes first; either way the result says it was cut.
    let mut bytes_left = RESULT_BYTES_MAX;
    let (columns, truncated, rows_changed) = each_row(conn, clock, &req.sql, &req.params, req.time_limit_ms, writes, |_, row| {
        let size: usize = row.iter().map(cell_size).sum();
        if rows.len() == max_rows || (size > bytes_left && !rows.is_empty()) {
            return Ok(false);
        }
        bytes_left = bytes_left.saturating_sub(size);
        rows.push(row);
        Ok(true)
    })?;
    Ok(QueryResult { columns, rows, truncated, rows_changed, elapsed_ms: clock() - started })
}

/// Whether a statement may change the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    Allowed,
    Refused,
}

/// Runs one statement and hands each row (with the column names) to
/// `on_row` until it says stop.
/// Returns the column names, whether it was stopped early, and the rows
/// changed by a writing statement.
pub fn each_row(
    conn: &mut Connection,
    clock: Clock,
    sql: &str,
    params: &[(String, String)],
    time_limit_ms: u32,
    writes: Writes,
    mut on_row: impl FnMut(&[String], Vec<protocol::Cell>) -> Result<bool>,
) -> Result<(Vec<String>, bool, Option<u64>)> {
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
        let width = columns.len();
        let mut stopped = false;
        let mut cursor = stmt.raw_query();
        while let Some(row) = cursor.next()? {
            let mut budget = RESULT_BYTES_MAX;
            let Some(cells) = row_cells(row, width, &mut budget)? else {
                return Err(too_large("A row of this result", "select length() or substr() of the big values instead"));
            };
            if !on_row(&columns, cells)? {
                stopped = true;
                break;
            }
        }
        drop(cursor);
        let rows_changed = (!readonly).then(|| conn.changes());
        Ok((columns, stopped, rows_changed))
    })
}
