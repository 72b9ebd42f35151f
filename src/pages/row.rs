//! The row page: one row in full, and the rows elsewhere that point at it.

use protocol::RowRequest;
use yew::prelude::*;

use crate::components::cell::{CellView, Reference};
use crate::components::copy::CopyButton;
use crate::components::error_box::ErrorBox;
use crate::format;
use crate::hooks::{use_worker_call, CallState};
use crate::route::{DataFormat, Route, TableParams};

#[derive(Properties, PartialEq)]
pub struct RowPageProps {
    pub db: String,
    pub table: String,
    /// The row's key values (`key` is taken by Yew).
    pub row_key: Vec<String>,
}

/// One row in full, and the rows in other tables that point at it.
#[function_component(RowPageView)]
pub fn row_page_view(props: &RowPageProps) -> Html {
    let request = RowRequest { db: props.db.clone(), table: props.table.clone(), key: props.row_key.clone() };
    let row = use_worker_call(request, |client, request| async move { client.row(request).await });
    let (db, table) = (&props.db, &props.table);
    let body = match row.state() {
        CallState::Waiting { previous: None } | CallState::Cancelled => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
        CallState::Failed(e) => html! { <ErrorBox error={e.clone()} /> },
        CallState::Done(row) | CallState::Waiting { previous: Some(row) } => {
            let fields: Html = row
                .columns
                .iter()
                .zip(&row.values)
                .map(|(column, value)| {
                    let reference = Reference::find(db, row.links.iter().find(|l| l.column == *column), value);
                    html! { <tr><th scope="row">{ column }</th><td><CellView value={value.clone()} {reference} full=true name={column.clone()} /></td></tr> }
                })
                .collect();
            let incoming: Html = row
                .incoming
                .iter()
                .map(|link| {
                    let href = Route::link(db, &link.table, &protocol::LinkTarget::Rows(link.filter.clone())).to_hash();
                    let count = link.count.map(format::rows).unwrap_or_else(|| "Many rows".into());
                    html! { <li><a href={href}>{ format!("{count} from {}", link.table) }</a>{ format!(" where {} = {}", link.column, link.value.display()) }</li> }
                })
                .collect();
            html! {
                <>
                    <table class="row-fields">{ fields }</table>
                    <h2>{ "Links from other tables" }</h2>
                    if row.incoming.is_empty() {
                        <p class="muted">{ "No other table points at this row." }</p>
                    } else {
                        <ul class="incoming">{ incoming }</ul>
                    }
                </>
            }
        }
    };
    let table_href = Route::table(db, table, TableParams::default()).to_hash();
    // The row as one JSON object, once it has loaded.
    let copy_row = row.state().done().map(|page| {
        let page = page.clone();
        Callback::from(move |()| {
            let object: serde_json::Map<String, serde_json::Value> =
                page.columns.iter().cloned().zip(page.values.iter().map(protocol::Cell::to_json)).collect();
            serde_json::to_string_pretty(&object).unwrap_or_default()
        })
    });
    let as_data = |format| {
        let of = Route::Row { db: db.clone(), table: table.clone(), key: props.row_key.clone() };
        Route::Data { of: Box::new(of), format, shape: None, nl: false }.to_hash()
    };
    html! {
        <section class="row-page">
            <p class="crumbs"><a href={Route::Database { db: db.clone() }.to_hash()}>{ db }</a>{ " / " }<a href={table_href}>{ table }</a></p>
            <h1>{ format!("{table}: {}", props.row_key.join(", ")) }</h1>
            <p class="data-links">
                <a class="as-json" href={as_data(DataFormat::Json)}>{ "JSON" }</a>{ " · " }<a class="as-csv" href={as_data(DataFormat::Csv)}>{ "CSV" }</a>
                if let Some(copy) = copy_row { { " · " }<CopyButton label="Copy as JSON" class="copy-row" text={copy} /> }
            </p>
            { body }
        </section>
    }
}
