//! A view's data as Datasette's JSON or as CSV (`#/db/table.json`,
//! `#/db.json?sql=…`, `#/db/table/key.csv`…): shown as text, with the
//! shapes to switch between and a Download button. The text is made by
//! `datasette_json` from what the worker answered for the view.

use protocol::{ErrorKind, ErrorReport, QueryRequest, QueryResult, RowPage, RowRequest, TablePage};
use yew::prelude::*;

use crate::browser;
use crate::components::error_box::ErrorBox;
use crate::datasette_json::{self, Shape, TableView};
use crate::hooks::{use_worker_call, CallState};
use crate::pages::table::request_for;
use crate::route::{time_limit, DataFormat, Route, TableParams};
use crate::state::AppState;

#[derive(Properties, PartialEq)]
pub struct DataViewProps {
    /// The view whose data this is (a table, query, row or database).
    pub of: Route,
    pub format: DataFormat,
    pub shape: Option<String>,
    pub nl: bool,
}

/// What the worker answered for the view.
enum Loaded {
    Table(Box<TablePage>),
    Query(QueryResult),
    Row(RowPage),
    /// The database's schema is in the state already.
    Database,
}

#[function_component(DataView)]
pub fn data_view(props: &DataViewProps) -> Html {
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let loaded = use_worker_call(props.of.clone(), |client, of| async move {
        Ok(match of {
            Route::Table { db, table, params } => Loaded::Table(Box::new(client.table_page(request_for(&db, &table, &params)?).await?)),
            Route::Query { db, sql, params, time_limit_ms, .. } => Loaded::Query(
                client
                    .query(QueryRequest {
                        db,
                        sql,
                        params,
                        time_limit_ms: time_limit(time_limit_ms),
                        max_rows: protocol::MAX_RETURNED_ROWS,
                        // A link never writes.
                        allow_writes: false,
                    })
                    .await?,
            ),
            Route::Row { db, table, key } => Loaded::Row(client.row(RowRequest { db, table, key }).await?),
            _ => Loaded::Database,
        })
    });
    let text = match (loaded.state(), Shape::parse(props.shape.as_deref())) {
        (_, Err(message)) => Err(ErrorReport::new(ErrorKind::BadRequest, message)),
        (CallState::Failed(error), _) => Err(error.clone()),
        (CallState::Done(loaded), Ok(shape)) => render(&state, &props.of, loaded, props.format, shape, props.nl),
        _ => return html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
    };
    let (name, mime) = match props.format {
        DataFormat::Json if props.nl => ("ndjson", "application/x-ndjson"),
        DataFormat::Json => ("json", "application/json"),
        DataFormat::Csv => ("csv", "text/csv"),
    };
    let title = title_of(&props.of);
    let download = text.as_ref().ok().map(|text| {
        let (text, file_name) = (text.clone(), format!("{}.{name}", title.replace(['/', '\\'], "_")));
        Callback::from(move |_| browser::download(&js_sys::Array::of1(&text.as_str().into()), &file_name, mime))
    });
    let with = |format: DataFormat, shape: Option<Shape>, nl: bool| {
        Route::Data { of: Box::new(props.of.clone()), format, shape: shape.map(|s| s.name().to_string()), nl }.to_hash()
    };
    let current = Shape::parse(props.shape.as_deref()).unwrap_or_default();
    let shapes: Html = if props.format == DataFormat::Json {
        Shape::ALL
            .into_iter()
            .map(|shape| (shape, false))
            .chain([(Shape::Array, true)])
            .map(|(shape, nl)| {
                let label = if nl { "array, one per line".to_string() } else { shape.name().to_string() };
                let chosen = shape == current && nl == props.nl;
                html! { <>{ " " }<a href={with(DataFormat::Json, Some(shape), nl)} aria-current={chosen.then_some("true")}>{ label }</a></> }
            })
            .collect()
    } else {
        html! {}
    };
    html! {
        <section class="data-view">
            <p class="crumbs"><a href={props.of.to_hash()}>{ format!("Back to {title}") }</a></p>
            <h1>{ format!("{title} as {}", if props.format == DataFormat::Json { "JSON" } else { "CSV" }) }</h1>
            <p class="data-formats">
                <a href={with(DataFormat::Json, None, false)}>{ "JSON" }</a>{ " · " }<a href={with(DataFormat::Csv, None, false)}>{ "CSV" }</a>
                if props.format == DataFormat::Json { { " · _shape:" }{ shapes } }
            </p>
            { match (&text, download) {
                (Ok(text), Some(download)) => html! {
                    <>
                        <p><button class="download-data" onclick={download}>{ format!("Download .{name}") }</button></p>
                        <pre class="data-text">{ text }</pre>
                    </>
                },
                (Err(error), _) => html! { <ErrorBox error={error.clone()} /> },
                _ => html! {},
            } }
        </section>
    }
}

/// The view's name, for the title and the file name.
fn title_of(of: &Route) -> String {
    match of {
        Route::Table { table, .. } => table.clone(),
        Route::Row { table, key, .. } => format!("{table} {}", key.join(",")),
        Route::Query { db, .. } => format!("{db} query"),
        Route::Database { db } => db.clone(),
        Route::Home | Route::Data { .. } | Route::Compare { .. } => "data".into(),
    }
}

fn render(state: &AppState, of: &Route, loaded: &Loaded, format: DataFormat, shape: Shape, nl: bool) -> Result<String, ErrorReport> {
    let bad = |message: String| ErrorReport::new(ErrorKind::BadRequest, message);
    match (of, loaded) {
        (Route::Table { db, table, params }, Loaded::Table(page)) => match format {
            DataFormat::Csv => Ok(datasette_json::csv(&page.columns, &page.rows)),
            DataFormat::Json => {
                let is_view = state.database(db).is_some_and(|d| d.views.iter().any(|v| v.name == *table));
                let next_url = page.next.as_ref().map(|cursor| {
                    let next = TableParams { next: Some(cursor.to_url_text()), ..params.clone() };
                    let of = Route::table(db, table, next);
                    Route::Data { of: Box::new(of), format, shape: Some(shape.name().into()), nl }.to_hash()
                });
                datasette_json::table(&TableView { db, table, is_view, page, next_url }, shape, nl).map_err(bad)
            }
        },
        (Route::Query { db, sql, params, .. }, Loaded::Query(result)) => match format {
            DataFormat::Csv => Ok(datasette_json::csv(&result.columns, &result.rows)),
            DataFormat::Json => datasette_json::query(db, sql, params, result, shape, nl).map_err(bad),
        },
        (Route::Row { db, table, key }, Loaded::Row(row)) => match format {
            DataFormat::Csv => Ok(datasette_json::csv(&row.columns, std::slice::from_ref(&row.values))),
            DataFormat::Json => datasette_json::row(db, table, key, row, shape, nl).map_err(bad),
        },
        (Route::Database { db }, _) => match (format, state.database(db)) {
            (DataFormat::Json, Some(schema)) => Ok(datasette_json::database(schema)),
            (DataFormat::Csv, _) => Err(bad("CSV is for a table, a row or a query; a database has JSON (its tables).".into())),
            (_, None) => Err(ErrorReport::new(ErrorKind::NotFound, format!("No database named {db:?} is open."))),
        },
        _ => Err(bad("This address names no data.".into())),
    }
}
