//! Creating the table an import fills, and settling its column types.

use rusqlite::config::DbConfig;
use rusqlite::Connection;

use super::types::{ColumnType, ColumnVote};
use crate::error::Result;
use crate::sql::quote_ident;

/// The table an import is filling.
#[derive(Debug)]
pub struct NewTable {
    pub name: String,
    pub rows: u64,
}

impl NewTable {
    pub fn new(name: String) -> NewTable {
        NewTable { name, rows: 0 }
    }

    /// Creates the table with untyped columns (types come at the end).
    pub fn create<'a>(&self, conn: &Connection, columns: impl Iterator<Item = &'a str>) -> Result<()> {
        let columns: Vec<String> = columns.map(quote_ident).collect();
        conn.execute_batch(&format!("CREATE TABLE {} ({})", quote_ident(&self.name), columns.join(", ")))?;
        Ok(())
    }

    pub fn add_column(&self, conn: &Connection, column: &str) -> Result<()> {
        conn.execute_batch(&format!("ALTER TABLE {} ADD COLUMN {}", quote_ident(&self.name), quote_ident(column)))?;
        Ok(())
    }

    pub fn insert_sql(&self, width: usize) -> String {
        format!("INSERT INTO {} VALUES ({})", quote_ident(&self.name), vec!["?"; width].join(", "))
    }
}

/// Header names made usable: blank ones become `column_N` (N counts from
/// 1), repeats get `_2`, `_3`, compared without case as SQLite does.
pub fn unique_column_names<'a>(header: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, raw) in header.enumerate() {
        let base = if raw.trim().is_empty() { format!("column_{}", i + 1) } else { raw.to_string() };
        let taken = |n: &str| names.iter().any(|m| m.eq_ignore_ascii_case(n));
        let name = crate::source::unique_name(&base, taken);
        names.push(name);
    }
    names
}

/// A name for the column that holds cell `index` (0-based) of rows longer
/// than the header.
pub fn extra_column_name(index: usize, taken: &[String]) -> String {
    crate::source::unique_name(&format!("column_{}", index + 1), |n| taken.iter().any(|m| m.eq_ignore_ascii_case(n)))
}

/// Settles the type of every column from its vote.
///
/// Cells were stored as INTEGER when they looked like integers and as TEXT
/// otherwise, in columns with no declared type (so SQLite converted
/// nothing). Now: a REAL column has its cells cast to REAL; a TEXT column
/// has its integer cells cast back to text (the exact original text, since
/// only canonical integers were stored as numbers). Then the declared types
/// are written into the table's CREATE statement, which changes no stored
/// value: every cell already has the storage class the declared type would
/// have given it.
pub fn finish_table(conn: &Connection, table: &NewTable, columns: &[(String, ColumnVote)]) -> Result<()> {
    let t = quote_ident(&table.name);
    let mut declared = Vec::with_capacity(columns.len());
    for (name, vote) in columns {
        let c = quote_ident(name);
        let kind = vote.decided();
        match kind {
            ColumnType::Integer => {}
            ColumnType::Real => {
                conn.execute(&format!("UPDATE {t} SET {c} = CAST({c} AS REAL) WHERE typeof({c}) IN ('integer', 'text')"), [])?;
            }
            ColumnType::Text if vote.integers > 0 => {
                conn.execute(&format!("UPDATE {t} SET {c} = CAST({c} AS TEXT) WHERE typeof({c}) = 'integer'"), [])?;
            }
            ColumnType::Text => {}
        }
        declared.push(format!("{c} {}", kind.sql()));
    }
    let create = format!("CREATE TABLE {t} ({})", declared.join(", "));
    set_table_sql(conn, &table.name, &create)
}

/// Replaces a table's CREATE statement in the schema. Only for changes
/// that leave the stored data valid as it is (see `finish_table`).
/// Defensive mode forbids this, so it is lifted for these statements only.
fn set_table_sql(conn: &Connection, table: &str, create: &str) -> Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, false)?;
    let result = (|| -> Result<()> {
        conn.execute_batch("PRAGMA writable_schema = ON")?;
        conn.execute("UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = ?2", [create, table])?;
        conn.execute_batch("PRAGMA writable_schema = RESET")?;
        Ok(())
    })();
    let _ = conn.execute_batch("PRAGMA writable_schema = OFF");
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_made_unique() {
        let names = unique_column_names(["id", "", "Name", "name", "", "id"].into_iter());
        assert_eq!(names, ["id", "column_2", "Name", "name_2", "column_5", "id_2"]);
    }
}
