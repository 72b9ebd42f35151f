//! The requests about datasets kept in this browser (`storage.rs` holds
//! them): keep one, list them, open one, delete one.

use js_sys::Uint8Array;
use protocol::ResponseBody;

use crate::worker::{post, reserve, STATE};

/// Saves database `db` as `as_name` (else its own name). A dataset of that
/// name is replaced only when `replace`: two tabs may keep datasets of one
/// name, and neither overwrites the other unasked.
pub async fn keep(db: String, as_name: Option<String>, replace: bool) -> ResponseBody {
    let name = as_name.unwrap_or_else(|| db.clone());
    if !replace {
        match crate::storage::exists(&name).await {
            Ok(true) => return ResponseBody::KeepNameTaken { free: free_name(&name).await, name },
            Ok(false) => {}
            Err(e) => return ResponseBody::Error(e),
        }
    }
    let saved =
        STATE.with_borrow_mut(|s| s.engine.with_image(&db, |bytes| Uint8Array::from(bytes)).map(|image| (image, s.engine.source_of(&db))));
    match saved {
        Ok((image, source)) => match crate::storage::keep(&name, &source, &image).await {
            Ok(kept) => ResponseBody::Kept(kept),
            Err(e) => ResponseBody::Error(e),
        },
        Err(e) => ResponseBody::Error(e.to_report()),
    }
}

/// `name_2`, `name_3`…: the first that is not kept.
async fn free_name(name: &str) -> String {
    let mut n = 2;
    loop {
        let free = format!("{name}_{n}");
        if !crate::storage::exists(&free).await.unwrap_or(false) {
            return free;
        }
        n += 1;
    }
}

pub async fn list() -> ResponseBody {
    match crate::storage::list().await {
        Ok(list) => ResponseBody::KeptDatasets(list),
        Err(e) => ResponseBody::Error(e),
    }
}

pub async fn delete(name: String) -> ResponseBody {
    match crate::storage::delete(&name).await {
        Ok(()) => ResponseBody::Deleted,
        Err(e) => ResponseBody::Error(e),
    }
}

/// Opens kept dataset `name` (as `as_name`, if given). Its name is reserved
/// now, so names follow request order.
pub fn open(id: u32, name: String, as_name: Option<String>) {
    let reserved = match reserve(as_name, &format!("{name}.db")) {
        Ok(reserved) => reserved,
        Err(e) => return post(id, ResponseBody::Error(e.to_report())),
    };
    wasm_bindgen_futures::spawn_local(async move {
        let body = match crate::storage::load(&name).await {
            Ok(bytes) => {
                let source = format!("{name} (kept in this browser)");
                match STATE.with_borrow_mut(|s| s.engine.open(&reserved, &source, &bytes)) {
                    Ok(schema) => ResponseBody::Opened(schema),
                    Err(e) => ResponseBody::Error(e.to_report()),
                }
            }
            Err(e) => {
                STATE.with_borrow_mut(|s| s.engine.release_name(&reserved));
                ResponseBody::Error(e)
            }
        };
        post(id, body);
    });
}
