//! Pieces the pages share: the results table and its cells, the filter bar,
//! facets, export links, the load list, error boxes, the share dialog,
//! counting rows on request, column summaries, copy buttons, query
//! history.

pub mod cell;
pub mod chart;
pub mod copy;
pub mod count_rows;
pub mod database_actions;
pub mod error_box;
pub mod export;
pub mod facets;
pub mod filters;
pub mod load_list;
pub mod make_searchable;
pub mod query_history;
pub mod results_table;
pub mod share;
pub mod summaries;
