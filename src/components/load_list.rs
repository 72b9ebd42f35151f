//! The sources being loaded: progress, cancel, and why a load failed.

use yew::prelude::*;

use crate::components::error_box::ErrorBox;
use crate::format;
use crate::state::{AppState, LoadStatus};
use crate::worker_client::WorkerClient;

/// Every source being loaded or that failed: a progress bar with a cancel
/// button while downloading, the reason when it failed.
#[function_component(LoadList)]
pub fn load_list() -> Html {
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let client = use_context::<WorkerClient>().expect("worker context");
    // Loaded sources drop out of the list unless they left a warning.
    let items = state.sources.iter().filter(|s| match &s.status {
        LoadStatus::Loaded { warnings, .. } => !warnings.is_empty(),
        _ => true,
    });
    let items: Html = items
        .map(|source| {
            let body = match &source.status {
                LoadStatus::Downloading { loaded, total, rows } => {
                    let cancel = {
                        let client = client.clone();
                        let (id, label) = (source.request_id, source.label.clone());
                        Callback::from(move |_| {
                            client.cancel(id);
                            crate::browser::remove_load_param(&label);
                        })
                    };
                    let bar = match total {
                        Some(total) if *total > 0 => html! {
                            <progress max={total.to_string()} value={(*loaded).min(*total).to_string()} />
                        },
                        // No Content-Length: an indeterminate bar and a byte count.
                        _ => html! { <progress /> },
                    };
                    let mut amount = match total {
                        Some(total) => format!("{} of {}", format::bytes(*loaded), format::bytes(*total)),
                        None => format::bytes(*loaded),
                    };
                    if *rows > 0 {
                        amount += &format!(" · {} imported", format::rows(*rows));
                    }
                    html! {
                        <div class="loading">
                            { bar }
                            <span class="amount">{ amount }</span>
                            <button class="link" onclick={cancel}>{ "Cancel" }</button>
                        </div>
                    }
                }
                LoadStatus::Failed(error) => html! { <ErrorBox error={error.clone()} /> },
                LoadStatus::Cancelled => html! { <p class="muted">{ "Cancelled." }</p> },
                LoadStatus::Loaded { warnings, .. } => html! {
                    <ul class="warnings">{ for warnings.iter().map(|w| html! { <li class="warning">{ w }</li> }) }</ul>
                },
            };
            html! {
                <li class="source" data-status={status_name(&source.status)}>
                    <div class="source-label">{ &source.label }</div>
                    { body }
                </li>
            }
        })
        .collect();
    html! { <ul class="load-list">{ items }</ul> }
}

fn status_name(status: &LoadStatus) -> &'static str {
    match status {
        LoadStatus::Downloading { .. } => "downloading",
        LoadStatus::Loaded { .. } => "loaded",
        LoadStatus::Failed(_) => "failed",
        LoadStatus::Cancelled => "cancelled",
    }
}
