//! A row page: every column of one row, in full, and the rows elsewhere
//! that point at it.

use protocol::{Cell, RowPage, RowRequest};
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::filters::typed;
use crate::plan::{plan, RowKey};
use crate::relations;
use crate::sql::{quote_ident, row_cells, too_large, value_from_cell, RESULT_BYTES_MAX};
use crate::time_limit::{with_time_limit, Clock};

pub fn row_page(conn: &mut Connection, clock: Clock, req: &RowRequest, limit_ms: u32, chosen: &relations::LabelColumns) -> Result<RowPage> {
    let plan = plan(conn, &req.table)?;
    if plan.key == RowKey::None {
        return Err(Error::new(ErrorKind::NotFound, format!("{} is a view: its rows have no pages of their own.", req.table)));
    }
    let key_columns = plan.row_key.clone();
    if key_columns.len() != req.key.len() {
        return Err(Error::new(
            ErrorKind::BadRequest,
            format!(
                "A row of {} is named by {} value(s) ({}), not {}.",
                req.table,
                key_columns.len(),
                key_columns.join(", "),
                req.key.len()
            ),
        ));
    }
    let select: Vec<String> = plan.display.iter().map(|c| if plan.all_columns.contains(c) { quote_ident(c) } else { c.clone() }).collect();
    let condition: Vec<String> =
        key_columns.iter().map(|c| format!("{} = ?", if plan.all_columns.contains(c) { quote_ident(c) } else { c.clone() })).collect();
    let sql = format!("SELECT {} FROM {} WHERE {}", select.join(", "), plan.from, condition.join(" AND "));
    let key: Vec<Cell> = req.key.iter().map(|k| typed(k)).collect();
    let width = select.len();
    let values = with_time_limit(conn, clock, limit_ms, |c| {
        let params: Vec<_> = key.iter().map(value_from_cell).collect();
        let mut stmt = c.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut budget = RESULT_BYTES_MAX;
        match rows.next()? {
            Some(row) => match row_cells(row, width, &mut budget)? {
                Some(cells) => Ok(Some(cells)),
                None => Err(too_large("This row", "query length() or substr() of its big values instead")),
            },
            None => Ok(None),
        }
    })?
    .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("{} has no row {}.", req.table, req.key.join(", "))))?;
    let foreign_keys = relations::foreign_keys(conn, &req.table)?;
    let links = relations::links(conn, clock, &foreign_keys, &plan.display, std::slice::from_ref(&values), limit_ms, chosen);
    // Incoming keys may reference columns that are not shown (a hidden rowid).
    let incoming = relations::incoming(conn, clock, &req.table, &plan.display, &values, limit_ms)?;
    Ok(RowPage { columns: plan.display, column_types: plan.types, values, key_columns, links, incoming })
}
