//! Stopping statements that run too long.
//!
//! SQLite calls a progress handler every N virtual-machine steps; ours reads
//! the clock and interrupts once the deadline has passed. The clock is
//! injected (`Clock`) because `std::time::Instant` does not exist on
//! wasm32-unknown-unknown: the worker passes `performance.now()`.

use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};

/// Milliseconds from some fixed origin; only differences matter.
pub type Clock = fn() -> f64;

/// VM steps between clock reads. Most steps take nanoseconds, but one
/// step can take tens of milliseconds (copying or comparing a 99 MB value),
/// so checking every 4,000 steps once let a hostile database hold the
/// worker for 25 s past a 50 ms limit; every 100 steps costs nothing
/// measurable on ordinary queries.
const STEPS_BETWEEN_CHECKS: i32 = 100;

/// Runs `work` with the connection's statements limited to `limit_ms`.
/// An interrupted statement comes back as `ErrorKind::TimeLimit` with a
/// message that names the limit.
pub fn with_time_limit<T>(conn: &mut Connection, clock: Clock, limit_ms: u32, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    let deadline = clock() + f64::from(limit_ms);
    conn.progress_handler(STEPS_BETWEEN_CHECKS, Some(move || clock() > deadline))?;
    let outcome = work(conn);
    conn.progress_handler(0, None::<fn() -> bool>)?;
    outcome.map_err(|e| {
        if e.kind() == ErrorKind::TimeLimit {
            Error::new(ErrorKind::TimeLimit, format!("Stopped: the query ran longer than the time limit of {limit_ms} ms."))
        } else {
            e
        }
    })
}

/// A monotonic clock for native code (tests, benchmarks).
#[cfg(not(target_arch = "wasm32"))]
pub fn native_clock() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}
