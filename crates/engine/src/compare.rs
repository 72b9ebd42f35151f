//! Two tables compared by a key, as csv-diff compares two versions of a
//! CSV, in SQL: rows only in the right table (added), only in the left
//! (removed), and in both with fields that differ (changed). Values are
//! compared as text, so `'1'` and `1` are the same value (two CSV imports
//! may type a column differently); the column's type change is reported
//! apart. Tables in two databases are compared by copying the right one
//! into a temporary table of the left's connection first (SQLite compares
//! within one connection; attaching is off).

use protocol::{ChangedGroup, ChangedRow, CompareRequest, CompareResult, RowGroup, MAX_COMPARE_ROWS};
use rusqlite::Connection;

use crate::error::{Error, ErrorKind, Result};
use crate::sql::{cell_from_ref, quote_ident, value_from_cell};
use crate::time_limit::{with_time_limit, Clock};

/// Each statement of a comparison may take this long (two tables of a
/// million rows compare in a few seconds).
pub const COMPARE_TIME_LIMIT_MS: u32 = 30_000;
/// The right table's copy when the tables are in two databases.
const RIGHT_COPY: &str = "compare_right";
/// Common columns tried as a guessed key.
const KEY_CANDIDATES: usize = 20;

/// A table's columns: name, declared type, place in the primary key (0:
/// none).
struct Columns(Vec<(String, String, i64)>);

impl Columns {
    fn read(conn: &Connection, table: &str, schema: &str) -> Result<Columns> {
        let mut statement = conn.prepare("SELECT name, type, pk FROM pragma_table_info(?, ?)")?;
        let columns: Vec<(String, String, i64)> =
            statement.query_map([table, schema], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        if columns.is_empty() {
            return Err(Error::new(ErrorKind::NotFound, format!("There is no table or view named “{table}” to compare.")));
        }
        Ok(Columns(columns))
    }

    fn names(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|c| &c.0)
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|c| c.0 == name)
    }

    fn declared(&self, name: &str) -> String {
        self.0.iter().find(|c| c.0 == name).map(|c| c.1.to_ascii_uppercase()).unwrap_or_default()
    }

    fn primary_key(&self) -> Vec<String> {
        let mut pk: Vec<&(String, String, i64)> = self.0.iter().filter(|c| c.2 > 0).collect();
        pk.sort_by_key(|c| c.2);
        pk.into_iter().map(|c| c.0.clone()).collect()
    }
}

/// Copies `table` of `from` into a temporary table of `into`, with its
/// columns' declared types; returns its name as SQL.
pub fn copy_right_table(into: &mut Connection, from: &mut Connection, clock: Clock, table: &str) -> Result<String> {
    let columns = Columns::read(from, table, "main")?;
    let definitions: Vec<String> = columns.0.iter().map(|(n, t, _)| format!("{} {t}", quote_ident(n))).collect();
    into.execute_batch(&format!("DROP TABLE IF EXISTS temp.{RIGHT_COPY}; CREATE TEMP TABLE {RIGHT_COPY} ({});", definitions.join(", ")))?;
    let marks = vec!["?"; columns.0.len()].join(", ");
    let insert = format!("INSERT INTO temp.{RIGHT_COPY} VALUES ({marks})");
    let select = format!("SELECT * FROM {}", quote_ident(table));
    into.execute_batch("BEGIN")?;
    let copied = with_time_limit(from, clock, COMPARE_TIME_LIMIT_MS, |from| {
        let mut read = from.prepare(&select)?;
        let mut write = into.prepare_cached(&insert)?;
        let width = read.column_count();
        let mut rows = read.raw_query();
        while let Some(row) = rows.next()? {
            let values: Vec<rusqlite::types::Value> =
                (0..width).map(|i| row.get_ref(i).map(|v| value_from_cell(&cell_from_ref(v)))).collect::<rusqlite::Result<_>>()?;
            write.execute(rusqlite::params_from_iter(values))?;
        }
        Ok(())
    });
    into.execute_batch(if copied.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
    copied.map(|()| format!("temp.{RIGHT_COPY}"))
}

/// Drops the right table's copy, if there is one.
pub fn drop_copy(conn: &Connection) {
    let _ = conn.execute_batch(&format!("DROP TABLE IF EXISTS temp.{RIGHT_COPY}"));
}

/// Compares `left` with `right` (as SQL: a quoted name, or the copy's
/// `temp.compare_right`), both on `conn`.
pub fn compare(conn: &mut Connection, clock: Clock, req: &CompareRequest, right_sql: &str) -> Result<CompareResult> {
    let limit = req.limit.clamp(1, MAX_COMPARE_ROWS);
    let left_columns = Columns::read(conn, &req.left.table, "main")?;
    let right_columns = match right_sql.strip_prefix("temp.") {
        Some(copy) => Columns::read(conn, copy, "temp")?,
        None => Columns::read(conn, &req.right.table, "main")?,
    };
    let left_sql = quote_ident(&req.left.table);
    let common: Vec<String> = left_columns.names().filter(|n| right_columns.has(n)).cloned().collect();
    let columns_added: Vec<String> = right_columns.names().filter(|n| !left_columns.has(n)).cloned().collect();
    let columns_removed: Vec<String> = left_columns.names().filter(|n| !right_columns.has(n)).cloned().collect();
    let type_changes = common
        .iter()
        .filter(|c| left_columns.declared(c) != right_columns.declared(c))
        .map(|c| (c.clone(), left_columns.declared(c), right_columns.declared(c)))
        .collect();
    let run = |conn: &mut Connection, sql: &str, read: &mut dyn FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>| {
        with_time_limit(conn, clock, COMPARE_TIME_LIMIT_MS, |c| {
            let mut statement = c.prepare(sql)?;
            // The pages' LIMIT and OFFSET (a count has neither).
            if statement.parameter_count() == 2 {
                statement.raw_bind_parameter(1, i64::from(limit))?;
                statement.raw_bind_parameter(2, i64::try_from(req.offset).unwrap_or(i64::MAX))?;
            }
            let mut rows = statement.raw_query();
            while let Some(row) = rows.next()? {
                read(row)?;
            }
            Ok(())
        })
    };
    let count_of = |conn: &mut Connection, sql: &str| -> Result<u64> {
        let mut n = 0;
        run(conn, sql, &mut |r| {
            n = r.get::<_, i64>(0)?.max(0) as u64;
            Ok(())
        })?;
        Ok(n)
    };
    let (key, key_guessed) = if req.key.is_empty() {
        (guess_key(conn, clock, &left_columns, &left_sql, right_sql, &common)?, true)
    } else {
        if let Some(missing) = req.key.iter().find(|k| !common.contains(k)) {
            return Err(Error::new(ErrorKind::BadRequest, format!("The key column “{missing}” is not in both tables.")));
        }
        (req.key.clone(), false)
    };
    if key.is_empty() {
        return Err(Error::new(
            ErrorKind::BadRequest,
            "No column names each row in both tables (a primary key, or a column unique and never empty in both): choose the key.",
        ));
    }
    let mut notes = Vec::new();
    let grouped = key.iter().map(|k| quote_ident(k)).collect::<Vec<_>>().join(", ");
    for (side, table) in [("left", &left_sql), ("right", &right_sql.to_string())] {
        let repeated = count_of(conn, &format!("SELECT count(*) FROM (SELECT 1 FROM {table} GROUP BY {grouped} HAVING count(*) > 1)"))?;
        if repeated > 0 {
            notes.push(format!(
                "The key is not unique in the {side} table: {repeated} of its values name more than one row, and each such row is compared with every match."
            ));
        }
    }
    let joined = key.iter().map(|k| format!("l.{c} IS r.{c}", c = quote_ident(k))).collect::<Vec<_>>().join(" AND ");
    let order = |alias: &str| key.iter().map(|k| format!("{alias}.{}", quote_ident(k))).collect::<Vec<_>>().join(", ");
    // An anti-join: SQLite builds a temporary index for the join (a
    // correlated NOT EXISTS took minutes on a million rows).
    let keys = key.iter().map(|k| quote_ident(k)).collect::<Vec<_>>().join(", ");
    let only = |mine: &str, alias: &str, other: &str, other_alias: &str| {
        format!(
            "FROM {mine} {alias} LEFT JOIN (SELECT {keys}, 1 AS compare_present FROM {other}) {other_alias} ON {joined} \
             WHERE {other_alias}.compare_present IS NULL"
        )
    };
    // Each group's count comes with its first rows (a window over the
    // whole result), so each join runs once.
    let group = |conn: &mut Connection, from: String, alias: &str, columns: &Columns| -> Result<RowGroup> {
        let names: Vec<String> = columns.names().cloned().collect();
        let selected = names.iter().map(|n| format!("{alias}.{}", quote_ident(n))).collect::<Vec<_>>().join(", ");
        let (mut rows, mut count) = (Vec::new(), 0);
        run(conn, &format!("SELECT {selected}, count(*) OVER () {from} ORDER BY {} LIMIT ? OFFSET ?", order(alias)), &mut |r| {
            rows.push((0..names.len()).map(|i| r.get_ref(i).map(cell_from_ref)).collect::<rusqlite::Result<Vec<_>>>()?);
            count = r.get::<_, i64>(names.len())?.max(0) as u64;
            Ok(())
        })?;
        // A page past the group's end has no row to carry its count.
        if rows.is_empty() && req.offset > 0 {
            count = count_of(conn, &format!("SELECT count(*) {from}"))?;
        }
        Ok(RowGroup { count, columns: names, rows })
    };
    let added = group(conn, only(right_sql, "r", &left_sql, "l"), "r", &right_columns)?;
    let removed = group(conn, only(&left_sql, "l", right_sql, "r"), "l", &left_columns)?;
    let compared: Vec<&String> = common.iter().filter(|c| !key.contains(c)).collect();
    let differs = |c: &str| format!("CAST(l.{c} AS TEXT) IS NOT CAST(r.{c} AS TEXT)", c = quote_ident(c));
    let changed = if compared.is_empty() {
        ChangedGroup::default()
    } else {
        let any = compared.iter().map(|c| differs(c)).collect::<Vec<_>>().join(" OR ");
        let from = format!("FROM {left_sql} l JOIN {right_sql} r ON {joined} WHERE {any}");
        let mut select: Vec<String> = key.iter().map(|k| format!("l.{}", quote_ident(k))).collect();
        for c in &compared {
            select.push(format!("l.{}", quote_ident(c)));
            select.push(format!("r.{}", quote_ident(c)));
            select.push(differs(c));
        }
        let (mut rows, mut count) = (Vec::new(), 0);
        let total_at = key.len() + compared.len() * 3;
        run(conn, &format!("SELECT {}, count(*) OVER () {from} ORDER BY {} LIMIT ? OFFSET ?", select.join(", "), order("l")), &mut |r| {
            let key_cells = (0..key.len()).map(|i| r.get_ref(i).map(cell_from_ref)).collect::<rusqlite::Result<Vec<_>>>()?;
            let mut changes = Vec::new();
            for (i, c) in compared.iter().enumerate() {
                let at = key.len() + i * 3;
                if r.get::<_, bool>(at + 2)? {
                    changes.push(((*c).clone(), cell_from_ref(r.get_ref(at)?), cell_from_ref(r.get_ref(at + 1)?)));
                }
            }
            rows.push(ChangedRow { key: key_cells, changes });
            count = r.get::<_, i64>(total_at)?.max(0) as u64;
            Ok(())
        })?;
        if rows.is_empty() && req.offset > 0 {
            count = count_of(conn, &format!("SELECT count(*) {from}"))?;
        }
        ChangedGroup { count, rows }
    };
    Ok(CompareResult {
        key,
        key_guessed,
        common_columns: common,
        columns_added,
        columns_removed,
        type_changes,
        added,
        removed,
        changed,
        notes,
    })
}

/// The left table's primary key when both have its columns, else the
/// first common column (those named like keys first) that is unique and
/// never NULL in both; empty when none is.
fn guess_key(
    conn: &mut Connection,
    clock: Clock,
    left: &Columns,
    left_sql: &str,
    right_sql: &str,
    common: &[String],
) -> Result<Vec<String>> {
    let pk = left.primary_key();
    if !pk.is_empty() && pk.iter().all(|c| common.contains(c)) {
        return Ok(pk);
    }
    let keyish = |c: &String| {
        let lower = c.to_ascii_lowercase();
        lower == "id" || lower.ends_with("_id") || c.ends_with("Id") || c.ends_with("ID")
    };
    let mut candidates: Vec<&String> = common.iter().filter(|c| keyish(c)).chain(common.iter().filter(|c| !keyish(c))).collect();
    candidates.truncate(KEY_CANDIDATES);
    for candidate in candidates {
        let c = quote_ident(candidate);
        let names_rows = |conn: &mut Connection, table: &str| -> Result<bool> {
            let sql = format!("SELECT count(*) > 0 AND count(*) = count({c}) AND count(*) = count(DISTINCT {c}) FROM {table}");
            with_time_limit(conn, clock, COMPARE_TIME_LIMIT_MS, |conn| Ok(conn.query_row(&sql, [], |r| r.get::<_, bool>(0))?))
        };
        if names_rows(conn, left_sql)? && names_rows(conn, right_sql)? {
            return Ok(vec![candidate.clone()]);
        }
    }
    Ok(Vec::new())
}
