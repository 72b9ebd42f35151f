//! The root component: the worker client, the state, the page's loads,
//! the route, and the frame (header, notices, footer) around the page.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::browser;
use crate::components::load_list::LoadList;
use crate::loading::{import_url, load_file, load_url, PageSources};
use crate::pages::{data_view::DataView, database::DatabasePage, home::HomePage, query::QueryPage, row::RowPageView, table::TablePageView};
use crate::recovery;
use crate::route::{DataFormat, Route};
use crate::state::{Action, AppState, LoadStatus, Source};
use crate::worker_client::{WorkerClient, WorkerEvent, WorkerStatus};

/// The database shipped with the app, opened when no data is named.
const DEMO_DATABASE: &str = "demo.db";

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let route = use_route();
    let client = {
        let dispatch = state.dispatcher();
        use_memo((), move |_| WorkerClient::spawn(&browser::worker_script_url(), worker_events(dispatch)))
    };
    {
        let (client, dispatch) = (client.clone(), state.dispatcher());
        use_effect_with((), move |_| {
            if let Ok(client) = &*client {
                start_page_loads(client, &dispatch);
            }
        });
    }
    {
        let route = route.clone();
        use_effect_with(state.sources.clone(), move |sources| show_what_the_link_loaded(&route, sources));
    }
    // A new worker after a crash or a stuck statement: reopen everything.
    {
        let (client, state) = (client.clone(), state.clone());
        use_effect_with(state.restarts, move |restarts| {
            if let (Ok(client), true) = (&*client, *restarts > 0) {
                recovery::reopen_all(client, &state.dispatcher(), &state);
            }
        });
    }
    // In an iframe, tell the host page how tall the content is; everywhere,
    // work offline and say when a new version is ready.
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            browser::report_height_to_parent();
            // Registered once the page has loaded, so that precaching the
            // shell does not compete with the first view for bandwidth.
            let on_update = Callback::from(move |()| dispatch.dispatch(Action::UpdateReady));
            browser::after_load(move || browser::register_service_worker(on_update));
        });
    }

    let client = match &*client {
        Ok(client) => client.clone(),
        Err(message) => return html! { <main><p class="error" role="alert">{ message }</p></main> },
    };
    let page = html! { <RoutedPage route={(*route).clone()} /> };
    let body = if browser::embedded() { embedded_frame(&state, page) } else { full_frame(&state, page) };
    html! {
        <ContextProvider<UseReducerHandle<AppState>> context={state.clone()}>
            <ContextProvider<WorkerClient> context={client}>{ body }</ContextProvider<WorkerClient>>
        </ContextProvider<UseReducerHandle<AppState>>>
    }
}

/// The route, following the fragment (back/forward and every link).
#[hook]
fn use_route() -> UseStateHandle<Route> {
    let route = use_state(|| Route::parse(&browser::location_hash()));
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
    route
}

/// What the worker client reports, folded into the state.
fn worker_events(dispatch: UseReducerDispatcher<AppState>) -> Callback<WorkerEvent> {
    Callback::from(move |event: WorkerEvent| match event {
        WorkerEvent::Status(status) => dispatch.dispatch(Action::Worker(status)),
        WorkerEvent::Saved(db) => dispatch.dispatch(Action::Saved(db)),
        WorkerEvent::SchemaChanged(schema) => dispatch.dispatch(Action::SchemaRefreshed(schema)),
        WorkerEvent::RowCounts { db, counts } => dispatch.dispatch(Action::RowCounts { db, counts }),
        WorkerEvent::Fetched { db, requests, bytes } => dispatch.dispatch(Action::Fetched { db, requests, bytes }),
        WorkerEvent::Restarted { reason, by_user } => {
            // A view that stopped the worker asks before it runs again on
            // reload; one the user stopped does not.
            if !by_user {
                recovery::remember_stopped_view();
            }
            dispatch.dispatch(Action::WorkerRestarted(reason));
        }
    })
}

/// Starts loading what the page URL names (or the demo), and its metadata.
fn start_page_loads(client: &WorkerClient, dispatch: &UseReducerDispatcher<AppState>) {
    let sources = PageSources::from_page();
    let mut ids = Vec::new();
    if sources.is_empty() {
        ids.push(load_url(client, dispatch, DEMO_DATABASE));
    }
    if sources.memory {
        ids.push(crate::loading::open_memory(client, dispatch));
    }
    for url in &sources.databases {
        ids.push(load_url(client, dispatch, url));
    }
    for (format, url) in &sources.imports {
        ids.push(import_url(client, dispatch, *format, url, sources.options.clone()));
    }
    dispatch.dispatch(Action::PageLoadsStarted(ids));
    if let Some(url) = browser::query_params("metadata").pop() {
        let (client, dispatch) = (client.clone(), dispatch.clone());
        wasm_bindgen_futures::spawn_local(async move {
            dispatch.dispatch(Action::Metadata(client.metadata(browser::absolute_url(&url)).await));
        });
    }
}

/// Data named in the URL and no view named: once everything has loaded
/// into one database, show it (or the one table a single file made).
fn show_what_the_link_loaded(route: &Route, sources: &[Source]) {
    let expected = PageSources::from_page().len();
    if *route != Route::Home || expected == 0 || sources.len() != expected {
        return;
    }
    // The address as it is now, not as it was at the render this effect
    // belongs to: a view opened in between (the hash changed after the
    // render, before this ran) must not be replaced by the database page.
    if Route::parse(&browser::location_hash()) != Route::Home {
        return;
    }
    let mut loaded = Vec::new();
    for source in sources {
        match &source.status {
            LoadStatus::Loaded { name, table, .. } => loaded.push((name.clone(), table.clone())),
            LoadStatus::Downloading { .. } => return,
            _ => {}
        }
    }
    let Some((db, _)) = loaded.first().cloned() else { return };
    if loaded.iter().any(|(name, _)| *name != db) || loaded.len() != sources.len() {
        return;
    }
    match loaded.as_slice() {
        [(_, Some(table))] => browser::replace_route(&Route::Table { db, table: table.clone(), params: Default::default() }),
        _ => browser::replace_route(&Route::Database { db }),
    }
}

#[derive(Properties, PartialEq)]
struct RoutedPageProps {
    route: Route,
}

/// The page for the route, once what it needs is there: the links' loads
/// finished, its database open, and the user's word if this view stopped
/// the worker last time.
#[function_component(RoutedPage)]
fn routed_page(props: &RoutedPageProps) -> Html {
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    // The view that stopped the worker last time is not run again by
    // itself on reload: the user is asked first.
    let guarded = use_state(recovery::opens_on_stopped_view);
    let route = &props.route;
    if let Route::Compare { left, right, key, size, page } = route.clone() {
        // Both versions come from the link (`?csv=a&csv=b`): wait for them.
        if state.waiting_for_page_loads() {
            return html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> };
        }
        return html! { <crate::pages::compare::ComparePage {left} {right} key_columns={key} {size} {page} /> };
    }
    let Some(db) = route.database() else { return html! { <HomePage /> } };
    let open_anyway = {
        let guarded = guarded.clone();
        Callback::from(move |_| {
            recovery::forget_stopped_view();
            guarded.set(false);
        })
    };
    // A link's view (a query joining two CSVs, say) is shown once
    // everything the link loads has loaded or failed, never before.
    if state.waiting_for_page_loads() {
        return html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> };
    }
    if *guarded && recovery::opens_on_stopped_view() {
        return html! {
            <div class="stopped-view" role="alert">
                <strong>{ "This view stopped the data worker last time" }</strong>
                <p>{ "So it was not run again by itself. It may take too long or too much memory." }</p>
                <button class="open-anyway" onclick={open_anyway}>{ "Run it anyway" }</button>
            </div>
        };
    }
    if state.database(db).is_none() {
        if state.loading() || state.worker == WorkerStatus::Starting {
            return html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> };
        }
        return html! {
            <div class="error" role="alert">
                <strong>{ "Not found" }</strong>
                <p>{ format!("No database named {db:?} is open.") }</p>
                <p><a href="#/">{ "See the open databases" }</a></p>
            </div>
        };
    }
    match route.clone() {
        Route::Database { db } => html! { <DatabasePage {db} /> },
        Route::Table { db, table, params } => match canned_query(&state, &db, &table, &params) {
            Some((sql, values)) => {
                html! { <QueryPage {db} {sql} params={values} time_limit_ms={params.time_limit_ms} chart={params.chart.clone()} /> }
            }
            None => html! { <TablePageView {db} {table} {params} /> },
        },
        Route::Query { db, sql, params, time_limit_ms, chart } => html! { <QueryPage {db} {sql} {params} {time_limit_ms} {chart} /> },
        Route::Row { db, table, key } => html! { <RowPageView {db} {table} row_key={key} /> },
        Route::Data { of, format, shape, nl } => match *of {
            Route::Table { db, table, params } if names_a_table(&state, &db, &table, format) => {
                let table = format!("{table}{}", format.suffix());
                html! { <TablePageView {db} {table} {params} /> }
            }
            of => html! { <DataView {of} {format} {shape} {nl} /> },
        },
        Route::Home | Route::Compare { .. } => html! { <HomePage /> },
    }
}

/// `#/db/name?param=value` runs the metadata's canned query `name` (when no
/// table or view has that name), as in Datasette: the query's SQL, and the
/// link's `param=value` pairs as its parameters.
fn canned_query(state: &AppState, db: &str, name: &str, params: &crate::route::TableParams) -> Option<(String, Vec<(String, String)>)> {
    if has_table_or_view(state.database(db)?, name) {
        return None;
    }
    let query = state.database_metadata(db)?.queries.iter().find(|q| q.name == name)?.sql.clone();
    let values = params.filters.iter().filter(|f| f.op == protocol::FilterOp::Exact).map(|f| (f.column.clone(), f.value.clone())).collect();
    Some((query, values))
}

/// `#/db/x.json` names a table called "x.json" when there is one and no
/// "x" (Datasette escapes such names; links from elsewhere may not).
fn names_a_table(state: &AppState, db: &str, stem: &str, format: DataFormat) -> bool {
    let literal = format!("{stem}{}", format.suffix());
    state.database(db).is_some_and(|schema| !has_table_or_view(schema, stem) && has_table_or_view(schema, &literal))
}

fn has_table_or_view(schema: &protocol::DatabaseSchema, name: &str) -> bool {
    schema.tables.iter().any(|t| t.name == name) || schema.views.iter().any(|v| v.name == name)
}

/// The worker failed for good, or was replaced and everything reopened.
fn worker_problem(state: &UseReducerHandle<AppState>) -> Html {
    match (&state.worker, &state.worker_notice) {
        (WorkerStatus::Failed(message), _) => html! { <p class="error" role="alert">{ message }</p> },
        (_, Some(reason)) => {
            let dismiss = {
                let dispatch = state.dispatcher();
                Callback::from(move |_| dispatch.dispatch(Action::DismissWorkerNotice))
            };
            html! {
                <div class="worker-notice" role="status">
                    { format!("{reason} Every database you had open was opened again. ") }
                    <button class="link" onclick={dismiss}>{ "Dismiss" }</button>
                </div>
            }
        }
        _ => html! {},
    }
}

/// Embed mode: just the view, a link out, and the height for the host page.
fn embedded_frame(state: &UseReducerHandle<AppState>, page: Html) -> Html {
    let full = crate::components::share::full_url(&browser::window().location().href().unwrap_or_default());
    html! {
        <main class="embedded">
            { worker_problem(state) }
            <LoadList />
            { page }
            <p class="open-full"><a href={full} target="_blank" rel="noopener">{ "Open in the full explorer ↗" }</a></p>
        </main>
    }
}

/// The page with its header, notices and footer.
fn full_frame(state: &UseReducerHandle<AppState>, page: Html) -> Html {
    let metadata_problem = state.metadata_error.clone().map(|error| {
        html! {
            <div class="metadata-error"><crate::components::error_box::ErrorBox {error} /></div>
        }
    });
    let title = state.metadata.as_ref().and_then(|m| m.about.title.clone()).unwrap_or_else(|| "Data explorer".into());
    let nav: Html =
        state.databases.iter().map(|d| html! { <a href={Route::Database { db: d.name.clone() }.to_hash()}>{ &d.name }</a> }).collect();
    html! {
        <>
            <header class="top">
                <button class="skip-link" onclick={Callback::from(|_| browser::focus_rows())}>{ "Skip to the rows" }</button>
                <a class="home-link" href="#/">{ title }</a>
                <nav class="db-nav">{ nav }</nav>
                <ThemeToggle />
                <crate::components::share::Share />
            </header>
            if state.update_ready {
                <div class="update-banner" role="status">
                    { "A new version is available. " }
                    <button onclick={Callback::from(|_| browser::activate_update())}>{ "Reload" }</button>
                </div>
            }
            <DropZone>
                { worker_problem(state) }
                { for metadata_problem }
                { for crate::loading::page_notices().into_iter().map(|notice| html! { <p class="notice page-notice" role="note">{ notice }</p> }) }
                <LoadList />
                { page }
            </DropZone>
            <footer class="muted">
                if let Some(m) = &state.metadata { <crate::pages::about::AboutView about={protocol::About { title: None, description: None, ..m.about.clone() }} /> }
                { "Runs entirely in your browser" }
                if let WorkerStatus::Ready { sqlite_version } = &state.worker {
                    { format!(" · SQLite {sqlite_version}") }
                }
                { for state.databases.iter().filter(|d| d.lazy).map(|d| html! {
                    <span class="fetched">{ format!(" · {}: {}", d.name, crate::format::fetched(state.fetched_of(&d.name), d.size_bytes)) }</span>
                }) }
            </footer>
        </>
    }
}

/// "Dark" / "Light": overrides the system's colour scheme, remembered.
#[function_component(ThemeToggle)]
fn theme_toggle() -> Html {
    // Read at each render, not kept: the system's scheme may have changed.
    let dark = browser::is_dark();
    let rendered = use_state(|| 0u32);
    {
        let rendered = rendered.clone();
        use_effect_with((), move |_| {
            if let Some(theme) = browser::chosen_theme() {
                browser::set_theme(&theme);
            }
            // The system switching schemes changes the label.
            let on_change = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || rendered.set(*rendered + 1));
            let query = browser::window().match_media("(prefers-color-scheme: dark)").ok().flatten();
            if let Some(query) = &query {
                let _ = query.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
            }
            move || {
                if let Some(query) = query {
                    let _ = query.remove_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
                }
            }
        });
    }
    let toggle = Callback::from(move |_| {
        browser::set_theme(if browser::is_dark() { "light" } else { "dark" });
        rendered.set(*rendered + 1);
    });
    html! {
        <button class="theme-toggle" onclick={toggle} aria-pressed={if dark { "true" } else { "false" }} title="Switch between dark and light colours">
            { if dark { "☀ Light" } else { "☾ Dark" } }
        </button>
    }
}

#[derive(Properties, PartialEq)]
struct DropZoneProps {
    children: Html,
}

/// The page's `<main>`: files dropped anywhere on it are opened.
#[function_component(DropZone)]
fn drop_zone(props: &DropZoneProps) -> Html {
    let client = use_context::<WorkerClient>().expect("worker context");
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let dragging = use_state(|| false);
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            // Leaving for a child element is not leaving the page.
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let on_drop = {
        let dragging = dragging.clone();
        let dispatch = state.dispatcher();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let Some(files) = e.data_transfer().and_then(|d| d.files()) else { return };
            for i in 0..files.length() {
                if let Some(file) = files.get(i) {
                    load_file(&client, &dispatch, file);
                }
            }
        })
    };
    html! {
        <main class={classes!(dragging.then_some("dragging"))}
            ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop}>
            if *dragging {
                <div class="drop-hint">{ "Drop files to open them" }</div>
            }
            { props.children.clone() }
        </main>
    }
}
