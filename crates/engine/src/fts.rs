//! Full-text search: finding the FTS index of a table and searching it.

use rusqlite::Connection;

use crate::error::Result;
use crate::sql::quote_ident;

/// An FTS index that covers a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtsIndex {
    pub table: String,
    /// FTS5 (ranks with bm25 through its `rank` column) or FTS3/4.
    pub fts5: bool,
    /// The indexed table's column that FTS rowids equal (`content_rowid`).
    pub content_rowid: String,
    /// The table *is* the FTS index (searched directly with MATCH).
    pub is_self: bool,
}

/// The FTS index for `table`: the table itself if it is an FTS table, else
/// an FTS table whose `content=` option names it (Datasette's rule).
pub fn detect(conn: &Connection, table: &str) -> Result<Option<FtsIndex>> {
    let mut stmt = conn.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")?;
    let candidates: Vec<(String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    for (name, sql) in candidates {
        let lower = sql.to_ascii_lowercase();
        let Some(using) = lower.find(" using ") else { continue };
        let module = lower[using + 7..].trim_start();
        let fts5 = module.starts_with("fts5");
        if !(fts5 || module.starts_with("fts4") || module.starts_with("fts3")) {
            continue;
        }
        if name.eq_ignore_ascii_case(table) {
            return Ok(Some(FtsIndex { table: name, fts5, content_rowid: "rowid".into(), is_self: true }));
        }
        let args = &sql[sql.find('(').unwrap_or(sql.len())..];
        if option(args, "content").is_some_and(|c| c.eq_ignore_ascii_case(table)) {
            let content_rowid = option(args, "content_rowid").unwrap_or_else(|| "rowid".into());
            return Ok(Some(FtsIndex { table: name, fts5, content_rowid, is_self: false }));
        }
    }
    Ok(None)
}

/// The value of `key=value` among a virtual table's arguments, unquoted.
fn option(args: &str, key: &str) -> Option<String> {
    let args = args.trim_start_matches('(').trim_end().trim_end_matches(')');
    for part in args.split(',') {
        let Some((k, v)) = part.split_once('=') else { continue };
        if k.trim().eq_ignore_ascii_case(key) {
            let v = v.trim();
            let unquoted = v.trim_matches(|c| c == '\'' || c == '"' || c == '[' || c == ']' || c == '`');
            return Some(unquoted.to_string());
        }
    }
    None
}

/// A user's words as an FTS query that cannot be a syntax error: each
/// word quoted, so `don't` or `C++` search for what they say.
pub fn escape(query: &str) -> String {
    query
        .split_whitespace()
        .map(|word| word.replace('"', ""))
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

impl FtsIndex {
    /// A condition on the indexed table's rows that match `?`.
    pub fn condition(&self) -> String {
        if self.is_self {
            format!("{} MATCH ?", quote_ident(&self.table))
        } else {
            format!(
                "{} IN (SELECT rowid FROM {t} WHERE {t} MATCH ?)",
                quote_ident(&self.content_rowid),
                t = quote_ident(&self.table)
            )
        }
    }

    /// An ORDER BY expression for relevance (FTS5 only): the `rank` of the
    /// row's match, best first.
    pub fn rank_order(&self) -> Option<String> {
        if !self.fts5 {
            return None;
        }
        Some(if self.is_self {
            "rank".into()
        } else {
            format!(
                "(SELECT rank FROM {t} WHERE {t} MATCH ? AND {t}.rowid = {k})",
                t = quote_ident(&self.table),
                k = quote_ident(&self.content_rowid)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted() {
        assert_eq!(escape("don't stop"), "\"don't\" \"stop\"");
        assert_eq!(escape("  C++ \"x y\" "), "\"C++\" \"x\" \"y\"");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn options_are_read_from_create_statements() {
        let args = "(name, content='items', content_rowid=\"id\", tokenize = 'porter')";
        assert_eq!(option(args, "content").as_deref(), Some("items"));
        assert_eq!(option(args, "content_rowid").as_deref(), Some("id"));
        assert_eq!(option(args, "prefix"), None);
    }

    #[test]
    fn indexes_are_found_for_their_tables() {
        let conn = crate::open_empty().unwrap();
        conn.execute_batch(
            "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT);
             CREATE VIRTUAL TABLE items_fts USING fts5(name, content='items', content_rowid='id');
             CREATE VIRTUAL TABLE notes USING fts5(body);
             CREATE TABLE plain(x);",
        )
        .unwrap();
        let found = detect(&conn, "items").unwrap().unwrap();
        assert_eq!((found.table.as_str(), found.content_rowid.as_str(), found.is_self), ("items_fts", "id", false));
        assert!(detect(&conn, "notes").unwrap().unwrap().is_self);
        assert_eq!(detect(&conn, "plain").unwrap(), None);
    }
}
