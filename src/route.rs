//! The fragment route: every view has a URL, in Datasette Lite's form, so
//! links people already share keep working.
//!
//! ```text
//! #/                              home: the loaded databases
//! #/DB                            database page
//! #/DB?sql=SELECT…&name=value     query page (`_timelimit`; other keys are :name parameters)
//! #/DB/TABLE?col__op=v&_sort=c…   table page (Datasette's table parameters, below)
//! #/DB/TABLE/KEY[,KEY2]           row page
//! #/DB/TABLE.json, #/DB.json?sql=…, #/DB/TABLE/KEY.json, #/DB.json
//!                                 Datasette's JSON (`_shape`, `_nl`); `.csv` the CSV
//! ```
//! Table parameters: filters `col=v` / `col__op=v`; `_sort`, `_sort_desc`,
//! `_next`, `_size` (a number or `max`), `_facet`, `_facet_array`,
//! `_facet_date`, `_facet_size` (a number or `max`), `_search`,
//! `_searchmode=raw`, `_where` (raw SQL), `_col`, `_nocol`, `_timelimit`;
//! `_labels` is accepted (labels are always shown). Any other `_name` is
//! kept in `ignored`, for the page to say so. Names are percent-encoded in
//! the path; the parts of a row key are encoded one by one and joined with
//! commas.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use protocol::filter_ops::{join_key, split_key};
use protocol::{Aggregate, ChartKind, ChartSpec, FacetKind, FacetRequest, Filter, LinkTarget, SortBy, TableRef};

/// Characters escaped in a path segment: those with meaning in a fragment
/// route, and space, so a copied link survives chat clients.
const SEGMENT: &AsciiSet = &CONTROLS.add(b' ').add(b'/').add(b'?').add(b'#').add(b'%').add(b'&').add(b'"').add(b'<').add(b'>');
/// A row key part also escapes the comma that separates parts.
const KEY_PART: &AsciiSet = &SEGMENT.add(b',');

// One per navigation and link: a table's parameters unboxed cost nothing
// that matters.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Database {
        db: String,
    },
    Table {
        db: String,
        table: String,
        params: TableParams,
    },
    Row {
        db: String,
        table: String,
        key: Vec<String>,
    },
    Query {
        db: String,
        sql: String,
        params: Vec<(String, String)>,
        time_limit_ms: Option<u32>,
        /// The chart shown above the result (`_chart=…`).
        chart: Option<ChartSpec>,
    },
    /// Two tables compared by a key (`#/-/compare?left=db/t&right=db/u&key=id`).
    Compare {
        left: Option<TableRef>,
        right: Option<TableRef>,
        /// Empty: guessed.
        key: Vec<String>,
        /// Rows shown per group (`_size`).
        size: Option<u32>,
        /// Which page of each group (`_page`, from 1).
        page: Option<u32>,
    },
    /// Another route's data as JSON or CSV (its last path segment ends in
    /// `.json` / `.csv`). `shape` is `_shape=` as given; `nl` is `_nl=on`.
    Data {
        of: Box<Route>,
        format: DataFormat,
        shape: Option<String>,
        nl: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    Json,
    Csv,
}

impl DataFormat {
    pub fn suffix(self) -> &'static str {
        match self {
            DataFormat::Json => ".json",
            DataFormat::Csv => ".csv",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableParams {
    pub sort: Option<SortBy>,
    /// The `_next` cursor exactly as it appears in the URL.
    pub next: Option<String>,
    pub size: Option<u32>,
    pub time_limit_ms: Option<u32>,
    pub filters: Vec<Filter>,
    pub facets: Vec<FacetRequest>,
    pub search: Option<String>,
    pub search_raw: bool,
    pub hidden: Vec<String>,
    /// Raw SQL conditions (`_where=`).
    pub wheres: Vec<String>,
    /// Only these columns (`_col=`).
    pub shown: Vec<String>,
    /// Values per facet (`_facet_size=`).
    pub facet_size: Option<u32>,
    /// `_` parameters this app does not know, as given: shown in a notice,
    /// not kept in links it makes.
    pub ignored: Vec<String>,
    /// The chart shown above the rows (`_chart=…`).
    pub chart: Option<ChartSpec>,
}

/// The table parameters this app reads (`_labels` changes nothing here).
const TABLE_PARAMETERS: &[&str] = &[
    "_sort",
    "_sort_desc",
    "_next",
    "_size",
    "_facet",
    "_facet_array",
    "_facet_date",
    "_facet_size",
    "_search",
    "_searchmode",
    "_where",
    "_col",
    "_nocol",
    "_timelimit",
    "_labels",
    "_chart",
    "_chart_x",
    "_chart_y",
    "_chart_color",
    "_chart_agg",
];

/// A chart from `_chart=` (a kind, or anything else to have it guessed)
/// and `_chart_x`, `_chart_y`, `_chart_color`, `_chart_agg`; none without
/// any of them.
fn chart_param(pairs: &[(String, String)]) -> Option<ChartSpec> {
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    if !pairs.iter().any(|(k, _)| k == "_chart" || k.starts_with("_chart_")) {
        return None;
    }
    Some(ChartSpec {
        kind: get("_chart").and_then(|k| ChartKind::parse(&k)),
        x: get("_chart_x"),
        y: get("_chart_y"),
        color: get("_chart_color"),
        agg: get("_chart_agg").and_then(|a| Aggregate::parse(&a)),
    })
}

fn append_chart(q: &mut form_urlencoded::Serializer<'_, String>, chart: &Option<ChartSpec>) {
    let Some(chart) = chart else { return };
    q.append_pair("_chart", chart.kind.map_or("1", ChartKind::name));
    for (key, value) in [("_chart_x", &chart.x), ("_chart_y", &chart.y), ("_chart_color", &chart.color)] {
        if let Some(value) = value {
            q.append_pair(key, value);
        }
    }
    if let Some(agg) = chart.agg {
        q.append_pair("_chart_agg", agg.name());
    }
}

/// `_size=` / `_facet_size=`: a number, or `max` for `max`.
fn size_param(value: Option<String>, max: u32) -> Option<u32> {
    let value = value?;
    if value == "max" {
        Some(max)
    } else {
        value.parse().ok()
    }
}

impl TableParams {
    /// The same view from its first page (after any change but paging).
    pub fn first_page(&self) -> TableParams {
        TableParams { next: None, ..self.clone() }
    }

    pub fn with_filter(&self, filter: Filter) -> TableParams {
        let mut p = self.first_page();
        if !p.filters.contains(&filter) {
            p.filters.push(filter);
        }
        p
    }

    pub fn without_filter(&self, filter: &Filter) -> TableParams {
        let mut p = self.first_page();
        p.filters.retain(|f| f != filter);
        p
    }

    pub fn toggle_facet(&self, facet: FacetRequest) -> TableParams {
        let mut p = self.clone();
        if p.facets.contains(&facet) {
            p.facets.retain(|f| *f != facet);
        } else {
            p.facets.push(facet);
        }
        p
    }
}

fn facet_key(kind: FacetKind) -> &'static str {
    match kind {
        FacetKind::Column => "_facet",
        FacetKind::Array => "_facet_array",
        FacetKind::Date => "_facet_date",
    }
}

impl Route {
    /// Where a link the engine made goes: a row page of `table`, or its
    /// rows filtered.
    pub fn link(db: &str, table: &str, target: &LinkTarget) -> Route {
        match target {
            LinkTarget::Row(key) => Route::Row { db: db.into(), table: table.into(), key: key.clone() },
            LinkTarget::Rows(filter) => Route::table(db, table, TableParams { filters: vec![filter.clone()], ..Default::default() }),
        }
    }

    /// Parses `location.hash` (with or without the leading `#`). Anything
    /// unrecognised is the home page rather than an error.
    pub fn parse(hash: &str) -> Route {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let hash = hash.strip_prefix('/').unwrap_or(hash);
        let (path, query) = hash.split_once('?').unwrap_or((hash, ""));
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let path = path.trim_end_matches('/');
        for format in [DataFormat::Json, DataFormat::Csv] {
            let Some(stem) = path.strip_suffix(format.suffix()).filter(|s| !s.is_empty() && !s.ends_with('/')) else { continue };
            let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            let mut rest = form_urlencoded::Serializer::new(String::new());
            rest.extend_pairs(pairs.iter().filter(|(k, _)| k != "_shape" && k != "_nl"));
            let of = Route::parse_view(stem, &form_urlencoded::parse(rest.finish().as_bytes()).into_owned().collect::<Vec<_>>());
            let nl = get("_nl").is_some_and(|v| matches!(v.as_str(), "on" | "1" | "true"));
            return Route::Data { of: Box::new(of), format, shape: get("_shape"), nl };
        }
        Route::parse_view(path, &pairs)
    }

    /// `parse`, for a path without a data suffix.
    fn parse_view(path: &str, pairs: &[(String, String)]) -> Route {
        let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let all = |key: &str| pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect::<Vec<_>>();
        let time_limit_ms = get("_timelimit").and_then(|v| v.parse().ok());
        let raw_segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        // `db/table`: a database name has no `/` (it comes from a file name).
        let table_ref = |key: &str| {
            let (db, table) = get(key)?.split_once('/').map(|(d, t)| (d.to_string(), t.to_string()))?;
            Some(TableRef { db, table })
        };
        match raw_segments.as_slice() {
            [] => Route::Home,
            ["-", "compare"] => Route::Compare {
                left: table_ref("left"),
                right: table_ref("right"),
                key: all("key").into_iter().filter(|k| !k.is_empty()).collect(),
                size: size_param(get("_size"), protocol::MAX_PAGE_SIZE),
                page: get("_page").and_then(|p| p.parse().ok()).filter(|p| *p > 1),
            },
            [db] => match get("sql") {
                Some(sql) => Route::Query {
                    db: decode(db),
                    sql,
                    params: pairs.iter().filter(|(k, _)| k != "sql" && !k.starts_with('_')).cloned().collect(),
                    time_limit_ms,
                    chart: chart_param(pairs),
                },
                None => Route::Database { db: decode(db) },
            },
            [db, table] => {
                let sort = match (get("_sort"), get("_sort_desc")) {
                    (_, Some(column)) => Some(SortBy { column, descending: true }),
                    (Some(column), None) => Some(SortBy { column, descending: false }),
                    (None, None) => None,
                };
                let mut facets = Vec::new();
                for kind in [FacetKind::Column, FacetKind::Array, FacetKind::Date] {
                    facets.extend(all(facet_key(kind)).into_iter().map(|column| FacetRequest { column, kind }));
                }
                // `_name` is a table parameter; `_col__op` a filter on a
                // column whose name starts with `_` (Datasette's rule).
                let filters = pairs
                    .iter()
                    .filter(|(k, _)| !k.starts_with('_') || k.contains("__"))
                    .map(|(k, v)| {
                        let (column, op) = split_key(k);
                        Filter { column, op, value: v.clone() }
                    })
                    .collect();
                Route::Table {
                    db: decode(db),
                    table: decode(table),
                    params: TableParams {
                        sort,
                        next: get("_next"),
                        size: size_param(get("_size"), protocol::MAX_PAGE_SIZE),
                        time_limit_ms,
                        filters,
                        facets,
                        search: get("_search").filter(|s| !s.trim().is_empty()),
                        search_raw: get("_searchmode").as_deref() == Some("raw"),
                        hidden: all("_nocol"),
                        wheres: all("_where").into_iter().filter(|w| !w.trim().is_empty()).collect(),
                        shown: all("_col"),
                        facet_size: size_param(get("_facet_size"), protocol::MAX_FACET_SIZE),
                        ignored: pairs
                            .iter()
                            .map(|(k, _)| k)
                            .filter(|k| k.starts_with('_') && !k.contains("__") && !TABLE_PARAMETERS.contains(&k.as_str()))
                            .fold(Vec::new(), |mut names, k| {
                                if !names.contains(k) {
                                    names.push(k.clone());
                                }
                                names
                            }),
                        chart: chart_param(pairs),
                    },
                }
            }
            [db, table, key, ..] => Route::Row { db: decode(db), table: decode(table), key: key.split(',').map(decode).collect() },
        }
    }

    /// The fragment for this route, starting with `#/`.
    pub fn to_hash(&self) -> String {
        let seg = |s: &str| utf8_percent_encode(s, SEGMENT).to_string();
        let with_query = |base: String, q: String| if q.is_empty() { base } else { format!("{base}?{q}") };
        match self {
            Route::Home => "#/".into(),
            Route::Database { db } => format!("#/{}", seg(db)),
            Route::Query { db, sql, params, time_limit_ms, chart } => {
                let mut q = form_urlencoded::Serializer::new(String::new());
                q.append_pair("sql", sql);
                for (k, v) in params {
                    q.append_pair(k, v);
                }
                if let Some(t) = time_limit_ms {
                    q.append_pair("_timelimit", &t.to_string());
                }
                append_chart(&mut q, chart);
                format!("#/{}?{}", seg(db), q.finish())
            }
            Route::Compare { left, right, key, size, page } => {
                let mut q = form_urlencoded::Serializer::new(String::new());
                for (name, side) in [("left", left), ("right", right)] {
                    if let Some(t) = side {
                        q.append_pair(name, &format!("{}/{}", t.db, t.table));
                    }
                }
                for k in key {
                    q.append_pair("key", k);
                }
                if let Some(size) = size {
                    q.append_pair("_size", &size.to_string());
                }
                if let Some(page) = page {
                    q.append_pair("_page", &page.to_string());
                }
                with_query("#/-/compare".into(), q.finish())
            }
            Route::Row { db, table, key } => {
                let key: Vec<String> = key.iter().map(|k| utf8_percent_encode(k, KEY_PART).to_string()).collect();
                format!("#/{}/{}/{}", seg(db), seg(table), key.join(","))
            }
            Route::Data { of, format, shape, nl } => {
                let inner = of.to_hash();
                let (path, query) = inner.split_once('?').unwrap_or((&inner, ""));
                let mut q = form_urlencoded::Serializer::new(query.to_string());
                if let Some(shape) = shape {
                    q.append_pair("_shape", shape);
                }
                if *nl {
                    q.append_pair("_nl", "on");
                }
                with_query(format!("{path}{}", format.suffix()), q.finish())
            }
            Route::Table { db, table, params } => {
                let mut q = form_urlencoded::Serializer::new(String::new());
                for f in &params.filters {
                    q.append_pair(&join_key(&f.column, f.op), if !f.op.takes_value() && f.value.is_empty() { "1" } else { &f.value });
                }
                if let Some(search) = &params.search {
                    q.append_pair("_search", search);
                    if params.search_raw {
                        q.append_pair("_searchmode", "raw");
                    }
                }
                match &params.sort {
                    Some(SortBy { column, descending: false }) => {
                        q.append_pair("_sort", column);
                    }
                    Some(SortBy { column, descending: true }) => {
                        q.append_pair("_sort_desc", column);
                    }
                    None => {}
                }
                for f in &params.facets {
                    q.append_pair(facet_key(f.kind), &f.column);
                }
                for w in &params.wheres {
                    q.append_pair("_where", w);
                }
                for c in &params.shown {
                    q.append_pair("_col", c);
                }
                for c in &params.hidden {
                    q.append_pair("_nocol", c);
                }
                if let Some(size) = params.facet_size {
                    q.append_pair("_facet_size", &size.to_string());
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
                append_chart(&mut q, &params.chart);
                with_query(format!("#/{}/{}", seg(db), seg(table)), q.finish())
            }
        }
    }

    pub fn database(&self) -> Option<&str> {
        match self {
            Route::Home | Route::Compare { .. } => None,
            Route::Database { db } | Route::Table { db, .. } | Route::Row { db, .. } | Route::Query { db, .. } => Some(db),
            Route::Data { of, .. } => of.database(),
        }
    }

    pub fn table(db: &str, table: &str, params: TableParams) -> Route {
        Route::Table { db: db.into(), table: table.into(), params }
    }
}

/// The effective time limit of a view opened from a link: `?_timelimit=`
/// may lower the default, never raise it.
pub fn time_limit(requested: Option<u32>) -> u32 {
    requested.map_or(protocol::DEFAULT_TIME_LIMIT_MS, |t| t.clamp(1, protocol::DEFAULT_TIME_LIMIT_MS))
}

/// The time limit of a statement the user ran themselves: `?_timelimit=`
/// may raise it up to `MAX_USER_TIME_LIMIT_MS`.
pub fn user_time_limit(requested: Option<u32>) -> u32 {
    requested.map_or(protocol::DEFAULT_TIME_LIMIT_MS, |t| t.clamp(1, protocol::MAX_USER_TIME_LIMIT_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(column: &str, op: &str, value: &str) -> Filter {
        let op = protocol::FilterOp::from_url_name(op).expect("a known operator");
        Filter { column: column.into(), op, value: value.into() }
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
                Route::Query {
                    db: "fixtures".into(),
                    sql: "select * from facetable".into(),
                    params: vec![],
                    time_limit_ms: None,
                    chart: None,
                },
            ),
            (
                "#/fixtures?sql=select%20:n&n=5&_timelimit=50",
                Route::Query {
                    db: "fixtures".into(),
                    sql: "select :n".into(),
                    params: vec![("n".into(), "5".into())],
                    time_limit_ms: Some(50),
                    chart: None,
                },
            ),
            (
                "#/fixtures/facetable?_chart=bar&_chart_x=state&_chart_agg=nonsense",
                Route::table(
                    "fixtures",
                    "facetable",
                    TableParams {
                        chart: Some(ChartSpec { kind: Some(ChartKind::Bar), x: Some("state".into()), ..ChartSpec::default() }),
                        ..TableParams::default()
                    },
                ),
            ),
            ("#/fixtures/facetable", Route::table("fixtures", "facetable", TableParams::default())),
            (
                "#/db/my%20table?_sort_desc=name&_next=%5B3%5D&_size=20",
                Route::table(
                    "db",
                    "my table",
                    TableParams {
                        sort: Some(SortBy { column: "name".into(), descending: true }),
                        next: Some("[3]".into()),
                        size: Some(20),
                        ..Default::default()
                    },
                ),
            ),
            (
                "#/db/t?genre=Rock&year__gte=1990&_facet=genre&_facet_array=tags&_search=love&_searchmode=raw&_nocol=notes",
                Route::table(
                    "db",
                    "t",
                    TableParams {
                        filters: vec![filter("genre", "exact", "Rock"), filter("year", "gte", "1990")],
                        facets: vec![
                            FacetRequest { column: "genre".into(), kind: FacetKind::Column },
                            FacetRequest { column: "tags".into(), kind: FacetKind::Array },
                        ],
                        search: Some("love".into()),
                        search_raw: true,
                        hidden: vec!["notes".into()],
                        ..Default::default()
                    },
                ),
            ),
            (
                "#/db/t?_where=Freight+%3E+500&_col=a&_col=b&_size=max&_facet_size=max&_labels=on&_shape=array&_shape=objects",
                Route::table(
                    "db",
                    "t",
                    TableParams {
                        wheres: vec!["Freight > 500".into()],
                        shown: vec!["a".into(), "b".into()],
                        size: Some(protocol::MAX_PAGE_SIZE),
                        facet_size: Some(protocol::MAX_FACET_SIZE),
                        ignored: vec!["_shape".into()],
                        ..Default::default()
                    },
                ),
            ),
            (
                "#/db/t.json?_shape=objects&a=1",
                Route::Data {
                    of: Box::new(Route::table("db", "t", TableParams { filters: vec![filter("a", "exact", "1")], ..Default::default() })),
                    format: DataFormat::Json,
                    shape: Some("objects".into()),
                    nl: false,
                },
            ),
            (
                "#/db.json?sql=select+1&_shape=array&_nl=on",
                Route::Data {
                    of: Box::new(Route::Query {
                        db: "db".into(),
                        sql: "select 1".into(),
                        params: vec![],
                        time_limit_ms: None,
                        chart: None,
                    }),
                    format: DataFormat::Json,
                    shape: Some("array".into()),
                    nl: true,
                },
            ),
            (
                "#/db/t/7.csv",
                Route::Data {
                    of: Box::new(Route::Row { db: "db".into(), table: "t".into(), key: vec!["7".into()] }),
                    format: DataFormat::Csv,
                    shape: None,
                    nl: false,
                },
            ),
            (
                "#/db.json",
                Route::Data { of: Box::new(Route::Database { db: "db".into() }), format: DataFormat::Json, shape: None, nl: false },
            ),
            ("#/db/t/17", Route::Row { db: "db".into(), table: "t".into(), key: vec!["17".into()] }),
            ("#/db/t/1,a%2Cb", Route::Row { db: "db".into(), table: "t".into(), key: vec!["1".into(), "a,b".into()] }),
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
            Route::Query {
                db: "x".into(),
                sql: "select 'a&b=c', \"#\" -- ?\n".into(),
                params: vec![("a".into(), "1&2".into())],
                time_limit_ms: Some(10),
                chart: Some(ChartSpec {
                    kind: Some(ChartKind::Line),
                    x: Some("a&b".into()),
                    y: Some("#".into()),
                    color: None,
                    agg: Some(Aggregate::Avg),
                }),
            },
            Route::Row { db: "d".into(), table: "t/1".into(), key: vec!["a,b".into(), "/?#".into()] },
            Route::Compare {
                left: Some(TableRef { db: "data".into(), table: "a/b 2024".into() }),
                right: Some(TableRef { db: "x&y".into(), table: "t".into() }),
                key: vec!["id".into(), "k&2".into()],
                size: Some(200),
                page: Some(3),
            },
            Route::Compare { left: None, right: None, key: vec![], size: None, page: None },
            Route::Data {
                of: Box::new(Route::table("d", "t", TableParams { search: Some("x".into()), ..Default::default() })),
                format: DataFormat::Json,
                shape: Some("object".into()),
                nl: true,
            },
            Route::table(
                "d",
                "t/1",
                TableParams {
                    sort: Some(SortBy { column: "na me".into(), descending: true }),
                    next: Some(r#"[["a,b"],17]"#.into()),
                    size: Some(5),
                    time_limit_ms: Some(100),
                    filters: vec![
                        filter("a__b", "exact", "x"),
                        filter("c", "isnull", "1"),
                        filter("d", "in", "1,2"),
                        filter("_sort", "exact", "underscored"),
                        filter("a?b #c", "contains", "?&="),
                    ],
                    facets: vec![FacetRequest { column: "d".into(), kind: FacetKind::Date }],
                    search: Some("x y".into()),
                    search_raw: false,
                    hidden: vec!["e".into(), "f".into()],
                    wheres: vec!["a > 1 and b like '%&%'".into()],
                    shown: vec!["a".into()],
                    facet_size: Some(50),
                    ignored: vec![],
                    chart: Some(ChartSpec::default()),
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
