//! One page of a table or view: filtered, searched, sorted, faceted, with
//! keyset pagination.
//!
//! Tables page by keyset: the page after a row is "rows that sort after
//! (sort value, key)", where the key is the rowid or the primary key. That
//! costs the same on page 9,000 as on page 1, unlike OFFSET, and stays
//! correct when the sort column has ties or NULLs. Views, and searches in
//! relevance order, page by OFFSET.

use protocol::{Cell, Cursor, FacetResult, TablePage, TablePageRequest, MAX_PAGE_SIZE};
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::facets::{self, Scope};
use crate::filters;
use crate::fts;
use crate::relations;
use crate::schema::{count_rows_where, table_columns};
use crate::sql::{cell_from_ref, literal, quote_ident, row_cells, too_large, value_from_cell, RESULT_BYTES_MAX};
use crate::time_limit::{with_time_limit, Clock};

/// How the rows of a relation are told apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RowKey {
    /// A rowid table; the name is its INTEGER PRIMARY KEY column, else
    /// `rowid` (or `_rowid_`/`oid` when a real column has that name).
    Rowid(String),
    /// A WITHOUT ROWID table: its primary-key columns in key order.
    PrimaryKey(Vec<String>),
    /// A view, or a table whose rowid names are all shadowed by columns.
    None,
}

impl RowKey {
    pub(crate) fn columns(&self) -> Vec<String> {
        match self {
            RowKey::Rowid(name) => vec![name.clone()],
            RowKey::PrimaryKey(cols) => cols.clone(),
            RowKey::None => Vec::new(),
        }
    }

    fn exprs(&self) -> Vec<String> {
        self.columns().iter().map(|c| column_expr(c)).collect()
    }
}

/// A column name as an SQL expression: rowid's names bare, others quoted.
/// (A real column named `rowid` makes plan() pick another rowid name.)
fn column_expr(name: &str) -> String {
    if matches!(name, "rowid" | "_rowid_" | "oid") {
        name.to_string()
    } else {
        quote_ident(name)
    }
}

/// What to select from a relation, and how its rows are keyed.
pub(crate) struct Plan {
    /// Column names as shown; for tables without a primary key, `rowid`
    /// comes first, as in Datasette.
    pub display: Vec<String>,
    pub types: Vec<String>,
    pub key: RowKey,
    /// What names a row in its URL: the primary key columns when declared
    /// (even in a rowid table, as Datasette does), else the rowid.
    pub row_key: Vec<String>,
    pub from: String,
    /// Every real column (what filters may use).
    pub all_columns: Vec<String>,
}

impl Plan {
    fn select_exprs(&self) -> Vec<String> {
        self.display.iter().map(|c| if self.is_rowid_alias(c) { c.clone() } else { quote_ident(c) }).collect()
    }

    fn is_rowid_alias(&self, column: &str) -> bool {
        matches!(&self.key, RowKey::Rowid(k) if k == column && !self.all_columns.iter().any(|c| c == column))
    }
}

pub(crate) fn plan(conn: &Connection, table: &str) -> Result<Plan> {
    let kind: Option<(String, i64)> = conn
        .query_row("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ?1", [table], |r| Ok((r.get(0)?, r.get(1)?)))
        .ok();
    let Some((kind, without_rowid)) = kind else {
        return Err(Error::new(ErrorKind::NotFound, format!("There is no table or view named {table:?}.")));
    };
    let columns = table_columns(conn, table)?;
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let has_column = |n: &str| names.iter().any(|c| c.eq_ignore_ascii_case(n));
    let pk: Vec<_> = {
        let mut pk: Vec<_> = columns.iter().filter(|c| c.pk > 0).collect();
        pk.sort_by_key(|c| c.pk);
        pk
    };
    // An INTEGER PRIMARY KEY column *is* the rowid.
    let rowid_alias = (pk.len() == 1 && pk[0].decl_type.eq_ignore_ascii_case("integer")).then(|| pk[0].name.clone());
    let key = if kind == "view" {
        RowKey::None
    } else if without_rowid != 0 {
        RowKey::PrimaryKey(pk.iter().map(|c| c.name.clone()).collect())
    } else if let Some(alias) = &rowid_alias {
        RowKey::Rowid(alias.clone())
    } else {
        match ["rowid", "_rowid_", "oid"].into_iter().find(|n| !has_column(n)) {
            Some(n) => RowKey::Rowid(n.to_string()),
            None => RowKey::None,
        }
    };
    let mut display = Vec::new();
    let mut types = Vec::new();
    // As in Datasette, rowid is shown only for tables without a primary key.
    if let (RowKey::Rowid(name), true) = (&key, pk.is_empty()) {
        display.push(name.clone());
        types.push("INTEGER".into());
    }
    for c in &columns {
        display.push(c.name.clone());
        types.push(c.decl_type.clone());
    }
    let row_key = if !pk.is_empty() { pk.iter().map(|c| c.name.clone()).collect() } else { key.columns() };
    Ok(Plan { display, types, key, row_key, from: quote_ident(table), all_columns: names })
}

/// Which rows a view shows: its filters and search as WHERE conditions.
struct Selection {
    conditions: Vec<String>,
    params: Vec<Cell>,
    description: String,
    fts: Option<fts::FtsIndex>,
    /// The FTS query bound for the search, when searching.
    search: Option<Cell>,
}

fn selection(conn: &Connection, req: &TablePageRequest, plan: &Plan) -> Result<Selection> {
    let (mut conditions, mut params) = filters::where_clause(&req.filters, &plan.all_columns)?;
    let mut description = filters::describe(&req.filters);
    let fts_index = fts::detect(conn, &req.table)?;
    let mut bound = None;
    if let Some(search) = req.search.as_ref().filter(|s| !s.query.trim().is_empty()) {
        let Some(index) = &fts_index else {
            return Err(Error::new(ErrorKind::BadRequest, format!("{} has no full-text index to search.", req.table)));
        };
        let query = Cell::Text(if search.raw { search.query.clone() } else { fts::escape(&search.query) });
        conditions.push(index.condition());
        params.push(query.clone());
        bound = Some(query);
        let words = format!("search matches \"{}\"", search.query);
        description = if description.is_empty() { format!("where {words}") } else { format!("{description} and {words}") };
    }
    Ok(Selection { conditions, params, description, fts: fts_index, search: bound })
}

/// Columns worth faceting by, among the rows the view selects. Separate
/// from `table_page` because its checks may take a while on big tables.
pub fn suggest_facets(conn: &mut Connection, clock: Clock, req: &TablePageRequest) -> Result<Vec<protocol::FacetRequest>> {
    let plan = plan(conn, &req.table)?;
    let selection = selection(conn, req, &plan)?;
    let scope = Scope { from: &plan.from, conditions: &selection.conditions, params: &selection.params };
    let candidates: Vec<String> =
        plan.all_columns.iter().filter(|c| !plan.row_key.contains(c) && !plan.key.columns().contains(c)).cloned().collect();
    Ok(facets::suggest(conn, clock, &scope, &candidates, &req.facets))
}

/// The rows of one page and what is needed to describe them: the part of a
/// table page that export repeats for every page of a view. Counting,
/// facets and labels are left to `table_page`, which needs them once.
pub(crate) struct RowsPage {
    pub plan: Plan,
    pub all_columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub keys: Vec<Vec<Cell>>,
    pub next: Option<Cursor>,
    pub shown_sql: String,
    pub description: String,
    pub fts_table: Option<String>,
    /// The filters and search, without the cursor: the rows the view selects.
    pub scope_conditions: Vec<String>,
    pub scope_params: Vec<Cell>,
    /// This page's selection from its cursor on, as one statement without
    /// LIMIT (shown columns only) and its parameters.
    pub scan: (String, Vec<Cell>),
}

/// The time after a page's rows for its count, facets and labels, in
/// multiples of its time limit.
const EXTRAS_BUDGET: f64 = 3.0;

pub fn table_page(conn: &mut Connection, clock: Clock, req: &TablePageRequest, chosen: &relations::LabelColumns) -> Result<TablePage> {
    let RowsPage { plan, all_columns, rows, keys, next, shown_sql, description, fts_table, scope_conditions, scope_params, .. } =
        rows_page(conn, clock, req)?;
    let scope = Scope { from: &plan.from, conditions: &scope_conditions, params: &scope_params };
    // What comes after the rows (count, facets, labels) shares one budget,
    // EXTRAS_BUDGET times the time limit: each step gets its own limit or
    // what is left, whichever is less, and is skipped when nothing is.
    let deadline = clock() + f64::from(req.time_limit_ms) * EXTRAS_BUDGET;
    let left = || (deadline - clock()).min(f64::from(req.time_limit_ms)).max(0.0) as u32;
    let total = match left() {
        0 => None,
        ms => count_rows_where(conn, clock, &plan.from, &scope_conditions, &scope_params, ms),
    };
    let foreign_keys = relations::foreign_keys(conn, &req.table).unwrap_or_default();
    let mut facets: Vec<FacetResult> = Vec::new();
    for f in &req.facets {
        let mut facet = match left() {
            0 => FacetResult {
                column: f.column.clone(),
                kind: f.kind,
                values: Vec::new(),
                truncated: false,
                error: Some("not counted: this page's time budget ran out; show fewer facets".into()),
            },
            ms => facets::facet(conn, clock, &scope, f, ms),
        };
        if let ms @ 1.. = left() {
            label_facet(conn, clock, &foreign_keys, &mut facet, ms, chosen);
        }
        facets.push(facet);
    }
    let suggested_facets = if req.suggest_facets { suggest_facets(conn, clock, req)? } else { Vec::new() };
    let labels = match left() {
        0 => Vec::new(),
        ms => relations::labels(conn, clock, &foreign_keys, &plan.display, &rows, ms, chosen),
    };
    Ok(TablePage {
        columns: plan.display,
        column_types: plan.types,
        rows,
        key_columns: plan.row_key,
        keys,
        next,
        total,
        sql: shown_sql,
        description,
        facets,
        suggested_facets,
        fts_table,
        foreign_keys,
        labels,
        all_columns,
    })
}

pub(crate) fn rows_page(conn: &mut Connection, clock: Clock, req: &TablePageRequest) -> Result<RowsPage> {
    if req.page_size == 0 || req.page_size > MAX_PAGE_SIZE {
        return Err(Error::new(ErrorKind::BadRequest, format!("Page size must be between 1 and {MAX_PAGE_SIZE}.")));
    }
    let mut plan = plan(conn, &req.table)?;
    let all_columns = plan.display.clone();
    // Hidden columns are neither shown nor selected; the key still is.
    let keep: Vec<bool> = plan.display.iter().map(|c| !req.hidden.contains(c)).collect();
    let mut i = 0;
    plan.display.retain(|_| (keep[i], i += 1).0);
    let mut i = 0;
    plan.types.retain(|_| (keep[i], i += 1).0);

    let sort_expr = match &req.sort {
        Some(sort) => {
            if !all_columns.contains(&sort.column) {
                return Err(Error::new(
                    ErrorKind::NotFound,
                    format!("Cannot sort by {:?}: {} has no such column.", sort.column, req.table),
                ));
            }
            Some(if plan.is_rowid_alias(&sort.column) { sort.column.clone() } else { quote_ident(&sort.column) })
        }
        None => None,
    };
    let descending = req.sort.as_ref().is_some_and(|s| s.descending);
    let key_exprs = plan.key.exprs();

    let Selection { mut conditions, mut params, description, fts: fts_index, search } = selection(conn, req, &plan)?;
    let rank_order: Option<(String, Cell)> = match (&search, &fts_index, &sort_expr) {
        (Some(query), Some(index), None) => index.rank_order().map(|o| (o, query.clone())),
        _ => None,
    };
    let scope_conditions = conditions.clone();
    let scope_params = params.clone();

    // ORDER BY: relevance, or the sort column; the key breaks ties.
    let mut order = Vec::new();
    let mut order_params = Vec::new();
    if let Some((rank, query)) = &rank_order {
        order.push(rank.clone());
        if fts_index.as_ref().is_some_and(|index| index.rank_needs_query()) {
            order_params.push(query.clone());
        }
    } else if let Some(s) = &sort_expr {
        order.push(format!("{s} {}", if descending { "DESC" } else { "ASC" }));
    }
    let key_direction = if descending && rank_order.is_none() { " DESC" } else { "" };
    for k in &key_exprs {
        // Sorted by the key itself: it is already in the order.
        if sort_expr.as_deref() != Some(k.as_str()) || key_exprs.len() != 1 {
            order.push(format!("{k}{key_direction}"));
        }
    }

    let keyset = rank_order.is_none() && plan.key != RowKey::None;
    let offset = match (&req.after, keyset) {
        (None, _) => 0,
        (Some(Cursor::Offset(n)), false) => *n,
        (Some(Cursor::Keyset { sort_value, key }), true) => {
            if key.len() != key_exprs.len() || sort_value.is_some() != sort_expr.is_some() {
                return Err(bad_cursor());
            }
            let (cond, mut p) = keyset_condition(sort_expr.as_deref(), descending, sort_value.as_ref(), &key_exprs, key);
            conditions.push(cond);
            params.append(&mut p);
            0
        }
        _ => return Err(bad_cursor()),
    };
    params.extend(order_params);

    // SELECT the shown columns, then the paging key (for the cursor), then
    // the row key (for row links).
    let mut select = plan.select_exprs();
    select.extend(key_exprs.iter().cloned());
    select.extend(plan.row_key.iter().map(|c| column_expr(c)));
    let display_width = plan.display.len();
    let paging_end = display_width + key_exprs.len();
    // WHERE and ORDER BY, with `?` placeholders in `params` order.
    let mut tail = String::new();
    if !conditions.is_empty() {
        tail.push_str(&format!(" WHERE {}", conditions.join(" AND ")));
    }
    if !order.is_empty() {
        tail.push_str(&format!(" ORDER BY {}", order.join(", ")));
    }
    let shown_columns = select[..display_width].join(", ");
    let page = |columns: &str, tail: &str, limit: u32| {
        let mut sql = format!("SELECT {columns} FROM {}{tail} LIMIT {limit}", plan.from);
        if offset > 0 {
            sql.push_str(&format!(" OFFSET {offset}"));
        }
        sql
    };
    // One row more than the page, to know whether there is a next one.
    let sql = page(&select.join(", "), &tail, req.page_size + 1);
    // Shown to the user, values inlined: only the lexer in `inline_params`
    // can tell a placeholder from a `?` inside a quoted column name.
    let shown_sql = page(&shown_columns, &inline_params(&tail, &params), req.page_size);
    // The same rows as one statement without LIMIT, for exporting a view
    // that pages by OFFSET (paging it would re-run the sort per page).
    let scan_sql = (format!("SELECT {shown_columns} FROM {}{tail}", plan.from), params.clone());
    let total_width = select.len();
    let mut rows: Vec<Vec<Cell>> = with_time_limit(conn, clock, req.time_limit_ms, |c| {
        let mut stmt = c.prepare(&sql)?;
        let values: Vec<_> = params.iter().map(value_from_cell).collect();
        let mut cursor = stmt.query(rusqlite::params_from_iter(values))?;
        let mut rows = Vec::new();
        let mut budget = RESULT_BYTES_MAX;
        while let Some(row) = cursor.next()? {
            match row_cells(row, total_width, &mut budget)? {
                Some(cells) => rows.push(cells),
                None => return Err(too_large("This page", "show fewer rows (_size=) or hide the big columns (_nocol=)")),
            }
        }
        Ok(rows)
    })?;

    let page_size = req.page_size as usize;
    let next = if rows.len() > page_size {
        rows.truncate(page_size);
        // page_size is at least 1 (checked above), so a row is left.
        let Some(last) = rows.last() else { return Err(bad_cursor()) };
        Some(if keyset {
            let sort_value = req.sort.as_ref().map(|s| {
                // The sort column may be hidden; read it back by key.
                match plan.display.iter().position(|c| *c == s.column) {
                    Some(i) => Ok(last[i].clone()),
                    None => sort_value_of(conn, &plan, &s.column, &last[display_width..paging_end]),
                }
            });
            Cursor::Keyset { sort_value: sort_value.transpose()?, key: last[display_width..paging_end].to_vec() }
        } else {
            Cursor::Offset(offset + page_size as u64)
        })
    } else {
        None
    };
    let keys: Vec<Vec<Cell>> = rows
        .iter_mut()
        .map(|row| {
            let row_key = row.split_off(paging_end);
            row.truncate(display_width);
            row_key
        })
        .collect();
    Ok(RowsPage {
        plan,
        all_columns,
        rows,
        keys,
        next,
        shown_sql,
        description,
        fts_table: fts_index.map(|i| i.table),
        scope_conditions,
        scope_params,
        scan: scan_sql,
    })
}

fn sort_value_of(conn: &Connection, plan: &Plan, column: &str, key: &[Cell]) -> Result<Cell> {
    let exprs = plan.key.exprs();
    let cond: Vec<String> = exprs.iter().map(|e| format!("{e} = ?")).collect();
    let sql = format!("SELECT {} FROM {} WHERE {}", quote_ident(column), plan.from, cond.join(" AND "));
    let values: Vec<_> = key.iter().map(value_from_cell).collect();
    Ok(conn.query_row(&sql, rusqlite::params_from_iter(values), |r| r.get_ref(0).map(cell_from_ref))?)
}

/// Labels for a facet on a foreign-key column, so it lists names, not ids.
fn label_facet(
    conn: &mut Connection,
    clock: Clock,
    keys: &[protocol::ForeignKey],
    facet: &mut FacetResult,
    limit_ms: u32,
    chosen: &relations::LabelColumns,
) {
    if facet.kind != protocol::FacetKind::Column || !keys.iter().any(|k| k.column == facet.column) {
        return;
    }
    let rows: Vec<Vec<Cell>> = facet.values.iter().map(|v| vec![v.value.clone()]).collect();
    let columns = [facet.column.clone()];
    if let Some(found) = relations::labels(conn, clock, keys, &columns, &rows, limit_ms, chosen).pop() {
        for value in &mut facet.values {
            value.label = found.labels.iter().find(|(k, _)| *k == value.value).map(|(_, l)| l.clone());
        }
    }
}

fn bad_cursor() -> Error {
    Error::new(ErrorKind::BadRequest, "The page link (_next) does not fit this table or sort order; start from the first page.")
}

/// The WHERE condition for "rows after this cursor", with `?` placeholders.
///
/// Order is `sort [DESC], key [DESC]`: the key breaks ties in the sort's
/// direction, so that "after (v, k)" is one row-value comparison, which
/// SQLite answers with an index seek (`(s, key) > (?, ?)`), not a scan.
/// SQLite puts NULLs first ascending and last descending; NULL sort values
/// are paged by key alone.
fn keyset_condition(
    sort_expr: Option<&str>,
    descending: bool,
    sort_value: Option<&Cell>,
    key_exprs: &[String],
    key: &[Cell],
) -> (String, Vec<Cell>) {
    let after = if descending { "<" } else { ">" };
    let tuple = |exprs: &[String]| if exprs.len() == 1 { exprs[0].clone() } else { format!("({})", exprs.join(", ")) };
    let marks = |n: usize| if n == 1 { "?".to_string() } else { format!("({})", vec!["?"; n].join(", ")) };
    let key_after = format!("{} {after} {}", tuple(key_exprs), marks(key_exprs.len()));
    let (Some(s), Some(v)) = (sort_expr, sort_value) else {
        return (key_after, key.to_vec());
    };
    // Sorting by the key itself: the key alone says where a row is.
    if key_exprs.len() == 1 && key_exprs[0] == s {
        return (key_after, key.to_vec());
    }
    let mut both = vec![s.to_string()];
    both.extend(key_exprs.iter().cloned());
    let mut params = Vec::new();
    let cond = match (descending, v.is_null()) {
        (false, true) => {
            params.extend(key.iter().cloned());
            format!("(({s} IS NULL AND {key_after}) OR {s} IS NOT NULL)")
        }
        (false, false) => {
            params.push(v.clone());
            params.extend(key.iter().cloned());
            format!("{} > {}", tuple(&both), marks(both.len()))
        }
        (true, true) => {
            params.extend(key.iter().cloned());
            format!("({s} IS NULL AND {key_after})")
        }
        (true, false) => {
            params.push(v.clone());
            params.extend(key.iter().cloned());
            format!("({} < {} OR {s} IS NULL)", tuple(&both), marks(both.len()))
        }
    };
    (cond, params)
}

/// Replaces each `?` with its parameter as a literal (SQL shown to the
/// user only). Quoted identifiers and string literals are skipped.
fn inline_params(sql: &str, params: &[Cell]) -> String {
    let mut out = String::new();
    let mut params = params.iter();
    let mut quote: Option<char> = None;
    for ch in sql.chars() {
        match (quote, ch) {
            (None, '"' | '\'') => {
                quote = Some(ch);
                out.push(ch);
            }
            (Some(q), c) if c == q => {
                quote = None;
                out.push(ch);
            }
            (None, '?') => out.push_str(&params.next().map(literal).unwrap_or_else(|| "?".into())),
            _ => out.push(ch),
        }
    }
    out
}
