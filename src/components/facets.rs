//! Facets beside a table: counts of values, each a link that adds (or
//! removes) the filter for it, and suggestions of columns to facet by.

use protocol::{FacetKind, FacetRequest, FacetResult};
use yew::prelude::*;

use crate::format;
use crate::route::{Route, TableParams};

#[derive(Properties, PartialEq)]
pub struct FacetsProps {
    pub db: String,
    pub table: String,
    pub params: TableParams,
    pub facets: Vec<FacetResult>,
    pub suggested: Vec<FacetRequest>,
}

fn kind_words(kind: FacetKind) -> &'static str {
    match kind {
        FacetKind::Column => "",
        FacetKind::Array => " (array)",
        FacetKind::Date => " (date)",
    }
}

#[function_component(Facets)]
pub fn facets(props: &FacetsProps) -> Html {
    let href = |params: TableParams| Route::table(&props.db, &props.table, params).to_hash();
    let panels: Html = props
        .facets
        .iter()
        .map(|facet| {
            let remove = href(props.params.toggle_facet(FacetRequest { column: facet.column.clone(), kind: facet.kind }));
            let values: Html = facet
                .values
                .iter()
                .map(|v| {
                    let selected = props.params.filters.contains(&v.filter);
                    let target = if selected { props.params.without_filter(&v.filter) } else { props.params.with_filter(v.filter.clone()) };
                    let shown = match (&v.label, v.value.is_null()) {
                        (_, true) => "NULL".to_string(),
                        (Some(label), _) => label.clone(),
                        (None, _) => v.value.display(),
                    };
                    html! {
                        <li class={classes!("facet-value", selected.then_some("selected"))}>
                            <a href={href(target)}>{ shown }</a>
                            { " " }<span class="count">{ format::thousands(v.count) }</span>
                            if selected { { " " }<span class="muted">{ "✓" }</span> }
                        </li>
                    }
                })
                .collect();
            html! {
                <section class="facet" data-column={facet.column.clone()}>
                    <h2>{ &facet.column }{ kind_words(facet.kind) }{ " " }<a class="remove" href={remove} aria-label="Remove facet">{ "×" }</a></h2>
                    if let Some(error) = &facet.error { <p class="muted">{ error }</p> }
                    <ul>{ values }</ul>
                    if facet.truncated {
                        // Datasette's "…": the same view with every value.
                        <p class="more-values">
                            <a href={href(TableParams { facet_size: Some(protocol::MAX_FACET_SIZE), ..props.params.clone() })}>{ "… more" }</a>
                        </p>
                    }
                </section>
            }
        })
        .collect();
    let suggested: Html = props
        .suggested
        .iter()
        .map(|f| html! { <>{ " " }<a href={href(props.params.toggle_facet(f.clone()))}>{ &f.column }{ kind_words(f.kind) }</a></> })
        .collect();
    html! {
        <>
            if !props.suggested.is_empty() {
                <p class="suggested-facets">{ "Suggested facets:" }{ suggested }</p>
            }
            if !props.facets.is_empty() {
                <div class="facets">{ panels }</div>
            }
        </>
    }
}
