//! `SelectedRows`: the rows a table view or a query selects, as a FROM
//! clause and conditions with their values, for work that reads them
//! again in its own statements (column summaries, charts).

use protocol::Cell;
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::sql::value_from_cell;
use crate::time_limit::{with_time_limit, Clock};

/// `FROM {from} {where}`, with the values its placeholders take.
pub struct SelectedRows {
    pub from: String,
    /// Empty, or ` WHERE …` (with a leading space).
    pub where_sql: String,
    /// Values for the `?` placeholders, in order (a table view's filters).
    pub params: Vec<Cell>,
    /// Values for named parameters (a query's `:name`).
    pub named: Vec<(String, Cell)>,
    /// The columns: name and declared type, in order.
    pub columns: Vec<(String, String)>,
}

impl SelectedRows {
    /// The rows `FROM {from}` (a quoted table or a parenthesized SELECT
    /// with an alias) matching `conditions` with `params`; `named` gives a
    /// query's `:name` parameters.
    pub fn new(
        from: String,
        conditions: &[String],
        params: Vec<Cell>,
        named: Vec<(String, Cell)>,
        columns: Vec<(String, String)>,
    ) -> SelectedRows {
        let where_sql = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
        SelectedRows { from, where_sql, params, named, columns }
    }

    /// The rows of a query: only a single read-only SELECT will do.
    pub fn of_query(conn: &Connection, sql: &str, params: &[(String, String)], doing: &str) -> Result<SelectedRows> {
        let sql = sql.trim().trim_end_matches(';').trim();
        let statement = conn.prepare(sql).map_err(|e| Error::new(ErrorKind::Sql, e.to_string()))?;
        if !statement.readonly() || statement.column_count() == 0 {
            return Err(Error::new(ErrorKind::BadRequest, format!("Only a query that reads rows can be {doing}.")));
        }
        // A result's columns have no declared type to show.
        let columns = statement.column_names().map(|name| (name.to_string(), String::new())).collect();
        let named = params.iter().map(|(k, v)| (k.clone(), Cell::Text(v.clone()))).collect();
        // On lines of their own, so a trailing comment cannot swallow the `)`.
        Ok(SelectedRows::new(format!("(\n{sql}\n) AS selected"), &[], Vec::new(), named, columns))
    }

    /// `WHERE` (or `AND`, when there are conditions already) and `condition`.
    pub fn and_where(&self, condition: &str) -> String {
        let and = if self.where_sql.is_empty() { " WHERE " } else { " AND " };
        format!("{}{and}{condition}", self.where_sql)
    }

    /// Runs `sql` under a time limit of `limit_ms`, binding `?`
    /// placeholders in order and named parameters (the query's, and
    /// `extra`) by name; each row goes to `read`.
    pub fn query<T>(
        &self,
        conn: &mut Connection,
        clock: Clock,
        limit_ms: u32,
        sql: &str,
        extra: &[(&str, Cell)],
        mut read: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each_row(conn, clock, limit_ms, sql, extra, &mut |row| {
            out.push(read(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// `query`'s work, compiled once (not once per caller's closure: the
    /// worker's wasm is downloaded on every first visit).
    fn each_row(
        &self,
        conn: &mut Connection,
        clock: Clock,
        limit_ms: u32,
        sql: &str,
        extra: &[(&str, Cell)],
        read: &mut dyn FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>,
    ) -> Result<()> {
        with_time_limit(conn, clock, limit_ms, |c| {
            let mut statement = c.prepare(sql)?;
            let mut positional = self.params.iter();
            for i in 1..=statement.parameter_count() {
                let value = match statement.parameter_name(i).map(|n| n.trim_start_matches([':', '@', '$']).to_string()) {
                    None => positional.next().cloned(),
                    Some(name) => {
                        let named = self.named.iter().map(|(k, v)| (k.as_str(), v));
                        named.chain(extra.iter().map(|(k, v)| (*k, v))).find(|(k, _)| *k == name).map(|(_, v)| v.clone())
                    }
                };
                statement.raw_bind_parameter(i, value.as_ref().map_or(rusqlite::types::Value::Null, value_from_cell))?;
            }
            let mut rows = statement.raw_query();
            while let Some(row) = rows.next()? {
                read(row)?;
            }
            Ok(())
        })
    }
}
