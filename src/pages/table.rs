use protocol::{Cursor, ErrorKind, ErrorReport, RequestBody, ResponseBody, SortBy, TablePage, TablePageRequest};
use yew::prelude::*;

use crate::components::error_box::ErrorBox;
use crate::components::results_table::{ResultsTable, SortLinks};
use crate::format;
use crate::route::{time_limit, Route, TableParams};
use crate::worker_client::WorkerClient;

#[derive(Properties, PartialEq)]
pub struct TablePageProps {
    pub db: String,
    pub table: String,
    pub params: TableParams,
}

#[derive(Clone, PartialEq)]
enum Loaded {
    Waiting,
    Page(TablePage),
    Failed(ErrorReport),
}

/// One page of a table or view: sortable headers, a total, a link to the
/// next page (keyset cursor in the URL), and the SQL behind it.
#[function_component(TablePageView)]
pub fn table_page_view(props: &TablePageProps) -> Html {
    let client = use_context::<WorkerClient>().expect("worker context");
    let loaded = use_state(|| Loaded::Waiting);
    // Replies to superseded requests (the user clicked on) are dropped.
    let generation = use_mut_ref(|| 0u32);

    {
        let loaded = loaded.clone();
        let generation = generation.clone();
        use_effect_with((props.db.clone(), props.table.clone(), props.params.clone()), move |(db, table, params)| {
            *generation.borrow_mut() += 1;
            let mine = *generation.borrow();
            loaded.set(Loaded::Waiting);
            let after = match &params.next {
                Some(text) => match Cursor::from_url_text(text) {
                    Some(c) => Some(c),
                    None => {
                        loaded.set(Loaded::Failed(ErrorReport {
                            kind: ErrorKind::BadRequest,
                            message: format!("The page link _next={text} is not valid; start from the first page."),
                        }));
                        return;
                    }
                },
                None => None,
            };
            let request = TablePageRequest {
                db: db.clone(),
                table: table.clone(),
                sort: params.sort.clone(),
                after,
                page_size: params.size.unwrap_or(protocol::DEFAULT_PAGE_SIZE).clamp(1, protocol::MAX_PAGE_SIZE),
                time_limit_ms: time_limit(params.time_limit_ms),
            };
            wasm_bindgen_futures::spawn_local(async move {
                let reply = client.call(RequestBody::TablePage(request)).await;
                if *generation.borrow() != mine {
                    return;
                }
                loaded.set(match reply {
                    ResponseBody::TablePage(page) => Loaded::Page(page),
                    ResponseBody::Error(e) => Loaded::Failed(e),
                    other => Loaded::Failed(ErrorReport { kind: ErrorKind::Other, message: format!("unexpected reply: {other:?}") }),
                });
            });
        });
    }

    let route_with = |params: TableParams| Route::Table { db: props.db.clone(), table: props.table.clone(), params };
    let sort_links = {
        let db = props.db.clone();
        let table = props.table.clone();
        let params = props.params.clone();
        SortLinks {
            current: props.params.sort.clone(),
            href: Callback::from(move |sort: SortBy| {
                // A new sort starts from the first page.
                let params = TableParams { sort: Some(sort), next: None, ..params.clone() };
                Route::Table { db: db.clone(), table: table.clone(), params }.to_hash()
            }),
        }
    };

    let body = match &*loaded {
        Loaded::Waiting => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
        Loaded::Failed(error) => html! { <ErrorBox error={error.clone()} /> },
        Loaded::Page(page) => {
            let total = match page.total {
                Some(n) => format::rows(n),
                None => "Too many rows to count quickly".into(),
            };
            let next = page.next.as_ref().map(|cursor| {
                route_with(TableParams { next: Some(cursor.to_url_text()), ..props.params.clone() }).to_hash()
            });
            let first = props.params.next.is_some().then(|| route_with(TableParams { next: None, ..props.params.clone() }).to_hash());
            let edit_sql = Route::Query { db: props.db.clone(), sql: page.sql.clone(), time_limit_ms: None }.to_hash();
            html! {
                <>
                    <p class="table-meta">
                        <span class="total">{ total }</span>
                        { " · " }
                        <a class="edit-sql" href={edit_sql}>{ "View and edit SQL" }</a>
                    </p>
                    if page.rows.is_empty() {
                        <p class="muted">{ "No rows." }</p>
                    } else {
                        <ResultsTable columns={page.columns.clone()} rows={page.rows.clone()} sort={Some(sort_links)} />
                    }
                    <nav class="pager">
                        if let Some(first) = first { <a class="first-page" href={first}>{ "First page" }</a> }
                        if let Some(next) = next { <a class="next-page" href={next}>{ "Next page" }</a> }
                    </nav>
                </>
            }
        }
    };
    let db_href = Route::Database { db: props.db.clone() }.to_hash();
    html! {
        <section class="table-page">
            <p class="crumbs"><a href={db_href}>{ &props.db }</a></p>
            <h1>{ &props.table }</h1>
            { body }
        </section>
    }
}
