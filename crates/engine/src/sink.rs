//! `RowSink`: where rows streamed out of a statement go (ripgrep's `Sink`
//! is the model). A statement's runner tells a sink its columns once, then
//! each row until the sink says stop, then that it has ended; the sink
//! decides what to keep (a capped result, an export's pieces).

use protocol::Cell;

use crate::error::Result;

pub trait RowSink {
    /// The columns, once, before any row.
    fn begin(&mut self, columns: &[String]) -> Result<()>;
    /// One row; `Ok(false)` stops the statement (the rest are not read).
    fn row(&mut self, row: Vec<Cell>) -> Result<bool>;
    /// The statement ended, whether or not the sink stopped it.
    fn finish(&mut self) -> Result<()>;
}

/// Passes on at most `left` rows, then stops the statement.
pub struct Take<'a, S: RowSink> {
    pub inner: &'a mut S,
    pub left: u64,
}

impl<S: RowSink> RowSink for Take<'_, S> {
    fn begin(&mut self, columns: &[String]) -> Result<()> {
        self.inner.begin(columns)
    }

    fn row(&mut self, row: Vec<Cell>) -> Result<bool> {
        if self.left == 0 {
            return Ok(false);
        }
        self.left -= 1;
        self.inner.row(row)
    }

    fn finish(&mut self) -> Result<()> {
        self.inner.finish()
    }
}
