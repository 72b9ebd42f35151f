use protocol::{ErrorKind, ErrorReport, QueryRequest, QueryResult, RequestBody, ResponseBody};
use web_sys::{HtmlTextAreaElement, KeyboardEvent};
use yew::prelude::*;

use crate::browser;
use crate::components::error_box::ErrorBox;
use crate::components::results_table::ResultsTable;
use crate::format;
use crate::route::{time_limit, Route};
use crate::worker_client::WorkerClient;

#[derive(Properties, PartialEq)]
pub struct QueryPageProps {
    pub db: String,
    pub sql: String,
    pub time_limit_ms: Option<u32>,
}

#[derive(Clone, PartialEq)]
enum Outcome {
    Running,
    Done(QueryResult),
    Failed(ErrorReport),
}

/// A SQL box and its result. The SQL lives in the URL: running a query is
/// navigating to it, so every result can be bookmarked and shared.
#[function_component(QueryPage)]
pub fn query_page(props: &QueryPageProps) -> Html {
    let client = use_context::<WorkerClient>().expect("worker context");
    let draft = use_state(|| props.sql.clone());
    let outcome = use_state(|| Outcome::Running);
    let generation = use_mut_ref(|| 0u32);
    // Running the SQL already in the URL changes no route; this runs it again.
    let reruns = use_state(|| 0u32);

    {
        let draft = draft.clone();
        let outcome = outcome.clone();
        let generation = generation.clone();
        use_effect_with((props.db.clone(), props.sql.clone(), props.time_limit_ms, *reruns), move |(db, sql, limit, _)| {
            draft.set(sql.clone());
            *generation.borrow_mut() += 1;
            let mine = *generation.borrow();
            outcome.set(Outcome::Running);
            let request = QueryRequest {
                db: db.clone(),
                sql: sql.clone(),
                time_limit_ms: time_limit(*limit),
                max_rows: protocol::MAX_RETURNED_ROWS,
            };
            wasm_bindgen_futures::spawn_local(async move {
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
        let draft = draft.clone();
        let db = props.db.clone();
        let limit = props.time_limit_ms;
        let reruns = reruns.clone();
        move || {
            let route = Route::Query { db: db.clone(), sql: (*draft).clone(), time_limit_ms: limit };
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

    let result = match &*outcome {
        Outcome::Running => html! { <p class="muted running" aria-busy="true">{ "Running…" }</p> },
        Outcome::Failed(error) => html! { <ErrorBox error={error.clone()} /> },
        Outcome::Done(result) => {
            let summary = match (result.rows_changed, result.truncated) {
                (Some(changed), _) => format!("{} changed", format::rows(changed)),
                (None, true) => format!("Showing the first {} rows; the query returned more.", format::thousands(result.rows.len() as u64)),
                (None, false) => format::rows(result.rows.len() as u64),
            };
            html! {
                <>
                    <p class="query-meta">
                        <span class="row-count">{ summary }</span>
                        <span class="muted">{ format!(" · {:.1} ms", result.elapsed_ms) }</span>
                    </p>
                    if !result.columns.is_empty() {
                        <ResultsTable columns={result.columns.clone()} rows={result.rows.clone()} />
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
                <div class="form-row">
                    <button type="submit">{ "Run SQL" }</button>
                    <span class="muted">{ "Ctrl+Enter runs it too." }</span>
                </div>
            </form>
            { result }
        </section>
    }
}
