//! The page cache of a lazily read file: fixed-size chunks kept in LRU
//! order under a byte cap, and read heads that decide how much to fetch
//! on a miss (a read that continues where an earlier fetch ended fetches
//! twice as much as that one, up to a cap; sql.js-httpvfs's "virtual read
//! heads" are the model). No I/O here: `LazyFile` does the fetching.

use std::collections::{BTreeMap, HashMap};

/// The unit of caching and of ranged reads. SQLite's default page size;
/// bigger pages span several chunks.
pub const CHUNK_BYTES: u64 = 4096;
/// The most one read head fetches at once (a sequential scan's speed).
pub const MAX_READ_AHEAD_CHUNKS: u64 = 256; // 1 MiB
/// How many sequential streams are followed at once (a join reads two
/// tables and an index in turns).
const READ_HEADS: usize = 4;

/// Chunks in least-recently-used order, at most `capacity_chunks`.
pub struct ChunkCache {
    chunks: HashMap<u64, (Box<[u8]>, u64)>,
    by_use: BTreeMap<u64, u64>,
    tick: u64,
    capacity_chunks: usize,
}

impl ChunkCache {
    pub fn new(capacity_bytes: u64) -> ChunkCache {
        let capacity_chunks = (capacity_bytes / CHUNK_BYTES).max(1) as usize;
        ChunkCache { chunks: HashMap::new(), by_use: BTreeMap::new(), tick: 0, capacity_chunks }
    }

    /// The chunk's bytes, marked as just used.
    pub fn get(&mut self, index: u64) -> Option<&[u8]> {
        self.tick += 1;
        let tick = self.tick;
        let (bytes, used) = self.chunks.get_mut(&index)?;
        self.by_use.remove(used);
        *used = tick;
        self.by_use.insert(tick, index);
        Some(bytes)
    }

    #[cfg(test)]
    pub fn contains(&self, index: u64) -> bool {
        self.chunks.contains_key(&index)
    }

    pub fn insert(&mut self, index: u64, bytes: Box<[u8]>) {
        self.tick += 1;
        if let Some((_, used)) = self.chunks.insert(index, (bytes, self.tick)) {
            self.by_use.remove(&used);
        }
        self.by_use.insert(self.tick, index);
        while self.chunks.len() > self.capacity_chunks {
            let Some((_, oldest)) = self.by_use.pop_first() else { break };
            self.chunks.remove(&oldest);
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.chunks.len()
    }
}

/// Where sequential reads are heading, to fetch ahead of them.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ReadHead {
    /// The chunk after the last one this head fetched.
    next: u64,
    /// Chunks to fetch on its next miss.
    speed: u64,
    last_used: u64,
}

#[derive(Default)]
pub struct ReadHeads {
    heads: Vec<ReadHead>,
    tick: u64,
}

impl ReadHeads {
    /// How many chunks to fetch from `first`, a chunk that missed, for a
    /// read that needs `needed` chunks; at most `end` (the file's chunk
    /// count) minus `first`. A miss right where a head stopped (or inside
    /// what it is about to reach) continues that head at twice its speed;
    /// anything else starts a new head (replacing the least recently used)
    /// that fetches only what was asked.
    pub fn plan(&mut self, first: u64, needed: u64, end: u64) -> u64 {
        self.tick += 1;
        let tick = self.tick;
        let continuing = self.heads.iter_mut().find(|h| first >= h.next && first < h.next + h.speed);
        let count = match continuing {
            Some(head) => {
                head.speed = (head.speed * 2).min(MAX_READ_AHEAD_CHUNKS);
                let count = head.speed.max(needed);
                head.next = first + count;
                head.last_used = tick;
                count
            }
            None => {
                let head = ReadHead { next: first + needed, speed: needed.max(1), last_used: tick };
                if self.heads.len() < READ_HEADS {
                    self.heads.push(head);
                } else if let Some(oldest) = self.heads.iter_mut().min_by_key(|h| h.last_used) {
                    *oldest = head;
                }
                needed
            }
        };
        count.min(end.saturating_sub(first)).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_chunk_goes_first() {
        let mut cache = ChunkCache::new(3 * CHUNK_BYTES);
        for i in 0..3 {
            cache.insert(i, vec![i as u8].into());
        }
        assert!(cache.get(0).is_some(), "0 is now the most recent");
        cache.insert(3, vec![3].into());
        assert!(cache.contains(0) && !cache.contains(1) && cache.contains(2) && cache.contains(3));
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn sequential_misses_double_the_read_ahead_up_to_the_cap() {
        let mut heads = ReadHeads::default();
        let mut at = 100;
        let mut fetched = Vec::new();
        for _ in 0..12 {
            let n = heads.plan(at, 1, u64::MAX);
            fetched.push(n);
            at += n;
        }
        assert_eq!(fetched, [1, 2, 4, 8, 16, 32, 64, 128, 256, 256, 256, 256]);
    }

    #[test]
    fn random_reads_fetch_only_what_they_need_and_the_file_end_caps() {
        let mut heads = ReadHeads::default();
        assert_eq!(heads.plan(10, 1, 1000), 1);
        assert_eq!(heads.plan(500, 1, 1000), 1);
        assert_eq!(heads.plan(70, 2, 1000), 2);
        // Continuing the first head, near the end of the file.
        assert_eq!(heads.plan(11, 1, 12), 1);
        // Interleaved scans keep their own speeds.
        let mut heads = ReadHeads::default();
        let (mut a, mut b) = (0, 1000);
        let mut last = (0, 0);
        for _ in 0..5 {
            let n = heads.plan(a, 1, u64::MAX);
            a += n;
            let m = heads.plan(b, 1, u64::MAX);
            b += m;
            last = (n, m);
        }
        assert_eq!(last, (16, 16));
    }
}
