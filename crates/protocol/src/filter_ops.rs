//! Datasette's filter operators, named once: the engine turns them into
//! SQL, the router reads and writes their URL spelling, the UI lists them
//! with their English.

use serde::{Deserialize, Serialize};

/// What a `?column__op=value` filter tests. `Exact` is also what a bare
/// `?column=value` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FilterOp {
    Exact,
    Not,
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
    Gt,
    Gte,
    Lt,
    Lte,
    Like,
    NotLike,
    Glob,
    In,
    NotIn,
    IsNull,
    NotNull,
    IsBlank,
    NotBlank,
    Date,
    ArrayContains,
    ArrayNotContains,
}

impl FilterOp {
    /// Every operator, in the order the UI offers them.
    pub const ALL: [FilterOp; 22] = [
        FilterOp::Exact,
        FilterOp::Not,
        FilterOp::Contains,
        FilterOp::NotContains,
        FilterOp::StartsWith,
        FilterOp::EndsWith,
        FilterOp::Gt,
        FilterOp::Gte,
        FilterOp::Lt,
        FilterOp::Lte,
        FilterOp::Like,
        FilterOp::NotLike,
        FilterOp::Glob,
        FilterOp::In,
        FilterOp::NotIn,
        FilterOp::IsNull,
        FilterOp::NotNull,
        FilterOp::IsBlank,
        FilterOp::NotBlank,
        FilterOp::Date,
        FilterOp::ArrayContains,
        FilterOp::ArrayNotContains,
    ];

    /// The spelling after `__` in a URL key (Datasette's).
    pub fn url_name(self) -> &'static str {
        self.names().0
    }

    /// How the operator reads in a sentence: "name *contains* Rock".
    pub fn words(self) -> &'static str {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            FilterOp::Exact => ("exact", "="),
            FilterOp::Not => ("not", "!="),
            FilterOp::Contains => ("contains", "contains"),
            FilterOp::NotContains => ("notcontains", "does not contain"),
            FilterOp::StartsWith => ("startswith", "starts with"),
            FilterOp::EndsWith => ("endswith", "ends with"),
            FilterOp::Gt => ("gt", ">"),
            FilterOp::Gte => ("gte", "≥"),
            FilterOp::Lt => ("lt", "<"),
            FilterOp::Lte => ("lte", "≤"),
            FilterOp::Like => ("like", "is like"),
            FilterOp::NotLike => ("notlike", "is not like"),
            FilterOp::Glob => ("glob", "matches glob"),
            FilterOp::In => ("in", "is one of"),
            FilterOp::NotIn => ("notin", "is not one of"),
            FilterOp::IsNull => ("isnull", "is null"),
            FilterOp::NotNull => ("notnull", "is not null"),
            FilterOp::IsBlank => ("isblank", "is blank"),
            FilterOp::NotBlank => ("notblank", "is not blank"),
            FilterOp::Date => ("date", "is on date"),
            FilterOp::ArrayContains => ("arraycontains", "array contains"),
            FilterOp::ArrayNotContains => ("arraynotcontains", "array does not contain"),
        }
    }

    pub fn from_url_name(name: &str) -> Option<FilterOp> {
        FilterOp::ALL.into_iter().find(|op| op.url_name() == name)
    }

    /// False for the operators that test the column alone
    /// (`?col__isnull=1`: the value is ignored).
    pub fn takes_value(self) -> bool {
        !matches!(self, FilterOp::IsNull | FilterOp::NotNull | FilterOp::IsBlank | FilterOp::NotBlank)
    }

    /// Operators that match text inside the value; the rest compare a
    /// value that may be a number.
    pub fn matches_text(self) -> bool {
        matches!(self, FilterOp::Contains | FilterOp::NotContains | FilterOp::ArrayContains | FilterOp::ArrayNotContains)
    }
}

/// Splits a URL key into column and operator: `name__contains` →
/// (`name`, `Contains`); a key with no known operator is an exact match on
/// the whole key, so a column may contain `__`.
pub fn split_key(key: &str) -> (String, FilterOp) {
    if let Some((column, name)) = key.rsplit_once("__") {
        if let Some(op) = FilterOp::from_url_name(name).filter(|_| !column.is_empty()) {
            return (column.to_string(), op);
        }
    }
    (key.to_string(), FilterOp::Exact)
}

/// The URL key for a filter: the bare column for an exact match where that
/// reads back the same, else `column__op`.
pub fn join_key(column: &str, op: FilterOp) -> String {
    let plain = op == FilterOp::Exact && !column.contains("__") && !column.starts_with('_');
    if plain {
        column.to_string()
    } else {
        format!("{column}__{}", op.url_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_into_column_and_operator() {
        assert_eq!(split_key("name__contains"), ("name".into(), FilterOp::Contains));
        assert_eq!(split_key("name"), ("name".into(), FilterOp::Exact));
        assert_eq!(split_key("odd__name"), ("odd__name".into(), FilterOp::Exact));
        assert_eq!(split_key("a__b__gte"), ("a__b".into(), FilterOp::Gte));
        assert_eq!(split_key("__gt"), ("__gt".into(), FilterOp::Exact));
    }

    #[test]
    fn every_key_reads_back_as_written() {
        for op in FilterOp::ALL {
            for column in ["name", "odd__name", "_private", "__gt", "a b"] {
                assert_eq!(split_key(&join_key(column, op)), (column.to_string(), op), "{column} {op:?}");
            }
        }
    }

    #[test]
    fn url_names_are_unique() {
        for op in FilterOp::ALL {
            assert_eq!(FilterOp::from_url_name(op.url_name()), Some(op));
        }
    }
}
