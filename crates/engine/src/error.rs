//! The engine's one error type: a kind to branch on (the protocol's own
//! `ErrorKind`, so the UI sees the engine's kinds as they are) and a
//! message for a person.

use protocol::ErrorReport;
pub use protocol::{ErrorKind, Position, PositionUnit};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    position: Option<Position>,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.position {
            Some(position) => write!(f, "{position}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), position: None }
    }

    /// The same error, said to be at `position` of the file being imported.
    pub fn at(self, position: Position) -> Error {
        Error { position: Some(position), ..self }
    }

    pub fn position(&self) -> Option<Position> {
        self.position
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn to_report(&self) -> ErrorReport {
        ErrorReport { kind: self.kind, message: self.message.clone(), position: self.position }
    }
}

impl From<rusqlite::Error> for Error {
    /// SQLite's own words are kept: users paste them into search engines.
    fn from(e: rusqlite::Error) -> Error {
        use rusqlite::ffi::ErrorCode;
        if e.sqlite_error_code() == Some(ErrorCode::SystemIoFailure) {
            if let Some(why) = crate::lazy::take_read_error() {
                return crate::lazy::read_error(&why);
            }
        }
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
        Error { kind, message, position: None }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
