//! `Cell`: one SQLite value with its storage class, as it crosses to the UI
//! and into JSON.

use serde::{Deserialize, Serialize};

/// One SQLite value, with its storage class kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Cell {
    /// The value as a person reads it in a table cell; BLOBs by size only.
    pub fn display(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Integer(i) => i.to_string(),
            Cell::Real(r) => format_real(*r),
            Cell::Text(t) => t.clone(),
            Cell::Blob(b) => format!("<Binary: {} byte{}>", b.len(), if b.len() == 1 { "" } else { "s" }),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Cell::Null)
    }

    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Value};
        match self {
            Cell::Null => Value::Null,
            Cell::Integer(i) => json!(i),
            Cell::Real(r) if r.is_finite() => json!(r),
            // JSON has no infinities; SQLite can hold them.
            Cell::Real(r) => json!({ "real": if *r > 0.0 { "inf" } else { "-inf" } }),
            Cell::Text(t) => json!(t),
            Cell::Blob(b) => json!({ "hex": hex(b) }),
        }
    }

    pub fn from_json(value: &serde_json::Value) -> Option<Cell> {
        use serde_json::Value;
        Some(match value {
            Value::Null => Cell::Null,
            Value::Number(n) => match n.as_i64() {
                Some(i) if !n.is_f64() => Cell::Integer(i),
                _ => Cell::Real(n.as_f64()?),
            },
            Value::String(s) => Cell::Text(s.clone()),
            Value::Object(o) => match (o.get("hex"), o.get("real")) {
                (Some(Value::String(h)), None) => Cell::Blob(unhex(h)?),
                (None, Some(Value::String(r))) if r == "inf" => Cell::Real(f64::INFINITY),
                (None, Some(Value::String(r))) if r == "-inf" => Cell::Real(f64::NEG_INFINITY),
                _ => return None,
            },
            Value::Bool(_) | Value::Array(_) => return None,
        })
    }
}

/// SQLite prints REALs with a decimal point even when whole (`1.0`), and so
/// do we, so that a REAL never looks like an INTEGER.
fn format_real(r: f64) -> String {
    if r.is_finite() && r.fract() == 0.0 && r.abs() < 1e16 {
        format!("{r:.1}")
    } else if r.is_infinite() {
        if r > 0.0 {
            "Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{r}")
    }
}

/// Lowercase hex digits of `bytes`: how a BLOB is written in JSON and CSV
/// exports and in SQL literals (`X'…'`).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_never_look_like_integers() {
        let cases = [
            (Cell::Real(1.0), "1.0"),
            (Cell::Real(0.5), "0.5"),
            (Cell::Real(-3.0), "-3.0"),
            (Cell::Integer(3), "3"),
            (Cell::Real(f64::INFINITY), "Inf"),
            (Cell::Blob(vec![1, 2, 3]), "<Binary: 3 bytes>"),
            (Cell::Null, ""),
        ];
        for (cell, shown) in cases {
            assert_eq!(cell.display(), shown, "{cell:?}");
        }
    }

    #[test]
    fn json_keeps_the_storage_class() {
        let cells = [
            Cell::Null,
            Cell::Integer(i64::MIN),
            Cell::Real(2.0),
            Cell::Real(f64::NEG_INFINITY),
            Cell::Text("2".into()),
            Cell::Blob(vec![0, 0xab]),
        ];
        for cell in cells {
            let text = cell.to_json().to_string();
            let back = Cell::from_json(&serde_json::from_str(&text).unwrap());
            assert_eq!(back, Some(cell), "{text}");
        }
    }
}
