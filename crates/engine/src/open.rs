//! Turning bytes into a hardened, in-memory SQLite connection.

use rusqlite::config::DbConfig;
use rusqlite::limits::Limit;
use rusqlite::{Connection, MAIN_DB};

use crate::error::{Error, ErrorKind, Result};
use crate::time_limit::{with_time_limit, Clock};

/// Every SQLite database file begins with these 16 bytes.
pub const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Opens a copy of a database image in memory. Writes go to the copy only.
///
/// Checks, in order: the 16-byte header (so an HTML page or a CSV file gets
/// a clear "not a database" instead of SQLite's terse one), then that the
/// schema can be read and `PRAGMA quick_check` passes (a damaged file is
/// reported as such when opened, not on some later click).
///
/// A WAL-mode file (header bytes 18 and 19 are 2, as in any file copied
/// from a running app) cannot be used in memory, where there is no `-wal`
/// file beside it: the copy is read as a rollback-journal file instead
/// (bytes 18 and 19 set to 1), which is what `PRAGMA journal_mode=DELETE`
/// would write after a checkpoint. Pages still in the app's `-wal` file
/// were never part of this file, so nothing that is here is lost.
pub fn open_image(bytes: &[u8]) -> Result<Connection> {
    open_image_within(bytes, None)
}

/// `open_image`, with the integrity check under a time limit: a check cut
/// off by it (a huge file, or a hostile one whose generated columns are
/// slow to compute) lets the file open unchecked, since every later
/// statement has a limit of its own and damage is reported where met.
pub fn open_image_within(bytes: &[u8], limit: Option<(Clock, u32)>) -> Result<Connection> {
    check_header(bytes)?;
    let mut conn = Connection::open_in_memory()?;
    harden(&conn)?;
    let image = RollbackHeader::new(bytes);
    conn.deserialize_read_exact(MAIN_DB, image, bytes.len(), false)
        .map_err(|e| Error::new(ErrorKind::Corrupt, format!("SQLite could not open it: {}", Error::from(e))))?;
    match limit {
        None => check_integrity(&conn)?,
        Some((clock, ms)) => match with_time_limit(&mut conn, clock, ms, check_integrity) {
            Err(e) if e.kind() == ErrorKind::TimeLimit => {}
            other => other?,
        },
    }
    repair_names(&conn)?;
    Ok(conn)
}

/// Names that are not valid UTF-8 (written by some other program) cannot
/// be read, shown or typed as they are, and once made the whole schema
/// unreadable. In this in-memory copy they are rewritten with U+FFFD for
/// each bad sequence, in the schema rows' names and CREATE statements
/// alike (the same bytes always become the same text, so references
/// still match), with DEFENSIVE lifted for those statements only. A
/// rewrite that makes two names equal is reported, not kept.
fn repair_names(conn: &Connection) -> Result<()> {
    type SchemaRow = (i64, Vec<u8>, Vec<u8>, Option<Vec<u8>>);
    let rows: Vec<SchemaRow> = {
        let mut stmt = conn.prepare("SELECT rowid, CAST(name AS BLOB), CAST(tbl_name AS BLOB), CAST(sql AS BLOB) FROM sqlite_schema")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let valid = |b: &[u8]| std::str::from_utf8(b).is_ok();
    let bad: Vec<&SchemaRow> =
        rows.iter().filter(|(_, n, t, s)| !valid(n) || !valid(t) || s.as_deref().is_some_and(|s| !valid(s))).collect();
    if bad.is_empty() {
        return Ok(());
    }
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let result = with_writable_schema(conn, |conn| {
        for (rowid, name, table, sql) in &bad {
            conn.execute(
                "UPDATE sqlite_schema SET name = ?1, tbl_name = ?2, sql = ?3 WHERE rowid = ?4",
                rusqlite::params![lossy(name), lossy(table), sql.as_deref().map(lossy), rowid],
            )?;
        }
        Ok(conn.execute_batch("PRAGMA writable_schema = RESET")?)
    });
    result.map_err(|e| Error::new(ErrorKind::Corrupt, format!("names that are not valid UTF-8 could not be repaired: {}", e.message())))?;
    // Two names that became the same text make the schema unreadable.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))
        .map_err(|e| Error::new(ErrorKind::Corrupt, format!("names that are not valid UTF-8 could not be repaired: {}", Error::from(e))))?;
    Ok(())
}

/// How long opening a file may spend checking it (`open_image_within`).
pub const OPEN_CHECK_TIME_LIMIT_MS: u32 = 5_000;

/// Offsets of the file format's write and read version bytes: 1 for a
/// rollback journal, 2 for WAL.
const FORMAT_VERSION_BYTES: std::ops::Range<usize> = 18..20;

/// Reads a database image with its format version bytes set to 1
/// (rollback journal), without copying the image first.
struct RollbackHeader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> RollbackHeader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        RollbackHeader { bytes, at: 0 }
    }
}

impl std::io::Read for RollbackHeader<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let rest = &self.bytes[self.at..];
        let n = rest.len().min(out.len());
        out[..n].copy_from_slice(&rest[..n]);
        for offset in FORMAT_VERSION_BYTES {
            if (self.at..self.at + n).contains(&offset) && self.bytes[offset] == 2 {
                out[offset - self.at] = 1;
            }
        }
        self.at += n;
        Ok(n)
    }
}

/// An empty in-memory database, hardened like any other.
pub fn open_empty() -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    harden(&conn)?;
    Ok(conn)
}

pub fn check_header(bytes: &[u8]) -> Result<()> {
    if bytes.starts_with(SQLITE_HEADER) {
        return Ok(());
    }
    Err(Error::new(ErrorKind::NotADatabase, describe_non_database(bytes)))
}

/// Says what the bytes look like, so the user knows what they got instead.
fn describe_non_database(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if bytes.is_empty() {
        "the file is empty, so it is not an SQLite database".into()
    } else if head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<head") {
        "an HTML page came back instead of an SQLite database; if this is a link to a \
         web page that shows the file (such as a GitHub page), link to the raw file instead"
            .into()
    } else if head.starts_with('{') || head.starts_with('[') {
        "this looks like JSON, not an SQLite database".into()
    } else if bytes.len() < SQLITE_HEADER.len() {
        format!("the file is only {} bytes long, too short to be an SQLite database", bytes.len())
    } else {
        "the file does not start with the SQLite header (\"SQLite format 3\"), so it is not \
         an SQLite database; for CSV, SQL or JSON use ?csv=, ?sql= or ?json= (or ?load=, which \
         tells the kind from the content)"
            .into()
    }
}

pub(crate) fn check_integrity(conn: &Connection) -> Result<()> {
    let corrupt = |e: Error| match e.kind() {
        ErrorKind::TimeLimit => e,
        _ => Error::new(ErrorKind::Corrupt, format!("the database is damaged: {}", e.message())),
    };
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).map_err(|e| corrupt(e.into()))?;
    // quick_check is O(size); it runs once per opened file, not per query.
    let mut stmt = conn.prepare("PRAGMA quick_check(5)").map_err(|e| corrupt(e.into()))?;
    let problems: Vec<String> =
        stmt.query_map([], |r| r.get::<_, String>(0)).and_then(|rows| rows.collect()).map_err(|e| corrupt(e.into()))?;
    if problems.len() == 1 && problems[0] == "ok" {
        return Ok(());
    }
    Err(Error::new(ErrorKind::Corrupt, format!("the database is damaged: {}", problems.join("; "))))
}

/// SQLite's whole heap (every open database's pages, every statement's
/// memory) may not pass this: an allocation past it fails as an SQL error
/// (`SQLITE_NOMEM`) instead of growing the worker's memory until the tab
/// dies. It leaves room in wasm32's 4 GiB for the engine's own memory.
pub const HEAP_LIMIT_BYTES: i64 = 2 << 30;

/// Sets `HEAP_LIMIT_BYTES` for the process (the worker calls it once; it is
/// process-wide, so tests do not).
pub fn limit_heap() {
    // SAFETY: sqlite3_hard_heap_limit64 only sets a global limit.
    unsafe {
        rusqlite::ffi::sqlite3_hard_heap_limit64(HEAP_LIMIT_BYTES);
    }
}

/// Runs `write` with the schema table writable: DEFENSIVE lifted and
/// `writable_schema` on for its statements only, both restored after,
/// whatever `write` returned. The engine's own schema edits go through
/// here (see ARCHITECTURE.md for the three that exist); user SQL never does.
pub(crate) fn with_writable_schema(conn: &Connection, write: impl FnOnce(&Connection) -> Result<()>) -> Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, false)?;
    let result = conn.execute_batch("PRAGMA writable_schema = ON").map_err(Error::from).and_then(|()| write(conn));
    let off = conn.execute_batch("PRAGMA writable_schema = OFF");
    let defensive = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true);
    result?;
    off?;
    defensive?;
    Ok(())
}

/// Applies SQLite's advice for untrusted database files and untrusted SQL
/// (https://www.sqlite.org/security.html) to a fresh connection.
pub fn harden(conn: &Connection) -> Result<()> {
    // No writes that could corrupt the file (writable_schema, page-level tricks).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    // Functions with side effects may not run from inside the schema
    // (views, triggers, defaults of a hostile file).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.pragma_update(None, "cell_size_check", true)?;
    // Bounds well above real data, well below what exhausts a tab.
    let limits = [
        // No single value over 64 MB (a reply carries at most 64 MB anyway,
        // `sql::RESULT_BYTES_MAX`): `zeroblob(99000000)` is an error, not
        // 99 MB copied on every step of a query.
        (Limit::SQLITE_LIMIT_LENGTH, 64 << 20),
        (Limit::SQLITE_LIMIT_SQL_LENGTH, 20_000_000),
        (Limit::SQLITE_LIMIT_COLUMN, 2000),
        (Limit::SQLITE_LIMIT_EXPR_DEPTH, 1000),
        (Limit::SQLITE_LIMIT_COMPOUND_SELECT, 500),
        (Limit::SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 50_000),
        (Limit::SQLITE_LIMIT_VARIABLE_NUMBER, 32_766),
        (Limit::SQLITE_LIMIT_TRIGGER_DEPTH, 100),
        // No ATTACH (nor VACUUM, which attaches): one file per connection.
        (Limit::SQLITE_LIMIT_ATTACHED, 0),
    ];
    for (limit, value) in limits {
        conn.set_limit(limit, value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_databases_are_named_for_what_they_are() {
        let cases: [(&[u8], &str); 5] = [
            (b"", "the file is empty"),
            (b"<!DOCTYPE html><html><body>404</body></html>", "an HTML page came back"),
            (b"  <html lang=en>", "an HTML page came back"),
            (b"[{\"a\": 1}]", "looks like JSON"),
            (b"id,name\n1,x\n2,y\n3,z\n", "does not start with the SQLite header"),
        ];
        for (bytes, expected) in cases {
            let err = open_image(bytes).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotADatabase);
            assert!(err.message().contains(expected), "{:?}: {}", String::from_utf8_lossy(bytes), err);
        }
    }

    #[test]
    fn hardening_is_in_force() {
        let conn = open_empty().unwrap();
        assert!(conn.db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE).unwrap());
        assert!(!conn.db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA).unwrap());
        let check: i64 = conn.pragma_query_value(None, "cell_size_check", |r| r.get(0)).unwrap();
        assert_eq!(check, 1);
        assert_eq!(conn.limit(Limit::SQLITE_LIMIT_ATTACHED).unwrap(), 0);
        // Defensive mode refuses to let SQL edit the schema table directly.
        conn.execute_batch("PRAGMA writable_schema = ON").unwrap();
        let err = conn.execute_batch("CREATE TABLE t(x); UPDATE sqlite_schema SET sql = 'junk'").unwrap_err();
        assert!(err.to_string().contains("may not be modified"), "{err}");
    }
}
