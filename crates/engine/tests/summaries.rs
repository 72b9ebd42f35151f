//! Column summaries of table views and queries, on Chinook: types, nulls,
//! distinct values, min and max, top values and histograms, made a column
//! at a time.

mod common;

use engine::{Engine, ErrorKind};
use protocol::{Cell, ColumnSummary, Filter, FilterOp, QueryRequest, SummarySource};

fn summarize(engine: &mut Engine, source: SummarySource) -> engine::Result<Vec<ColumnSummary>> {
    let db = source.db().to_string();
    let mut summarizer = engine.begin_summary(&source)?;
    let mut steps = 1;
    while engine.summary_step(&db, &mut summarizer) {
        steps += 1;
    }
    let found = summarizer.found();
    assert_eq!(steps, found.len(), "one column a step");
    Ok(found)
}

fn column<'a>(summaries: &'a [ColumnSummary], name: &str) -> &'a ColumnSummary {
    summaries.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no summary of {name}"))
}

#[test]
fn a_table_is_summarized_column_by_column() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let summaries = summarize(&mut engine, SummarySource::Table(common::page_request(&db, "Invoice"))).unwrap();
    assert_eq!(summaries.len(), 9);
    let id = column(&summaries, "InvoiceId");
    assert_eq!((id.rows, id.nulls, id.distinct, id.distinct_estimated), (412, 0, Some(412), false));
    assert_eq!((id.min.clone(), id.max.clone()), (Some(Cell::Integer(1)), Some(Cell::Integer(412))));
    assert_eq!(id.declared_type, "INTEGER");
    assert_eq!(id.types, [("integer".to_string(), 412)]);
    assert!(id.top.is_empty(), "no value repeats");
    let histogram = id.histogram.as_ref().expect("numbers have a histogram");
    assert_eq!((histogram.counts.len(), histogram.counts.iter().sum::<u64>(), histogram.dates), (20, 412, false));
    let state = column(&summaries, "BillingState");
    assert_eq!((state.nulls, state.distinct), (202, Some(25)));
    assert!(state.histogram.is_none(), "text has value bars, not a histogram");
    let country = column(&summaries, "BillingCountry");
    assert_eq!(country.top[0], (Cell::Text("USA".into()), 91));
    assert_eq!(country.top.len(), 5);
    let date = column(&summaries, "InvoiceDate");
    assert!(date.histogram.as_ref().is_some_and(|h| h.dates && h.counts.iter().sum::<u64>() == 412), "{date:?}");
    assert_eq!(column(&summaries, "Total").types, [("real".to_string(), 412)]);
}

#[test]
fn summaries_follow_the_views_filters_and_queries() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let mut request = common::page_request(&db, "Invoice");
    request.filters = vec![Filter { column: "BillingCountry".into(), op: FilterOp::Exact, value: "USA".into() }];
    request.hidden = vec!["BillingAddress".into()];
    let summaries = summarize(&mut engine, SummarySource::Table(request)).unwrap();
    assert_eq!(column(&summaries, "Total").rows, 91);
    assert!(summaries.iter().all(|s| s.name != "BillingAddress"), "hidden columns are left out");

    let query = |sql: &str| QueryRequest {
        db: db.clone(),
        sql: sql.into(),
        params: vec![("least".into(), "15".into())],
        time_limit_ms: 1000,
        max_rows: 1000,
        allow_writes: false,
    };
    let summaries = summarize(
        &mut engine,
        SummarySource::Query(query("select Total, BillingCountry as country from Invoice where Total > :least -- why")),
    )
    .unwrap();
    assert_eq!(summaries.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Total", "country"]);
    assert_eq!(summaries[0].rows, 11);
    // Only a query that reads rows.
    let error = summarize(&mut engine, SummarySource::Query(query("delete from Invoice"))).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BadRequest);
    assert!(summarize(&mut engine, SummarySource::Query(query("select * from nowhere"))).is_err());
}
