//! A failure shown the same way everywhere: a headline by kind, then the
//! words of whoever knows best.

use protocol::{ErrorKind, ErrorReport, Position};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ErrorBoxProps {
    pub error: ErrorReport,
}

/// A failure, in the words of whoever knows best (SQLite, the server, the
/// loader), with a headline that says what kind of failure it is.
#[function_component(ErrorBox)]
pub fn error_box(props: &ErrorBoxProps) -> Html {
    let headline = match props.error.kind {
        ErrorKind::Unreachable => "Could not download",
        ErrorKind::Offline => "You are offline",
        ErrorKind::Cors => "Blocked by the browser (CORS)",
        ErrorKind::HttpStatus => "The server refused",
        ErrorKind::NotADatabase => "Not an SQLite database",
        ErrorKind::Corrupt => "Damaged database",
        ErrorKind::TimeLimit => "Query took too long",
        ErrorKind::Sql => "SQL error",
        ErrorKind::NotFound => "Not found",
        ErrorKind::BadRequest => "Bad request",
        ErrorKind::NeedsConfirmation => "Not run: this would change data",
        ErrorKind::WorkerRestarted => "The data worker was restarted",
        ErrorKind::Unreadable => "Could not read the file",
        ErrorKind::Other => "Something went wrong",
    };
    html! {
        <div class="error" role="alert" data-kind={format!("{:?}", props.error.kind)}>
            <strong>{ headline }</strong>
            if let Some(position) = &props.error.position {
                <p class="position">{ position_words(position) }</p>
            }
            <p>{ &props.error.message }</p>
        </div>
    }
}

/// "At statement 3, line 14 (byte 5,120)".
fn position_words(position: &Position) -> String {
    format!(
        "At {} {}, line {} (byte {})",
        position.unit.name(),
        crate::format::thousands(position.number),
        crate::format::thousands(position.line),
        crate::format::thousands(position.byte)
    )
}
