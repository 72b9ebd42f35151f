//! Background work, cut into steps that yield to requests: what the user
//! asks for (a sort, a page, a query) is handled between any two steps, so
//! it never waits behind work nobody is looking at. Each step is one short
//! engine call (one check of one column for suggested facets); tasks take
//! turns, one step each. A task whose view is gone is dropped when the UI
//! cancels its request.
//!
//! Steps are posted with `scheduler.postTask` at background priority where
//! the browser has it (messages from the page then come first), else with
//! `setTimeout(0)`.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use engine::facets::FacetSuggestions;
use js_sys::{Function, Object, Reflect};
use protocol::ResponseBody;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::worker::{post, STATE};

/// A piece of background work, and what it needs between steps.
pub enum Task {
    /// Suggested facets for a table view in database `db`.
    SuggestFacets { db: String, suggestions: FacetSuggestions },
    /// Row counts of `tables` of database `db`, a table a step.
    CountRows { db: String, tables: VecDeque<String>, counts: Vec<(String, Option<u64>)> },
    /// Column summaries in database `db`, a column a step; kept under
    /// `key` once made.
    Summarize { db: String, key: Vec<u8>, summarizer: engine::summaries::Summarizer },
}

impl Task {
    /// Runs one step; the final reply when the task is done.
    fn step(&mut self) -> Option<ResponseBody> {
        match self {
            Task::SuggestFacets { db, suggestions } => {
                let more = STATE.with_borrow_mut(|s| s.engine.suggest_facets_step(db, suggestions));
                (!more).then(|| ResponseBody::SuggestedFacets(suggestions.found()))
            }
            Task::CountRows { db, tables, counts } => {
                if let Some(table) = tables.pop_front() {
                    let count = STATE.with_borrow_mut(|s| s.engine.count_rows(db, &table));
                    counts.push((table, count));
                }
                tables.is_empty().then(|| ResponseBody::RowCounts { db: db.clone(), counts: std::mem::take(counts) })
            }
            Task::Summarize { db, key, summarizer } => {
                let more = STATE.with_borrow_mut(|s| s.engine.summary_step(db, summarizer));
                (!more).then(|| {
                    let found = summarizer.found();
                    STATE.with_borrow_mut(|s| s.summaries.entry(db.clone()).or_default().insert(std::mem::take(key), found.clone()));
                    ResponseBody::Summaries(found)
                })
            }
        }
    }
}

thread_local! {
    static TASKS: RefCell<VecDeque<(u32, Task)>> = const { RefCell::new(VecDeque::new()) };
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
}

/// Starts `task` for request `id`; its final reply goes to `id`.
pub fn add(id: u32, task: Task) {
    TASKS.with_borrow_mut(|tasks| tasks.push_back((id, task)));
    schedule();
}

/// Counts, in the background, the tables of `db` that its last schema had
/// no time to count; the counts go out with id 0 (`RowCounts`).
pub fn count_rows_later(db: &str) {
    let tables: VecDeque<String> = STATE.with_borrow_mut(|s| s.engine.take_uncounted(db)).into();
    if !tables.is_empty() {
        add(0, Task::CountRows { db: db.to_string(), tables, counts: Vec::new() });
    }
}

/// Drops the task of request `id`, if it is still running.
pub fn cancel(id: u32) -> bool {
    TASKS.with_borrow_mut(|tasks| {
        let before = tasks.len();
        tasks.retain(|(task_id, _)| *task_id != id);
        before != tasks.len()
    })
}

fn schedule() {
    if SCHEDULED.get() || TASKS.with_borrow(|tasks| tasks.is_empty()) {
        return;
    }
    SCHEDULED.set(true);
    let run = Closure::once_into_js(run_one_step);
    let run: &Function = run.unchecked_ref();
    let global = js_sys::global();
    let scheduler = Reflect::get(&global, &"scheduler".into()).ok().filter(|s| !s.is_undefined());
    let post_task = scheduler.as_ref().and_then(|s| Reflect::get(s, &"postTask".into()).ok()).and_then(|f| f.dyn_into::<Function>().ok());
    if let (Some(scheduler), Some(post_task)) = (scheduler, post_task) {
        let options = Object::new();
        let _ = Reflect::set(&options, &"priority".into(), &"background".into());
        if post_task.call2(&scheduler, run, &options).is_ok() {
            return;
        }
    }
    let set_timeout = Reflect::get(&global, &"setTimeout".into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    match set_timeout {
        Some(set_timeout) => {
            let _ = set_timeout.call2(&global, run, &JsValue::from(0));
        }
        // No way to come back later: not a browser worker.
        None => SCHEDULED.set(false),
    }
}

/// Runs one step of the task whose turn it is, then lets the others (and
/// any request that arrived) go next.
fn run_one_step() {
    SCHEDULED.set(false);
    let Some((id, mut task)) = TASKS.with_borrow_mut(|tasks| tasks.pop_front()) else { return };
    match task.step() {
        Some(reply) => post(id, reply),
        None => TASKS.with_borrow_mut(|tasks| tasks.push_back((id, task))),
    }
    schedule();
}
