//! Rows of cells with sortable headers, a column menu, row links and
//! foreign-key links; big results are shown in windows.

use std::rc::Rc;

use protocol::{Cell, SortBy};
use yew::prelude::*;

use crate::components::cell::{CellView, Reference};
use crate::components::copy::CopyButton;

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
    /// Without a menu: headers sort the rows shown, here (a query's result).
    #[prop_or_default]
    pub sortable: bool,
    /// The rows box's name for screen readers (unique on its page).
    #[prop_or(AttrValue::Static("Rows"))]
    pub label: AttrValue,
}

/// Links a column header offers: sorting, faceting, hiding.
#[derive(Clone, PartialEq)]
pub struct ColumnMenu {
    pub current: Option<SortBy>,
    pub sort_href: Callback<SortBy, String>,
    pub facet_href: Callback<String, String>,
    pub hide_href: Callback<String, String>,
}

/// A foreign-key column's links, as the engine made them.
#[derive(Clone, PartialEq)]
pub struct ColumnReference {
    pub db: String,
    pub links: Rc<protocol::ColumnLinks>,
}

/// Past this many cells a result is shown in windows of `ROW_WINDOW` rows
/// and `COLUMN_WINDOW` columns, moved with buttons, so no result (the
/// engine allows 1,000 rows of 2,000 columns) can freeze the page.
const CELL_BUDGET: usize = 20_000;
const ROW_WINDOW: usize = 200;
const COLUMN_WINDOW: usize = 50;

/// Rows of cells. Text is always rendered as text (never as HTML), so a
/// cell holding markup shows the markup.
#[function_component(ResultsTable)]
pub fn results_table(props: &ResultsTableProps) -> Html {
    // Where the shown window starts; back to the start for a new result.
    let window = use_state(|| (0usize, 0usize));
    {
        let window = window.clone();
        use_effect_with((props.columns.clone(), props.rows.len()), move |_| window.set((0, 0)));
    }
    // Columns past the box's edges get a hint, measured after each render
    // and as the box scrolls or resizes.
    let scroller = use_node_ref();
    // `_eq`: measuring after every render must not cause another one.
    let cut_off = use_state_eq(CutOff::default);
    let measure = {
        let (scroller, cut_off) = (scroller.clone(), cut_off.clone());
        Callback::from(move |_: ()| {
            if let Some(element) = scroller.cast::<web_sys::Element>() {
                let (left, width, shown) = (element.scroll_left(), element.scroll_width(), element.client_width());
                cut_off.set(CutOff { left: left > 2, right: width - shown - left > 2 });
            }
        })
    };
    {
        let measure = measure.clone();
        use_effect(move || measure.emit(()));
    }
    {
        // Other columns (another table, another query) start at the first
        // column, not where the last table was scrolled to; a new sort or
        // page of the same columns stays where the reader is.
        let scroller = scroller.clone();
        use_effect_with(props.columns.clone(), move |_| {
            if let Some(element) = scroller.cast::<web_sys::Element>() {
                element.set_scroll_left(0);
            }
        });
    }
    let onscroll = measure.reform(|_: Event| ());
    use_effect_with((), |_| close_menus_on_escape_and_outside_clicks());
    // A result sorted here: (column, descending), or as it came.
    let local_sort = use_state(|| None::<(usize, bool)>);
    {
        let local_sort = local_sort.clone();
        use_effect_with(props.rows.len(), move |_| local_sort.set(None));
    }
    let sorted_rows: Option<Vec<Vec<Cell>>> = (*local_sort).map(|(column, descending)| {
        let mut rows = props.rows.clone();
        rows.sort_by(|a, b| {
            let order = compare_cells(a.get(column), b.get(column));
            if descending {
                order.reverse()
            } else {
                order
            }
        });
        rows
    });
    let rows: &[Vec<Cell>] = sorted_rows.as_deref().unwrap_or(&props.rows);
    // The cell clicked last (row, column), which offers a Copy button:
    // one button on the page, not one per cell.
    let selected = use_state_eq(|| None::<(usize, usize)>);
    {
        let selected = selected.clone();
        use_effect_with((props.columns.clone(), props.rows.len(), *local_sort), move |_| selected.set(None));
    }
    let (rows_total, columns_total) = (props.rows.len(), props.columns.len());
    let windowed = rows_total * columns_total > CELL_BUDGET;
    let row_window = if windowed { ROW_WINDOW } else { rows_total.max(1) };
    let column_window = if windowed { COLUMN_WINDOW } else { columns_total.max(1) };
    let (first_row, first_column) = (window.0.min(rows_total.saturating_sub(1)), window.1.min(columns_total.saturating_sub(1)));
    let shown_rows = first_row..(first_row + row_window).min(rows_total);
    let shown_columns = first_column..(first_column + column_window).min(columns_total);

    let headers: Html = props.columns[shown_columns.clone()]
        .iter()
        .enumerate()
        .map(|(i, column)| match (&props.menu, props.sortable) {
            (None, true) => local_header(column, first_column + i, &local_sort),
            (menu, _) => header(column, menu.as_ref()),
        })
        .collect();
    let body: Html = rows[shown_rows.clone()]
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let r = first_row + i;
            let link = props.row_links.get(r).map(|href| html! { <td class="row-link"><a href={href.clone()}>{ "▸" }</a></td> });
            let cells = shown_columns.clone().filter_map(|c| row.get(c).map(|value| (c, value))).map(|(c, value)| {
                let reference =
                    props.references.get(c).and_then(Option::as_ref).and_then(|r| Reference::find(&r.db, Some(&r.links), value));
                let class = match value {
                    Cell::Null => "null",
                    Cell::Integer(_) | Cell::Real(_) if reference.is_none() => "number",
                    _ => "",
                };
                let name = props.columns.get(c).cloned().unwrap_or_default();
                let is_selected = *selected == Some((r, c));
                let select = {
                    let selected = selected.clone();
                    Callback::from(move |e: MouseEvent| {
                        // A click on a link or button inside is that, not a selection.
                        let inside = e.target_dyn_into::<web_sys::Element>().and_then(|t| t.closest("a, button, summary").ok().flatten());
                        if inside.is_none() {
                            selected.set(Some((r, c)));
                        }
                    })
                };
                let copy = is_selected.then(|| {
                    let text = value.display();
                    html! { <CopyButton label="Copy" class="copy-cell" text={Callback::from(move |()| text.clone())} /> }
                });
                // `data-label` names the column where narrow screens show
                // each row as a card.
                html! {
                    <td class={classes!(class, is_selected.then_some("selected"))} data-label={name.clone()} onclick={select}>
                        <CellView value={value.clone()} {reference} {name} />{ for copy }
                    </td>
                }
            });
            html! { <tr>{ link }{ for cells }</tr> }
        })
        .collect();
    let mover = |what: &str,
                 range: &std::ops::Range<usize>,
                 total: usize,
                 step: usize,
                 set: fn((usize, usize), usize) -> (usize, usize)| {
        if !windowed || total <= step {
            return html! {};
        }
        let go = |to: usize| {
            let window = window.clone();
            Callback::from(move |_| window.set(set(*window, to)))
        };
        let back = range.start.saturating_sub(step);
        let forward = range.start + step;
        html! {
            <span class={format!("window-{what}")}>
                <button class="link previous" disabled={range.start == 0} onclick={go(back)}>{ "←" }</button>
                { format!(" {what} {}–{} of {} ", crate::format::thousands(range.start as u64 + 1), crate::format::thousands(range.end as u64), crate::format::thousands(total as u64)) }
                <button class="link next" disabled={forward >= total} onclick={go(forward)}>{ "→" }</button>
            </span>
        }
    };
    let row_mover = mover("rows", &shown_rows, rows_total, ROW_WINDOW, |w, to| (to, w.1));
    let column_mover = mover("columns", &shown_columns, columns_total, COLUMN_WINDOW, |w, to| (w.0, to));
    html! {
        <>
        if windowed {
            <p class="result-window muted">{ "A big result, shown a part at a time: " }{ row_mover }{ column_mover }</p>
        }
        if let Some(hint) = cut_off.hint() {
            <p class="columns-cut-off muted" role="note">{ hint }</p>
        }
        <div class="table-wrapper" ref={scroller} {onscroll} tabindex="0" role="region" aria-label={props.label.clone()}>
            <table class="rows">
                <thead><tr>
                    if !props.row_links.is_empty() { <th class="row-link"><span class="visually-hidden">{ "Row page" }</span></th> }
                    { headers }
                </tr></thead>
                <tbody>{ body }</tbody>
            </table>
        </div>
        </>
    }
}

/// Which sides of the rows box have columns scrolled out of view.
#[derive(Clone, Copy, Default, PartialEq)]
struct CutOff {
    left: bool,
    right: bool,
}

impl CutOff {
    /// The hint above a box wider than its page. Its line stays while the
    /// box scrolls sideways, only its words change: were it to come and go,
    /// the rows would jump up and down under the pointer.
    fn hint(self) -> Option<&'static str> {
        match (self.left, self.right) {
            (false, false) => None,
            (false, true) => Some("More columns to the right: scroll the table sideways."),
            (true, true) => Some("More columns to the left and to the right: scroll the table sideways."),
            (true, false) => Some("More columns to the left: scroll the table sideways."),
        }
    }
}

/// A header that sorts the rows here: ascending, then descending.
fn local_header(column: &str, index: usize, sort: &UseStateHandle<Option<(usize, bool)>>) -> Html {
    let (state, arrow, next) = match **sort {
        Some((c, false)) if c == index => ("ascending", " ▲", Some((index, true))),
        Some((c, true)) if c == index => ("descending", " ▼", Some((index, false))),
        _ => ("none", "", Some((index, false))),
    };
    let sort = sort.clone();
    html! {
        <th scope="col" aria-sort={state}>
            <button class="link sort" onclick={Callback::from(move |_| sort.set(next))} title="Sort these rows by this column">
                { column }{ arrow }
            </button>
        </th>
    }
}

/// SQLite's order: NULL, then numbers, then text, then BLOBs.
fn compare_cells(a: Option<&Cell>, b: Option<&Cell>) -> std::cmp::Ordering {
    fn rank(c: Option<&Cell>) -> u8 {
        match c {
            None | Some(Cell::Null) => 0,
            Some(Cell::Integer(_) | Cell::Real(_)) => 1,
            Some(Cell::Text(_)) => 2,
            Some(Cell::Blob(_)) => 3,
        }
    }
    let number = |c: &Cell| match c {
        Cell::Integer(i) => *i as f64,
        Cell::Real(r) => *r,
        _ => 0.0,
    };
    match (a, b) {
        (Some(x @ (Cell::Integer(_) | Cell::Real(_))), Some(y @ (Cell::Integer(_) | Cell::Real(_)))) => number(x).total_cmp(&number(y)),
        (Some(Cell::Text(x)), Some(Cell::Text(y))) => x.cmp(y),
        (Some(Cell::Blob(x)), Some(Cell::Blob(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Column menus (`<details>`) behave as menus: one open at a time, closed
/// by Escape (focus back on its button) or a click anywhere else. Installed
/// once per table; the listeners live as long as the page.
fn close_menus_on_escape_and_outside_clicks() {
    use wasm_bindgen::JsCast;
    thread_local!(static INSTALLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if INSTALLED.replace(true) {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let close_except = |document: &web_sys::Document, keep: Option<web_sys::Element>| {
        let Ok(open) = document.query_selector_all("details.column-menu[open]") else { return None };
        let mut closed = None;
        for i in 0..open.length() {
            let Some(menu) = open.get(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else { continue };
            if keep.as_ref().is_some_and(|k| js_sys::Object::is(k, &menu)) {
                continue;
            }
            let _ = menu.remove_attribute("open");
            closed = Some(menu);
        }
        closed
    };
    let on_click = {
        let document = document.clone();
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            let inside = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("details.column-menu").ok().flatten());
            close_except(&document, inside);
        })
    };
    let on_key = {
        let document = document.clone();
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |event: web_sys::KeyboardEvent| {
            if event.key() != "Escape" {
                return;
            }
            let summary = close_except(&document, None).and_then(|menu| menu.query_selector("summary").ok().flatten());
            if let Some(summary) = summary.and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = summary.focus();
            }
        })
    };
    let _ = document.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    let _ = document.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    on_click.forget();
    on_key.forget();
}

/// A choice made in a column menu closes it and leaves the focus on the
/// column's header, where it was before the menu opened (the link itself
/// still navigates).
fn leave_menu(e: MouseEvent) {
    use wasm_bindgen::JsCast;
    let Some(target) = e.target_dyn_into::<web_sys::Element>() else { return };
    let Ok(Some(header)) = target.closest("th") else { return };
    if let Ok(Some(details)) = header.query_selector("details.column-menu") {
        let _ = details.remove_attribute("open");
    }
    if let Ok(Some(sort)) = header.query_selector("a.sort") {
        let _ = sort.unchecked_into::<web_sys::HtmlElement>().focus();
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
                <ul onclick={Callback::from(leave_menu)}>
                    <li><a href={sort(false)}>{ "Sort ascending" }</a></li>
                    <li><a href={sort(true)}>{ "Sort descending" }</a></li>
                    <li><a href={menu.facet_href.emit(column.to_string())}>{ "Facet by this" }</a></li>
                    <li><a href={menu.hide_href.emit(column.to_string())}>{ "Hide this column" }</a></li>
                </ul>
            </details>
        </th>
    }
}
