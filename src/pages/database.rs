//! The database page: its tables, views, canned queries, a SQL box, and
//! download and keep.

use protocol::{CannedQuery, DatabaseSchema, TableInfo};
use yew::prelude::*;

use crate::browser;
use crate::components::count_rows::CountRows;
use crate::components::database_actions::DatabaseActions;
use crate::format;
use crate::pages::about::AboutView;
use crate::route::Route;
use crate::state::AppState;

#[derive(Properties, PartialEq)]
pub struct DatabasePageProps {
    pub db: String,
}

/// Tables with row counts, views, hidden tables behind a toggle, and a box
/// to run SQL against this database.
#[function_component(DatabasePage)]
pub fn database_page(props: &DatabasePageProps) -> Html {
    // The schema is the one in the state: the worker sends it again when
    // a statement changes it, and counts big tables in the background, so
    // a visit recounts nothing.
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let show_hidden = use_state(|| false);

    let Some(schema) = state.database(&props.db) else {
        return html! { <p class="error" role="alert">{ format!("There is no database named {:?}.", props.db) }</p> };
    };
    let (hidden, visible): (Vec<_>, Vec<_>) = schema.tables.iter().partition(|t| t.hidden);
    let toggle = {
        let show_hidden = show_hidden.clone();
        Callback::from(move |_| show_hidden.set(!*show_hidden))
    };
    let metadata = state.database_metadata(&schema.name).cloned();
    let queries = metadata.as_ref().map(|m| m.queries.clone()).unwrap_or_default();
    let placeholder = format!("select * from {}", visible.first().map(|t| engine_quote(&t.name)).unwrap_or_default());
    html! {
        <section class="database">
            <h1>{ metadata.as_ref().and_then(|m| m.about.title.clone()).unwrap_or_else(|| schema.name.clone()) }</h1>
            if let Some(m) = &metadata { <AboutView about={m.about.clone()} /> }
            <p class="muted source">
                { format!("{} · from ", format::bytes(schema.size_bytes)) }
                <span class="source-name">{ if schema.source.is_empty() { "imported files".to_string() } else { schema.source.clone() } }</span>
                if schema.lazy {
                    // The file stays on its server: downloading it whole is
                    // the server's link, on request; keeping it is not offered.
                    <span class="lazy-note">
                        { format!(" · read from its server as needed: {}", format::fetched(state.fetched_of(&schema.name), schema.size_bytes)) }
                    </span>
                    if schema.source.starts_with("https://") || schema.source.starts_with("http://") {
                        { " · " }
                        <a class="download-db" href={schema.source.clone()} download="">
                            { format!("Download the whole file ({})", format::bytes(schema.size_bytes)) }
                        </a>
                    }
                } else {
                    { " · " }<DatabaseActions db={schema.name.clone()} />
                }
            </p>
            if !queries.is_empty() {
                <h2>{ "Queries" }</h2>
                <ul class="canned-queries">{ canned_queries(&schema.name, &queries) }</ul>
            }
            <SqlBox db={schema.name.clone()} {placeholder} />
            <h2>{ format::count(visible.len(), "table") }</h2>
            <ul class="tables">{ for visible.iter().map(|t| table_item(schema, t)) }</ul>
            if !schema.views.is_empty() {
                <h2>{ format::count(schema.views.len(), "view") }</h2>
                <ul class="views">{ view_items(schema) }</ul>
            }
            if !hidden.is_empty() {
                <button class="link hidden-toggle" onclick={toggle}>
                    { format!("{} {}", if *show_hidden { "Hide" } else { "Show" }, format::count(hidden.len(), "hidden table")) }
                </button>
                if *show_hidden {
                    <ul class="tables hidden-tables">{ for hidden.iter().map(|t| table_item(schema, t)) }</ul>
                }
            }
        </section>
    }
}

fn table_item(schema: &DatabaseSchema, t: &TableInfo) -> Html {
    let href = Route::Table { db: schema.name.clone(), table: t.name.clone(), params: Default::default() }.to_hash();
    let count = match t.row_count {
        Some(n) => format::rows(n),
        // Counting would read the whole table from the server; ANALYZE's
        // figure is shown if the file has one.
        None if schema.lazy => match t.row_estimate {
            Some(n) => format!("≈ {} (estimate)", format::rows(n)),
            None => "not counted".into(),
        },
        None => "many rows".into(),
    };
    let columns = t.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
    let count_button = (schema.lazy && t.row_count.is_none()).then(|| {
        html! {
            <>{ " · " }<CountRows db={schema.name.clone()} table={t.name.clone()} /></>
        }
    });
    html! {
        <li class="table-item">
            <a href={href}>{ &t.name }</a>
            <span class="count">{ count }</span>
            { for count_button }
            <div class="columns muted">{ columns }</div>
        </li>
    }
}

fn view_items(schema: &DatabaseSchema) -> Html {
    schema
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
        .collect()
}

fn canned_queries(db: &str, queries: &[CannedQuery]) -> Html {
    queries
        .iter()
        .map(|q| {
            let href = Route::Query { db: db.to_string(), sql: q.sql.clone(), params: vec![], time_limit_ms: None, chart: None }.to_hash();
            html! {
                <li class="canned-query">
                    <a href={href}>{ q.title.clone().unwrap_or_else(|| q.name.clone()) }</a>
                    if let Some(d) = &q.description { <span class="muted">{ " — " }{ d }</span> }
                </li>
            }
        })
        .collect()
}

#[derive(Properties, PartialEq)]
struct SqlBoxProps {
    db: String,
    placeholder: String,
}

/// "Custom SQL query": running it opens the query page.
#[function_component(SqlBox)]
fn sql_box(props: &SqlBoxProps) -> Html {
    let sql = use_state(String::new);
    let on_input = {
        let sql = sql.clone();
        Callback::from(move |e: InputEvent| sql.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()))
    };
    let on_run = {
        let (sql, db) = (sql.clone(), props.db.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            browser::navigate(&Route::Query { db: db.clone(), sql: (*sql).clone(), params: vec![], time_limit_ms: None, chart: None });
        })
    };
    html! {
        <form class="sql-form" onsubmit={on_run}>
            <label for="db-sql">{ "Custom SQL query" }</label>
            <textarea id="db-sql" rows="4" value={(*sql).clone()} oninput={on_input} placeholder={props.placeholder.clone()} />
            <button type="submit">{ "Run SQL" }</button>
        </form>
    }
}

/// A table name as it would be typed in SQL: bare when it is a plain word.
pub(crate) fn engine_quote(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.starts_with(|c: char| c.is_ascii_digit()) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}
