//! "Count rows", where a count was left out because it would read the whole
//! table from the server (a lazy database): counted when the user asks,
//! in place. A count of a whole table goes into the schema in the state,
//! so the database page and the table page both show it from then on.

use protocol::MAX_USER_TIME_LIMIT_MS;
use yew::prelude::*;

use crate::format;
use crate::pages::table::request_for;
use crate::route::TableParams;
use crate::state::{Action, AppState};
use crate::worker_client::WorkerClient;

#[derive(Properties, PartialEq)]
pub struct CountRowsProps {
    pub db: String,
    pub table: String,
    /// The view whose rows are counted (its filters and search).
    #[prop_or_default]
    pub params: TableParams,
}

#[derive(Clone, PartialEq)]
enum Counting {
    Idle,
    Running,
    Done(u64),
    Failed(String),
}

#[function_component(CountRows)]
pub fn count_rows(props: &CountRowsProps) -> Html {
    let client = use_context::<WorkerClient>().expect("worker context");
    let state = use_context::<UseReducerHandle<AppState>>().expect("state context");
    let counting = use_state(|| Counting::Idle);
    {
        // Another view: its count is another one.
        let counting = counting.clone();
        use_effect_with((props.db.clone(), props.table.clone(), props.params.first_page()), move |_| counting.set(Counting::Idle));
    }
    let start = {
        let (counting, dispatch) = (counting.clone(), state.dispatcher());
        let (db, table) = (props.db.clone(), props.table.clone());
        let params = props.params.first_page();
        Callback::from(move |_| {
            let mut request = match request_for(&db, &table, &params) {
                Ok(request) => request,
                Err(e) => return counting.set(Counting::Failed(e.message)),
            };
            // The user asked and can wait: the longest limit a user may set.
            request.time_limit_ms = MAX_USER_TIME_LIMIT_MS;
            let whole_table = request.filters.is_empty() && request.search.is_none();
            let (client, counting, dispatch) = (client.clone(), counting.clone(), dispatch.clone());
            counting.set(Counting::Running);
            wasm_bindgen_futures::spawn_local(async move {
                match client.count_rows(request.clone()).await {
                    Ok(n) => {
                        if whole_table {
                            dispatch.dispatch(Action::RowCounts { db: request.db, counts: vec![(request.table, Some(n))] });
                        }
                        counting.set(Counting::Done(n));
                    }
                    Err(e) => counting.set(Counting::Failed(e.message)),
                }
            });
        })
    };
    match &*counting {
        Counting::Idle => html! { <button class="link count-rows" onclick={start}>{ "count them" }</button> },
        Counting::Running => html! { <span class="count-rows muted">{ "counting… (reading the table from its server)" }</span> },
        Counting::Done(n) => html! { <span class="count-rows counted">{ format::rows(*n) }</span> },
        Counting::Failed(message) => html! { <span class="count-rows error">{ format!("Could not count: {message}") }</span> },
    }
}
