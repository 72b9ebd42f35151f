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
        let Some(parts) = crate::sql::virtual_table_parts(&sql) else { continue };
        let fts5 = parts.module == "fts5";
        if !(fts5 || parts.module == "fts4" || parts.module == "fts3") {
            continue;
        }
        if name.eq_ignore_ascii_case(table) {
            return Ok(Some(FtsIndex { table: name, fts5, content_rowid: "rowid".into(), is_self: true }));
        }
        if parts.option("content").is_some_and(|c| c.eq_ignore_ascii_case(table)) {
            let content_rowid = parts.option("content_rowid").unwrap_or_else(|| "rowid".into());
            return Ok(Some(FtsIndex { table: name, fts5, content_rowid, is_self: false }));
        }
    }
    Ok(None)
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
            format!("{} IN (SELECT rowid FROM {t} WHERE {t} MATCH ?)", quote_ident(&self.content_rowid), t = quote_ident(&self.table))
        }
    }

    /// An ORDER BY expression for relevance (FTS5 only): the `rank` of the
    /// row's match, best first.
    /// Whether `rank_order` holds a `?` for the search query.
    pub fn rank_needs_query(&self) -> bool {
        self.fts5 && !self.is_self
    }

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
        let sql =
            "CREATE VIRTUAL TABLE \"a, USING (b)\" USING FTS5(name, content='it''s, (odd)', content_rowid=\"id\", tokenize = 'porter')";
        let parts = crate::sql::virtual_table_parts(sql).unwrap();
        assert_eq!((parts.name.as_str(), parts.module.as_str()), ("a, USING (b)", "fts5"));
        assert_eq!(parts.option("content").as_deref(), Some("it's, (odd)"));
        assert_eq!(parts.option("content_rowid").as_deref(), Some("id"));
        assert_eq!(parts.option("prefix"), None);
        assert_eq!(parts.args.len(), 4);
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
