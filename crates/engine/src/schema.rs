//! What is in a database: tables (with row counts), views, hidden tables.

use protocol::{ColumnInfo, DatabaseSchema, TableInfo, TableKind, ViewInfo};
use rusqlite::Connection;

use crate::error::Result;
use crate::sql::quote_ident;
use crate::time_limit::{with_time_limit, Clock};

/// How long each table's `count(*)` may take before the count is shown as
/// unknown (Datasette does the same so huge tables don't stall the page).
pub const COUNT_TIME_LIMIT_MS: u32 = 200;
/// Counting rows may take this long before a schema is answered; the
/// tables not reached by then are left uncounted, to be counted later one
/// at a time between requests (a file of 5,000 tables could otherwise hold
/// the worker for 1,000 s).
pub const COUNTS_BEFORE_ANSWER_MS: f64 = 250.0;

/// One entry of `PRAGMA table_list`.
struct Relation {
    name: String,
    kind: String,
    without_rowid: bool,
    sql: String,
}

/// The schema, and the tables whose rows were not counted for lack of time
/// (`COUNTS_BEFORE_ANSWER_MS`); a table whose count took longer than
/// `COUNT_TIME_LIMIT_MS` is not among them: it stays "many rows".
pub fn read_schema(conn: &mut Connection, clock: Clock, name: &str, source: &str) -> Result<(DatabaseSchema, Vec<String>)> {
    read_schema_counting(conn, clock, name, source, true)
}

/// The schema with no rows counted (a lazy database: counting reads whole
/// tables from the server).
pub fn read_lazy_schema(conn: &mut Connection, clock: Clock, name: &str, source: &str) -> Result<DatabaseSchema> {
    Ok(read_schema_counting(conn, clock, name, source, false)?.0)
}

fn read_schema_counting(
    conn: &mut Connection,
    clock: Clock,
    name: &str,
    source: &str,
    count: bool,
) -> Result<(DatabaseSchema, Vec<String>)> {
    let relations = list_relations(conn)?;
    let estimates = if count { Default::default() } else { row_estimates(conn) };
    let mut tables = Vec::new();
    let mut views = Vec::new();
    let mut uncounted = Vec::new();
    let started = clock();
    for rel in &relations {
        match rel.kind.as_str() {
            "view" => views.push(read_view(conn, &rel.name)),
            kind => {
                let kind = match kind {
                    "virtual" => TableKind::Virtual,
                    "shadow" => TableKind::Shadow,
                    _ => TableKind::Table,
                };
                let columns = table_columns(conn, &rel.name).unwrap_or_default();
                let in_budget = clock() - started < COUNTS_BEFORE_ANSWER_MS;
                let row_count = if count && in_budget { count_rows(conn, clock, &rel.name, COUNT_TIME_LIMIT_MS) } else { None };
                if count && !in_budget {
                    uncounted.push(rel.name.clone());
                }
                tables.push(TableInfo {
                    hidden: is_hidden(&rel.name, kind, &rel.sql),
                    name: rel.name.clone(),
                    kind,
                    row_count,
                    row_estimate: estimates.get(&rel.name).copied(),
                    columns,
                    without_rowid: rel.without_rowid,
                });
            }
        }
    }
    let size_bytes = database_size(conn)?;
    Ok((DatabaseSchema { name: name.into(), source: source.into(), size_bytes, tables, views, lazy: !count }, uncounted))
}

/// Rows per table as ANALYZE saw them: the first number of each index's
/// `stat` in `sqlite_stat1` is its table's row count then. A few pages to
/// read, where counting a lazy database's tables would read them whole.
fn row_estimates(conn: &Connection) -> std::collections::HashMap<String, u64> {
    let mut estimates = std::collections::HashMap::new();
    // No such table when ANALYZE never ran.
    let Ok(mut stmt) = conn.prepare("SELECT tbl, stat FROM sqlite_stat1") else { return estimates };
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)));
    for (table, stat) in rows.into_iter().flatten().flatten() {
        if let Some(n) = stat.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()) {
            let entry = estimates.entry(table).or_insert(0);
            *entry = (*entry).max(n);
        }
    }
    estimates
}

fn list_relations(conn: &Connection) -> Result<Vec<Relation>> {
    // table_list knows shadow tables (FTS5 indexes' storage) by itself; the
    // schema table supplies the CREATE statement to spot FTS3/4 indexes.
    let mut stmt = conn.prepare(
        "SELECT t.name, t.type, t.wr, coalesce(s.sql, '')
         FROM pragma_table_list AS t LEFT JOIN sqlite_schema AS s ON s.name = t.name
         WHERE t.schema = 'main' AND t.name NOT IN ('sqlite_schema', 'sqlite_temp_schema')
         ORDER BY t.name COLLATE NOCASE",
    )?;
    let rows =
        stmt.query_map([], |r| Ok(Relation { name: r.get(0)?, kind: r.get(1)?, without_rowid: r.get::<_, i64>(2)? != 0, sql: r.get(3)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Datasette's rule: SQLite's own tables, FTS indexes and the tables that
/// store them are hidden; everything else is shown.
fn is_hidden(name: &str, kind: TableKind, sql: &str) -> bool {
    if name.starts_with("sqlite_") || kind == TableKind::Shadow {
        return true;
    }
    let sql = sql.to_ascii_lowercase();
    kind == TableKind::Virtual && sql.contains("using fts")
}

/// Visible columns of a table or view, in order. Hidden columns of virtual
/// tables (such as FTS5's rank) are left out, as `SELECT *` leaves them out.
pub fn table_columns(conn: &Connection, table: &str) -> Result<Vec<ColumnInfo>> {
    let mut stmt = conn.prepare("SELECT name, type, \"notnull\", pk, hidden FROM pragma_table_xinfo(?1)")?;
    let rows = stmt.query_map([table], |r| {
        Ok((
            ColumnInfo { name: r.get(0)?, decl_type: r.get(1)?, not_null: r.get::<_, i64>(2)? != 0, pk: r.get::<_, u32>(3)? },
            r.get::<_, i64>(4)?,
        ))
    })?;
    let mut columns = Vec::new();
    for row in rows {
        let (column, hidden) = row?;
        if hidden != 1 {
            columns.push(column);
        }
    }
    Ok(columns)
}

fn read_view(conn: &Connection, name: &str) -> ViewInfo {
    // Preparing the view's SELECT surfaces errors such as a function only
    // the original application defines, without running anything.
    let probe = format!("SELECT * FROM {} LIMIT 0", quote_ident(name));
    match conn.prepare(&probe) {
        Ok(stmt) => ViewInfo { name: name.into(), columns: stmt.column_names().map(String::from).collect(), error: None },
        Err(e) => ViewInfo { name: name.into(), columns: Vec::new(), error: Some(crate::Error::from(e).message().into()) },
    }
}

pub fn count_rows(conn: &mut Connection, clock: Clock, table: &str, limit_ms: u32) -> Option<u64> {
    let sql = format!("SELECT count(*) FROM {}", quote_ident(table));
    with_time_limit(conn, clock, limit_ms, |c| Ok(c.query_row(&sql, [], |r| r.get::<_, i64>(0))?)).ok().map(|n| n as u64)
}

/// Rows of `from` matching `conditions`, or `None` past the time limit.
pub fn count_rows_where(
    conn: &mut Connection,
    clock: Clock,
    from: &str,
    conditions: &[String],
    params: &[protocol::Cell],
    limit_ms: u32,
) -> Option<u64> {
    try_count_rows_where(conn, clock, from, conditions, params, limit_ms).ok()
}

/// `count_rows_where`, saying why when it cannot count.
pub fn try_count_rows_where(
    conn: &mut Connection,
    clock: Clock,
    from: &str,
    conditions: &[String],
    params: &[protocol::Cell],
    limit_ms: u32,
) -> Result<u64> {
    let mut sql = format!("SELECT count(*) FROM {from}");
    if !conditions.is_empty() {
        sql.push_str(&format!(" WHERE {}", conditions.join(" AND ")));
    }
    let values: Vec<_> = params.iter().map(crate::sql::value_from_cell).collect();
    with_time_limit(conn, clock, limit_ms, |c| Ok(c.query_row(&sql, rusqlite::params_from_iter(values), |r| r.get::<_, i64>(0))?))
        .map(|n| n as u64)
}

fn database_size(conn: &Connection) -> Result<u64> {
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok((pages * page_size) as u64)
}
