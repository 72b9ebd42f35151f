//! Parquet → newline-delimited JSON, one row group at a time, for the
//! engine's JSON import (`ParquetRows::next_chunk`): a wasm module of its
//! own that the worker loader imports the first time a Parquet file is
//! opened (`explorerParquetRows`), so no other visit downloads a Parquet
//! reader and its codecs.
//!
//! Types, as SQLite will hold them: integers and floats as numbers,
//! booleans as `true`/`false` (the import makes them 1/0), strings as
//! strings, dates as `YYYY-MM-DD`, timestamps as `YYYY-MM-DD HH:MM:SS[.f]`,
//! times as `HH:MM:SS[.f]`, decimals as numbers when 15 digits or fewer
//! (exact as REAL), else as text with every digit, binary as hex text,
//! lists, maps and structs as JSON (stored as JSON text). An unsigned 64-bit
//! integer past `i64::MAX` is text.
//!
//! Invariant: every problem with a file is an `Err` with words
//! (`describe`); the `parquet` crate's own panics on damaged files are
//! caught natively (`caught`) and, in the browser, where panics abort,
//! turned into the same words by the worker loader.

mod values;

use bytes::Bytes;
use parquet::file::reader::{FileReader, SerializedFileReader};
use wasm_bindgen::prelude::wasm_bindgen;

pub use values::{row_json, write_row};

/// The file's magic number, at its start and its end.
const MAGIC: &[u8] = b"PAR1";

/// A Parquet file read a row group at a time.
#[wasm_bindgen]
pub struct ParquetRows {
    reader: SerializedFileReader<Bytes>,
    next_group: usize,
}

#[wasm_bindgen]
impl ParquetRows {
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: Vec<u8>) -> Result<ParquetRows, String> {
        caught(|| ParquetRows::open(bytes))
    }

    /// Rows in the whole file, from its footer.
    pub fn rows(&self) -> f64 {
        self.reader.metadata().file_metadata().num_rows() as f64
    }

    /// The next row group as newline-delimited JSON objects, or `None`
    /// after the last.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        let outcome = caught(|| self.read_next());
        if outcome.is_err() {
            // After a failure nothing more is read.
            self.next_group = usize::MAX;
        }
        outcome
    }
}

impl ParquetRows {
    fn open(bytes: Vec<u8>) -> Result<ParquetRows, String> {
        if !bytes.starts_with(MAGIC) {
            return Err(not_parquet(&bytes));
        }
        if !bytes.ends_with(MAGIC) {
            return Err("This Parquet file is cut short: it lacks its footer (the download stopped early, or the file is damaged).".into());
        }
        let reader = SerializedFileReader::new(Bytes::from(bytes)).map_err(|e| describe(&e))?;
        Ok(ParquetRows { reader, next_group: 0 })
    }

    fn read_next(&mut self) -> Result<Option<Vec<u8>>, String> {
        let groups = self.reader.num_row_groups();
        if self.next_group >= groups {
            return Ok(None);
        }
        let group = self.reader.get_row_group(self.next_group).map_err(|e| describe(&e))?;
        self.next_group += 1;
        let mut out = Vec::new();
        for row in group.get_row_iter(None).map_err(|e| describe(&e))? {
            let row = row.map_err(|e| describe(&e))?;
            write_row(&mut out, &row).map_err(|e| e.to_string())?;
        }
        Ok(Some(out))
    }
}

/// `work`, with a panic of the `parquet` crate on a damaged file (it has
/// asserts on values read from the file) as an error. Natively the panic
/// unwinds to here; in the browser (panics abort) the module traps, and
/// the worker loader turns that into the same words and drops the module.
fn caught<T>(work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| Err(READER_FAILED.into()))
}

const READER_FAILED: &str = "The Parquet reader failed on this file (it may be damaged, or use a feature the reader lacks).";

/// All rows as NDJSON chunks (tests and native use).
pub fn to_ndjson(bytes: Vec<u8>) -> Result<Vec<Vec<u8>>, String> {
    let mut rows = ParquetRows::new(bytes)?;
    let mut chunks = Vec::new();
    while let Some(chunk) = rows.next_chunk()? {
        chunks.push(chunk);
    }
    Ok(chunks)
}

/// What a file that is not Parquet looks like instead.
fn not_parquet(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
    let looks = if bytes.is_empty() {
        "it is empty"
    } else if bytes.starts_with(b"SQLite format 3\0") {
        "it is an SQLite database"
    } else if head.trim_start().starts_with("<!doctype html") || head.trim_start().starts_with("<html") {
        "it is a web page"
    } else if head.trim_start().starts_with(['{', '[']) {
        "it looks like JSON"
    } else if std::str::from_utf8(&bytes[..bytes.len().min(200)]).is_ok() {
        "it looks like text, CSV perhaps"
    } else {
        "its first bytes are not PAR1"
    };
    format!("This is not a Parquet file: {looks}.")
}

fn describe(error: &parquet::errors::ParquetError) -> String {
    format!("This Parquet file could not be read: {error}.")
}
