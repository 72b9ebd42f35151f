use protocol::{ErrorKind as ReportKind, ErrorReport};

/// The engine's error: a kind to branch on, and a message for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The bytes are not an SQLite database (HTML, CSV, empty...).
    NotADatabase,
    /// The bytes start like SQLite but the file is damaged.
    Corrupt,
    /// A statement ran past its time limit and was interrupted.
    TimeLimit,
    /// SQLite rejected the SQL.
    Sql,
    /// No such database, table or column.
    NotFound,
    /// A request that makes no sense (a cursor that does not fit the table...).
    BadRequest,
    /// SQL from a link that would change data: it runs only when asked.
    NeedsConfirmation,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into() }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn to_report(&self) -> ErrorReport {
        let kind = match self.kind {
            ErrorKind::NotADatabase => ReportKind::NotADatabase,
            ErrorKind::Corrupt => ReportKind::Corrupt,
            ErrorKind::TimeLimit => ReportKind::TimeLimit,
            ErrorKind::Sql => ReportKind::Sql,
            ErrorKind::NotFound => ReportKind::NotFound,
            ErrorKind::BadRequest => ReportKind::BadRequest,
            ErrorKind::NeedsConfirmation => ReportKind::NeedsConfirmation,
        };
        ErrorReport { kind, message: self.message.clone() }
    }
}

impl From<rusqlite::Error> for Error {
    /// SQLite's own words are kept: users paste them into search engines.
    fn from(e: rusqlite::Error) -> Error {
        use rusqlite::ffi::ErrorCode;
        let kind = match e.sqlite_error_code() {
            Some(ErrorCode::OperationInterrupted) => ErrorKind::TimeLimit,
            Some(ErrorCode::DatabaseCorrupt) => ErrorKind::Corrupt,
            Some(ErrorCode::NotADatabase) => ErrorKind::NotADatabase,
            _ => ErrorKind::Sql,
        };
        let message = match &e {
            rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
            rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
            other => other.to_string(),
        };
        Error { kind, message }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
