//! SQL scripts and `sqlite3 .dump` output, run statement by statement as
//! the text arrives.
//!
//! A statement ends at a `;` outside quotes, brackets and comments where
//! `sqlite3_complete` agrees (so `CREATE TRIGGER … BEGIN …; …; END;` is one
//! statement). Text is decoded first, so a BOM and CRLF do no harm, and a
//! `;` or a newline inside a string literal never splits a statement.

use std::ffi::CString;

use rusqlite::Connection;

use super::text::{sniff_encoding, TextStream};
use crate::error::{Error, ErrorKind, Result};
use crate::time_limit::{with_time_limit, Clock};

/// A statement in a script may run this long (a CREATE INDEX on a big
/// table is slow; an endless recursive CTE is stopped).
pub const STATEMENT_TIME_LIMIT_MS: u32 = 60_000;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Lexer {
    #[default]
    Code,
    Quoted(u8),
    LineComment,
    BlockComment,
}

pub struct SqlScriptImport {
    text: Option<TextStream>,
    /// Decoded text not yet run; `pending[consumed..]` is what is left of
    /// it during a `feed` (draining once per chunk, not per statement, keeps
    /// this linear).
    pending: String,
    consumed: usize,
    /// How far `pending` has been scanned, and in what lexical state.
    scanned: usize,
    lexer: Lexer,
    /// Statements run so far, and the line the next one starts on.
    statements: u64,
    line: u64,
    head: Vec<u8>,
    /// Virtual tables the dump wrote into `sqlite_schema` itself (see
    /// `dump_schema`); checked once the script has ended.
    virtual_tables: Vec<String>,
}

impl Default for SqlScriptImport {
    fn default() -> Self {
        SqlScriptImport { text: None, pending: String::new(), consumed: 0, scanned: 0, lexer: Lexer::Code, statements: 0, line: 1, head: Vec::new(), virtual_tables: Vec::new() }
    }
}

impl SqlScriptImport {
    pub fn statements(&self) -> u64 {
        self.statements
    }

    pub fn push(&mut self, conn: &mut Connection, clock: Clock, chunk: &[u8]) -> Result<()> {
        if self.text.is_none() {
            self.head.extend_from_slice(chunk);
            if self.head.len() < 4096 {
                return Ok(());
            }
            let head = std::mem::take(&mut self.head);
            return self.start_and_feed(conn, clock, &head, false);
        }
        self.feed(conn, clock, chunk, false)
    }

    /// Runs what is left; returns the statements run and any warnings.
    pub fn finish(mut self, conn: &mut Connection, clock: Clock) -> Result<(u64, Vec<String>)> {
        if self.text.is_none() {
            let head = std::mem::take(&mut self.head);
            self.start_and_feed(conn, clock, &head, true)?;
        } else {
            self.feed(conn, clock, &[], true)?;
        }
        // A last statement without its `;`.
        let rest = std::mem::take(&mut self.pending);
        if has_code(&rest) {
            self.run(conn, clock, &rest)?;
        }
        // A dump cut off before its COMMIT keeps what it loaded.
        if !conn.is_autocommit() {
            conn.execute_batch("COMMIT")?;
        }
        let warnings = if self.virtual_tables.is_empty() { Vec::new() } else { super::dump_schema::settle(conn, &self.virtual_tables)? };
        Ok((self.statements, warnings))
    }

    fn start_and_feed(&mut self, conn: &mut Connection, clock: Clock, head: &[u8], last: bool) -> Result<()> {
        super::refuse_html(head, "an SQL script")?;
        self.text = Some(TextStream::new(sniff_encoding(head, last)));
        self.feed(conn, clock, head, last)
    }

    fn feed(&mut self, conn: &mut Connection, clock: Clock, chunk: &[u8], last: bool) -> Result<()> {
        self.text.as_mut().expect("started").decode_text(chunk, last, &mut self.pending);
        let mut outcome = Ok(());
        while let Some(end) = self.next_statement_end() {
            let statement = self.pending[self.consumed..end].to_string();
            self.consumed = end;
            outcome = self.run(conn, clock, &statement);
            if outcome.is_err() {
                break;
            }
        }
        self.pending.drain(..self.consumed);
        self.scanned -= self.consumed;
        self.consumed = 0;
        outcome
    }

    /// The byte just past the first complete statement in `pending`.
    fn next_statement_end(&mut self) -> Option<usize> {
        let bytes = self.pending.as_bytes();
        let mut i = self.scanned.max(self.consumed);
        while i < bytes.len() {
            let b = bytes[i];
            let next = bytes.get(i + 1).copied();
            // `-`, `/` or `*` last in the buffer may start or end a comment
            // with the next chunk's first byte: look again then.
            if next.is_none() && matches!(b, b'-' | b'/' | b'*') {
                break;
            }
            match self.lexer {
                Lexer::Code => match b {
                    b'\'' | b'"' | b'`' => self.lexer = Lexer::Quoted(b),
                    b'[' => self.lexer = Lexer::Quoted(b']'),
                    b'-' if next == Some(b'-') => self.lexer = Lexer::LineComment,
                    b'/' if next == Some(b'*') => {
                        self.lexer = Lexer::BlockComment;
                        i += 1;
                    }
                    b';' if is_complete(&self.pending[self.consumed..=i]) => {
                        self.scanned = i + 1;
                        return Some(i + 1);
                    }
                    _ => {}
                },
                // A doubled quote inside a string is an escaped quote: the
                // first closes, the second reopens, which comes to the same.
                Lexer::Quoted(close) if b == close => self.lexer = Lexer::Code,
                Lexer::Quoted(_) => {}
                Lexer::LineComment if b == b'\n' => self.lexer = Lexer::Code,
                Lexer::LineComment => {}
                Lexer::BlockComment if b == b'*' && next == Some(b'/') => {
                    self.lexer = Lexer::Code;
                    i += 1;
                }
                Lexer::BlockComment => {}
            }
            i += 1;
        }
        self.scanned = i;
        None
    }

    fn run(&mut self, conn: &mut Connection, clock: Clock, statement: &str) -> Result<()> {
        let starts_on = self.line + leading_blank_lines(statement);
        self.line += statement.matches('\n').count() as u64;
        if !has_code(statement) {
            return Ok(());
        }
        self.statements += 1;
        let number = self.statements;
        let outcome = match super::dump_schema::virtual_table_entry(statement) {
            Some(entry) => super::dump_schema::insert_entry(conn, &entry).map(|()| self.virtual_tables.push(entry.name)),
            None => with_time_limit(conn, clock, STATEMENT_TIME_LIMIT_MS, |c| Ok(c.execute_batch(statement)?)),
        };
        if let Err(e) = outcome {
            // Keep what loaded: commit a transaction the script had opened.
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("COMMIT");
            }
            let first_line = first_code_line(statement);
            return Err(Error::new(
                if e.kind() == ErrorKind::TimeLimit { ErrorKind::TimeLimit } else { ErrorKind::Sql },
                format!("statement {number} (line {starts_on}) failed: {}\n{first_line}", e.message()),
            ));
        }
        Ok(())
    }
}

fn is_complete(sql: &str) -> bool {
    let Ok(c) = CString::new(sql) else { return true };
    // SAFETY: a valid NUL-terminated string; sqlite3_complete only reads it.
    unsafe { rusqlite::ffi::sqlite3_complete(c.as_ptr()) != 0 }
}

/// True when `sql` holds more than white space and comments.
fn has_code(sql: &str) -> bool {
    !first_code_line(sql).is_empty()
}

fn first_code_line(sql: &str) -> String {
    let mut in_block = false;
    for line in sql.lines() {
        let mut rest = line.trim();
        loop {
            if in_block {
                match rest.find("*/") {
                    Some(i) => {
                        rest = rest[i + 2..].trim_start();
                        in_block = false;
                    }
                    None => break,
                }
            } else if let Some(r) = rest.strip_prefix("/*") {
                rest = r;
                in_block = true;
            } else {
                break;
            }
        }
        if in_block || rest.is_empty() || rest.starts_with("--") || rest == ";" {
            continue;
        }
        let mut shown: String = rest.chars().take(120).collect();
        if rest.chars().count() > 120 {
            shown.push('…');
        }
        return shown;
    }
    String::new()
}

fn leading_blank_lines(sql: &str) -> u64 {
    let first = first_code_line(sql);
    if first.is_empty() {
        return 0;
    }
    sql.lines().take_while(|l| !l.contains(first.trim_end_matches('…'))).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_script(script: &str, chunk: usize) -> (Connection, Result<u64>) {
        let mut conn = crate::open_empty().unwrap();
        let mut import = SqlScriptImport::default();
        let clock: Clock = crate::native_clock;
        for piece in script.as_bytes().chunks(chunk) {
            if let Err(e) = import.push(&mut conn, clock, piece) {
                return (conn, Err(e));
            }
        }
        let r = import.finish(&mut conn, clock).map(|(n, _)| n);
        (conn, r)
    }

    #[test]
    fn statements_split_only_where_sqlite_says_they_end() {
        let script = "-- a comment; with a semicolon\n\
            CREATE TABLE t(a, b);\r\n\
            INSERT INTO t VALUES ('x;y', 'multi\nline; text');\n\
            /* block; comment */ INSERT INTO t VALUES (\"q\"\"uoted\", 'it''s');\n\
            CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET b = b || ';';\n  SELECT 1;\nEND;\n\
            ;\n\
            INSERT INTO t SELECT 'z', `odd;col` FROM (SELECT 1 AS `odd;col`) AS [odd;name]";
        for chunk in [1, 3, 7, 64, 10_000] {
            let (conn, result) = run_script(script, chunk);
            assert_eq!(result.unwrap(), 5, "chunk {chunk}");
            let n: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
            assert_eq!(n, 3, "chunk {chunk}");
            let b: String = conn.query_row("SELECT b FROM t WHERE rowid = 1", [], |r| r.get(0)).unwrap();
            assert_eq!(b, "multi\nline; text;", "chunk {chunk}");
        }
    }

    #[test]
    fn a_failing_statement_is_named_and_what_loaded_stays() {
        let script = "BEGIN TRANSACTION;\nCREATE TABLE t(a);\nINSERT INTO t VALUES (1);\n\n\
                      INSERT INTO nope VALUES (2);\nINSERT INTO t VALUES (3);\nCOMMIT;\n";
        let (conn, result) = run_script(script, 16);
        let err = result.unwrap_err();
        expect_test::expect![[r#"
            statement 4 (line 5) failed: no such table: nope
            INSERT INTO nope VALUES (2);"#]]
        .assert_eq(err.message());
        assert!(conn.is_autocommit());
        let n: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn first_code_lines_skip_comments() {
        assert_eq!(first_code_line("-- x\n/* y\n z */ SELECT 1;"), "SELECT 1;");
        assert_eq!(first_code_line("\n\n  -- only a comment\n"), "");
        assert_eq!(first_code_line(";"), "");
    }
}
