//! Turning CSV/TSV, SQL scripts and JSON into tables, streamed: the worker
//! pushes chunks as they arrive and calls `finish` at the end.

mod batch;
mod delimited;
mod dump_insert;
mod dump_schema;
mod insert;
mod json;
mod json_row;
mod sql_script;
mod table;
mod text;
mod types;

pub use batch::CsvBatches;
pub use delimited::{delimiter_for_name, sniff_delimiter, DelimitedOptions, SNIFF_BYTES};
pub use table::MAX_COLUMNS;
pub use text::{encoding_for_label, set_decoder_factory, sniff_encoding, Decode, DecoderFactory, Encoding};
pub use types::{shape, ColumnType, Shape};

use crate::error::{Error, ErrorKind, Result};

/// What kind of file a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Sqlite,
    Delimited,
    SqlScript,
    Json,
    /// Converted to JSON rows outside the engine first (the worker's
    /// `crates/parquet-json` module), then imported as `Json`.
    Parquet,
}

/// A Parquet file's first (and last) four bytes.
pub const PARQUET_MAGIC: &[u8] = b"PAR1";

/// The format of a local file or a URL of unknown kind: from its
/// extension, checked against its first bytes (an SQLite header always
/// wins; JSON must start like JSON; text that starts like SQL is a script).
pub fn detect_format(file_name: &str, head: &[u8]) -> Result<Format> {
    if head.starts_with(crate::SQLITE_HEADER) {
        return Ok(Format::Sqlite);
    }
    if head.starts_with(PARQUET_MAGIC) {
        return Ok(Format::Parquet);
    }
    let path = file_name.split(['?', '#']).next().unwrap_or_default();
    let file = path.rsplit(['/', '\\']).next().unwrap_or_default();
    let extension = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let text = String::from_utf8_lossy(&head[..head.len().min(1024)]);
    let start = text.trim_start_matches('\u{feff}').trim_start();
    let json_like = start.starts_with(['{', '[']);
    match extension.as_str() {
        "db" | "sqlite" | "sqlite3" | "db3" => crate::check_header(head).map(|_| Format::Sqlite),
        "sql" => Ok(Format::SqlScript),
        // Not PAR1 at the start: the converter says what it is instead.
        "parquet" | "parq" => Ok(Format::Parquet),
        "json" | "ndjson" | "jsonl" | "geojson" if json_like => Ok(Format::Json),
        "json" | "ndjson" | "jsonl" | "geojson" => {
            Err(Error::new(ErrorKind::BadRequest, format!("{file_name} does not start like JSON (with {{ or [)")))
        }
        "csv" | "tsv" | "tab" | "txt" | "psv" => Ok(Format::Delimited),
        _ if json_like => Ok(Format::Json),
        _ if starts_like_sql(start) => Ok(Format::SqlScript),
        _ => Ok(Format::Delimited),
    }
}

/// The format to read a source named as `requested` (`?csv=`, `?sql=`,
/// `?json=`, `?parquet=`) in: the content decides where it is
/// unmistakable, so an SQLite file given as `?csv=` opens as the database
/// it is, and a Parquet file given as `?load=` is read as Parquet.
pub fn decide_format(requested: Format, head: &[u8]) -> Format {
    if head.starts_with(crate::SQLITE_HEADER) {
        Format::Sqlite
    } else if head.starts_with(PARQUET_MAGIC) {
        Format::Parquet
    } else {
        requested
    }
}

/// The first word after comments is one that begins SQL scripts, followed
/// by white space (so a CSV header `CREATE,INSERT` is not SQL).
fn starts_like_sql(text: &str) -> bool {
    let rest = crate::sql::skip_comments(text);
    let word = crate::sql::first_keyword(rest);
    matches!(word.as_str(), "CREATE" | "INSERT" | "BEGIN" | "PRAGMA" | "DROP" | "REPLACE")
        && rest[word.len()..].starts_with(char::is_whitespace)
}

/// A `?csv=` that returns a web page should say so, not make a table of HTML.
pub(crate) fn refuse_html(head: &[u8], expected: &str) -> Result<()> {
    let text = String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase();
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with("<!doctype html") || start.starts_with("<html") {
        return Err(Error::new(
            ErrorKind::NotADatabase,
            format!(
                "an HTML page came back instead of {expected}; if this links to a page that shows the file, link to the raw file instead"
            ),
        ));
    }
    Ok(())
}

pub use delimited::ImportedTable;

/// An import in progress; see `Engine::begin_import`.
pub struct Import {
    pub(crate) db: String,
    pub(crate) kind: ImportKind,
}

// One per import in progress: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub(crate) enum ImportKind {
    Delimited(delimited::DelimitedImport),
    /// Parsed elsewhere (`CsvBatches`), inserted here.
    Batches(batch::BatchImport),
    Json(json::JsonImport),
    SqlScript(sql_script::SqlScriptImport),
}

impl Import {
    /// Rows (or, for a script, statements) done so far.
    pub fn progress(&self) -> u64 {
        match &self.kind {
            ImportKind::Delimited(d) => d.rows(),
            ImportKind::Batches(b) => b.rows(),
            ImportKind::Json(j) => j.rows(),
            ImportKind::SqlScript(s) => s.statements(),
        }
    }

    pub fn database(&self) -> &str {
        &self.db
    }

    /// Warnings about the file found where it was parsed (batch imports).
    pub fn add_warnings(&mut self, warnings: Vec<String>) {
        if let ImportKind::Batches(b) = &mut self.kind {
            b.add_warnings(warnings);
        }
    }
}

pub(crate) use batch::BatchImport;
pub(crate) use delimited::DelimitedImport;
pub(crate) use json::JsonImport;
pub(crate) use sql_script::SqlScriptImport;
pub(crate) use table::{free_table_name, NewTable};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_extension_and_content() {
        let sqlite = crate::SQLITE_HEADER.as_slice();
        let cases: [(&str, &[u8], Option<Format>); 17] = [
            ("https://h/x.csv?raw=1", sqlite, Some(Format::Sqlite)),
            ("https://h/download?id=3", b"-- dump\nPRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;", Some(Format::SqlScript)),
            ("https://h/x.csv?v=2", b"CREATE,INSERT\n1,2", Some(Format::Delimited)),
            ("https://h/x", b"CREATE,INSERT\n1,2", Some(Format::Delimited)),
            ("https://h/x.json#frag", b"[{\"a\": 1}]", Some(Format::Json)),
            ("x.db", sqlite, Some(Format::Sqlite)),
            ("x.csv", sqlite, Some(Format::Sqlite)),
            ("x.db", b"id,name\n", None),
            ("x.csv", b"id,name\n", Some(Format::Delimited)),
            ("x.tsv", b"id\tname\n", Some(Format::Delimited)),
            ("x.sql", b"CREATE TABLE t(a);", Some(Format::SqlScript)),
            ("x.json", b"  [{\"a\": 1}]", Some(Format::Json)),
            ("x.json", b"id,name", None),
            ("data", b"\xef\xbb\xbf{\"a\": 1}\n{\"a\": 2}", Some(Format::Json)),
            ("https://h/download?id=4", b"PAR1\x15\x04", Some(Format::Parquet)),
            ("x.csv", b"PAR1\x15\x04", Some(Format::Parquet)),
            // Named Parquet, it is read as Parquet, which then says what it is.
            ("x.parquet", b"id,name\n", Some(Format::Parquet)),
        ];
        for (name, head, expected) in cases {
            assert_eq!(detect_format(name, head).ok(), expected, "{name}");
        }
        assert_eq!(decide_format(Format::Delimited, b"PAR1\x15"), Format::Parquet);
        assert_eq!(decide_format(Format::Parquet, b"id,name\n"), Format::Parquet);
    }
}
