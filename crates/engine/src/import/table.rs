//! Creating the table an import fills, and settling its column types.

use rusqlite::Connection;

use super::types::{real_text, ColumnType, ColumnVote};
use crate::error::{Error, ErrorKind, Result};
use crate::sql::quote_ident;
use rusqlite::functions::FunctionFlags;

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

/// `base`, or `base_1`, `base_2`..., whichever no table, view, index or
/// trigger of the database is called (without case, as SQLite compares).
pub(crate) fn free_table_name(conn: &Connection, base: &str) -> Result<String> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_schema")?;
    let taken: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(crate::source::unique_table_name(base, |n| taken.iter().any(|t| t.eq_ignore_ascii_case(n))))
}

/// The most columns a table may have: `harden` sets SQLite's column limit
/// to this, and imports check it first, so a wider file gets this message
/// rather than SQLite's, and no time is spent on columns that cannot be.
pub const MAX_COLUMNS: usize = 2000;

/// An import's column names, made usable as they come: blank ones become
/// `column_N` (N counts from 1), repeats get `_2`, `_3`, compared without
/// case as SQLite does, and NUL characters (which end SQL text) are
/// dropped. Linear in the number of names: a set of names taken, and per
/// name the next suffix to try, so 4,000 copies of one name cost 4,000
/// steps, not 4,000².
#[derive(Debug, Default)]
pub struct ColumnNames {
    names: Vec<String>,
    taken: std::collections::HashSet<String>,
    next_suffix: std::collections::HashMap<String, usize>,
}

impl ColumnNames {
    /// Names for a header row; an error past `MAX_COLUMNS`.
    pub fn from_header<'a>(header: impl ExactSizeIterator<Item = &'a str>) -> Result<ColumnNames> {
        check_width(header.len())?;
        let mut names = ColumnNames::default();
        for (i, raw) in header.enumerate() {
            names.add(raw, i);
        }
        Ok(names)
    }

    /// Adds the column at `index` (0-based), named `raw` if that is free;
    /// returns the name it got.
    pub fn add(&mut self, raw: &str, index: usize) -> String {
        let cleaned = raw.replace('\0', "");
        let base = if cleaned.trim().is_empty() { format!("column_{}", index + 1) } else { cleaned };
        let mut name = base.clone();
        if self.taken.contains(&name.to_lowercase()) {
            let key = base.to_lowercase();
            let mut n = self.next_suffix.get(&key).copied().unwrap_or(2);
            name = loop {
                let candidate = format!("{base}_{n}");
                n += 1;
                if !self.taken.contains(&candidate.to_lowercase()) {
                    break candidate;
                }
            };
            self.next_suffix.insert(key, n);
        }
        self.taken.insert(name.to_lowercase());
        self.names.push(name.clone());
        name
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// The clear error for a table wider than SQLite allows.
pub fn check_width(columns: usize) -> Result<()> {
    if columns > MAX_COLUMNS {
        return Err(Error::new(
            ErrorKind::BadRequest,
            format!("the data has {columns} columns, more than the {MAX_COLUMNS} a table can have here"),
        ));
    }
    Ok(())
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
pub(crate) fn set_table_sql(conn: &Connection, table: &str, create: &str) -> Result<()> {
    crate::open::with_writable_schema(conn, |conn| {
        conn.execute("UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = ?2", [create, table])?;
        Ok(conn.execute_batch("PRAGMA writable_schema = RESET")?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unique_column_names<'a>(header: impl ExactSizeIterator<Item = &'a str>) -> Result<Vec<String>> {
        Ok(ColumnNames::from_header(header)?.names)
    }

    #[test]
    fn header_names_are_made_unique() {
        let names = unique_column_names(["id", "", "Name", "name", "", "id", "a\0b", "name_2"].into_iter()).unwrap();
        assert_eq!(names, ["id", "column_2", "Name", "name_2", "column_5", "id_2", "ab", "name_2_2"]);
    }

    #[test]
    fn thousands_of_repeated_names_take_linear_time() {
        let header = vec!["x"; MAX_COLUMNS];
        let names = unique_column_names(header.iter().copied()).unwrap();
        assert_eq!(names[MAX_COLUMNS - 1], format!("x_{MAX_COLUMNS}"));
        let wide = vec!["y"; MAX_COLUMNS + 1];
        let err = unique_column_names(wide.iter().copied()).unwrap_err();
        assert!(err.message().contains("2001 columns"), "{err}");
    }
}
