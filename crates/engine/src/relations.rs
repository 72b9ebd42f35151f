//! Foreign keys: which columns point where, where each value on a page
//! links to (with the label of the row it names), and which rows elsewhere
//! point at a given row.

use protocol::{Cell, ColumnLinks, Filter, FilterOp, IncomingLink, LinkTarget, LinkedValue};
use rusqlite::Connection;

use crate::error::Result;
use crate::plan::{key_text, plan};
use crate::schema::table_columns;
use crate::sql::{cell_from_ref, quote_ident, value_from_cell};
use crate::time_limit::{with_time_limit, Clock};

/// `column` of this table holds values of `other_column` of `other_table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub column: String,
    pub other_table: String,
    pub other_column: String,
}

/// Foreign keys declared on `table`. A key naming no column points at the
/// other table's primary key, which is filled in here.
pub fn foreign_keys(conn: &Connection, table: &str) -> Result<Vec<ForeignKey>> {
    let mut stmt = conn.prepare("SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq")?;
    let rows = stmt.query_map([table], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)))?;
    let mut keys = Vec::new();
    for row in rows {
        let (column, other_table, other_column) = row?;
        let other_column = match other_column {
            Some(c) => c,
            None => primary_key(conn, &other_table)?.into_iter().next().unwrap_or_else(|| "rowid".into()),
        };
        keys.push(ForeignKey { column, other_table, other_column });
    }
    Ok(keys)
}

fn primary_key(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut pk: Vec<_> = table_columns(conn, table)?.into_iter().filter(|c| c.pk > 0).collect();
    pk.sort_by_key(|c| c.pk);
    Ok(pk.into_iter().map(|c| c.name).collect())
}

/// The column that names a row of `table` for people, as Datasette picks
/// it: the one metadata names; else a column called name, title or label;
/// else the only column besides a one-column primary key.
pub fn label_column(conn: &Connection, table: &str, from_metadata: Option<&str>) -> Option<String> {
    let columns = table_columns(conn, table).ok()?;
    if let Some(c) = from_metadata {
        return columns.iter().find(|col| col.name == c).map(|col| col.name.clone());
    }
    for wanted in ["name", "title", "label"] {
        if let Some(c) = columns.iter().find(|c| c.name.eq_ignore_ascii_case(wanted)) {
            return Some(c.name.clone());
        }
    }
    let pk: Vec<_> = columns.iter().filter(|c| c.pk > 0).collect();
    match (columns.len(), pk.len()) {
        (2, 1) => columns.iter().find(|c| c.pk == 0).map(|c| c.name.clone()),
        _ => None,
    }
}

/// Label columns set by metadata, by table name.
pub type LabelColumns = std::collections::HashMap<String, String>;

/// Where the values that `keys`' columns take in `rows` link to, with the
/// labels of the rows they name when the other table has a label column
/// and `limit_ms` allows (0: no labels).
pub fn links(
    conn: &mut Connection,
    clock: Clock,
    keys: &[ForeignKey],
    columns: &[String],
    rows: &[Vec<Cell>],
    limit_ms: u32,
    chosen: &LabelColumns,
) -> Vec<ColumnLinks> {
    let mut out = Vec::new();
    for fk in keys {
        let Some(index) = columns.iter().position(|c| *c == fk.column) else { continue };
        let mut values: Vec<Cell> = Vec::new();
        for row in rows {
            let value = &row[index];
            if !value.is_null() && !values.contains(value) {
                values.push(value.clone());
            }
        }
        if values.is_empty() {
            continue;
        }
        // The value names a row when it is the other table's whole row key;
        // else it links to the rows that hold it.
        let names_row =
            plan(conn, &fk.other_table).is_ok_and(|p| matches!(&p.row_key[..], [k] if k.eq_ignore_ascii_case(&fk.other_column)));
        let labels = match limit_ms {
            0 => Vec::new(),
            ms => labels(conn, clock, fk, &values, ms, chosen),
        };
        let values = values
            .into_iter()
            .map(|value| {
                let text = key_text(&value);
                let target = if names_row {
                    LinkTarget::Row(vec![text])
                } else {
                    LinkTarget::Rows(Filter { column: fk.other_column.clone(), op: FilterOp::Exact, value: text })
                };
                let label = labels.iter().find(|(v, _)| *v == value).map(|(_, l)| l.clone());
                LinkedValue { value, label, target }
            })
            .collect();
        out.push(ColumnLinks { column: fk.column.clone(), other_table: fk.other_table.clone(), values });
    }
    out
}

/// The label column's value for each of `values` in the other table.
pub(crate) fn labels(
    conn: &mut Connection,
    clock: Clock,
    fk: &ForeignKey,
    values: &[Cell],
    limit_ms: u32,
    chosen: &LabelColumns,
) -> Vec<(Cell, String)> {
    let Some(label) = label_column(conn, &fk.other_table, chosen.get(&fk.other_table).map(String::as_str)) else { return Vec::new() };
    if label == fk.other_column {
        return Vec::new();
    }
    let sql = format!(
        "SELECT {oc}, {lc} FROM {t} WHERE {oc} IN ({marks})",
        oc = quote_ident(&fk.other_column),
        lc = quote_ident(&label),
        t = quote_ident(&fk.other_table),
        marks = vec!["?"; values.len()].join(", ")
    );
    with_time_limit(conn, clock, limit_ms, |c| {
        let mut stmt = c.prepare(&sql)?;
        let params: Vec<_> = values.iter().map(value_from_cell).collect();
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok((cell_from_ref(r.get_ref(0)?), cell_from_ref(r.get_ref(1)?).display()))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    })
    .unwrap_or_default()
}

/// Rows in other tables whose foreign keys point at the row with these
/// `values` (for `columns`) of `table`, with counts.
pub fn incoming(
    conn: &mut Connection,
    clock: Clock,
    table: &str,
    columns: &[String],
    values: &[Cell],
    limit_ms: u32,
) -> Result<Vec<IncomingLink>> {
    let mut others: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    others.sort_by_key(|t: &String| t.to_lowercase());
    let mut links = Vec::new();
    for other in others {
        for fk in foreign_keys(conn, &other)? {
            if !fk.other_table.eq_ignore_ascii_case(table) {
                continue;
            }
            let Some(index) = columns.iter().position(|c| c.eq_ignore_ascii_case(&fk.other_column)) else { continue };
            let value = values[index].clone();
            let sql = format!("SELECT count(*) FROM {} WHERE {} = ?", quote_ident(&other), quote_ident(&fk.column));
            let count =
                with_time_limit(conn, clock, limit_ms, |c| Ok(c.query_row(&sql, [value_from_cell(&value)], |r| r.get::<_, i64>(0))?))
                    .ok()
                    .map(|n| n as u64);
            let filter = Filter { column: fk.column.clone(), op: FilterOp::Exact, value: key_text(&value) };
            links.push(IncomingLink { table: other.clone(), column: fk.column, our_column: fk.other_column, value, count, filter });
        }
    }
    Ok(links)
}
