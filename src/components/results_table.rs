use protocol::{Cell, SortBy};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ResultsTableProps {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// When set, headers are links that sort by that column; the function
    /// gives the link for a sort.
    #[prop_or_default]
    pub sort: Option<SortLinks>,
}

#[derive(Clone, PartialEq)]
pub struct SortLinks {
    pub current: Option<SortBy>,
    pub href: Callback<SortBy, String>,
}

/// Rows of cells. Text is always rendered as text (never as HTML), so a
/// cell holding markup shows the markup.
#[function_component(ResultsTable)]
pub fn results_table(props: &ResultsTableProps) -> Html {
    let headers: Html = props
        .columns
        .iter()
        .map(|column| match &props.sort {
            None => html! { <th scope="col">{ column }</th> },
            Some(links) => {
                let (next, arrow, state) = match &links.current {
                    Some(s) if &s.column == column && !s.descending => (true, " ▲", "ascending"),
                    Some(s) if &s.column == column => (false, " ▼", "descending"),
                    _ => (false, "", "none"),
                };
                let href = links.href.emit(SortBy { column: column.clone(), descending: next });
                html! {
                    <th scope="col" aria-sort={state}>
                        <a href={href} title="Sort by this column">{ column }{ arrow }</a>
                    </th>
                }
            }
        })
        .collect();
    let body: Html = props
        .rows
        .iter()
        .map(|row| html! { <tr>{ for row.iter().map(cell) }</tr> })
        .collect();
    html! {
        <div class="table-wrapper">
            <table class="rows">
                <thead><tr>{ headers }</tr></thead>
                <tbody>{ body }</tbody>
            </table>
        </div>
    }
}

fn cell(value: &Cell) -> Html {
    match value {
        Cell::Null => html! { <td class="null">{ "NULL" }</td> },
        Cell::Integer(_) | Cell::Real(_) => html! { <td class="number">{ value.display() }</td> },
        Cell::Text(_) => html! { <td>{ value.display() }</td> },
        Cell::Blob(_) => html! { <td class="blob">{ value.display() }</td> },
    }
}
