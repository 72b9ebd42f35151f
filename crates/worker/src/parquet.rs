//! Parquet files: read whole (the footer that says where everything is
//! comes last), handed to the Parquet module (`crates/parquet-json`,
//! loaded by the worker loader on first use as `explorerParquetRows`), and
//! imported a row group at a time as JSON rows.

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The module's reader over `bytes`; an error in words (not Parquet, cut
/// short, the module could not load).
pub async fn open(bytes: &[u8]) -> Result<JsValue, String> {
    let open =
        crate::loader_function("explorerParquetRows").ok_or_else(|| "the Parquet reader is not available in this worker".to_string())?;
    let promise = open.call1(&JsValue::NULL, &Uint8Array::from(bytes)).map_err(words)?;
    JsFuture::from(Promise::from(promise)).await.map_err(words)
}

/// The next row group as newline-delimited JSON, `None` after the last.
pub fn next_chunk(rows: &JsValue) -> Result<Option<Vec<u8>>, String> {
    let next = Reflect::get(rows, &JsValue::from_str("next_chunk")).map_err(words)?;
    let next: Function = next.dyn_into().map_err(|_| "the Parquet reader has no next_chunk".to_string())?;
    let chunk = next.call0(rows).map_err(words)?;
    if chunk.is_undefined() || chunk.is_null() {
        return Ok(None);
    }
    Ok(Some(Uint8Array::new(&chunk).to_vec()))
}

/// Frees the module's copy of the file.
pub fn close(rows: &JsValue) {
    if let Ok(free) = Reflect::get(rows, &JsValue::from_str("free")) {
        if let Some(free) = free.dyn_ref::<Function>() {
            let _ = free.call0(rows);
        }
    }
}

/// A thrown value in words: the module throws its errors as strings.
fn words(error: JsValue) -> String {
    error
        .as_string()
        .or_else(|| error.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .unwrap_or_else(|| "the Parquet reader failed to load (offline before it was ever fetched?)".into())
}
