//! Datasette's metadata file (`?metadata=`), in JSON or YAML: titles,
//! descriptions, licenses and sources, column descriptions, label columns
//! and canned queries.

use protocol::{About, CannedQuery, DatabaseMetadata, FacetKind, FacetRequest, Metadata, SortBy, TableMetadata};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};

/// How deep `[` and `{` may nest in YAML metadata. Real metadata nests a
/// handful of levels; the YAML parser's time grows with the square of the
/// depth (250 KB of `{a: ` took 18 s), so deeper text is refused first.
const MAX_FLOW_DEPTH: usize = 64;

/// The largest metadata file read (real ones are a few KB).
const MAX_METADATA_BYTES: usize = 4 << 20;

fn check_flow_nesting(text: &str) -> Result<()> {
    let (mut depth, mut quote) = (0usize, None::<char>);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Err(Error::new(ErrorKind::BadRequest, format!("the metadata nests more than {MAX_FLOW_DEPTH} levels deep")));
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// A metadata file's text: JSON, parsed, or text that is not JSON (YAML,
/// or nothing valid), checked to be safe to hand a YAML parser.
pub enum MetadataText {
    Json(Value),
    NotJson { text: String, json_error: String },
}

/// Reads a metadata file as far as JSON goes (size, BOM, JSON).
pub fn read_text(bytes: &[u8]) -> Result<MetadataText> {
    if bytes.len() > MAX_METADATA_BYTES {
        return Err(Error::new(
            ErrorKind::BadRequest,
            format!("the metadata file is {} MB; at most {} MB is read", bytes.len() >> 20, MAX_METADATA_BYTES >> 20),
        ));
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    match serde_json::from_str(text) {
        Ok(value) => Ok(MetadataText::Json(value)),
        Err(json_error) => {
            check_flow_nesting(text)?;
            Ok(MetadataText::NotJson { text: text.to_string(), json_error: json_error.to_string() })
        }
    }
}

/// The error for text that is neither JSON nor YAML.
pub fn neither(json_error: &str, yaml_error: &str) -> Error {
    Error::new(ErrorKind::BadRequest, format!("the metadata is neither JSON ({json_error}) nor YAML ({yaml_error})"))
}

/// A metadata file in JSON or YAML (the YAML parser is linked only with the
/// `yaml` feature; the worker converts YAML with its own module and calls
/// `from_value`).
#[cfg(feature = "yaml")]
pub fn parse(bytes: &[u8]) -> Result<Metadata> {
    match read_text(bytes)? {
        MetadataText::Json(value) => from_value(value),
        MetadataText::NotJson { text, json_error } => {
            from_value(serde_norway::from_str(&text).map_err(|yaml_error| neither(&json_error, &yaml_error.to_string()))?)
        }
    }
}

/// A facet in a table's `facets`: a column name, or `{"array": column}` /
/// `{"date": column}`.
fn facet_of(value: &Value) -> Option<FacetRequest> {
    match value {
        Value::String(column) => Some(FacetRequest { column: column.clone(), kind: FacetKind::Column }),
        Value::Object(o) => {
            let (kind, column) = o.iter().next()?;
            let kind = match kind.as_str() {
                "array" => FacetKind::Array,
                "date" => FacetKind::Date,
                _ => return None,
            };
            Some(FacetRequest { column: column.as_str()?.to_string(), kind })
        }
        _ => None,
    }
}

/// The metadata in a parsed JSON (or converted YAML) document.
pub fn from_value(value: Value) -> Result<Metadata> {
    let Value::Object(root) = value else {
        return Err(Error::new(ErrorKind::BadRequest, "the metadata must be an object with keys such as title and databases"));
    };
    let databases = entries(&root, "databases")
        .map(|(name, db)| DatabaseMetadata {
            name: name.clone(),
            about: about(db),
            tables: entries(db, "tables")
                .map(|(name, t)| TableMetadata {
                    name: name.clone(),
                    about: about(t),
                    columns: values(t, "columns").filter_map(|(c, d)| Some((c.clone(), d.as_str()?.to_string()))).collect(),
                    label_column: text_of(t, "label_column"),
                    sort: match (text_of(t, "sort_desc"), text_of(t, "sort")) {
                        (Some(column), _) => Some(SortBy { column, descending: true }),
                        (None, Some(column)) => Some(SortBy { column, descending: false }),
                        (None, None) => None,
                    },
                    facets: t
                        .get("facets")
                        .and_then(Value::as_array)
                        .map(|list| list.iter().filter_map(facet_of).collect())
                        .unwrap_or_default(),
                    size: t.get("size").and_then(Value::as_u64).map(|n| n.clamp(1, u64::from(protocol::MAX_PAGE_SIZE)) as u32),
                })
                .collect(),
            queries: values(db, "queries")
                .filter_map(|(name, q)| match q {
                    Value::String(sql) => Some(CannedQuery { name: name.clone(), sql: sql.clone(), title: None, description: None }),
                    Value::Object(q) => Some(CannedQuery {
                        name: name.clone(),
                        sql: text_of(q, "sql")?,
                        title: text_of(q, "title"),
                        description: text_of(q, "description"),
                    }),
                    _ => None,
                })
                .collect(),
        })
        .collect();
    Ok(Metadata { about: about(&root), databases })
}

/// The entries of the object at `key`, whatever their values.
fn values<'a>(object: &'a Map<String, Value>, key: &str) -> impl Iterator<Item = (&'a String, &'a Value)> + 'a {
    object.get(key).and_then(Value::as_object).into_iter().flat_map(|m| m.iter())
}

/// The entries of the object at `key` whose values are objects.
fn entries<'a>(object: &'a Map<String, Value>, key: &str) -> impl Iterator<Item = (&'a String, &'a Map<String, Value>)> + 'a {
    values(object, key).filter_map(|(k, v)| v.as_object().map(|o| (k, o)))
}

fn text_of(object: &Map<String, Value>, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(String::from)
}

fn about(object: &Map<String, Value>) -> About {
    About {
        title: text_of(object, "title"),
        description: text_of(object, "description"),
        license: text_of(object, "license"),
        license_url: text_of(object, "license_url"),
        source: text_of(object, "source"),
        source_url: text_of(object, "source_url"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_read_the_same() {
        let json = r#"{
          "title": "Music", "license": "MIT", "license_url": "https://opensource.org/licenses/MIT",
          "databases": {"chinook": {
            "description": "A store",
            "tables": {"Track": {"description": "Songs", "columns": {"Milliseconds": "Length"}, "label_column": "Name",
                                 "sort_desc": "Milliseconds", "size": 20, "facets": ["GenreId", {"array": "Tags"}, {"nope": "x"}]}},
            "queries": {"longest": {"sql": "select Name from Track order by Milliseconds desc limit :n", "title": "Longest tracks"},
                        "count": "select count(*) from Track"}
          }}
        }"#;
        let yaml = "title: Music\nlicense: MIT\nlicense_url: https://opensource.org/licenses/MIT\ndatabases:\n  chinook:\n    description: A store\n    tables:\n      Track:\n        description: Songs\n        columns:\n          Milliseconds: Length\n        label_column: Name\n        sort_desc: Milliseconds\n        size: 20\n        facets:\n          - GenreId\n          - array: Tags\n          - nope: x\n    queries:\n      longest:\n        sql: select Name from Track order by Milliseconds desc limit :n\n        title: Longest tracks\n      count: select count(*) from Track\n";
        let from_json = parse(json.as_bytes()).unwrap();
        assert_eq!(parse(yaml.as_bytes()).unwrap(), from_json);
        assert_eq!(from_json.about.title.as_deref(), Some("Music"));
        let db = &from_json.databases[0];
        assert_eq!(db.tables[0].columns, vec![("Milliseconds".to_string(), "Length".to_string())]);
        assert_eq!(db.tables[0].label_column.as_deref(), Some("Name"));
        assert_eq!(db.tables[0].sort, Some(SortBy { column: "Milliseconds".into(), descending: true }));
        assert_eq!(db.tables[0].size, Some(20));
        assert_eq!(
            db.tables[0].facets,
            [
                FacetRequest { column: "GenreId".into(), kind: FacetKind::Column },
                FacetRequest { column: "Tags".into(), kind: FacetKind::Array }
            ]
        );
        assert_eq!(db.queries.len(), 2);
        assert_eq!(db.queries[0].title.as_deref(), Some("Longest tracks"));
        assert!(parse(b"[1, 2]").is_err());
        assert!(parse(b"{ not: [valid").is_err());
    }
}
