//! The dedicated Web Worker. It owns the engine (every SQLite connection)
//! and does all fetching, so nothing slow ever runs on the UI thread.
//!
//! Protocol: each message in either direction is one `Uint8Array` holding a
//! postcard-encoded `protocol::Request` / `protocol::Response`, its buffer
//! transferred rather than copied.

#[cfg(target_arch = "wasm32")]
mod background;
#[cfg(target_arch = "wasm32")]
mod csv_pipeline;
#[cfg(target_arch = "wasm32")]
mod csv_thread;
#[cfg(target_arch = "wasm32")]
mod data_cache;
#[cfg(target_arch = "wasm32")]
mod fetch;
#[cfg(target_arch = "wasm32")]
mod kept;
#[cfg(target_arch = "wasm32")]
mod parquet;
#[cfg(target_arch = "wasm32")]
mod ranges;
#[cfg(target_arch = "wasm32")]
mod storage;
#[cfg(target_arch = "wasm32")]
mod text_decoder;
#[cfg(target_arch = "wasm32")]
mod worker;

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

/// A function `www/worker-loader.js` put on the worker's global scope
/// (`explorerTakePrefetched`, `explorerYamlToJson`, `explorerParquetReader`,
/// `explorerCsvParser`).
#[cfg(target_arch = "wasm32")]
fn loader_function(name: &str) -> Option<js_sys::Function> {
    use wasm_bindgen::JsCast;
    js_sys::Reflect::get(&js_sys::global(), &name.into()).ok()?.dyn_into().ok()
}

// The worker only means something in a browser; natively this binary exists
// so that `cargo test --workspace` builds the whole tree.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker runs in a browser; build it with --target wasm32-unknown-unknown");
}
