//! One page of a table or view, sorted, with keyset pagination.
//!
//! Tables page by keyset: the page after a row is "rows that sort after
//! (sort value, key)", where the key is the rowid or the primary key. That
//! costs the same on page 9,000 as on page 1, unlike OFFSET, and stays
//! correct when the sort column has ties or NULLs. Views have no key and
//! page by OFFSET.

use protocol::{Cell, Cursor, TablePage, TablePageRequest, MAX_PAGE_SIZE};
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::schema::{count_rows, table_columns};
use crate::sql::{cell_from_ref, literal, quote_ident, value_from_cell};
use crate::time_limit::{with_time_limit, Clock};

/// How the rows of a relation are told apart.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RowKey {
    /// A rowid table; the expression is its INTEGER PRIMARY KEY column, else
    /// `rowid` (or `_rowid_`/`oid` when a real column has that name).
    Rowid(String),
    /// A WITHOUT ROWID table: its primary-key columns in key order.
    PrimaryKey(Vec<String>),
    /// A view, or a table whose rowid names are all shadowed by columns.
    None,
}

/// The plan for a page: what to select, how to order, what the key is.
struct Plan {
    /// Column names as shown; for tables without a primary key, `rowid`
    /// comes first, as in Datasette.
    display: Vec<String>,
    /// SQL expressions for `display`, in order.
    select: Vec<String>,
    key: RowKey,
    from: String,
}

pub fn table_page(conn: &mut Connection, clock: Clock, req: &TablePageRequest) -> Result<TablePage> {
    if req.page_size == 0 || req.page_size > MAX_PAGE_SIZE {
        return Err(Error::new(ErrorKind::BadRequest, format!("Page size must be between 1 and {MAX_PAGE_SIZE}.")));
    }
    let plan = plan(conn, &req.table)?;
    let sort_index = match &req.sort {
        Some(sort) => Some(plan.display.iter().position(|c| *c == sort.column).ok_or_else(|| {
            Error::new(ErrorKind::NotFound, format!("Cannot sort by {:?}: {} has no such column.", sort.column, req.table))
        })?),
        None => None,
    };
    let descending = req.sort.as_ref().is_some_and(|s| s.descending);
    let key_exprs: Vec<String> = match &plan.key {
        RowKey::Rowid(expr) => vec![expr.clone()],
        RowKey::PrimaryKey(cols) => cols.iter().map(|c| quote_ident(c)).collect(),
        RowKey::None => Vec::new(),
    };

    // SELECT display columns, then the key again so the cursor can be read
    // off the last row whatever is displayed.
    let mut select = plan.select.clone();
    select.extend(key_exprs.iter().cloned());
    let mut order = Vec::new();
    if let Some(i) = sort_index {
        order.push(format!("{} {}", plan.select[i], if descending { "DESC" } else { "ASC" }));
    }
    order.extend(key_exprs.iter().cloned());

    let (condition, params, offset) = match (&req.after, &plan.key) {
        (None, _) => (None, Vec::new(), 0),
        (Some(Cursor::Offset(n)), RowKey::None) => (None, Vec::new(), *n),
        (Some(Cursor::Keyset { sort_value, key }), RowKey::Rowid(_) | RowKey::PrimaryKey(_)) => {
            if key.len() != key_exprs.len() || sort_value.is_some() != sort_index.is_some() {
                return Err(bad_cursor());
            }
            let sort_expr = sort_index.map(|i| plan.select[i].as_str());
            let (cond, params) = keyset_condition(sort_expr, descending, sort_value.as_ref(), &key_exprs, key);
            (Some(cond), params, 0)
        }
        _ => return Err(bad_cursor()),
    };

    let build = |inline: bool| {
        let mut sql = format!("SELECT {} FROM {}", select_list(&select, &plan.display, inline), plan.from);
        if let Some(cond) = &condition {
            let cond = if inline { inline_params(cond, &params) } else { cond.clone() };
            sql.push_str(&format!(" WHERE {cond}"));
        }
        if !order.is_empty() {
            sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
        }
        let limit = if inline { req.page_size } else { req.page_size + 1 };
        sql.push_str(&format!(" LIMIT {limit}"));
        if offset > 0 {
            sql.push_str(&format!(" OFFSET {offset}"));
        }
        sql
    };
    let sql = build(false);
    let display_width = plan.display.len();
    let total_width = select.len();
    let page_size = req.page_size as usize;
    let mut rows: Vec<Vec<Cell>> = with_time_limit(conn, clock, req.time_limit_ms, |c| {
        let mut stmt = c.prepare(&sql)?;
        let values: Vec<rusqlite::types::Value> = params.iter().map(value_from_cell).collect();
        let mut cursor = stmt.query(rusqlite::params_from_iter(values))?;
        let mut rows = Vec::new();
        while let Some(row) = cursor.next()? {
            rows.push((0..total_width).map(|i| row.get_ref(i).map(cell_from_ref)).collect::<rusqlite::Result<_>>()?);
        }
        Ok(rows)
    })?;

    let next = if rows.len() > page_size {
        rows.truncate(page_size);
        let last = rows.last().expect("page_size >= 1");
        Some(match plan.key {
            RowKey::None => Cursor::Offset(offset + page_size as u64),
            _ => Cursor::Keyset {
                sort_value: sort_index.map(|i| last[i].clone()),
                key: last[display_width..].to_vec(),
            },
        })
    } else {
        None
    };
    for row in &mut rows {
        row.truncate(display_width);
    }
    let total = count_rows(conn, clock, &req.table, req.time_limit_ms);
    let shown_sql = build(true);
    Ok(TablePage { columns: plan.display, rows, next, total, sql: shown_sql })
}

fn bad_cursor() -> Error {
    Error::new(ErrorKind::BadRequest, "The page link (_next) does not fit this table or sort order; start from the first page.")
}

fn plan(conn: &Connection, table: &str) -> Result<Plan> {
    let kind: Option<(String, i64)> = conn
        .query_row("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ?1", [table], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .ok();
    let Some((kind, without_rowid)) = kind else {
        return Err(Error::new(ErrorKind::NotFound, format!("There is no table or view named {table:?}.")));
    };
    let columns = table_columns(conn, table)?;
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let has_column = |n: &str| names.iter().any(|c| c.eq_ignore_ascii_case(n));
    // An INTEGER PRIMARY KEY column *is* the rowid: it is the key, and no
    // separate rowid column is shown.
    let rowid_alias = {
        let pk: Vec<_> = columns.iter().filter(|c| c.pk > 0).collect();
        (pk.len() == 1 && pk[0].decl_type.eq_ignore_ascii_case("integer")).then(|| pk[0].name.clone())
    };
    let key = if kind == "view" {
        RowKey::None
    } else if without_rowid != 0 {
        let mut pk: Vec<_> = columns.iter().filter(|c| c.pk > 0).collect();
        pk.sort_by_key(|c| c.pk);
        RowKey::PrimaryKey(pk.into_iter().map(|c| c.name.clone()).collect())
    } else if let Some(alias) = &rowid_alias {
        RowKey::Rowid(quote_ident(alias))
    } else {
        match ["rowid", "_rowid_", "oid"].into_iter().find(|n| !has_column(n)) {
            Some(n) => RowKey::Rowid(n.to_string()),
            None => RowKey::None,
        }
    };
    let mut display = Vec::new();
    let mut select = Vec::new();
    // As in Datasette, rowid is shown only for tables without a primary key.
    let has_primary_key = columns.iter().any(|c| c.pk > 0);
    if let RowKey::Rowid(expr) = &key {
        if !has_primary_key {
            display.push(expr.clone());
            select.push(expr.clone());
        }
    }
    for name in names {
        select.push(quote_ident(&name));
        display.push(name);
    }
    Ok(Plan { display, select, key, from: quote_ident(table) })
}

/// The WHERE clause for "rows after this cursor", with `?` placeholders.
/// Ascending order puts NULLs first, descending puts them last; the key
/// always breaks ties in ascending order.
fn keyset_condition(
    sort_expr: Option<&str>,
    descending: bool,
    sort_value: Option<&Cell>,
    key_exprs: &[String],
    key: &[Cell],
) -> (String, Vec<Cell>) {
    let key_after = if key_exprs.len() == 1 {
        format!("{} > ?", key_exprs[0])
    } else {
        let marks = vec!["?"; key_exprs.len()].join(", ");
        format!("({}) > ({marks})", key_exprs.join(", "))
    };
    let (Some(s), Some(v)) = (sort_expr, sort_value) else {
        return (key_after, key.to_vec());
    };
    let mut params = Vec::new();
    let cond = match (descending, v.is_null()) {
        (false, true) => {
            params.extend(key.iter().cloned());
            format!("(({s} IS NULL AND {key_after}) OR {s} IS NOT NULL)")
        }
        (false, false) => {
            params.push(v.clone());
            params.push(v.clone());
            params.extend(key.iter().cloned());
            format!("({s} > ? OR ({s} = ? AND {key_after}))")
        }
        (true, true) => {
            params.extend(key.iter().cloned());
            format!("({s} IS NULL AND {key_after})")
        }
        (true, false) => {
            params.push(v.clone());
            params.push(v.clone());
            params.extend(key.iter().cloned());
            format!("({s} < ? OR ({s} = ? AND {key_after}) OR {s} IS NULL)")
        }
    };
    (cond, params)
}

/// The select list for SQL shown to the user: the displayed columns only.
fn select_list(select: &[String], display: &[String], shown: bool) -> String {
    if shown { select[..display.len()].join(", ") } else { select.join(", ") }
}

/// Replaces each `?` with its parameter as a literal (display SQL only;
/// identifiers are quoted with `"` so a `?` can only be a placeholder).
fn inline_params(cond: &str, params: &[Cell]) -> String {
    let mut out = String::new();
    let mut params = params.iter();
    let mut in_ident = false;
    for ch in cond.chars() {
        match ch {
            '"' => {
                in_ident = !in_ident;
                out.push(ch);
            }
            '?' if !in_ident => out.push_str(&params.next().map(literal).unwrap_or_else(|| "?".into())),
            _ => out.push(ch),
        }
    }
    out
}
