//! Databases read lazily: an SQLite file too big to download whole is
//! opened through a read-only VFS (`vfs.rs`) whose reads are ranged
//! requests for just the pages a query touches, kept in a capped LRU
//! cache with read-ahead for sequential scans (`cache.rs`).
//!
//! The engine knows nothing of HTTP: it is given a `RangeSource` (the
//! worker's synchronous ranged XHR; a file on disk in tests) and the file's
//! size. A lazy database is immutable and never checked or counted whole:
//! opening reads the header and the schema, nothing more.

mod cache;
mod vfs;

use std::cell::{Cell, RefCell};

use crate::time_limit::{add_waited, Clock};
use crate::{Error, ErrorKind};

pub use cache::CHUNK_BYTES;
use cache::{ChunkCache, ReadHeads};
pub(crate) use vfs::{open_connection, take_read_error, LazyRegistration};

/// The page cache's default cap.
pub const DEFAULT_CACHE_BYTES: u64 = 64 << 20;

/// Where a lazy file's bytes come from.
pub trait RangeSource {
    /// The `len` bytes at `offset`; an error says what went wrong (the
    /// host unreachable, the file changed...), in words for the user.
    fn read_range(&self, offset: u64, len: u64) -> std::result::Result<Vec<u8>, String>;
}

/// What reading a lazy file has cost so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchStats {
    pub requests: u64,
    pub bytes: u64,
}

/// A file read through the cache. Not shared between threads: SQLite calls
/// the VFS on the thread that runs the statement.
pub struct LazyFile {
    source: Box<dyn RangeSource>,
    size: u64,
    cache: RefCell<ChunkCache>,
    heads: RefCell<ReadHeads>,
    stats: Cell<FetchStats>,
    /// Times each fetch, whose wait a time limit does not count.
    clock: Clock,
}

/// The error for a read that failed for reason `why`.
pub(crate) fn read_error(why: &str) -> Error {
    Error::new(ErrorKind::Unreachable, format!("could not read the database from its server: {why}"))
}

impl LazyFile {
    pub fn new(source: Box<dyn RangeSource>, size: u64, cache_bytes: u64, clock: Clock) -> LazyFile {
        // A read-ahead must fit in the cache with room to spare.
        let cache_bytes = cache_bytes.max(4 * cache::MAX_READ_AHEAD_CHUNKS * CHUNK_BYTES);
        LazyFile {
            source,
            size,
            cache: RefCell::new(ChunkCache::new(cache_bytes)),
            heads: RefCell::default(),
            stats: Cell::default(),
            clock,
        }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn stats(&self) -> FetchStats {
        self.stats.get()
    }

    /// Fills `out` from `offset`; returns how many bytes the file had
    /// there (fewer than asked only past its end).
    pub fn read(&self, offset: u64, out: &mut [u8]) -> std::result::Result<usize, String> {
        let end = offset.saturating_add(out.len() as u64).min(self.size);
        if offset >= end {
            return Ok(0);
        }
        let chunks_in_file = self.size.div_ceil(CHUNK_BYTES);
        let last = (end - 1) / CHUNK_BYTES;
        let mut chunk = offset / CHUNK_BYTES;
        while chunk <= last {
            if let Some(bytes) = self.cache.borrow_mut().get(chunk) {
                copy_overlap(chunk, bytes, offset, end, out);
                chunk += 1;
                continue;
            }
            let count = self.heads.borrow_mut().plan(chunk, last - chunk + 1, chunks_in_file);
            let start = chunk * CHUNK_BYTES;
            let stop = ((chunk + count) * CHUNK_BYTES).min(self.size);
            let asked = (self.clock)();
            let fetched = self.source.read_range(start, stop - start);
            add_waited((self.clock)() - asked);
            let bytes = fetched?;
            if bytes.len() as u64 != stop - start {
                return Err(format!("asked for {} bytes at {start}, the server sent {}", stop - start, bytes.len()));
            }
            let stats = self.stats.get();
            self.stats.set(FetchStats { requests: stats.requests + 1, bytes: stats.bytes + bytes.len() as u64 });
            let mut cache = self.cache.borrow_mut();
            for (i, piece) in bytes.chunks(CHUNK_BYTES as usize).enumerate() {
                copy_overlap(chunk + i as u64, piece, offset, end, out);
                cache.insert(chunk + i as u64, piece.into());
            }
            chunk += count;
        }
        Ok((end - offset) as usize)
    }
}

/// Copies the part of chunk `index` (its bytes `piece`) that falls in the
/// read `[offset, end)` into `out`, which starts at `offset`.
fn copy_overlap(index: u64, piece: &[u8], offset: u64, end: u64, out: &mut [u8]) {
    let piece_start = index * CHUNK_BYTES;
    let from = piece_start.max(offset);
    let to = (piece_start + piece.len() as u64).min(end);
    if from < to {
        out[(from - offset) as usize..(to - offset) as usize]
            .copy_from_slice(&piece[(from - piece_start) as usize..(to - piece_start) as usize]);
    }
}
