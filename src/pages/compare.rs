//! Comparing two tables, as csv-diff compares two versions of a CSV: pick
//! the two (any open databases) and the key (guessed when not given), and
//! see rows added, removed and changed, the changed fields old → new, and
//! columns added or removed; download the difference as JSON (csv-diff's
//! shape) or CSV. The worker compares in SQL (`engine::compare`). Every
//! choice is in the URL (`#/-/compare?left=db/t&right=db/u&key=id`).

use protocol::{Cell, CompareRequest, CompareResult, RowGroup, TableRef, MAX_COMPARE_ROWS};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::error_box::ErrorBox;
use crate::components::results_table::ResultsTable;
use crate::hooks::{use_worker_call, CallState};
use crate::route::Route;
use crate::state::AppState;
use crate::worker_client::WorkerClient;
use crate::{browser, diff_export, format};

/// Rows shown per group unless `_size` says.
const SHOWN: u32 = 50;
/// The most rows a page shows per group (`_size`); a download has all
/// (up to `MAX_COMPARE_ROWS`).
const MOST_SHOWN: u32 = 1000;

#[derive(Properties, PartialEq)]
pub struct ComparePageProps {
    pub left: Option<TableRef>,
    pub right: Option<TableRef>,
    /// The key's columns (`key` is a name Yew keeps for itself).
    pub key_columns: Vec<String>,
    pub size: Option<u32>,
    /// From 1.
    pub page: Option<u32>,
}

#[function_component(ComparePage)]
pub fn compare_page(props: &ComparePageProps) -> Html {
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let client = use_context::<WorkerClient>().expect("worker context");
    // Every table and view of every open database, with its columns.
    let tables: Vec<(TableRef, Vec<String>)> = state
        .databases
        .iter()
        .flat_map(|d| {
            let tables =
                d.tables.iter().filter(|t| !t.hidden).map(|t| (t.name.clone(), t.columns.iter().map(|c| c.name.clone()).collect()));
            let views = d.views.iter().map(|v| (v.name.clone(), v.columns.clone()));
            tables.chain(views).map(|(table, columns)| (TableRef { db: d.name.clone(), table }, columns)).collect::<Vec<_>>()
        })
        .collect();
    let size = props.size.unwrap_or(SHOWN).clamp(1, MOST_SHOWN);
    let offset = u64::from(props.page.unwrap_or(1).max(1) - 1) * u64::from(size);
    let request = match (&props.left, &props.right) {
        (Some(left), Some(right)) => {
            Some(CompareRequest { left: left.clone(), right: right.clone(), key: props.key_columns.clone(), limit: size, offset })
        }
        _ => None,
    };
    let result = use_worker_call(request.clone(), |client, request| async move {
        match request {
            Some(request) => client.compare(request).await.map(Some),
            None => Ok(None),
        }
    });
    let go = {
        let (left, right, key) = (props.left.clone(), props.right.clone(), props.key_columns.clone());
        move |change: &dyn Fn(&mut Route)| {
            let mut route = Route::Compare { left: left.clone(), right: right.clone(), key: key.clone(), size: None, page: None };
            change(&mut route);
            browser::replace_route(&route);
        }
    };
    let columns_of =
        |t: &Option<TableRef>| t.as_ref().and_then(|t| tables.iter().find(|(r, _)| r == t)).map(|(_, c)| c.clone()).unwrap_or_default();
    let (left_columns, right_columns) = (columns_of(&props.left), columns_of(&props.right));
    let common: Vec<String> = left_columns.iter().filter(|c| right_columns.contains(c)).cloned().collect();
    let done = result.state().latest().and_then(|r| (**r).clone());
    // The key in use: the URL's, else the one the engine guessed.
    let key: Vec<String> =
        if props.key_columns.is_empty() { done.as_ref().map(|r| r.key.clone()).unwrap_or_default() } else { props.key_columns.clone() };
    let picker = |side: &'static str, chosen: &Option<TableRef>| {
        let go = go.clone();
        let onchange = Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            let picked = value.split_once('/').map(|(db, table)| TableRef { db: db.into(), table: table.into() });
            go(&|route| {
                if let Route::Compare { left, right, key, .. } = route {
                    *if side == "left" { left } else { right } = picked.clone();
                    key.clear();
                }
            });
        });
        let options = tables.iter().map(|(t, _)| {
            let value = format!("{}/{}", t.db, t.table);
            html! { <option value={value.clone()} selected={chosen.as_ref() == Some(t)}>{ value }</option> }
        });
        html! {
            <select class={format!("compare-{side}")} aria-label={if side == "left" { "Old version" } else { "New version" }} {onchange}>
                <option value="" selected={chosen.is_none()}>{ "Choose a table…" }</option>
                { for options }
            </select>
        }
    };
    let key_boxes = common.iter().map(|column| {
        let (go, column_name, current) = (go.clone(), column.clone(), key.clone());
        let onchange = Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            let mut next: Vec<String> = current.iter().filter(|k| **k != column_name).cloned().collect();
            if on {
                next.push(column_name.clone());
            }
            go(&|route| {
                if let Route::Compare { key, .. } = route {
                    *key = next.clone();
                }
            });
        });
        html! {
            <label class="choice"><input type="checkbox" name={column.clone()} checked={key.contains(column)} {onchange} />{ " " }{ column }</label>
        }
    });
    let outcome = match result.state() {
        CallState::Failed(error) => html! { <ErrorBox error={error.clone()} /> },
        _ => match (&done, request.is_some()) {
            (Some(r), _) => outcome(props, r, size, &client, request.clone()),
            (None, true) => html! { <p class="muted" aria-busy="true">{ "Comparing…" }</p> },
            (None, false) => html! { <p class="muted">{ "Choose the old version on the left and the new one on the right." }</p> },
        },
    };
    let busy = matches!(result.state(), CallState::Waiting { .. });
    html! {
        <section class="compare-page">
            <h1>{ "Compare two tables" }</h1>
            <p class="muted">{ "Rows added, removed and changed between two versions of a table, matched by a key. Values are compared as text, so 1 and '1' are the same." }</p>
            <div class="compare-pickers">
                <label>{ "Old " }{ picker("left", &props.left) }</label>
                <label>{ "New " }{ picker("right", &props.right) }</label>
            </div>
            if !common.is_empty() {
                <fieldset class="compare-key">
                    <legend>{ if props.key_columns.is_empty() { "Key (guessed; tick to choose)" } else { "Key" } }</legend>
                    { for key_boxes }
                </fieldset>
            }
            <div class={classes!("compare-outcome", busy.then_some("stale"))} aria-busy={busy.to_string()}>{ outcome }</div>
        </section>
    }
}

fn outcome(props: &ComparePageProps, r: &CompareResult, size: u32, client: &WorkerClient, request: Option<CompareRequest>) -> Html {
    let mut summary = format!(
        "{} added, {} removed, {} changed",
        format::rows(r.added.count),
        format::thousands(r.removed.count),
        format::thousands(r.changed.count)
    );
    for (what, columns) in [("added", &r.columns_added), ("removed", &r.columns_removed)] {
        if !columns.is_empty() {
            let named = columns.iter().map(|c| format!("“{c}”")).collect::<Vec<_>>().join(", ");
            summary.push_str(&format!("; column{} {named} {what}", if columns.len() > 1 { "s" } else { "" }));
        }
    }
    let key = format!("Matched by {}{}.", r.key.join(" + "), if r.key_guessed { " (guessed)" } else { "" });
    // One pager for the three groups: page n shows rows n·size… of each.
    let page = props.page.unwrap_or(1).max(1);
    let most = r.added.count.max(r.removed.count).max(r.changed.count);
    let at = |page: u32| {
        Route::Compare {
            left: props.left.clone(),
            right: props.right.clone(),
            key: props.key_columns.clone(),
            size: props.size,
            page: (page > 1).then_some(page),
        }
        .to_hash()
    };
    let previous = (page > 1).then(|| at(page - 1));
    let next = (u64::from(page) * u64::from(size) < most).then(|| at(page + 1));
    let first_row = u64::from(page - 1) * u64::from(size) + 1;
    let download = |format: &'static str| {
        let (client, request) = (client.clone(), request.clone());
        Callback::from(move |_| {
            let Some(request) = request.clone() else { return };
            let client = client.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let all = CompareRequest { limit: MAX_COMPARE_ROWS, offset: 0, ..request.clone() };
                let Ok(result) = client.compare(all).await else { return };
                let (text, mime) = if format == "json" {
                    (diff_export::json(&result), "application/json")
                } else {
                    (diff_export::csv(&result), "text/csv")
                };
                let name = format!("{}-vs-{}.{format}", request.left.table, request.right.table);
                browser::download(&js_sys::Array::of1(&js_sys::Uint8Array::from(text.as_bytes())), &name, mime);
            });
        })
    };
    html! {
        <>
            <p class="compare-summary" role="status"><strong>{ summary }</strong>{ " " }<span class="muted">{ key }</span></p>
            if !r.type_changes.is_empty() || !r.notes.is_empty() {
                <ul class="compare-notes">
                    { for r.type_changes.iter().map(|(c, old, new)| html! { <li>{ format!("Column “{c}” was {} and is {}.", or_none(old), or_none(new)) }</li> }) }
                    { for r.notes.iter().map(|n| html! { <li>{ n }</li> }) }
                </ul>
            }
            <p class="compare-export">
                { "Download the difference: " }
                <button class="link download-diff-json" onclick={download("json")}>{ "JSON" }</button>{ " · " }
                <button class="link download-diff-csv" onclick={download("csv")}>{ "CSV" }</button>
            </p>
            { group("Added", "compare-added", &r.added) }
            { group("Removed", "compare-removed", &r.removed) }
            <section class="compare-changed">
                <h2>{ format!("Changed ({})", format::thousands(r.changed.count)) }</h2>
                if !r.changed.rows.is_empty() {
                    <table class="rows diff">
                        <thead><tr>{ for r.key.iter().map(|k| html! { <th scope="col">{ k }</th> }) }<th scope="col">{ "Changes" }</th></tr></thead>
                        <tbody>
                            { for r.changed.rows.iter().map(|row| html! {
                                <tr>
                                    { for row.key.iter().map(|k| html! { <td>{ k.display() }</td> }) }
                                    <td><ul class="changes">{ for row.changes.iter().map(|(c, old, new)| html! {
                                        <li data-column={c.clone()}>
                                            <span class="column">{ c }</span>{ ": " }
                                            <del>{ shown(old) }</del>{ " → " }<ins>{ shown(new) }</ins>
                                        </li>
                                    }) }</ul></td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                }
            </section>
            if previous.is_some() || next.is_some() {
                <nav class="pager compare-pager" aria-label="Pages of each group">
                    <span class="muted">{ format!("Rows from {} of each group · ", format::thousands(first_row)) }</span>
                    if let Some(previous) = previous { <a class="previous-page" href={previous}>{ "Previous page" }</a>{ " " } }
                    if let Some(next) = next { <a class="next-page" href={next}>{ "Next page" }</a> }
                </nav>
            }
        </>
    }
}

fn group(title: &str, class: &'static str, rows: &RowGroup) -> Html {
    html! {
        <section class={class}>
            <h2>{ format!("{title} ({})", format::thousands(rows.count)) }</h2>
            if !rows.rows.is_empty() {
                <ResultsTable columns={rows.columns.clone()} rows={rows.rows.clone()} label={format!("{title} rows")} />

            }
        </section>
    }
}

/// A value in a change: NULL said, so "" and NULL are told apart.
fn shown(cell: &Cell) -> String {
    if cell.is_null() {
        "NULL".into()
    } else {
        cell.display()
    }
}

fn or_none(declared: &str) -> String {
    if declared.is_empty() {
        "untyped".into()
    } else {
        declared.into()
    }
}
