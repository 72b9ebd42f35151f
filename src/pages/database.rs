//! The database page: its tables, views, canned queries, a SQL box, and
//! download and keep.

use protocol::{RequestBody, ResponseBody};
use yew::prelude::*;

use crate::browser;
use crate::format;
use crate::pages::about::AboutView;
use crate::route::Route;
use crate::state::{Action, AppState};
use crate::worker_client::WorkerClient;

#[derive(Properties, PartialEq)]
pub struct DatabasePageProps {
    pub db: String,
}

/// Tables with row counts, views, hidden tables behind a toggle, and a box
/// to run SQL against this database.
#[function_component(DatabasePage)]
pub fn database_page(props: &DatabasePageProps) -> Html {
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let client = use_context::<WorkerClient>().expect("worker context");
    let show_hidden = use_state(|| false);
    let keep_status = use_state(|| KeepStatus::Idle);
    let sql = use_state(String::new);

    // Row counts change when the query page writes; refresh on each visit.
    {
        let client = client.clone();
        let dispatch = state.dispatcher();
        use_effect_with(props.db.clone(), move |db| {
            let db = db.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let ResponseBody::Schema(schema) = client.call(RequestBody::Schema { db }).await {
                    dispatch.dispatch(Action::SchemaRefreshed(schema));
                }
            });
        });
    }

    let Some(schema) = state.database(&props.db) else {
        return html! { <p class="error" role="alert">{ format!("There is no database named {:?}.", props.db) }</p> };
    };
    let (hidden, visible): (Vec<_>, Vec<_>) = schema.tables.iter().partition(|t| t.hidden);
    let table_row = |t: &protocol::TableInfo| {
        let href = Route::Table { db: schema.name.clone(), table: t.name.clone(), params: Default::default() }.to_hash();
        let count = t.row_count.map(format::rows).unwrap_or_else(|| "many rows".into());
        let columns = t.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
        html! {
            <li class="table-item">
                <a href={href}>{ &t.name }</a>
                <span class="count">{ count }</span>
                <div class="columns muted">{ columns }</div>
            </li>
        }
    };
    let views: Html = schema
        .views
        .iter()
        .map(|v| {
            let href = Route::Table { db: schema.name.clone(), table: v.name.clone(), params: Default::default() }.to_hash();
            let note = match &v.error {
                Some(e) => html! { <div class="columns warning">{ format!("Cannot be read here: {e}") }</div> },
                None => html! { <div class="columns muted">{ v.columns.join(", ") }</div> },
            };
            html! { <li class="view-item"><a href={href}>{ &v.name }</a>{ note }</li> }
        })
        .collect();
    let toggle = {
        let show_hidden = show_hidden.clone();
        Callback::from(move |_| show_hidden.set(!*show_hidden))
    };
    let on_sql_input = {
        let sql = sql.clone();
        Callback::from(move |e: InputEvent| sql.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()))
    };
    let on_run = {
        let sql = sql.clone();
        let db = schema.name.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            browser::navigate(&Route::Query { db: db.clone(), sql: (*sql).clone(), params: vec![], time_limit_ms: None });
        })
    };

    let metadata = state.database_metadata(&schema.name).cloned();
    let canned: Html = metadata
        .iter()
        .flat_map(|m| m.queries.iter())
        .map(|q| {
            let href = Route::Query { db: schema.name.clone(), sql: q.sql.clone(), params: vec![], time_limit_ms: None }.to_hash();
            html! {
                <li class="canned-query">
                    <a href={href}>{ q.title.clone().unwrap_or_else(|| q.name.clone()) }</a>
                    if let Some(d) = &q.description { <span class="muted">{ " — " }{ d }</span> }
                </li>
            }
        })
        .collect();
    let download = {
        let client = client.clone();
        let db = schema.name.clone();
        Callback::from(move |_| {
            let client = client.clone();
            let db = db.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // The file goes from the worker's buffer into the Blob,
                // never through this wasm's memory.
                if let (ResponseBody::DatabaseFile { .. }, Some(image)) =
                    client.call_with_buffer(RequestBody::DownloadDatabase { db: db.clone() }).await
                {
                    browser::download(&js_sys::Array::of1(&image), &format!("{db}.db"), "application/vnd.sqlite3");
                }
            });
        })
    };
    // Keeping asks before it replaces a dataset of the same name.
    let keep_as = {
        let client = client.clone();
        let db = schema.name.clone();
        let keep_status = keep_status.clone();
        Callback::from(move |(as_name, replace): (Option<String>, bool)| {
            let (client, db, keep_status) = (client.clone(), db.clone(), keep_status.clone());
            keep_status.set(KeepStatus::Saving);
            wasm_bindgen_futures::spawn_local(async move {
                keep_status.set(match client.call(RequestBody::Keep { db, as_name, replace }).await {
                    ResponseBody::Kept(kept) => KeepStatus::Done(format!(
                        "Kept in this browser as {} ({}); it is listed on the home page, offline too.",
                        kept.name,
                        format::bytes(kept.size_bytes)
                    )),
                    ResponseBody::KeepNameTaken { name, free } => KeepStatus::Taken { name, free },
                    ResponseBody::Error(e) => KeepStatus::Done(e.message),
                    other => KeepStatus::Done(format!("unexpected reply: {other:?}")),
                });
            });
        })
    };
    let keep = {
        let keep_as = keep_as.clone();
        Callback::from(move |_| keep_as.emit((None, false)))
    };
    let keep_status_view = match &*keep_status {
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
    };
    html! {
        <section class="database">
            <h1>{ metadata.as_ref().and_then(|m| m.about.title.clone()).unwrap_or_else(|| schema.name.clone()) }</h1>
            if let Some(m) = &metadata { <AboutView about={m.about.clone()} /> }
            <p class="muted source">
                { format!("{} · from ", format::bytes(schema.size_bytes)) }
                <span class="source-name">{ if schema.source.is_empty() { "imported files".to_string() } else { schema.source.clone() } }</span>
                { " · " }<button class="link download-db" onclick={download}>{ "Download this database" }</button>
                { " · " }<button class="link keep-db" onclick={keep}>{ "Keep in this browser" }</button>
                <span class="keep-status">{ " " }{ keep_status_view }</span>
            </p>
            if metadata.as_ref().is_some_and(|m| !m.queries.is_empty()) {
                <h2>{ "Queries" }</h2>
                <ul class="canned-queries">{ canned }</ul>
            }
            <form class="sql-form" onsubmit={on_run}>
                <label for="db-sql">{ "Custom SQL query" }</label>
                <textarea id="db-sql" rows="4" value={(*sql).clone()} oninput={on_sql_input}
                    placeholder={format!("select * from {}", visible.first().map(|t| engine_quote(&t.name)).unwrap_or_default())} />
                <button type="submit">{ "Run SQL" }</button>
            </form>
            <h2>{ format::count(visible.len(), "table") }</h2>
            <ul class="tables">{ for visible.iter().map(|t| table_row(t)) }</ul>
            if !schema.views.is_empty() {
                <h2>{ format::count(schema.views.len(), "view") }</h2>
                <ul class="views">{ views }</ul>
            }
            if !hidden.is_empty() {
                <button class="link hidden-toggle" onclick={toggle}>
                    { format!("{} {}", if *show_hidden { "Hide" } else { "Show" }, format::count(hidden.len(), "hidden table")) }
                </button>
                if *show_hidden {
                    <ul class="tables hidden-tables">{ for hidden.iter().map(|t| table_row(t)) }</ul>
                }
            }
        </section>
    }
}

/// A table name as it would be typed in SQL: bare when it is a plain word.
fn engine_quote(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.starts_with(|c: char| c.is_ascii_digit()) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
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
