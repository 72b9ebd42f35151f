//! The prepared INSERT that an import fills its table through, bound
//! through SQLite's C API (`rusqlite::ffi`) rather than rusqlite's
//! checked binds: text is bound `SQLITE_STATIC`, straight from the
//! parser's buffer, so a cell is copied once (into the row's record), not
//! first into a binding of its own. (Measured natively on the 36 MB ATP
//! CSV: binding was a fifth of the import.)
//!
//! Invariant: a statement only ever steps inside `execute_with`, after
//! its row was bound with values that outlive the call (`Row<'_, 'v>`);
//! a parameter left bound from an earlier row is only ever NULL (every
//! other parameter is bound again), so no stale pointer is read.

use std::ffi::{c_int, CStr};
use std::ptr::NonNull;

use rusqlite::ffi;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use crate::error::Result;

pub struct RowInsert<'c> {
    conn: &'c Connection,
    stmt: NonNull<ffi::sqlite3_stmt>,
    /// Parameters, in order.
    width: usize,
    /// Which parameters hold NULL now: a NULL after a NULL needs no bind
    /// (empty cells come in runs).
    null_bound: Vec<bool>,
}

impl<'c> RowInsert<'c> {
    /// Prepares `sql`, an INSERT of `width` parameters.
    pub fn new(conn: &'c Connection, sql: &str, width: usize) -> Result<RowInsert<'c>> {
        let db = unsafe { conn.handle() };
        let mut stmt = std::ptr::null_mut();
        let rc = unsafe { ffi::sqlite3_prepare_v2(db, sql.as_ptr().cast(), sql.len() as c_int, &mut stmt, std::ptr::null_mut()) };
        if rc != ffi::SQLITE_OK {
            return Err(failure(conn, rc).into());
        }
        let stmt = NonNull::new(stmt).ok_or_else(|| failure(conn, ffi::SQLITE_MISUSE))?;
        Ok(RowInsert { conn, stmt, width, null_bound: vec![false; width] })
    }

    /// Inserts one row: `cells` bound in order (missing ones are NULL,
    /// extra ones ignored), then stepped and reset.
    pub fn execute<'v>(&mut self, cells: impl IntoIterator<Item = ValueRef<'v>>) -> Result<()> {
        let width = self.width;
        self.execute_with(|row: &mut Row<'_, 'v>| {
            let mut cells = cells.into_iter();
            for index in 0..width {
                row.set(index, cells.next().unwrap_or(ValueRef::Null))?;
            }
            Ok(())
        })
    }

    /// Inserts one row whose cells `fill` sets (`Row::set`, each index
    /// once; those left out keep their last value, so set them all). The
    /// values live for `'v`, beyond this call, so what SQLite was given
    /// is there when it steps.
    pub fn execute_with<'v>(&mut self, fill: impl FnOnce(&mut Row<'_, 'v>) -> Result<()>) -> Result<()> {
        let mut row = Row { stmt: self.stmt, conn: self.conn, null_bound: &mut self.null_bound, values: std::marker::PhantomData };
        fill(&mut row)?;
        let stmt = self.stmt.as_ptr();
        let rc = unsafe { ffi::sqlite3_step(stmt) };
        // Reset whatever happened, so the statement holds no lock or
        // half-run state; the step's own code says whether it failed.
        unsafe { ffi::sqlite3_reset(stmt) };
        if rc != ffi::SQLITE_DONE {
            return Err(failure(self.conn, rc).into());
        }
        Ok(())
    }
}

/// The row being bound (`RowInsert::execute_with`).
pub struct Row<'s, 'v> {
    stmt: NonNull<ffi::sqlite3_stmt>,
    conn: &'s Connection,
    null_bound: &'s mut [bool],
    values: std::marker::PhantomData<ValueRef<'v>>,
}

impl<'v> Row<'_, 'v> {
    /// Binds cell `index` (from 0) to `cell`.
    #[inline(always)]
    pub fn set(&mut self, index: usize, cell: ValueRef<'v>) -> Result<()> {
        let is_null = matches!(cell, ValueRef::Null);
        let Some(null_bound) = self.null_bound.get_mut(index) else { return Ok(()) };
        if is_null && *null_bound {
            return Ok(());
        }
        let stmt = self.stmt.as_ptr();
        let slot = index as c_int + 1;
        let rc = unsafe {
            match cell {
                ValueRef::Null => ffi::sqlite3_bind_null(stmt, slot),
                ValueRef::Integer(n) => ffi::sqlite3_bind_int64(stmt, slot, n),
                ValueRef::Real(r) => ffi::sqlite3_bind_double(stmt, slot, r),
                ValueRef::Text(t) => ffi::sqlite3_bind_text(stmt, slot, t.as_ptr().cast(), t.len() as c_int, ffi::SQLITE_STATIC()),
                ValueRef::Blob(b) => ffi::sqlite3_bind_blob(stmt, slot, b.as_ptr().cast(), b.len() as c_int, ffi::SQLITE_STATIC()),
            }
        };
        if rc != ffi::SQLITE_OK {
            return Err(failure(self.conn, rc).into());
        }
        *null_bound = is_null;
        Ok(())
    }
}

impl Drop for RowInsert<'_> {
    fn drop(&mut self) {
        unsafe { ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

/// SQLite's error for `rc`, with the connection's message.
fn failure(conn: &Connection, rc: c_int) -> rusqlite::Error {
    let message = unsafe {
        let text = ffi::sqlite3_errmsg(conn.handle());
        (!text.is_null()).then(|| CStr::from_ptr(text).to_string_lossy().into_owned())
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), message)
}
