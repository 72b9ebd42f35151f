//! `use_worker_call`: a view's one way to ask the worker for what it shows.
//! It calls again whenever its inputs change. A call that was superseded
//! (the user moved on), cancelled or whose view is gone is dropped, which
//! tells the worker to drop it too (background work stops), and its reply,
//! if one still comes, is never shown. While a call is out, the last
//! outcome stays available, so a view can keep it on screen, dimmed.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use futures::future::{abortable, AbortHandle};
use protocol::ErrorReport;
use yew::prelude::*;

use crate::worker_client::{Reply, WorkerClient};

/// Where a call stands.
#[derive(Debug, PartialEq)]
pub enum CallState<T> {
    /// The call is out; `previous` is the last call's value, if it had one.
    Waiting {
        previous: Option<Rc<T>>,
    },
    /// The user stopped waiting (`CallHandle::cancel`).
    Cancelled,
    Done(Rc<T>),
    Failed(ErrorReport),
}

impl<T> Clone for CallState<T> {
    fn clone(&self) -> Self {
        match self {
            CallState::Waiting { previous } => CallState::Waiting { previous: previous.clone() },
            CallState::Cancelled => CallState::Cancelled,
            CallState::Done(value) => CallState::Done(value.clone()),
            CallState::Failed(error) => CallState::Failed(error.clone()),
        }
    }
}

impl<T> CallState<T> {
    pub fn done(&self) -> Option<&Rc<T>> {
        match self {
            CallState::Done(value) => Some(value),
            _ => None,
        }
    }

    /// The value to show: the outcome, or while waiting the previous one.
    pub fn latest(&self) -> Option<&Rc<T>> {
        match self {
            CallState::Done(value) | CallState::Waiting { previous: Some(value) } => Some(value),
            _ => None,
        }
    }
}

/// A view's handle on its call.
pub struct CallHandle<T> {
    state: UseStateHandle<CallState<T>>,
    reruns: UseStateHandle<u32>,
    /// Drops the call that is out (and so tells the worker).
    abort: Rc<RefCell<Option<AbortHandle>>>,
}

impl<T> Clone for CallHandle<T> {
    fn clone(&self) -> Self {
        CallHandle { state: self.state.clone(), reruns: self.reruns.clone(), abort: self.abort.clone() }
    }
}

impl<T> CallHandle<T> {
    pub fn state(&self) -> &CallState<T> {
        &self.state
    }

    /// Stops waiting: the reply, when it comes, is dropped. (The worker's
    /// time limit stops the work itself.)
    pub fn cancel(&self) {
        if let Some(abort) = self.abort.borrow_mut().take() {
            abort.abort();
        }
        self.state.set(CallState::Cancelled);
    }

    /// Calls again with the same inputs.
    pub fn rerun(&self) {
        self.reruns.set(*self.reruns + 1);
    }
}

/// Calls `call(client, inputs)` now and whenever `inputs` change (or on
/// `rerun`), and keeps the latest call's outcome.
#[hook]
pub fn use_worker_call<D, T, F, Fut>(inputs: D, call: F) -> CallHandle<T>
where
    D: PartialEq + Clone + 'static,
    T: 'static,
    F: FnOnce(WorkerClient, D) -> Fut + 'static,
    Fut: Future<Output = Reply<T>> + 'static,
{
    let client = use_context::<WorkerClient>().expect("worker context");
    let state = use_state(|| CallState::Waiting { previous: None });
    let reruns = use_state(|| 0u32);
    let abort = use_mut_ref(|| None::<AbortHandle>);
    {
        let (state, abort) = (state.clone(), abort.clone());
        use_effect_with((inputs, *reruns), move |(inputs, _)| {
            state.set(CallState::Waiting { previous: state.latest().cloned() });
            let (pending, handle) = abortable(call(client, inputs.clone()));
            *abort.borrow_mut() = Some(handle.clone());
            wasm_bindgen_futures::spawn_local(async move {
                // An aborted call (superseded, cancelled, its view gone)
                // ends here, whatever its reply: only the latest is shown.
                let Ok(outcome) = pending.await else { return };
                state.set(match outcome {
                    Ok(value) => CallState::Done(Rc::new(value)),
                    Err(error) => CallState::Failed(error),
                });
            });
            // New inputs or the view gone: the call still out is dropped.
            move || handle.abort()
        });
    }
    CallHandle { state, reruns, abort }
}
