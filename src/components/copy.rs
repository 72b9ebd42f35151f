//! A button that copies text to the clipboard and says whether it did.

use yew::prelude::*;

use crate::browser;

#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// What the button says before it is used.
    pub label: AttrValue,
    /// Made when clicked (a page of rows as TSV is not made until wanted).
    pub text: Callback<(), String>,
    #[prop_or_default]
    pub class: Classes,
}

#[function_component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let outcome = use_state(|| None::<bool>);
    let onclick = {
        let (outcome, text) = (outcome.clone(), props.text.clone());
        Callback::from(move |_| {
            let outcome = outcome.clone();
            browser::copy_text(&text.emit(()), Callback::from(move |copied| outcome.set(Some(copied))));
        })
    };
    let label = match *outcome {
        None => props.label.to_string(),
        Some(true) => "Copied".to_string(),
        Some(false) => "Could not copy (the browser refused)".to_string(),
    };
    html! {
        <button type="button" class={classes!("link", "copy", props.class.clone())} {onclick} aria-live="polite">{ label }</button>
    }
}
