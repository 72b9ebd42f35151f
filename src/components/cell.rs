//! One value, shown for what it is: NULL apart from text, long text
//! folded, JSON laid out, BLOBs by size with a download, web links as
//! links, and foreign keys as the label of the row they point at.

use protocol::Cell;
use yew::prelude::*;

use crate::browser;
use crate::route::Route;

/// Text longer than this is folded behind "more".
const FOLD_AT: usize = 200;

/// Where a foreign-key value points: a link the engine made.
#[derive(Clone, PartialEq)]
pub struct Reference {
    pub db: String,
    pub table: String,
    pub link: protocol::LinkedValue,
}

impl Reference {
    /// The reference for `value` among a column's links, if it has one.
    pub fn find(db: &str, links: Option<&protocol::ColumnLinks>, value: &Cell) -> Option<Reference> {
        let links = links?;
        let link = links.values.iter().find(|l| l.value == *value)?;
        Some(Reference { db: db.to_string(), table: links.other_table.clone(), link: link.clone() })
    }
}

#[derive(Properties, PartialEq)]
pub struct CellProps {
    pub value: Cell,
    #[prop_or_default]
    pub reference: Option<Reference>,
    /// Show long text in full (row pages).
    #[prop_or_default]
    pub full: bool,
    /// A name for a downloaded BLOB.
    #[prop_or_default]
    pub name: String,
}

#[function_component(CellView)]
pub fn cell_view(props: &CellProps) -> Html {
    let expanded = use_state(|| false);
    let value = &props.value;
    if let (Some(r), false) = (&props.reference, value.is_null()) {
        let href = Route::link(&r.db, &r.table, &r.link.target).to_hash();
        return match &r.link.label {
            Some(label) => html! { <><a href={href}>{ label }</a>{ " " }<span class="muted key">{ value.display() }</span></> },
            None => html! { <a href={href}>{ value.display() }</a> },
        };
    }
    match value {
        Cell::Null => html! { <span class="null">{ "NULL" }</span> },
        Cell::Integer(_) | Cell::Real(_) => html! { value.display() },
        Cell::Blob(bytes) => {
            let on_click = {
                let bytes = bytes.clone();
                let name = format!("{}.bin", if props.name.is_empty() { "value" } else { &props.name });
                Callback::from(move |_| {
                    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
                    browser::download(&parts, &name, "application/octet-stream");
                })
            };
            html! { <span class="blob">{ value.display() }{ " " }<button class="link" onclick={on_click}>{ "download" }</button></span> }
        }
        Cell::Text(text) => {
            if is_web_link(text) {
                return html! { <a href={text.clone()} rel="nofollow noopener noreferrer" target="_blank">{ text }</a> };
            }
            let whole = props.full || *expanded || text.len() <= FOLD_AT || text.chars().count() <= FOLD_AT;
            // JSON is laid out only when shown whole: a long document is
            // folded like any long text (1,000 rows of 10 KB JSON once
            // froze the page for 70 s).
            if whole {
                if let Some(pretty) = pretty_json(text) {
                    return html! { <pre class="json">{ pretty }</pre> };
                }
                return html! { text };
            }
            let toggle = {
                let expanded = expanded.clone();
                Callback::from(move |_| expanded.set(true))
            };
            let head: String = text.chars().take(FOLD_AT).collect();
            html! { <>{ head }{ "… " }<button class="link more" onclick={toggle}>{ "more" }</button></> }
        }
    }
}

/// Only http(s) URLs become links: `javascript:` and friends stay text.
pub fn is_web_link(text: &str) -> bool {
    let t = text.trim();
    // A prefix test, not a URL parser: the UI stays free of IDNA tables,
    // and the browser parses the href anyway.
    let rest = t.strip_prefix("https://").or_else(|| t.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/')) && !t.contains(char::is_whitespace)
}

/// JSON objects and arrays, indented; anything else is not JSON here.
pub fn pretty_json(text: &str) -> Option<String> {
    let t = text.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    match value {
        serde_json::Value::Object(ref o) if !o.is_empty() => serde_json::to_string_pretty(&value).ok(),
        serde_json::Value::Array(ref a) if !a.is_empty() => serde_json::to_string_pretty(&value).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_are_links() {
        for (text, link) in [
            ("https://example.com/a?b=c", true),
            ("http://x.org", true),
            ("javascript:alert(1)", false),
            ("JAVASCRIPT:alert(1)", false),
            ("data:text/html,<script>", false),
            ("https://a b", false),
            ("ftp://x.org", false),
            ("see https://x.org", false),
        ] {
            assert_eq!(is_web_link(text), link, "{text}");
        }
    }

    #[test]
    fn json_is_laid_out() {
        assert_eq!(pretty_json("{\"a\":[1,2]}").unwrap(), "{\n  \"a\": [\n    1,\n    2\n  ]\n}");
        assert_eq!(pretty_json("[]"), None);
        assert_eq!(pretty_json("[not json"), None);
        assert_eq!(pretty_json("42"), None);
    }
}
