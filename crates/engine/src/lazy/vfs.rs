//! The read-only SQLite VFS "explorer-lazy": the main database file of a
//! connection opened on it reads through a `LazyFile`; everything else
//! (journals, temporary files) cannot be opened, which an immutable,
//! read-only connection with in-memory temp storage never asks for.
//! Randomness, sleep and time come from the default VFS.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::rc::Rc;
use std::sync::Once;

use rusqlite::ffi;
use rusqlite::{Connection, OpenFlags};

use super::LazyFile;
use crate::Result;

const VFS_NAME: &CStr = c"explorer-lazy";

thread_local! {
    /// Why the last read failed: SQLite only hears "I/O error", so the
    /// engine's error (`error.rs`) takes the reason from here.
    static READ_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Files a connection may open, by the name in its URI.
    static FILES: RefCell<HashMap<String, Rc<LazyFile>>> = RefCell::default();
    static NEXT_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

pub(crate) fn take_read_error() -> Option<String> {
    READ_ERROR.with_borrow_mut(Option::take)
}

/// Keeps a file openable by name while its connection lives.
pub(crate) struct LazyRegistration {
    name: String,
}

impl Drop for LazyRegistration {
    fn drop(&mut self) {
        FILES.with_borrow_mut(|files| files.remove(&self.name));
    }
}

/// A read-only connection reading `file` lazily.
pub(crate) fn open_connection(file: Rc<LazyFile>) -> Result<(Connection, LazyRegistration)> {
    register_vfs();
    let id = NEXT_ID.with(|n| n.replace(n.get() + 1));
    let name = format!("lazy-{id}.db");
    FILES.with_borrow_mut(|files| files.insert(name.clone(), file));
    let registration = LazyRegistration { name: name.clone() };
    // immutable: no locks, no journal, no change counter checks.
    let uri = format!("file:{name}?vfs={}&immutable=1", VFS_NAME.to_str().unwrap_or_default());
    let conn = Connection::open_with_flags(uri, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI)?;
    // Sorts and temporary b-trees stay in memory, never in a file here.
    conn.execute_batch("PRAGMA temp_store = MEMORY")?;
    Ok((conn, registration))
}

#[repr(C)]
struct Handle {
    base: ffi::sqlite3_file,
    /// From `Rc::into_raw`; released by `x_close`.
    file: *const LazyFile,
}

fn register_vfs() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // SAFETY: sqlite3_vfs_find initialises SQLite and returns the default
        // VFS, which lives as long as the process. The VFS struct is leaked
        // on purpose: SQLite keeps the pointer for the process's lifetime.
        unsafe {
            let default = ffi::sqlite3_vfs_find(std::ptr::null());
            if default.is_null() {
                return;
            }
            let vfs = Box::new(ffi::sqlite3_vfs {
                iVersion: 2,
                szOsFile: std::mem::size_of::<Handle>() as c_int,
                mxPathname: 512,
                pNext: std::ptr::null_mut(),
                zName: VFS_NAME.as_ptr(),
                pAppData: default.cast(),
                xOpen: Some(x_open),
                xDelete: Some(x_delete),
                xAccess: Some(x_access),
                xFullPathname: Some(x_full_pathname),
                xDlOpen: None,
                xDlError: None,
                xDlSym: None,
                xDlClose: None,
                xRandomness: Some(x_randomness),
                xSleep: Some(x_sleep),
                xCurrentTime: Some(x_current_time),
                xGetLastError: Some(x_get_last_error),
                xCurrentTimeInt64: Some(x_current_time_int64),
                xSetSystemCall: None,
                xGetSystemCall: None,
                xNextSystemCall: None,
            });
            ffi::sqlite3_vfs_register(Box::into_raw(vfs), 0);
        }
    });
}

static IO_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 1,
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_lock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: None,
    xShmLock: None,
    xShmBarrier: None,
    xShmUnmap: None,
    xFetch: None,
    xUnfetch: None,
};

// SAFETY (all callbacks below): SQLite calls them with the pointers it was
// given: `file` points at a `Handle` of `szOsFile` bytes that `x_open`
// filled, buffers are valid for the lengths passed, `vfs` is ours.

unsafe extern "C" fn x_open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let handle = file.cast::<Handle>();
    (*handle).base.pMethods = std::ptr::null();
    (*handle).file = std::ptr::null();
    if flags & ffi::SQLITE_OPEN_MAIN_DB == 0 || name.is_null() {
        return ffi::SQLITE_CANTOPEN;
    }
    let Ok(name) = CStr::from_ptr(name).to_str() else { return ffi::SQLITE_CANTOPEN };
    let Some(lazy) = FILES.with_borrow(|files| files.get(name).cloned()) else { return ffi::SQLITE_CANTOPEN };
    (*handle).file = Rc::into_raw(lazy);
    (*handle).base.pMethods = &IO_METHODS;
    if !out_flags.is_null() {
        *out_flags = ffi::SQLITE_OPEN_READONLY;
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_close(file: *mut ffi::sqlite3_file) -> c_int {
    let handle = file.cast::<Handle>();
    if !(*handle).file.is_null() {
        drop(Rc::from_raw((*handle).file));
        (*handle).file = std::ptr::null();
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_read(file: *mut ffi::sqlite3_file, buffer: *mut c_void, amount: c_int, offset: ffi::sqlite3_int64) -> c_int {
    let lazy = &*(*file.cast::<Handle>()).file;
    let out = std::slice::from_raw_parts_mut(buffer.cast::<u8>(), amount.max(0) as usize);
    match lazy.read(offset.max(0) as u64, out) {
        Ok(n) if n == out.len() => ffi::SQLITE_OK,
        Ok(n) => {
            // SQLite requires the rest zeroed on a short read.
            out[n..].fill(0);
            ffi::SQLITE_IOERR_SHORT_READ
        }
        Err(why) => {
            READ_ERROR.with_borrow_mut(|e| *e = Some(why));
            ffi::SQLITE_IOERR_READ
        }
    }
}

unsafe extern "C" fn x_write(_: *mut ffi::sqlite3_file, _: *const c_void, _: c_int, _: ffi::sqlite3_int64) -> c_int {
    ffi::SQLITE_READONLY
}

unsafe extern "C" fn x_truncate(_: *mut ffi::sqlite3_file, _: ffi::sqlite3_int64) -> c_int {
    ffi::SQLITE_READONLY
}

unsafe extern "C" fn x_sync(_: *mut ffi::sqlite3_file, _: c_int) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_file_size(file: *mut ffi::sqlite3_file, size: *mut ffi::sqlite3_int64) -> c_int {
    *size = (*(*file.cast::<Handle>()).file).size() as ffi::sqlite3_int64;
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_lock(_: *mut ffi::sqlite3_file, _: c_int) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_check_reserved_lock(_: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    *out = 0;
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_file_control(_: *mut ffi::sqlite3_file, _: c_int, _: *mut c_void) -> c_int {
    ffi::SQLITE_NOTFOUND
}

unsafe extern "C" fn x_sector_size(_: *mut ffi::sqlite3_file) -> c_int {
    super::CHUNK_BYTES as c_int
}

unsafe extern "C" fn x_device_characteristics(_: *mut ffi::sqlite3_file) -> c_int {
    ffi::SQLITE_IOCAP_IMMUTABLE
}

unsafe extern "C" fn x_delete(_: *mut ffi::sqlite3_vfs, _: *const c_char, _: c_int) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_access(_: *mut ffi::sqlite3_vfs, _: *const c_char, _: c_int, out: *mut c_int) -> c_int {
    // No journal or WAL file ever exists beside a lazy file.
    *out = 0;
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_full_pathname(_: *mut ffi::sqlite3_vfs, name: *const c_char, size: c_int, out: *mut c_char) -> c_int {
    let name = CStr::from_ptr(name).to_bytes_with_nul();
    if name.len() > size.max(0) as usize {
        return ffi::SQLITE_CANTOPEN;
    }
    std::ptr::copy_nonoverlapping(name.as_ptr().cast::<c_char>(), out, name.len());
    ffi::SQLITE_OK
}

fn default_vfs(vfs: *mut ffi::sqlite3_vfs) -> *mut ffi::sqlite3_vfs {
    // SAFETY: pAppData was set to the default VFS at registration.
    unsafe { (*vfs).pAppData.cast() }
}

unsafe extern "C" fn x_randomness(vfs: *mut ffi::sqlite3_vfs, n: c_int, out: *mut c_char) -> c_int {
    let d = default_vfs(vfs);
    (*d).xRandomness.map_or(0, |f| f(d, n, out))
}

unsafe extern "C" fn x_sleep(vfs: *mut ffi::sqlite3_vfs, microseconds: c_int) -> c_int {
    let d = default_vfs(vfs);
    (*d).xSleep.map_or(0, |f| f(d, microseconds))
}

unsafe extern "C" fn x_current_time(vfs: *mut ffi::sqlite3_vfs, out: *mut f64) -> c_int {
    let d = default_vfs(vfs);
    (*d).xCurrentTime.map_or(ffi::SQLITE_ERROR, |f| f(d, out))
}

unsafe extern "C" fn x_current_time_int64(vfs: *mut ffi::sqlite3_vfs, out: *mut ffi::sqlite3_int64) -> c_int {
    let d = default_vfs(vfs);
    match (*d).xCurrentTimeInt64 {
        Some(f) if (*d).iVersion >= 2 => f(d, out),
        _ => ffi::SQLITE_ERROR,
    }
}

unsafe extern "C" fn x_get_last_error(vfs: *mut ffi::sqlite3_vfs, n: c_int, out: *mut c_char) -> c_int {
    let d = default_vfs(vfs);
    (*d).xGetLastError.map_or(0, |f| f(d, n, out))
}
