//! The engine's one error type: a kind to branch on (the protocol's own
//! `ErrorKind`, so the UI sees the engine's kinds as they are) and a
//! message for a person.

pub use protocol::ErrorKind;
use protocol::ErrorReport;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
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
        ErrorReport { kind: self.kind, message: self.message.clone() }
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
