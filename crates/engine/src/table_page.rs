//! One page of a table or view: filtered, searched, sorted, faceted, and
//! paged (by keyset for tables, see `paging`; by OFFSET for views and
//! relevance order), with its count, facets and foreign-key links.

use protocol::{Cell, Cursor, FacetResult, TablePage, TablePageRequest, MAX_PAGE_SIZE};
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::facets::{self, FacetSuggestions, Scope};
use crate::filters;
use crate::fts;
use crate::paging::{bad_cursor, keyset_condition};
use crate::plan::{column_expr, key_text, plan, Plan, RowKey};
use crate::relations;
use crate::schema::{count_rows_where, try_count_rows_where};
use crate::sql::{cell_from_ref, literal, quote_ident, row_cells, too_large, value_from_cell, RESULT_BYTES_MAX};
use crate::time_limit::{with_time_limit, work_clock, Clock};

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
    for fragment in req.wheres.iter().filter(|w| !w.trim().is_empty()) {
        conditions.push(checked_where(conn, &plan.from, fragment)?);
        let words = format!("where {}", fragment.trim());
        description = if description.is_empty() { words } else { format!("{description} and {words}") };
    }
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

/// A `_where=` fragment as a condition: it must compile on its own, as one
/// read-only expression over the table (the page's statement is read-only
/// and time-limited like any other).
fn checked_where(conn: &Connection, from: &str, fragment: &str) -> Result<String> {
    let condition = format!("({})", fragment.trim());
    let bad = |why: String| Error::new(ErrorKind::BadRequest, format!("The _where condition {:?} cannot be used: {why}", fragment.trim()));
    if let Some(why) = escapes_its_parentheses(fragment) {
        return Err(bad(why.into()));
    }
    let statement = conn.prepare(&format!("SELECT 1 FROM {from} WHERE {condition}")).map_err(|e| bad(e.to_string()))?;
    if !statement.readonly() {
        return Err(bad("it would change the database".into()));
    }
    Ok(condition)
}

/// Why `fragment` could reach past the parentheses it is put in (a `)`
/// closing one it did not open, a comment or `;` that would swallow or end
/// the rest of the page's statement), or `None`. Quoted text and names are
/// skipped over.
fn escapes_its_parentheses(fragment: &str) -> Option<&'static str> {
    let mut depth = 0usize;
    let mut chars = fragment.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                // A doubled quote inside is part of the text; the loop
                // just sees it close and open again.
                if !chars.by_ref().any(|d| d == close) {
                    return Some("a quote is not closed");
                }
            }
            '(' => depth += 1,
            ')' if depth == 0 => return Some("it closes a parenthesis it did not open"),
            ')' => depth -= 1,
            ';' => return Some("it holds more than one statement"),
            '-' if chars.peek() == Some(&'-') => return Some("comments are not allowed in it"),
            '/' if chars.peek() == Some(&'*') => return Some("comments are not allowed in it"),
            _ => {}
        }
    }
    (depth > 0).then_some("a parenthesis is not closed")
}

/// The rows the view `req` selects (its shown columns, filters, search
/// and `_where`), for summaries and charts.
pub fn selected_rows(conn: &Connection, req: &TablePageRequest) -> Result<crate::selected_rows::SelectedRows> {
    let mut plan = plan(conn, &req.table)?;
    plan.hide(&req.hidden);
    let selection = selection(conn, req, &plan)?;
    let columns = plan.display.iter().cloned().zip(plan.types.iter().cloned()).collect();
    Ok(crate::selected_rows::SelectedRows::new(plan.from, &selection.conditions, selection.params, Vec::new(), columns))
}

/// Rows the view `req` selects (its filters and search), under its time
/// limit: the count a table page leaves out on a lazy database, asked for.
pub fn count_selection(conn: &mut Connection, clock: Clock, req: &TablePageRequest) -> Result<u64> {
    let plan = plan(conn, &req.table)?;
    let selection = selection(conn, req, &plan)?;
    try_count_rows_where(conn, clock, &plan.from, &selection.conditions, &selection.params, req.time_limit_ms)
}

/// Columns worth faceting by, among the rows the view selects. Separate
/// from `table_page` because its checks may take a while on big tables.
pub fn suggest_facets(conn: &mut Connection, clock: Clock, req: &TablePageRequest) -> Result<Vec<protocol::FacetRequest>> {
    let Some(mut suggestions) = begin_suggest_facets(conn, clock, req)? else { return Ok(Vec::new()) };
    while suggestions.step(conn, clock) {}
    Ok(suggestions.found())
}

/// The checks `suggest_facets` makes, to be made one step at a time.
/// `None` when even counting the view's rows takes too long.
pub fn begin_suggest_facets(conn: &mut Connection, clock: Clock, req: &TablePageRequest) -> Result<Option<FacetSuggestions>> {
    let plan = plan(conn, &req.table)?;
    let selection = selection(conn, req, &plan)?;
    let scope = Scope { from: &plan.from, conditions: &selection.conditions, params: &selection.params };
    let candidates: Vec<String> =
        plan.all_columns.iter().filter(|c| !plan.row_key.contains(c) && !plan.key.columns().contains(c)).cloned().collect();
    Ok(FacetSuggestions::new(conn, clock, &scope, &candidates, &req.facets))
}

/// The rows of one page and what is needed to describe them: the part of a
/// table page that export repeats for every page of a view. Counting,
/// facets and labels are left to `table_page`, which needs them once.
pub(crate) struct RowsPage {
    pub plan: Plan,
    pub all_columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub row_keys: Vec<Vec<String>>,
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

/// The time after a page's rows for its count, facets and link labels, in
/// multiples of its time limit.
const EXTRAS_BUDGET: f64 = 3.0;

/// `whole_reads`: false for a lazy database, where the page's count and
/// suggested facets (which read every row) are left out.
pub fn table_page(
    conn: &mut Connection,
    clock: Clock,
    req: &TablePageRequest,
    chosen: &relations::LabelColumns,
    whole_reads: bool,
) -> Result<TablePage> {
    let RowsPage { plan, all_columns, rows, row_keys, next, shown_sql, description, fts_table, scope_conditions, scope_params, .. } =
        rows_page(conn, clock, req)?;
    let scope = Scope { from: &plan.from, conditions: &scope_conditions, params: &scope_params };
    // What comes after the rows (count, facets, labels) shares one budget,
    // EXTRAS_BUDGET times the time limit: each step gets its own limit or
    // what is left, whichever is less, and is skipped when nothing is.
    // Waits for a lazy database's server are not spent from it.
    let deadline = work_clock(clock) + f64::from(req.time_limit_ms) * EXTRAS_BUDGET;
    let left = || (deadline - work_clock(clock)).min(f64::from(req.time_limit_ms)).max(0.0) as u32;
    let total = match left() {
        _ if !whole_reads => None,
        0 => None,
        ms => count_rows_where(conn, clock, &plan.from, &scope_conditions, &scope_params, ms),
    };
    let foreign_keys = relations::foreign_keys(conn, &req.table).unwrap_or_default();
    let facet_size = req.facet_size.clamp(1, protocol::MAX_FACET_SIZE) as usize;
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
            ms => facets::facet(conn, clock, &scope, f, facet_size, ms),
        };
        if let ms @ 1.. = left() {
            label_facet(conn, clock, &foreign_keys, &mut facet, ms, chosen);
        }
        facets.push(facet);
    }
    let suggested_facets = if req.suggest_facets && whole_reads { suggest_facets(conn, clock, req)? } else { Vec::new() };
    // Links need no time; their labels get what is left.
    let links = relations::links(conn, clock, &foreign_keys, &plan.display, &rows, left(), chosen);
    let schema_sql = schema_sql(conn, &req.table)?;
    Ok(TablePage {
        columns: plan.display,
        column_types: plan.types,
        rows,
        key_columns: plan.row_key,
        row_keys,
        next,
        total,
        sql: shown_sql,
        description,
        facets,
        suggested_facets,
        fts_table,
        links,
        all_columns,
        schema_sql,
    })
}

/// `CREATE TABLE` (or `VIEW`) for `table`, then its indexes and triggers,
/// as stored in the schema.
fn schema_sql(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut statement = conn.prepare(
        "SELECT sql FROM sqlite_schema WHERE tbl_name = ?1 AND sql IS NOT NULL \
         ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name",
    )?;
    let sql = statement.query_map([table], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(sql)
}

/// ORDER BY terms (relevance or the sort column, then the key to break
/// ties) and the parameters they bind.
struct Order {
    terms: Vec<String>,
    params: Vec<Cell>,
    /// Sorted by search relevance: paged by OFFSET.
    by_rank: bool,
}

fn order(plan: &Plan, selection: &Selection, sort_expr: Option<&str>, descending: bool) -> Order {
    let mut terms = Vec::new();
    let mut params = Vec::new();
    let rank = match (&selection.search, &selection.fts, sort_expr) {
        (Some(query), Some(index), None) => index.rank_order().map(|o| (o, query, index.rank_needs_query())),
        _ => None,
    };
    if let Some((rank, query, needs_query)) = &rank {
        terms.push(rank.clone());
        if *needs_query {
            params.push((*query).clone());
        }
    } else if let Some(s) = sort_expr {
        terms.push(format!("{s} {}", if descending { "DESC" } else { "ASC" }));
    }
    let key_direction = if descending && rank.is_none() { " DESC" } else { "" };
    let key_exprs = plan.key.exprs();
    for k in &key_exprs {
        // Sorted by the key itself: it is already in the order.
        if sort_expr != Some(k.as_str()) || key_exprs.len() != 1 {
            terms.push(format!("{k}{key_direction}"));
        }
    }
    Order { terms, params, by_rank: rank.is_some() }
}

/// The sort column as an SQL expression, checked against the table.
fn sort_expr(req: &TablePageRequest, plan: &Plan, all_columns: &[String]) -> Result<Option<String>> {
    let Some(sort) = &req.sort else { return Ok(None) };
    if !all_columns.contains(&sort.column) {
        return Err(Error::new(ErrorKind::NotFound, format!("Cannot sort by {:?}: {} has no such column.", sort.column, req.table)));
    }
    Ok(Some(if plan.is_rowid_alias(&sort.column) { sort.column.clone() } else { quote_ident(&sort.column) }))
}

/// Runs a page's statement under the time limit, within the result budget.
fn fetch_rows(conn: &mut Connection, clock: Clock, limit_ms: u32, sql: &str, params: &[Cell], width: usize) -> Result<Vec<Vec<Cell>>> {
    with_time_limit(conn, clock, limit_ms, |c| {
        let mut stmt = c.prepare(sql)?;
        let values: Vec<_> = params.iter().map(value_from_cell).collect();
        let mut cursor = stmt.query(rusqlite::params_from_iter(values))?;
        let mut rows = Vec::new();
        let mut budget = RESULT_BYTES_MAX;
        while let Some(row) = cursor.next()? {
            match row_cells(row, width, &mut budget)? {
                Some(cells) => rows.push(cells),
                None => return Err(too_large("This page", "show fewer rows (_size=) or hide the big columns (_nocol=)")),
            }
        }
        Ok(rows)
    })
}

pub(crate) fn rows_page(conn: &mut Connection, clock: Clock, req: &TablePageRequest) -> Result<RowsPage> {
    if req.page_size == 0 || req.page_size > MAX_PAGE_SIZE {
        return Err(Error::new(ErrorKind::BadRequest, format!("Page size must be between 1 and {MAX_PAGE_SIZE}.")));
    }
    let mut plan = plan(conn, &req.table)?;
    let all_columns = plan.display.clone();
    // Hidden columns are neither shown nor selected; the key still is.
    plan.hide(&req.hidden);
    if !req.shown.is_empty() {
        if let Some(unknown) = req.shown.iter().find(|c| !all_columns.contains(c)) {
            return Err(Error::new(ErrorKind::BadRequest, format!("There is no column named {unknown:?} to show (_col=).")));
        }
        let others: Vec<String> = all_columns.iter().filter(|c| !req.shown.contains(c)).cloned().collect();
        plan.hide(&others);
    }
    let sort_expr = sort_expr(req, &plan, &all_columns)?;
    let descending = req.sort.as_ref().is_some_and(|s| s.descending);
    let selection = selection(conn, req, &plan)?;
    let order = order(&plan, &selection, sort_expr.as_deref(), descending);
    let keyset = !order.by_rank && plan.key != RowKey::None;
    let start = page_start(req, &plan, keyset, sort_expr.as_deref(), descending)?;
    let statements = Statements::new(&plan, &selection, &order, &start, req.page_size);
    let mut rows = fetch_rows(conn, clock, req.time_limit_ms, &statements.page, &statements.params, statements.width)?;

    let page_size = req.page_size as usize;
    let display_width = plan.display.len();
    let paging_end = display_width + plan.key.exprs().len();
    let next = match rows.len() > page_size {
        true if keyset => {
            rows.truncate(page_size);
            Some(keyset_cursor(conn, req, &plan, &rows[page_size - 1])?)
        }
        true => {
            rows.truncate(page_size);
            Some(Cursor::Offset(start.offset + page_size as u64))
        }
        false => None,
    };
    let mut row_keys: Vec<Vec<String>> = rows
        .iter_mut()
        .map(|row| {
            let row_key = row.split_off(paging_end);
            row.truncate(display_width);
            row_key.iter().map(key_text).collect()
        })
        .collect();
    if plan.row_key.is_empty() {
        row_keys.clear();
    }
    Ok(RowsPage {
        plan,
        all_columns,
        rows,
        row_keys,
        next,
        shown_sql: statements.shown,
        description: selection.description,
        fts_table: selection.fts.map(|i| i.table),
        scope_conditions: selection.conditions,
        scope_params: selection.params,
        scan: statements.scan,
    })
}

/// Where a page starts: after its keyset cursor (a condition), or at an
/// OFFSET.
struct PageStart {
    condition: Option<(String, Vec<Cell>)>,
    offset: u64,
}

fn page_start(req: &TablePageRequest, plan: &Plan, keyset: bool, sort_expr: Option<&str>, descending: bool) -> Result<PageStart> {
    let key_exprs = plan.key.exprs();
    // Datasette's tokens, as our own cursor. A bare number on a keyed
    // table is Datasette's key, not an offset (as Datasette reads it).
    let token = match (&req.after, keyset) {
        (Some(Cursor::Offset(n)), true) => Some(n.to_string()),
        (Some(Cursor::Token(t)), _) => Some(t.clone()),
        _ => None,
    };
    let from_token = match (token, keyset) {
        (Some(token), true) => Some(crate::paging::datasette_token(&token, sort_expr.is_some(), key_exprs.len()).ok_or_else(bad_cursor)?),
        (Some(token), false) => Some(Cursor::Offset(token.parse().map_err(|_| bad_cursor())?)),
        (None, _) => None,
    };
    match (from_token.as_ref().or(req.after.as_ref()), keyset) {
        (None, _) => Ok(PageStart { condition: None, offset: 0 }),
        (Some(Cursor::Offset(n)), false) => Ok(PageStart { condition: None, offset: *n }),
        (Some(Cursor::Keyset { sort_value, key }), true) => {
            if key.len() != key_exprs.len() || sort_value.is_some() != sort_expr.is_some() {
                return Err(bad_cursor());
            }
            let condition = keyset_condition(sort_expr, descending, sort_value.as_ref(), &key_exprs, key);
            Ok(PageStart { condition: Some(condition), offset: 0 })
        }
        _ => Err(bad_cursor()),
    }
}

/// A page's statements, all with `?` placeholders in `params` order.
struct Statements {
    /// The shown columns, then the paging key (for the cursor), then the
    /// row key (for row links); one row more than the page, to know
    /// whether there is a next one.
    page: String,
    params: Vec<Cell>,
    /// Columns `page` selects.
    width: usize,
    /// Shown to the user: the shown columns, values inlined.
    shown: String,
    /// The same rows as one statement without LIMIT, for exporting a view
    /// that pages by OFFSET (paging it would re-run the sort per page).
    scan: (String, Vec<Cell>),
}

impl Statements {
    fn new(plan: &Plan, selection: &Selection, order: &Order, start: &PageStart, page_size: u32) -> Statements {
        let mut conditions = selection.conditions.clone();
        let mut params = selection.params.clone();
        if let Some((condition, values)) = &start.condition {
            conditions.push(condition.clone());
            params.extend(values.iter().cloned());
        }
        params.extend(order.params.iter().cloned());
        let mut select = plan.select_exprs();
        select.extend(plan.key.exprs());
        select.extend(plan.row_key.iter().map(|c| column_expr(c)));
        let mut tail = String::new();
        if !conditions.is_empty() {
            tail.push_str(&format!(" WHERE {}", conditions.join(" AND ")));
        }
        if !order.terms.is_empty() {
            tail.push_str(&format!(" ORDER BY {}", order.terms.join(", ")));
        }
        let shown_columns = select[..plan.display.len()].join(", ");
        let page = |columns: &str, tail: &str, limit: u32| {
            let mut sql = format!("SELECT {columns} FROM {}{tail} LIMIT {limit}", plan.from);
            if start.offset > 0 {
                sql.push_str(&format!(" OFFSET {}", start.offset));
            }
            sql
        };
        Statements {
            page: page(&select.join(", "), &tail, page_size + 1),
            // Only the lexer in `inline_params` can tell a placeholder from
            // a `?` inside a quoted column name.
            shown: page(&shown_columns, &inline_params(&tail, &params), page_size),
            scan: (format!("SELECT {shown_columns} FROM {}{tail}", plan.from), params.clone()),
            width: select.len(),
            params,
        }
    }
}

/// The cursor after `last` (a row as `Statements::page` selects it).
fn keyset_cursor(conn: &Connection, req: &TablePageRequest, plan: &Plan, last: &[Cell]) -> Result<Cursor> {
    let display_width = plan.display.len();
    let key = &last[display_width..display_width + plan.key.exprs().len()];
    let sort_value = match &req.sort {
        // The sort column may be hidden; read it back by key.
        Some(s) => Some(match plan.display.iter().position(|c| *c == s.column) {
            Some(i) => last[i].clone(),
            None => sort_value_of(conn, plan, &s.column, key)?,
        }),
        None => None,
    };
    Ok(Cursor::Keyset { sort_value, key: key.to_vec() })
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
    keys: &[relations::ForeignKey],
    facet: &mut FacetResult,
    limit_ms: u32,
    chosen: &relations::LabelColumns,
) {
    let Some(fk) = keys.iter().find(|k| k.column == facet.column) else { return };
    if facet.kind != protocol::FacetKind::Column {
        return;
    }
    let values: Vec<Cell> = facet.values.iter().map(|v| v.value.clone()).filter(|v| !v.is_null()).collect();
    if values.is_empty() {
        return;
    }
    let labels = relations::labels(conn, clock, fk, &values, limit_ms, chosen);
    for value in &mut facet.values {
        value.label = labels.iter().find(|(v, _)| *v == value.value).map(|(_, l)| l.clone());
    }
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
