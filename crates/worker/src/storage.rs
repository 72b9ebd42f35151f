//! Databases kept in the browser (the origin private file system), so that
//! local files and changed databases survive a reload, offline too. Each is
//! `datasets/NAME.db` with `datasets/NAME.json` beside it for its listing.
//! Nothing is kept unless the user asks (`Keep`).

use js_sys::{Reflect, Uint8Array};
use protocol::{ErrorKind, ErrorReport, KeptDataset};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetDirectoryOptions, FileSystemGetFileOptions, FileSystemWritableFileStream,
    WorkerGlobalScope,
};

fn failure(context: &str, error: JsValue) -> ErrorReport {
    let name = Reflect::get(&error, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
    let message = Reflect::get(&error, &"message".into()).ok().and_then(|n| n.as_string()).unwrap_or_else(|| format!("{error:?}"));
    if name == "QuotaExceededError" {
        return ErrorReport::new(ErrorKind::Other, format!("{context}: the browser has no room left for this site's data. Delete a kept dataset, or allow more storage, and try again."));
    }
    ErrorReport::new(ErrorKind::Other, format!("{context}: {message}"))
}

async fn folder() -> Result<FileSystemDirectoryHandle, ErrorReport> {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let storage = scope.navigator().storage();
    let root: FileSystemDirectoryHandle = JsFuture::from(storage.get_directory())
        .await
        .map_err(|e| failure("This browser does not offer storage for datasets", e))?
        .unchecked_into();
    let options = FileSystemGetDirectoryOptions::new();
    options.set_create(true);
    Ok(JsFuture::from(root.get_directory_handle_with_options("datasets", &options))
        .await
        .map_err(|e| failure("Opening the datasets folder failed", e))?
        .unchecked_into())
}

async fn write(dir: &FileSystemDirectoryHandle, file: &str, data: &Uint8Array) -> Result<(), JsValue> {
    let options = FileSystemGetFileOptions::new();
    options.set_create(true);
    let handle: FileSystemFileHandle = JsFuture::from(dir.get_file_handle_with_options(file, &options)).await?.unchecked_into();
    let stream: FileSystemWritableFileStream = JsFuture::from(handle.create_writable()).await?.unchecked_into();
    JsFuture::from(stream.write_with_buffer_source(data)?).await?;
    JsFuture::from(stream.close()).await?;
    Ok(())
}

async fn read(dir: &FileSystemDirectoryHandle, file: &str) -> Result<Vec<u8>, JsValue> {
    let handle: FileSystemFileHandle = JsFuture::from(dir.get_file_handle(file)).await?.unchecked_into();
    let file: web_sys::File = JsFuture::from(handle.get_file()).await?.unchecked_into();
    let buffer = JsFuture::from(file.array_buffer()).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

pub async fn keep(name: &str, source: &str, image: &Uint8Array) -> Result<KeptDataset, ErrorReport> {
    let dir = folder().await?;
    let kept =
        KeptDataset { name: name.into(), source: source.into(), size_bytes: u64::from(image.length()), saved_at: js_sys::Date::now() };
    write(&dir, &format!("{name}.db"), image).await.map_err(|e| failure(&format!("Keeping {name}"), e))?;
    let listing = serde_json::to_vec(&kept).map_err(|e| failure(&format!("Keeping {name}"), JsValue::from_str(&e.to_string())))?;
    let listing = Uint8Array::from(listing.as_slice());
    write(&dir, &format!("{name}.json"), &listing).await.map_err(|e| failure(&format!("Keeping {name}"), e))?;
    Ok(kept)
}

/// Whether a dataset named `name` is kept.
pub async fn exists(name: &str) -> Result<bool, ErrorReport> {
    let dir = folder().await?;
    Ok(JsFuture::from(dir.get_file_handle(&format!("{name}.json"))).await.is_ok())
}

pub async fn list() -> Result<Vec<KeptDataset>, ErrorReport> {
    let dir = folder().await?;
    // Directory handles are async iterables of [name, handle] pairs.
    let entries = Reflect::get(&dir, &"keys".into())
        .and_then(|f| f.unchecked_into::<js_sys::Function>().call0(&dir))
        .map_err(|e| failure("Listing kept datasets", e))?;
    let mut names = Vec::new();
    let next = Reflect::get(&entries, &"next".into()).map_err(|e| failure("Listing kept datasets", e))?;
    let next: js_sys::Function = next.unchecked_into();
    loop {
        let step = JsFuture::from(js_sys::Promise::from(next.call0(&entries).map_err(|e| failure("Listing kept datasets", e))?))
            .await
            .map_err(|e| failure("Listing kept datasets", e))?;
        if Reflect::get(&step, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
            break;
        }
        if let Some(name) = Reflect::get(&step, &"value".into()).ok().and_then(|v| v.as_string()) {
            names.push(name);
        }
    }
    let mut kept = Vec::new();
    for file in names.iter().filter(|n| n.ends_with(".json")) {
        let Ok(bytes) = read(&dir, file).await else { continue };
        // A listing that does not parse (written by hand, cut short) is skipped.
        if let Ok(listing) = serde_json::from_slice::<KeptDataset>(&bytes) {
            kept.push(listing);
        }
    }
    kept.sort_by_key(|k| k.name.to_lowercase());
    Ok(kept)
}

pub async fn load(name: &str) -> Result<Vec<u8>, ErrorReport> {
    let dir = folder().await?;
    read(&dir, &format!("{name}.db")).await.map_err(|e| failure(&format!("Opening the kept {name}"), e))
}

pub async fn delete(name: &str) -> Result<(), ErrorReport> {
    let dir = folder().await?;
    for file in [format!("{name}.db"), format!("{name}.json")] {
        JsFuture::from(dir.remove_entry(&file)).await.map_err(|e| failure(&format!("Deleting {name}"), e))?;
    }
    Ok(())
}
