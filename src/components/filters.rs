//! The filter bar above a table: full-text search, the active filters
//! with a way to remove each, and a form to add one. Everything ends in a
//! navigation, so the URL always says what is shown.

use protocol::{Filter, FilterOp};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::browser;
use crate::route::{Route, TableParams};

#[derive(Properties, PartialEq)]
pub struct FilterBarProps {
    pub db: String,
    pub table: String,
    pub params: TableParams,
    pub columns: Vec<String>,
    pub fts_table: Option<String>,
}

#[function_component(FilterBar)]
pub fn filter_bar(props: &FilterBarProps) -> Html {
    let column_ref = use_node_ref();
    let op_ref = use_node_ref();
    let value_ref = use_node_ref();
    let op = use_state(|| FilterOp::Exact);
    {
        // The column box starts on the first column (options are added to
        // the DOM last first, which would leave the last one chosen), and
        // again for another table's columns.
        let column_ref = column_ref.clone();
        use_effect_with(props.columns.clone(), move |_| {
            if let Some(select) = column_ref.cast::<HtmlSelectElement>() {
                select.set_selected_index(0);
            }
        });
    }
    let on_add = {
        let (column_ref, op_ref, value_ref) = (column_ref.clone(), op_ref.clone(), value_ref.clone());
        let (db, table, params) = (props.db.clone(), props.table.clone(), props.params.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(column), Some(op), Some(value)) =
                (column_ref.cast::<HtmlSelectElement>(), op_ref.cast::<HtmlSelectElement>(), value_ref.cast::<HtmlInputElement>())
            else {
                return;
            };
            // The options' values are the operators' URL names.
            let op = FilterOp::from_url_name(&op.value()).unwrap_or(FilterOp::Exact);
            let filter = Filter { column: column.value(), op, value: if op.takes_value() { value.value() } else { "1".into() } };
            browser::navigate(&Route::table(&db, &table, params.with_filter(filter)));
        })
    };
    let on_op = {
        let op = op.clone();
        Callback::from(move |e: Event| {
            let name = e.target_unchecked_into::<HtmlSelectElement>().value();
            op.set(FilterOp::from_url_name(&name).unwrap_or(FilterOp::Exact));
        })
    };
    html! {
        <div class="filters">
            if let Some(fts) = &props.fts_table {
                <SearchBox db={props.db.clone()} table={props.table.clone()} params={props.params.clone()} fts_table={fts.clone()} />
            }
            if !props.params.filters.is_empty() {
                <ul class="active-filters">{ active_filters(props) }</ul>
            }
            <form class="add-filter" onsubmit={on_add}>
                <select ref={column_ref} aria-label="Column">
                    { for props.columns.iter().map(|c| html! { <option value={c.clone()}>{ c }</option> }) }
                </select>
                <select ref={op_ref} aria-label="Operator" onchange={on_op}>
                    { for FilterOp::ALL.iter().map(|o| html! { <option value={o.url_name()} selected={*o == *op}>{ o.words() }</option> }) }
                </select>
                <input ref={value_ref} type="text" aria-label="Value" placeholder="value" disabled={!op.takes_value()} />
                <button type="submit">{ "Add filter" }</button>
            </form>
        </div>
    }
}

/// The filters in force, each with a link that removes it.
fn active_filters(props: &FilterBarProps) -> Html {
    props
        .params
        .filters
        .iter()
        .map(|f| {
            let href = Route::table(&props.db, &props.table, props.params.without_filter(f)).to_hash();
            let value = if f.op.takes_value() { format!(" {}", f.value) } else { String::new() };
            html! {
                <li class="active-filter">
                    { format!("{} {}{value}", f.column, f.op.words()) }
                    { " " }<a href={href} class="remove" aria-label={format!("Remove filter on {}", f.column)}>{ "×" }</a>
                </li>
            }
        })
        .collect()
}

#[derive(Properties, PartialEq)]
struct SearchBoxProps {
    db: String,
    table: String,
    params: TableParams,
    fts_table: String,
}

/// Full-text search through the table's FTS index (`_search`, and
/// `_searchmode=raw` to pass FTS operators through).
#[function_component(SearchBox)]
fn search_box(props: &SearchBoxProps) -> Html {
    let search_ref = use_node_ref();
    let raw_ref = use_node_ref();
    let on_search = {
        let (search_ref, raw_ref) = (search_ref.clone(), raw_ref.clone());
        let (db, table, params) = (props.db.clone(), props.table.clone(), props.params.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(search), Some(raw)) = (search_ref.cast::<HtmlInputElement>(), raw_ref.cast::<HtmlInputElement>()) else { return };
            let query = search.value().trim().to_string();
            // A search is ordered by relevance, unless no longer searching.
            let sort = if query.is_empty() { params.sort.clone() } else { None };
            let next = TableParams { search: (!query.is_empty()).then_some(query), search_raw: raw.checked(), sort, ..params.first_page() };
            browser::navigate(&Route::table(&db, &table, next));
        })
    };
    html! {
        <form class="search" onsubmit={on_search}>
            <input ref={search_ref} type="search" name="_search" aria-label="Search"
                placeholder={format!("Search (full-text index {})", props.fts_table)}
                value={props.params.search.clone().unwrap_or_default()} />
            <label class="inline"><input ref={raw_ref} type="checkbox" checked={props.params.search_raw} />{ " raw (use FTS operators)" }</label>
            <button type="submit">{ "Search" }</button>
        </form>
    }
}
