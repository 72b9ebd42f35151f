//! Small helpers for writing SQL text safely.

use protocol::Cell;
use rusqlite::types::{Value, ValueRef};

/// `name` as a double-quoted SQL identifier, safe whatever it contains.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `value` as an SQL literal. Only for SQL shown to the user ("View and edit
/// SQL"); queries the engine runs itself bind values as parameters.
pub fn literal(value: &Cell) -> String {
    match value {
        Cell::Null => "NULL".into(),
        Cell::Integer(i) => i.to_string(),
        Cell::Real(r) if r.is_finite() => format!("{r:?}"),
        Cell::Real(r) => if *r > 0.0 { "9e999".into() } else { "-9e999".into() },
        Cell::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Cell::Blob(b) => format!("X'{}'", b.iter().map(|x| format!("{x:02X}")).collect::<String>()),
    }
}

pub fn cell_from_ref(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Integer(i),
        ValueRef::Real(r) => Cell::Real(r),
        // SQLite may hold invalid UTF-8 in TEXT; show it with replacement marks.
        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
    }
}

pub fn value_from_cell(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Integer(i) => Value::Integer(*i),
        Cell::Real(r) => Value::Real(*r),
        Cell::Text(t) => Value::Text(t.clone()),
        Cell::Blob(b) => Value::Blob(b.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_literals_are_quoted() {
        assert_eq!(quote_ident("Track"), "\"Track\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal(&Cell::Text("it's".into())), "'it''s'");
        assert_eq!(literal(&Cell::Real(2.0)), "2.0");
        assert_eq!(literal(&Cell::Blob(vec![0xab, 1])), "X'AB01'");
        assert_eq!(literal(&Cell::Null), "NULL");
    }
}
