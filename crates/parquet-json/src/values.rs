//! One Parquet row as a JSON object, each value as SQLite will hold it
//! (see the crate's documentation for the mapping).

use parquet::data_type::Decimal;
use parquet::record::{Field, Row};
use serde_json::{Map, Number, Value};

/// The row's columns, in the file's order.
pub fn row_json(row: &Row) -> Value {
    Value::Object(row.get_column_iter().map(|(name, field)| (name.clone(), field_json(field))).collect::<Map<_, _>>())
}

/// `row_json(row)` written straight into `out` as one line: no tree of
/// values per row (building one was most of the time on big files).
pub fn write_row(out: &mut Vec<u8>, row: &Row) -> serde_json::Result<()> {
    out.push(b'{');
    for (i, (name, field)) in row.get_column_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, name)?;
        out.push(b':');
        match field {
            Field::Null => out.extend_from_slice(b"null"),
            Field::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Field::Int(n) => serde_json::to_writer(&mut *out, n)?,
            Field::Long(n) => serde_json::to_writer(&mut *out, n)?,
            Field::Str(text) => serde_json::to_writer(&mut *out, text)?,
            Field::Double(f) if f.is_finite() => serde_json::to_writer(&mut *out, f)?,
            other => serde_json::to_writer(&mut *out, &field_json(other))?,
        }
    }
    out.push(b'}');
    out.push(b'\n');
    Ok(())
}

fn number(f: f64) -> Value {
    // JSON has no NaN or infinities.
    Number::from_f64(f).map_or_else(|| Value::String(f.to_string()), Value::Number)
}

fn field_json(field: &Field) -> Value {
    match field {
        Field::Null => Value::Null,
        Field::Bool(b) => Value::Bool(*b),
        Field::Byte(n) => Value::from(*n),
        Field::Short(n) => Value::from(*n),
        Field::Int(n) => Value::from(*n),
        Field::Long(n) => Value::from(*n),
        Field::UByte(n) => Value::from(*n),
        Field::UShort(n) => Value::from(*n),
        Field::UInt(n) => Value::from(*n),
        Field::ULong(n) => match i64::try_from(*n) {
            Ok(n) => Value::from(n),
            Err(_) => Value::String(n.to_string()),
        },
        Field::Float16(f) => number(f64::from(*f)),
        Field::Float(f) => number(f64::from(*f)),
        Field::Double(f) => number(*f),
        Field::Decimal(d) => decimal(d),
        Field::Str(s) => Value::String(s.clone()),
        Field::Bytes(b) => Value::String(b.data().iter().map(|x| format!("{x:02x}")).collect()),
        Field::Date(days) => Value::String(date(i64::from(*days))),
        Field::TimestampMillis(ms) => Value::String(timestamp(*ms, 1_000)),
        Field::TimestampMicros(us) => Value::String(timestamp(*us, 1_000_000)),
        Field::TimeMillis(ms) => Value::String(time(i64::from(*ms), 1_000)),
        Field::TimeMicros(us) => Value::String(time(*us, 1_000_000)),
        Field::Group(row) => row_json(row),
        Field::ListInternal(list) => Value::Array(list.elements().iter().map(field_json).collect()),
        Field::MapInternal(map) => {
            let entries = map.entries().iter().map(|(k, v)| {
                let key = match field_json(k) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (key, field_json(v))
            });
            Value::Object(entries.collect())
        }
    }
}

/// A decimal's exact digits; a number when it has 15 or fewer (a REAL
/// prints them back unchanged), else text.
fn decimal(d: &Decimal) -> Value {
    let bytes = d.data();
    if bytes.is_empty() || bytes.len() > 16 {
        return Value::String(format!("decimal of {} bytes", bytes.len()));
    }
    // Big-endian two's complement, sign-extended to 128 bits.
    let mut value: i128 = if bytes[0] & 0x80 != 0 { -1 } else { 0 };
    for b in bytes {
        value = (value << 8) | i128::from(*b);
    }
    let scale = usize::try_from(d.scale()).unwrap_or(0);
    let digits = value.unsigned_abs().to_string();
    let digits = if digits.len() <= scale { format!("{}{digits}", "0".repeat(scale + 1 - digits.len())) } else { digits };
    let (whole, fraction) = digits.split_at(digits.len() - scale);
    let sign = if value < 0 { "-" } else { "" };
    let text = if scale == 0 { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") };
    let significant = text.trim_start_matches(['-', '0', '.']).chars().filter(char::is_ascii_digit).count();
    if significant <= 15 {
        if let Ok(f) = text.parse::<f64>() {
            if scale == 0 {
                if let Ok(i) = text.parse::<i64>() {
                    return Value::from(i);
                }
            }
            return number(f);
        }
    }
    Value::String(text)
}

fn date(days: i64) -> String {
    let (y, m, d) = protocol::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `HH:MM:SS`, and the fraction when there is one.
fn time(units: i64, per_second: i64) -> String {
    let seconds = units.div_euclid(per_second);
    let fraction = units.rem_euclid(per_second);
    let clock = format!("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
    if fraction == 0 {
        clock
    } else {
        let width = if per_second == 1_000 { 3 } else { 6 };
        let digits = format!("{fraction:0width$}");
        format!("{clock}.{}", digits.trim_end_matches('0'))
    }
}

fn timestamp(units: i64, per_second: i64) -> String {
    let per_day = 86_400 * per_second;
    let days = units.div_euclid(per_day);
    format!("{} {}", date(days), time(units.rem_euclid(per_day), per_second))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_decimals_read_as_people_write_them() {
        assert_eq!([date(0), date(-1), date(19_000)], ["1970-01-01", "1969-12-31", "2022-01-08"]);
        assert_eq!(timestamp(1_641_600_000_123, 1_000), "2022-01-08 00:00:00.123");
        assert_eq!(timestamp(-1, 1_000_000), "1969-12-31 23:59:59.999999");
        assert_eq!(time(45_296_000, 1_000), "12:34:56");
        let d = |v: i128, precision: i32, scale: i32| decimal(&Decimal::from_bytes(v.to_be_bytes()[8..].to_vec().into(), precision, scale));
        assert_eq!(d(12345, 9, 2), serde_json::json!(123.45));
        assert_eq!(d(-5, 9, 3), serde_json::json!(-0.005));
        assert_eq!(d(42, 9, 0), serde_json::json!(42));
        assert_eq!(d(1_234_567_890_123_456_789, 38, 4), Value::String("123456789012345.6789".into()));
    }
}
