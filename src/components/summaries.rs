//! Column summaries of a table view or a query's rows: per column its
//! types, nulls, distinct values, min and max, a histogram (numbers,
//! dates) as a small SVG and the most frequent values as bars. The worker
//! makes them in the background, a column at a time, and keeps them until
//! the database changes.

use protocol::{Cell, ColumnSummary, Histogram, SummarySource};
use yew::prelude::*;

use crate::components::error_box::ErrorBox;
use crate::format;
use crate::hooks::{use_worker_call, CallState};

#[derive(Properties, PartialEq)]
pub struct SummariesProps {
    pub source: SummarySource,
}

#[function_component(ColumnSummaries)]
pub fn column_summaries(props: &SummariesProps) -> Html {
    let summaries = use_worker_call(props.source.clone(), |client, source| async move { client.summarize(source).await });
    match summaries.state() {
        CallState::Failed(error) => html! { <ErrorBox error={error.clone()} /> },
        CallState::Done(summaries) => html! {
            <div class="summaries" aria-label="Column summaries">{ for summaries.iter().map(card) }</div>
        },
        _ => html! { <p class="muted summaries-loading" aria-busy="true">{ "Summarizing the columns…" }</p> },
    }
}

fn card(summary: &ColumnSummary) -> Html {
    let share = |n: u64| if summary.rows == 0 { String::new() } else { format!(" ({:.0} %)", 100.0 * n as f64 / summary.rows as f64) };
    let types = summary.types.iter().map(|(t, n)| format!("{t} {}", format::thousands(*n))).collect::<Vec<_>>().join(", ");
    let distinct = match (summary.distinct, summary.distinct_estimated) {
        (Some(n), false) => format::thousands(n),
        (Some(n), true) => format!("at least {} (counted in a sample)", format::thousands(n)),
        (None, _) => "not counted".into(),
    };
    let value = |cell: &Option<Cell>| cell.as_ref().map(|c| c.display()).unwrap_or_default();
    html! {
        <section class="column-summary" data-column={summary.name.clone()}>
            <h2>{ &summary.name }if !summary.declared_type.is_empty() { <span class="muted">{ format!(" {}", summary.declared_type) }</span> }</h2>
            <dl>
                <dt>{ "Stored as" }</dt><dd class="types">{ if types.is_empty() { "nothing but nulls".to_string() } else { types } }</dd>
                <dt>{ "Nulls" }</dt><dd class="nulls">{ format!("{}{}", format::thousands(summary.nulls), share(summary.nulls)) }</dd>
                <dt>{ "Distinct" }</dt><dd class="distinct">{ distinct }</dd>
                if summary.min.is_some() {
                    <dt>{ "Min – max" }</dt><dd class="range">{ format!("{} – {}", value(&summary.min), value(&summary.max)) }</dd>
                }
            </dl>
            if let Some(histogram) = &summary.histogram { { histogram_svg(histogram) } }
            if !summary.top.is_empty() { { top_values(summary) } }
            if let Some(error) = &summary.error { <p class="muted">{ format!("Not all of it: {error}") }</p> }
        </section>
    }
}

/// Bars of equal width, as tall as their share of the tallest; each says
/// its range and count on hover (and to screen readers, as a title).
fn histogram_svg(histogram: &Histogram) -> Html {
    let tallest = histogram.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = histogram.counts.len().max(1) as f64;
    let width = (histogram.hi - histogram.lo) / n;
    let label = |x: f64| if histogram.dates { julian_date(x) } else { short_number(x) };
    let bars: Html = histogram
        .counts
        .iter()
        .enumerate()
        .map(|(i, count)| {
            let height = 40.0 * *count as f64 / tallest;
            let from = histogram.lo + width * i as f64;
            let title = format!("{} to {}: {}", label(from), label(from + width), format::thousands(*count));
            html! {
                <rect x={format!("{:.2}", i as f64 * 100.0 / n)} y={format!("{:.2}", 40.0 - height)}
                      width={format!("{:.2}", 100.0 / n * 0.9)} height={format!("{height:.2}")}>
                    <title>{ title }</title>
                </rect>
            }
        })
        .collect();
    html! {
        <figure class="histogram">
            <svg viewBox="0 0 100 40" preserveAspectRatio="none" role="img"
                 aria-label={format!("Histogram from {} to {}", label(histogram.lo), label(histogram.hi))}>{ bars }</svg>
            <figcaption class="muted"><span>{ label(histogram.lo) }</span><span>{ label(histogram.hi) }</span></figcaption>
        </figure>
    }
}

/// The most frequent values, each with a bar for its share of the rows.
fn top_values(summary: &ColumnSummary) -> Html {
    let rows = summary.rows.max(1) as f64;
    html! {
        <ol class="top-values">
            { for summary.top.iter().map(|(value, count)| {
                let shown = if value.is_null() { "NULL".to_string() } else { value.display() };
                let style = format!("width: {:.1}%", 100.0 * *count as f64 / rows);
                html! {
                    <li>
                        <span class="bar" {style}></span>
                        <span class="value">{ shown }</span>
                        <span class="count">{ format::thousands(*count) }</span>
                    </li>
                }
            }) }
        </ol>
    }
}

/// A Julian day number as a date (`YYYY-MM-DD`).
fn julian_date(day: f64) -> String {
    let ms = (day - 2_440_587.5) * 86_400_000.0;
    let text: String = js_sys::Date::new(&ms.into()).to_iso_string().into();
    text.get(..10).unwrap_or_default().to_string()
}

/// A number in a few characters: whole numbers as they are, others to
/// three significant digits.
fn short_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let digits = (2 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{x:.digits$}")
    }
}

/// "Summarize the columns": a button that shows the summaries (made on
/// first use, kept by the worker) and hides them again.
#[function_component(SummaryToggle)]
pub fn summary_toggle(props: &SummariesProps) -> Html {
    let shown = use_state(|| false);
    let toggle = {
        let shown = shown.clone();
        Callback::from(move |_| shown.set(!*shown))
    };
    html! {
        <div class="summary-toggle">
            <button class="link summarize" onclick={toggle} aria-expanded={if *shown { "true" } else { "false" }}>
                { if *shown { "Hide the column summaries" } else { "Summarize the columns" } }
            </button>
            if *shown { <ColumnSummaries source={props.source.clone()} /> }
        </div>
    }
}
