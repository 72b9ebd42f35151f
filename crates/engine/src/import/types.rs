//! Column types inferred from text, as sqlite-utils does: a column is
//! INTEGER when every non-empty value is an integer, REAL when every one is
//! a number, TEXT otherwise. Empty cells are NULL and do not vote.

/// What one cell of text looks like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Empty,
    Integer(i64),
    Real(f64),
    Text,
}

/// Classifies a cell. Only canonical forms count as numbers, so that
/// storing the number and printing it back gives the same text: `007`,
/// `+5`, ` 5`, `1,193.91` and integers too big for 64 bits stay TEXT.
pub fn shape(text: &str) -> Shape {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else { return Shape::Empty };
    // Most text starts with a letter: decide those without looking further.
    if !(first.is_ascii_digit() || first == b'-' || first == b'.') {
        return Shape::Text;
    }
    let (negative, digits) = match bytes.strip_prefix(b"-") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    if let Some(i) = parse_integer(digits, negative) {
        return Shape::Integer(i);
    }
    if looks_real(digits) {
        if let Ok(r) = text.parse::<f64>() {
            if r.is_finite() {
                return Shape::Real(r);
            }
        }
    }
    Shape::Text
}

/// Digits only, no leading zero (but `0` itself), within i64, not `-0`.
fn parse_integer(digits: &[u8], negative: bool) -> Option<i64> {
    if digits.is_empty() || digits.len() > 19 || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    if negative && digits == b"0" {
        return None;
    }
    // Accumulate as a negative number so that i64::MIN fits.
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_sub(i64::from(d - b'0'))?;
    }
    if negative {
        Some(value)
    } else {
        value.checked_neg()
    }
}

/// `1.5`, `-0.25`, `.5`, `1e10`, `2.5E-3`: digits with one point and/or an
/// exponent, and no leading zero before more digits (`01.5` is a code).
fn looks_real(s: &[u8]) -> bool {
    let (mantissa, exponent) = match s.iter().position(|&b| b == b'e' || b == b'E') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int_part, frac_part) = match mantissa.iter().position(|&b| b == b'.') {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
        None => (mantissa, None),
    };
    let all_digits = |p: &[u8]| p.iter().all(u8::is_ascii_digit);
    if !all_digits(int_part) || !frac_part.is_none_or(all_digits) {
        return false;
    }
    if int_part.is_empty() && frac_part.is_none_or(|f| f.is_empty()) {
        return false;
    }
    if int_part.len() > 1 && int_part[0] == b'0' {
        return false;
    }
    match exponent {
        Some(e) => {
            let e = e.strip_prefix(b"-").or_else(|| e.strip_prefix(b"+")).unwrap_or(e);
            !e.is_empty() && all_digits(e)
        }
        None => frac_part.is_some(),
    }
}

/// `r` written the way Rust's `{:?}` writes it (shortest round-trip form,
/// `.0` on whole numbers). For a real `canonical_real` accepted, this is
/// the original text again; used to turn stored REALs back into text.
pub fn real_text(r: f64) -> String {
    format!("{r:?}")
}

/// True when storing `text` as a REAL loses nothing, because `real_text`
/// gives the same text back: plain decimals (`1.5`, `185.0`, `-0.25`) with
/// at most 15 significant digits, no trailing zero after the point but
/// `.0`, and a size Rust writes without an exponent. A cheap text check,
/// not a formatting round trip, since it runs for every real cell.
pub fn canonical_real(text: &str) -> bool {
    let bytes = text.as_bytes();
    let body = bytes.strip_prefix(b"-").unwrap_or(bytes);
    let Some(point) = body.iter().position(|&b| b == b'.') else { return false };
    let (int_part, fraction) = (&body[..point], &body[point + 1..]);
    let digits_only = |p: &[u8]| p.iter().all(u8::is_ascii_digit);
    if int_part.is_empty() || fraction.is_empty() || !digits_only(int_part) || !digits_only(fraction) {
        return false;
    }
    if int_part.len() > 1 && int_part[0] == b'0' {
        return false;
    }
    if fraction.len() > 1 && fraction.ends_with(b"0") {
        return false;
    }
    let significant = if int_part == b"0" {
        let zeros = fraction.iter().take_while(|&&b| b == b'0').count();
        if zeros == fraction.len() {
            return true; // 0.0
        }
        // Rust switches to an exponent below 1e-4.
        if zeros > 3 {
            return false;
        }
        fraction.len() - zeros
    } else {
        let trailing_zero = usize::from(fraction == b"0");
        int_part.len() + fraction.len() - trailing_zero
    };
    significant <= 15
}

/// The running vote of one column, and how its cells were stored.
#[derive(Debug, Clone, Copy, Default)]
pub struct ColumnVote {
    pub values: u64,
    pub integers: u64,
    /// Numbers with a fraction or exponent, stored as REAL (canonical ones)
    /// or kept as TEXT (the rest).
    pub reals_stored: u64,
    pub reals_as_text: u64,
}

impl ColumnVote {
    pub fn add(&mut self, shape: Shape, stored_as_real: bool) {
        match shape {
            Shape::Empty => return,
            Shape::Integer(_) => self.integers += 1,
            Shape::Real(_) if stored_as_real => self.reals_stored += 1,
            Shape::Real(_) => self.reals_as_text += 1,
            Shape::Text => {}
        }
        self.values += 1;
    }

    pub fn decided(&self) -> ColumnType {
        if self.values > 0 && self.integers == self.values {
            ColumnType::Integer
        } else if self.values > 0 && self.integers + self.reals_stored + self.reals_as_text == self.values {
            ColumnType::Real
        } else {
            ColumnType::Text
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Integer,
    Real,
    Text,
}

impl ColumnType {
    pub fn sql(self) -> &'static str {
        match self {
            ColumnType::Integer => "INTEGER",
            ColumnType::Real => "REAL",
            ColumnType::Text => "TEXT",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_classified_like_sqlite_utils() {
        let cases = [
            ("", Shape::Empty),
            ("0", Shape::Integer(0)),
            ("42", Shape::Integer(42)),
            ("-7", Shape::Integer(-7)),
            ("9223372036854775807", Shape::Integer(i64::MAX)),
            ("9223372036854775808", Shape::Text),
            ("007", Shape::Text),
            ("01001", Shape::Text),
            ("-0", Shape::Text),
            ("+5", Shape::Text),
            (" 5", Shape::Text),
            ("1.5", Shape::Real(1.5)),
            ("-0.25", Shape::Real(-0.25)),
            (".5", Shape::Real(0.5)),
            ("0.5", Shape::Real(0.5)),
            ("1e10", Shape::Real(1e10)),
            ("2.5E-3", Shape::Real(2.5e-3)),
            ("1.", Shape::Real(1.0)),
            ("01.5", Shape::Text),
            ("1,193.91", Shape::Text),
            ("1.2.3", Shape::Text),
            ("e5", Shape::Text),
            (".", Shape::Text),
            ("1e", Shape::Text),
            ("inf", Shape::Text),
            ("NaN", Shape::Text),
            ("9/24/06", Shape::Text),
            ("20240101", Shape::Integer(20240101)),
            ("7-6(5) 6-4", Shape::Text),
        ];
        for (text, expected) in cases {
            assert_eq!(shape(text), expected, "{text:?}");
        }
    }

    #[test]
    fn only_reals_that_print_back_the_same_are_stored_as_reals() {
        let cases = [
            ("1.5", true),
            ("185.0", true),
            ("0.1", true),
            ("-0.25", true),
            ("0.0001", true),
            ("0.00001", false),
            ("123456789012.345", true),
            ("1234567890123.456", false),
            ("1e20", false),
            ("1.50", false),
            ("185.", false),
            ("2.5E-3", false),
            (".5", false),
        ];
        for (text, expected) in cases {
            let Shape::Real(r) = shape(text) else { panic!("{text}") };
            assert_eq!(canonical_real(text), expected, "{text}");
            if expected {
                assert_eq!(real_text(r), text);
            }
        }
    }

    /// The text rule promises what `real_text` does; check it on many
    /// generated decimals.
    #[test]
    fn the_canonical_rule_agrees_with_formatting() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut accepted = 0;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let int_digits = (x % 14) as usize;
            let frac_digits = 1 + ((x >> 8) % 10) as usize;
            let int_part = if int_digits == 0 { "0".to_string() } else { ((x >> 16) % 10u64.pow(int_digits as u32)).to_string() };
            let frac = format!("{:0width$}", (x >> 24) % 10u64.pow(frac_digits as u32), width = frac_digits);
            let text = format!("{}{int_part}.{frac}", if x.is_multiple_of(3) { "-" } else { "" });
            let Shape::Real(r) = shape(&text) else { continue };
            if canonical_real(&text) {
                accepted += 1;
                assert_eq!(real_text(r), text);
            }
        }
        assert!(accepted > 50_000, "{accepted}");
    }

    #[test]
    fn columns_take_the_narrowest_type_that_fits_every_value() {
        let vote = |cells: &[&str]| {
            let mut v = ColumnVote::default();
            cells.iter().for_each(|c| v.add(shape(c), false));
            v.decided()
        };
        assert_eq!(vote(&["1", "", "3"]), ColumnType::Integer);
        assert_eq!(vote(&["1", "2.5", ""]), ColumnType::Real);
        assert_eq!(vote(&["1", "x"]), ColumnType::Text);
        assert_eq!(vote(&["", ""]), ColumnType::Text);
        assert_eq!(vote(&["007", "1"]), ColumnType::Text);
    }
}
