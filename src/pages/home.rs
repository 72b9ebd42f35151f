//! The home page: the open databases, loading a URL or a file, and the
//! datasets kept in this browser.

use protocol::{DatabaseSchema, ImportFormat, KeptDataset};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::browser;
use crate::format;
use crate::hooks::use_worker_call;
use crate::loading::{import_options_from_page, import_url, load_file, load_url, open_kept};
use crate::route::Route;
use crate::state::AppState;
use crate::worker_client::WorkerClient;

/// Links that show what the explorer can open.
const EXAMPLES: [(&str, &str); 2] = [
    (
        "Chinook, a music store (GitHub link)",
        "https://github.com/lerocha/chinook-database/blob/master/ChinookDatabase/DataSources/Chinook_Sqlite.sqlite",
    ),
    ("Datasette's fixtures database", "https://latest.datasette.io/fixtures.db"),
];

/// The index: every open database, and ways to open more.
#[function_component(HomePage)]
pub fn home_page() -> Html {
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let databases: Html = state.databases.iter().map(database_card).collect();
    html! {
        <section class="home">
            <h1>{ "Data explorer" }</h1>
            <p class="lead">{ "Browse, filter, search and query SQLite databases, CSV and JSON files, entirely in your browser." }</p>
            <ul class="databases">{ databases }</ul>
            <KeptDatasets />
            <section class="open">
                <h2>{ "Open data" }</h2>
                <OpenUrlForm />
                <p class="muted">
                    { "Files are downloaded into this tab and never leave it. The server must allow \
                       cross-origin requests; GitHub and Gist links are turned into their raw links automatically. \
                       CSV, SQL and JSON become tables in a database named data." }
                </p>
                <OpenFiles />
                <h3>{ "Examples" }</h3>
                <ul>{ examples() }</ul>
            </section>
        </section>
    }
}

/// An open database: its name, size, and its first tables.
fn database_card(db: &DatabaseSchema) -> Html {
    let visible: Vec<_> = db.tables.iter().filter(|t| !t.hidden).collect();
    let href = Route::Database { db: db.name.clone() }.to_hash();
    let table_links: Html = visible
        .iter()
        .take(5)
        .map(|t| {
            let href = Route::Table { db: db.name.clone(), table: t.name.clone(), params: Default::default() }.to_hash();
            html! { <><a href={href}>{ &t.name }</a>{ " " }</> }
        })
        .collect();
    html! {
        <li class="database-card">
            <h2><a href={href}>{ &db.name }</a></h2>
            <p class="muted">
                { format!("{}, {}, {}", format::count(visible.len(), "table"), format::count(db.views.len(), "view"), format::bytes(db.size_bytes)) }
            </p>
            <p class="tables">{ table_links }{ if visible.len() > 5 { "…" } else { "" } }</p>
        </li>
    }
}

fn examples() -> Html {
    EXAMPLES
        .iter()
        .map(|(label, url)| {
            let href = format!("?{}", form_urlencoded::Serializer::new(String::new()).append_pair("url", url).finish());
            html! { <li><a href={href}>{ *label }</a></li> }
        })
        .collect()
}

/// "URL of a file", with the kind to load it as.
#[function_component(OpenUrlForm)]
fn open_url_form() -> Html {
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let client = use_context::<WorkerClient>().expect("worker context");
    let url_input = use_node_ref();
    let kind_select = use_node_ref();
    let on_submit = {
        let dispatch = state.dispatcher();
        let (url_input, kind_select) = (url_input.clone(), kind_select.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(input), Some(kind)) = (url_input.cast::<HtmlInputElement>(), kind_select.cast::<HtmlSelectElement>()) else {
                return;
            };
            let url = input.value().trim().to_string();
            if url.is_empty() {
                return;
            }
            // The parameter goes into the page URL too, so a reload or a
            // shared link brings the same data back.
            let kind = kind.value();
            browser::add_query_param(&kind, &url);
            let format = match kind.as_str() {
                "url" => None,
                "csv" => Some(ImportFormat::Csv),
                "sql" => Some(ImportFormat::Sql),
                "json" => Some(ImportFormat::Json),
                "parquet" => Some(ImportFormat::Parquet),
                _ => Some(ImportFormat::Auto),
            };
            match format {
                Some(format) => import_url(&client, &dispatch, format, &url, import_options_from_page()),
                None => load_url(&client, &dispatch, &url),
            };
            input.set_value("");
        })
    };
    html! {
        <form class="open-url" onsubmit={on_submit}>
            <label for="open-url">{ "URL of a file" }</label>
            <select ref={kind_select} aria-label="Kind of file">
                <option value="load" selected=true>{ "Any kind (detect it)" }</option>
                <option value="url">{ "SQLite database" }</option>
                <option value="csv">{ "CSV or TSV" }</option>
                <option value="sql">{ "SQL script or dump" }</option>
                <option value="json">{ "JSON" }</option>
                <option value="parquet">{ "Parquet" }</option>
            </select>
            <input id="open-url" ref={url_input} type="url" placeholder="https://…/data.db" />
            <button type="submit">{ "Load" }</button>
        </form>
    }
}

/// The file picker.
#[function_component(OpenFiles)]
fn open_files() -> Html {
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let client = use_context::<WorkerClient>().expect("worker context");
    let on_files = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(files) = input.files() else { return };
            for i in 0..files.length() {
                if let Some(file) = files.get(i) {
                    load_file(&client, &dispatch, file);
                }
            }
            input.set_value("");
        })
    };
    html! {
        <label class="file-pick">
            { "Or open files from this computer (or drop them anywhere on the page): " }
            <input type="file" multiple=true
                accept=".db,.sqlite,.sqlite3,.db3,.csv,.tsv,.tab,.txt,.sql,.json,.ndjson,.jsonl,application/vnd.sqlite3,text/csv"
                onchange={on_files} />
        </label>
    }
}

/// "Your datasets": databases kept in this browser, to open or delete.
/// Not shown when the browser has no storage for them.
#[function_component(KeptDatasets)]
fn kept_datasets() -> Html {
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let client = use_context::<WorkerClient>().expect("worker context");
    let kept = use_worker_call((), |client, ()| async move { client.kept_datasets().await });
    let Some(list) = kept.state().done() else { return html! {} };
    let items: Html = list
        .iter()
        .map(|k| {
            let open = {
                let (client, dispatch, name) = (client.clone(), state.dispatcher(), k.name.clone());
                Callback::from(move |_| open_kept(&client, &dispatch, &name))
            };
            let delete = {
                let (client, name, kept) = (client.clone(), k.name.clone(), kept.clone());
                Callback::from(move |_| {
                    let (client, name, kept) = (client.clone(), name.clone(), kept.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = client.delete_kept(name).await;
                        kept.rerun();
                    });
                })
            };
            kept_item(k, open, delete)
        })
        .collect();
    html! {
        <section class="your-datasets">
            <h2>{ "Your datasets" }</h2>
            if list.is_empty() {
                <p class="muted">{ "Nothing is kept in this browser yet. \"Keep in this browser\" on a database page saves it here, to reopen later, offline too." }</p>
            } else {
                <ul>{ items }</ul>
            }
        </section>
    }
}

fn kept_item(k: &KeptDataset, open: Callback<MouseEvent>, delete: Callback<MouseEvent>) -> Html {
    let saved = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(k.saved_at)).to_locale_string("en", &wasm_bindgen::JsValue::UNDEFINED);
    html! {
        <li class="kept" data-name={k.name.clone()}>
            <strong>{ &k.name }</strong>
            <span class="muted">{ format!(" {} · saved {}", format::bytes(k.size_bytes), String::from(saved)) }</span>
            { " " }<button class="link open-kept" onclick={open}>{ "Open" }</button>
            { " " }<button class="link delete-kept" onclick={delete}>{ "Delete" }</button>
        </li>
    }
}
