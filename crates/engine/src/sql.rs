//! Small helpers for writing SQL text safely.

use protocol::Cell;
use rusqlite::types::{Value, ValueRef};

/// `name` as a double-quoted SQL identifier, safe whatever it contains.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `value` as an SQL literal. Only for SQL shown to the user ("View and edit
/// SQL"); queries the engine runs itself bind values as parameters.
pub fn literal(value: &Cell) -> String {
    match value {
        Cell::Null => "NULL".into(),
        Cell::Integer(i) => i.to_string(),
        Cell::Real(r) if r.is_finite() => format!("{r:?}"),
        Cell::Real(r) => {
            if *r > 0.0 {
                "9e999".into()
            } else {
                "-9e999".into()
            }
        }
        Cell::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Cell::Blob(b) => format!("X'{}'", protocol::hex(b)),
    }
}

/// `sql` from its first token on: white space and comments skipped.
pub fn skip_comments(sql: &str) -> &str {
    let mut rest = sql;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            return rest;
        }
    }
}

/// The first word of `sql` after white space and comments, in capitals.
pub fn first_keyword(sql: &str) -> String {
    skip_comments(sql).chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_uppercase()
}

/// `s` without `prefix`, compared without case.
pub fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

/// A single-quoted SQL string at the start of `s` (after white space):
/// its value (`''` read as `'`) and what follows it.
pub fn string_literal(s: &str) -> Option<(String, &str)> {
    quoted(s.trim_start(), '\'', '\'')
}

/// A quoted ("", [], ``, '') or bare identifier at the start of `s`; a
/// bare one ends at white space, `(`, `,`, `)`, `;` or `=`, and may not
/// hold a `.` (a schema-qualified name is not taken for a plain one).
pub fn identifier(s: &str) -> Option<(String, &str)> {
    match s.chars().next()? {
        '"' => quoted(s, '"', '"'),
        '[' => quoted(s, '[', ']'),
        '`' => quoted(s, '`', '`'),
        '\'' => quoted(s, '\'', '\''),
        _ => {
            let end = s.find(|c: char| c.is_whitespace() || "(),;=".contains(c)).unwrap_or(s.len());
            let name = &s[..end];
            (!name.is_empty() && !name.contains('.')).then(|| (name.to_string(), &s[end..]))
        }
    }
}

/// The text between `open` and `close` at the start of `s`, a doubled
/// `close` standing for itself (except for `]`, which cannot be escaped).
fn quoted(s: &str, open: char, close: char) -> Option<(String, &str)> {
    let body = s.strip_prefix(open)?;
    let mut value = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != close {
            value.push(c);
        } else if close != ']' && matches!(chars.peek(), Some((_, n)) if *n == close) {
            chars.next();
            value.push(c);
        } else {
            return Some((value, &body[i + c.len_utf8()..]));
        }
    }
    None
}

/// A `CREATE VIRTUAL TABLE` statement taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualTable {
    pub name: String,
    /// The module, in lower case (`fts5`, `rtree`...).
    pub module: String,
    /// The arguments as written, split at top-level commas and trimmed.
    pub args: Vec<String>,
}

impl VirtualTable {
    /// The value of a `key = value` argument, unquoted.
    pub fn option(&self, key: &str) -> Option<String> {
        self.args.iter().find_map(|arg| {
            let (k, v) = arg.split_once('=')?;
            if !k.trim().eq_ignore_ascii_case(key) {
                return None;
            }
            let v = v.trim();
            match identifier(v) {
                Some((value, rest)) if rest.trim().is_empty() => Some(value),
                _ => Some(v.to_string()),
            }
        })
    }
}

/// `CREATE VIRTUAL TABLE [IF NOT EXISTS] name USING module(args)` read by
/// a lexer, so names and arguments holding quotes, commas, brackets or
/// the word USING are read right. `None` for anything else.
pub fn virtual_table_parts(sql: &str) -> Option<VirtualTable> {
    let words = strip_prefix_ci(sql.trim_start(), "CREATE")?.trim_start();
    let words = strip_prefix_ci(words, "VIRTUAL")?.trim_start();
    let mut rest = strip_prefix_ci(words, "TABLE")?.trim_start();
    if let Some(r) = strip_prefix_ci(rest, "IF") {
        rest = strip_prefix_ci(r.trim_start(), "NOT")?.trim_start();
        rest = strip_prefix_ci(rest, "EXISTS")?.trim_start();
    }
    let (name, after) = identifier(rest)?;
    let after = strip_prefix_ci(after.trim_start(), "USING")?.trim_start();
    let (module, after) = identifier(after)?;
    let mut args = Vec::new();
    if let Some(list) = after.trim_start().strip_prefix('(') {
        let (mut depth, mut current, mut chars) = (0usize, String::new(), list.chars());
        while let Some(c) = chars.next() {
            match c {
                '\'' | '"' | '`' | '[' => {
                    let close = if c == '[' { ']' } else { c };
                    current.push(c);
                    for q in chars.by_ref() {
                        current.push(q);
                        if q == close {
                            break;
                        }
                    }
                }
                '(' => {
                    depth += 1;
                    current.push(c);
                }
                ')' if depth == 0 => break,
                ')' => {
                    depth -= 1;
                    current.push(c);
                }
                ',' if depth == 0 => args.push(std::mem::take(&mut current).trim().to_string()),
                _ => current.push(c),
            }
        }
        if !current.trim().is_empty() {
            args.push(current.trim().to_string());
        }
    }
    Some(VirtualTable { name, module: module.to_ascii_lowercase(), args })
}

/// The most bytes of values one reply may carry (a table page, a query's
/// rows, one row of an export). Values are counted before they are
/// copied, so a view of 1,000 rows of `zeroblob(99000000)` is refused in
/// SQLite's memory, not after 99 GB were copied out of it.
pub const RESULT_BYTES_MAX: usize = 64 << 20;

/// The size a value takes in a reply: its bytes, or 8 for a number.
pub fn value_size(value: ValueRef<'_>) -> usize {
    match value {
        ValueRef::Text(t) | ValueRef::Blob(t) => t.len(),
        _ => 8,
    }
}

/// The size a cell takes in a reply, by the rule of `value_size`.
pub fn cell_size(cell: &Cell) -> usize {
    match cell {
        Cell::Text(t) => t.len(),
        Cell::Blob(b) => b.len(),
        _ => 8,
    }
}

/// The first `width` values of `row` as cells, if they fit in `budget`
/// (which they then use up); `None` if they do not, with nothing copied.
pub fn row_cells(row: &rusqlite::Row<'_>, width: usize, budget: &mut usize) -> rusqlite::Result<Option<Vec<Cell>>> {
    let mut size = 0usize;
    for i in 0..width {
        size = size.saturating_add(value_size(row.get_ref(i)?));
    }
    if size > *budget {
        return Ok(None);
    }
    *budget -= size;
    (0..width).map(|i| row.get_ref(i).map(cell_from_ref)).collect::<rusqlite::Result<Vec<_>>>().map(Some)
}

/// The error for a row or page over `RESULT_BYTES_MAX`.
pub fn too_large(what: &str, advice: &str) -> crate::Error {
    crate::Error::new(
        crate::ErrorKind::BadRequest,
        format!("{what} holds more than {} MB of values, more than can be shown; {advice}", RESULT_BYTES_MAX >> 20),
    )
}

pub fn cell_from_ref(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Integer(i),
        ValueRef::Real(r) => Cell::Real(r),
        // SQLite may hold invalid UTF-8 in TEXT; show it with replacement marks.
        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
    }
}

pub fn value_from_cell(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Integer(i) => Value::Integer(*i),
        Cell::Real(r) => Value::Real(*r),
        Cell::Text(t) => Value::Text(t.clone()),
        Cell::Blob(b) => Value::Blob(b.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_literals_are_quoted() {
        assert_eq!(quote_ident("Track"), "\"Track\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal(&Cell::Text("it's".into())), "'it''s'");
        assert_eq!(literal(&Cell::Real(2.0)), "2.0");
        assert_eq!(literal(&Cell::Blob(vec![0xab, 1])), "X'ab01'");
        assert_eq!(literal(&Cell::Null), "NULL");
    }
}
