//! The explorer's engine: everything it does with data, in plain Rust on
//! rusqlite. It knows nothing of the DOM or of workers: the worker crate
//! feeds it bytes and requests and posts back what it returns. Natively it
//! runs on bundled SQLite, which is how it is tested.

mod error;
mod open;
mod query;
mod schema;
pub mod source;
mod sql;
mod table_page;
mod time_limit;

pub use error::{Error, ErrorKind, Result};
pub use open::{check_header, harden, open_empty, open_image, SQLITE_HEADER};
pub use query::run_query;
pub use schema::{read_schema, COUNT_TIME_LIMIT_MS};
pub use sql::quote_ident;
pub use table_page::table_page;
pub use time_limit::{with_time_limit, Clock};
#[cfg(not(target_arch = "wasm32"))]
pub use time_limit::native_clock;

use protocol::{DatabaseSchema, QueryRequest, QueryResult, TablePage, TablePageRequest};
use rusqlite::Connection;

/// An open database and where it came from.
struct Database {
    name: String,
    source: String,
    conn: Connection,
}

/// The set of open databases, by name, in the order they were opened.
///
/// Invariant: names are unique; a name is reserved when a load starts (so
/// `?url=a/x.db&url=b/x.db` gives `x` and `x_2` in URL order whatever
/// finishes first) and released if the load fails.
pub struct Engine {
    clock: Clock,
    databases: Vec<Database>,
    reserved: Vec<String>,
}

impl Engine {
    pub fn new(clock: Clock) -> Engine {
        Engine { clock, databases: Vec::new(), reserved: Vec::new() }
    }

    /// Picks and holds a unique database name for `source`.
    pub fn reserve_name(&mut self, source: &str) -> String {
        let base = source::name_from_source(source);
        let name = source::unique_name(&base, |n| self.is_taken(n));
        self.reserved.push(name.clone());
        name
    }

    pub fn release_name(&mut self, name: &str) {
        self.reserved.retain(|n| n != name);
    }

    fn is_taken(&self, name: &str) -> bool {
        self.reserved.iter().any(|n| n == name) || self.databases.iter().any(|d| d.name == name)
    }

    /// Opens `bytes` under a name reserved with `reserve_name`. On failure
    /// the name is released and nothing else changes.
    pub fn open(&mut self, name: &str, source: &str, bytes: &[u8]) -> Result<DatabaseSchema> {
        let opened = open_image(bytes).and_then(|mut conn| {
            let schema = read_schema(&mut conn, self.clock, name, source)?;
            Ok((conn, schema))
        });
        self.release_name(name);
        let (conn, schema) = opened?;
        self.databases.push(Database { name: name.into(), source: source.into(), conn });
        Ok(schema)
    }

    pub fn names(&self) -> Vec<String> {
        self.databases.iter().map(|d| d.name.clone()).collect()
    }

    fn database(&mut self, name: &str) -> Result<&mut Database> {
        self.databases
            .iter_mut()
            .find(|d| d.name == name)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("There is no database named {name:?}.")))
    }

    pub fn schema(&mut self, db: &str) -> Result<DatabaseSchema> {
        let clock = self.clock;
        let d = self.database(db)?;
        read_schema(&mut d.conn, clock, &d.name, &d.source)
    }

    pub fn table_page(&mut self, req: &TablePageRequest) -> Result<TablePage> {
        let clock = self.clock;
        table_page(&mut self.database(&req.db)?.conn, clock, req)
    }

    pub fn query(&mut self, req: &QueryRequest) -> Result<QueryResult> {
        let clock = self.clock;
        run_query(&mut self.database(&req.db)?.conn, clock, &req.sql, req.time_limit_ms, req.max_rows)
    }
}
