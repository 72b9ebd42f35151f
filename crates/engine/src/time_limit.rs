//! Stopping statements that run too long.
//!
//! SQLite calls a progress handler every N virtual-machine steps; ours reads
//! the clock and interrupts once the deadline has passed. The clock is
//! injected (`Clock`) because `std::time::Instant` does not exist on
//! wasm32-unknown-unknown: the worker passes `performance.now()`.
//!
//! A limit counts the statement's own work, not time spent waiting for a
//! lazy database's server (`lazy`), up to `WAIT_ALLOWANCE_MS` or five
//! times the limit, whichever is more: a sorted page that needs a hundred
//! round trips is not a runaway query, but a scan of a whole remote file
//! on a slow network still stops.

use std::cell::Cell;

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

/// The least waiting for a server one limited run may leave uncounted.
pub const WAIT_ALLOWANCE_MS: f64 = 30_000.0;

thread_local! {
    /// Milliseconds spent waiting for lazy reads on this thread, ever.
    static WAITED_MS: Cell<f64> = const { Cell::new(0.0) };
}

/// Counts `ms` spent waiting for a server (called by the lazy VFS).
pub(crate) fn add_waited(ms: f64) {
    WAITED_MS.set(WAITED_MS.get() + ms.max(0.0));
}

/// `clock` minus every wait for a server so far: a clock of work done.
pub(crate) fn work_clock(clock: Clock) -> f64 {
    clock() - WAITED_MS.get()
}

/// Runs `work` with the connection's statements limited to `limit_ms`.
/// An interrupted statement comes back as `ErrorKind::TimeLimit` with a
/// message that names the limit.
pub fn with_time_limit<T>(conn: &mut Connection, clock: Clock, limit_ms: u32, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    let (start, waited_before) = (clock(), WAITED_MS.get());
    let allowance = WAIT_ALLOWANCE_MS.max(5.0 * f64::from(limit_ms));
    let excused = move || (WAITED_MS.get() - waited_before).min(allowance);
    let deadline = start + f64::from(limit_ms);
    conn.progress_handler(STEPS_BETWEEN_CHECKS, Some(move || clock() - excused() > deadline))?;
    let outcome = work(conn);
    conn.progress_handler(0, None::<fn() -> bool>)?;
    outcome.map_err(|e| {
        if e.kind() != ErrorKind::TimeLimit {
            return e;
        }
        let waited = WAITED_MS.get() - waited_before;
        let message = if waited > 0.0 {
            format!(
                "Stopped: the query ran longer than the time limit of {limit_ms} ms, not counting {:.1} s of waiting for the database's server.",
                excused() / 1000.0
            )
        } else {
            format!("Stopped: the query ran longer than the time limit of {limit_ms} ms.")
        };
        Error::new(ErrorKind::TimeLimit, message)
    })
}

/// Runs `work` stopped after about `steps` VM steps, or after
/// `backstop_ms` of work (one step can be slow: comparing huge values).
/// Unlike a time limit, a step budget stops the same data at the same
/// point on every machine and under any load, so what depends on it
/// (which facets are suggested) is the same on every visit. Returns the
/// outcome and the steps used.
pub fn with_step_budget<T>(
    conn: &mut Connection,
    clock: Clock,
    steps: u64,
    backstop_ms: u32,
    work: impl FnOnce(&Connection) -> Result<T>,
) -> (Result<T>, u64) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    let used = Arc::new(AtomicU64::new(0));
    let counter = used.clone();
    let deadline = work_clock(clock) + f64::from(backstop_ms);
    let every = STEPS_BETWEEN_CHECKS as u64;
    let set = conn.progress_handler(
        STEPS_BETWEEN_CHECKS,
        Some(move || counter.fetch_add(every, Ordering::Relaxed) + every > steps || work_clock(clock) > deadline),
    );
    if let Err(e) = set {
        return (Err(e.into()), 0);
    }
    let outcome = work(conn);
    let _ = conn.progress_handler(0, None::<fn() -> bool>);
    (outcome, used.load(Ordering::Relaxed))
}

/// A monotonic clock for native code (tests, benchmarks).
#[cfg(not(target_arch = "wasm32"))]
pub fn native_clock() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}
