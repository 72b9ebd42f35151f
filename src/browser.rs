//! Thin wrappers over the bits of `window` the app uses.

use crate::route::Route;

pub fn window() -> web_sys::Window {
    web_sys::window().expect("runs in a window")
}

pub fn location_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// Goes to `route`, adding a history entry (back/forward work through the
/// `hashchange` listener in `App`).
pub fn navigate(route: &Route) {
    let _ = window().location().set_hash(&route.to_hash());
}

/// Goes to `route` without a history entry (for redirects).
pub fn replace_route(route: &Route) {
    let location = window().location();
    let base = location.href().unwrap_or_default();
    let base = base.split('#').next().unwrap_or_default().to_string();
    let _ = location.replace(&format!("{base}{}", route.to_hash()));
}

/// All values of `key` in the page's query string (`?url=a&url=b`).
pub fn query_params(key: &str) -> Vec<String> {
    let search = window().location().search().unwrap_or_default();
    let search = search.strip_prefix('?').unwrap_or(&search);
    form_urlencoded::parse(search.as_bytes())
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.trim().is_empty())
        .collect()
}

/// Adds `key=value` to the page's query string without reloading, so a
/// reload or a copied link brings the same data back.
pub fn add_query_param(key: &str, value: &str) {
    edit_query(|pairs| pairs.push((key.into(), value.into())));
}

/// Takes a source out of the page URL (`?url=`, `?csv=`, `?sql=`, `?json=`
/// or `?load=` equal to `value`), so a cancelled load does not start again
/// on reload.
pub fn remove_load_param(value: &str) {
    edit_query(|pairs| pairs.retain(|(k, v)| !(matches!(k.as_str(), "url" | "csv" | "sql" | "json" | "load") && v == value)));
}

/// Rewrites the page URL's query (without a new history entry).
fn edit_query(edit: impl FnOnce(&mut Vec<(String, String)>)) {
    let location = window().location();
    let search = location.search().unwrap_or_default();
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(search.trim_start_matches('?').as_bytes()).into_owned().collect();
    edit(&mut pairs);
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    let path = location.pathname().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    let query = if query.is_empty() { String::new() } else { format!("?{query}") };
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{query}{hash}")));
    }
}

/// `relative` resolved against the document, as the worker needs absolute URLs.
pub fn absolute_url(relative: &str) -> String {
    let base = window().document().and_then(|d| d.base_uri().ok().flatten()).unwrap_or_default();
    web_sys::Url::new_with_base(relative, &base).map(|u| u.href()).unwrap_or_else(|_| relative.to_string())
}

/// The worker script's URL, set by the page that loads the app (the build
/// gives it a content-hashed name).
pub fn worker_script_url() -> String {
    let from_page = js_sys::Reflect::get(&js_sys::global(), &"EXPLORER_WORKER_URL".into()).ok().and_then(|v| v.as_string());
    from_page.unwrap_or_else(|| absolute_url("worker-loader.js"))
}

/// Saves `parts` (Uint8Arrays) as a file: a Blob, an object URL, and a
/// click on a temporary link. The parts are never joined into one string.
pub fn download(parts: &js_sys::Array, file_name: &str, mime: &str) {
    use wasm_bindgen::JsCast;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let document = window().document().expect("a document");
    if let Ok(link) = document.create_element("a") {
        let link: web_sys::HtmlElement = link.unchecked_into();
        let _ = link.set_attribute("href", &url);
        let _ = link.set_attribute("download", file_name);
        link.click();
    }
    // The click has started the download; the URL can go once it is read.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
}

/// `?_embed=1`: the page is shown inside another site's iframe.
pub fn embedded() -> bool {
    query_params("_embed").iter().any(|v| v != "0")
}

/// When framed, posts `{type: "explorer:height", height}` to the parent
/// whenever the content's height changes, so it can size the iframe.
pub fn report_height_to_parent() {
    use wasm_bindgen::JsCast;
    let window = window();
    let Ok(Some(parent)) = window.parent() else { return };
    if parent == window {
        return;
    }
    let Some(body) = window.document().and_then(|d| d.body()) else { return };
    let last = std::rc::Rc::new(std::cell::Cell::new(-1i32));
    let on_resize = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        let Some(root) = document.document_element() else { return };
        let height = root.scroll_height();
        if height == last.get() {
            return;
        }
        last.set(height);
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &"explorer:height".into());
        let _ = js_sys::Reflect::set(&message, &"height".into(), &height.into());
        let _ = parent.post_message(&message, "*");
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    // Lives as long as the page.
    on_resize.forget();
}

/// Registers `service-worker.js` (beside the page, so its scope is the
/// app's folder, whatever sub-path it is served under) and calls
/// `on_update` when a new version has installed and is waiting.
pub fn register_service_worker(on_update: yew::Callback<()>) {
    use wasm_bindgen::JsCast;
    let navigator = window().navigator();
    if js_sys::Reflect::get(&navigator, &"serviceWorker".into()).map_or(true, |v| v.is_undefined()) {
        return;
    }
    let container = navigator.service_worker();
    let promise = container.register("service-worker.js");
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(promise).await else { return };
        let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
        let controlled = move || window().navigator().service_worker().controller().is_some();
        if registration.waiting().is_some() && controlled() {
            on_update.emit(());
        }
        let watched = registration.clone();
        let on_found = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            let Some(installing) = watched.installing() else { return };
            let on_update = on_update.clone();
            let worker = installing.clone();
            let on_state = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                if worker.state() == web_sys::ServiceWorkerState::Installed && controlled() {
                    on_update.emit(());
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
        on_found.forget();
        // Look for a new version whenever the tab comes back into view.
        let checked = registration.clone();
        let on_visible = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            if window().document().is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible) {
                let _ = checked.update();
            }
        });
        if let Some(document) = window().document() {
            let _ = document.add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref());
        }
        on_visible.forget();
    });
}

/// Lets the waiting service worker take over, then reloads into the new
/// version (once it controls the page, so old and new never mix).
pub fn activate_update() {
    use wasm_bindgen::JsCast;
    let container = window().navigator().service_worker();
    let on_change = wasm_bindgen::closure::Closure::once_into_js(|| {
        let _ = window().location().reload();
    });
    container.set_oncontrollerchange(Some(on_change.unchecked_ref()));
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(container.get_registration()).await else { return };
        let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
        match registration.waiting() {
            Some(waiting) => {
                let message = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&message, &"type".into(), &"skip-waiting".into());
                let _ = waiting.post_message(&message);
            }
            None => {
                let _ = window().location().reload();
            }
        }
    });
}

/// Runs `f` after the window's `load` event and a short idle pause.
pub fn after_load(f: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let run = wasm_bindgen::closure::Closure::once_into_js(f);
    let w = window();
    let complete = w.document().is_some_and(|d| d.ready_state() == "complete");
    let later = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), 1500);
    });
    if complete {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 0);
    } else {
        let _ = w.add_event_listener_with_callback("load", later.unchecked_ref());
    }
}

/// The colour scheme the user chose here ("dark" or "light"), kept in
/// local storage; `None` follows the system's (`prefers-color-scheme`).
pub fn chosen_theme() -> Option<String> {
    let storage = window().local_storage().ok().flatten()?;
    storage.get_item(THEME_KEY).ok().flatten().filter(|t| t == "dark" || t == "light")
}

const THEME_KEY: &str = "explorer-theme";

/// Applies `theme` to the page (`<html data-theme>`, which the style sheet
/// reads) and remembers it.
pub fn set_theme(theme: &str) {
    if let Some(root) = window().document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme);
    }
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(THEME_KEY, theme);
    }
}

/// True when the page shows dark colours now (chosen, or the system's).
pub fn is_dark() -> bool {
    match chosen_theme().as_deref() {
        Some(theme) => theme == "dark",
        None => window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches()),
    }
}

/// Moves keyboard focus to the first table of rows (the skip link).
pub fn focus_rows() {
    use wasm_bindgen::JsCast;
    let target = window().document().and_then(|d| d.query_selector(".table-wrapper").ok().flatten());
    if let Some(element) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// Puts `text` on the clipboard; the callback hears whether it worked (a
/// page not in focus, or a browser that refuses, may not allow it).
pub fn copy_text(text: &str, done: yew::Callback<bool>) {
    use wasm_bindgen::JsCast;
    let navigator = window().navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).ok().filter(|c| !c.is_undefined());
    let write = clipboard
        .as_ref()
        .and_then(|c| js_sys::Reflect::get(c, &"writeText".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let (Some(clipboard), Some(write)) = (clipboard, write) else { return done.emit(false) };
    let Ok(promise) = write.call1(&clipboard, &text.into()).and_then(|p| p.dyn_into::<js_sys::Promise>()) else { return done.emit(false) };
    wasm_bindgen_futures::spawn_local(async move {
        done.emit(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}
