//! Comparing two versions of a table, as csv-diff does: rows added,
//! removed and changed with the fields that changed, columns added and
//! removed, keys guessed or given (composite too), NULLs, a value typed
//! differently by two imports ('1' and 1 are the same), and tables in two
//! databases.

mod common;

use engine::Engine;
use expect_test::expect;
use protocol::{CompareRequest, CompareResult, TableRef};

fn import(engine: &mut Engine, name: &str, csv: &str) -> String {
    let mut import = engine.begin_import(name, engine::import::Format::Delimited, Default::default()).unwrap();
    engine.push_import(&mut import, csv.as_bytes()).unwrap();
    engine.finish_import(import).unwrap().table.unwrap()
}

fn compare(engine: &mut Engine, left: (&str, &str), right: (&str, &str), key: &[&str]) -> engine::Result<CompareResult> {
    engine.compare(&CompareRequest {
        left: TableRef { db: left.0.into(), table: left.1.into() },
        right: TableRef { db: right.0.into(), table: right.1.into() },
        key: key.iter().map(|k| k.to_string()).collect(),
        limit: 100,
        offset: 0,
    })
}

/// The comparison in lines, as the compare page says it.
fn outline(r: &CompareResult) -> String {
    let mut lines = vec![format!(
        "key {:?}{}; {} added, {} removed, {} changed; columns added {:?}, removed {:?}; types {:?}",
        r.key,
        if r.key_guessed { " (guessed)" } else { "" },
        r.added.count,
        r.removed.count,
        r.changed.count,
        r.columns_added,
        r.columns_removed,
        r.type_changes
    )];
    let show = |row: &[protocol::Cell]| row.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(" ");
    lines.extend(r.added.rows.iter().map(|row| format!("+ {}", show(row))));
    lines.extend(r.removed.rows.iter().map(|row| format!("- {}", show(row))));
    for row in &r.changed.rows {
        let changes: Vec<String> = row.changes.iter().map(|(c, old, new)| format!("{c}: {old:?} → {new:?}")).collect();
        lines.push(format!("~ {} {}", show(&row.key), changes.join(", ")));
    }
    lines.extend(r.notes.iter().cloned());
    lines.join("\n")
}

#[test]
fn two_versions_of_a_csv_differ_by_rows_fields_and_columns() {
    let mut engine = Engine::new(engine::native_clock);
    let old = import(&mut engine, "people-2024.csv", "id,name,age,zip\n1,Cleo,4,01234\n2,Pancakes,2,N/A\n3,Bailey,1,\n4,Gone,9,55555\n");
    let new = import(&mut engine, "people-2025.csv", "id,name,age,email\n1,Cleo,5,c@x\n2,Pancakes,2,\n3,Bailey,1,b@x\n5,New,3,\n");
    let result = compare(&mut engine, ("data", &old), ("data", &new), &[]).unwrap();
    expect![[r#"
        key ["id"] (guessed); 1 added, 1 removed, 1 changed; columns added ["email"], removed ["zip"]; types []
        + Integer(5) Text("New") Integer(3) Null
        - Integer(4) Text("Gone") Integer(9) Text("55555")
        ~ Integer(1) age: Integer(4) → Integer(5)"#]]
    .assert_eq(&outline(&result));
}

#[test]
fn groups_page_by_key() {
    let mut engine = Engine::new(engine::native_clock);
    let old = import(&mut engine, "a.csv", "id,v\n1,a\n2,b\n3,c\n4,d\n5,e\n");
    let new = import(&mut engine, "b.csv", "id,v\n1,A\n2,B\n3,C\n4,d\n5,E\n9,new\n");
    let page = |engine: &mut Engine, offset: u64| {
        let request = CompareRequest {
            left: TableRef { db: "data".into(), table: old.clone() },
            right: TableRef { db: "data".into(), table: new.clone() },
            key: vec![],
            limit: 2,
            offset,
        };
        let r = engine.compare(&request).unwrap();
        let keys: Vec<String> = r.changed.rows.iter().map(|row| row.key[0].display()).collect();
        format!("changed {} {keys:?}, added {} {}", r.changed.count, r.added.count, r.added.rows.len())
    };
    let pages = [page(&mut engine, 0), page(&mut engine, 2), page(&mut engine, 4)];
    // The counts stay whole on every page, past a group's end too.
    assert_eq!(pages, ["changed 4 [\"1\", \"2\"], added 1 1", "changed 4 [\"3\", \"5\"], added 1 0", "changed 4 [], added 1 0"]);
}

#[test]
fn a_value_typed_differently_is_the_same_and_nulls_compare() {
    let mut engine = Engine::new(engine::native_clock);
    // `code` is INTEGER in one file, TEXT in the other (one value is not a
    // number); the same digits are the same value.
    let old = import(&mut engine, "a.csv", "k,code,note\n1,10,x\n2,20,\n3,30,y\n");
    let new = import(&mut engine, "b.csv", "k,code,note\n1,10,x\n2,20,z\n3,thirty,\n");
    let result = compare(&mut engine, ("data", &old), ("data", &new), &["k"]).unwrap();
    expect![[r#"
        key ["k"]; 0 added, 0 removed, 2 changed; columns added [], removed []; types [("code", "INTEGER", "TEXT")]
        ~ Integer(2) note: Null → Text("z")
        ~ Integer(3) code: Integer(30) → Text("thirty"), note: Text("y") → Null"#]]
    .assert_eq(&outline(&result));
}

#[test]
fn composite_keys_and_tables_in_two_databases() {
    let (mut engine, chinook) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let sales = import(&mut engine, "sales.csv", "InvoiceId,TrackId,Quantity\n1,2,1\n1,4,2\n2,10,1\n999,1,1\n");
    // InvoiceLine in Chinook against a CSV, by (InvoiceId, TrackId).
    let result = compare(&mut engine, (&chinook, "InvoiceLine"), ("data", &sales), &["InvoiceId", "TrackId"]).unwrap();
    assert_eq!((result.added.count, result.changed.count), (1, 1));
    assert_eq!(result.removed.count, 2240 - 3);
    assert_eq!(result.columns_removed, ["InvoiceLineId", "UnitPrice"]);
    expect![[r#"Integer(1) Integer(4) Quantity: Integer(1) → Integer(2)"#]].assert_eq(&format!(
        "{:?} {:?} {}: {:?} → {:?}",
        result.changed.rows[0].key[0],
        result.changed.rows[0].key[1],
        result.changed.rows[0].changes[0].0,
        result.changed.rows[0].changes[0].1,
        result.changed.rows[0].changes[0].2
    ));
    // The copy made for the comparison is gone afterwards.
    let temp = engine.query(&protocol::QueryRequest {
        db: chinook.clone(),
        sql: "SELECT count(*) FROM temp.sqlite_schema".into(),
        params: vec![],
        time_limit_ms: 1000,
        max_rows: 10,
        allow_writes: false,
    });
    assert_eq!(temp.unwrap().rows[0][0], protocol::Cell::Integer(0));
}

#[test]
fn keys_that_cannot_work_are_said() {
    let mut engine = Engine::new(engine::native_clock);
    let old = import(&mut engine, "a.csv", "name,n\nx,1\nx,2\n");
    let new = import(&mut engine, "b.csv", "name,n\nx,1\ny,1\n");
    let errors: Vec<String> =
        [compare(&mut engine, ("data", &old), ("data", &new), &[]), compare(&mut engine, ("data", &old), ("data", &new), &["nope"])]
            .into_iter()
            .map(|r| r.unwrap_err().message().to_string())
            .collect();
    expect![[r#"
        No column names each row in both tables (a primary key, or a column unique and never empty in both): choose the key.
        The key column “nope” is not in both tables."#]]
    .assert_eq(&errors.join("\n"));
    let repeated = compare(&mut engine, ("data", &old), ("data", &new), &["name"]).unwrap();
    expect![[r#"The key is not unique in the left table: 1 of its values name more than one row, and each such row is compared with every match."#]]
        .assert_eq(&repeated.notes.join("\n"));
}
