//! What can be done with a whole database: download its file, or keep it
//! in this browser (asking before a kept dataset of the same name is
//! replaced).

use yew::prelude::*;

use crate::browser;
use crate::format;
use crate::worker_client::{KeepOutcome, WorkerClient};

#[derive(Properties, PartialEq)]
pub struct DatabaseActionsProps {
    pub db: String,
}

/// "Download this database · Keep in this browser", and how keeping went.
#[function_component(DatabaseActions)]
pub fn database_actions(props: &DatabaseActionsProps) -> Html {
    let client = use_context::<WorkerClient>().expect("worker context");
    let keep_status = use_state(|| KeepStatus::Idle);
    let download = {
        let (client, db) = (client.clone(), props.db.clone());
        Callback::from(move |_| {
            let (client, db) = (client.clone(), db.clone());
            wasm_bindgen_futures::spawn_local(async move {
                // The file goes from the worker's buffer into the Blob,
                // never through this wasm's memory.
                if let Ok(image) = client.database_file(db.clone()).await {
                    browser::download(&js_sys::Array::of1(&image), &format!("{db}.db"), "application/vnd.sqlite3");
                }
            });
        })
    };
    let keep_as = {
        let (db, keep_status) = (props.db.clone(), keep_status.clone());
        Callback::from(move |(as_name, replace): (Option<String>, bool)| {
            let (client, db, keep_status) = (client.clone(), db.clone(), keep_status.clone());
            keep_status.set(KeepStatus::Saving);
            wasm_bindgen_futures::spawn_local(async move {
                keep_status.set(match client.keep(db, as_name, replace).await {
                    Ok(KeepOutcome::Kept(kept)) => KeepStatus::Done(format!(
                        "Kept in this browser as {} ({}); it is listed on the home page, offline too.",
                        kept.name,
                        format::bytes(kept.size_bytes)
                    )),
                    Ok(KeepOutcome::NameTaken { name, free }) => KeepStatus::Taken { name, free },
                    Err(e) => KeepStatus::Done(e.message),
                });
            });
        })
    };
    let keep = {
        let keep_as = keep_as.clone();
        Callback::from(move |_| keep_as.emit((None, false)))
    };
    html! {
        <>
            <button class="link download-db" onclick={download}>{ "Download this database" }</button>
            { " · " }<button class="link keep-db" onclick={keep}>{ "Keep in this browser" }</button>
            <span class="keep-status">{ " " }{ keep_status_view(&keep_status, &keep_as) }</span>
        </>
    }
}

fn keep_status_view(status: &KeepStatus, keep_as: &Callback<(Option<String>, bool)>) -> Html {
    match status {
        KeepStatus::Idle => html! {},
        KeepStatus::Saving => html! { "Saving…" },
        KeepStatus::Done(text) => html! { text },
        KeepStatus::Taken { name, free } => {
            let replace = {
                let (keep_as, name) = (keep_as.clone(), name.clone());
                Callback::from(move |_| keep_as.emit((Some(name.clone()), true)))
            };
            let both = {
                let (keep_as, free) = (keep_as.clone(), free.clone());
                Callback::from(move |_| keep_as.emit((Some(free.clone()), false)))
            };
            html! {
                <>
                    { format!("A dataset named {name} is kept in this browser already. ") }
                    <button class="link keep-replace" onclick={replace}>{ format!("Replace {name}") }</button>
                    { " or " }
                    <button class="link keep-both" onclick={both}>{ format!("keep both (this one as {free})") }</button>
                </>
            }
        }
    }
}

/// Where "Keep in this browser" stands.
#[derive(Clone, PartialEq)]
enum KeepStatus {
    Idle,
    Saving,
    Done(String),
    /// A dataset of that name is kept already: replace it, or keep both.
    Taken {
        name: String,
        free: String,
    },
}
