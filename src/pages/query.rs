//! The query page: the SQL editor, its named parameters, and the result.

use std::cell::RefCell;
use std::rc::Rc;

use protocol::{ChartSpec, ErrorKind, ExportSource, QueryRequest, QueryResult, SummarySource};
use web_sys::{HtmlInputElement, HtmlTextAreaElement, KeyboardEvent};
use yew::prelude::*;

use crate::browser;
use crate::components::chart::{ChartPanel, OpenChart};
use crate::components::copy::CopyButton;
use crate::components::error_box::ErrorBox;
use crate::components::export::ExportLinks;
use crate::components::results_table::ResultsTable;
use crate::components::summaries::SummaryToggle;
use crate::datasette_json;
use crate::format;
use crate::hooks::{use_sql_editor, use_worker_call, CallHandle, CallState};
use crate::route::{time_limit, user_time_limit, DataFormat, Route};
use crate::state::AppState;
use crate::worker_client::WorkerClient;

#[derive(Properties, PartialEq)]
pub struct QueryPageProps {
    pub db: String,
    pub sql: String,
    /// Values for the SQL's `:name` parameters, from the URL.
    pub params: Vec<(String, String)>,
    pub time_limit_ms: Option<u32>,
    /// The chart shown above the result (`_chart=…`).
    pub chart: Option<ChartSpec>,
}

type Values = Vec<(String, String)>;

/// A SQL box, inputs for its named parameters, and the result. The SQL and
/// the parameter values live in the URL: running a query is navigating to
/// it, so every result can be bookmarked and shared.
#[function_component(QueryPage)]
pub fn query_page(props: &QueryPageProps) -> Html {
    let client = use_context::<WorkerClient>().expect("worker context");
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let draft = use_state(|| props.sql.clone());
    let values = use_state(|| props.params.clone());
    use_sql_editor("query-sql", props.db.clone(), props.sql.clone(), state.database(&props.db).cloned());
    {
        let (draft, values) = (draft.clone(), values.clone());
        use_effect_with((props.sql.clone(), props.params.clone()), move |(sql, params)| {
            draft.set(sql.clone());
            values.set(params.clone());
        });
    }
    let names =
        use_worker_call((props.db.clone(), props.sql.clone()), |client, (db, sql)| async move { client.query_parameters(db, sql).await });
    let (result, own) = use_statement(props);
    let known_names: Vec<String> = names.state().done().map(|n| (**n).clone()).unwrap_or_default();
    let run = Run {
        client,
        db: props.db.clone(),
        time_limit_ms: props.time_limit_ms,
        draft: draft.clone(),
        values: values.clone(),
        known_names: known_names.clone(),
        result: result.clone(),
        own,
        chart: props.chart.clone(),
    };
    let on_input = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| draft.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    let db_href = Route::Database { db: props.db.clone() }.to_hash();
    if browser::embedded() && props.chart.is_some() {
        // An embedded chart is the chart alone.
        return outcome(props, &result, run.run_it(), run.stop());
    }
    html! {
        <section class="query-page">
            <p class="crumbs"><a href={db_href}>{ &props.db }</a></p>
            <h1>{ "Query" }</h1>
            <form class="sql-form" onsubmit={run.on_submit()}>
                <label for="query-sql">{ "SQL" }</label>
                <textarea id="query-sql" rows="6" spellcheck="false" value={(*draft).clone()}
                    oninput={on_input} onkeydown={run.on_keydown()} />
                if !known_names.is_empty() { <div class="parameters">{ parameter_inputs(&known_names, &values) }</div> }
                <div class="form-row">
                    <button type="submit">{ "Run SQL" }</button>
                    { " " }<button type="button" class="link run-unlimited" onclick={run.on_run_unlimited()}>{ "Run without time limit" }</button>
                    <span class="muted">{ " Ctrl+Enter runs it too." }</span>
                </div>
            </form>
            <crate::components::query_history::QueryHistory current={props.sql.clone()} />
            { outcome(props, &result, run.run_it(), run.stop()) }
        </section>
    }
}

/// The user's Run (a click, Ctrl+Enter): the draft and its parameter
/// values go into the URL, and the statement may change data.
#[derive(Clone)]
struct Run {
    client: WorkerClient,
    db: String,
    time_limit_ms: Option<u32>,
    draft: UseStateHandle<String>,
    values: UseStateHandle<Values>,
    /// The parameters of the SQL last run, in case the draft's cannot be read.
    known_names: Vec<String>,
    result: CallHandle<QueryResult>,
    own: OwnRun,
    /// The chart stays open across runs.
    chart: Option<ChartSpec>,
}

impl Run {
    /// `unlimited`: no time limit this once (the user has Stop).
    fn run(&self, unlimited: bool) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // Only values for parameters the SQL still has go in the URL;
            // the engine says which those are.
            let sql = (*this.draft).clone();
            let names = this.client.query_parameters(this.db.clone(), sql.clone()).await.unwrap_or(this.known_names);
            let params: Values = this.values.iter().filter(|(k, _)| names.contains(k)).cloned().collect();
            crate::components::query_history::remember(&this.db, &sql);
            let route = Route::Query { db: this.db, sql, params, time_limit_ms: this.time_limit_ms, chart: this.chart };
            *this.own.asked.borrow_mut() = true;
            *this.own.unlimited.borrow_mut() = unlimited;
            if Route::parse(&browser::location_hash()) == route {
                this.result.rerun();
            } else {
                browser::navigate(&route);
            }
        });
    }
}

impl Run {
    fn on_submit(&self) -> Callback<SubmitEvent> {
        let run = self.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            run.run(false);
        })
    }

    /// Ctrl/Cmd+Enter runs it too.
    fn on_keydown(&self) -> Callback<KeyboardEvent> {
        let run = self.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                run.run(false);
            }
        })
    }

    fn on_run_unlimited(&self) -> Callback<MouseEvent> {
        let run = self.clone();
        Callback::from(move |_| run.run(true))
    }

    /// "Run this statement": the SQL from the link, run as the user's own.
    fn run_it(&self) -> Callback<MouseEvent> {
        let (asked, result) = (self.own.asked.clone(), self.result.clone());
        Callback::from(move |_| {
            *asked.borrow_mut() = true;
            result.rerun();
        })
    }

    /// A statement in the worker cannot be interrupted from here: Stop
    /// ends the worker, and a new one reopens everything as it was.
    fn stop(&self) -> Callback<MouseEvent> {
        let (client, result) = (self.client.clone(), self.result.clone());
        Callback::from(move |_| {
            result.cancel();
            client.stop("You stopped a statement.");
        })
    }
}

/// Set by the user's own Run (click, Ctrl+Enter, "Run it"): only then may
/// the statement change data, or run longer than a link's 1 s. SQL that
/// arrives in a link reads only. `unlimited`: "Run without time limit".
/// Both are taken by the next run.
#[derive(Clone)]
struct OwnRun {
    asked: Rc<RefCell<bool>>,
    unlimited: Rc<RefCell<bool>>,
}

/// The statement in the URL, run whenever the route changes (or on
/// `rerun`), as the user's own run when `OwnRun` says so.
#[hook]
fn use_statement(props: &QueryPageProps) -> (CallHandle<QueryResult>, OwnRun) {
    let own = OwnRun { asked: use_mut_ref(|| false), unlimited: use_mut_ref(|| false) };
    let request = QueryRequest {
        db: props.db.clone(),
        sql: props.sql.clone(),
        params: props.params.clone(),
        time_limit_ms: time_limit(props.time_limit_ms),
        max_rows: protocol::MAX_RETURNED_ROWS,
        allow_writes: false,
    };
    let (taken, requested_limit) = (own.clone(), props.time_limit_ms);
    let result = use_worker_call(request, move |client, request| async move {
        let asked = std::mem::take(&mut *taken.asked.borrow_mut());
        let time_limit_ms = match (std::mem::take(&mut *taken.unlimited.borrow_mut()), asked) {
            (true, true) => protocol::NO_TIME_LIMIT,
            (_, true) => user_time_limit(requested_limit),
            (_, false) => request.time_limit_ms,
        };
        client.query(QueryRequest { allow_writes: asked, time_limit_ms, ..request }).await
    });
    (result, own)
}

/// An input per named parameter, holding its value until the next Run.
fn parameter_inputs(names: &[String], values: &UseStateHandle<Values>) -> Html {
    names
        .iter()
        .map(|name| {
            let value = values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
            let oninput = {
                let (values, name) = (values.clone(), name.clone());
                Callback::from(move |e: InputEvent| {
                    let v = e.target_unchecked_into::<HtmlInputElement>().value();
                    let mut next: Values = values.iter().filter(|(k, _)| *k != name).cloned().collect();
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
        .collect()
}

/// Where the statement stands: running (with Cancel), cancelled, waiting
/// for the user's word, failed, or its result.
fn outcome(props: &QueryPageProps, result: &CallHandle<QueryResult>, run_it: Callback<MouseEvent>, stop: Callback<MouseEvent>) -> Html {
    if props.sql.trim().is_empty() {
        return html! {
            <p class="muted query-hint" role="note">
                { "Write a query above and run it, for example: select * from " }<code>{ "a_table" }</code>{ " limit 10. The database page lists the tables." }
            </p>
        };
    }
    match result.state() {
        CallState::Waiting { .. } => html! {
            <p class="muted running" aria-busy="true">{ "Running… " }<button class="stop" onclick={stop}>{ "Stop" }</button></p>
        },
        CallState::Cancelled => html! {
            <p class="muted stopped" role="status">{ "Stopped. The statement was ended; every database you had open is being opened again as it was." }</p>
        },
        CallState::Failed(error) if error.kind == ErrorKind::NeedsConfirmation => html! {
            <div class="confirm-write" role="alert">
                <strong>{ "This SQL came with the link and would change the database" }</strong>
                <p>{ "It has not run. Read it above; run it only if you meant to. Your copy in this tab is what changes, never the original file." }</p>
                <button class="run-anyway" onclick={run_it}>{ "Run this statement" }</button>
            </div>
        },
        CallState::Failed(error) => html! { <ErrorBox error={error.clone()} /> },
        CallState::Done(result) => result_view(props, result),
    }
}

fn result_view(props: &QueryPageProps, result: &Rc<QueryResult>) -> Html {
    let summary = match (result.rows_changed, result.truncated) {
        (Some(changed), _) => format!("{} changed", format::rows(changed)),
        (None, true) => format!("Showing the first {} rows; the query returned more.", format::thousands(result.rows.len() as u64)),
        (None, false) => format::rows(result.rows.len() as u64),
    };
    let summary_request = QueryRequest {
        db: props.db.clone(),
        sql: props.sql.clone(),
        params: props.params.clone(),
        time_limit_ms: time_limit(props.time_limit_ms),
        max_rows: protocol::MAX_RETURNED_ROWS,
        allow_writes: false,
    };
    let source = ExportSource::Query(summary_request.clone());
    let copy = |to_text: fn(&[String], &[Vec<protocol::Cell>]) -> String| {
        let result = result.clone();
        Callback::from(move |()| to_text(&result.columns, &result.rows))
    };
    let route = |chart| Route::Query {
        db: props.db.clone(),
        sql: props.sql.clone(),
        params: props.params.clone(),
        time_limit_ms: props.time_limit_ms,
        chart,
    };
    let as_data = |format| Route::Data { of: Box::new(route(None)), format, shape: None, nl: false }.to_hash();
    let embedded = browser::embedded();
    let chart = (!result.columns.is_empty()).then(|| {
        let source = SummarySource::Query(summary_request.clone());
        let (db, sql, params, time_limit_ms) = (props.db.clone(), props.sql.clone(), props.params.clone(), props.time_limit_ms);
        let on_change = Callback::from(move |chart| {
            let (db, sql, params) = (db.clone(), sql.clone(), params.clone());
            browser::replace_route(&Route::Query { db, sql, params, time_limit_ms, chart })
        });
        match &props.chart {
            Some(spec) => {
                html! { <ChartPanel {source} spec={spec.clone()} columns={result.columns.clone()} {on_change} bare={embedded} /> }
            }
            None => html! { <OpenChart on_open={on_change} /> },
        }
    });
    if embedded && props.chart.is_some() {
        return html! { { for chart } };
    }
    html! {
        <>
            <p class="query-meta">
                <span class="row-count">{ summary }</span>
                <span class="muted">{ format!(" · {:.1} ms", result.elapsed_ms) }</span>
                if !result.columns.is_empty() {
                    { " · " }<a class="as-json" href={as_data(DataFormat::Json)}>{ "JSON" }</a>
                    { " · " }<a class="as-csv" href={as_data(DataFormat::Csv)}>{ "CSV" }</a>
                    { " · " }<CopyButton label="Copy as TSV" class="copy-tsv" text={copy(datasette_json::tsv)} />
                    { " · " }<CopyButton label="Copy as Markdown" class="copy-markdown" text={copy(datasette_json::markdown)} />
                }
            </p>
            if !result.columns.is_empty() {
                <SummaryToggle source={SummarySource::Query(summary_request)} />
                { for chart }
                <ExportLinks source={source.clone()} name={format!("{}-query", props.db)} paged=false class="export-top" />
                <ResultsTable columns={result.columns.clone()} rows={result.rows.clone()} sortable=true />
                <ExportLinks {source} name={format!("{}-query", props.db)} paged=false />
            }
        </>
    }
}
