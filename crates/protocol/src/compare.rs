//! Comparing two tables by a key, as csv-diff does for two versions of a
//! CSV: rows added, removed and changed (with the fields that changed),
//! columns added and removed.

use serde::{Deserialize, Serialize};

use crate::Cell;

/// A table of an open database.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TableRef {
    pub db: String,
    pub table: String,
}

/// Compare `left` (the old version) with `right` (the new one). Replies
/// `Compared`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CompareRequest {
    pub left: TableRef,
    pub right: TableRef,
    /// The columns naming each row in both; empty: guessed.
    pub key: Vec<String>,
    /// Rows of each group returned (the counts are of all of them).
    pub limit: u32,
    /// Rows of each group skipped first, in key order (paging).
    pub offset: u64,
}

/// The most rows of each group a comparison returns (an export's too).
pub const MAX_COMPARE_ROWS: u32 = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareResult {
    pub key: Vec<String>,
    /// The key was guessed (the left table's primary key, else a column
    /// unique and never NULL in both).
    pub key_guessed: bool,
    /// Columns in both, in the left table's order: what can be a key, and
    /// what is compared.
    pub common_columns: Vec<String>,
    pub columns_added: Vec<String>,
    pub columns_removed: Vec<String>,
    /// Common columns whose declared type changed: (column, old, new).
    pub type_changes: Vec<(String, String, String)>,
    /// Rows only in `right`, with its columns.
    pub added: RowGroup,
    /// Rows only in `left`, with its columns.
    pub removed: RowGroup,
    pub changed: ChangedGroup,
    /// Warnings: a key that is not unique, say.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RowGroup {
    pub count: u64,
    pub columns: Vec<String>,
    /// `limit` rows from `offset`, by key.
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangedGroup {
    pub count: u64,
    /// `limit` changed rows from `offset`, by key.
    pub rows: Vec<ChangedRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangedRow {
    /// The key's values, in `CompareResult::key` order.
    pub key: Vec<Cell>,
    /// Each field that changed: column, old value, new value.
    pub changes: Vec<(String, Cell, Cell)>,
}
