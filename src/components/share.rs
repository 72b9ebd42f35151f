//! "Share / embed": the link to the current view, and an <iframe> snippet
//! that shows it in embed mode on another site.

use yew::prelude::*;

use crate::browser;
use crate::components::copy::CopyButton;

/// The page URL with `_embed=1` added to its query string.
pub fn embed_url(href: &str) -> String {
    let (before_hash, hash) = match href.split_once('#') {
        Some((b, h)) => (b.to_string(), format!("#{h}")),
        None => (href.to_string(), String::new()),
    };
    let separator = if before_hash.contains('?') { '&' } else { '?' };
    format!("{before_hash}{separator}_embed=1{hash}")
}

/// The same URL without `_embed=1`: the full explorer.
pub fn full_url(href: &str) -> String {
    let (before_hash, hash) = match href.split_once('#') {
        Some((b, h)) => (b.to_string(), format!("#{h}")),
        None => (href.to_string(), String::new()),
    };
    let (path, query) = before_hash.split_once('?').unwrap_or((&before_hash, ""));
    let kept: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("_embed=")).collect();
    if kept.is_empty() {
        format!("{path}{hash}")
    } else {
        format!("{path}?{}{hash}", kept.join("&"))
    }
}

pub fn iframe_snippet(src: &str) -> String {
    let src = src.replace('&', "&amp;").replace('"', "&quot;");
    format!(r#"<iframe src="{src}" style="width: 100%; border: 0" height="400" loading="lazy" title="Data explorer"></iframe>"#)
}

#[function_component(Share)]
pub fn share() -> Html {
    let open = use_state(|| false);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let href = browser::window().location().href().unwrap_or_default();
    html! {
        <div class="share">
            <button class="link share-toggle" onclick={toggle}>{ "Share / embed" }</button>
            if *open {
                <div class="share-panel">
                    <label>{ "Link to this view" }<input type="text" readonly=true class="share-link" value={full_url(&href)} /></label>
                    <CopyButton label="Copy the link" class="copy-link" text={Callback::from(move |()| full_url(&browser::window().location().href().unwrap_or_default()))} />
                    <label>{ "Embed it in a web page" }<textarea readonly=true class="share-iframe" rows="3" value={iframe_snippet(&embed_url(&href))} /></label>
                    <CopyButton label="Copy the embed code" class="copy-embed" text={Callback::from(move |()| iframe_snippet(&embed_url(&browser::window().location().href().unwrap_or_default())))} />
                    <p class="muted">{ "The embedded view reports its height to the page (a postMessage of {type: \"explorer:height\", height}), so the page can size the iframe." }</p>
                </div>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_links_add_and_drop_the_flag() {
        let page = "https://x.io/app/?url=a.db#/a/t?_sort=b";
        assert_eq!(embed_url(page), "https://x.io/app/?url=a.db&_embed=1#/a/t?_sort=b");
        assert_eq!(embed_url("https://x.io/#/demo"), "https://x.io/?_embed=1#/demo");
        assert_eq!(full_url(&embed_url(page)), page);
        assert_eq!(full_url("https://x.io/?_embed=1#/demo"), "https://x.io/#/demo");
        assert_eq!(
            iframe_snippet("https://x.io/?a=1&_embed=1"),
            r#"<iframe src="https://x.io/?a=1&amp;_embed=1" style="width: 100%; border: 0" height="400" loading="lazy" title="Data explorer"></iframe>"#
        );
    }
}
