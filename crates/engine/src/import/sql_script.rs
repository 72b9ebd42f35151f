//! SQL scripts and `sqlite3 .dump` output, run statement by statement as
//! the text arrives.
//!
//! A statement ends at a `;` outside quotes, brackets and comments where
//! `sqlite3_complete` agrees (so `CREATE TRIGGER … BEGIN …; …; END;` is one
//! statement). Text is decoded first, so a BOM and CRLF do no harm, and a
//! `;` or a newline inside a string literal never splits a statement.

use rusqlite::Connection;

use super::text::{sniff_encoding, TextStream};
use crate::error::{Error, ErrorKind, Position, PositionUnit, Result};
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
    /// Where the statement being scanned stands for `sqlite3_complete`.
    completion: Completion,
    /// Statements run so far, and the line and decoded byte the next one
    /// starts on.
    statements: u64,
    line: u64,
    byte: u64,
    head: Vec<u8>,
    /// Virtual tables the dump wrote into `sqlite_schema` itself (see
    /// `dump_schema`); checked once the script has ended.
    virtual_tables: Vec<String>,
}

impl Default for SqlScriptImport {
    fn default() -> Self {
        SqlScriptImport {
            text: None,
            pending: String::new(),
            consumed: 0,
            scanned: 0,
            lexer: Lexer::Code,
            completion: Completion::Invalid,
            statements: 0,
            line: 1,
            byte: 0,
            head: Vec::new(),
            virtual_tables: Vec::new(),
        }
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
        if code_start(&rest).is_some() {
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
        self.text = Some(TextStream::new(sniff_encoding(head, last))?);
        self.feed(conn, clock, head, last)
    }

    fn feed(&mut self, conn: &mut Connection, clock: Clock, chunk: &[u8], last: bool) -> Result<()> {
        // `start_and_feed` sets the decoder before the first feed.
        let Some(text) = self.text.as_mut() else { return Err(Error::new(ErrorKind::BadRequest, "the script was fed before it started")) };
        text.decode_text(chunk, last, &mut self.pending);
        let mut outcome = Ok(());
        while let Some(end) = self.next_statement_end() {
            // Taken out while the statement runs (no copy of it).
            let pending = std::mem::take(&mut self.pending);
            let statement = &pending[self.consumed..end];
            self.consumed = end;
            outcome = self.run(conn, clock, statement);
            self.pending = pending;
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
    ///
    /// One pass over the text, whatever its length: the lexer keeps its
    /// state between chunks, and so does `completion`, the token automaton
    /// of `sqlite3_complete`, fed token by token (asking SQLite itself at
    /// each `;` would re-read the statement each time: quadratic in a long
    /// trigger body).
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
                Lexer::Code if is_word_byte(b) => {
                    let end = bytes[i..].iter().position(|&c| !is_word_byte(c)).map_or(bytes.len(), |n| i + n);
                    // A word cut by the end of the buffer could be a keyword:
                    // read it whole later. Past the longest keyword
                    // ("temporary") it is `Other` however it goes on, and
                    // `Other` twice is `Other` once to the automaton.
                    if end == bytes.len() && end - i <= "temporary".len() {
                        break;
                    }
                    self.completion = self.completion.after(Token::of_word(&bytes[i..end]));
                    i = end;
                    continue;
                }
                Lexer::Code => match b {
                    b'\'' | b'"' | b'`' => {
                        self.lexer = Lexer::Quoted(b);
                        self.completion = self.completion.after(Token::Other);
                    }
                    b'[' => {
                        self.lexer = Lexer::Quoted(b']');
                        self.completion = self.completion.after(Token::Other);
                    }
                    b'-' if next == Some(b'-') => self.lexer = Lexer::LineComment,
                    b'/' if next == Some(b'*') => {
                        self.lexer = Lexer::BlockComment;
                        i += 1;
                    }
                    b';' => {
                        self.completion = self.completion.after(Token::Semi);
                        if self.completion == Completion::Start {
                            self.completion = Completion::Invalid;
                            self.scanned = i + 1;
                            return Some(i + 1);
                        }
                    }
                    b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {}
                    _ => self.completion = self.completion.after(Token::Other),
                },
                // A doubled quote inside a string is an escaped quote: the
                // first closes, the second reopens, which comes to the same.
                // Inside quotes only the closing quote matters: straight to
                // it (a dump is mostly string literals).
                Lexer::Quoted(close) => match bytes[i..].iter().position(|&c| c == close) {
                    Some(n) => {
                        i += n;
                        self.lexer = Lexer::Code;
                    }
                    None => {
                        i = bytes.len();
                        break;
                    }
                },
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
        let newlines = |text: &str| text.bytes().filter(|&b| b == b'\n').count() as u64;
        let code = code_start(statement);
        // The line the code starts on, and that line's start in decoded bytes.
        let before = &statement[..code.unwrap_or(0)];
        let starts_on = self.line + newlines(before);
        let starts_at = self.byte + before.rfind('\n').map_or(0, |i| i + 1) as u64;
        self.line += newlines(statement);
        self.byte += statement.len() as u64;
        if code.is_none() {
            return Ok(());
        }
        self.statements += 1;
        let number = self.statements;
        let outcome = match super::dump_schema::virtual_table_entry(statement) {
            Some(entry) => super::dump_schema::insert_entry(conn, &entry).map(|()| self.virtual_tables.push(entry.name)),
            None => with_time_limit(conn, clock, STATEMENT_TIME_LIMIT_MS, |c| {
                // A dump's INSERTs of literals skip SQLite's parser.
                if let Some(insert) = super::dump_insert::parse(statement) {
                    if super::dump_insert::run(c, &insert)? == super::dump_insert::Ran::Done {
                        return Ok(());
                    }
                }
                Ok(c.execute_batch(statement)?)
            }),
        };
        if let Err(e) = outcome {
            // Keep what loaded: commit a transaction the script had opened.
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("COMMIT");
            }
            let first_line = first_code_line(statement);
            let kind = if e.kind() == ErrorKind::TimeLimit { ErrorKind::TimeLimit } else { ErrorKind::Sql };
            let position = Position { unit: PositionUnit::Statement, number, line: starts_on, byte: starts_at };
            return Err(Error::new(kind, format!("{}\n{first_line}", e.message())).at(position));
        }
        Ok(())
    }
}

/// The tokens `sqlite3_complete` tells apart (white space and comments
/// change no state but `Invalid`'s, so they are not fed at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Semi,
    Other,
    Explain,
    Create,
    Temp,
    Trigger,
    End,
}

impl Token {
    fn of_word(word: &[u8]) -> Token {
        match word.to_ascii_lowercase().as_slice() {
            b"explain" => Token::Explain,
            b"create" => Token::Create,
            b"temp" | b"temporary" => Token::Temp,
            b"trigger" => Token::Trigger,
            b"end" => Token::End,
            _ => Token::Other,
        }
    }
}

/// The states of `sqlite3_complete` (SQLite's complete.c): a `;` ends a
/// statement when it brings the automaton to `Start`; inside `CREATE
/// TRIGGER … BEGIN` only `END ;` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Completion {
    #[default]
    Invalid,
    Start,
    Normal,
    Explain,
    Create,
    Trigger,
    Semi,
    End,
}

impl Completion {
    fn after(self, token: Token) -> Completion {
        use Completion as S;
        use Token as T;
        match (self, token) {
            (S::Trigger | S::Semi, T::Semi) => S::Semi,
            (S::Semi, T::End) => S::End,
            (S::End, T::Semi) => S::Start,
            (S::Trigger | S::Semi | S::End, _) => S::Trigger,
            (_, T::Semi) => S::Start,
            (S::Invalid | S::Start, T::Explain) => S::Explain,
            (S::Invalid | S::Start | S::Explain, T::Create) => S::Create,
            (S::Explain, T::Other) => S::Explain,
            (S::Create, T::Temp) => S::Create,
            (S::Create, T::Trigger) => S::Trigger,
            _ => S::Normal,
        }
    }
}

/// Bytes SQLite reads as part of a word (`IdChar`): letters, digits, `_`,
/// `$` and every byte of a non-ASCII character.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Where the code of a statement starts, after white space and comments;
/// `None` when it has none (nothing, or only its `;`).
fn code_start(sql: &str) -> Option<usize> {
    let rest = crate::sql::skip_comments(sql);
    (!rest.is_empty() && rest != ";").then(|| sql.len() - rest.len())
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
            statement 4 (line 5): no such table: nope
            INSERT INTO nope VALUES (2);"#]]
        .assert_eq(&err.to_string());
        assert!(conn.is_autocommit());
        let n: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn statement_ends_agree_with_sqlite3_complete() {
        let samples = [
            "SELECT 1;",
            "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;",
            "create temp trigger t after insert on x begin select 1; end ;",
            "CREATE TEMPORARY TRIGGER t BEGIN x; y; END; ",
            "EXPLAIN CREATE TRIGGER t BEGIN x; END;",
            "CREATE TABLE trigger(end);",
            "CREATE TRIGGER t BEGIN SELECT 'END;'; END;",
            "CREATE TRIGGER t BEGIN SELECT \"x\"; END /* c */ ;",
            "CREATE VIEW v AS SELECT 1 AS end;",
            "CREATE TRIGGER t BEGIN SELECT 1; END -- x\n;",
            "explain select 1;",
            "CREATE TRIGGER [a;b] BEGIN x; END;",
            "END;",
            "CREATE TRIGGER t BEGIN;",
        ];
        for sample in samples {
            for cut in 0..=sample.len() {
                let sqlite = {
                    let c = std::ffi::CString::new(&sample[..cut]).unwrap();
                    // SAFETY: a NUL-terminated string that sqlite3_complete only reads.
                    unsafe { rusqlite::ffi::sqlite3_complete(c.as_ptr()) != 0 }
                };
                if !sample.is_char_boundary(cut) || !sample[..cut].ends_with(';') {
                    continue;
                }
                let mut import = SqlScriptImport { pending: format!("{} ", &sample[..cut]), ..Default::default() };
                let ours = import.next_statement_end() == Some(cut);
                assert_eq!(ours, sqlite, "{:?}", &sample[..cut]);
            }
        }
    }

    #[test]
    fn a_long_trigger_body_without_end_is_split_in_linear_time() {
        let body: String = "UPDATE t SET a = a + 1;\n".repeat(40_000);
        let script = format!("CREATE TABLE t(a);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n{body}");
        let mut conn = crate::open_empty().unwrap();
        let mut import = SqlScriptImport::default();
        let clock: Clock = crate::native_clock;
        let started = std::time::Instant::now();
        for piece in script.as_bytes().chunks(16 * 1024) {
            import.push(&mut conn, clock, piece).unwrap();
        }
        assert!(import.finish(&mut conn, clock).is_err(), "the trigger never ends");
        // Quadratic splitting took ~100 s on 1 MB; linear takes milliseconds.
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    }

    #[test]
    fn first_code_lines_skip_comments() {
        assert_eq!(first_code_line("-- x\n/* y\n z */ SELECT 1;"), "SELECT 1;");
        assert_eq!(first_code_line("\n\n  -- only a comment\n"), "");
        assert_eq!(first_code_line(";"), "");
    }
}
