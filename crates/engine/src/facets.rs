//! Facets: counts of the distinct values of a column among the rows a view
//! shows, and suggestions of columns worth faceting by.

use protocol::{Cell, FacetKind, FacetRequest, FacetResult, FacetValue, Filter, FilterOp};
use rusqlite::Connection;

use crate::plan::key_text;
use crate::sql::{cell_from_ref, quote_ident, value_from_cell};
use crate::time_limit::{with_step_budget, with_time_limit, Clock};

/// Each suggestion check may take this many SQLite VM steps (about 30 ms
/// natively, 60 ms in the browser, where Datasette allows 50 ms). Steps,
/// not time: the same columns are suggested on every visit, however busy
/// the machine.
pub const SUGGEST_CHECK_STEPS: u64 = 1_000_000;
/// All suggestion checks for one view together may take this many steps;
/// the columns not reached by then are not suggested (1,990 columns × 50
/// ms once blocked the worker for 97 s).
pub const SUGGEST_TOTAL_STEPS: u64 = 20 * SUGGEST_CHECK_STEPS;
/// Backstops in time, for steps that are slow (comparing huge values):
/// per check, and for all of a view's checks. Far above what the step
/// budget costs (tens of milliseconds), so a busy machine does not reach
/// them and the suggestions stay the same.
pub const SUGGEST_CHECK_BACKSTOP_MS: u32 = 2_000;
pub const SUGGEST_TOTAL_BACKSTOP_MS: f64 = 10_000.0;
/// What a check costs at least, in steps: preparing its statement is
/// work the VM does not count (it is what a very wide view costs).
const SUGGEST_CHECK_LEAST_STEPS: u64 = 100_000;
/// Counting the rows in scope, before any check, may take this long.
const SUGGEST_COUNT_LIMIT_MS: u32 = 50;

/// The rows a facet counts over: `FROM … WHERE …` and its parameters.
pub struct Scope<'a> {
    pub from: &'a str,
    pub conditions: &'a [String],
    pub params: &'a [Cell],
}

impl Scope<'_> {
    fn where_sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }
}

/// The SQL that counts a facet's `size` most frequent values (and one
/// more, which tells there are more).
pub fn facet_sql(scope: &Scope<'_>, column: &str, kind: FacetKind, size: usize) -> String {
    let c = quote_ident(column);
    let w = scope.where_sql();
    let from = scope.from;
    let limit = size + 1;
    match kind {
        FacetKind::Column => format!("SELECT {c} AS value, count(*) AS n FROM {from}{w} GROUP BY {c} ORDER BY n DESC, value LIMIT {limit}"),
        FacetKind::Date => {
            format!("SELECT date({c}) AS value, count(*) AS n FROM {from}{w} GROUP BY date({c}) ORDER BY n DESC, value LIMIT {limit}")
        }
        // Only rows whose cell is a JSON array take part.
        FacetKind::Array => {
            let w = if w.is_empty() { " WHERE ".to_string() } else { format!("{w} AND ") };
            let arrays = crate::filters::is_json_array(&c);
            format!(
                "SELECT j.value AS value, count(*) AS n FROM (SELECT {c} AS facet_source FROM {from}{w}{arrays}) AS s, \
                 json_each(s.facet_source) AS j GROUP BY j.value ORDER BY n DESC, value LIMIT {limit}"
            )
        }
    }
}

/// The `size` most frequent values of a facet.
pub fn facet(conn: &mut Connection, clock: Clock, scope: &Scope<'_>, request: &FacetRequest, size: usize, limit_ms: u32) -> FacetResult {
    let sql = facet_sql(scope, &request.column, request.kind, size);
    let counted = with_time_limit(conn, clock, limit_ms, |c| {
        let mut stmt = c.prepare(&sql)?;
        let params: Vec<_> = scope.params.iter().map(value_from_cell).collect();
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            let value = cell_from_ref(r.get_ref(0)?);
            let filter = value_filter(&request.column, request.kind, &value);
            Ok(FacetValue { value, label: None, count: r.get::<_, i64>(1)? as u64, filter })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    });
    match counted {
        Ok(mut values) => {
            let truncated = values.len() > size;
            values.truncate(size);
            FacetResult { column: request.column.clone(), kind: request.kind, values, truncated, error: None }
        }
        Err(e) => FacetResult {
            column: request.column.clone(),
            kind: request.kind,
            values: Vec::new(),
            truncated: false,
            error: Some(e.message().into()),
        },
    }
}

/// The filter that selects the rows a facet value counts.
fn value_filter(column: &str, kind: FacetKind, value: &Cell) -> Filter {
    let op = match (kind, value.is_null()) {
        (_, true) => FilterOp::IsNull,
        (FacetKind::Column, false) => FilterOp::Exact,
        (FacetKind::Array, false) => FilterOp::ArrayContains,
        (FacetKind::Date, false) => FilterOp::Date,
    };
    let value = if value.is_null() { "1".to_string() } else { key_text(value) };
    Filter { column: column.to_string(), op, value }
}

/// Looking for columns worth faceting by: few distinct values (2 to 30,
/// fewer than the rows), JSON arrays of strings, or dates. The work is cut
/// into steps of one check each (one column, one kind, at most
/// `SUGGEST_TIME_LIMIT_MS`), so whoever runs it can do other things
/// between steps; all steps together stop after `SUGGEST_TOTAL_MS` of work,
/// and the columns not reached by then are not suggested (Datasette does
/// the same).
pub struct FacetSuggestions {
    from: String,
    where_sql: String,
    params: Vec<Cell>,
    /// Rows in scope.
    total: i64,
    /// Checks still to make, in order.
    checks: std::collections::VecDeque<(String, FacetKind)>,
    found: Vec<FacetRequest>,
    spent_steps: u64,
    spent_ms: f64,
}

impl FacetSuggestions {
    /// Plans the checks of `columns` among the rows in `scope` (facets in
    /// `already` are not checked). `None` when even counting the rows in
    /// scope takes too long.
    pub fn new(conn: &mut Connection, clock: Clock, scope: &Scope<'_>, columns: &[String], already: &[FacetRequest]) -> Option<Self> {
        let where_sql = scope.where_sql();
        let sql = format!("SELECT count(*) FROM {}{where_sql}", scope.from);
        let params = scope.params.to_vec();
        let total = with_time_limit(conn, clock, SUGGEST_COUNT_LIMIT_MS, |c| {
            Ok(c.query_row(&sql, rusqlite::params_from_iter(params.iter().map(value_from_cell)), |r| r.get::<_, i64>(0))?)
        })
        .ok()?;
        let mut checks = std::collections::VecDeque::new();
        for column in columns {
            for kind in [FacetKind::Column, FacetKind::Array, FacetKind::Date] {
                if !already.iter().any(|f| f.column == *column && f.kind == kind) {
                    checks.push_back((column.clone(), kind));
                }
            }
        }
        Some(FacetSuggestions {
            from: scope.from.to_string(),
            where_sql,
            params,
            total,
            checks,
            found: Vec::new(),
            spent_steps: 0,
            spent_ms: 0.0,
        })
    }

    /// Makes the next check; false when there is nothing left to do.
    pub fn step(&mut self, conn: &mut Connection, clock: Clock) -> bool {
        if self.spent_steps > SUGGEST_TOTAL_STEPS || self.spent_ms > SUGGEST_TOTAL_BACKSTOP_MS {
            self.checks.clear();
        }
        let Some((column, kind)) = self.checks.pop_front() else { return false };
        let started = clock();
        let (worth_it, steps) = self.check(conn, clock, &column, kind);
        if worth_it {
            self.found.push(FacetRequest { column: column.clone(), kind });
            // One suggestion per column.
            self.checks.retain(|(c, _)| *c != column);
        }
        self.spent_steps += steps.max(SUGGEST_CHECK_LEAST_STEPS);
        self.spent_ms += clock() - started;
        !self.checks.is_empty()
    }

    /// Takes the columns found worth faceting by, so far.
    pub fn found(&mut self) -> Vec<FacetRequest> {
        std::mem::take(&mut self.found)
    }

    /// Whether `column` is worth a facet of `kind`, and the steps it took.
    fn check(&self, conn: &mut Connection, clock: Clock, column: &str, kind: FacetKind) -> (bool, u64) {
        let c = quote_ident(column);
        let (from, w) = (&self.from, &self.where_sql);
        // Sampled checks add their own condition to the scope's.
        let w_and = if w.is_empty() { " WHERE 1".to_string() } else { w.clone() };
        let params = || rusqlite::params_from_iter(self.params.iter().map(value_from_cell));
        match kind {
            FacetKind::Column => {
                let sql = format!("SELECT count(DISTINCT {c}) FROM {from}{w}");
                let (distinct, steps) = budgeted(conn, clock, |conn| Ok(conn.query_row(&sql, params(), |r| r.get::<_, i64>(0))?));
                (matches!(distinct, Ok(n) if n > 1 && n <= i64::from(protocol::DEFAULT_FACET_SIZE) && n < self.total), steps)
            }
            // A column of JSON arrays of strings (sampled): an array facet.
            FacetKind::Array => {
                let arrays = crate::filters::is_json_array(&c);
                let sql = format!(
                    "SELECT count(*) > 0 AND count(*) = sum(CASE WHEN {arrays} THEN NOT EXISTS (SELECT 1 FROM json_each({c}) WHERE type != 'text') ELSE 0 END) \
                     FROM (SELECT {c} FROM {from}{w_and} AND {c} IS NOT NULL AND {c} != '' LIMIT 100)"
                );
                let (arrays, steps) = budgeted(conn, clock, |conn| Ok(conn.query_row(&sql, params(), |r| r.get::<_, Option<bool>>(0))?));
                (matches!(arrays, Ok(Some(true))), steps)
            }
            // Values that all read as dates (sampled), several distinct: a date facet.
            FacetKind::Date => {
                let sql = format!(
                    "SELECT count(*) > 0 AND count(*) = sum(date({c}) IS NOT NULL AND typeof({c}) = 'text'), count(DISTINCT date({c})) \
                     FROM (SELECT {c} FROM {from}{w_and} AND {c} IS NOT NULL LIMIT 100)"
                );
                let (dates, steps) = budgeted(conn, clock, |conn| {
                    Ok(conn.query_row(&sql, params(), |r| Ok((r.get::<_, Option<bool>>(0)?, r.get::<_, i64>(1)?)))?)
                });
                (matches!(dates, Ok((Some(true), distinct)) if distinct > 1), steps)
            }
        }
    }
}

/// One suggestion check, under its step budget.
fn budgeted<T>(conn: &mut Connection, clock: Clock, work: impl FnOnce(&Connection) -> crate::Result<T>) -> (crate::Result<T>, u64) {
    with_step_budget(conn, clock, SUGGEST_CHECK_STEPS, SUGGEST_CHECK_BACKSTOP_MS, work)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_sql_counts_within_the_filters() {
        let conditions = vec!["\"year\" > ?".to_string()];
        let scope = Scope { from: "\"t\"", conditions: &conditions, params: &[] };
        expect_test::expect![[
            r#"SELECT "genre" AS value, count(*) AS n FROM "t" WHERE "year" > ? GROUP BY "genre" ORDER BY n DESC, value LIMIT 31"#
        ]]
        .assert_eq(&facet_sql(&scope, "genre", FacetKind::Column, 30));
        expect_test::expect![[r#"SELECT j.value AS value, count(*) AS n FROM (SELECT "tags" AS facet_source FROM "t" WHERE "year" > ? AND CASE WHEN json_valid("tags") THEN json_type("tags") = 'array' ELSE 0 END) AS s, json_each(s.facet_source) AS j GROUP BY j.value ORDER BY n DESC, value LIMIT 31"#]]
            .assert_eq(&facet_sql(&scope, "tags", FacetKind::Array, 30));
        expect_test::expect![[r#"SELECT date("at") AS value, count(*) AS n FROM "t" GROUP BY date("at") ORDER BY n DESC, value LIMIT 31"#]]
            .assert_eq(&facet_sql(&Scope { from: "\"t\"", conditions: &[], params: &[] }, "at", FacetKind::Date, 30));
    }
}
