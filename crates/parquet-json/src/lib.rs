//! Parquet → newline-delimited JSON, one row group at a time from the
//! pieces of the file its caller reads (the footer, then each row group's
//! bytes), for the engine's JSON import (`ParquetRows`): a wasm module of its
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

use bytes::{Buf, Bytes};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};
use parquet::file::serialized_reader::{ReadOptionsBuilder, SerializedFileReader};
use parquet::record::reader::RowIter;
use wasm_bindgen::prelude::wasm_bindgen;

pub use values::{row_json, write_row};

/// The file's magic number, at its start and its end.
const MAGIC: &[u8] = b"PAR1";

/// JSON rows handed out per `next_chunk`, about: a row group of a million
/// rows is never one text of hundreds of megabytes.
const CHUNK_BYTES: usize = 4 << 20;

/// The largest row group read (its compressed column chunks, held while
/// its rows are read); real writers make them 1 MB to a few hundred.
const MAX_GROUP_BYTES: u64 = 1 << 30;

/// A Parquet file read a row group at a time, from pieces the caller
/// reads: first the footer (`footer_length` bytes from the end), then each
/// row group's byte range (`group_start`..`group_end`). The file itself is
/// never held whole, so it may be far bigger than memory.
#[wasm_bindgen]
pub struct ParquetRows {
    len: u64,
    footer: Bytes,
    /// Each row group's byte range, checked to lie inside the file.
    groups: Vec<(u64, u64)>,
    /// The rows of the row group being read.
    rows: Option<RowIter<'static>>,
    chunk_bytes: usize,
}

#[wasm_bindgen]
impl ParquetRows {
    /// How many bytes at the end of the file hold its footer, from the
    /// file's first bytes (up to 200, to say what a file that is not
    /// Parquet looks like) and its last eight; an error in words when it
    /// is not Parquet or is cut short.
    pub fn footer_length(head: &[u8], tail: &[u8], len: f64) -> Result<f64, String> {
        if !head.starts_with(MAGIC) {
            return Err(not_parquet(head));
        }
        let len = len as u64;
        if len < 12 || tail.len() < 8 || !tail.ends_with(MAGIC) {
            return Err(CUT_SHORT.into());
        }
        let tail = &tail[tail.len() - 8..];
        let metadata = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
        if metadata + 8 > len - 4 {
            return Err(format!(
                "This Parquet file could not be read: its footer claims {metadata} bytes, more than the file holds ({len} bytes)."
            ));
        }
        Ok((metadata + 8) as f64)
    }

    /// The reader, from the file's length and its footer.
    #[wasm_bindgen(constructor)]
    pub fn new(len: f64, footer: Vec<u8>) -> Result<ParquetRows, String> {
        caught(|| ParquetRows::open(len as u64, Bytes::from(footer)))
    }

    pub fn groups(&self) -> u32 {
        self.groups.len() as u32
    }

    /// Where row group `index`'s bytes start in the file.
    pub fn group_start(&self, index: u32) -> f64 {
        self.groups.get(index as usize).map_or(0.0, |g| g.0 as f64)
    }

    /// Where row group `index`'s bytes end (exclusive).
    pub fn group_end(&self, index: u32) -> f64 {
        self.groups.get(index as usize).map_or(0.0, |g| g.1 as f64)
    }

    /// Starts reading row group `index` from its bytes (`group_start` to
    /// `group_end`).
    pub fn start_group(&mut self, index: u32, bytes: Vec<u8>) -> Result<(), String> {
        let outcome = caught(|| self.begin_group(index as usize, Bytes::from(bytes)));
        if outcome.is_err() {
            self.rows = None;
        }
        outcome
    }

    /// The started row group's next rows as newline-delimited JSON objects
    /// (about `CHUNK_BYTES`), or `None` after its last.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        let outcome = caught(|| self.read_next());
        if outcome.is_err() {
            // After a failure nothing more is read.
            self.rows = None;
        }
        outcome
    }
}

impl ParquetRows {
    /// The same reader handing out chunks of about `bytes` (tests).
    pub fn with_chunk_bytes(mut self, bytes: usize) -> Self {
        self.chunk_bytes = bytes.max(1);
        self
    }

    fn open(len: u64, footer: Bytes) -> Result<ParquetRows, String> {
        let footer_len = footer.len() as u64;
        if footer_len < 8 || footer_len + 4 > len {
            return Err(CUT_SHORT.into());
        }
        let metadata =
            parquet::file::metadata::ParquetMetaDataReader::decode_metadata(&footer[..footer.len() - 8]).map_err(|e| describe(&e))?;
        let data_end = len - footer_len;
        let mut groups = Vec::with_capacity(metadata.num_row_groups());
        for (index, group) in metadata.row_groups().iter().enumerate() {
            let mut range: Option<(u64, u64)> = None;
            for column in group.columns() {
                // Where `ColumnChunkMetaData::byte_range` says, checked
                // here rather than asserted there.
                let start = column.dictionary_page_offset().unwrap_or(column.data_page_offset());
                let size = column.compressed_size();
                let end = start.checked_add(size).filter(|_| start >= 4 && size >= 0).map(|end| end as u64);
                let Some(end) = end.filter(|&end| end <= data_end) else {
                    return Err(format!(
                        "This Parquet file could not be read: row group {} says its columns lie outside the file.",
                        index + 1
                    ));
                };
                let start = start as u64;
                range = Some(range.map_or((start, end), |(a, b)| (a.min(start), b.max(end))));
            }
            let (start, end) = range.unwrap_or((4, 4));
            if end - start > MAX_GROUP_BYTES {
                return Err(format!(
                    "This Parquet file has a row group of {} MB; this reader takes row groups of at most {} MB.",
                    (end - start) >> 20,
                    MAX_GROUP_BYTES >> 20
                ));
            }
            groups.push((start, end));
        }
        Ok(ParquetRows { len, footer, groups, rows: None, chunk_bytes: CHUNK_BYTES })
    }

    fn begin_group(&mut self, index: usize, bytes: Bytes) -> Result<(), String> {
        let Some(&(start, end)) = self.groups.get(index) else {
            return Err(format!("This Parquet file has no row group {}.", index + 1));
        };
        if bytes.len() as u64 != end - start {
            return Err(format!("Row group {} came with {} bytes, not the {} it spans.", index + 1, bytes.len(), end - start));
        }
        let pieces = Pieces { len: self.len, footer: self.footer.clone(), group: (start, bytes) };
        // A reader of this row group alone, which owns its pieces, so its
        // rows can be read a chunk at a time across calls. (The footer is
        // decoded again for it: small beside a row group.)
        let only_this = ReadOptionsBuilder::new().with_predicate(Box::new(move |_, i| i == index)).build();
        let reader = SerializedFileReader::new_with_options(pieces, only_this).map_err(|e| describe(&e))?;
        self.rows = Some(RowIter::from_file_into(Box::new(reader)));
        Ok(())
    }

    fn read_next(&mut self) -> Result<Option<Vec<u8>>, String> {
        let Some(rows) = self.rows.as_mut() else {
            return Ok(None);
        };
        let mut out = Vec::new();
        while out.len() < self.chunk_bytes {
            match rows.next() {
                Some(row) => {
                    let row = row.map_err(|e| describe(&e))?;
                    write_row(&mut out, &row).map_err(|e| e.to_string())?;
                }
                None => {
                    self.rows = None;
                    break;
                }
            }
        }
        Ok(if out.is_empty() { None } else { Some(out) })
    }
}

/// The parts of a file that were read: its footer and one row group's
/// bytes, which is all the `parquet` crate asks for while reading that
/// row group.
struct Pieces {
    len: u64,
    footer: Bytes,
    group: (u64, Bytes),
}

impl Pieces {
    fn piece(&self, start: u64, length: Option<usize>) -> parquet::errors::Result<Bytes> {
        let footer_start = self.len - self.footer.len() as u64;
        for (offset, bytes) in [(footer_start, &self.footer), (self.group.0, &self.group.1)] {
            if start < offset || start > offset + bytes.len() as u64 {
                continue;
            }
            let from = (start - offset) as usize;
            let to = length.map_or(Some(bytes.len()), |n| from.checked_add(n).filter(|&to| to <= bytes.len()));
            if let Some(to) = to {
                return Ok(bytes.slice(from..to));
            }
        }
        Err(ParquetError::General(format!("it points at bytes {start}.. outside the row group being read")))
    }
}

impl Length for Pieces {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for Pieces {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(self.piece(start, None)?.reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.piece(start, Some(length))
    }
}

const CUT_SHORT: &str = "This Parquet file is cut short: it lacks its footer (the download stopped early, or the file is damaged).";

/// `work`, with a panic of the `parquet` crate on a damaged file (it has
/// asserts on values read from the file) as an error. Natively the panic
/// unwinds to here; in the browser (panics abort) the module traps, and
/// the worker loader turns that into the same words and drops the module.
fn caught<T>(work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| Err(READER_FAILED.into()))
}

const READER_FAILED: &str = "The Parquet reader failed on this file (it may be damaged, or use a feature the reader lacks).";

/// All rows of a file held whole as NDJSON chunks, read piece by piece
/// as the worker reads a file (tests and native use).
pub fn to_ndjson(bytes: Vec<u8>) -> Result<Vec<Vec<u8>>, String> {
    read_pieces(&bytes, CHUNK_BYTES)
}

/// `to_ndjson` with chunks of about `chunk_bytes`.
pub fn read_pieces(bytes: &[u8], chunk_bytes: usize) -> Result<Vec<Vec<u8>>, String> {
    let len = bytes.len();
    let footer = ParquetRows::footer_length(&bytes[..len.min(200)], &bytes[len.saturating_sub(8)..], len as f64)? as usize;
    let mut rows = ParquetRows::new(len as f64, bytes[len - footer..].to_vec())?.with_chunk_bytes(chunk_bytes);
    let mut chunks = Vec::new();
    for group in 0..rows.groups() {
        let (start, end) = (rows.group_start(group) as usize, rows.group_end(group) as usize);
        rows.start_group(group, bytes[start..end].to_vec())?;
        while let Some(chunk) = rows.next_chunk()? {
            chunks.push(chunk);
        }
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
