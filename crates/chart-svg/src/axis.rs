//! Scales and their ticks: round numbers (1, 2 or 5 times a power of
//! ten) for numbers, calendar steps (hours, days, months, years) for
//! dates, and labels for both.

pub use protocol::civil_from_days;
use protocol::round_step;

/// A linear map from `lo..hi` onto pixels `from..to`.
#[derive(Debug, Clone, Copy)]
pub struct Linear {
    pub lo: f64,
    pub hi: f64,
    pub from: f64,
    pub to: f64,
}

impl Linear {
    pub fn at(&self, v: f64) -> f64 {
        if self.hi == self.lo {
            return (self.from + self.to) / 2.0;
        }
        self.from + (v - self.lo) / (self.hi - self.lo) * (self.to - self.from)
    }
}

/// A domain widened to whole steps, and its ticks (about `count`).
pub fn number_ticks(lo: f64, hi: f64, count: usize) -> (f64, f64, Vec<f64>, f64) {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        (lo - lo.abs() * 0.5, hi + hi.abs() * 0.5)
    };
    let step = round_step((hi - lo) / count.max(1) as f64);
    let (first, last) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let n = ((last - first) / step).round() as usize;
    let ticks = (0..=n.min(100)).map(|i| first + step * i as f64).collect();
    (first, last, ticks, step)
}

/// A number as a tick or a tooltip shows it: thousands grouped, as many
/// decimals as `step` needs; millions and up shortened when the step is.
pub fn format_number(v: f64, step: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let magnitude = v.abs().max(step.abs());
    if magnitude >= 1e6 && step.abs() >= 1e5 {
        let (div, suffix) = [(1e12, "T"), (1e9, "B"), (1e6, "M")].into_iter().find(|(d, _)| magnitude >= *d).unwrap_or((1e6, "M"));
        return format!("{}{suffix}", format_number(v / div, step / div));
    }
    let decimals = if step > 0.0 && step < 1.0 { (-step.log10().floor()) as usize } else { 0 };
    let decimals = decimals.min(10);
    let text = format!("{:.*}", decimals, v);
    let (sign, text) = text.strip_prefix('-').map_or(("", text.as_str()), |t| ("-", t));
    let (whole, fraction) = text.split_once('.').map_or((text, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, d) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(d);
    }
    let sign =
        if grouped.chars().all(|c| c == '0' || c == ',') && fraction.is_none_or(|f| f.chars().all(|c| c == '0')) { "" } else { sign };
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A value shown in full (a tooltip): up to 6 significant decimals.
pub fn format_value(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        return format_number(v, 1.0);
    }
    let text = format!("{v:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Calendar ticks over `lo..hi` days since 1970 and how to label them.
pub fn date_ticks(lo: f64, hi: f64, count: usize) -> (Vec<f64>, DateLabel) {
    let span = (hi - lo).max(1.0 / 24.0);
    let count = count.max(2) as f64;
    if span <= 3.0 {
        let hours = [1.0, 2.0, 3.0, 6.0, 12.0, 24.0].into_iter().find(|h| span * 24.0 / h <= count).unwrap_or(24.0);
        let step = hours / 24.0;
        let first = (lo / step).ceil() * step;
        let ticks = (0..).map(|i| first + step * i as f64).take_while(|t| *t <= hi + 1e-9).take(100).collect();
        return (ticks, DateLabel::Time);
    }
    if span <= 90.0 {
        let days = [1.0, 2.0, 7.0, 14.0, 28.0].into_iter().find(|d| span / d <= count).unwrap_or(28.0);
        // Weeks start on Mondays (1970-01-05 was one).
        let origin = if days >= 7.0 { 4.0 } else { 0.0 };
        let first = ((lo - origin) / days).ceil() * days + origin;
        let ticks = (0..).map(|i| first + days * i as f64).take_while(|t| *t <= hi + 1e-9).take(100).collect();
        return (ticks, DateLabel::Day);
    }
    let months = span / 30.44;
    let (step, label) = if months <= count * 6.0 {
        ([1, 2, 3, 6].into_iter().find(|m| months / *m as f64 <= count).unwrap_or(6), DateLabel::Month)
    } else {
        let years = round_step(months / 12.0 / count).max(1.0) as i64;
        (years * 12, DateLabel::Year)
    };
    let (y, m, _) = civil_from_days(lo.floor() as i64);
    let mut month_index = y * 12 + (m as i64 - 1);
    // The first boundary at or after `lo` that is a multiple of the step.
    month_index += (step - month_index.rem_euclid(step)) % step;
    let mut ticks = Vec::new();
    loop {
        let day = days_from_civil(month_index.div_euclid(12), (month_index.rem_euclid(12) + 1) as u32, 1) as f64;
        if day < lo - 1e-9 {
            month_index += step;
            continue;
        }
        if day > hi + 1e-9 || ticks.len() >= 100 {
            break;
        }
        ticks.push(day);
        month_index += step;
    }
    (ticks, label)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateLabel {
    Time,
    Day,
    Month,
    Year,
}

/// Days since 1970 as a label: `2021-03-04 12:00`, `2021-03-04`,
/// `2021-03`, `2021`.
pub fn format_date(days: f64, label: DateLabel) -> String {
    let whole = days.floor();
    let (y, m, d) = civil_from_days(whole as i64);
    match label {
        DateLabel::Year => format!("{y}"),
        DateLabel::Month => format!("{y}-{m:02}"),
        DateLabel::Day => format!("{y}-{m:02}-{d:02}"),
        DateLabel::Time => {
            let minutes = ((days - whole) * 1440.0).round() as i64;
            format!("{y}-{m:02}-{d:02} {:02}:{:02}", minutes / 60, minutes % 60)
        }
    }
}

/// The inverse of `civil_from_days`.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_labelled_by_their_step() {
        let found = [
            format_number(1234567.0, 1.0),
            format_number(2_500_000.0, 500_000.0),
            format_number(0.25, 0.05),
            format_number(-0.0, 0.5),
            format_number(-1500.0, 500.0),
            format_value(12.3456789),
            format_value(12.0),
        ];
        assert_eq!(found, ["1,234,567", "2.5M", "0.25", "0.0", "-1,500", "12.345679", "12"]);
        assert_eq!(number_ticks(0.3, 9.2, 5).2, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
    }

    #[test]
    fn dates_tick_on_calendar_boundaries() {
        for days in [-719_468, -1, 0, 18_628, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(18_628), (2021, 1, 1));
        let (ticks, label) = date_ticks(18_628.0, 18_628.0 + 365.0 * 2.0, 6);
        let labels: Vec<String> = ticks.iter().map(|t| format_date(*t, label)).collect();
        assert_eq!(labels, ["2021-01", "2021-07", "2022-01", "2022-07", "2023-01"]);
        let (ticks, label) = date_ticks(0.0, 365.25 * 50.0, 6);
        assert_eq!(ticks.iter().map(|t| format_date(*t, label)).collect::<Vec<_>>(), ["1970", "1980", "1990", "2000", "2010", "2020"]);
        let (ticks, label) = date_ticks(18_628.25, 18_629.0, 6);
        assert_eq!(format_date(ticks[0], label), "2021-01-01 06:00");
    }
}
