//! Numbers and sizes the way people read them.

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// What a lazy database has fetched: "2.1 MB of 1.4 GB fetched (37 requests)".
pub fn fetched((requests, bytes_read): (u64, u64), size: u64) -> String {
    format!("{} of {} fetched ({})", bytes(bytes_read), bytes(size), count(requests as usize, "request"))
}

/// `1007616` → `984 KB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else if value >= 10.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

pub fn rows(n: u64) -> String {
    count(n as usize, "row")
}

/// `count(1, "view")` → `1 view`, `count(3, "view")` → `3 views`.
pub fn count(n: usize, noun: &str) -> String {
    format!("{} {noun}{}", thousands(n as u64), if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(1007616), "984 KB");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(bytes(36 * 1024 * 1024), "36 MB");
        assert_eq!(rows(1), "1 row");
        assert_eq!(rows(3503), "3,503 rows");
    }
}
