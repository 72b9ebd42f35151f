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
    url::form_urlencoded::parse(search.as_bytes())
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.trim().is_empty())
        .collect()
}

/// Adds `key=value` to the page's query string without reloading, so a
/// reload or a copied link brings the same data back.
pub fn add_query_param(key: &str, value: &str) {
    let location = window().location();
    let search = location.search().unwrap_or_default();
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(search.trim_start_matches('?').as_bytes())
        .into_owned()
        .collect();
    pairs.push((key.into(), value.into()));
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    let path = location.pathname().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}?{query}{hash}")));
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
    let from_page = js_sys::Reflect::get(&js_sys::global(), &"EXPLORER_WORKER_URL".into())
        .ok()
        .and_then(|v| v.as_string());
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
