//! Datasette's filter language: `?column__op=value` in the URL, turned into
//! a WHERE clause with every value bound as a parameter, and described in
//! plain English.

use protocol::{Cell, Filter, FilterOp};

use crate::error::{Error, ErrorKind, Result};
use crate::import::{shape, Shape};
use crate::sql::quote_ident;

/// A value typed the way a person typing it means it: `5` is a number,
/// `007` and `abc` are text. Bound to a TEXT column, SQLite turns a number
/// back into text, so `name=123` still finds the text `123`.
pub fn typed(value: &str) -> Cell {
    match shape(value) {
        Shape::Integer(i) => Cell::Integer(i),
        Shape::Real(r) => Cell::Real(r),
        Shape::Empty | Shape::Text => Cell::Text(value.to_string()),
    }
}

/// LIKE pattern text with `%`, `_` and `\` taken literally (`ESCAPE '\'`).
fn like_literal(value: &str) -> String {
    value.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The list for `in`/`notin`: a JSON array, or comma-separated values.
fn list(value: &str) -> Vec<Cell> {
    if let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(value) {
        return items.iter().map(|v| Cell::from_json(v).unwrap_or_else(|| Cell::Text(v.to_string()))).collect();
    }
    value.split(',').map(|v| typed(v.trim())).collect()
}

/// `test (SELECT value FROM json_each(c))` for JSON-array cells, 0 for the
/// rest (json_each raises an error on text that is not JSON).
fn array_guard(c: &str, test: &str) -> String {
    format!(
        "CASE WHEN json_valid({c}) THEN CASE WHEN json_type({c}) = 'array' \
         THEN {test} (SELECT value FROM json_each({c})) ELSE 0 END ELSE 0 END"
    )
}

/// True for JSON-array cells, false (not an error) for anything else.
pub fn is_json_array(c: &str) -> String {
    format!("CASE WHEN json_valid({c}) THEN json_type({c}) = 'array' ELSE 0 END")
}

/// The WHERE condition (with `?` placeholders) and parameters for
/// `filters`, whose columns must be among `columns` (or be `rowid`).
pub fn where_clause(filters: &[Filter], columns: &[String]) -> Result<(Vec<String>, Vec<Cell>)> {
    let mut conditions = Vec::new();
    let mut params = Vec::new();
    for f in filters {
        let known = columns.iter().any(|c| c == &f.column) || f.column == "rowid";
        if !known {
            return Err(Error::new(ErrorKind::NotFound, format!("Cannot filter on {:?}: there is no such column.", f.column)));
        }
        let c = quote_ident(&f.column);
        let v = f.value.as_str();
        let like = |pattern: String| vec![Cell::Text(pattern)];
        let (condition, mut values) = match f.op {
            FilterOp::Exact => (format!("{c} = ?"), vec![typed(v)]),
            FilterOp::Not => (format!("{c} != ?"), vec![typed(v)]),
            FilterOp::Contains => (format!("{c} LIKE ? ESCAPE '\\'"), like(format!("%{}%", like_literal(v)))),
            FilterOp::NotContains => (format!("{c} NOT LIKE ? ESCAPE '\\'"), like(format!("%{}%", like_literal(v)))),
            FilterOp::StartsWith => (format!("{c} LIKE ? ESCAPE '\\'"), like(format!("{}%", like_literal(v)))),
            FilterOp::EndsWith => (format!("{c} LIKE ? ESCAPE '\\'"), like(format!("%{}", like_literal(v)))),
            FilterOp::Gt => (format!("{c} > ?"), vec![typed(v)]),
            FilterOp::Gte => (format!("{c} >= ?"), vec![typed(v)]),
            FilterOp::Lt => (format!("{c} < ?"), vec![typed(v)]),
            FilterOp::Lte => (format!("{c} <= ?"), vec![typed(v)]),
            FilterOp::Like => (format!("{c} LIKE ?"), like(v.into())),
            FilterOp::NotLike => (format!("{c} NOT LIKE ?"), like(v.into())),
            FilterOp::Glob => (format!("{c} GLOB ?"), like(v.into())),
            FilterOp::In | FilterOp::NotIn => {
                let items = list(v);
                let marks = vec!["?"; items.len().max(1)].join(", ");
                let not = if f.op == FilterOp::NotIn { "NOT " } else { "" };
                let items = if items.is_empty() { vec![Cell::Null] } else { items };
                (format!("{c} {not}IN ({marks})"), items)
            }
            FilterOp::IsNull => (format!("{c} IS NULL"), vec![]),
            FilterOp::NotNull => (format!("{c} IS NOT NULL"), vec![]),
            FilterOp::IsBlank => (format!("({c} IS NULL OR {c} = '')"), vec![]),
            FilterOp::NotBlank => (format!("({c} IS NOT NULL AND {c} != '')"), vec![]),
            FilterOp::Date => (format!("date({c}) = ?"), like(v.into())),
            // CASE keeps json_each away from cells that are not JSON arrays.
            FilterOp::ArrayContains => (format!("{} = 1", array_guard(&c, "? IN")), vec![typed(v)]),
            FilterOp::ArrayNotContains => (format!("{} = 1", array_guard(&c, "? NOT IN")), vec![typed(v)]),
        };
        conditions.push(condition);
        params.append(&mut values);
    }
    Ok((conditions, params))
}

/// "where name contains "x" and year > 1990", for the top of a table page.
pub fn describe(filters: &[Filter]) -> String {
    let parts: Vec<String> = filters
        .iter()
        .map(|f| {
            let words = f.op.words();
            if !f.op.takes_value() {
                format!("{} {words}", f.column)
            } else if matches!(shape(&f.value), Shape::Integer(_) | Shape::Real(_)) && !f.op.matches_text() {
                format!("{} {words} {}", f.column, f.value)
            } else {
                format!("{} {words} \"{}\"", f.column, f.value)
            }
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("where {}", parts.join(" and "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(column: &str, op: &str, value: &str) -> Filter {
        let op = FilterOp::from_url_name(op).expect("a known operator");
        Filter { column: column.into(), op, value: value.into() }
    }

    #[test]
    fn every_operator_becomes_bound_sql() {
        let columns: Vec<String> = ["name", "year", "tags", "when"].map(String::from).to_vec();
        let cases = [
            (f("name", "exact", "Rock"), "\"name\" = ?", vec![Cell::Text("Rock".into())]),
            (f("year", "exact", "1990"), "\"year\" = ?", vec![Cell::Integer(1990)]),
            (f("name", "exact", "007"), "\"name\" = ?", vec![Cell::Text("007".into())]),
            (f("name", "not", "x"), "\"name\" != ?", vec![Cell::Text("x".into())]),
            (f("name", "contains", "50%_off"), "\"name\" LIKE ? ESCAPE '\\'", vec![Cell::Text("%50\\%\\_off%".into())]),
            (f("name", "notcontains", "a"), "\"name\" NOT LIKE ? ESCAPE '\\'", vec![Cell::Text("%a%".into())]),
            (f("name", "startswith", "Th"), "\"name\" LIKE ? ESCAPE '\\'", vec![Cell::Text("Th%".into())]),
            (f("name", "endswith", "s"), "\"name\" LIKE ? ESCAPE '\\'", vec![Cell::Text("%s".into())]),
            (f("year", "gt", "1.5"), "\"year\" > ?", vec![Cell::Real(1.5)]),
            (f("year", "gte", "2"), "\"year\" >= ?", vec![Cell::Integer(2)]),
            (f("year", "lt", "2"), "\"year\" < ?", vec![Cell::Integer(2)]),
            (f("year", "lte", "2"), "\"year\" <= ?", vec![Cell::Integer(2)]),
            (f("name", "like", "R_ck%"), "\"name\" LIKE ?", vec![Cell::Text("R_ck%".into())]),
            (f("name", "notlike", "R%"), "\"name\" NOT LIKE ?", vec![Cell::Text("R%".into())]),
            (f("name", "glob", "R*"), "\"name\" GLOB ?", vec![Cell::Text("R*".into())]),
            (f("year", "in", "1,2, x"), "\"year\" IN (?, ?, ?)", vec![Cell::Integer(1), Cell::Integer(2), Cell::Text("x".into())]),
            (f("name", "notin", "[\"a,b\", 3]"), "\"name\" NOT IN (?, ?)", vec![Cell::Text("a,b".into()), Cell::Integer(3)]),
            (f("name", "isnull", "1"), "\"name\" IS NULL", vec![]),
            (f("name", "notnull", "1"), "\"name\" IS NOT NULL", vec![]),
            (f("name", "isblank", "1"), "(\"name\" IS NULL OR \"name\" = '')", vec![]),
            (f("name", "notblank", "1"), "(\"name\" IS NOT NULL AND \"name\" != '')", vec![]),
            (f("when", "date", "2024-01-31"), "date(\"when\") = ?", vec![Cell::Text("2024-01-31".into())]),
            (f("tags", "arraycontains", "red"), "CASE WHEN json_valid(\"tags\") THEN CASE WHEN json_type(\"tags\") = 'array' THEN ? IN (SELECT value FROM json_each(\"tags\")) ELSE 0 END ELSE 0 END = 1", vec![Cell::Text("red".into())]),
            (f("tags", "arraynotcontains", "3"), "CASE WHEN json_valid(\"tags\") THEN CASE WHEN json_type(\"tags\") = 'array' THEN ? NOT IN (SELECT value FROM json_each(\"tags\")) ELSE 0 END ELSE 0 END = 1", vec![Cell::Integer(3)]),
        ];
        assert_eq!(cases.len(), FilterOp::ALL.len() + 2);
        for (filter, sql, params) in cases {
            let (conditions, bound) = where_clause(std::slice::from_ref(&filter), &columns).unwrap();
            assert_eq!(conditions, vec![sql.to_string()], "{filter:?}");
            assert_eq!(bound, params, "{filter:?}");
        }
    }

    #[test]
    fn unknown_columns_are_errors() {
        let columns = vec!["a".to_string()];
        assert!(where_clause(&[f("b", "exact", "1")], &columns).unwrap_err().message().contains("no such column"));
        assert!(where_clause(&[f("rowid", "gt", "1")], &columns).is_ok());
    }

    #[test]
    fn filters_read_as_english() {
        let filters = [f("name", "contains", "Rock"), f("year", "gte", "1990"), f("composer", "isnull", "1")];
        assert_eq!(describe(&filters), "where name contains \"Rock\" and year ≥ 1990 and composer is null");
        assert_eq!(describe(&[]), "");
    }
}
