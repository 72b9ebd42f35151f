pub mod cell;
pub mod error_box;
pub mod export;
pub mod facets;
pub mod filters;
pub mod load_list;
pub mod results_table;
pub mod share;
