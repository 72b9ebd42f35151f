//! The one place a script may write the schema table: the `sqlite3` CLI's
//! own dump form for virtual tables (FTS5, R*Tree...).
//!
//! `.dump` cannot replay `CREATE VIRTUAL TABLE` (that would fill the shadow
//! tables twice), so it writes
//!
//! ```sql
//! PRAGMA writable_schema=ON;
//! INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','x','x',0,'CREATE VIRTUAL TABLE x USING fts5(...)');
//! CREATE TABLE IF NOT EXISTS 'x_data'(...); INSERT INTO x_data VALUES(...); ...
//! PRAGMA writable_schema=OFF;
//! ```
//!
//! Defensive mode refuses that INSERT, rightly: arbitrary writes to the
//! schema can corrupt a database. So exactly this statement is recognised,
//! taken apart, checked (a free name, one `CREATE VIRTUAL TABLE` of that
//! name, root page 0), and its row inserted by the engine's own bound
//! statement with DEFENSIVE lifted for that statement only. When the
//! script ends, the schema is reloaded, every such table must answer a
//! query (else its row is removed again, with a warning) and the database
//! must pass `quick_check`.

use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::sql::{quote_ident, string_literal, strip_prefix_ci, virtual_table_parts};

fn comma(s: &str) -> Option<&str> {
    s.trim_start().strip_prefix(',')
}

/// A virtual table's schema row, as a dump writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualTableEntry {
    pub name: String,
    sql: String,
}

/// The entry if `statement` is exactly the CLI's schema INSERT for a
/// virtual table (`sqlite_schema` or, from older CLIs, `sqlite_master`).
pub fn virtual_table_entry(statement: &str) -> Option<VirtualTableEntry> {
    let s = statement.trim();
    let s = s.strip_suffix(';').unwrap_or(s).trim_end();
    let rest = strip_prefix_ci(s, "INSERT INTO ")?.trim_start();
    let rest = strip_prefix_ci(rest, "sqlite_schema").or_else(|| strip_prefix_ci(rest, "sqlite_master"))?;
    let rest = strip_prefix_ci(rest.trim_start(), "(type,name,tbl_name,rootpage,sql)")?;
    let rest = strip_prefix_ci(rest.trim_start(), "VALUES")?.trim_start().strip_prefix('(')?;
    let (kind, rest) = string_literal(rest)?;
    let (name, rest) = string_literal(comma(rest)?)?;
    let (table_name, rest) = string_literal(comma(rest)?)?;
    let rest = comma(comma(rest)?.trim_start().strip_prefix('0')?)?;
    let (sql, rest) = string_literal(rest)?;
    if !rest.trim_start().strip_prefix(')')?.trim().is_empty() {
        return None;
    }
    let named = virtual_table_parts(&sql)?.name;
    (kind == "table" && name == table_name && named == name).then_some(VirtualTableEntry { name, sql })
}

/// Inserts the entry's schema row (see the module comment).
pub fn insert_entry(conn: &Connection, entry: &VirtualTableEntry) -> Result<()> {
    let taken: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE", [&entry.name], |r| r.get(0))?;
    if taken > 0 {
        return Err(Error::new(ErrorKind::Sql, format!("table {} already exists", entry.name)));
    }
    // Compiling (not running) it proves it is one CREATE VIRTUAL TABLE.
    conn.prepare(&entry.sql)?;
    crate::open::with_writable_schema(conn, |c| {
        c.execute(
            "INSERT INTO sqlite_schema(type, name, tbl_name, rootpage, sql) VALUES ('table', ?1, ?1, 0, ?2)",
            [&entry.name, &entry.sql],
        )?;
        Ok(())
    })
}

/// After the script: reloads the schema, keeps the virtual tables that
/// work, removes those that do not (an unknown module, such as FTS3 in the
/// browser's SQLite) and says so, then checks the database.
pub fn settle(conn: &Connection, names: &[String]) -> Result<Vec<String>> {
    crate::open::with_writable_schema(conn, |c| Ok(c.execute_batch("PRAGMA writable_schema = RESET")?))?;
    let mut warnings = Vec::new();
    for name in names {
        let probe = conn.prepare(&format!("SELECT * FROM {} LIMIT 0", quote_ident(name))).and_then(|mut s| s.query([]).map(|_| ()));
        if let Err(e) = probe {
            crate::open::with_writable_schema(conn, |c| {
                c.execute("DELETE FROM sqlite_schema WHERE name = ?1 AND rootpage = 0", [name])?;
                Ok(c.execute_batch("PRAGMA writable_schema = RESET")?)
            })?;
            warnings
                .push(format!("the virtual table {name} could not be made here ({}); its data stays in its shadow tables", Error::from(e)));
        }
    }
    crate::open::check_integrity(conn)?;
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::config::DbConfig;

    #[test]
    fn only_the_clis_virtual_table_form_is_recognised() {
        let ok = "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','s','s',0,'CREATE VIRTUAL TABLE s USING fts5(a, content=''t'')');";
        let entry = virtual_table_entry(ok).unwrap();
        assert_eq!(entry.name, "s");
        assert_eq!(entry.sql, "CREATE VIRTUAL TABLE s USING fts5(a, content='t')");
        let master = "INSERT INTO sqlite_master(type,name,tbl_name,rootpage,sql)VALUES('table','my ''x''','my ''x''',0,'CREATE VIRTUAL TABLE \"my ''x''\" USING rtree(id, a, b)');";
        assert_eq!(virtual_table_entry(master).unwrap().name, "my 'x'");
        let refused = [
            // Not a virtual table, another name, a real root page, an index.
            "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','s','s',0,'CREATE TABLE s(a)');",
            "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','s','s',0,'CREATE VIRTUAL TABLE t USING fts5(a)');",
            "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','s','t',0,'CREATE VIRTUAL TABLE s USING fts5(a)');",
            "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','s','s',2,'CREATE VIRTUAL TABLE s USING fts5(a)');",
            "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('index','s','s',0,'CREATE VIRTUAL TABLE s USING fts5(a)');",
            "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','s','s',0,'CREATE VIRTUAL TABLE main.s USING fts5(a)');",
            // Anything after the row, or a second row.
            "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','s','s',0,'CREATE VIRTUAL TABLE s USING fts5(a)'),('table','t','t',0,'x');",
            "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql) SELECT 'table','s','s',0,'CREATE VIRTUAL TABLE s USING fts5(a)';",
            "UPDATE sqlite_schema SET sql = 'x';",
        ];
        for statement in refused {
            assert_eq!(virtual_table_entry(statement), None, "{statement}");
        }
    }

    #[test]
    fn a_second_statement_hidden_in_the_sql_is_refused() {
        let conn = crate::open_empty().unwrap();
        let sneaky = "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','s','s',0,'CREATE VIRTUAL TABLE s USING fts5(a); DROP TABLE t');";
        let entry = virtual_table_entry(sneaky).unwrap();
        assert!(insert_entry(&conn, &entry).is_err());
        let rows: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 0);
        assert!(conn.db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE).unwrap(), "defensive mode is back on");
    }
}
