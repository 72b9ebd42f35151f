//! Datasette's JSON (and CSV) for a table page, a query, a row and a
//! database (`#/db/table.json`, `#/db.json?sql=…`, `#/db/table/key.json`,
//! `.csv`), so links and tools written for Datasette read the same shapes
//! here. Pure functions of what the worker answered; `pages/data_view.rs`
//! shows and downloads them.
//!
//! `_shape=`: `arrays` (the default: an object with `rows` as lists),
//! `objects` (the same with rows as objects), `array` (a bare list of
//! objects; with `_nl=on`, one object per line), `arrayfirst` (the first
//! column's values), `object` (objects keyed by row key; tables and rows
//! only).

use protocol::{Cell, DatabaseSchema, FacetResult, QueryResult, RowPage, TablePage};
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    #[default]
    Arrays,
    Objects,
    Array,
    ArrayFirst,
    Object,
}

impl Shape {
    pub const ALL: [Shape; 5] = [Shape::Arrays, Shape::Objects, Shape::Array, Shape::ArrayFirst, Shape::Object];

    /// `_shape=`'s value; an unknown one is an error that names the known.
    pub fn parse(value: Option<&str>) -> Result<Shape, String> {
        match value {
            None | Some("") => Ok(Shape::Arrays),
            Some(name) => Shape::ALL
                .into_iter()
                .find(|s| s.name() == name)
                .ok_or_else(|| format!("_shape={name} is not a shape; use arrays, objects, array, arrayfirst or object.")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Shape::Arrays => "arrays",
            Shape::Objects => "objects",
            Shape::Array => "array",
            Shape::ArrayFirst => "arrayfirst",
            Shape::Object => "object",
        }
    }
}

/// Rows with their column names and, for tables, each row's key.
pub struct Rows<'a> {
    pub columns: &'a [String],
    pub rows: &'a [Vec<Cell>],
    /// Per row, its key's parts (empty for a query or a view).
    pub keys: &'a [Vec<String>],
}

impl Rows<'_> {
    fn object(&self, row: &[Cell]) -> Value {
        Value::Object(self.columns.iter().cloned().zip(row.iter().map(Cell::to_json)).collect())
    }

    fn as_arrays(&self) -> Value {
        Value::Array(self.rows.iter().map(|r| Value::Array(r.iter().map(Cell::to_json).collect())).collect())
    }

    fn as_objects(&self) -> Value {
        Value::Array(self.rows.iter().map(|r| self.object(r)).collect())
    }
}

/// The text for `shape`, or `None` when the shape wraps the rows in an
/// object (`arrays`, `objects`), which `wrapped` builds. `nl`: one object
/// per line, for `array`.
fn bare(rows: &Rows<'_>, shape: Shape, nl: bool) -> Option<Result<String, String>> {
    Some(Ok(match shape {
        Shape::Arrays | Shape::Objects => return None,
        Shape::Array if nl => rows.rows.iter().map(|r| format!("{}\n", rows.object(r))).collect(),
        Shape::Array => pretty(&rows.as_objects()),
        Shape::ArrayFirst => pretty(&Value::Array(rows.rows.iter().map(|r| r.first().map_or(Value::Null, Cell::to_json)).collect())),
        Shape::Object if rows.keys.len() != rows.rows.len() || rows.keys.iter().any(Vec::is_empty) => {
            return Some(Err("_shape=object needs rows with keys: a table's, not a query's or a view's.".into()))
        }
        Shape::Object => {
            let keyed: Map<String, Value> = rows.keys.iter().zip(rows.rows).map(|(k, r)| (k.join(","), rows.object(r))).collect();
            pretty(&Value::Object(keyed))
        }
    }))
}

/// `fields` with `rows` added as lists (`arrays`) or objects (`objects`).
fn wrapped(mut fields: Map<String, Value>, rows: &Rows<'_>, shape: Shape) -> String {
    let list = if shape == Shape::Objects { rows.as_objects() } else { rows.as_arrays() };
    fields.insert("rows".into(), list);
    fields.insert("columns".into(), json!(rows.columns));
    pretty(&Value::Object(fields))
}

fn pretty(value: &Value) -> String {
    // Serializing a Value cannot fail.
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

/// Where a table view stands, besides its rows.
pub struct TableView<'a> {
    pub db: &'a str,
    pub table: &'a str,
    pub is_view: bool,
    pub page: &'a TablePage,
    /// The next page's link (this view's `.json` with `_next=`).
    pub next_url: Option<String>,
}

/// A table page as Datasette's `table.json`.
pub fn table(view: &TableView<'_>, shape: Shape, nl: bool) -> Result<String, String> {
    let page = view.page;
    let rows = Rows { columns: &page.columns, rows: &page.rows, keys: &page.row_keys };
    if let Some(text) = bare(&rows, shape, nl) {
        return text;
    }
    let mut fields = Map::new();
    fields.insert("database".into(), json!(view.db));
    fields.insert("table".into(), json!(view.table));
    fields.insert("is_view".into(), json!(view.is_view));
    fields.insert("human_description_en".into(), json!(page.description));
    fields.insert("truncated".into(), json!(false));
    fields.insert("filtered_table_rows_count".into(), json!(page.total));
    fields.insert("primary_keys".into(), json!(page.key_columns));
    fields.insert("next".into(), json!(page.next.as_ref().map(|c| c.to_url_text())));
    fields.insert("next_url".into(), json!(view.next_url));
    fields.insert("query".into(), json!({ "sql": page.sql, "params": {} }));
    fields.insert("facet_results".into(), facet_results(&page.facets));
    fields.insert("suggested_facets".into(), json!(page.suggested_facets.iter().map(|f| json!({ "name": f.column })).collect::<Vec<_>>()));
    Ok(wrapped(fields, &rows, shape))
}

fn facet_results(facets: &[FacetResult]) -> Value {
    let results: Map<String, Value> = facets
        .iter()
        .map(|f| {
            let values: Vec<Value> =
                f.values.iter().map(|v| json!({ "value": v.value.to_json(), "label": v.label.clone().map_or_else(|| json!(v.value.display()), Value::from), "count": v.count })).collect();
            (f.column.clone(), json!({ "name": f.column, "results": values, "truncated": f.truncated }))
        })
        .collect();
    Value::Object(results)
}

/// A query's result as Datasette's `db.json?sql=`.
pub fn query(db: &str, sql: &str, params: &[(String, String)], result: &QueryResult, shape: Shape, nl: bool) -> Result<String, String> {
    let rows = Rows { columns: &result.columns, rows: &result.rows, keys: &[] };
    if let Some(text) = bare(&rows, shape, nl) {
        return text;
    }
    let mut fields = Map::new();
    fields.insert("database".into(), json!(db));
    let params: Map<String, Value> = params.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    fields.insert("query".into(), json!({ "sql": sql, "params": params }));
    fields.insert("truncated".into(), json!(result.truncated));
    Ok(wrapped(fields, &rows, shape))
}

/// A row as Datasette's `table/key.json`.
pub fn row(db: &str, table: &str, key: &[String], page: &RowPage, shape: Shape, nl: bool) -> Result<String, String> {
    let values = [page.values.clone()];
    let keys = [key.to_vec()];
    let rows = Rows { columns: &page.columns, rows: &values, keys: &keys };
    if let Some(text) = bare(&rows, shape, nl) {
        return text;
    }
    let mut fields = Map::new();
    fields.insert("database".into(), json!(db));
    fields.insert("table".into(), json!(table));
    fields.insert("primary_keys".into(), json!(page.key_columns));
    fields.insert("primary_key_values".into(), json!(key));
    Ok(wrapped(fields, &rows, shape))
}

/// A database as Datasette's `db.json`: its tables and views.
pub fn database(schema: &DatabaseSchema) -> String {
    let tables: Vec<Value> = schema
        .tables
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "columns": t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
                "count": t.row_count,
                "hidden": t.hidden,
            })
        })
        .collect();
    let views: Vec<Value> = schema.views.iter().map(|v| json!({ "name": v.name })).collect();
    pretty(&json!({ "database": schema.name, "tables": tables, "views": views }))
}

/// Rows as CSV (RFC 4180: a field with a comma, quote or line break is
/// quoted, quotes doubled; NULL is empty; a BLOB its hex digits, as the
/// worker's export writes them).
pub fn csv(columns: &[String], rows: &[Vec<Cell>]) -> String {
    fn field(text: &str) -> String {
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_string()
        }
    }
    let mut out = String::new();
    let mut line = |fields: Vec<String>| {
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    };
    line(columns.iter().map(|c| field(c)).collect());
    for row in rows {
        line(
            row.iter()
                .map(|c| match c {
                    Cell::Blob(b) => protocol::hex(b),
                    other => field(&other.display()),
                })
                .collect(),
        );
    }
    out
}

/// Rows as tab-separated text, for pasting into a spreadsheet: tabs and
/// line breaks in a value become spaces; NULL is empty.
pub fn tsv(columns: &[String], rows: &[Vec<Cell>]) -> String {
    let clean = |text: &str| text.replace(['\t', '\n', '\r'], " ");
    let mut out = columns.iter().map(|c| clean(c)).collect::<Vec<_>>().join("\t");
    for row in rows {
        out.push('\n');
        out.push_str(&row.iter().map(|c| clean(&c.display())).collect::<Vec<_>>().join("\t"));
    }
    out.push('\n');
    out
}

/// Rows as a Markdown table: `|` escaped, line breaks as `<br>`.
pub fn markdown(columns: &[String], rows: &[Vec<Cell>]) -> String {
    let clean = |text: &str| text.replace('|', "\\|").replace("\r\n", "<br>").replace(['\n', '\r'], "<br>");
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let mut out = line(columns.iter().map(|c| clean(c)).collect());
    out.push_str(&line(columns.iter().map(|_| "---".to_string()).collect()));
    for row in rows {
        out.push_str(&line(row.iter().map(|c| clean(&c.display())).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;
    use protocol::QueryResult;

    fn result() -> QueryResult {
        QueryResult {
            columns: vec!["id".into(), "name".into(), "score".into()],
            rows: vec![
                vec![Cell::Integer(1), Cell::Text("a, \"b\"".into()), Cell::Real(1.5)],
                vec![Cell::Integer(2), Cell::Null, Cell::Blob(vec![0xca, 0xfe])],
            ],
            truncated: false,
            rows_changed: None,
            elapsed_ms: 1.0,
        }
    }

    #[test]
    fn query_shapes_match_datasette() {
        let r = result();
        let params = [("n".to_string(), "5".to_string())];
        let json = |shape, nl| query("db", "select :n", &params, &r, shape, nl).unwrap();
        expect![[r#"
            {
              "database": "db",
              "query": {
                "sql": "select :n",
                "params": {
                  "n": "5"
                }
              },
              "truncated": false,
              "rows": [
                [
                  1,
                  "a, \"b\"",
                  1.5
                ],
                [
                  2,
                  null,
                  {
                    "hex": "cafe"
                  }
                ]
              ],
              "columns": [
                "id",
                "name",
                "score"
              ]
            }
        "#]]
        .assert_eq(&json(Shape::Arrays, false));
        expect![[r#"
            {"id":1,"name":"a, \"b\"","score":1.5}
            {"id":2,"name":null,"score":{"hex":"cafe"}}
        "#]]
        .assert_eq(&json(Shape::Array, true));
        expect![[r#"
            [
              1,
              2
            ]
        "#]]
        .assert_eq(&json(Shape::ArrayFirst, false));
        assert!(json(Shape::Objects, false).contains("\"name\": \"a, \\\"b\\\"\""));
        assert!(query("db", "x", &[], &r, Shape::Object, false).unwrap_err().contains("a table's"));
    }

    #[test]
    fn object_shape_keys_rows_by_their_key() {
        let r = result();
        let keys = [vec!["1".to_string()], vec!["2".to_string()]];
        let rows = Rows { columns: &r.columns, rows: &r.rows, keys: &keys };
        let text = bare(&rows, Shape::Object, false).unwrap().unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["2"]["score"], json!({ "hex": "cafe" }));
        assert_eq!(value.as_object().unwrap().len(), 2);
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let r = result();
        expect![[r#"
            id,name,score
            1,"a, ""b""",1.5
            2,,cafe
        "#]]
        .assert_eq(&csv(&r.columns, &r.rows).replace("\r\n", "\n"));
    }

    #[test]
    fn tsv_and_markdown_keep_one_row_a_line() {
        let columns = vec!["a|b".to_string(), "c".to_string()];
        let rows = vec![vec![Cell::Text("x\ty\nz".into()), Cell::Null]];
        assert_eq!(tsv(&columns, &rows), "a|b\tc\nx y z\t\n");
        expect![[r#"
            | a\|b | c |
            | --- | --- |
            | x	y<br>z |  |
        "#]]
        .assert_eq(&markdown(&columns, &rows));
    }

    #[test]
    fn unknown_shapes_are_named() {
        assert_eq!(Shape::parse(Some("objects")), Ok(Shape::Objects));
        assert_eq!(Shape::parse(None), Ok(Shape::Arrays));
        assert!(Shape::parse(Some("tree")).unwrap_err().contains("arrays, objects"));
    }
}
