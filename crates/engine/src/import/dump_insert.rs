//! The INSERTs that make up most of an SQL dump, run without SQLite
//! parsing and compiling each one: `INSERT INTO name [(columns)] VALUES
//! (…)[, (…)…];` whose values are all plain literals (numbers, strings,
//! blobs, NULL) is read here, and its rows are bound to one cached
//! prepared `INSERT … VALUES (?, …)` (`sqlite3 < dump` parses every
//! statement; that is most of its time).
//!
//! Binding a literal's value gives what the literal gives: the same
//! storage class, then the column's affinity. Anything else (a function
//! call such as the CLI's `replace(…, char(10))`, a hex integer, a name
//! with a schema, `OR REPLACE`, an integer past 64 bits) is left to
//! SQLite, as is any statement this path cannot run: it changes nothing
//! then (a multi-row statement runs in a savepoint), and SQLite runs the
//! text and reports its own error.

use std::borrow::Cow;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::Connection;

use crate::error::Result;

thread_local! {
    /// The last INSERT's target and width, and the statement made for them.
    static LAST_SQL: std::cell::RefCell<(String, usize, String)> = const { std::cell::RefCell::new((String::new(), 0, String::new())) };
}

/// An INSERT of literal rows.
#[derive(Debug, PartialEq)]
pub(crate) struct LiteralInsert<'s> {
    /// `INSERT INTO name (columns)` as written.
    target: &'s str,
    rows: Vec<Vec<Literal<'s>>>,
}

#[derive(Debug, PartialEq)]
enum Literal<'s> {
    Null,
    Integer(i64),
    Real(f64),
    Text(Cow<'s, str>),
    Blob(Vec<u8>),
}

/// What `run` did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ran {
    Done,
    /// Nothing changed: run the statement through SQLite.
    LeftToSqlite,
}

/// `statement` as an INSERT of literal rows, if it is exactly that.
pub(crate) fn parse(statement: &str) -> Option<LiteralInsert<'_>> {
    let text = crate::sql::skip_comments(statement);
    let mut input = Input { text, at: 0 };
    input.keyword("INSERT")?;
    input.keyword("INTO")?;
    input.name()?;
    input.spaces();
    if input.peek() == Some(b'(') {
        input.at += 1;
        loop {
            input.spaces();
            input.name()?;
            input.spaces();
            match input.next()? {
                b',' => continue,
                b')' => break,
                _ => return None,
            }
        }
    }
    let target = text[..input.at].trim_end();
    input.keyword("VALUES")?;
    let mut rows: Vec<Vec<Literal<'_>>> = Vec::new();
    loop {
        input.spaces();
        if input.next()? != b'(' {
            return None;
        }
        let mut row = Vec::with_capacity(rows.first().map_or(8, Vec::len));
        loop {
            input.spaces();
            row.push(input.literal()?);
            input.spaces();
            match input.next()? {
                b',' => continue,
                b')' => break,
                _ => return None,
            }
        }
        if rows.first().is_some_and(|first| first.len() != row.len()) {
            return None;
        }
        rows.push(row);
        input.spaces();
        match input.next()? {
            b',' => continue,
            b';' => break,
            _ => return None,
        }
    }
    // Nothing but white space and comments after the `;`.
    crate::sql::skip_comments(&text[input.at..]).is_empty().then_some(LiteralInsert { target, rows })
}

/// Inserts the rows through a cached prepared statement.
pub(crate) fn run(conn: &Connection, insert: &LiteralInsert<'_>) -> Result<Ran> {
    let width = insert.rows.first().map_or(0, Vec::len);
    // The statement's text, made again only when the table or width
    // changes (a dump's INSERTs come a table at a time).
    let sql = LAST_SQL.with_borrow_mut(|(target, columns, sql)| {
        if target != insert.target || *columns != width {
            *target = insert.target.to_string();
            *columns = width;
            *sql = format!("{} VALUES ({})", insert.target, vec!["?"; width].join(", "));
        }
        sql.clone()
    });
    let Ok(mut stmt) = conn.prepare_cached(&sql) else { return Ok(Ran::LeftToSqlite) };
    if stmt.parameter_count() != width {
        return Ok(Ran::LeftToSqlite);
    }
    // One statement of many rows is all or nothing, as SQLite runs it.
    let several = insert.rows.len() > 1;
    if several {
        conn.execute_batch("SAVEPOINT explorer_dump_insert")?;
    }
    for row in &insert.rows {
        let ran = row
            .iter()
            .enumerate()
            .try_for_each(|(i, literal)| stmt.raw_bind_parameter(i + 1, ToSqlOutput::Borrowed(literal.value())))
            .and_then(|()| stmt.raw_execute());
        if ran.is_err() {
            if several {
                conn.execute_batch("ROLLBACK TO explorer_dump_insert; RELEASE explorer_dump_insert")?;
            }
            return Ok(Ran::LeftToSqlite);
        }
    }
    if several {
        conn.execute_batch("RELEASE explorer_dump_insert")?;
    }
    Ok(Ran::Done)
}

impl Literal<'_> {
    fn value(&self) -> ValueRef<'_> {
        match self {
            Literal::Null => ValueRef::Null,
            Literal::Integer(n) => ValueRef::Integer(*n),
            Literal::Real(r) => ValueRef::Real(*r),
            Literal::Text(t) => ValueRef::Text(t.as_bytes()),
            Literal::Blob(b) => ValueRef::Blob(b),
        }
    }
}

struct Input<'s> {
    text: &'s str,
    at: usize,
}

impl<'s> Input<'s> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn spaces(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    /// `word` (any case) after white space, not followed by a name's letter.
    fn keyword(&mut self, word: &str) -> Option<()> {
        self.spaces();
        let rest = self.text.as_bytes().get(self.at..self.at + word.len())?;
        if !rest.eq_ignore_ascii_case(word.as_bytes()) {
            return None;
        }
        self.at += word.len();
        (!self.peek().is_some_and(is_name_byte)).then_some(())
    }

    /// A name, quoted any of SQLite's ways or bare; a `.` after it (a
    /// schema) is not taken.
    fn name(&mut self) -> Option<()> {
        self.spaces();
        match self.peek()? {
            open @ (b'"' | b'`') => {
                self.at += 1;
                loop {
                    if self.next()? == open {
                        if self.peek() == Some(open) {
                            self.at += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            b'[' => {
                let close = self.text[self.at..].find(']')?;
                self.at += close + 1;
            }
            b if is_name_byte(b) && !b.is_ascii_digit() => {
                while self.peek().is_some_and(is_name_byte) {
                    self.at += 1;
                }
            }
            _ => return None,
        }
        (self.peek() != Some(b'.')).then_some(())
    }

    fn literal(&mut self) -> Option<Literal<'s>> {
        match self.peek()? {
            b'\'' => self.string().map(Literal::Text),
            b'x' | b'X' if self.text.as_bytes().get(self.at + 1) == Some(&b'\'') => {
                self.at += 1;
                let hex = self.string()?;
                if hex.len() % 2 != 0 {
                    return None;
                }
                let digits = hex.as_bytes();
                let nibble = |b: u8| (b as char).to_digit(16);
                digits.chunks(2).map(|p| Some((nibble(p[0])? * 16 + nibble(p[1])?) as u8)).collect::<Option<Vec<u8>>>().map(Literal::Blob)
            }
            b'n' | b'N' => {
                self.keyword("NULL")?;
                Some(Literal::Null)
            }
            b'-' | b'.' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// A `'…'` string, `''` for a quote.
    fn string(&mut self) -> Option<Cow<'s, str>> {
        self.at += 1;
        let start = self.at;
        let mut doubled = false;
        loop {
            // Most strings are short: a plain loop beats a search's setup.
            let bytes = self.text.as_bytes();
            let end = (self.at..bytes.len()).find(|&i| bytes[i] == b'\'')?;
            self.at = end + 1;
            if self.peek() == Some(b'\'') {
                self.at += 1;
                doubled = true;
            } else {
                let body = &self.text[start..end];
                return Some(if doubled { Cow::Owned(body.replace("''", "'")) } else { Cow::Borrowed(body) });
            }
        }
    }

    /// `-`, digits, then a fraction and an exponent make a REAL; digits
    /// alone an INTEGER (within 64 bits, else left to SQLite).
    fn number(&mut self) -> Option<Literal<'s>> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let digits = |input: &mut Self| {
            let from = input.at;
            while input.peek().is_some_and(|b| b.is_ascii_digit()) {
                input.at += 1;
            }
            input.at > from
        };
        let whole = digits(self);
        let mut real = false;
        if self.peek() == Some(b'.') {
            self.at += 1;
            real = true;
            if !digits(self) && !whole {
                return None;
            }
        } else if !whole {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            real = true;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        if self.peek().is_some_and(is_name_byte) {
            return None;
        }
        let text = &self.text[start..self.at];
        if real {
            text.parse().ok().map(Literal::Real)
        } else {
            text.parse().ok().map(Literal::Integer)
        }
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_literal_inserts_are_read_and_the_rest_left_to_sqlite() {
        let read = parse("\n-- rows\nINSERT INTO \"my \"\"t\" VALUES(1,-2.5e3,'it''s',X'00ff',NULL,.5,-0);").unwrap();
        assert_eq!(read.target, "INSERT INTO \"my \"\"t\"");
        assert_eq!(
            read.rows,
            [vec![
                Literal::Integer(1),
                Literal::Real(-2500.0),
                Literal::Text(Cow::Borrowed("it's")),
                Literal::Blob(vec![0, 255]),
                Literal::Null,
                Literal::Real(0.5),
                Literal::Integer(0)
            ]]
        );
        let chinook = parse("INSERT INTO [Genre] ([GenreId], [Name]) VALUES\n    (1, N'Rock'),\n    (2, 'Jazz');").map(|i| i.rows.len());
        assert_eq!(chinook, None, "N'…' is not a plain literal");
        assert_eq!(
            parse("INSERT INTO [Genre] ([GenreId], [Name]) VALUES\n    (1, 'Rock'),\n    (2, 'Jazz');").map(|i| i.rows.len()),
            Some(2)
        );
        for left in [
            "INSERT INTO t VALUES(replace('a\\nb','\\n',char(10)));",
            "INSERT INTO main.t VALUES(1);",
            "INSERT OR REPLACE INTO t VALUES(1);",
            "INSERT INTO t VALUES(0x10);",
            "INSERT INTO t VALUES(99999999999999999999);",
            "INSERT INTO t VALUES(1),(1,2);",
            "INSERT INTO t VALUES(1); SELECT 1;",
            "INSERT INTO t VALUES(TRUE);",
            "INSERT INTO t SELECT 1;",
            "INSERT INTO t VALUES('open",
            "INSERT INTO t VALUES(X'abc');",
            "CREATE TABLE t(a);",
        ] {
            assert_eq!(parse(left), None, "{left}");
        }
    }

    #[test]
    fn rows_are_bound_or_left_to_sqlite_with_nothing_changed() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL)").unwrap();
        let ran = |sql: &str| run(&conn, &parse(sql).unwrap()).unwrap();
        assert_eq!(ran("INSERT INTO t VALUES(1,'a'),(2,'b');"), Ran::Done);
        assert_eq!(ran("INSERT INTO t VALUES(3,'c'),(4,NULL);"), Ran::LeftToSqlite);
        assert_eq!(ran("INSERT INTO t VALUES(5);"), Ran::LeftToSqlite, "too few values");
        assert_eq!(ran("INSERT INTO missing VALUES(1);"), Ran::LeftToSqlite);
        let count: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 2);
    }
}
