//! CSV, TSV and other delimited text, parsed as a stream with `csv-core`
//! and inserted as it arrives.
//!
//! Rows go into a table whose columns have no declared type yet: integers
//! are bound as INTEGER, everything else as TEXT, while each column keeps a
//! vote (`types::ColumnVote`). At the end `finish_table` settles each
//! column's type, converts the few cells that need it, and writes the
//! declared types into the schema. One pass, no second copy of the table.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::batch::BatchWriter;
use super::insert::RowInsert;

use super::table::{check_width, finish_table, ColumnNames, NewTable};
use super::text::{looks_like_mac_roman, sniff_encoding, TextStream};
use super::types::{canonical_real, shape, ColumnVote, Shape};
use crate::error::{Error, ErrorKind, Position, PositionUnit, Result};

/// How much of the file is read before guessing encoding and delimiter.
pub const SNIFF_BYTES: usize = 64 * 1024;
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DelimitedOptions {
    pub delimiter: Option<u8>,
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// The delimiter spelled as `?delimiter=` accepts it: a name or one character.
pub fn delimiter_for_name(name: &str) -> Option<u8> {
    match name.trim().to_ascii_lowercase().as_str() {
        "comma" | "," => Some(b','),
        "semicolon" | ";" => Some(b';'),
        "tab" | "\\t" | "\t" => Some(b'\t'),
        "pipe" | "|" => Some(b'|'),
        "colon" | ":" => Some(b':'),
        "space" | " " => Some(b' '),
        _ => None,
    }
}

/// Picks the delimiter that splits the sample's rows into the same number
/// of fields, preferring more fields; ties go to the order of `DELIMITERS`.
pub fn sniff_delimiter(sample: &str, complete: bool) -> u8 {
    let mut best = (b',', 0usize, 0usize); // (delimiter, consistent rows, fields)
    for delimiter in DELIMITERS {
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(sample.as_bytes());
        let mut counts: Vec<usize> = reader.byte_records().take(100).filter_map(|r| r.ok()).map(|r| r.len()).collect();
        if !complete && counts.len() > 1 {
            counts.pop(); // the last row may be cut off mid-way
        }
        let Some(&fields) = counts.first() else { continue };
        if fields < 2 {
            continue;
        }
        let consistent = counts.iter().take_while(|&&n| n == fields).count();
        if (consistent, fields) > (best.1, best.2) {
            best = (delimiter, consistent, fields);
        }
    }
    best.0
}

pub struct DelimitedImport {
    table: NewTable,
    options: DelimitedOptions,
    /// Bytes held back until there are enough to sniff.
    head: Vec<u8>,
    parser: Option<Parser>,
    /// Cells that were not valid in the file's encoding (replaced by U+FFFD).
    invalid_cells: u64,
    /// The encoding was guessed as Windows-1252 but the text reads like
    /// Mac Roman (see `text::looks_like_mac_roman`).
    mac_roman_hint: bool,
    /// Rows are encoded into batches for another thread to insert
    /// (`batch::CsvBatches`), not inserted here.
    batching: bool,
}

struct Parser {
    text: TextStream,
    reader: Reader,
    record: Vec<u8>,
    ends: Vec<usize>,
    record_len: usize,
    ends_len: usize,
    decoded: String,
    /// Field ends for a record that had to be decoded lossily.
    lossy_ends: Vec<usize>,
    rows: Rows,
    /// Where the record being read starts (for an error's position):
    /// records before it (the header is the first), its line, and the
    /// decoded bytes before it; `consumed` counts decoded bytes read.
    records: u64,
    record_line: u64,
    record_byte: u64,
    consumed: u64,
    /// csv-core is between records (nothing of the next one given to it
    /// yet): a plain line may be split here instead (`plain_line`).
    at_record_start: bool,
    /// Line ends consumed here rather than by csv-core, added to its count.
    lines_here: u64,
    delimiter: u8,
    /// Where the fields of a plain line end (`plain_line`).
    plain_ends: Vec<usize>,
}

impl DelimitedImport {
    pub fn new(table: NewTable, options: DelimitedOptions) -> DelimitedImport {
        DelimitedImport { table, options, head: Vec::new(), parser: None, invalid_cells: 0, mac_roman_hint: false, batching: false }
    }

    /// Parsing only, into batches (`take_batch`): see `batch.rs`.
    pub fn batches(options: DelimitedOptions) -> DelimitedImport {
        DelimitedImport { batching: true, ..DelimitedImport::new(NewTable::new(String::new()), options) }
    }

    /// The rows encoded since the last call (batch mode).
    pub fn take_batch(&mut self) -> Vec<u8> {
        self.parser.as_mut().and_then(|p| p.rows.batch.as_mut()).map(BatchWriter::take).unwrap_or_default()
    }

    /// `push` in batch mode.
    pub fn push_parsed(&mut self, chunk: &[u8]) -> Result<()> {
        self.push_to(None, chunk)
    }

    pub fn rows(&self) -> u64 {
        self.table.rows
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, conn: &Connection, chunk: &[u8]) -> Result<()> {
        self.push_to(Some(conn), chunk)
    }

    fn push_to(&mut self, conn: Option<&Connection>, chunk: &[u8]) -> Result<()> {
        if self.parser.is_none() {
            self.head.extend_from_slice(chunk);
            if self.head.len() < SNIFF_BYTES {
                return Ok(());
            }
            let head = std::mem::take(&mut self.head);
            self.start(&head, false)?;
            return self.feed(conn, &head, false);
        }
        self.feed(conn, chunk, false)
    }

    /// The file has ended: parses what is left and settles column types.
    pub fn finish(mut self, conn: &Connection) -> Result<ImportedTable> {
        let warnings = self.finish_rows(Some(conn))?;
        let Some(parser) = self.parser.take() else { return Err(not_started()) };
        finish_table(conn, &self.table, &parser.rows.columns)?;
        Ok(ImportedTable { name: self.table.name, rows: self.table.rows, warnings })
    }

    /// `finish` in batch mode: parses what is left; the warnings.
    pub fn finish_parsing(&mut self) -> Result<Vec<String>> {
        self.finish_rows(None)
    }

    fn finish_rows(&mut self, conn: Option<&Connection>) -> Result<Vec<String>> {
        if self.parser.is_none() {
            let head = std::mem::take(&mut self.head);
            self.start(&head, true)?;
            self.feed(conn, &head, false)?;
        }
        self.feed(conn, &[], true)?;
        let Some(parser) = self.parser.as_ref() else { return Err(not_started()) };
        if !parser.rows.header_seen {
            return Err(Error::new(ErrorKind::BadRequest, "the file is empty: there is not even a header row"));
        }
        let mut warnings = Vec::new();
        if self.invalid_cells > 0 {
            warnings.push(format!(
                "{} cells were not valid {} and had characters replaced (shown as �); \
                 if the text looks wrong, name the file's encoding with ?encoding=",
                self.invalid_cells,
                parser.text.encoding.name()
            ));
        }
        if self.mac_roman_hint {
            warnings.push(
                "the file was read as Windows-1252, but some letters look wrong for it (such as \"CafŽ\"); \
                 if it came from an old Mac, add &encoding=macintosh to the address"
                    .to_string(),
            );
        }
        Ok(warnings)
    }

    fn start(&mut self, head: &[u8], complete: bool) -> Result<()> {
        super::refuse_html(head, "CSV")?;
        let sample = &head[..head.len().min(SNIFF_BYTES)];
        let encoding = self.options.encoding.unwrap_or_else(|| sniff_encoding(sample, complete));
        self.mac_roman_hint = self.options.encoding.is_none() && encoding == encoding_rs::WINDOWS_1252 && looks_like_mac_roman(sample);
        let delimiter = match self.options.delimiter {
            Some(d) => d,
            None => {
                let mut sample = String::new();
                let text = TextStream::new(encoding)?.decode(head, complete, &mut sample).to_vec();
                sniff_delimiter(&String::from_utf8_lossy(&text), complete)
            }
        };
        self.parser = Some(Parser {
            text: TextStream::new(encoding)?,
            reader: ReaderBuilder::new().delimiter(delimiter).build(),
            record: vec![0; 4096],
            ends: vec![0; 64],
            record_len: 0,
            ends_len: 0,
            decoded: String::new(),
            lossy_ends: Vec::new(),
            rows: Rows { batch: self.batching.then(BatchWriter::default), ..Rows::default() },
            records: 0,
            record_line: 1,
            record_byte: 0,
            consumed: 0,
            at_record_start: true,
            lines_here: 0,
            delimiter,
            plain_ends: Vec::with_capacity(64),
        });
        Ok(())
    }

    fn feed(&mut self, conn: Option<&Connection>, chunk: &[u8], last: bool) -> Result<()> {
        let Some(parser) = self.parser.as_mut() else { return Err(not_started()) };
        let mut decoded = std::mem::take(&mut parser.decoded);
        let result = parser.parse(conn, &mut self.table, &mut self.invalid_cells, chunk, last, &mut decoded);
        parser.decoded = decoded;
        result
    }
}

/// `feed` before `start`: a bug in the caller, reported rather than a panic.
fn not_started() -> Error {
    Error::new(ErrorKind::BadRequest, "the import was fed before it started")
}

impl Parser {
    fn parse(
        &mut self,
        conn: Option<&Connection>,
        table: &mut NewTable,
        invalid_cells: &mut u64,
        chunk: &[u8],
        last: bool,
        decoded: &mut String,
    ) -> Result<()> {
        let mut input = self.text.decode(chunk, last, decoded);
        // Held across rows; dropped and made again only when a long row
        // adds columns.
        let mut insert: Option<RowInsert<'_>> = None;
        loop {
            if self.at_record_start {
                // Line ends before a record (the LF of a CRLF, empty lines)
                // are skipped, as csv-core would, and counted, so the record
                // starts on the line it is on.
                while let Some(skip) = line_end(input) {
                    input = &input[skip..];
                    self.consumed += skip as u64;
                    self.lines_here += 1;
                }
                self.record_line = self.reader.line() + self.lines_here;
                self.record_byte = self.consumed;
                // Most lines have no quotes: split where the delimiters
                // are, without csv-core's byte-at-a-time machine.
                if let Some((len, taken)) = plain_line(input, self.delimiter, &mut self.plain_ends) {
                    let line = &input[..len];
                    input = &input[taken..];
                    self.consumed += taken as u64;
                    self.lines_here += 1;
                    self.record_read(conn, table, invalid_cells, &mut insert, Some(line))?;
                    continue;
                }
            }
            let parser = &mut *self;
            parser.at_record_start = false;
            let (result, nin, nout, nend) =
                parser.reader.read_record(input, &mut parser.record[parser.record_len..], &mut parser.ends[parser.ends_len..]);
            input = &input[nin..];
            parser.consumed += nin as u64;
            parser.record_len += nout;
            parser.ends_len += nend;
            match result {
                ReadRecordResult::InputEmpty => {
                    if input.is_empty() && !last {
                        return Ok(());
                    }
                }
                ReadRecordResult::OutputFull => {
                    let n = parser.record.len() * 2;
                    parser.record.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = parser.ends.len() * 2;
                    parser.ends.resize(n, 0);
                }
                ReadRecordResult::Record => self.record_read(conn, table, invalid_cells, &mut insert, None)?,
                ReadRecordResult::End => return Ok(()),
            }
        }
    }

    /// A record was read into `record` and `ends`: it is handled, and the
    /// next one starts.
    fn record_read<'c>(
        &mut self,
        conn: Option<&'c Connection>,
        table: &mut NewTable,
        invalid_cells: &mut u64,
        insert: &mut Option<RowInsert<'c>>,
        plain: Option<&[u8]>,
    ) -> Result<()> {
        let position = Position { unit: PositionUnit::Record, number: self.records + 1, line: self.record_line, byte: self.record_byte };
        if let Err(e) = self.record_done(conn, table, invalid_cells, insert, position, plain) {
            return Err(e.at(position));
        }
        self.records += 1;
        self.record_line = self.reader.line() + self.lines_here;
        self.record_byte = self.consumed;
        self.at_record_start = true;
        Ok(())
    }

    /// Handles one complete record: the header, or a row to insert.
    fn record_done<'c>(
        &mut self,
        conn: Option<&'c Connection>,
        table: &mut NewTable,
        invalid_cells: &mut u64,
        insert: &mut Option<RowInsert<'c>>,
        position: Position,
        plain: Option<&[u8]>,
    ) -> Result<()> {
        let parser = &mut *self;
        // A plain line is its own text, cut at its delimiters (`gap` 1);
        // csv-core's record has the fields end to end (`gap` 0).
        let (record, ends, gap) = match plain {
            Some(line) => (line, &parser.plain_ends[..], 1),
            None => (&parser.record[..parser.record_len], &parser.ends[..parser.ends_len], 0),
        };
        // One UTF-8 check per record; fields of a valid record are valid
        // when every field end falls on a character boundary (always, when
        // they end at an ASCII delimiter).
        let text = match std::str::from_utf8(record) {
            Ok(text) if gap == 1 || ends.iter().all(|&e| text.is_char_boundary(e)) => std::borrow::Cow::Borrowed(text),
            _ => {
                *invalid_cells += 1;
                std::borrow::Cow::Owned(lossy_fields(record, ends, gap, &mut parser.lossy_ends))
            }
        };
        let fields = match &text {
            std::borrow::Cow::Owned(text) => Fields { text, ends: &parser.lossy_ends, gap: 0 },
            std::borrow::Cow::Borrowed(text) => Fields { text, ends, gap },
        };
        if !parser.rows.header_seen {
            parser.rows.header(conn, table, &fields)?;
        } else if fields.len() == 1 && !fields.get(0).is_empty() && fields.get(0).chars().all(|c| c == '\u{feff}') {
            // A line that is only a byte-order mark (files joined end to
            // end, or a BOM written at the end) is not a row.
        } else {
            parser.rows.insert(conn, table, insert, &fields, position)?;
        }
        let parser = &mut *self;
        parser.record_len = 0;
        parser.ends_len = 0;
        Ok(())
    }
}

/// The length of a line end at the start of `input` (`\n` or `\r\n`).
fn line_end(input: &[u8]) -> Option<usize> {
    match input {
        [b'\n', ..] => Some(1),
        [b'\r', b'\n', ..] => Some(2),
        _ => None,
    }
}

/// The line at the start of `input`, when csv-core would read it as plain
/// fields cut at `delimiter`: it ends in `\n` (or `\r\n`) within `input`
/// and holds no quote and no other `\r` (which csv-core takes for a line
/// end). Returns its length (without the line end) and the bytes it takes
/// with it, and leaves in `ends` where each field ends (a delimiter's
/// position, then the line's length). One pass, a byte at a time: fields
/// are short, so this beats a search per delimiter. Anything else is left
/// to csv-core.
fn plain_line(input: &[u8], delimiter: u8, ends: &mut Vec<usize>) -> Option<(usize, usize)> {
    ends.clear();
    for (i, &byte) in input.iter().enumerate() {
        if byte == delimiter {
            ends.push(i);
        } else if byte == b'\n' {
            let len = if i > 0 && input[i - 1] == b'\r' { i - 1 } else { i };
            ends.push(len);
            return Some((len, i + 1));
        } else if byte == b'"' || (byte == b'\r' && input.get(i + 1) != Some(&b'\n')) {
            return None;
        }
    }
    None
}

/// The fields of one record: `text` cut at `ends`.
struct Fields<'a> {
    text: &'a str,
    ends: &'a [usize],
    /// Bytes between one field's end and the next one's start: 0 for
    /// csv-core's records, 1 (the delimiter) for plain lines.
    gap: usize,
}

impl Fields<'_> {
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`; past the last, an empty one (a short row).
    fn get(&self, i: usize) -> &str {
        match self.ends.get(i) {
            Some(&end) => &self.text[if i == 0 { 0 } else { self.ends[i - 1] + self.gap }..end],
            None => "",
        }
    }
}

/// Where records go: the header names the table's columns, each later
/// record is inserted as a row, and every cell votes on its column's type.
#[derive(Default)]
struct Rows {
    header_seen: bool,
    /// The table's columns and their type votes.
    columns: Vec<(String, ColumnVote)>,
    /// The same names, for naming columns that long rows add.
    names: ColumnNames,
    insert_sql: String,
    /// In batch mode, where rows go instead of the table.
    batch: Option<BatchWriter>,
}

impl Rows {
    fn header(&mut self, conn: Option<&Connection>, table: &mut NewTable, fields: &Fields<'_>) -> Result<()> {
        self.header_seen = true;
        let header: Vec<String> = (0..fields.len()).map(|i| clean_header(i, fields.get(i))).collect();
        self.names = ColumnNames::from_header(header.iter().map(String::as_str))?;
        self.columns = self.names.names().iter().map(|n| (n.clone(), ColumnVote::default())).collect();
        match (&mut self.batch, conn) {
            (Some(batch), _) => batch.header(self.names.names()),
            (None, Some(conn)) => table.create(conn, self.columns.iter().map(|(n, _)| n.as_str()))?,
            (None, None) => return Err(not_started()),
        }
        self.insert_sql = table.insert_sql(self.columns.len());
        Ok(())
    }

    /// Inserts one row with `insert` (prepared here when missing, and made
    /// again when a long row adds columns), or in batch mode encodes it.
    fn insert<'c>(
        &mut self,
        conn: Option<&'c Connection>,
        table: &mut NewTable,
        insert: &mut Option<RowInsert<'c>>,
        fields: &Fields<'_>,
        position: Position,
    ) -> Result<()> {
        if fields.len() > self.columns.len() {
            // A long row: its extra cells get columns of their own.
            *insert = None;
            check_width(fields.len())?;
            let mut added = Vec::new();
            for index in self.columns.len()..fields.len() {
                let name = self.names.add("", index);
                if self.batch.is_none() {
                    table.add_column(conn.ok_or_else(not_started)?, &name)?;
                }
                self.columns.push((name.clone(), ColumnVote::default()));
                added.push(name);
            }
            if let Some(batch) = &mut self.batch {
                batch.widen(&added);
            }
            self.insert_sql = table.insert_sql(self.columns.len());
        }
        if let Some(batch) = &mut self.batch {
            // Classified here, voted on and inserted by `BatchImport`.
            batch.row_start(position, self.columns.len());
            for i in 0..self.columns.len() {
                let cell = fields.get(i);
                let (_, shape, as_real) = classify(cell);
                batch.cell(cell, shape, as_real);
            }
            table.rows += 1;
            return Ok(());
        }
        let stmt = match insert {
            Some(stmt) => stmt,
            None => insert.insert(RowInsert::new(conn.ok_or_else(not_started)?, &self.insert_sql, self.columns.len())?),
        };
        let cells = self.columns.iter_mut().enumerate().map(|(i, (_, vote))| {
            let cell = fields.get(i);
            let (value, shape, as_real) = classify(cell);
            vote.add(shape, as_real);
            value
        });
        stmt.execute(cells)?;
        table.rows += 1;
        Ok(())
    }
}

/// A cell as it is stored while rows go in: integers and canonical reals
/// as numbers, the rest as the text itself (`finish_table` settles the
/// rest); its shape and whether a real went in as REAL, for the vote.
fn classify(cell: &str) -> (ValueRef<'_>, Shape, bool) {
    let shape = shape(cell);
    match shape {
        Shape::Empty => (ValueRef::Null, shape, false),
        Shape::Integer(n) => (ValueRef::Integer(n), shape, false),
        Shape::Real(r) if canonical_real(cell) => (ValueRef::Real(r), shape, true),
        Shape::Real(_) | Shape::Text => (ValueRef::Text(cell.as_bytes()), shape, false),
    }
}

/// A header name without what never belongs in one: byte-order marks
/// (also inside quotes: `"\u{feff}SALLE"`) and, before the first name,
/// U+0A0D, which is what a stray single-byte CR LF after a UTF-16LE BOM
/// decodes to (a code point with no character assigned).
fn clean_header(index: usize, raw: &str) -> String {
    let name = raw.replace('\u{feff}', "");
    match name.strip_prefix('\u{0a0d}') {
        Some(rest) if index == 0 => rest.to_string(),
        _ => name,
    }
}

/// A record with bytes that are not UTF-8: each field decoded on its own,
/// bad bytes replaced, and `ends` rewritten for the new text (fields end
/// to end).
fn lossy_fields(record: &[u8], ends: &[usize], gap: usize, new_ends: &mut Vec<usize>) -> String {
    let mut text = String::with_capacity(record.len() + 8);
    new_ends.clear();
    let mut start = 0;
    for &end in ends {
        text.push_str(&String::from_utf8_lossy(&record[start..end]));
        new_ends.push(text.len());
        start = end + gap;
    }
    text
}

/// What an import made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTable {
    pub name: String,
    pub rows: u64,
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed() {
        let cases = [
            ("a,b,c\n1,2,3\n", b','),
            ("a;b;c\n1;2,5;3\n", b';'),
            ("a\tb\n1\t2\n", b'\t'),
            ("a|b|c\n1|2|3\n", b'|'),
            ("name,quote\nx,\"a;b;c;d\"\n", b','),
            ("DEPCOM;COM;PMUN\n01001;L' Abergement;776\n", b';'),
            ("single\n1\n2\n", b','),
        ];
        for (sample, expected) in cases {
            assert_eq!(sniff_delimiter(sample, true) as char, expected as char, "{sample:?}");
        }
    }

    #[test]
    fn delimiter_names() {
        assert_eq!(delimiter_for_name("semicolon"), Some(b';'));
        assert_eq!(delimiter_for_name("TAB"), Some(b'\t'));
        assert_eq!(delimiter_for_name("|"), Some(b'|'));
        assert_eq!(delimiter_for_name("banana"), None);
    }
}
