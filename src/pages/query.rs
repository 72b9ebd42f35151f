//! The query page: the SQL editor, its named parameters, and the result.

use protocol::{DatabaseSchema, ErrorKind, ErrorReport, ExportSource, QueryRequest, QueryResult, RequestBody, ResponseBody};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlInputElement, HtmlTextAreaElement, KeyboardEvent};
use yew::prelude::*;

use crate::browser;
use crate::components::error_box::ErrorBox;
use crate::components::export::ExportLinks;
use crate::components::results_table::ResultsTable;
use crate::format;
use crate::route::{time_limit, Route};
use crate::worker_client::WorkerClient;

#[derive(Properties, PartialEq)]
pub struct QueryPageProps {
    pub db: String,
    pub sql: String,
    /// Values for the SQL's `:name` parameters, from the URL.
    pub params: Vec<(String, String)>,
    pub time_limit_ms: Option<u32>,
}

#[derive(Clone, PartialEq)]
enum Outcome {
    Running,
    Done(QueryResult),
    Failed(ErrorReport),
    Cancelled,
}

/// A SQL box, inputs for its named parameters, and the result. The SQL and
/// the parameter values live in the URL: running a query is navigating to
/// it, so every result can be bookmarked and shared.
#[function_component(QueryPage)]
pub fn query_page(props: &QueryPageProps) -> Html {
    let client = use_context::<WorkerClient>().expect("worker context");
    let draft = use_state(|| props.sql.clone());
    let outcome = use_state(|| Outcome::Running);
    let names = use_state(Vec::<String>::new);
    let values = use_state(|| props.params.clone());
    let generation = use_mut_ref(|| 0u32);
    // Running the SQL already in the URL changes no route; this runs it again.
    let reruns = use_state(|| 0u32);
    let state = use_context::<UseReducerHandle<crate::state::AppState>>().expect("state context");
    let editor = use_mut_ref(|| None::<JsValue>);
    // Set by the user's own Run (click, Ctrl+Enter, "Run it"): only then may
    // the statement change data. SQL that arrives in a link reads only.
    let user_asked = use_mut_ref(|| false);

    // The CodeMirror editor over the textarea, with this database's tables
    // and columns for completion; the textarea alone if it cannot load.
    {
        let editor = editor.clone();
        let schema = state.database(&props.db).map(completion_schema).unwrap_or_else(|| js_sys::Object::new().into());
        use_effect_with(props.db.clone(), move |_| {
            mount_editor(editor.clone(), schema);
            move || {
                if let Some(handle) = editor.borrow_mut().take() {
                    call_method(&handle, "destroy", &JsValue::UNDEFINED);
                }
            }
        });
    }
    // A new route's SQL goes into the editor too.
    {
        let editor = editor.clone();
        use_effect_with(props.sql.clone(), move |sql| {
            if let Some(handle) = editor.borrow().as_ref() {
                call_method(handle, "set", &JsValue::from_str(sql));
            }
        });
    }

    {
        let (draft, outcome, names, values, generation) =
            (draft.clone(), outcome.clone(), names.clone(), values.clone(), generation.clone());
        let client = client.clone();
        let user_asked = user_asked.clone();
        let deps = (props.db.clone(), props.sql.clone(), props.params.clone(), props.time_limit_ms, *reruns);
        use_effect_with(deps, move |(db, sql, params, limit, _)| {
            draft.set(sql.clone());
            values.set(params.clone());
            *generation.borrow_mut() += 1;
            let mine = *generation.borrow();
            outcome.set(Outcome::Running);
            let request = QueryRequest {
                db: db.clone(),
                sql: sql.clone(),
                params: params.clone(),
                time_limit_ms: time_limit(*limit),
                max_rows: protocol::MAX_RETURNED_ROWS,
                allow_writes: std::mem::take(&mut *user_asked.borrow_mut()),
            };
            let (db, sql) = (db.clone(), sql.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let ResponseBody::QueryParameters(found) = client.call(RequestBody::QueryParameters { db, sql }).await {
                    names.set(found);
                }
                let reply = client.call(RequestBody::Query(request)).await;
                if *generation.borrow() != mine {
                    return;
                }
                outcome.set(match reply {
                    ResponseBody::Query(result) => Outcome::Done(result),
                    ResponseBody::Error(e) => Outcome::Failed(e),
                    other => Outcome::Failed(ErrorReport { kind: ErrorKind::Other, message: format!("unexpected reply: {other:?}") }),
                });
            });
        });
    }

    let run = {
        let (draft, values, reruns) = (draft.clone(), values.clone(), reruns.clone());
        let db = props.db.clone();
        let limit = props.time_limit_ms;
        let names = names.clone();
        let user_asked = user_asked.clone();
        move || {
            *user_asked.borrow_mut() = true;
            // Only values for parameters the SQL still has go in the URL.
            let params: Vec<(String, String)> =
                (*values).iter().filter(|(k, _)| names.contains(k) || draft.contains(&format!(":{k}"))).cloned().collect();
            let route = Route::Query { db: db.clone(), sql: (*draft).clone(), params, time_limit_ms: limit };
            if Route::parse(&browser::location_hash()) == route {
                reruns.set(*reruns + 1);
            } else {
                browser::navigate(&route);
            }
        }
    };
    let on_submit = {
        let run = run.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            run();
        })
    };
    let on_keydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
            e.prevent_default();
            run();
        }
    });
    let on_input = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| draft.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    // Stops waiting at once; the worker's time limit stops the statement.
    let on_cancel = {
        let (outcome, generation) = (outcome.clone(), generation.clone());
        Callback::from(move |_| {
            *generation.borrow_mut() += 1;
            outcome.set(Outcome::Cancelled);
        })
    };
    let inputs: Html = names
        .iter()
        .map(|name| {
            let value = values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
            let oninput = {
                let (values, name) = (values.clone(), name.clone());
                Callback::from(move |e: InputEvent| {
                    let v = e.target_unchecked_into::<HtmlInputElement>().value();
                    let mut next: Vec<(String, String)> = (*values).iter().filter(|(k, _)| *k != name).cloned().collect();
                    next.push((name.clone(), v));
                    values.set(next);
                })
            };
            html! {
                <label class="parameter">{ format!(":{name} ") }
                    <input type="text" name={name.clone()} {value} {oninput} />
                </label>
            }
        })
        .collect();

    let result = match &*outcome {
        Outcome::Running => html! {
            <p class="muted running" aria-busy="true">{ "Running… " }<button class="link cancel" onclick={on_cancel}>{ "Cancel" }</button></p>
        },
        Outcome::Cancelled => html! { <p class="muted cancelled">{ "Cancelled. (SQLite stops the statement at the time limit.)" }</p> },
        Outcome::Failed(error) if error.kind == ErrorKind::NeedsConfirmation => {
            let run_it = {
                let (user_asked, reruns) = (user_asked.clone(), reruns.clone());
                Callback::from(move |_| {
                    *user_asked.borrow_mut() = true;
                    reruns.set(*reruns + 1);
                })
            };
            html! {
                <div class="confirm-write" role="alert">
                    <strong>{ "This SQL came with the link and would change the database" }</strong>
                    <p>{ "It has not run. Read it above; run it only if you meant to. Your copy in this tab is what changes, never the original file." }</p>
                    <button class="run-anyway" onclick={run_it}>{ "Run this statement" }</button>
                </div>
            }
        }
        Outcome::Failed(error) => html! { <ErrorBox error={error.clone()} /> },
        Outcome::Done(result) => {
            let summary = match (result.rows_changed, result.truncated) {
                (Some(changed), _) => format!("{} changed", format::rows(changed)),
                (None, true) => format!("Showing the first {} rows; the query returned more.", format::thousands(result.rows.len() as u64)),
                (None, false) => format::rows(result.rows.len() as u64),
            };
            let source = ExportSource::Query(QueryRequest {
                db: props.db.clone(),
                sql: props.sql.clone(),
                params: props.params.clone(),
                time_limit_ms: time_limit(props.time_limit_ms),
                max_rows: protocol::MAX_RETURNED_ROWS,
                allow_writes: false,
            });
            html! {
                <>
                    <p class="query-meta">
                        <span class="row-count">{ summary }</span>
                        <span class="muted">{ format!(" · {:.1} ms", result.elapsed_ms) }</span>
                    </p>
                    if !result.columns.is_empty() {
                        <ResultsTable columns={result.columns.clone()} rows={result.rows.clone()} />
                        <ExportLinks {source} name={format!("{}-query", props.db)} paged=false />
                    }
                </>
            }
        }
    };
    let db_href = Route::Database { db: props.db.clone() }.to_hash();
    html! {
        <section class="query-page">
            <p class="crumbs"><a href={db_href}>{ &props.db }</a></p>
            <h1>{ "Query" }</h1>
            <form class="sql-form" onsubmit={on_submit}>
                <label for="query-sql">{ "SQL" }</label>
                <textarea id="query-sql" rows="6" spellcheck="false" value={(*draft).clone()}
                    oninput={on_input} onkeydown={on_keydown} />
                if !names.is_empty() { <div class="parameters">{ inputs }</div> }
                <div class="form-row">
                    <button type="submit">{ "Run SQL" }</button>
                    <span class="muted">{ "Ctrl+Enter runs it too." }</span>
                </div>
            </form>
            { result }
        </section>
    }
}

/// `{table: [columns…]}` for the editor's completion.
fn completion_schema(schema: &DatabaseSchema) -> JsValue {
    let object = js_sys::Object::new();
    for table in &schema.tables {
        let columns: js_sys::Array = table.columns.iter().map(|c| JsValue::from_str(&c.name)).collect();
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(&table.name), &columns);
    }
    for view in &schema.views {
        let columns: js_sys::Array = view.columns.iter().map(|c| JsValue::from_str(c)).collect();
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(&view.name), &columns);
    }
    object.into()
}

/// Calls the page's `explorerMountEditor` (see index.html), which loads
/// the editor bundle, and keeps the handle it resolves to.
fn mount_editor(slot: std::rc::Rc<std::cell::RefCell<Option<JsValue>>>, schema: JsValue) {
    let document = browser::window().document().expect("a document");
    let Some(textarea) = document.get_element_by_id("query-sql") else { return };
    let Ok(mount) = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("explorerMountEditor")) else { return };
    let Some(mount) = mount.dyn_ref::<js_sys::Function>() else { return };
    let Ok(promise) = mount.call2(&JsValue::NULL, &textarea, &schema) else { return };
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(handle) = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await {
            *slot.borrow_mut() = Some(handle);
        }
    });
}

fn call_method(target: &JsValue, name: &str, argument: &JsValue) {
    if let Ok(method) = js_sys::Reflect::get(target, &JsValue::from_str(name)) {
        if let Some(method) = method.dyn_ref::<js_sys::Function>() {
            let _ = method.call1(target, argument);
        }
    }
}
