//! Charts: what the user asks for (`ChartSpec`, which is also the chart's
//! URL form) and what the engine hands the renderer (`ChartData`: marks
//! already reduced to what a picture of `width` pixels can show, so a
//! result of any size draws as a few thousand shapes at most).

use serde::{Deserialize, Serialize};

use crate::SummarySource;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChartKind {
    Bar,
    Line,
    Area,
    Scatter,
    Histogram,
}

impl ChartKind {
    pub const ALL: [ChartKind; 5] = [ChartKind::Bar, ChartKind::Line, ChartKind::Area, ChartKind::Scatter, ChartKind::Histogram];

    /// Its URL spelling (`_chart=line`).
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Bar => "bar",
            ChartKind::Line => "line",
            ChartKind::Area => "area",
            ChartKind::Scatter => "scatter",
            ChartKind::Histogram => "histogram",
        }
    }

    pub fn parse(text: &str) -> Option<ChartKind> {
        ChartKind::ALL.into_iter().find(|k| k.name() == text)
    }

    /// Whether it draws `y` against `x` (a histogram counts `x` alone).
    pub fn has_y(self) -> bool {
        self != ChartKind::Histogram
    }
}

/// How the rows sharing an `x` (and colour) become one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Aggregate {
    /// Rows, whatever `y` is.
    Count,
    Sum,
    Avg,
    Min,
    Max,
    /// Every row is its own point (lines and scatter plots).
    None,
}

impl Aggregate {
    pub const ALL: [Aggregate; 6] = [Aggregate::Count, Aggregate::Sum, Aggregate::Avg, Aggregate::Min, Aggregate::Max, Aggregate::None];

    /// Its URL spelling (`_chart_agg=sum`), also the SQL function's name.
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Count => "count",
            Aggregate::Sum => "sum",
            Aggregate::Avg => "avg",
            Aggregate::Min => "min",
            Aggregate::Max => "max",
            Aggregate::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Aggregate> {
        Aggregate::ALL.into_iter().find(|a| a.name() == text)
    }

    /// Values of parts add up to the value of the whole (bars stack).
    pub fn adds_up(self) -> bool {
        matches!(self, Aggregate::Count | Aggregate::Sum)
    }
}

/// A chart as the URL spells it (`_chart`, `_chart_x`, `_chart_y`,
/// `_chart_color`, `_chart_agg`); what is left out the engine guesses from
/// the columns' types.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartSpec {
    pub kind: Option<ChartKind>,
    pub x: Option<String>,
    pub y: Option<String>,
    pub color: Option<String>,
    pub agg: Option<Aggregate>,
}

/// Chart the rows of a table view or a query. Replies `Chart`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartRequest {
    pub source: SummarySource,
    pub spec: ChartSpec,
    /// The plot's width in pixels: lines keep at most four points per
    /// pixel column, scatter plots one shape per 4×4 pixels.
    pub width: u32,
}

/// A spec with every choice made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedChart {
    pub kind: ChartKind,
    pub x: String,
    /// `None`: rows are counted.
    pub y: Option<String>,
    pub color: Option<String>,
    pub agg: Aggregate,
}

/// How `x` values are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum XScale {
    /// Evenly spaced, in the order of `ChartData::categories`; marks'
    /// x values are indexes into it.
    Category,
    Number,
    /// Days since 1970-01-01 (fractions are times of day).
    Date,
}

/// What the renderer draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Marks {
    /// One value per category and series (`values[category][series]`);
    /// `stacked` when the series add up, else side by side.
    Bars { values: Vec<Vec<Option<f64>>>, stacked: bool },
    /// A histogram: `edges.len() - 1` bins, `counts[bin][series]`, stacked.
    Bins { edges: Vec<f64>, counts: Vec<Vec<f64>> },
    /// Per series, points in x order (areas fill down to zero).
    Lines { points: Vec<Vec<(f64, f64)>> },
    /// Per series: x, y and the rows at that spot. With `cell`, the
    /// result was too big to draw point by point: each point is the
    /// centre of an occupied cell of that size (x, y units).
    Points { points: Vec<Vec<(f64, f64, u64)>>, cell: Option<(f64, f64)> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartData {
    pub chart: ResolvedChart,
    /// Every column of the rows, for the pickers.
    pub columns: Vec<String>,
    pub x_scale: XScale,
    /// The categories of `XScale::Category`, in order.
    pub categories: Vec<String>,
    /// The colour column's values, one series each; empty: one series.
    pub series: Vec<String>,
    pub marks: Marks,
    /// Rows drawn (after those without a usable x or y were left out).
    pub rows: u64,
    /// What the picture leaves out or simplifies, in words.
    pub notes: Vec<String>,
}

/// 1, 2 or 5 times a power of ten, at least `rough` (1 for nonsense).
/// The engine's histogram bins and the renderer's ticks both use it, so
/// bin edges fall on ticks.
pub fn round_step(rough: f64) -> f64 {
    if rough.is_nan() || rough <= 0.0 || !rough.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| *s >= rough * 0.999_999).unwrap_or(10.0 * power)
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 → (year,
/// month, day) in the proleptic Gregorian calendar. Chart dates are such
/// days; Parquet's dates are too.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_steps_are_one_two_or_five_times_a_power_of_ten() {
        let steps = [0.3, 1.0, 1.5, 33.0, 0.0, f64::NAN].map(super::round_step);
        assert_eq!(steps, [0.5, 1.0, 2.0, 50.0, 1.0, 1.0]);
    }
}
