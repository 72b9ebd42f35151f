//! Table views, row pages, export and metadata: what the UI asks for and
//! what comes back.

use serde::{Deserialize, Serialize};

use crate::{Cell, Cursor, FilterOp, QueryRequest};

/// One `?column__op=value` filter, in Datasette's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub column: String,
    pub op: FilterOp,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FacetKind {
    /// Distinct values of the column (`_facet=`).
    Column,
    /// Distinct items of JSON arrays in the column (`_facet_array=`).
    Array,
    /// Distinct dates of the column's values (`_facet_date=`).
    Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetRequest {
    pub column: String,
    pub kind: FacetKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacetValue {
    pub value: Cell,
    /// The referenced row's label, for a foreign-key column.
    pub label: Option<String>,
    pub count: u64,
    /// The filter that selects this value's rows, spelled for the URL.
    pub filter: Filter,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacetResult {
    pub column: String,
    pub kind: FacetKind,
    /// Most frequent first.
    pub values: Vec<FacetValue>,
    /// There were more distinct values than shown.
    pub truncated: bool,
    /// Why there are no values (too slow, not JSON…).
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Search {
    pub query: String,
    /// Pass the query to FTS as written (operators, phrases, prefixes);
    /// otherwise each word is quoted, so punctuation cannot break it.
    pub raw: bool,
}

/// Where the values of a foreign-key column on this page point, with the
/// label of each row pointed at (shown instead of a bare id, as Datasette
/// does) when the other table has a label column and there was time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnLinks {
    pub column: String,
    pub other_table: String,
    /// One per distinct non-null value of `column` on the page.
    pub values: Vec<LinkedValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkedValue {
    pub value: Cell,
    pub label: Option<String>,
    pub target: LinkTarget,
}

/// Where a link goes, spelled for the URL by the engine (which reads the
/// same spelling back), so the UI never derives keys from what it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkTarget {
    /// A row page: the key values in URL form (rowid, or the primary key
    /// columns in order).
    Row(Vec<String>),
    /// The rows of the other table where `filter` holds (a key that is
    /// not that table's primary key).
    Rows(Filter),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TablePageRequest {
    pub db: String,
    pub table: String,
    /// The sort column by name; `None` sorts by the table's key (or by
    /// relevance when searching).
    pub sort: Option<SortBy>,
    /// Continue after this cursor (from a previous page's `next`).
    pub after: Option<Cursor>,
    pub page_size: u32,
    pub time_limit_ms: u32,
    pub filters: Vec<Filter>,
    pub search: Option<Search>,
    pub facets: Vec<FacetRequest>,
    /// Columns not to show (`_nocol=`).
    pub hidden: Vec<String>,
    /// Look for columns worth faceting by (each check briefly time-limited).
    pub suggest_facets: bool,
    /// Raw SQL conditions (`_where=`), each one read-only expression.
    pub wheres: Vec<String>,
    /// Only these columns, in the table's order (`_col=`); empty for all.
    pub shown: Vec<String>,
    /// Values per facet (`_facet_size=`): `DEFAULT_FACET_SIZE` to
    /// `MAX_FACET_SIZE`.
    pub facet_size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortBy {
    pub column: String,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TablePage {
    pub columns: Vec<String>,
    /// Declared types of `columns` (empty where none).
    pub column_types: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// What names each row for its row page: rowid or primary key columns.
    /// Empty for views.
    pub key_columns: Vec<String>,
    /// Per row, its row page's key (the values of `key_columns` in URL
    /// form); empty for views.
    pub row_keys: Vec<Vec<String>>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
    /// Rows matching the filters; `None` when counting ran past its limit.
    pub total: Option<u64>,
    /// The SQL that produced this page, for "View and edit SQL".
    pub sql: String,
    /// The filters in plain English ("where name contains …").
    pub description: String,
    pub facets: Vec<FacetResult>,
    pub suggested_facets: Vec<FacetRequest>,
    /// The full-text index searched by `?_search=`, when the table has one.
    pub fts_table: Option<String>,
    pub links: Vec<ColumnLinks>,
    /// Every column of the table (for filters, the column menu, "show all").
    pub all_columns: Vec<String>,
    /// The statements that made the table or view and its indexes, as
    /// stored (Datasette shows them under the rows).
    pub schema_sql: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowRequest {
    pub db: String,
    pub table: String,
    /// The key values as they appear in the URL (rowid, or the primary key
    /// columns in order).
    pub key: Vec<String>,
}

/// Rows elsewhere that point at this one through a foreign key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomingLink {
    pub table: String,
    pub column: String,
    /// The column of this row they reference, and its value here.
    pub our_column: String,
    pub value: Cell,
    /// `None` when counting ran past its limit.
    pub count: Option<u64>,
    /// The filter on `table` that lists them, spelled for the URL.
    pub filter: Filter,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowPage {
    pub columns: Vec<String>,
    pub column_types: Vec<String>,
    pub values: Vec<Cell>,
    pub key_columns: Vec<String>,
    pub links: Vec<ColumnLinks>,
    pub incoming: Vec<IncomingLink>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    NdJson,
}

// Made once per export and sent at once: boxing the table variant would
// only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExportSource {
    /// A table view: its filters, search and sort, every page from the first.
    Table(TablePageRequest),
    Query(QueryRequest),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportRequest {
    pub source: ExportSource,
    pub format: ExportFormat,
    /// All rows, or only the page the view shows.
    pub all: bool,
}

/// Datasette's metadata (title, description, license, source), for the
/// whole site and per database and table, plus canned queries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub about: About,
    pub databases: Vec<DatabaseMetadata>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct About {
    pub title: Option<String>,
    pub description: Option<String>,
    pub license: Option<String>,
    pub license_url: Option<String>,
    pub source: Option<String>,
    pub source_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseMetadata {
    pub name: String,
    pub about: About,
    pub tables: Vec<TableMetadata>,
    pub queries: Vec<CannedQuery>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableMetadata {
    pub name: String,
    pub about: About,
    /// Column name → description.
    pub columns: Vec<(String, String)>,
    pub label_column: Option<String>,
    /// The table page's defaults when its URL does not say (Datasette's
    /// `sort` / `sort_desc`, `facets`, `size`).
    pub sort: Option<SortBy>,
    pub facets: Vec<FacetRequest>,
    pub size: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedQuery {
    pub name: String,
    pub sql: String,
    pub title: Option<String>,
    pub description: Option<String>,
}

/// What a column summary is made over: a table view (its filters, search
/// and `_where`) or a query's rows.
// Made once per summary: boxing the table variant would only add an
// allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SummarySource {
    Table(TablePageRequest),
    Query(crate::QueryRequest),
}

impl SummarySource {
    /// The same rows without what only orders or pages them (sort, cursor,
    /// page size, facets): what a summary or a chart depends on, so paging
    /// a view neither asks for them again nor misses the worker's cache.
    pub fn rows_only(self) -> SummarySource {
        match self {
            SummarySource::Table(mut r) => {
                (r.sort, r.after, r.page_size, r.suggest_facets) = (None, None, 1, false);
                r.facets.clear();
                r.facet_size = crate::DEFAULT_FACET_SIZE;
                SummarySource::Table(r)
            }
            query => query,
        }
    }

    pub fn db(&self) -> &str {
        match self {
            SummarySource::Table(r) => &r.db,
            SummarySource::Query(q) => &q.db,
        }
    }
}

/// One column, summarized over the rows in view (DuckDB's `SUMMARIZE`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    pub name: String,
    /// As declared in the table (empty for an expression or none).
    pub declared_type: String,
    /// Non-null values by the type SQLite stored them as (`integer`,
    /// `real`, `text`, `blob`), those present only.
    pub types: Vec<(String, u64)>,
    pub rows: u64,
    pub nulls: u64,
    pub distinct: Option<u64>,
    /// `distinct` was counted on a sample of the rows (too many to count
    /// in time): at least that many.
    pub distinct_estimated: bool,
    pub min: Option<Cell>,
    pub max: Option<Cell>,
    /// The most frequent values and their counts, when any value repeats.
    pub top: Vec<(Cell, u64)>,
    pub histogram: Option<Histogram>,
    /// Why part of the summary is missing (its time ran out).
    pub error: Option<String>,
}

/// Counts of values in equal ranges from `lo` to `hi` (Julian days when
/// `dates`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u64>,
    pub dates: bool,
}
