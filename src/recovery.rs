//! After the worker was replaced (it crashed, or the watchdog stopped it):
//! every database that was open is opened again in the new worker, under
//! the same name, from the saved copy of its last change if there is one,
//! else from where it first came (a URL, a local file, a kept dataset).
//! And the view that stopped the worker is not run again by itself when
//! the page is reloaded.

use protocol::RequestBody;
use yew::UseReducerDispatcher;

use crate::browser;
use crate::loading::start;
use crate::state::{AppState, LoadStatus, Reopen};
use crate::worker_client::WorkerClient;

/// The session-storage key for the view open when the worker last stopped.
const STOPPED_VIEW_KEY: &str = "explorer-stopped-view";

pub fn reopen_all(client: &WorkerClient, dispatch: &UseReducerDispatcher<AppState>, state: &AppState) {
    // The loads of the worker that was lost (reopenings count as loads).
    let lost_epoch = state.restarts.saturating_sub(1);
    let loaded_into = |db: &str| -> Vec<Reopen> {
        state
            .sources
            .iter()
            .filter(|s| s.epoch == lost_epoch && matches!(&s.status, LoadStatus::Loaded { name, .. } if name == db))
            .map(|s| s.reopen.clone())
            .collect()
    };
    for db in &state.databases {
        let name = db.name.clone();
        let label = format!("{name} (reopening)");
        let imported = state.imported_db.as_deref() == Some(name.as_str());
        if state.saved.contains(&name) {
            start(client, dispatch, label, RequestBody::Restore { name, imported }, None, Reopen::SavedCopy);
            continue;
        }
        let origins = loaded_into(&name);
        if imported {
            // Imported into and never changed by SQL: the same imports, in
            // the same order, make the same tables.
            for origin in origins {
                match origin {
                    Reopen::Import { url, format, options } => {
                        let body = RequestBody::Import { url: browser::absolute_url(&url), format, options: options.clone() };
                        start(client, dispatch, format!("{url} (reopening)"), body, None, Reopen::Import { url, format, options });
                    }
                    Reopen::File(file, options) => {
                        let body = RequestBody::OpenFile { file_name: file.name(), options: options.clone(), name: None };
                        start(
                            client,
                            dispatch,
                            format!("{} (reopening)", file.name()),
                            body,
                            Some(file.clone()),
                            Reopen::File(file, options),
                        );
                    }
                    _ => {}
                }
            }
            continue;
        }
        match origins.last().cloned() {
            Some(Reopen::Url(url)) => {
                let body =
                    RequestBody::OpenUrl { url: browser::absolute_url(&url), name: Some(name), lazy: crate::loading::lazy_from_page() };
                start(client, dispatch, label, body, None, Reopen::Url(url));
            }
            Some(Reopen::File(file, options)) => {
                let body = RequestBody::OpenFile { file_name: file.name(), options: options.clone(), name: Some(name) };
                start(client, dispatch, label, body, Some(file.clone()), Reopen::File(file, options));
            }
            Some(Reopen::Kept(kept)) => {
                let body = RequestBody::OpenKept { name: kept.clone(), as_name: Some(name) };
                start(client, dispatch, label, body, None, Reopen::Kept(kept));
            }
            // Never written to (a write saves a copy): empty again.
            Some(Reopen::Memory(_)) => {
                start(client, dispatch, label, RequestBody::OpenMemory { name: name.clone() }, None, Reopen::Memory(name));
            }
            // Nothing to reopen it from but a saved copy, if one was stored.
            Some(Reopen::SavedCopy | Reopen::Import { .. }) | None => {
                start(client, dispatch, label, RequestBody::Restore { name, imported }, None, Reopen::SavedCopy);
            }
        }
    }
}

/// Remembers the view that was open when the worker stopped.
pub fn remember_stopped_view() {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(STOPPED_VIEW_KEY, &browser::location_hash());
    }
}

/// True when this page opens on the view that stopped the worker last time.
pub fn opens_on_stopped_view() -> bool {
    session_storage()
        .and_then(|s| s.get_item(STOPPED_VIEW_KEY).ok().flatten())
        .is_some_and(|h| !h.is_empty() && h == browser::location_hash())
}

pub fn forget_stopped_view() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(STOPPED_VIEW_KEY);
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    browser::window().session_storage().ok().flatten()
}
