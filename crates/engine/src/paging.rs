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
