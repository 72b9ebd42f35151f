//! Parquet files, read in pieces: the footer (it comes last and says
//! where everything is), then one row group at a time, each turned into
//! JSON rows by the Parquet module (`crates/parquet-json`, loaded by the
//! worker loader on first use as `explorerParquetReader`) and imported.
//! The file is never held whole in wasm memory: a local file is sliced
//! where it lies, a download goes into a `Blob` as it arrives (the browser
//! keeps big blobs on disk), so a file bigger than the tab's memory loads.

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

#[wasm_bindgen]
extern "C" {
    /// The loaded module, guarded by the loader: its errors are strings,
    /// and a trap becomes one too (the instance is then not used again).
    pub type ParquetReader;
    #[wasm_bindgen(method, catch, js_name = footerLength)]
    fn footer_length(this: &ParquetReader, head: &[u8], tail: &[u8], len: f64) -> Result<f64, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn open(this: &ParquetReader, len: f64, footer: &[u8]) -> Result<ParquetFile, JsValue>;

    /// One file's row groups (`ParquetRows` of the module).
    pub type ParquetFile;
    #[wasm_bindgen(method)]
    pub fn groups(this: &ParquetFile) -> u32;
    #[wasm_bindgen(method, js_name = groupStart)]
    fn group_start(this: &ParquetFile, index: u32) -> f64;
    #[wasm_bindgen(method, js_name = groupEnd)]
    fn group_end(this: &ParquetFile, index: u32) -> f64;
    #[wasm_bindgen(method, catch, js_name = startGroup)]
    fn start_group(this: &ParquetFile, index: u32, bytes: &[u8]) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = nextChunk)]
    fn next_chunk_js(this: &ParquetFile) -> Result<JsValue, JsValue>;
    /// Frees the module's reader (harmless after a trap).
    #[wasm_bindgen(method)]
    pub fn free(this: &ParquetFile);
}

/// Where a file's pieces are read from.
pub struct Pieces {
    blob: Blob,
    len: f64,
}

impl Pieces {
    /// A local file, read where it lies.
    pub fn file(file: &web_sys::File) -> Pieces {
        Pieces { len: file.size(), blob: file.clone().into() }
    }

    /// A download, gathered into a `Blob` as it arrives (`BlobBuilder`).
    pub fn blob(blob: Blob) -> Pieces {
        Pieces { len: blob.size(), blob }
    }

    pub fn len(&self) -> f64 {
        self.len
    }

    /// Bytes `start..end` of the file.
    pub async fn read(&self, start: f64, end: f64) -> Result<Vec<u8>, String> {
        let failed = |e: JsValue| format!("reading the file stopped part way: {}", words(e));
        let slice = self.blob.slice_with_f64_and_f64(start, end).map_err(failed)?;
        let buffer = JsFuture::from(slice.array_buffer()).await.map_err(failed)?;
        Ok(Uint8Array::new(&buffer).to_vec())
    }
}

/// A download's chunks gathered into one `Blob`, folded every 16 MB so
/// the worker holds little of it: the browser moves a blob's bytes out of
/// the worker (to disk when they are many).
pub struct BlobBuilder {
    parts: Array,
    pending: u32,
}

const FOLD_BYTES: u32 = 16 << 20;

impl BlobBuilder {
    pub fn new() -> BlobBuilder {
        BlobBuilder { parts: Array::new(), pending: 0 }
    }

    pub fn push(&mut self, chunk: Uint8Array) -> Result<(), String> {
        self.pending = self.pending.saturating_add(chunk.length());
        self.parts.push(&chunk);
        if self.pending >= FOLD_BYTES {
            let folded = self.fold()?;
            self.parts = Array::of1(&folded);
            self.pending = 0;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Blob, String> {
        self.fold()
    }

    fn fold(&self) -> Result<Blob, String> {
        Blob::new_with_u8_array_sequence(&self.parts).map_err(|e| format!("the browser could not hold the file: {}", words(e)))
    }
}

/// The module's reader, loaded on first use; an error in words (it could
/// not load).
pub async fn reader() -> Result<ParquetReader, String> {
    let load =
        crate::loader_function("explorerParquetReader").ok_or_else(|| "the Parquet reader is not available in this worker".to_string())?;
    let promise = load.call0(&JsValue::NULL).map_err(words)?;
    Ok(JsFuture::from(Promise::from(promise)).await.map_err(words)?.unchecked_into())
}

/// Opens the file: checks its first bytes (`head`, as read to tell its
/// format), then reads and parses its footer.
pub async fn open(reader: &ParquetReader, head: &[u8], pieces: &Pieces) -> Result<ParquetFile, String> {
    let len = pieces.len();
    let tail = pieces.read((len - 8.0).max(0.0), len).await?;
    let footer = reader.footer_length(head, &tail, len).map_err(words)?;
    let footer = pieces.read(len - footer, len).await?;
    reader.open(len, &footer).map_err(words)
}

impl ParquetFile {
    /// Row group `index`'s byte range in the file.
    pub fn group_range(&self, index: u32) -> (f64, f64) {
        (self.group_start(index), self.group_end(index))
    }

    pub fn begin_group(&self, index: u32, bytes: &[u8]) -> Result<(), String> {
        self.start_group(index, bytes).map_err(words)
    }

    /// The started row group's next JSON rows, `None` after its last.
    pub fn next_chunk(&self) -> Result<Option<Vec<u8>>, String> {
        let chunk = self.next_chunk_js().map_err(words)?;
        if chunk.is_undefined() || chunk.is_null() {
            return Ok(None);
        }
        Ok(Some(Uint8Array::new(&chunk).to_vec()))
    }
}

/// Lets the worker handle the messages that came while a row group was
/// being imported (a row group can take seconds; its chunks are the turns).
pub async fn next_turn() {
    let promise = Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        if let Ok(set_timeout) = js_sys::Reflect::get(&global, &"setTimeout".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = set_timeout.call2(&global, &resolve, &JsValue::from(0));
        } else {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// A thrown value in words: the module throws its errors as strings.
fn words(error: JsValue) -> String {
    error
        .as_string()
        .or_else(|| error.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .unwrap_or_else(|| "the Parquet reader failed to load (offline before it was ever fetched?)".into())
}
