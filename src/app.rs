use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::browser;
use crate::components::load_list::LoadList;
use crate::loading::load_url;
use crate::pages::{database::DatabasePage, home::HomePage, query::QueryPage, table::TablePageView};
use crate::route::Route;
use crate::state::{Action, AppState, LoadStatus};
use crate::worker_client::{WorkerClient, WorkerStatus};

/// The database shipped with the app, opened when no data is named.
const DEMO_DATABASE: &str = "demo.db";

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let route = use_state(|| Route::parse(&browser::location_hash()));

    // Back/forward and every link go through the fragment.
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || route.set(Route::parse(&browser::location_hash())));
            let window = browser::window();
            let _ = window.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            move || {
                let _ = window.remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
        });
    }

    let client = {
        let dispatch = state.dispatcher();
        use_memo((), move |_| {
            let on_status = Callback::from(move |status: WorkerStatus| dispatch.dispatch(Action::Worker(status)));
            WorkerClient::spawn(&browser::worker_script_url(), on_status)
        })
    };

    // Start loading what the page URL names, or the demo.
    {
        let client = client.clone();
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            if let Ok(client) = &*client {
                let urls = browser::query_params("url");
                if urls.is_empty() {
                    load_url(client, &dispatch, DEMO_DATABASE.into(), browser::absolute_url(DEMO_DATABASE));
                }
                for url in urls {
                    load_url(client, &dispatch, url.clone(), browser::absolute_url(&url));
                }
            }
        });
    }

    // One `?url=` and no view named: go straight to its database page once
    // it has loaded, as the user surely wants to see it.
    {
        let route = route.clone();
        let sources = state.sources.clone();
        use_effect_with(sources, move |sources| {
            let named = !browser::query_params("url").is_empty();
            if let [source] = sources.as_slice() {
                if let (true, Route::Home, LoadStatus::Loaded { name }) = (named, &*route, &source.status) {
                    browser::replace_route(&Route::Database { db: name.clone() });
                }
            }
        });
    }

    let client = match &*client {
        Ok(client) => client.clone(),
        Err(message) => return html! { <main><p class="error" role="alert">{ message }</p></main> },
    };

    let page = match &*route {
        Route::Home => html! { <HomePage /> },
        route => {
            let db = route.database().unwrap_or_default();
            if state.database(db).is_none() {
                if state.loading() || state.worker == WorkerStatus::Starting {
                    html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> }
                } else {
                    html! {
                        <div class="error" role="alert">
                            <strong>{ "Not found" }</strong>
                            <p>{ format!("No database named {db:?} is open.") }</p>
                            <p><a href="#/">{ "See the open databases" }</a></p>
                        </div>
                    }
                }
            } else {
                match route.clone() {
                    Route::Database { db } => html! { <DatabasePage {db} /> },
                    Route::Table { db, table, params } => html! { <TablePageView {db} {table} {params} /> },
                    Route::Query { db, sql, time_limit_ms } => html! { <QueryPage {db} {sql} {time_limit_ms} /> },
                    Route::Home => unreachable!("handled above"),
                }
            }
        }
    };

    let worker_problem = match &state.worker {
        WorkerStatus::Failed(message) => html! { <p class="error" role="alert">{ message }</p> },
        _ => html! {},
    };
    let nav: Html = state
        .databases
        .iter()
        .map(|d| html! { <a href={Route::Database { db: d.name.clone() }.to_hash()}>{ &d.name }</a> })
        .collect();

    html! {
        <ContextProvider<UseReducerHandle<AppState>> context={state.clone()}>
            <ContextProvider<WorkerClient> context={client}>
                <header class="top">
                    <a class="home-link" href="#/">{ "Data explorer" }</a>
                    <nav class="db-nav">{ nav }</nav>
                </header>
                <main>
                    { worker_problem }
                    <LoadList />
                    { page }
                </main>
                <footer class="muted">
                    { "Runs entirely in your browser" }
                    if let WorkerStatus::Ready { sqlite_version } = &state.worker {
                        { format!(" · SQLite {sqlite_version}") }
                    }
                </footer>
            </ContextProvider<WorkerClient>>
        </ContextProvider<UseReducerHandle<AppState>>>
    }
}
