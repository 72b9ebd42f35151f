//! Draws a chart the engine reduced (`protocol::ChartData`) as an SVG
//! document: axes with round ticks (calendar ticks for dates), gridlines,
//! a legend for colours, and the marks, each bar and point with a
//! `<title>` the browser shows on hover.
//!
//! A wasm module of its own (`render_chart`), which the UI imports the
//! first time it shows a chart, so no visit that charts nothing downloads
//! it. The SVG is what the page shows and what "Download SVG" saves; the
//! PNG is this SVG drawn on a canvas. Text uses `currentColor`, so the
//! chart follows the page's theme; the page sets the colour on export.
//!
//! Invariant: every string from the data (names, categories) goes
//! through `svg::escape`; the UI inserts this document as markup.

mod axis;
mod svg;

use axis::{date_ticks, format_date, format_number, format_value, number_ticks, DateLabel, Linear};
use protocol::{Aggregate, ChartData, ChartKind, Marks, XScale};
use svg::{px, Svg};
use wasm_bindgen::prelude::wasm_bindgen;

/// Tableau 10: told apart by most colour-blind readers, legible on light
/// and dark backgrounds.
pub const PALETTE: [&str; 10] =
    ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
/// Average width of a 12 px label character, for layout without a font.
const CHAR_WIDTH: f64 = 6.6;
/// Labels longer than this are cut with "…".
const LABEL_CHARS: usize = 24;
/// Marks with a hover title at most (beyond it the file grows for
/// little use).
const TITLED_MARKS: usize = 2000;

/// `data` is a postcard-encoded `ChartData` (as the worker sent it).
#[wasm_bindgen]
pub fn render_chart(data: &[u8], width: u32, height: u32) -> Result<String, String> {
    let data: ChartData = protocol::decode(data).map_err(|e| e.to_string())?;
    Ok(render(&data, width as f64, height as f64))
}

/// The chart as an SVG document `width` × `height` pixels.
pub fn render(data: &ChartData, width: f64, height: f64) -> String {
    let (width, height) = (width.clamp(200.0, 4000.0), height.clamp(150.0, 3000.0));
    let mut svg = Svg::new(width, height, &describe(data));
    let chart = Layout::new(data, width, height);
    chart.legend(&mut svg, data);
    chart.axes(&mut svg, data);
    chart.marks(&mut svg, data);
    svg.finish()
}

/// "Line chart: sum(Total) by InvoiceDate, coloured by BillingCountry".
pub fn describe(data: &ChartData) -> String {
    let kind = match data.chart.kind {
        ChartKind::Bar => "Bar chart",
        ChartKind::Line => "Line chart",
        ChartKind::Area => "Area chart",
        ChartKind::Scatter => "Scatter plot",
        ChartKind::Histogram => "Histogram",
    };
    let mut text = format!("{kind}: {} by {}", y_title(data), data.chart.x);
    if let Some(colour) = &data.chart.color {
        text.push_str(&format!(", coloured by {colour}"));
    }
    text
}

/// What the y axis measures: `count`, `sum(Total)`, `Total`.
pub fn y_title(data: &ChartData) -> String {
    match (&data.chart.y, data.chart.agg) {
        (_, Aggregate::Count) | (None, _) => "count".into(),
        (Some(y), Aggregate::None) => y.clone(),
        (Some(y), agg) => format!("{}({y})", agg.name()),
    }
}

fn colour(series: usize) -> &'static str {
    PALETTE[series % PALETTE.len()]
}

fn cut(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        format!("{}…", label.chars().take(LABEL_CHARS - 1).collect::<String>())
    }
}

fn text_width(label: &str) -> f64 {
    label.chars().count() as f64 * CHAR_WIDTH
}

/// Where everything goes.
struct Layout {
    height: f64,
    legend_rows: Vec<Vec<(usize, f64)>>,
    x: Linear,
    y: Linear,
    y_ticks: Vec<f64>,
    y_step: f64,
    /// Category labels drawn at 45° (they do not fit level).
    slanted: bool,
    /// Dates: how ticks are labelled.
    date_label: DateLabel,
    x_ticks: Vec<f64>,
    x_step: f64,
}

impl Layout {
    fn new(data: &ChartData, width: f64, height: f64) -> Layout {
        // The legend: rows of (series, x) wrapped to the width.
        let mut legend_rows: Vec<Vec<(usize, f64)>> = Vec::new();
        let mut at = 0.0;
        for (i, name) in data.series.iter().enumerate() {
            let item = 18.0 + text_width(&cut(name)) + 14.0;
            if legend_rows.is_empty() || at + item > width - 16.0 {
                legend_rows.push(Vec::new());
                at = 0.0;
            }
            legend_rows.last_mut().expect("pushed").push((i, at));
            at += item;
        }
        let top = 12.0 + legend_rows.len() as f64 * 18.0;
        let (y_lo, y_hi) = y_extent(data);
        let (y_lo, y_hi, y_ticks, y_step) = number_ticks(y_lo, y_hi, ((height - top - 60.0) / 50.0).clamp(2.0, 10.0) as usize);
        let y_label_width = y_ticks.iter().map(|t| text_width(&format_number(*t, y_step))).fold(0.0, f64::max);
        let left = 22.0 + y_label_width + 8.0;
        let right = width - 16.0;
        let plot_width = (right - left).max(40.0);
        let mut slanted = false;
        let mut bottom = 44.0;
        let (mut x_ticks, mut x_step) = (Vec::new(), 1.0);
        let mut date_label = DateLabel::Day;
        let (x_lo, x_hi) = match data.x_scale {
            XScale::Category => {
                let n = data.categories.len().max(1) as f64;
                let widest = data.categories.iter().map(|c| text_width(&cut(c))).fold(0.0, f64::max);
                if widest + 6.0 > plot_width / n {
                    slanted = true;
                    bottom = 28.0 + widest * std::f64::consts::FRAC_1_SQRT_2;
                }
                (-0.5, n - 0.5)
            }
            scale => {
                let (lo, hi) = x_extent(data);
                let count = (plot_width / 90.0).clamp(2.0, 12.0) as usize;
                if scale == XScale::Date {
                    let (lo, hi) = if lo == hi { (lo - 1.0, hi + 1.0) } else { (lo, hi) };
                    (x_ticks, date_label) = date_ticks(lo, hi, count);
                    (lo, hi)
                } else if matches!(data.marks, Marks::Bins { .. }) {
                    let (_, _, ticks, step) = number_ticks(lo, hi, count);
                    x_step = step;
                    x_ticks = ticks.into_iter().filter(|t| *t >= lo - step * 1e-9 && *t <= hi + step * 1e-9).collect();
                    (lo, hi)
                } else {
                    let (lo, hi, ticks, step) = number_ticks(lo, hi, count);
                    (x_ticks, x_step) = (ticks, step);
                    (lo, hi)
                }
            }
        };
        let bottom_edge = (height - bottom).max(top + 40.0);
        Layout {
            height,
            legend_rows,
            x: Linear { lo: x_lo, hi: x_hi, from: left, to: left + plot_width },
            y: Linear { lo: y_lo, hi: y_hi, from: bottom_edge, to: top },
            y_ticks,
            y_step,
            slanted,
            date_label,
            x_ticks,
            x_step,
        }
    }

    fn legend(&self, svg: &mut Svg, data: &ChartData) {
        for (row, items) in self.legend_rows.iter().enumerate() {
            let y = 6.0 + row as f64 * 18.0;
            for (series, x) in items {
                let x = x + 8.0;
                let rect = [("x", px(x)), ("y", px(y)), ("width", "12".into()), ("height", "12".into()), ("fill", colour(*series).into())];
                svg.element("rect", &rect, None);
                svg.text(x + 17.0, y + 10.5, "start", &[], &cut(&data.series[*series]));
            }
        }
    }

    fn axes(&self, svg: &mut Svg, data: &ChartData) {
        let (left, right) = (self.x.from, self.x.to);
        let (bottom, top) = (self.y.from, self.y.to);
        svg.open("g", &[("class", "axes".into())]);
        for tick in &self.y_ticks {
            let y = self.y.at(*tick);
            let line = [("x1", px(left)), ("x2", px(right)), ("y1", px(y)), ("y2", px(y)), ("stroke", "currentColor".into())];
            let opacity = if *tick == 0.0 { "0.5" } else { "0.12" };
            svg.element("line", &[&line[..], &[("stroke-opacity", opacity.into())]].concat(), None);
            svg.text(left - 6.0, y + 4.0, "end", &[], &format_number(*tick, self.y_step));
        }
        let axis = [("x1", px(left)), ("x2", px(right)), ("y1", px(bottom)), ("y2", px(bottom)), ("stroke", "currentColor".into())];
        svg.element("line", &[&axis[..], &[("stroke-opacity", "0.5".into())]].concat(), None);
        match data.x_scale {
            XScale::Category => {
                let n = data.categories.len().max(1);
                let band = (right - left) / n as f64;
                // Every k-th label when they would overlap even slanted.
                let every = if self.slanted { (14.0 / band).ceil().max(1.0) as usize } else { 1 };
                for (i, name) in data.categories.iter().enumerate().filter(|(i, _)| i % every == 0) {
                    let x = self.x.at(i as f64);
                    if self.slanted {
                        let transform = format!("rotate(-45 {} {})", px(x), px(bottom + 12.0));
                        svg.text(x, bottom + 12.0, "end", &[("transform", transform)], &cut(name));
                    } else {
                        svg.text(x, bottom + 16.0, "middle", &[], &cut(name));
                    }
                }
            }
            scale => {
                for tick in &self.x_ticks {
                    let x = self.x.at(*tick);
                    let mark =
                        [("x1", px(x)), ("x2", px(x)), ("y1", px(bottom)), ("y2", px(bottom + 4.0)), ("stroke", "currentColor".into())];
                    svg.element("line", &mark, None);
                    let label = if scale == XScale::Date { format_date(*tick, self.date_label) } else { format_number(*tick, self.x_step) };
                    svg.text(x, bottom + 16.0, "middle", &[], &label);
                }
            }
        }
        let x_title_y = if self.slanted { self.height - 6.0 } else { bottom + 34.0 };
        svg.text((left + right) / 2.0, x_title_y, "middle", &[("font-weight", "600".into())], &cut(&data.chart.x));
        let middle = (top + bottom) / 2.0;
        let transform = format!("rotate(-90 12 {})", px(middle));
        svg.text(12.0, middle, "middle", &[("transform", transform), ("font-weight", "600".into())], &cut(&y_title(data)));
        svg.close("g");
    }

    fn marks(&self, svg: &mut Svg, data: &ChartData) {
        svg.open("g", &[("class", "marks".into())]);
        match &data.marks {
            Marks::Bars { values, stacked } => self.bars(svg, data, values, *stacked),
            Marks::Bins { edges, counts } => self.bins(svg, data, edges, counts),
            Marks::Lines { points } => self.lines(svg, data, points),
            Marks::Points { points, cell } => self.points(svg, data, points, *cell),
        }
        svg.close("g");
    }

    fn bars(&self, svg: &mut Svg, data: &ChartData, values: &[Vec<Option<f64>>], stacked: bool) {
        let n = values.len().max(1);
        let band = (self.x.to - self.x.from) / n as f64;
        let inner = (band * 0.8).max(1.0);
        let series = values.first().map_or(1, Vec::len).max(1);
        let zero = self.y.at(0.0_f64.clamp(self.y.lo, self.y.hi));
        for (i, row) in values.iter().enumerate() {
            let centre = self.x.at(i as f64);
            let (mut up, mut down) = (0.0, 0.0);
            for (s, value) in row.iter().enumerate() {
                let Some(v) = value else { continue };
                let (x, w, from, to) = if stacked && series > 1 {
                    let base = if *v >= 0.0 { &mut up } else { &mut down };
                    let from = *base;
                    *base += v;
                    (centre - inner / 2.0, inner, self.y.at(from), self.y.at(*base))
                } else {
                    let w = inner / series as f64;
                    (centre - inner / 2.0 + w * s as f64, w, zero, self.y.at(*v))
                };
                let category = data.categories.get(i).map_or("", String::as_str);
                let tip = match data.series.get(s) {
                    Some(name) => format!("{category} · {name}: {}", format_value(*v)),
                    None => format!("{category}: {}", format_value(*v)),
                };
                let rect = [
                    ("x", px(x)),
                    ("y", px(from.min(to))),
                    ("width", px((w - 0.5).max(0.5))),
                    ("height", px((from - to).abs().max(0.5))),
                    ("fill", colour(s).into()),
                ];
                svg.element("rect", &rect, Some(&tip));
            }
        }
    }

    fn bins(&self, svg: &mut Svg, data: &ChartData, edges: &[f64], counts: &[Vec<f64>]) {
        for (i, row) in counts.iter().enumerate() {
            let (Some(lo), Some(hi)) = (edges.get(i), edges.get(i + 1)) else { break };
            let (x0, x1) = (self.x.at(*lo), self.x.at(*hi));
            let range = if data.x_scale == XScale::Date {
                format!("{} – {}", format_date(*lo, self.date_label), format_date(*hi, self.date_label))
            } else {
                format!("{} – {}", format_value(*lo), format_value(*hi))
            };
            let mut base = 0.0;
            for (s, n) in row.iter().enumerate().filter(|(_, n)| **n > 0.0) {
                let (from, to) = (self.y.at(base), self.y.at(base + n));
                base += n;
                let tip = match data.series.get(s) {
                    Some(name) => format!("{range} · {name}: {}", format_value(*n)),
                    None => format!("{range}: {}", format_value(*n)),
                };
                let rect = [
                    ("x", px(x0 + 0.5)),
                    ("y", px(to)),
                    ("width", px((x1 - x0 - 1.0).max(0.5))),
                    ("height", px((from - to).max(0.5))),
                    ("fill", colour(s).into()),
                ];
                svg.element("rect", &rect, Some(&tip));
            }
        }
    }

    fn lines(&self, svg: &mut Svg, data: &ChartData, points: &[Vec<(f64, f64)>]) {
        let area = data.chart.kind == ChartKind::Area;
        let zero = self.y.at(0.0_f64.clamp(self.y.lo, self.y.hi));
        let few = points.iter().map(Vec::len).sum::<usize>() <= 60;
        for (s, line) in points.iter().enumerate() {
            if line.is_empty() {
                continue;
            }
            let mut path = String::with_capacity(line.len() * 14);
            for (i, (x, y)) in line.iter().enumerate() {
                path.push_str(if i == 0 { "M" } else { "L" });
                path.push_str(&format!("{},{}", px(self.x.at(*x)), px(self.y.at(*y))));
            }
            if area {
                let (first, last) = (self.x.at(line[0].0), self.x.at(line[line.len() - 1].0));
                let fill = format!("{path}L{},{}L{},{}Z", px(last), px(zero), px(first), px(zero));
                svg.element("path", &[("d", fill), ("fill", colour(s).into()), ("fill-opacity", "0.3".into())], None);
            }
            let stroke = [
                ("d", path),
                ("fill", "none".into()),
                ("stroke", colour(s).into()),
                ("stroke-width", "2".into()),
                ("stroke-linejoin", "round".into()),
            ];
            svg.element("path", &stroke, data.series.get(s).map(String::as_str));
            if few {
                for (x, y) in line {
                    let tip = format!("{}: {}", self.x_text(data, *x), format_value(*y));
                    let dot = [("cx", px(self.x.at(*x))), ("cy", px(self.y.at(*y))), ("r", "3".into()), ("fill", colour(s).into())];
                    svg.element("circle", &dot, Some(&tip));
                }
            }
        }
    }

    fn points(&self, svg: &mut Svg, data: &ChartData, points: &[Vec<(f64, f64, u64)>], cell: Option<(f64, f64)>) {
        let titled = points.iter().map(Vec::len).sum::<usize>() <= TITLED_MARKS;
        match cell {
            None => {
                for (s, list) in points.iter().enumerate() {
                    for (x, y, _) in list {
                        let dot = [
                            ("cx", px(self.x.at(*x))),
                            ("cy", px(self.y.at(*y))),
                            ("r", "3".into()),
                            ("fill", colour(s).into()),
                            ("fill-opacity", "0.7".into()),
                        ];
                        let tip = titled.then(|| format!("{}, {}", self.x_text(data, *x), format_value(*y)));
                        svg.element("circle", &dot, tip.as_deref());
                    }
                }
            }
            Some((dx, dy)) => {
                // Thousands of cells as one path per colour and shade (8
                // shades): a few elements for the page to parse and lay
                // out, not one per cell.
                const SHADES: usize = 8;
                let most = points.iter().flatten().map(|p| p.2).max().unwrap_or(1).max(1) as f64;
                let w = (self.x.at(self.x.lo + dx) - self.x.at(self.x.lo)).abs().max(1.0);
                let h = (self.y.at(self.y.lo) - self.y.at(self.y.lo + dy)).abs().max(1.0);
                for (s, list) in points.iter().enumerate() {
                    let mut paths = vec![String::new(); SHADES];
                    for (x, y, n) in list {
                        // Shaded by rows on a log scale: one row is still seen.
                        let share = (1.0 + *n as f64).ln() / (1.0 + most).ln();
                        let shade = ((share * SHADES as f64).ceil() as usize).clamp(1, SHADES) - 1;
                        let (left, top) = (self.x.at(*x) - w / 2.0, self.y.at(*y) - h / 2.0);
                        paths[shade].push_str(&format!("M{},{}h{}v{}h-{}z", px(left), px(top), px(w), px(h), px(w)));
                    }
                    for (shade, d) in paths.into_iter().enumerate().filter(|(_, d)| !d.is_empty()) {
                        let opacity = 0.25 + 0.75 * (shade + 1) as f64 / SHADES as f64;
                        let path = [("d", d), ("fill", colour(s).into()), ("fill-opacity", format!("{opacity:.2}"))];
                        svg.element("path", &path, None);
                    }
                }
            }
        }
    }

    /// An x value as its tick would say it, for tooltips.
    fn x_text(&self, data: &ChartData, x: f64) -> String {
        match data.x_scale {
            XScale::Category => data.categories.get(x as usize).cloned().unwrap_or_default(),
            XScale::Date => format_date(x, if x == x.floor() { DateLabel::Day } else { DateLabel::Time }),
            XScale::Number => format_value(x),
        }
    }
}

/// The smallest and largest finite values seen; (0, 1) when none.
#[derive(Default)]
struct Extent(Option<(f64, f64)>);

impl Extent {
    fn take(&mut self, v: f64) {
        if v.is_finite() {
            self.0 = Some(self.0.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
        }
    }

    fn range(self) -> (f64, f64) {
        self.0.unwrap_or((0.0, 1.0))
    }
}

/// The y values the marks reach (bars and areas from zero).
fn y_extent(data: &ChartData) -> (f64, f64) {
    let mut e = Extent::default();
    match &data.marks {
        Marks::Bars { values, stacked } => {
            e.take(0.0);
            for row in values {
                if *stacked {
                    e.take(row.iter().flatten().filter(|v| **v > 0.0).sum());
                    e.take(row.iter().flatten().filter(|v| **v < 0.0).sum());
                } else {
                    row.iter().flatten().for_each(|v| e.take(*v));
                }
            }
        }
        Marks::Bins { counts, .. } => {
            e.take(0.0);
            counts.iter().for_each(|row| e.take(row.iter().sum()));
        }
        Marks::Lines { points } => {
            if data.chart.kind == ChartKind::Area {
                e.take(0.0);
            }
            points.iter().flatten().for_each(|p| e.take(p.1));
        }
        Marks::Points { points, cell } => {
            let half = cell.map_or(0.0, |c| c.1 / 2.0);
            points.iter().flatten().for_each(|p| {
                e.take(p.1 - half);
                e.take(p.1 + half);
            });
        }
    }
    e.range()
}

/// The x values the marks reach, on a number or date scale.
fn x_extent(data: &ChartData) -> (f64, f64) {
    let mut e = Extent::default();
    match &data.marks {
        Marks::Bars { .. } => {}
        Marks::Bins { edges, .. } => edges.iter().for_each(|v| e.take(*v)),
        Marks::Lines { points } => points.iter().flatten().for_each(|p| e.take(p.0)),
        Marks::Points { points, cell } => {
            let half = cell.map_or(0.0, |c| c.0 / 2.0);
            points.iter().flatten().for_each(|p| {
                e.take(p.0 - half);
                e.take(p.0 + half);
            });
        }
    }
    e.range()
}
