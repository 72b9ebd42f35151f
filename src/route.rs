//! The fragment route: every view has a URL, in Datasette Lite's form, so
//! links people already share keep working.
//!
//! ```text
//! #/                              home: the loaded databases
//! #/DB                            database page
//! #/DB?sql=SELECT…                query page (also `_timelimit`)
//! #/DB/TABLE?_sort=c&_next=…      table page (`_sort_desc`, `_size`)
//! ```
//! Names are percent-encoded in the path, so `/`, `?` and `#` in a table
//! name are safe.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use protocol::SortBy;

/// Characters escaped in a path segment: those with meaning in a fragment
/// route, and space, so a copied link survives chat clients.
const SEGMENT: &AsciiSet = &CONTROLS.add(b' ').add(b'/').add(b'?').add(b'#').add(b'%').add(b'&').add(b'"').add(b'<').add(b'>');

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Database { db: String },
    Table { db: String, table: String, params: TableParams },
    Query { db: String, sql: String, time_limit_ms: Option<u32> },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableParams {
    pub sort: Option<SortBy>,
    /// The `_next` cursor exactly as it appears in the URL.
    pub next: Option<String>,
    pub size: Option<u32>,
    pub time_limit_ms: Option<u32>,
}

impl Route {
    /// Parses `location.hash` (with or without the leading `#`). Anything
    /// unrecognised is the home page rather than an error.
    pub fn parse(hash: &str) -> Route {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let hash = hash.strip_prefix('/').unwrap_or(hash);
        let (path, query) = hash.split_once('?').unwrap_or((hash, ""));
        let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let get = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let time_limit_ms = get("_timelimit").and_then(|v| v.parse().ok());
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        match segments.as_slice() {
            [] => Route::Home,
            [db] => match get("sql") {
                Some(sql) => Route::Query { db: db.clone(), sql, time_limit_ms },
                None => Route::Database { db: db.clone() },
            },
            [db, table, ..] => {
                let sort = match (get("_sort"), get("_sort_desc")) {
                    (_, Some(column)) => Some(SortBy { column, descending: true }),
                    (Some(column), None) => Some(SortBy { column, descending: false }),
                    (None, None) => None,
                };
                Route::Table {
                    db: db.clone(),
                    table: table.clone(),
                    params: TableParams {
                        sort,
                        next: get("_next"),
                        size: get("_size").and_then(|v| v.parse().ok()),
                        time_limit_ms,
                    },
                }
            }
        }
    }

    /// The fragment for this route, starting with `#/`.
    pub fn to_hash(&self) -> String {
        let seg = |s: &str| utf8_percent_encode(s, SEGMENT).to_string();
        match self {
            Route::Home => "#/".into(),
            Route::Database { db } => format!("#/{}", seg(db)),
            Route::Query { db, sql, time_limit_ms } => {
                let mut q = url::form_urlencoded::Serializer::new(String::new());
                q.append_pair("sql", sql);
                if let Some(t) = time_limit_ms {
                    q.append_pair("_timelimit", &t.to_string());
                }
                format!("#/{}?{}", seg(db), q.finish())
            }
            Route::Table { db, table, params } => {
                let mut q = url::form_urlencoded::Serializer::new(String::new());
                match &params.sort {
                    Some(SortBy { column, descending: false }) => {
                        q.append_pair("_sort", column);
                    }
                    Some(SortBy { column, descending: true }) => {
                        q.append_pair("_sort_desc", column);
                    }
                    None => {}
                }
                if let Some(size) = params.size {
                    q.append_pair("_size", &size.to_string());
                }
                if let Some(t) = params.time_limit_ms {
                    q.append_pair("_timelimit", &t.to_string());
                }
                if let Some(next) = &params.next {
                    q.append_pair("_next", next);
                }
                let q = q.finish();
                let base = format!("#/{}/{}", seg(db), seg(table));
                if q.is_empty() { base } else { format!("{base}?{q}") }
            }
        }
    }

    pub fn database(&self) -> Option<&str> {
        match self {
            Route::Home => None,
            Route::Database { db } | Route::Table { db, .. } | Route::Query { db, .. } => Some(db),
        }
    }
}

/// The effective time limit: `?_timelimit=` may lower the default, never raise it.
pub fn time_limit(requested: Option<u32>) -> u32 {
    requested.map_or(protocol::DEFAULT_TIME_LIMIT_MS, |t| t.clamp(1, protocol::DEFAULT_TIME_LIMIT_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(db: &str, table: &str, params: TableParams) -> Route {
        Route::Table { db: db.into(), table: table.into(), params }
    }

    #[test]
    fn datasette_lite_links_parse() {
        let cases = [
            ("", Route::Home),
            ("#/", Route::Home),
            ("#/fixtures", Route::Database { db: "fixtures".into() }),
            ("#/fixtures/", Route::Database { db: "fixtures".into() }),
            (
                "#/fixtures?sql=select+*+from+facetable",
                Route::Query { db: "fixtures".into(), sql: "select * from facetable".into(), time_limit_ms: None },
            ),
            (
                "#/fixtures?sql=select%201&_timelimit=50",
                Route::Query { db: "fixtures".into(), sql: "select 1".into(), time_limit_ms: Some(50) },
            ),
            ("#/fixtures/facetable", table("fixtures", "facetable", TableParams::default())),
            (
                "#/db/my%20table?_sort_desc=name&_next=%5B3%5D&_size=20",
                table(
                    "db",
                    "my table",
                    TableParams {
                        sort: Some(SortBy { column: "name".into(), descending: true }),
                        next: Some("[3]".into()),
                        size: Some(20),
                        time_limit_ms: None,
                    },
                ),
            ),
            (
                "#/db/t?_sort=a",
                table("db", "t", TableParams { sort: Some(SortBy { column: "a".into(), descending: false }), ..Default::default() }),
            ),
        ];
        for (hash, expected) in cases {
            assert_eq!(Route::parse(hash), expected, "{hash}");
        }
    }

    #[test]
    fn routes_survive_formatting() {
        let routes = [
            Route::Home,
            Route::Database { db: "a/b?c#d e%".into() },
            Route::Query { db: "x".into(), sql: "select 'a&b=c', \"#\" -- ?\n".into(), time_limit_ms: Some(10) },
            table(
                "d",
                "t/1",
                TableParams {
                    sort: Some(SortBy { column: "na me".into(), descending: true }),
                    next: Some(r#"[["a,b"],17]"#.into()),
                    size: Some(5),
                    time_limit_ms: Some(100),
                },
            ),
        ];
        for route in routes {
            assert_eq!(Route::parse(&route.to_hash()), route, "{}", route.to_hash());
        }
    }

    #[test]
    fn time_limit_can_only_be_lowered() {
        assert_eq!(time_limit(None), 1000);
        assert_eq!(time_limit(Some(50)), 50);
        assert_eq!(time_limit(Some(60_000)), 1000);
        assert_eq!(time_limit(Some(0)), 1);
    }
}
