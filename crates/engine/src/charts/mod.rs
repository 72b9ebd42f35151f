//! Charts of the rows a table view or a query selects: the spec is
//! completed from the columns' observed types (`resolve`), then the rows
//! are reduced in SQL and while streaming (`marks.rs`) to what a plot
//! `width` pixels wide can show: grouped bars and bins, at most four line
//! points per pixel column (first, last, lowest, highest: the line looks
//! the same), and past `RAW_POINTS_MAX` points, one shape per occupied
//! 4×4-pixel cell. So a result of any size becomes a few thousand shapes,
//! and the renderer never sees the rows themselves.

mod marks;

use protocol::{Aggregate, Cell, ChartData, ChartKind, ChartSpec, ResolvedChart};
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::selected_rows::SelectedRows;
use crate::sql::quote_ident;
use crate::time_limit::Clock;

/// Each statement of a chart may take this long (it is the user's own
/// request, over rows of any number).
pub const CHART_TIME_LIMIT_MS: u32 = 4000;
/// Rows looked at to tell a column's type.
const SAMPLE_ROWS: u32 = 1000;
/// Columns considered when guessing what to chart.
const GUESS_COLUMNS: usize = 64;
/// A text column with at most this many values (in the sample) is a
/// good bar chart's x.
const FEW_VALUES: u64 = 50;

/// What a column holds, judged from a sample of its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    Number,
    /// ISO dates or date-times as text.
    Date,
    Text,
}

#[derive(Debug, Clone)]
pub(crate) struct ColumnKind {
    name: String,
    kind: ValueKind,
    /// Values (not NULL) in the sample.
    values: u64,
    /// Distinct values in the sample.
    distinct: u64,
    /// Only whole numbers in the sample.
    integers: bool,
}

impl ColumnKind {
    /// Named like a key (`id`, `artist_id`, `ArtistId`): numbers, but not
    /// quantities worth plotting.
    fn is_key(&self) -> bool {
        let lower = self.name.to_ascii_lowercase();
        lower == "id" || lower == "rowid" || lower.ends_with("_id") || self.name.ends_with("Id") || self.name.ends_with("ID")
    }
}

/// Charts `rows` as `spec` asks, guessing what it leaves out.
pub fn chart(conn: &mut Connection, clock: Clock, rows: &SelectedRows, spec: &ChartSpec, width: u32) -> Result<ChartData> {
    let width = width.clamp(100, 4000);
    let kinds = column_kinds(conn, clock, rows, spec)?;
    let chart = resolve(spec, &kinds)?;
    let x = kinds.iter().find(|k| k.name == chart.x).cloned();
    let x = x.unwrap_or(ColumnKind { name: chart.x.clone(), kind: ValueKind::Text, values: 0, distinct: 0, integers: false });
    marks::draw(conn, clock, rows, chart, &x, width)
}

/// The kind of each column the spec names, or of the first
/// `GUESS_COLUMNS` when it leaves something to guess.
fn column_kinds(conn: &mut Connection, clock: Clock, rows: &SelectedRows, spec: &ChartSpec) -> Result<Vec<ColumnKind>> {
    let exists = |name: &String| {
        if rows.columns.iter().any(|(c, _)| c == name) {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::BadRequest, format!("There is no column named “{name}” to chart.")))
        }
    };
    for name in [&spec.x, &spec.y, &spec.color].into_iter().flatten() {
        exists(name)?;
    }
    let guessing = spec.kind.is_none() || spec.x.is_none() || (spec.y.is_none() && spec.kind != Some(ChartKind::Histogram));
    let names: Vec<&String> = if guessing {
        rows.columns.iter().map(|(c, _)| c).take(GUESS_COLUMNS).chain([&spec.x, &spec.y].into_iter().flatten()).collect()
    } else {
        [&spec.x, &spec.y].into_iter().flatten().collect()
    };
    let mut names: Vec<&String> = names.into_iter().fold(Vec::new(), |mut seen, n| {
        if !seen.contains(&n) {
            seen.push(n);
        }
        seen
    });
    if names.is_empty() {
        names = rows.columns.iter().map(|(c, _)| c).take(1).collect();
    }
    let quoted: Vec<String> = names.iter().map(|n| quote_ident(n)).collect();
    let measures: Vec<String> = quoted
        .iter()
        .map(|c| {
            format!(
                "count({c}), sum(typeof({c}) IN ('integer', 'real')), sum(typeof({c}) = 'integer'), \
                 sum(typeof({c}) = 'text' AND {c} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND julianday({c}) IS NOT NULL), \
                 count(DISTINCT {c})"
            )
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM (SELECT {} FROM {}{} LIMIT {SAMPLE_ROWS})",
        measures.join(", "),
        quoted.join(", "),
        rows.from,
        rows.where_sql
    );
    let counts = rows.query(conn, clock, CHART_TIME_LIMIT_MS, &sql, &[], |r| {
        (0..names.len() * 5).map(|i| r.get::<_, Option<i64>>(i).map(|n| n.unwrap_or(0) as u64)).collect::<rusqlite::Result<Vec<u64>>>()
    })?;
    let counts = counts.into_iter().next().unwrap_or_default();
    Ok(names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let [non_null, numbers, integers, dates, distinct] = std::array::from_fn(|j| counts.get(i * 5 + j).copied().unwrap_or(0));
            // Nine in ten values decide: a stray "n/a" does not make a
            // column of numbers text.
            let kind = if non_null > 0 && numbers * 10 >= non_null * 9 {
                ValueKind::Number
            } else if non_null > 0 && dates * 10 >= non_null * 9 {
                ValueKind::Date
            } else {
                ValueKind::Text
            };
            ColumnKind { name: name.to_string(), kind, values: non_null, distinct, integers: integers == numbers }
        })
        .collect())
}

/// The spec with every choice made: a date and a number make a line, a
/// text of few values a bar of counts, a number alone a histogram.
pub(crate) fn resolve(spec: &ChartSpec, columns: &[ColumnKind]) -> Result<ResolvedChart> {
    let find = |name: &str| columns.iter().find(|c| c.name == name);
    let first = |pick: &dyn Fn(&ColumnKind) -> bool, not: Option<&str>| {
        columns.iter().find(|c| pick(c) && Some(c.name.as_str()) != not).map(|c| c.name.clone())
    };
    let quantity = |c: &ColumnKind| c.kind == ValueKind::Number && !c.is_key();
    let number = |c: &ColumnKind| c.kind == ValueKind::Number;
    let date = |c: &ColumnKind| c.kind == ValueKind::Date;
    let few = |c: &ColumnKind| c.kind == ValueKind::Text && c.distinct <= FEW_VALUES;
    let text = |c: &ColumnKind| c.kind == ValueKind::Text;
    let given_x = spec.x.as_deref().and_then(find);
    let kind = spec.kind.unwrap_or_else(|| match given_x {
        Some(x) => match x.kind {
            ValueKind::Date => ChartKind::Line,
            ValueKind::Number if spec.y.is_some() => ChartKind::Scatter,
            ValueKind::Number if x.distinct > FEW_VALUES || !x.integers => ChartKind::Histogram,
            _ => ChartKind::Bar,
        },
        None if first(&date, None).is_some() && first(&quantity, None).is_some() => ChartKind::Line,
        None if first(&few, None).is_some() => ChartKind::Bar,
        None if first(&quantity, None).is_some() => ChartKind::Histogram,
        None => ChartKind::Bar,
    });
    let any = columns.first().map(|c| c.name.clone());
    let x = match &spec.x {
        Some(x) => x.clone(),
        None => match kind {
            ChartKind::Line | ChartKind::Area => first(&date, None).or_else(|| first(&quantity, None)),
            ChartKind::Bar => first(&few, None).or_else(|| first(&text, None)),
            ChartKind::Scatter => first(&quantity, None).or_else(|| first(&date, None)).or_else(|| first(&number, None)),
            ChartKind::Histogram => first(&quantity, None).or_else(|| first(&date, None)).or_else(|| first(&number, None)),
        }
        .or(any)
        .ok_or_else(|| Error::new(ErrorKind::BadRequest, "There are no columns to chart."))?,
    };
    let x_kind = find(&x).map_or(ValueKind::Text, |c| c.kind);
    if matches!(kind, ChartKind::Scatter | ChartKind::Histogram) && x_kind == ValueKind::Text {
        return Err(Error::new(
            ErrorKind::BadRequest,
            format!("A {} needs numbers or dates on x, and “{x}” holds text. Choose another column, or a bar chart.", label(kind)),
        ));
    }
    let y = match (&spec.y, kind) {
        (_, ChartKind::Histogram) => None,
        (Some(y), _) => Some(y.clone()),
        // Each x once (a result already grouped, "a text and a count"):
        // its number is the bar; else rows are counted.
        (None, ChartKind::Bar) if find(&x).is_some_and(|c| c.values > 0 && c.distinct == c.values) && spec.agg.is_none() => {
            first(&quantity, Some(&x))
        }
        (None, ChartKind::Bar) if matches!(spec.agg, None | Some(Aggregate::Count)) => None,
        (None, _) => first(&quantity, Some(&x)).or_else(|| first(&number, Some(&x))),
    };
    if kind == ChartKind::Scatter && y.is_none() {
        return Err(Error::new(ErrorKind::BadRequest, "A scatter plot needs a column of numbers for y."));
    }
    let agg = match (kind, &y, spec.agg) {
        (ChartKind::Histogram, ..) | (_, None, _) => Aggregate::Count,
        (ChartKind::Scatter, ..) => Aggregate::None,
        (ChartKind::Bar, Some(_), Some(Aggregate::None)) => Aggregate::Sum,
        (_, Some(_), Some(agg)) => agg,
        (_, Some(_), None) => Aggregate::Sum,
    };
    Ok(ResolvedChart { kind, x, y, color: spec.color.clone(), agg })
}

fn label(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Bar => "bar chart",
        ChartKind::Line => "line chart",
        ChartKind::Area => "area chart",
        ChartKind::Scatter => "scatter plot",
        ChartKind::Histogram => "histogram",
    }
}

/// A value as a category or series name.
pub(crate) fn name_of(cell: &Cell) -> String {
    match cell {
        Cell::Null => "NULL".into(),
        Cell::Integer(i) => i.to_string(),
        Cell::Real(r) => r.to_string(),
        Cell::Text(t) => t.clone(),
        Cell::Blob(b) => format!("<{} bytes>", b.len()),
    }
}

/// 1234567 → "1,234,567".
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, kind: ValueKind, distinct: u64) -> ColumnKind {
        ColumnKind { name: name.into(), kind, values: 1000, distinct, integers: true }
    }

    fn guess(spec: ChartSpec, columns: &[ColumnKind]) -> String {
        match resolve(&spec, columns) {
            Ok(c) => format!("{} x={} y={:?} agg={}", c.kind.name(), c.x, c.y, c.agg.name()),
            Err(e) => e.message().to_string(),
        }
    }

    #[test]
    fn a_date_and_a_number_make_a_line_a_text_and_a_count_a_bar() {
        use ValueKind::*;
        let invoices = [column("InvoiceId", Number, 1000), column("InvoiceDate", Date, 300), column("Total", Number, 200)];
        let tracks = [column("TrackId", Number, 1000), column("Genre", Text, 20), column("Milliseconds", Number, 900)];
        let numbers = [column("id", Number, 1000), column("height", Number, 400)];
        let words = [column("word", Text, 1000)];
        let grouped = [column("country", Text, 24), column("invoices", Number, 10)].map(|c| ColumnKind { values: 24, ..c });
        let spec = |kind: Option<ChartKind>, x: Option<&str>, y: Option<&str>| ChartSpec {
            kind,
            x: x.map(String::from),
            y: y.map(String::from),
            ..ChartSpec::default()
        };
        let found = [
            guess(ChartSpec::default(), &invoices),
            guess(ChartSpec::default(), &tracks),
            guess(ChartSpec::default(), &numbers),
            guess(ChartSpec::default(), &words),
            guess(ChartSpec::default(), &grouped),
            guess(spec(None, Some("Genre"), None), &tracks),
            guess(spec(None, Some("Milliseconds"), Some("TrackId")), &tracks),
            guess(spec(Some(ChartKind::Scatter), Some("Genre"), None), &tracks),
            guess(spec(Some(ChartKind::Bar), Some("Genre"), Some("Milliseconds")), &tracks),
            guess(spec(Some(ChartKind::Area), None, None), &invoices),
        ]
        .join("\n");
        expect_test::expect![[r#"
            line x=InvoiceDate y=Some("Total") agg=sum
            bar x=Genre y=None agg=count
            histogram x=height y=None agg=count
            bar x=word y=None agg=count
            bar x=country y=Some("invoices") agg=sum
            bar x=Genre y=None agg=count
            scatter x=Milliseconds y=Some("TrackId") agg=none
            A scatter plot needs numbers or dates on x, and “Genre” holds text. Choose another column, or a bar chart.
            bar x=Genre y=Some("Milliseconds") agg=sum
            area x=InvoiceDate y=Some("Total") agg=sum"#]]
        .assert_eq(&found);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!([thousands(0), thousands(999), thousands(1000), thousands(1234567)], ["0", "999", "1,000", "1,234,567"]);
    }
}
