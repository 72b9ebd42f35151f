//! What to select from a table or view and how its rows are named: the
//! shown columns (rowid first for tables without a primary key, as in
//! Datasette), the key that pages them, and the key in their row URLs.
//!
//! Invariant: `key_text` writes a row key the way `row_page` reads it back
//! (`filters::typed`), so links the engine hands out always resolve.

use protocol::Cell;
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::schema::table_columns;
use crate::sql::quote_ident;

/// How the rows of a relation are told apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RowKey {
    /// A rowid table; the name is its INTEGER PRIMARY KEY column, else
    /// `rowid` (or `_rowid_`/`oid` when a real column has that name).
    Rowid(String),
    /// A WITHOUT ROWID table: its primary-key columns in key order.
    PrimaryKey(Vec<String>),
    /// A view, or a table whose rowid names are all shadowed by columns.
    None,
}

impl RowKey {
    pub(crate) fn columns(&self) -> Vec<String> {
        match self {
            RowKey::Rowid(name) => vec![name.clone()],
            RowKey::PrimaryKey(cols) => cols.clone(),
            RowKey::None => Vec::new(),
        }
    }

    pub(crate) fn exprs(&self) -> Vec<String> {
        self.columns().iter().map(|c| column_expr(c)).collect()
    }
}

/// A column name as an SQL expression: rowid's names bare, others quoted.
/// (A real column named `rowid` makes plan() pick another rowid name.)
pub(crate) fn column_expr(name: &str) -> String {
    if matches!(name, "rowid" | "_rowid_" | "oid") {
        name.to_string()
    } else {
        quote_ident(name)
    }
}

/// A key value as it goes in a row URL.
pub(crate) fn key_text(value: &Cell) -> String {
    value.display()
}

/// What to select from a relation, and how its rows are keyed.
pub(crate) struct Plan {
    /// Column names as shown; for tables without a primary key, `rowid`
    /// comes first, as in Datasette.
    pub display: Vec<String>,
    pub types: Vec<String>,
    pub key: RowKey,
    /// What names a row in its URL: the primary key columns when declared
    /// (even in a rowid table, as Datasette does), else the rowid.
    pub row_key: Vec<String>,
    pub from: String,
    /// Every real column (what filters may use).
    pub all_columns: Vec<String>,
}

impl Plan {
    pub(crate) fn select_exprs(&self) -> Vec<String> {
        self.display.iter().map(|c| if self.is_rowid_alias(c) { c.clone() } else { quote_ident(c) }).collect()
    }

    pub(crate) fn is_rowid_alias(&self, column: &str) -> bool {
        matches!(&self.key, RowKey::Rowid(k) if k == column && !self.all_columns.iter().any(|c| c == column))
    }

    /// Drops `hidden` from the shown columns (and their types).
    pub(crate) fn hide(&mut self, hidden: &[String]) {
        let (display, types): (Vec<String>, Vec<String>) =
            std::mem::take(&mut self.display).into_iter().zip(std::mem::take(&mut self.types)).filter(|(c, _)| !hidden.contains(c)).unzip();
        self.display = display;
        self.types = types;
    }
}

pub(crate) fn plan(conn: &Connection, table: &str) -> Result<Plan> {
    let kind: Option<(String, i64)> = conn
        .query_row("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ?1", [table], |r| Ok((r.get(0)?, r.get(1)?)))
        .ok();
    let Some((kind, without_rowid)) = kind else {
        return Err(Error::new(ErrorKind::NotFound, format!("There is no table or view named {table:?}.")));
    };
    let columns = table_columns(conn, table)?;
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let has_column = |n: &str| names.iter().any(|c| c.eq_ignore_ascii_case(n));
    let pk: Vec<_> = {
        let mut pk: Vec<_> = columns.iter().filter(|c| c.pk > 0).collect();
        pk.sort_by_key(|c| c.pk);
        pk
    };
    // An INTEGER PRIMARY KEY column *is* the rowid.
    let rowid_alias = (pk.len() == 1 && pk[0].decl_type.eq_ignore_ascii_case("integer")).then(|| pk[0].name.clone());
    let key = if kind == "view" {
        RowKey::None
    } else if without_rowid != 0 {
        RowKey::PrimaryKey(pk.iter().map(|c| c.name.clone()).collect())
    } else if let Some(alias) = &rowid_alias {
        RowKey::Rowid(alias.clone())
    } else {
        match ["rowid", "_rowid_", "oid"].into_iter().find(|n| !has_column(n)) {
            Some(n) => RowKey::Rowid(n.to_string()),
            None => RowKey::None,
        }
    };
    let mut display = Vec::new();
    let mut types = Vec::new();
    // As in Datasette, rowid is shown only for tables without a primary key.
    if let (RowKey::Rowid(name), true) = (&key, pk.is_empty()) {
        display.push(name.clone());
        types.push("INTEGER".into());
    }
    for c in &columns {
        display.push(c.name.clone());
        types.push(c.decl_type.clone());
    }
    let row_key = if !pk.is_empty() { pk.iter().map(|c| c.name.clone()).collect() } else { key.columns() };
    Ok(Plan { display, types, key, row_key, from: quote_ident(table), all_columns: names })
}
