//! `Cursor`: where the next table page starts, and its URL form.

use crate::Cell;

/// Where a table page starts. Lives in the URL as `_next=`, so a page of a
/// sorted table can be bookmarked.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Cursor {
    /// Keyset pagination: continue after the row whose sort value (when the
    /// page is sorted by a column) and key (rowid or primary key) are these.
    Keyset { sort_value: Option<Cell>, key: Vec<Cell> },
    /// Views have no key; they page by OFFSET.
    Offset(u64),
    /// A `_next` token as Datasette writes it: the sort value (`$null` for
    /// NULL) when sorted, then the key's values, comma-separated and
    /// tilde-encoded. Only the engine can read it: which parts there are
    /// depends on the table's key and the sort. A bare number is `Offset`
    /// here, and the engine reads it as Datasette does on a keyed table.
    Token(String),
}

impl Cursor {
    /// URL form: an offset is a bare number; a keyset is a JSON array of the
    /// key cells, led by `[sort value]` (an array, which a key cell never is)
    /// when the page is sorted.
    pub fn to_url_text(&self) -> String {
        match self {
            Cursor::Offset(n) => n.to_string(),
            Cursor::Token(text) => text.clone(),
            Cursor::Keyset { sort_value, key } => {
                let mut items: Vec<serde_json::Value> = Vec::with_capacity(key.len() + 1);
                if let Some(v) = sort_value {
                    items.push(serde_json::Value::Array(vec![v.to_json()]));
                }
                items.extend(key.iter().map(Cell::to_json));
                serde_json::Value::Array(items).to_string()
            }
        }
    }

    /// Our own form, else any other text that is not JSON as a Datasette
    /// token.
    pub fn from_url_text(text: &str) -> Option<Cursor> {
        if text.is_empty() || text.starts_with(['[', '{']) {
            return Cursor::from_own_text(text);
        }
        Cursor::from_own_text(text).or_else(|| Some(Cursor::Token(text.to_string())))
    }

    fn from_own_text(text: &str) -> Option<Cursor> {
        match serde_json::from_str::<serde_json::Value>(text).ok()? {
            serde_json::Value::Number(n) => Some(Cursor::Offset(n.as_u64()?)),
            serde_json::Value::Array(items) => {
                let mut items = items.into_iter().peekable();
                let sort_value = match items.peek() {
                    Some(serde_json::Value::Array(inner)) if inner.len() == 1 => {
                        let v = Cell::from_json(&inner[0])?;
                        items.next();
                        Some(v)
                    }
                    _ => None,
                };
                let key = items.map(|v| Cell::from_json(&v)).collect::<Option<Vec<_>>>()?;
                if key.is_empty() {
                    return None;
                }
                Some(Cursor::Keyset { sort_value, key })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_text_round_trips() {
        let cases = [
            (Cursor::Offset(200), "200"),
            (Cursor::Keyset { sort_value: None, key: vec![Cell::Integer(17)] }, "[17]"),
            (Cursor::Keyset { sort_value: Some(Cell::Null), key: vec![Cell::Integer(3)] }, "[[null],3]"),
            (
                Cursor::Keyset { sort_value: Some(Cell::Text("a,b".into())), key: vec![Cell::Text("x".into()), Cell::Real(2.5)] },
                r#"[["a,b"],"x",2.5]"#,
            ),
        ];
        for (cursor, text) in cases {
            assert_eq!(cursor.to_url_text(), text);
            assert_eq!(Cursor::from_url_text(text), Some(cursor));
        }
    }

    #[test]
    fn nonsense_is_rejected() {
        for text in ["", "[]", "[[1]]", "{\"a\":1}", "[true]", "[1"] {
            assert_eq!(Cursor::from_url_text(text), None, "{text}");
        }
    }

    #[test]
    fn other_text_is_a_datasette_token() {
        for text in ["abc", "-1", "2.5,17", "$null,3", "a~2Cb,1"] {
            assert_eq!(Cursor::from_url_text(text), Some(Cursor::Token(text.into())), "{text}");
            assert_eq!(Cursor::Token(text.into()).to_url_text(), text);
        }
    }
}
