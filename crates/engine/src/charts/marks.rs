//! The marks of a resolved chart, each kind reduced in SQL (GROUP BY for
//! bars, bins and grid cells) or while rows stream by (`PixelColumns` for
//! lines), so what is returned is bounded by the picture, not the rows.

use std::collections::HashMap;

use protocol::{round_step, Aggregate, Cell, ChartData, ChartKind, Marks, ResolvedChart, XScale};
use rusqlite::Connection;

use super::{name_of, thousands, ColumnKind, ValueKind, CHART_TIME_LIMIT_MS};
use crate::error::Result;
use crate::selected_rows::SelectedRows;
use crate::sql::{cell_from_ref, quote_ident};
use crate::time_limit::Clock;

/// Colours drawn: the most frequent values of the colour column.
const MAX_SERIES: usize = 10;
/// Bars (or line points) along a category axis of text, the largest ones.
const MAX_TEXT_CATEGORIES: usize = 50;
/// Bars along a category axis of numbers or dates, the first ones.
const MAX_CATEGORIES: usize = 100;
/// A scatter plot of more points than this draws grid cells instead.
pub const RAW_POINTS_MAX: u64 = 5000;
/// A grid cell's side, in pixels.
const CELL_PIXELS: f64 = 4.0;
/// The plot is half as tall as it is wide (the renderer's proportions).
const HEIGHT_PER_WIDTH: f64 = 0.5;
/// Bins a histogram aims at.
const BINS: f64 = 30.0;
const MAX_BINS: usize = 200;

/// Everything the statements of one chart share.
struct Chart<'a> {
    conn: &'a mut Connection,
    clock: Clock,
    rows: &'a SelectedRows,
    /// The x column as a value: the column, or Unix days for dates.
    x: String,
    /// `WHERE` with every condition a row needs to be drawn.
    condition: String,
    /// The colour column, or NULL.
    color: String,
    /// Series index by colour name; empty for one series.
    series: HashMap<String, usize>,
}

impl Chart<'_> {
    fn query<T>(
        &mut self,
        sql: &str,
        extra: &[(&str, Cell)],
        read: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        self.rows.query(self.conn, self.clock, CHART_TIME_LIMIT_MS, sql, extra, read)
    }

    fn series_of(&self, colour: &Cell) -> Option<usize> {
        if self.series.is_empty() {
            Some(0)
        } else {
            self.series.get(&name_of(colour)).copied()
        }
    }

    fn series_count(&self) -> usize {
        self.series.len().max(1)
    }

    fn from(&self) -> String {
        format!("{}{}", self.rows.from, self.condition)
    }
}

pub(super) fn draw(
    conn: &mut Connection,
    clock: Clock,
    rows: &SelectedRows,
    chart: ResolvedChart,
    x: &ColumnKind,
    width: u32,
) -> Result<ChartData> {
    let x_scale = match (chart.kind, x.kind) {
        (ChartKind::Bar, _) | (_, ValueKind::Text) => XScale::Category,
        (_, ValueKind::Date) => XScale::Date,
        (_, ValueKind::Number) => XScale::Number,
    };
    let xc = quote_ident(&chart.x);
    let (x_value, mut conditions) = match x_scale {
        XScale::Number => (xc.clone(), vec![format!("typeof({xc}) IN ('integer', 'real')")]),
        XScale::Date => (format!("(julianday({xc}) - 2440587.5)"), vec![format!("typeof({xc}) = 'text' AND julianday({xc}) IS NOT NULL")]),
        XScale::Category => (xc.clone(), vec![format!("{xc} IS NOT NULL")]),
    };
    let y_value = chart.y.as_deref().map(quote_ident);
    if let (Some(yc), true) = (&y_value, chart.agg != Aggregate::Count) {
        conditions.push(format!("typeof({yc}) IN ('integer', 'real')"));
    }
    // All rows, and those with an x (and y) to draw.
    let counting = format!("SELECT count(*), coalesce(sum({}), 0) FROM {}{}", conditions.join(" AND "), rows.from, rows.where_sql);
    let counted = rows.query(conn, clock, CHART_TIME_LIMIT_MS, &counting, &[], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    let (total, usable) = counted.first().map_or((0, 0), |(t, u)| ((*t).max(0) as u64, (*u).max(0) as u64));
    let mut notes = Vec::new();
    let mut series_names = Vec::new();
    let color = match &chart.color {
        Some(c) => {
            let c = quote_ident(c);
            let sql = format!(
                "SELECT {c}, count(*) AS n FROM {}{} GROUP BY 1 ORDER BY n DESC, 1 LIMIT {}",
                rows.from,
                rows.and_where(&conditions.join(" AND ")),
                MAX_SERIES + 1
            );
            let found = rows.query(conn, clock, CHART_TIME_LIMIT_MS, &sql, &[], |r| Ok(name_of(&cell_from_ref(r.get_ref(0)?))))?;
            series_names = found.into_iter().take(MAX_SERIES).collect();
            c
        }
        None => "NULL".into(),
    };
    let series = series_names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
    let condition = rows.and_where(&conditions.join(" AND "));
    let mut c = Chart { conn, clock, rows, x: x_value, condition, color, series };
    let value = match (&y_value, chart.agg) {
        (Some(yc), agg) if agg != Aggregate::Count => format!("{}({yc})", if agg == Aggregate::None { "sum" } else { agg.name() }),
        _ => "count(*)".into(),
    };
    let mut categories = Vec::new();
    let (marks, drawn) = match (chart.kind, x_scale) {
        (ChartKind::Histogram, _) => histogram(&mut c, x.integers && x_scale == XScale::Number)?,
        (ChartKind::Scatter, _) => scatter(&mut c, y_value.as_deref().unwrap_or("NULL"), width, &mut notes)?,
        (kind, XScale::Category) => {
            let (found, marks, drawn) = by_category(&mut c, &value, x.kind, kind, chart.agg, &chart.x, &mut notes)?;
            categories = found;
            (marks, drawn)
        }
        (_, _) => {
            let sql = match (&y_value, chart.agg) {
                (Some(yc), Aggregate::None) => format!("SELECT {}, {}, {yc}, 1 FROM {} ORDER BY 1", c.x, c.color, c.from()),
                _ => format!("SELECT {}, {}, {value}, count(*) FROM {} GROUP BY 1, 2 ORDER BY 1", c.x, c.color, c.from()),
            };
            lines(&mut c, &sql, width)?
        }
    };
    if usable < total {
        let what = match x_scale {
            XScale::Category => "x is NULL",
            XScale::Number => "x is not a number",
            XScale::Date => "x is not a date",
        };
        let what =
            if y_value.is_some() && chart.agg != Aggregate::Count { format!("{what} or y is not a number") } else { what.to_string() };
        notes.push(format!("{} of {} rows are left out: their {what}.", thousands(total - usable), thousands(total)));
    }
    if drawn < usable && series_names.len() == MAX_SERIES {
        notes.push(format!(
            "Only the {MAX_SERIES} most frequent values of “{}” have a colour; {} rows with other values are left out.",
            chart.color.as_deref().unwrap_or_default(),
            thousands(usable - drawn)
        ));
    }
    let columns = rows.columns.iter().map(|(n, _)| n.clone()).collect();
    Ok(ChartData { chart, columns, x_scale, categories, series: series_names, marks, rows: drawn, notes })
}

/// Bars (or a line) over the values of x as categories.
fn by_category(
    c: &mut Chart<'_>,
    value: &str,
    x_kind: ValueKind,
    kind: ChartKind,
    agg: Aggregate,
    x_name: &str,
    notes: &mut Vec<String>,
) -> Result<(Vec<String>, Marks, u64)> {
    let n = c.series_count();
    let sql = format!("SELECT {}, {}, {value}, count(*) FROM {} GROUP BY 1, 2 ORDER BY 1", c.x, c.color, c.from());
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut values: Vec<Vec<Option<f64>>> = Vec::new();
    let mut weight: Vec<f64> = Vec::new();
    let mut drawn = 0u64;
    let found = c.query(&sql, &[], |r| {
        Ok((cell_from_ref(r.get_ref(0)?), cell_from_ref(r.get_ref(1)?), r.get::<_, Option<f64>>(2)?, r.get::<_, i64>(3)?))
    })?;
    for (x, colour, v, rows) in found {
        let Some(s) = c.series_of(&colour) else { continue };
        let name = name_of(&x);
        let at = *index.entry(name.clone()).or_insert_with(|| {
            names.push(name);
            values.push(vec![None; n]);
            weight.push(0.0);
            values.len() - 1
        });
        values[at][s] = v;
        weight[at] += if agg.adds_up() { v.unwrap_or(0.0).abs() } else { rows as f64 };
        drawn += rows.max(0) as u64;
    }
    let mut order: Vec<usize> = (0..names.len()).collect();
    let keep = if x_kind == ValueKind::Text && kind == ChartKind::Bar {
        // Text on x: the biggest bars first, as a facet lists them.
        order.sort_by(|a, b| weight[*b].total_cmp(&weight[*a]).then(a.cmp(b)));
        MAX_TEXT_CATEGORIES
    } else {
        MAX_CATEGORIES
    };
    if order.len() > keep {
        let how = if keep == MAX_TEXT_CATEGORIES { "largest" } else { "first" };
        notes.push(format!("Only the {how} {keep} of {} values of “{x_name}” are drawn.", thousands(order.len() as u64)));
        order.truncate(keep);
    }
    let categories = order.iter().map(|i| names[*i].clone()).collect();
    let values: Vec<Vec<Option<f64>>> = order.iter().map(|i| values[*i].clone()).collect();
    let marks = if kind == ChartKind::Bar {
        Marks::Bars { stacked: agg.adds_up() && n > 1, values }
    } else {
        let points = (0..n).map(|s| values.iter().enumerate().filter_map(|(i, v)| v[s].map(|v| (i as f64, v))).collect()).collect();
        Marks::Lines { points }
    };
    Ok((categories, marks, drawn))
}

/// A line per series over numbers or dates, rows in x order, each series
/// kept to four points per pixel column.
fn lines(c: &mut Chart<'_>, sql: &str, width: u32) -> Result<(Marks, u64)> {
    let range = format!("SELECT min({x}), max({x}) FROM {}", c.from(), x = c.x);
    let found = c.query(&range, &[], |r| Ok((r.get::<_, Option<f64>>(0)?, r.get::<_, Option<f64>>(1)?)))?;
    let (lo, hi) = match found.first() {
        Some((Some(lo), Some(hi))) => (*lo, *hi),
        _ => return Ok((Marks::Lines { points: vec![Vec::new(); c.series_count()] }, 0)),
    };
    let mut columns: Vec<PixelColumns> = (0..c.series_count()).map(|_| PixelColumns::new(lo, hi, width)).collect();
    let mut drawn = 0u64;
    let series: HashMap<String, usize> = c.series.clone();
    let one = series.is_empty();
    c.query(sql, &[], |r| {
        let (Some(x), Some(y)) = (r.get::<_, Option<f64>>(0)?, r.get::<_, Option<f64>>(2)?) else { return Ok(()) };
        let s = if one { Some(0) } else { series.get(&name_of(&cell_from_ref(r.get_ref(1)?))).copied() };
        if let Some(s) = s {
            columns[s].push(x, y);
            drawn += r.get::<_, i64>(3)?.max(0) as u64;
        }
        Ok(())
    })?;
    Ok((Marks::Lines { points: columns.into_iter().map(PixelColumns::finish).collect() }, drawn))
}

/// Points; more than `RAW_POINTS_MAX` become the occupied cells of a grid
/// of `CELL_PIXELS` squares, each with its number of rows.
fn scatter(c: &mut Chart<'_>, y: &str, width: u32, notes: &mut Vec<String>) -> Result<(Marks, u64)> {
    let stats = format!("SELECT count(*), min({x}), max({x}), min({y}), max({y}) FROM {}", c.from(), x = c.x);
    let found = c.query(&stats, &[], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<f64>>(1)?,
            r.get::<_, Option<f64>>(2)?,
            r.get::<_, Option<f64>>(3)?,
            r.get::<_, Option<f64>>(4)?,
        ))
    })?;
    let n = c.series_count();
    let mut points = vec![Vec::new(); n];
    let Some(&(count, Some(x_lo), Some(x_hi), Some(y_lo), Some(y_hi))) = found.first() else {
        return Ok((Marks::Points { points, cell: None }, 0));
    };
    let mut drawn = 0u64;
    if count as u64 <= RAW_POINTS_MAX {
        let sql = format!("SELECT {}, {y}, {} FROM {}", c.x, c.color, c.from());
        let rows = c.query(&sql, &[], |r| Ok((r.get::<_, f64>(0)?, r.get::<_, f64>(1)?, cell_from_ref(r.get_ref(2)?))))?;
        for (x, y, colour) in rows {
            if let Some(s) = c.series_of(&colour) {
                points[s].push((x, y, 1));
                drawn += 1;
            }
        }
        return Ok((Marks::Points { points, cell: None }, drawn));
    }
    let across = (width as f64 / CELL_PIXELS).floor().max(1.0);
    let down = (width as f64 * HEIGHT_PER_WIDTH / CELL_PIXELS).floor().max(1.0);
    let dx = if x_hi > x_lo { (x_hi - x_lo) / across } else { 1.0 };
    let dy = if y_hi > y_lo { (y_hi - y_lo) / down } else { 1.0 };
    let sql = format!(
        // The highest values land one past the last cell: they go in it.
        "SELECT min(CAST(({} - :chart_x0) / :chart_dx AS INTEGER), :chart_last_x), \
         min(CAST(({y} - :chart_y0) / :chart_dy AS INTEGER), :chart_last_y), {}, count(*) FROM {} GROUP BY 1, 2, 3",
        c.x,
        c.color,
        c.from()
    );
    let extra = [
        ("chart_x0", Cell::Real(x_lo)),
        ("chart_dx", Cell::Real(dx)),
        ("chart_y0", Cell::Real(y_lo)),
        ("chart_dy", Cell::Real(dy)),
        ("chart_last_x", Cell::Integer(across as i64 - 1)),
        ("chart_last_y", Cell::Integer(down as i64 - 1)),
    ];
    let cells =
        c.query(&sql, &extra, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, cell_from_ref(r.get_ref(2)?), r.get::<_, i64>(3)?)))?;
    let mut shapes = 0;
    for (cx, cy, colour, rows) in cells {
        if let Some(s) = c.series_of(&colour) {
            let (cx, cy) = (cx as f64, cy as f64);
            points[s].push((x_lo + (cx + 0.5) * dx, y_lo + (cy + 0.5) * dy, rows.max(0) as u64));
            drawn += rows.max(0) as u64;
            shapes += 1;
        }
    }
    notes.push(format!(
        "{} points are drawn as {} cells of {CELL_PIXELS}×{CELL_PIXELS} pixels, darker where more rows fall.",
        thousands(drawn),
        thousands(shapes)
    ));
    Ok((Marks::Points { points, cell: Some((dx, dy)) }, drawn))
}

/// Rows counted in about `BINS` bins of a round width.
fn histogram(c: &mut Chart<'_>, integers: bool) -> Result<(Marks, u64)> {
    let n = c.series_count();
    let range = format!("SELECT min({x}), max({x}) FROM {}", c.from(), x = c.x);
    let found = c.query(&range, &[], |r| Ok((r.get::<_, Option<f64>>(0)?, r.get::<_, Option<f64>>(1)?)))?;
    let (lo, hi) = match found.first() {
        Some((Some(lo), Some(hi))) if lo.is_finite() && hi.is_finite() => (*lo, *hi),
        _ => return Ok((Marks::Bins { edges: vec![0.0, 1.0], counts: vec![vec![0.0; n]] }, 0)),
    };
    let mut step = round_step((hi - lo) / BINS);
    if integers {
        step = step.max(1.0);
    }
    let start = (lo / step).floor() * step;
    let bins = (((hi - start) / step).floor() as usize + 1).min(MAX_BINS);
    // A bin count that would pass MAX_BINS (rounding) widens the bins.
    let step = if start + step * bins as f64 <= hi { (hi - start) / (bins as f64 - 0.5) } else { step };
    let sql = format!(
        "SELECT CAST(floor(({} - :chart_start) / :chart_step) AS INTEGER), {}, count(*) FROM {} GROUP BY 1, 2",
        c.x,
        c.color,
        c.from()
    );
    let extra = [("chart_start", Cell::Real(start)), ("chart_step", Cell::Real(step))];
    let found = c.query(&sql, &extra, |r| Ok((r.get::<_, i64>(0)?, cell_from_ref(r.get_ref(1)?), r.get::<_, i64>(2)?)))?;
    let mut counts = vec![vec![0.0; n]; bins];
    let mut drawn = 0u64;
    for (bin, colour, rows) in found {
        if let Some(s) = c.series_of(&colour) {
            counts[(bin.max(0) as usize).min(bins - 1)][s] += rows as f64;
            drawn += rows.max(0) as u64;
        }
    }
    let edges = (0..=bins).map(|i| start + step * i as f64).collect();
    Ok((Marks::Bins { edges, counts }, drawn))
}

/// A line's points, kept to the first, last, lowest and highest of each
/// pixel column (in their order): drawn, it looks the same as all of them.
struct PixelColumns {
    lo: f64,
    per_unit: f64,
    column: Option<i64>,
    /// (order, x, y) of the first, last, lowest and highest in the column.
    kept: [(u64, f64, f64); 4],
    seen: u64,
    out: Vec<(f64, f64)>,
}

impl PixelColumns {
    fn new(lo: f64, hi: f64, width: u32) -> PixelColumns {
        let per_unit = if hi > lo { width as f64 / (hi - lo) } else { 0.0 };
        PixelColumns { lo, per_unit, column: None, kept: [(0, 0.0, 0.0); 4], seen: 0, out: Vec::new() }
    }

    fn push(&mut self, x: f64, y: f64) {
        let column = ((x - self.lo) * self.per_unit).floor() as i64;
        let point = (self.seen, x, y);
        self.seen += 1;
        if self.column != Some(column) {
            self.flush();
            self.column = Some(column);
            self.kept = [point; 4];
            return;
        }
        let [_, last, low, high] = &mut self.kept;
        *last = point;
        if y < low.2 {
            *low = point;
        }
        if y > high.2 {
            *high = point;
        }
    }

    fn flush(&mut self) {
        if self.column.is_none() {
            return;
        }
        let mut kept = self.kept;
        kept.sort_by_key(|p| p.0);
        let mut previous = None;
        for (order, x, y) in kept {
            if previous != Some(order) {
                self.out.push((x, y));
                previous = Some(order);
            }
        }
    }

    fn finish(mut self) -> Vec<(f64, f64)> {
        self.flush();
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_keeps_four_points_per_pixel_column_in_their_order() {
        let mut columns = PixelColumns::new(0.0, 10.0, 2);
        for (x, y) in [(0.0, 5.0), (1.0, 9.0), (2.0, 1.0), (3.0, 4.0), (4.0, 3.0), (6.0, 2.0)] {
            columns.push(x, y);
        }
        assert_eq!(columns.finish(), [(0.0, 5.0), (1.0, 9.0), (2.0, 1.0), (4.0, 3.0), (6.0, 2.0)]);
    }
}
