//! A small SVG writer: elements as text, every value escaped, numbers
//! rounded to a tenth of a pixel (the file stays small, the picture the
//! same).

use std::fmt::Write;

pub struct Svg {
    out: String,
}

impl Svg {
    pub fn new(width: f64, height: f64, label: &str) -> Svg {
        let mut out = String::with_capacity(16 * 1024);
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{label}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" fill="currentColor"><title>{label}</title>"#,
            w = px(width),
            h = px(height),
            label = escape(label)
        );
        Svg { out }
    }

    /// `<name attributes>` with children written by `inner`, then `</name>`.
    pub fn open(&mut self, name: &str, attributes: &[(&str, String)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            let _ = write!(self.out, r#" {key}="{}""#, escape(value));
        }
        self.out.push('>');
    }

    pub fn close(&mut self, name: &str) {
        let _ = write!(self.out, "</{name}>");
    }

    /// An element with no children but, when `tip` is given, a `<title>`
    /// the browser shows on hover.
    pub fn element(&mut self, name: &str, attributes: &[(&str, String)], tip: Option<&str>) {
        self.open(name, attributes);
        if let Some(tip) = tip {
            let _ = write!(self.out, "<title>{}</title>", escape(tip));
        }
        self.close(name);
    }

    pub fn text(&mut self, x: f64, y: f64, anchor: &str, extra: &[(&str, String)], text: &str) {
        let mut attributes = vec![("x", px(x)), ("y", px(y)), ("text-anchor", anchor.to_string())];
        attributes.extend(extra.iter().cloned());
        self.open("text", &attributes);
        self.out.push_str(&escape(text));
        self.close("text");
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// A coordinate: a tenth of a pixel is finer than any screen shows.
pub fn px(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded == rounded.trunc() {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML at all.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
