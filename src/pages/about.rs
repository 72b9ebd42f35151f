//! What metadata says about the site, a database or a table.

use protocol::About;
use yew::prelude::*;

use crate::components::cell::is_web_link;

#[derive(Properties, PartialEq)]
pub struct AboutProps {
    pub about: About,
    /// Column descriptions, for a table.
    #[prop_or_default]
    pub columns: Vec<(String, String)>,
}

fn linked(text: &Option<String>, url: &Option<String>) -> Option<Html> {
    let text = text.clone().or_else(|| url.clone())?;
    Some(match url {
        Some(u) if is_web_link(u) => html! { <a href={u.clone()} rel="nofollow noopener noreferrer" target="_blank">{ text }</a> },
        _ => html! { text },
    })
}

#[function_component(AboutView)]
pub fn about_view(props: &AboutProps) -> Html {
    let a = &props.about;
    let license = linked(&a.license, &a.license_url);
    let source = linked(&a.source, &a.source_url);
    html! {
        <div class="about">
            if let Some(d) = &a.description { <p class="description">{ d }</p> }
            if license.is_some() || source.is_some() {
                <p class="muted">
                    if let Some(l) = license { { "License: " }{ l } }
                    if let Some(s) = source { { " · Source: " }{ s } }
                </p>
            }
            if !props.columns.is_empty() {
                <dl class="column-descriptions">
                    { for props.columns.iter().map(|(c, d)| html! { <><dt>{ c }</dt><dd>{ d }</dd></> }) }
                </dl>
            }
        </div>
    }
}
