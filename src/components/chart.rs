//! A chart of a table view's or a query's rows: pickers for the kind, x,
//! y, colour and aggregation (what is left unset the engine guesses from
//! the columns' types), the picture, what it leaves out, and SVG and PNG
//! downloads. The settings live in the URL (`_chart=…`), so a chart is a
//! link, and with `_embed=1` the page shows the chart alone.
//!
//! The worker reduces the rows to marks (a result of any size becomes a
//! few thousand shapes); `crates/chart-svg`, a wasm module fetched the
//! first time a chart shows (`explorerRenderChart` in index.html), draws
//! them as SVG. The page inserts that SVG as markup: it escapes every
//! string from the data.

use protocol::{Aggregate, ChartData, ChartKind, ChartRequest, ChartSpec, SummarySource};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::error_box::ErrorBox;
use crate::hooks::{use_worker_call, CallState};

/// The width the worker reduces marks for: lines keep four points per
/// pixel column of it. The picture is drawn at the box's own width.
const REDUCED_FOR_WIDTH: u32 = 800;

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub source: SummarySource,
    pub spec: ChartSpec,
    /// The columns to pick from.
    pub columns: Vec<String>,
    /// A new spec, or `None` to close the chart (the page puts it in the URL).
    pub on_change: Callback<Option<ChartSpec>>,
    /// The picture alone (an embedded chart).
    #[prop_or_default]
    pub bare: bool,
}

#[function_component(ChartPanel)]
pub fn chart_panel(props: &ChartProps) -> Html {
    let source = props.source.clone().rows_only();
    let data = use_worker_call((source, props.spec.clone()), |client, (source, spec)| async move {
        client.chart(ChartRequest { source, spec, width: REDUCED_FOR_WIDTH }).await
    });
    let figure = use_node_ref();
    let drawn = use_state_eq(|| None::<Result<AttrValue, String>>);
    {
        let (figure, drawn) = (figure.clone(), drawn.clone());
        let latest = data.state().done().cloned();
        use_effect_with(latest.map(|d| (*d).clone()), move |latest| {
            if let Some(data) = latest.clone() {
                let width = figure.cast::<web_sys::Element>().map_or(720, |f| f.client_width().max(0) as u32).clamp(280, 1200);
                let height = (width / 2).clamp(220, 440);
                wasm_bindgen_futures::spawn_local(async move { drawn.set(Some(draw(&data, width, height).await.map(AttrValue::from))) });
            }
        });
    }
    let state = data.state();
    let shown = state.latest().map(|d| (**d).clone());
    let picture = match (&state, (*drawn).clone()) {
        (CallState::Failed(error), _) => html! { <ErrorBox error={error.clone()} /> },
        (_, Some(Err(reason))) => html! { <p class="error" role="alert">{ format!("The chart could not be drawn: {reason}") }</p> },
        (_, Some(Ok(svg))) => Html::from_html_unchecked(svg),
        (_, None) => html! { <p class="muted" aria-busy="true">{ "Drawing the chart…" }</p> },
    };
    let busy = matches!(state, CallState::Waiting { .. });
    let name = file_name(&props.source, shown.as_ref());
    html! {
        <section class={classes!("chart", props.bare.then_some("bare"))} aria-label="Chart">
            if !props.bare { { pickers(props, shown.as_ref()) } }
            <figure class={classes!("chart-figure", busy.then_some("stale"))} ref={figure.clone()} aria-busy={busy.to_string()}>
                { picture }
            </figure>
            if let Some(data) = &shown {
                if !data.notes.is_empty() {
                    <ul class="chart-notes muted">{ for data.notes.iter().map(|n| html! { <li>{ n }</li> }) }</ul>
                }
            }
            if !props.bare && drawn.as_ref().is_some_and(|d| d.is_ok()) {
                <p class="chart-actions">
                    <button class="link download-svg" onclick={export(figure.clone(), "svg", name.clone())}>{ "Download SVG" }</button>
                    { " · " }
                    <button class="link download-png" onclick={export(figure.clone(), "png", name)}>{ "Download PNG" }</button>
                </p>
            }
        </section>
    }
}

/// The kind, x, y, colour and aggregation pickers, showing what the
/// engine chose; a change puts every choice into the spec.
fn pickers(props: &ChartProps, data: Option<&ChartData>) -> Html {
    // The URL's choices, and the engine's for what the URL leaves out. The
    // URL's come first: the chart shown may still be the one before the
    // last change (a quick second change must not undo the first).
    let asked = &props.spec;
    let spec = match data.map(|d| &d.chart) {
        Some(c) => ChartSpec {
            kind: asked.kind.or(Some(c.kind)),
            x: asked.x.clone().or_else(|| Some(c.x.clone())),
            y: if asked.y.is_some() || asked.agg == Some(Aggregate::Count) { asked.y.clone() } else { c.y.clone() },
            color: asked.color.clone(),
            agg: asked.agg.or(Some(c.agg)),
        },
        None => asked.clone(),
    };
    let change = |apply: fn(&mut ChartSpec, String)| {
        let (on_change, spec) = (props.on_change.clone(), spec.clone());
        Callback::from(move |e: Event| {
            let mut next = spec.clone();
            apply(&mut next, e.target_unchecked_into::<HtmlSelectElement>().value());
            on_change.emit(Some(next));
        })
    };
    let options = |selected: Option<&str>, none: Option<&str>| -> Html {
        let none = none.map(|label| html! { <option value="" selected={selected.is_none()}>{ label }</option> });
        let columns =
            props.columns.iter().map(|c| html! { <option value={c.clone()} selected={selected == Some(c.as_str())}>{ c }</option> });
        html! { <>{ for none }{ for columns }</> }
    };
    let kind = spec.kind.unwrap_or(ChartKind::Bar);
    let close = {
        let on_change = props.on_change.clone();
        Callback::from(move |_| on_change.emit(None))
    };
    html! {
        <div class="chart-pickers">
            <label>{ "Chart " }
                <select class="chart-kind" onchange={change(|s, v| { s.kind = ChartKind::parse(&v); s.agg = None; })}>
                    { for ChartKind::ALL.iter().map(|k| html! { <option value={k.name()} selected={*k == kind}>{ kind_label(*k) }</option> }) }
                </select>
            </label>
            <label>{ "x " }
                <select class="chart-x" onchange={change(|s, v| s.x = Some(v).filter(|v| !v.is_empty()))}>{ options(spec.x.as_deref(), None) }</select>
            </label>
            if kind.has_y() {
                <label>{ "y " }
                    <select class="chart-y" onchange={change(|s, v| {
                        s.y = Some(v).filter(|v| !v.is_empty());
                        if s.y.is_none() { s.agg = Some(Aggregate::Count) } else if s.agg == Some(Aggregate::Count) { s.agg = None }
                    })}>
                        { options(spec.y.as_deref(), (kind != ChartKind::Scatter).then_some("count of rows")) }
                    </select>
                </label>
                if kind != ChartKind::Scatter && spec.y.is_some() {
                    <label>{ "of each x, the " }
                        <select class="chart-agg" onchange={change(|s, v| s.agg = Aggregate::parse(&v))}>
                            { for Aggregate::ALL.iter().filter(|a| **a != Aggregate::Count && (**a != Aggregate::None || kind != ChartKind::Bar)).map(|a| html! {
                                <option value={a.name()} selected={spec.agg == Some(*a)}>{ agg_label(*a) }</option>
                            }) }
                        </select>
                    </label>
                }
            }
            <label>{ "colour " }
                <select class="chart-color" onchange={change(|s, v| s.color = Some(v).filter(|v| !v.is_empty()))}>{ options(spec.color.as_deref(), Some("none")) }</select>
            </label>
            <button class="link close-chart" onclick={close}>{ "Close the chart" }</button>
        </div>
    }
}

fn kind_label(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Bar => "Bar",
        ChartKind::Line => "Line",
        ChartKind::Area => "Area",
        ChartKind::Scatter => "Scatter",
        ChartKind::Histogram => "Histogram",
    }
}

fn agg_label(agg: Aggregate) -> &'static str {
    match agg {
        Aggregate::Count => "count",
        Aggregate::Sum => "sum",
        Aggregate::Avg => "average",
        Aggregate::Min => "minimum",
        Aggregate::Max => "maximum",
        Aggregate::None => "every row",
    }
}

/// Draws `data` with the chart module (loaded on first use).
async fn draw(data: &ChartData, width: u32, height: u32) -> Result<String, String> {
    let render = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("explorerRenderChart")).map_err(describe)?;
    let render: js_sys::Function = render.dyn_into().map_err(|_| "the chart module is not available".to_string())?;
    let bytes = js_sys::Uint8Array::from(protocol::encode(data).as_slice());
    let promise = render.call3(&JsValue::NULL, &bytes, &width.into(), &height.into()).map_err(describe)?;
    let svg = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await.map_err(describe)?;
    svg.as_string().ok_or_else(|| "the chart module gave no picture".to_string())
}

fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "it failed to load (offline before it was ever fetched?)".into())
}

/// Saves the picture as SVG or PNG (`explorerExportChart` in index.html
/// fixes its colours to the theme's and rasterises it for PNG).
fn export(figure: NodeRef, format: &'static str, name: String) -> Callback<MouseEvent> {
    Callback::from(move |_| {
        let Some(figure) = figure.cast::<web_sys::Element>() else { return };
        if let Ok(export) = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("explorerExportChart")) {
            if let Some(export) = export.dyn_ref::<js_sys::Function>() {
                let _ = export.call3(&JsValue::NULL, &figure, &JsValue::from_str(format), &JsValue::from_str(&name));
            }
        }
    })
}

/// `Invoice-line-InvoiceDate`, without characters file systems refuse.
fn file_name(source: &SummarySource, data: Option<&ChartData>) -> String {
    let base = match source {
        SummarySource::Table(r) => r.table.clone(),
        SummarySource::Query(q) => format!("{}-query", q.db),
    };
    let name = match data {
        Some(d) => format!("{base}-{}-{}", d.chart.kind.name(), d.chart.x),
        None => format!("{base}-chart"),
    };
    name.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// "Chart these rows": opens a chart with everything guessed.
#[derive(Properties, PartialEq)]
pub struct OpenChartProps {
    pub on_open: Callback<Option<ChartSpec>>,
}

#[function_component(OpenChart)]
pub fn open_chart(props: &OpenChartProps) -> Html {
    let on_open = props.on_open.clone();
    html! { <button class="link open-chart" onclick={Callback::from(move |_| on_open.emit(Some(ChartSpec::default())))}>{ "Chart these rows" }</button> }
}
