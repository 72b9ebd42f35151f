//! "Make searchable", as sqlite-utils' `enable-fts`: an FTS5 index of a
//! table's chosen columns (`content=` the table, so the text is not
//! stored twice), filled from its rows and kept in step with them by
//! triggers after every insert, delete and update. The table page's
//! search then finds it (`fts::detect`) and ranks by bm25.

use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::sql::quote_ident;
use crate::time_limit::{with_time_limit, Clock};

/// Indexing a big table takes a while; the user asked for it.
pub const INDEX_TIME_LIMIT_MS: u32 = protocol::MAX_USER_TIME_LIMIT_MS;

/// Creates the index and its triggers in one transaction (all or none);
/// returns the index's name (`{table}_fts`, or with a number if taken).
pub fn make_searchable(conn: &mut Connection, clock: Clock, table: &str, columns: &[String]) -> Result<String> {
    let bad = |message: String| Error::new(ErrorKind::BadRequest, message);
    let kind: Option<String> =
        conn.query_row("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", [table], |r| r.get(0)).ok();
    match kind {
        None => return Err(bad(format!("There is no table named “{table}” to make searchable."))),
        Some(sql) if sql.to_ascii_uppercase().starts_with("CREATE VIRTUAL TABLE") => {
            return Err(bad(format!("“{table}” is a virtual table; only ordinary tables can be made searchable.")));
        }
        Some(_) => {}
    }
    if crate::fts::detect(conn, table)?.is_some() {
        return Err(bad(format!("“{table}” is searchable already.")));
    }
    if conn.prepare(&format!("SELECT rowid FROM {} LIMIT 0", quote_ident(table))).is_err() {
        return Err(bad(format!("“{table}” has no rowid (it is WITHOUT ROWID), which a search index needs.")));
    }
    let existing: Vec<String> = {
        let mut statement = conn.prepare("SELECT name FROM pragma_table_info(?)")?;
        let names = statement.query_map([table], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        names
    };
    if columns.is_empty() {
        return Err(bad("Choose at least one column to search.".into()));
    }
    if let Some(missing) = columns.iter().find(|c| !existing.contains(c)) {
        return Err(bad(format!("“{table}” has no column named “{missing}”.")));
    }
    let name = free_name(conn, &format!("{table}_fts"))?;
    let (t, f) = (quote_ident(table), quote_ident(&name));
    let listed = columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
    let prefixed = |prefix: &str| columns.iter().map(|c| format!("{prefix}.{}", quote_ident(c))).collect::<Vec<_>>().join(", ");
    let trigger = |suffix: &str| free_name(conn, &format!("{table}_{suffix}")).map(|n| quote_ident(&n));
    let (insert, delete, update) = (trigger("ai")?, trigger("ad")?, trigger("au")?);
    // FTS5 reads its options' values unquoting as SQL does.
    let content = quote_ident(table);
    let script = format!(
        "SAVEPOINT make_searchable;
         CREATE VIRTUAL TABLE {f} USING fts5({listed}, content={content});
         INSERT INTO {f} (rowid, {listed}) SELECT rowid, {listed} FROM {t};
         CREATE TRIGGER {insert} AFTER INSERT ON {t} BEGIN
           INSERT INTO {f} (rowid, {listed}) VALUES (new.rowid, {new});
         END;
         CREATE TRIGGER {delete} AFTER DELETE ON {t} BEGIN
           INSERT INTO {f} ({f}, rowid, {listed}) VALUES ('delete', old.rowid, {old});
         END;
         CREATE TRIGGER {update} AFTER UPDATE ON {t} BEGIN
           INSERT INTO {f} ({f}, rowid, {listed}) VALUES ('delete', old.rowid, {old});
           INSERT INTO {f} (rowid, {listed}) VALUES (new.rowid, {new});
         END;
         RELEASE make_searchable;",
        new = prefixed("new"),
        old = prefixed("old"),
    );
    let outcome = with_time_limit(conn, clock, INDEX_TIME_LIMIT_MS, |c| Ok(c.execute_batch(&script)?));
    if outcome.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK TO make_searchable; RELEASE make_searchable;");
    }
    outcome.map(|()| name)
}

/// `wanted`, or `wanted_2`, `wanted_3`… whichever no schema object has.
fn free_name(conn: &Connection, wanted: &str) -> Result<String> {
    let taken = |name: &str| -> Result<bool> {
        Ok(conn.query_row("SELECT count(*) FROM sqlite_schema WHERE name = ? COLLATE NOCASE", [name], |r| r.get::<_, i64>(0))? > 0)
    };
    if !taken(wanted)? {
        return Ok(wanted.to_string());
    }
    for n in 2..10_000 {
        let name = format!("{wanted}_{n}");
        if !taken(&name)? {
            return Ok(name);
        }
    }
    Err(Error::new(ErrorKind::BadRequest, format!("Every name like “{wanted}” is taken.")))
}
