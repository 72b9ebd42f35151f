//! Starting loads: a URL or a local file becomes a worker request whose
//! replies are folded into the app state.

use protocol::{RequestBody, ResponseBody};
use yew::{Callback, UseReducerDispatcher};

use crate::state::{Action, AppState};
use crate::worker_client::WorkerClient;

fn on_reply(dispatch: UseReducerDispatcher<AppState>, request_id: std::rc::Rc<std::cell::Cell<u32>>) -> Callback<ResponseBody> {
    Callback::from(move |body: ResponseBody| {
        let request_id = request_id.get();
        dispatch.dispatch(match body {
            ResponseBody::Progress { loaded, total } => Action::Progress { request_id, loaded, total },
            ResponseBody::Opened(schema) => Action::Loaded { request_id, schema },
            ResponseBody::Cancelled => Action::Cancelled { request_id },
            ResponseBody::Error(error) => Action::LoadFailed { request_id, error },
            other => Action::LoadFailed {
                request_id,
                error: protocol::ErrorReport {
                    kind: protocol::ErrorKind::Other,
                    message: format!("unexpected reply from the worker: {other:?}"),
                },
            },
        })
    })
}

/// Loads the database at `url` (absolute), showing it as `label`.
pub fn load_url(client: &WorkerClient, dispatch: &UseReducerDispatcher<AppState>, label: String, url: String) {
    // The id is only known once sent; replies cannot arrive before then.
    let id_cell = std::rc::Rc::new(std::cell::Cell::new(0));
    let request_id = client.stream(RequestBody::OpenUrl { url }, on_reply(dispatch.clone(), id_cell.clone()));
    id_cell.set(request_id);
    dispatch.dispatch(Action::LoadStarted { request_id, label });
}

/// Loads a database from bytes the user picked.
pub fn load_bytes(client: &WorkerClient, dispatch: &UseReducerDispatcher<AppState>, file_name: String, bytes: Vec<u8>) {
    let id_cell = std::rc::Rc::new(std::cell::Cell::new(0));
    let label = file_name.clone();
    let request_id = client.stream(RequestBody::OpenBytes { file_name, bytes }, on_reply(dispatch.clone(), id_cell.clone()));
    id_cell.set(request_id);
    dispatch.dispatch(Action::LoadStarted { request_id, label });
}
