//! Keyset paging: the condition for "rows after this cursor".
//!
//! Tables page by keyset: the page after a row is "rows that sort after
//! (sort value, key)", where the key is the rowid or the primary key. That
//! costs the same on page 9,000 as on page 1, unlike OFFSET, and stays
//! correct when the sort column has ties or NULLs. Views, and searches in
//! relevance order, page by OFFSET.

use protocol::Cell;

use crate::error::{Error, ErrorKind};

pub(crate) fn bad_cursor() -> Error {
    Error::new(ErrorKind::BadRequest, "The page link (_next) does not fit this table or sort order; start from the first page.")
}

/// A Datasette `_next` token (`sort value,key…`, tilde-encoded, `$null`
/// for a NULL sort value) as a cursor of a page with `key_parts` key
/// columns, `sorted` or not. Its values are text: the columns' affinity
/// compares them as what they hold (`rowid > '100'` is `rowid > 100`).
pub(crate) fn datasette_token(token: &str, sorted: bool, key_parts: usize) -> Option<protocol::Cursor> {
    let mut parts = token.split(',').map(tilde_decode).collect::<Option<Vec<String>>>()?.into_iter();
    let sort_value = if sorted {
        let first = parts.next()?;
        Some(if first == "$null" { Cell::Null } else { Cell::Text(first) })
    } else {
        None
    };
    let key: Vec<Cell> = parts.map(Cell::Text).collect();
    (key.len() == key_parts && key_parts > 0).then_some(protocol::Cursor::Keyset { sort_value, key })
}

/// Datasette's tilde encoding undone: `~2C` is a byte in hex, `+` a space.
fn tilde_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'~' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The WHERE condition for "rows after this cursor", with `?` placeholders.
///
/// Order is `sort [DESC], key [DESC]`: the key breaks ties in the sort's
/// direction, so that "after (v, k)" is one row-value comparison, which
/// SQLite answers with an index seek (`(s, key) > (?, ?)`), not a scan.
/// SQLite puts NULLs first ascending and last descending; NULL sort values
/// are paged by key alone.
pub(crate) fn keyset_condition(
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
