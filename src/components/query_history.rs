//! The queries this browser ran, newest first, kept in local storage (the
//! user's own runs only, not links opened), searchable, each a link back.

use serde_json::{json, Value};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::browser;
use crate::route::Route;

const KEY: &str = "explorer-query-history";
/// Kept at most; the oldest go first.
const KEPT: usize = 200;

/// One query run: where, what, when (ms since the epoch).
#[derive(Clone, PartialEq)]
struct Ran {
    db: String,
    sql: String,
    at: f64,
}

fn read() -> Vec<Ran> {
    let Some(storage) = browser::window().local_storage().ok().flatten() else { return Vec::new() };
    let text = storage.get_item(KEY).ok().flatten().unwrap_or_default();
    let Ok(Value::Array(items)) = serde_json::from_str(&text) else { return Vec::new() };
    items
        .iter()
        .filter_map(|i| {
            Some(Ran { db: i["db"].as_str()?.to_string(), sql: i["sql"].as_str()?.to_string(), at: i["at"].as_f64().unwrap_or(0.0) })
        })
        .collect()
}

/// Adds a query to the top (moving it there if it was run before).
pub fn remember(db: &str, sql: &str) {
    if sql.trim().is_empty() {
        return;
    }
    let mut items = read();
    items.retain(|r| !(r.db == db && r.sql == sql));
    items.insert(0, Ran { db: db.to_string(), sql: sql.to_string(), at: js_sys::Date::now() });
    items.truncate(KEPT);
    let list: Vec<Value> = items.iter().map(|r| json!({ "db": r.db, "sql": r.sql, "at": r.at })).collect();
    if let Some(storage) = browser::window().local_storage().ok().flatten() {
        // Storage full or refused: the history just stops growing.
        let _ = storage.set_item(KEY, &Value::Array(list).to_string());
    }
}

#[derive(Properties, PartialEq)]
pub struct QueryHistoryProps {
    /// The query on the page: read again whenever it changes (a run adds
    /// to the history).
    pub current: AttrValue,
}

#[function_component(QueryHistory)]
pub fn query_history(_props: &QueryHistoryProps) -> Html {
    let search = use_state(String::new);
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| search.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let items = read();
    if items.is_empty() {
        return html! {};
    }
    let needle = search.to_lowercase();
    let shown: Html = items
        .iter()
        .filter(|r| needle.is_empty() || r.sql.to_lowercase().contains(&needle) || r.db.to_lowercase().contains(&needle))
        .map(|r| {
            let href = Route::Query { db: r.db.clone(), sql: r.sql.clone(), params: vec![], time_limit_ms: None, chart: None }.to_hash();
            let when: String = js_sys::Date::new(&r.at.into()).to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED).into();
            html! {
                <li>
                    <a href={href}><code>{ r.sql.clone() }</code></a>
                    <span class="muted">{ format!(" {} · {when}", r.db) }</span>
                </li>
            }
        })
        .collect();
    html! {
        <details class="query-history">
            <summary>{ format!("Your recent queries ({})", items.len()) }</summary>
            <input type="search" aria-label="Search your recent queries" placeholder="Search your recent queries" oninput={on_search} value={(*search).clone()} />
            <ol>{ shown }</ol>
        </details>
    }
}
