//! The row page: one row in full, and the rows elsewhere that point at it.

use protocol::{ErrorKind, ErrorReport, RequestBody, ResponseBody, RowPage, RowRequest};
use yew::prelude::*;

use crate::components::cell::{CellView, Reference};
use crate::components::error_box::ErrorBox;
use crate::format;
use crate::route::{Route, TableParams};
use crate::worker_client::WorkerClient;

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
    let client = use_context::<WorkerClient>().expect("worker context");
    let loaded = use_state(|| None::<Result<RowPage, ErrorReport>>);
    {
        let loaded = loaded.clone();
        use_effect_with((props.db.clone(), props.table.clone(), props.row_key.clone()), move |(db, table, key)| {
            loaded.set(None);
            let request = RowRequest { db: db.clone(), table: table.clone(), key: key.clone() };
            wasm_bindgen_futures::spawn_local(async move {
                loaded.set(Some(match client.call(RequestBody::Row(request)).await {
                    ResponseBody::Row(row) => Ok(row),
                    ResponseBody::Error(e) => Err(e),
                    other => Err(ErrorReport { kind: ErrorKind::Other, message: format!("unexpected reply: {other:?}") }),
                }));
            });
        });
    }
    let (db, table) = (&props.db, &props.table);
    let body = match &*loaded {
        None => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
        Some(Err(e)) => html! { <ErrorBox error={e.clone()} /> },
        Some(Ok(row)) => {
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
    html! {
        <section class="row-page">
            <p class="crumbs"><a href={Route::Database { db: db.clone() }.to_hash()}>{ db }</a>{ " / " }<a href={table_href}>{ table }</a></p>
            <h1>{ format!("{table}: {}", props.row_key.join(", ")) }</h1>
            { body }
        </section>
    }
}
