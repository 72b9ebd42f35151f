//! Column summaries, in the spirit of DuckDB's `SUMMARIZE`: per column its
//! declared and stored types, nulls, distinct values, min and max, the most
//! frequent values and a histogram of numbers or dates, over the rows a
//! table view or a query selects.
//!
//! Made one column per `step` so the worker can answer requests between
//! them (background work); each statement runs under `STEP_TIME_LIMIT_MS`.
//! A distinct count that runs out of time is counted again on a sample and
//! marked estimated; anything else that runs out is left out with the
//! reason.

use protocol::{Cell, ColumnSummary, Histogram};
use rusqlite::Connection;

use crate::error::{ErrorKind, Result};
use crate::selected_rows::SelectedRows;
use crate::sql::{cell_from_ref, quote_ident};
use crate::time_limit::Clock;

/// Each statement of a column's summary may take this long.
pub const STEP_TIME_LIMIT_MS: u32 = 400;
/// The most frequent values shown.
const TOP_VALUES: usize = 5;
/// Bars in a histogram.
const BUCKETS: usize = 20;
/// Rows counted for a distinct-count estimate.
const SAMPLE_ROWS: u32 = 10_000;

/// Summaries still to make, and those made, of `rows`' columns.
pub struct Summarizer {
    rows: SelectedRows,
    done: Vec<ColumnSummary>,
}

impl Summarizer {
    pub fn new(rows: SelectedRows) -> Summarizer {
        Summarizer { rows, done: Vec::new() }
    }

    /// Summarizes the next column; false when all are done.
    pub fn step(&mut self, conn: &mut Connection, clock: Clock) -> bool {
        let Some((name, declared)) = self.rows.columns.get(self.done.len()).cloned() else { return false };
        let summary = self.summarize(conn, clock, &name, &declared);
        self.done.push(summary);
        self.done.len() < self.rows.columns.len()
    }

    pub fn found(&self) -> Vec<ColumnSummary> {
        self.done.clone()
    }

    /// Runs `sql` under the step's time limit.
    fn query<T>(
        &self,
        conn: &mut Connection,
        clock: Clock,
        sql: &str,
        extra: &[(&str, Cell)],
        read: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        self.rows.query(conn, clock, STEP_TIME_LIMIT_MS, sql, extra, read)
    }

    fn summarize(&self, conn: &mut Connection, clock: Clock, name: &str, declared: &str) -> ColumnSummary {
        let mut summary = ColumnSummary { name: name.to_string(), declared_type: declared.to_string(), ..ColumnSummary::default() };
        let c = quote_ident(name);
        let (from, w) = (&self.rows.from, &self.rows.where_sql);
        // One pass: rows, nulls, the stored types, min and max.
        let basics = format!(
            "SELECT count(*), count({c}), sum(typeof({c}) = 'integer'), sum(typeof({c}) = 'real'), sum(typeof({c}) = 'text'), \
             sum(typeof({c}) = 'blob'), min({c}), max({c}) FROM {from}{w}"
        );
        let read = |r: &rusqlite::Row<'_>| {
            let n = |i| r.get::<_, Option<i64>>(i).map(|v| v.unwrap_or(0) as u64);
            Ok((n(0)?, n(1)?, [n(2)?, n(3)?, n(4)?, n(5)?], cell_from_ref(r.get_ref(6)?), cell_from_ref(r.get_ref(7)?)))
        };
        match self.query(conn, clock, &basics, &[], read).map(|rows| rows.into_iter().next()) {
            Ok(Some((rows, non_null, types, min, max))) => {
                summary.rows = rows;
                summary.nulls = rows - non_null;
                summary.types = ["integer", "real", "text", "blob"]
                    .into_iter()
                    .zip(types)
                    .filter(|(_, n)| *n > 0)
                    .map(|(t, n)| (t.to_string(), n))
                    .collect();
                summary.min = (!min.is_null()).then_some(min);
                summary.max = (!max.is_null()).then_some(max);
            }
            Ok(None) => return summary,
            Err(e) => {
                summary.error = Some(e.message().to_string());
                return summary;
            }
        }
        let distinct = format!("SELECT count(DISTINCT {c}) FROM {from}{w}");
        match self.query(conn, clock, &distinct, &[], |r| r.get::<_, i64>(0)) {
            Ok(n) => summary.distinct = n.first().map(|n| *n as u64),
            Err(e) if e.kind() == ErrorKind::TimeLimit => {
                // Too many rows to count exactly: a sample's count, marked.
                let sample = format!("SELECT count(DISTINCT {c}) FROM (SELECT {c} FROM {from}{w} LIMIT {SAMPLE_ROWS})");
                summary.distinct =
                    self.query(conn, clock, &sample, &[], |r| r.get::<_, i64>(0)).ok().and_then(|n| n.first().map(|n| *n as u64));
                summary.distinct_estimated = true;
            }
            Err(e) => summary.error = Some(e.message().to_string()),
        }
        let top = format!("SELECT {c}, count(*) AS n FROM {from}{w} GROUP BY {c} ORDER BY n DESC, {c} LIMIT {TOP_VALUES}");
        // Only worth showing when some value repeats.
        if let Ok(values) = self.query(conn, clock, &top, &[], |r| Ok((cell_from_ref(r.get_ref(0)?), r.get::<_, i64>(1)? as u64))) {
            if values.first().is_some_and(|(_, n)| *n > 1) {
                summary.top = values;
            }
        }
        summary.histogram = self.histogram(conn, clock, &c, &summary);
        summary
    }

    /// Counts in `BUCKETS` equal ranges between min and max, of the
    /// numbers, or of the dates (ISO text, by `julianday`) when the column
    /// holds text dates.
    fn histogram(&self, conn: &mut Connection, clock: Clock, c: &str, summary: &ColumnSummary) -> Option<Histogram> {
        let numbers = summary.types.iter().filter(|(t, _)| t == "integer" || t == "real").map(|(_, n)| n).sum::<u64>();
        let (value, dates) = if numbers > 0 && numbers * 2 >= summary.rows - summary.nulls {
            (format!("CAST({c} AS REAL)"), false)
        } else if summary.min.as_ref().is_some_and(looks_like_date) && summary.max.as_ref().is_some_and(looks_like_date) {
            (format!("julianday({c})"), true)
        } else {
            return None;
        };
        let (from, w) = (&self.rows.from, &self.rows.where_sql);
        let kept = if dates { format!("julianday({c}) IS NOT NULL") } else { format!("typeof({c}) IN ('integer', 'real')") };
        let and = if w.is_empty() { " WHERE " } else { " AND " };
        let range = format!("SELECT min({value}), max({value}) FROM {from}{w}{and}{kept}");
        let (lo, hi) =
            *self.query(conn, clock, &range, &[], |r| Ok((r.get::<_, Option<f64>>(0)?, r.get::<_, Option<f64>>(1)?))).ok()?.first()?;
        let (lo, hi) = (lo?, hi?);
        if !lo.is_finite() || !hi.is_finite() {
            return None;
        }
        let width = (hi - lo) / BUCKETS as f64;
        let bucket = if width > 0.0 {
            format!("min(CAST(({value} - :summary_lo) / :summary_width AS INTEGER), {})", BUCKETS - 1)
        } else {
            "0".into()
        };
        let sql = format!("SELECT {bucket} AS b, count(*) FROM {from}{w}{and}{kept} GROUP BY b");
        let extra = [("summary_lo", Cell::Real(lo)), ("summary_width", Cell::Real(width))];
        let counted = self.query(conn, clock, &sql, &extra, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)? as u64))).ok()?;
        let mut counts = vec![0; if width > 0.0 { BUCKETS } else { 1 }];
        for (b, n) in counted {
            if let Some(slot) = counts.get_mut(b.max(0) as usize) {
                *slot += n;
            }
        }
        Some(Histogram { lo, hi, counts, dates })
    }
}

/// Text that starts like an ISO date (`YYYY-MM-DD`).
fn looks_like_date(cell: &Cell) -> bool {
    match cell {
        Cell::Text(t) => {
            let b = t.as_bytes();
            b.len() >= 10
                && b[..4].iter().all(u8::is_ascii_digit)
                && b[4] == b'-'
                && b[7] == b'-'
                && b[5..7].iter().chain(&b[8..10]).all(u8::is_ascii_digit)
        }
        _ => false,
    }
}
