//! A comparison as a file: JSON in csv-diff's shape (`added`, `removed`,
//! `changed` with `key` and `changes: {column: [old, new]}`,
//! `columns_added`, `columns_removed`), and CSV with one line per field
//! (`change`, the key's columns, `column`, `old`, `new`). Pure functions of
//! the worker's `CompareResult`, snapshot-tested.

use protocol::{Cell, CompareResult, RowGroup};
use serde_json::{json, Map, Value};

use crate::datasette_json;

/// A group's rows as objects, column by column.
fn objects(group: &RowGroup) -> Vec<Value> {
    group.rows.iter().map(|row| Value::Object(group.columns.iter().cloned().zip(row.iter().map(Cell::to_json)).collect())).collect()
}

/// One key value as itself, a composite key as a list.
fn key_json(key: &[Cell]) -> Value {
    match key {
        [one] => one.to_json(),
        many => Value::Array(many.iter().map(Cell::to_json).collect()),
    }
}

pub fn json(result: &CompareResult) -> String {
    let changed: Vec<Value> = result
        .changed
        .rows
        .iter()
        .map(|row| {
            let changes: Map<String, Value> =
                row.changes.iter().map(|(column, old, new)| (column.clone(), json!([old.to_json(), new.to_json()]))).collect();
            json!({ "key": key_json(&row.key), "changes": changes })
        })
        .collect();
    let document = json!({
        "key": result.key,
        "added": objects(&result.added),
        "removed": objects(&result.removed),
        "changed": changed,
        "columns_added": result.columns_added,
        "columns_removed": result.columns_removed,
    });
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

pub fn csv(result: &CompareResult) -> String {
    let mut columns = vec!["change".to_string()];
    columns.extend(result.key.iter().cloned());
    columns.extend(["column", "old", "new"].map(String::from));
    let mut rows = Vec::new();
    let mut whole_rows = |change: &str, group: &RowGroup, added: bool| {
        for row in &group.rows {
            let key: Vec<Cell> = result
                .key
                .iter()
                .map(|k| group.columns.iter().position(|c| c == k).and_then(|i| row.get(i).cloned()).unwrap_or(Cell::Null))
                .collect();
            for (column, value) in group.columns.iter().zip(row).filter(|(c, _)| !result.key.contains(c)) {
                let (old, new) = if added { (Cell::Null, value.clone()) } else { (value.clone(), Cell::Null) };
                let mut line = vec![Cell::Text(change.into())];
                line.extend(key.iter().cloned());
                line.extend([Cell::Text(column.clone()), old, new]);
                rows.push(line);
            }
        }
    };
    whole_rows("added", &result.added, true);
    whole_rows("removed", &result.removed, false);
    for row in &result.changed.rows {
        for (column, old, new) in &row.changes {
            let mut line = vec![Cell::Text("changed".into())];
            line.extend(row.key.iter().cloned());
            line.extend([Cell::Text(column.clone()), old.clone(), new.clone()]);
            rows.push(line);
        }
    }
    datasette_json::csv(&columns, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{ChangedGroup, ChangedRow};

    fn people() -> CompareResult {
        let columns = vec!["id".to_string(), "name".to_string()];
        CompareResult {
            key: vec!["id".into()],
            key_guessed: true,
            common_columns: columns.clone(),
            columns_added: vec!["email".into()],
            columns_removed: vec![],
            type_changes: vec![],
            added: RowGroup {
                count: 1,
                columns: vec!["id".into(), "name".into(), "email".into()],
                rows: vec![vec![Cell::Integer(5), Cell::Text("New".into()), Cell::Null]],
            },
            removed: RowGroup { count: 1, columns, rows: vec![vec![Cell::Integer(4), Cell::Text("Gone, \"old\"".into())]] },
            changed: ChangedGroup {
                count: 1,
                rows: vec![ChangedRow {
                    key: vec![Cell::Integer(1)],
                    changes: vec![("name".into(), Cell::Text("Cleo".into()), Cell::Text("Cleopatra".into()))],
                }],
            },
            notes: vec![],
        }
    }

    #[test]
    fn a_comparison_as_csv_diff_json_and_as_csv() {
        expect_test::expect![[r#"
            {
              "key": [
                "id"
              ],
              "added": [
                {
                  "id": 5,
                  "name": "New",
                  "email": null
                }
              ],
              "removed": [
                {
                  "id": 4,
                  "name": "Gone, \"old\""
                }
              ],
              "changed": [
                {
                  "key": 1,
                  "changes": {
                    "name": [
                      "Cleo",
                      "Cleopatra"
                    ]
                  }
                }
              ],
              "columns_added": [
                "email"
              ],
              "columns_removed": []
            }
        "#]]
        .assert_eq(&json(&people()));
        expect_test::expect![[r#"
            change,id,column,old,new
            added,5,name,,New
            added,5,email,,
            removed,4,name,"Gone, ""old""",
            changed,1,name,Cleo,Cleopatra
        "#]]
        .assert_eq(&csv(&people()).replace("\r\n", "\n"));
    }
}
