//! "Make searchable" on a table page: pick the text columns to index
//! (those declared as text are ticked), and the worker builds an FTS5
//! index kept in step by triggers (`engine::searchable`); the page then
//! has its search box. The index is part of the database, so it is kept
//! and downloaded with it.

use protocol::ErrorReport;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::error_box::ErrorBox;
use crate::worker_client::WorkerClient;

#[derive(Properties, PartialEq)]
pub struct MakeSearchableProps {
    pub db: String,
    pub table: String,
    pub columns: Vec<String>,
    /// Declared types of `columns`.
    pub column_types: Vec<String>,
    /// Called once the index exists (the page loads again, with search).
    pub on_done: Callback<()>,
}

#[derive(Clone, PartialEq)]
enum Status {
    Choosing,
    Working,
    Failed(ErrorReport),
}

#[function_component(MakeSearchable)]
pub fn make_searchable(props: &MakeSearchableProps) -> Html {
    let client = use_context::<WorkerClient>().expect("worker context");
    let textual = |t: &str| {
        let t = t.to_ascii_uppercase();
        t.is_empty() || t.contains("CHAR") || t.contains("TEXT") || t.contains("CLOB")
    };
    let chosen = use_state(|| {
        props
            .columns
            .iter()
            .zip(props.column_types.iter().chain(std::iter::repeat(&String::new())))
            .filter(|(_, t)| textual(t))
            .map(|(c, _)| c.clone())
            .collect::<Vec<_>>()
    });
    let status = use_state(|| Status::Choosing);
    let toggle = |column: String| {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            let mut next: Vec<String> = chosen.iter().filter(|c| **c != column).cloned().collect();
            if on {
                next.push(column.clone());
            }
            chosen.set(next);
        })
    };
    let submit = {
        let (client, status, chosen) = (client.clone(), status.clone(), chosen.clone());
        let (db, table, on_done, order) = (props.db.clone(), props.table.clone(), props.on_done.clone(), props.columns.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // In the table's order, whatever order they were ticked in.
            let columns: Vec<String> = order.iter().filter(|c| chosen.contains(c)).cloned().collect();
            let (client, status, db, table, on_done) = (client.clone(), status.clone(), db.clone(), table.clone(), on_done.clone());
            status.set(Status::Working);
            wasm_bindgen_futures::spawn_local(async move {
                match client.make_searchable(db, table, columns).await {
                    Ok(_) => on_done.emit(()),
                    Err(error) => status.set(Status::Failed(error)),
                }
            });
        })
    };
    let working = *status == Status::Working;
    html! {
        <details class="make-searchable">
            <summary>{ "Make searchable" }</summary>
            <form onsubmit={submit}>
                <p class="muted">{ "Builds a full-text index of the columns you tick, kept up to date as rows change. It is saved with this database (keep it in this browser or download it to take it along)." }</p>
                <fieldset>
                    <legend>{ "Columns to search" }</legend>
                    { for props.columns.iter().map(|c| html! {
                        <label class="choice">
                            <input type="checkbox" name={c.clone()} checked={chosen.contains(c)} onchange={toggle(c.clone())} />
                            { " " }{ c }
                        </label>
                    }) }
                </fieldset>
                <button type="submit" disabled={working || chosen.is_empty()}>
                    { if working { "Building the index…" } else { "Make it searchable" } }
                </button>
                if let Status::Failed(error) = &*status { <ErrorBox error={error.clone()} /> }
            </form>
        </details>
    }
}
