use std::rc::Rc;

use protocol::{Cell, SortBy};
use yew::prelude::*;

use crate::components::cell::{CellView, Reference};

#[derive(Properties, PartialEq)]
pub struct ResultsTableProps {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// When set, headers sort by their column and have a menu.
    #[prop_or_default]
    pub menu: Option<ColumnMenu>,
    /// Per row, a link to its row page (shown in a first column).
    #[prop_or_default]
    pub row_links: Vec<String>,
    /// Per column, where its foreign-key values point.
    #[prop_or_default]
    pub references: Vec<Option<ColumnReference>>,
}

/// Links a column header offers: sorting, faceting, hiding.
#[derive(Clone, PartialEq)]
pub struct ColumnMenu {
    pub current: Option<SortBy>,
    pub sort_href: Callback<SortBy, String>,
    pub facet_href: Callback<String, String>,
    pub hide_href: Callback<String, String>,
}

#[derive(Clone, PartialEq)]
pub struct ColumnReference {
    pub db: String,
    pub table: String,
    pub labels: Rc<Vec<(Cell, String)>>,
}

/// Rows of cells. Text is always rendered as text (never as HTML), so a
/// cell holding markup shows the markup.
#[function_component(ResultsTable)]
pub fn results_table(props: &ResultsTableProps) -> Html {
    let headers: Html = props.columns.iter().map(|column| header(column, props.menu.as_ref())).collect();
    let body: Html = props
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let link = props.row_links.get(r).map(|href| html! { <td class="row-link"><a href={href.clone()}>{ "▸" }</a></td> });
            let cells = row.iter().enumerate().map(|(c, value)| {
                let reference = props.references.get(c).cloned().flatten().map(|r| Reference {
                    label: r.labels.iter().find(|(k, _)| k == value).map(|(_, l)| l.clone()),
                    db: r.db,
                    table: r.table,
                });
                let class = match value {
                    Cell::Null => "null",
                    Cell::Integer(_) | Cell::Real(_) if reference.is_none() => "number",
                    _ => "",
                };
                let name = props.columns.get(c).cloned().unwrap_or_default();
                html! { <td class={class}><CellView value={value.clone()} {reference} {name} /></td> }
            });
            html! { <tr>{ link }{ for cells }</tr> }
        })
        .collect();
    html! {
        <div class="table-wrapper">
            <table class="rows">
                <thead><tr>
                    if !props.row_links.is_empty() { <th class="row-link" aria-label="Row"></th> }
                    { headers }
                </tr></thead>
                <tbody>{ body }</tbody>
            </table>
        </div>
    }
}

fn header(column: &str, menu: Option<&ColumnMenu>) -> Html {
    let Some(menu) = menu else {
        return html! { <th scope="col">{ column }</th> };
    };
    let (next, arrow, state) = match &menu.current {
        Some(s) if s.column == column && !s.descending => (true, " ▲", "ascending"),
        Some(s) if s.column == column => (false, " ▼", "descending"),
        _ => (false, "", "none"),
    };
    let sort = |descending| menu.sort_href.emit(SortBy { column: column.to_string(), descending });
    html! {
        <th scope="col" aria-sort={state}>
            <a class="sort" href={sort(next)} title="Sort by this column">{ column }{ arrow }</a>
            <details class="column-menu">
                <summary aria-label={format!("Options for {column}")}>{ "⋯" }</summary>
                <ul>
                    <li><a href={sort(false)}>{ "Sort ascending" }</a></li>
                    <li><a href={sort(true)}>{ "Sort descending" }</a></li>
                    <li><a href={menu.facet_href.emit(column.to_string())}>{ "Facet by this" }</a></li>
                    <li><a href={menu.hide_href.emit(column.to_string())}>{ "Hide this column" }</a></li>
                </ul>
            </details>
        </th>
    }
}
