//! The names of Datasette's filter operators, shared by the engine (which
//! turns them into SQL) and the UI (which reads and writes them in URLs).

/// The operators, as they appear after `__` in a URL key, with the English
/// used to describe them. `exact` is also what a bare `?column=value` means.
pub const OPERATORS: [(&str, &str); 22] = [
    ("exact", "="),
    ("not", "!="),
    ("contains", "contains"),
    ("notcontains", "does not contain"),
    ("startswith", "starts with"),
    ("endswith", "ends with"),
    ("gt", ">"),
    ("gte", "≥"),
    ("lt", "<"),
    ("lte", "≤"),
    ("like", "is like"),
    ("notlike", "is not like"),
    ("glob", "matches glob"),
    ("in", "is one of"),
    ("notin", "is not one of"),
    ("isnull", "is null"),
    ("notnull", "is not null"),
    ("isblank", "is blank"),
    ("notblank", "is not blank"),
    ("date", "is on date"),
    ("arraycontains", "array contains"),
    ("arraynotcontains", "array does not contain"),
];

/// Operators that take no value (`?col__isnull=1`).
pub fn takes_no_value(op: &str) -> bool {
    matches!(op, "isnull" | "notnull" | "isblank" | "notblank")
}

/// Splits a URL key into column and operator: `name__contains` →
/// (`name`, `contains`); a key with no known operator is an exact match on
/// the whole key, so a column may contain `__`.
pub fn split_key(key: &str) -> (String, String) {
    if let Some((column, op)) = key.rsplit_once("__") {
        if OPERATORS.iter().any(|(o, _)| *o == op) && !column.is_empty() {
            return (column.to_string(), op.to_string());
        }
    }
    (key.to_string(), "exact".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_into_column_and_operator() {
        assert_eq!(split_key("name__contains"), ("name".into(), "contains".into()));
        assert_eq!(split_key("name"), ("name".into(), "exact".into()));
        assert_eq!(split_key("odd__name"), ("odd__name".into(), "exact".into()));
        assert_eq!(split_key("a__b__gte"), ("a__b".into(), "gte".into()));
        assert_eq!(split_key("__gt"), ("__gt".into(), "exact".into()));
    }
}
