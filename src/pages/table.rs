//! The table page: a table or view with search, filters, facets, sort,
//! paging, export and its SQL.

use std::rc::Rc;

use protocol::{Cursor, ErrorKind, ErrorReport, ExportSource, SortBy, SummarySource, TablePage, TablePageRequest};
use yew::prelude::*;

use crate::components::chart::{ChartPanel, OpenChart};
use crate::components::count_rows::CountRows;
use crate::components::error_box::ErrorBox;
use crate::components::export::ExportLinks;
use crate::components::facets::Facets;
use crate::components::filters::FilterBar;
use crate::components::make_searchable::MakeSearchable;
use crate::components::results_table::{ColumnMenu, ColumnReference, ResultsTable};
use crate::components::summaries::SummaryToggle;
use crate::format;
use crate::hooks::{use_worker_call, CallState};
use crate::pages::about::AboutView;
use crate::route::{time_limit, DataFormat, Route, TableParams};
use crate::state::AppState;

#[derive(Properties, PartialEq)]
pub struct TablePageProps {
    pub db: String,
    pub table: String,
    pub params: TableParams,
}

/// The request a route stands for.
pub fn request_for(db: &str, table: &str, params: &TableParams) -> Result<TablePageRequest, ErrorReport> {
    let after = match &params.next {
        Some(text) => Some(Cursor::from_url_text(text).ok_or_else(|| {
            ErrorReport::new(ErrorKind::BadRequest, format!("The page link _next={text} is not valid; start from the first page."))
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
        wheres: params.wheres.clone(),
        shown: params.shown.clone(),
        facet_size: params.facet_size.unwrap_or(protocol::DEFAULT_FACET_SIZE).clamp(1, protocol::MAX_FACET_SIZE),
    })
}

/// `params` with the table's metadata defaults: `sort`/`sort_desc` and
/// `size` where the URL says nothing; `facets` always shown, before the
/// URL's own (as Datasette does).
fn with_defaults(params: &TableParams, metadata: Option<&protocol::TableMetadata>) -> TableParams {
    let Some(metadata) = metadata else { return params.clone() };
    TableParams {
        sort: params.sort.clone().or_else(|| metadata.sort.clone()),
        facets: metadata.facets.iter().chain(&params.facets).fold(Vec::new(), |mut all, f| {
            if !all.contains(f) {
                all.push(f.clone());
            }
            all
        }),
        size: params.size.or(metadata.size),
        ..params.clone()
    }
}

/// A table or view: search, filters, facets, sortable headers with a
/// column menu, a total, keyset paging in the URL, export, and the SQL.
#[function_component(TablePageView)]
pub fn table_page_view(props: &TablePageProps) -> Html {
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let lazy = state.database(&props.db).is_some_and(|d| d.lazy);
    // A lazy table counted on request (the database page's or this page's
    // "count them") stands for an unfiltered view's total.
    let counted = state.database(&props.db).and_then(|d| d.tables.iter().find(|t| t.name == props.table)).and_then(|t| t.row_count);
    // The page comes with the view it was asked for, and is rendered from
    // that, not from the props, so the headers never describe rows not yet
    // loaded.
    // Metadata's sort, facets and size stand in where the URL says nothing.
    let params = with_defaults(&props.params, state.table_metadata(&props.db, &props.table).as_ref());
    let inputs = (props.db.clone(), props.table.clone(), params.clone());
    let page = use_worker_call(inputs, |client, (db, table, params)| async move {
        let request = request_for(&db, &table, &params)?;
        Ok((client.table_page(request).await?, params))
    });
    // Suggestions are background work in the worker (a column at a time,
    // after the page), asked for with the page and dropped with its view.
    let suggest_for = request_for(&props.db, &props.table, &params).ok();
    let suggested = use_worker_call(suggest_for, |client, request| async move {
        match request {
            Some(request) => client.suggest_facets(request).await,
            None => Ok(Vec::new()),
        }
    });

    let reload = {
        let page = page.clone();
        Callback::from(move |()| page.rerun())
    };
    let (db, table) = (&props.db, &props.table);
    let suggested_now = || suggested.state().done().map(|s| (**s).clone()).unwrap_or_default();
    let body = match page.state() {
        // The view asked for before stays, dimmed, until this one is ready:
        // a sort or a page change never blanks the page. The tree keeps its
        // shape either way, so going stale and back only changes a class.
        CallState::Done(loaded) | CallState::Waiting { previous: Some(loaded) } => {
            let waiting = matches!(page.state(), CallState::Waiting { .. });
            let suggested = if waiting { Vec::new() } else { suggested_now() };
            html! {
                <div class={classes!("page-body", waiting.then_some("stale"))} aria-busy={waiting.then_some("true")}>
                    <p class="loading-bar" role="status" hidden={!waiting}>{ "Loading…" }</p>
                    { page_body(db, table, &loaded.0, &loaded.1, suggested, lazy.then_some(counted), reload.clone()) }
                </div>
            }
        }
        CallState::Waiting { previous: None } | CallState::Cancelled => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
        CallState::Failed(error) => html! { <ErrorBox error={error.clone()} /> },
    };
    let db_href = Route::Database { db: db.clone() }.to_hash();
    let about = state.table_metadata(db, table);
    let compare_href = compare_with(&state, db, table).to_hash();
    html! {
        <section class="table-page">
            <p class="crumbs"><a href={db_href}>{ db }</a></p>
            <h1>{ about.as_ref().and_then(|t| t.about.title.clone()).unwrap_or_else(|| table.clone()) }</h1>
            if let Some(t) = &about { <AboutView about={t.about.clone()} columns={t.columns.clone()} /> }
            if !props.params.ignored.is_empty() {
                // A Datasette link with parameters this app does not have:
                // said, never silently dropped.
                <p class="notice ignored-params" role="note">
                    { format!("Not supported here, so ignored: {}.", props.params.ignored.join(", ")) }
                </p>
            }
            { body }
            if !crate::browser::embedded() {
                <p class="compare-with"><a href={compare_href}>{ "Compare with another version…" }</a></p>
            }
        </section>
    }
}

/// The comparison of this table with the open table (or view) that has
/// the most of its columns: likely its other version (`?csv=2024.csv&csv=2025.csv`).
fn compare_with(state: &AppState, db: &str, table: &str) -> Route {
    let this = protocol::TableRef { db: db.to_string(), table: table.to_string() };
    let columns_of = |d: &protocol::DatabaseSchema, t: &str| -> Vec<String> {
        let table = d.tables.iter().find(|x| x.name == t).map(|x| x.columns.iter().map(|c| c.name.clone()).collect());
        table.or_else(|| d.views.iter().find(|v| v.name == t).map(|v| v.columns.clone())).unwrap_or_default()
    };
    let mine = state.database(db).map(|d| columns_of(d, table)).unwrap_or_default();
    let best = state
        .databases
        .iter()
        .flat_map(|d| d.tables.iter().filter(|t| !t.hidden).map(move |t| (d, t.name.clone())))
        .filter(|(d, t)| !(d.name == db && t == table))
        .map(|(d, t)| {
            let shared = columns_of(d, &t).iter().filter(|c| mine.contains(c)).count();
            (shared, protocol::TableRef { db: d.name.clone(), table: t })
        })
        .filter(|(shared, _)| *shared > 0)
        .max_by_key(|(shared, _)| *shared)
        .map(|(_, other)| other);
    Route::Compare { left: Some(this), right: best, key: vec![], size: None, page: None }
}

/// The links a column header's menu offers for this view.
fn column_menu(db: &str, table: &str, params: &TableParams) -> ColumnMenu {
    let href = {
        let (db, table) = (db.to_string(), table.to_string());
        move |p: TableParams| Route::table(&db, &table, p).to_hash()
    };
    let (sorted, faceted, hidden) = (href.clone(), href.clone(), href);
    let (p1, p2, p3) = (params.clone(), params.clone(), params.clone());
    ColumnMenu {
        current: params.sort.clone(),
        sort_href: Callback::from(move |sort: SortBy| sorted(TableParams { sort: Some(sort), ..p1.first_page() })),
        facet_href: Callback::from(move |column: String| {
            let wanted = protocol::FacetRequest { column, kind: protocol::FacetKind::Column };
            faceted(if p2.facets.contains(&wanted) { p2.clone() } else { p2.toggle_facet(wanted) })
        }),
        hide_href: Callback::from(move |column: String| {
            let mut p = p3.clone();
            p.hidden.push(column);
            hidden(p)
        }),
    }
}

/// The declared type of each of the table's columns, `?` for those not
/// shown (hidden with `_col`/`_nocol`: their type was not sent).
fn all_column_types(page: &TablePage) -> Vec<String> {
    page.all_columns
        .iter()
        .map(|c| page.columns.iter().position(|s| s == c).and_then(|i| page.column_types.get(i).cloned()).unwrap_or_else(|| "?".into()))
        .collect()
}

/// A loaded page: filters, facets, the total, the rows, the pager, export.
/// `lazy`: the database is read from its server as needed, so the total is
/// only counted when the user asks (it reads the whole table); inside, the
/// table's count if it was asked for already.
fn page_body(
    db: &str,
    table: &str,
    page: &TablePage,
    params: &TableParams,
    suggested: Vec<protocol::FacetRequest>,
    lazy: Option<Option<u64>>,
    reload: Callback<()>,
) -> Html {
    // Embedded in another page: the rows, the pager, little else.
    let embedded = crate::browser::embedded();
    let href = |p: TableParams| Route::table(db, table, p).to_hash();
    let total = match page.total {
        Some(n) => html! { format::rows(n) },
        None => match lazy {
            Some(Some(n)) if params.filters.is_empty() && params.search.is_none() => html! { format::rows(n) },
            Some(_) => html! {
                <>
                    { "Rows not counted (it reads the whole table from its server): " }
                    <CountRows db={db.to_string()} table={table.to_string()} params={params.clone()} />
                </>
            },
            None => html! { "Too many rows to count quickly" },
        },
    };
    let next = page.next.as_ref().map(|cursor| href(TableParams { next: Some(cursor.to_url_text()), ..params.clone() }));
    let first = params.next.is_some().then(|| href(params.first_page()));
    let edit_sql = Route::Query { db: db.to_string(), sql: page.sql.clone(), params: vec![], time_limit_ms: None, chart: None }.to_hash();
    let row_links: Vec<String> =
        page.row_keys.iter().map(|key| Route::Row { db: db.to_string(), table: table.to_string(), key: key.clone() }.to_hash()).collect();
    let references: Vec<Option<ColumnReference>> = page
        .columns
        .iter()
        .map(|c| {
            let links = page.links.iter().find(|l| l.column == *c)?;
            Some(ColumnReference { db: db.to_string(), links: Rc::new(links.clone()) })
        })
        .collect();
    let show_all = (!params.hidden.is_empty() || !params.shown.is_empty())
        .then(|| href(TableParams { hidden: vec![], shown: vec![], ..params.clone() }));
    let as_data = |format| Route::Data { of: Box::new(Route::table(db, table, params.clone())), format, shape: None, nl: false }.to_hash();
    let without_wheres = (!params.wheres.is_empty()).then(|| href(TableParams { wheres: vec![], ..params.first_page() }));
    let export_request = request_for(db, table, params).ok().map(ExportSource::Table);
    let summary_source = request_for(db, table, params).ok().map(SummarySource::Table);
    let chart = summary_source.clone().map(|source| {
        let (db, table, view) = (db.to_string(), table.to_string(), params.clone());
        let on_change =
            Callback::from(move |chart| crate::browser::replace_route(&Route::table(&db, &table, TableParams { chart, ..view.clone() })));
        match &params.chart {
            Some(spec) => html! {
                <ChartPanel {source} spec={spec.clone()} columns={page.columns.clone()} {on_change} bare={embedded} />
            },
            None if embedded => html! {},
            None => html! { <OpenChart on_open={on_change} /> },
        }
    });
    if embedded && params.chart.is_some() {
        // An embedded chart is the chart alone.
        return html! { { for chart } };
    }
    let menu = column_menu(db, table, params);
    html! {
        <>
            if !embedded {
                <FilterBar db={db.to_string()} table={table.to_string()} params={params.clone()}
                    columns={page.all_columns.clone()} fts_table={page.fts_table.clone()} />
                <Facets db={db.to_string()} table={table.to_string()} params={params.clone()}
                    facets={page.facets.clone()} {suggested} />
            }
            // A table (it has a key; a view has none) of a database held
            // here, with no search index yet.
            if !embedded && page.fts_table.is_none() && !page.key_columns.is_empty() && lazy.is_none() {
                <MakeSearchable db={db.to_string()} table={table.to_string()} columns={page.all_columns.clone()}
                    column_types={all_column_types(page)} on_done={reload} />
            }
            <p class="table-meta">
                <span class="total">{ total }</span>
                if !page.description.is_empty() { <span class="description">{ " " }{ &page.description }</span> }
                if let Some(without) = without_wheres { { " " }<a class="remove-where" href={without}>{ "(remove the _where conditions)" }</a> }
                { " · " }
                <a class="edit-sql" href={edit_sql}>{ "View and edit SQL" }</a>
                { " · " }<a class="as-json" href={as_data(DataFormat::Json)}>{ "JSON" }</a>
                { " · " }<a class="as-csv" href={as_data(DataFormat::Csv)}>{ "CSV" }</a>
                if let Some(show_all) = show_all { { " · " }<a class="show-all" href={show_all}>{ "Show all columns" }</a> }
            </p>
            if let (Some(source), false) = (summary_source, embedded) { <SummaryToggle {source} /> }
            { for chart }
            // Export above the rows too, so a long page need not be
            // scrolled through to save it.
            if let (Some(source), false) = (export_request.clone(), embedded) {
                <ExportLinks {source} name={table.to_string()} class="export-top" />
            }
            // The pager above the rows too, so a long page need not be
            // scrolled through to move on.
            if !embedded && (first.is_some() || next.is_some()) {
                <nav class="pager pager-top" aria-label="Pages, above the rows">
                    if let Some(first) = first.clone() { <a class="first-page" href={first}>{ "First page" }</a> }
                    if let Some(next) = next.clone() { <a class="next-page" href={next}>{ "Next page" }</a> }
                </nav>
            }
            if page.rows.is_empty() {
                <p class="muted">{ "No rows." }</p>
            } else {
                <ResultsTable columns={page.columns.clone()} rows={page.rows.clone()} menu={Some(menu)} {row_links} {references} />
            }
            <nav class="pager" aria-label="Pages, below the rows">
                if let Some(first) = first { <a class="first-page" href={first}>{ "First page" }</a> }
                if let Some(next) = next { <a class="next-page" href={next}>{ "Next page" }</a> }
            </nav>
            if let (Some(source), false) = (export_request, embedded) { <ExportLinks {source} name={table.to_string()} /> }
            if !embedded && !page.schema_sql.is_empty() {
                <details class="schema-sql">
                    <summary>{ "Schema: the statements that made this table and its indexes" }</summary>
                    <pre>{ page.schema_sql.join(";\n\n") + ";" }</pre>
                </details>
            }
        </>
    }
}
