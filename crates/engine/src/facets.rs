//! Facets: counts of the distinct values of a column among the rows a view
//! shows, and suggestions of columns worth faceting by.

use protocol::{Cell, FacetKind, FacetRequest, FacetResult, FacetValue, Filter, FilterOp};
use rusqlite::Connection;

use crate::plan::key_text;
use crate::sql::{cell_from_ref, quote_ident, value_from_cell};
use crate::time_limit::{with_time_limit, Clock};

/// Values shown per facet, as in Datasette (`default_facet_size`).
pub const FACET_SIZE: usize = 30;
/// All suggestion checks for one view together may take this long; the
/// columns not reached by then are not suggested (1,990 columns × 50 ms
/// once blocked the worker for 97 s).
pub const SUGGEST_TOTAL_MS: f64 = 1_000.0;
/// Each suggestion check may take this long (Datasette: 50 ms).
pub const SUGGEST_TIME_LIMIT_MS: u32 = 50;

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

/// The SQL that counts a facet's values, most frequent first.
pub fn facet_sql(scope: &Scope<'_>, column: &str, kind: FacetKind) -> String {
    let c = quote_ident(column);
    let w = scope.where_sql();
    let from = scope.from;
    let limit = FACET_SIZE + 1;
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

pub fn facet(conn: &mut Connection, clock: Clock, scope: &Scope<'_>, request: &FacetRequest, limit_ms: u32) -> FacetResult {
    let sql = facet_sql(scope, &request.column, request.kind);
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
            let truncated = values.len() > FACET_SIZE;
            values.truncate(FACET_SIZE);
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

/// Columns worth faceting by: few distinct values (2 to 30, fewer than
/// the rows), JSON arrays of strings, or dates. Each check is skipped when
/// it takes longer than `SUGGEST_TIME_LIMIT_MS`.
pub fn suggest(conn: &mut Connection, clock: Clock, scope: &Scope<'_>, columns: &[String], already: &[FacetRequest]) -> Vec<FacetRequest> {
    let mut out = Vec::new();
    let w = scope.where_sql();
    let from = scope.from;
    let params: Vec<_> = scope.params.iter().map(value_from_cell).collect();
    let total = with_time_limit(conn, clock, SUGGEST_TIME_LIMIT_MS, |c| {
        Ok(c.query_row(&format!("SELECT count(*) FROM {from}{w}"), rusqlite::params_from_iter(params.iter()), |r| r.get::<_, i64>(0))?)
    });
    let Ok(total) = total else { return out };
    let started = clock();
    for column in columns {
        if clock() - started > SUGGEST_TOTAL_MS {
            break;
        }
        let taken = |kind| already.iter().any(|f| f.column == *column && f.kind == kind);
        let c = quote_ident(column);
        if !taken(FacetKind::Column) {
            let sql = format!("SELECT count(DISTINCT {c}) FROM {from}{w}");
            let distinct = with_time_limit(conn, clock, SUGGEST_TIME_LIMIT_MS, |conn| {
                Ok(conn.query_row(&sql, rusqlite::params_from_iter(params.iter()), |r| r.get::<_, i64>(0))?)
            });
            if let Ok(n) = distinct {
                if n > 1 && n <= FACET_SIZE as i64 && n < total {
                    out.push(FacetRequest { column: column.clone(), kind: FacetKind::Column });
                    continue;
                }
            }
        }
        // A column of JSON arrays of strings (sampled): an array facet.
        if !taken(FacetKind::Array) {
            let arrays = crate::filters::is_json_array(&c);
            let sql = format!(
                "SELECT count(*) > 0 AND count(*) = sum(CASE WHEN {arrays} THEN NOT EXISTS (SELECT 1 FROM json_each({c}) WHERE type != 'text') ELSE 0 END) \
                 FROM (SELECT {c} FROM {from}{w} AND {c} IS NOT NULL AND {c} != '' LIMIT 100)",
                w = if w.is_empty() { " WHERE 1".to_string() } else { w.clone() }
            );
            let arrays = with_time_limit(conn, clock, SUGGEST_TIME_LIMIT_MS, |conn| {
                Ok(conn.query_row(&sql, rusqlite::params_from_iter(params.iter()), |r| r.get::<_, Option<bool>>(0))?)
            });
            if let Ok(Some(true)) = arrays {
                out.push(FacetRequest { column: column.clone(), kind: FacetKind::Array });
                continue;
            }
        }
        // Values that all read as dates (sampled), several distinct: a date facet.
        if !taken(FacetKind::Date) {
            let sql = format!(
                "SELECT count(*) > 0 AND count(*) = sum(date({c}) IS NOT NULL AND typeof({c}) = 'text'), count(DISTINCT date({c})) \
                 FROM (SELECT {c} FROM {from}{w} AND {c} IS NOT NULL LIMIT 100)",
                w = if w.is_empty() { " WHERE 1".to_string() } else { w.clone() }
            );
            let dates = with_time_limit(conn, clock, SUGGEST_TIME_LIMIT_MS, |conn| {
                Ok(conn.query_row(&sql, rusqlite::params_from_iter(params.iter()), |r| {
                    Ok((r.get::<_, Option<bool>>(0)?, r.get::<_, i64>(1)?))
                })?)
            });
            if let Ok((Some(true), distinct)) = dates {
                if distinct > 1 {
                    out.push(FacetRequest { column: column.clone(), kind: FacetKind::Date });
                }
            }
        }
    }
    out
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
        .assert_eq(&facet_sql(&scope, "genre", FacetKind::Column));
        expect_test::expect![[r#"SELECT j.value AS value, count(*) AS n FROM (SELECT "tags" AS facet_source FROM "t" WHERE "year" > ? AND CASE WHEN json_valid("tags") THEN json_type("tags") = 'array' ELSE 0 END) AS s, json_each(s.facet_source) AS j GROUP BY j.value ORDER BY n DESC, value LIMIT 31"#]]
            .assert_eq(&facet_sql(&scope, "tags", FacetKind::Array));
        expect_test::expect![[r#"SELECT date("at") AS value, count(*) AS n FROM "t" GROUP BY date("at") ORDER BY n DESC, value LIMIT 31"#]]
            .assert_eq(&facet_sql(&Scope { from: "\"t\"", conditions: &[], params: &[] }, "at", FacetKind::Date));
    }
}
