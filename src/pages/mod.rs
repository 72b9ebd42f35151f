//! One module per page, as in Datasette: home (index), database, table, query;
//! and compare, for two tables.

pub mod about;
pub mod compare;
pub mod data_view;
pub mod database;
pub mod home;
pub mod query;
pub mod row;
pub mod table;
