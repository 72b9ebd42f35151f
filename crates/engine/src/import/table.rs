//! Creating the table an import fills, and settling its column types.

use rusqlite::config::DbConfig;
use rusqlite::Connection;

use super::types::{real_text, ColumnType, ColumnVote};
use rusqlite::functions::FunctionFlags;
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
/// While rows went in, the columns had no declared type, so SQLite
/// converted nothing: integers were stored as INTEGER, reals that print
/// back unchanged as REAL, everything else as the text itself. Now one
/// UPDATE fixes just the cells whose storage does not fit their column's
/// type: numbers in a TEXT column go back to their exact text, and reals
/// kept as text (`1.50`) in a REAL column become REAL. (INTEGER cells in a
/// REAL column need nothing: SQLite reads them as REAL through the column's
/// affinity, as it does for REAL values it stores as integers itself.)
/// Then the declared types are written into the table's CREATE statement.
pub fn finish_table(conn: &Connection, table: &NewTable, columns: &[(String, ColumnVote)]) -> Result<()> {
    let t = quote_ident(&table.name);
    let mut sets = Vec::new();
    let mut needs = Vec::new();
    let mut declared = Vec::with_capacity(columns.len());
    for (name, vote) in columns {
        let c = quote_ident(name);
        let kind = vote.decided();
        match kind {
            ColumnType::Text if vote.integers + vote.reals_stored > 0 => {
                sets.push(format!(
                    "{c} = CASE typeof({c}) WHEN 'integer' THEN CAST({c} AS TEXT) \
                     WHEN 'real' THEN {REAL_TEXT}({c}) ELSE {c} END"
                ));
                needs.push(format!("typeof({c}) IN ('integer', 'real')"));
            }
            ColumnType::Real if vote.reals_as_text > 0 => {
                sets.push(format!("{c} = CASE typeof({c}) WHEN 'text' THEN CAST({c} AS REAL) ELSE {c} END"));
                needs.push(format!("typeof({c}) = 'text'"));
            }
            _ => {}
        }
        declared.push(format!("{c} {}", kind.sql()));
    }
    if !sets.is_empty() {
        conn.create_scalar_function(REAL_TEXT, 1, FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC, |ctx| {
            Ok(ctx.get::<f64>(0).map(real_text).ok())
        })?;
        let fixed = conn.execute(&format!("UPDATE {t} SET {} WHERE {}", sets.join(", "), needs.join(" OR ")), []);
        conn.remove_function(REAL_TEXT, 1)?;
        fixed?;
    }
    let create = format!("CREATE TABLE {t} ({})", declared.join(", "));
    set_table_sql(conn, &table.name, &create)
}

/// Turns a REAL stored for a canonical real back into that text.
const REAL_TEXT: &str = "explorer_real_text";

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
