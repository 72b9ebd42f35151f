//! One module per page, as in Datasette: home (index), database, table, query.

pub mod about;
pub mod data_view;
pub mod database;
pub mod home;
pub mod query;
pub mod row;
pub mod table;
