//! The table page: a table or view with search, filters, facets, sort,
//! paging, export and its SQL.

use std::rc::Rc;

use protocol::{Cursor, ErrorKind, ErrorReport, ExportSource, RequestBody, ResponseBody, SortBy, TablePage, TablePageRequest};
use yew::prelude::*;

use crate::components::error_box::ErrorBox;
use crate::components::export::ExportLinks;
use crate::components::facets::Facets;
use crate::components::filters::FilterBar;
use crate::components::results_table::{ColumnMenu, ColumnReference, ResultsTable};
use crate::format;
use crate::pages::about::AboutView;
use crate::route::{time_limit, Route, TableParams};
use crate::state::AppState;
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
    /// A page and the view it was asked for: rendered from these, not from
    /// the props, so the headers never describe rows not yet loaded.
    Page(Rc<TablePage>, TableParams),
    Failed(ErrorReport),
}

/// The request a route stands for.
pub fn request_for(db: &str, table: &str, params: &TableParams) -> Result<TablePageRequest, ErrorReport> {
    let after = match &params.next {
        Some(text) => Some(Cursor::from_url_text(text).ok_or_else(|| ErrorReport {
            kind: ErrorKind::BadRequest,
            message: format!("The page link _next={text} is not valid; start from the first page."),
        })?),
        None => None,
    };
    Ok(TablePageRequest {
        db: db.into(),
        table: table.into(),
        sort: params.sort.clone(),
        after,
        page_size: params.size.unwrap_or(protocol::DEFAULT_PAGE_SIZE).clamp(1, protocol::MAX_PAGE_SIZE),
        time_limit_ms: time_limit(params.time_limit_ms),
        filters: params.filters.clone(),
        search: params.search.clone().map(|query| protocol::Search { query, raw: params.search_raw }),
        facets: params.facets.clone(),
        hidden: params.hidden.clone(),
        suggest_facets: false,
    })
}

/// A table or view: search, filters, facets, sortable headers with a
/// column menu, a total, keyset paging in the URL, export, and the SQL.
#[function_component(TablePageView)]
pub fn table_page_view(props: &TablePageProps) -> Html {
    let client = use_context::<WorkerClient>().expect("worker context");
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let loaded = use_state(|| Loaded::Waiting);
    let suggested = use_state(Vec::<protocol::FacetRequest>::new);
    // Replies to superseded requests (the user clicked on) are dropped.
    let generation = use_mut_ref(|| 0u32);

    {
        let loaded = loaded.clone();
        let suggested = suggested.clone();
        let generation = generation.clone();
        use_effect_with((props.db.clone(), props.table.clone(), props.params.clone()), move |(db, table, params)| {
            *generation.borrow_mut() += 1;
            let mine = *generation.borrow();
            loaded.set(Loaded::Waiting);
            match request_for(db, table, params) {
                Err(e) => loaded.set(Loaded::Failed(e)),
                Ok(request) => {
                    let params = params.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let reply = client.call(RequestBody::TablePage(request.clone())).await;
                        if *generation.borrow() != mine {
                            return;
                        }
                        let page_loaded = matches!(reply, ResponseBody::TablePage(_));
                        loaded.set(match reply {
                            ResponseBody::TablePage(page) => Loaded::Page(Rc::new(page), params),
                            ResponseBody::Error(e) => Loaded::Failed(e),
                            other => {
                                Loaded::Failed(ErrorReport { kind: ErrorKind::Other, message: format!("unexpected reply: {other:?}") })
                            }
                        });
                        suggested.set(Vec::new());
                        if page_loaded {
                            if let ResponseBody::SuggestedFacets(found) = client.call(RequestBody::SuggestFacets(request)).await {
                                if *generation.borrow() == mine {
                                    suggested.set(found);
                                }
                            }
                        }
                    })
                }
            }
        });
    }

    let (db, table) = (&props.db, &props.table);
    // Embedded in another page: the rows, the pager, little else.
    let embedded = crate::browser::embedded();
    let href = |p: TableParams| Route::table(db, table, p).to_hash();
    let body = match &*loaded {
        Loaded::Waiting => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
        Loaded::Failed(error) => html! { <ErrorBox error={error.clone()} /> },
        Loaded::Page(page, params) => {
            let total = match page.total {
                Some(n) => format::rows(n),
                None => "Too many rows to count quickly".into(),
            };
            let next = page.next.as_ref().map(|cursor| href(TableParams { next: Some(cursor.to_url_text()), ..params.clone() }));
            let first = params.next.is_some().then(|| href(params.first_page()));
            let edit_sql = Route::Query { db: db.clone(), sql: page.sql.clone(), params: vec![], time_limit_ms: None }.to_hash();
            let menu = {
                let (d, t, p) = (db.clone(), table.clone(), params.clone());
                let (d2, t2, p2) = (db.clone(), table.clone(), params.clone());
                let (d3, t3, p3) = (db.clone(), table.clone(), params.clone());
                ColumnMenu {
                    current: params.sort.clone(),
                    sort_href: Callback::from(move |sort: SortBy| {
                        Route::table(&d, &t, TableParams { sort: Some(sort), ..p.first_page() }).to_hash()
                    }),
                    facet_href: Callback::from(move |column: String| {
                        let facet = protocol::FacetRequest { column, kind: protocol::FacetKind::Column };
                        let p = if p2.facets.contains(&facet) { p2.clone() } else { p2.toggle_facet(facet) };
                        Route::table(&d2, &t2, p).to_hash()
                    }),
                    hide_href: Callback::from(move |column: String| {
                        let mut p = p3.clone();
                        p.hidden.push(column);
                        Route::table(&d3, &t3, p).to_hash()
                    }),
                }
            };
            let row_links: Vec<String> =
                page.row_keys.iter().map(|key| Route::Row { db: db.clone(), table: table.clone(), key: key.clone() }.to_hash()).collect();
            let references: Vec<Option<ColumnReference>> = page
                .columns
                .iter()
                .map(|c| {
                    let links = page.links.iter().find(|l| l.column == *c)?;
                    Some(ColumnReference { db: db.clone(), links: Rc::new(links.clone()) })
                })
                .collect();
            let show_all = (!params.hidden.is_empty()).then(|| href(TableParams { hidden: vec![], ..params.clone() }));
            let export_request = request_for(db, table, params).ok().map(ExportSource::Table);
            html! {
                <>
                    if !embedded {
                        <FilterBar db={db.clone()} table={table.clone()} params={params.clone()}
                            columns={page.all_columns.clone()} fts_table={page.fts_table.clone()} />
                        <Facets db={db.clone()} table={table.clone()} params={params.clone()}
                            facets={page.facets.clone()} suggested={(*suggested).clone()} />
                    }
                    <p class="table-meta">
                        <span class="total">{ total }</span>
                        if !page.description.is_empty() { <span class="description">{ " " }{ &page.description }</span> }
                        { " · " }
                        <a class="edit-sql" href={edit_sql}>{ "View and edit SQL" }</a>
                        if let Some(show_all) = show_all { { " · " }<a class="show-all" href={show_all}>{ "Show all columns" }</a> }
                    </p>
                    if page.rows.is_empty() {
                        <p class="muted">{ "No rows." }</p>
                    } else {
                        <ResultsTable columns={page.columns.clone()} rows={page.rows.clone()} menu={Some(menu)} {row_links} {references} />
                    }
                    <nav class="pager">
                        if let Some(first) = first { <a class="first-page" href={first}>{ "First page" }</a> }
                        if let Some(next) = next { <a class="next-page" href={next}>{ "Next page" }</a> }
                    </nav>
                    if let (Some(source), false) = (export_request, embedded) { <ExportLinks {source} name={table.clone()} /> }
                </>
            }
        }
    };
    let db_href = Route::Database { db: db.clone() }.to_hash();
    let about = state.table_metadata(db, table);
    html! {
        <section class="table-page">
            <p class="crumbs"><a href={db_href}>{ db }</a></p>
            <h1>{ about.as_ref().and_then(|t| t.about.title.clone()).unwrap_or_else(|| table.clone()) }</h1>
            if let Some(t) = &about { <AboutView about={t.about.clone()} columns={t.columns.clone()} /> }
            { body }
        </section>
    }
}
