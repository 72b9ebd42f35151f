//! Custom hooks the pages share (as in Yew's own examples).

mod use_sql_editor;
mod use_worker_call;

pub use use_sql_editor::use_sql_editor;
pub use use_worker_call::{use_worker_call, CallHandle, CallState};
