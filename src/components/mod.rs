pub mod error_box;
pub mod load_list;
pub mod results_table;
