//! Charts on Chinook and on generated results of 100,000 rows: what is
//! guessed when the spec is silent, and that every kind comes back
//! reduced to what a picture can show.

mod common;

use engine::{Engine, ErrorKind};
use expect_test::expect;
use protocol::{Aggregate, ChartData, ChartKind, ChartRequest, ChartSpec, Filter, FilterOp, Marks, QueryRequest, SummarySource};

const WIDTH: u32 = 600;

fn query(db: &str, sql: &str) -> SummarySource {
    SummarySource::Query(QueryRequest {
        db: db.into(),
        sql: sql.into(),
        params: Vec::new(),
        time_limit_ms: 1000,
        max_rows: 1000,
        allow_writes: false,
    })
}

fn chart(engine: &mut Engine, source: SummarySource, spec: ChartSpec) -> engine::Result<ChartData> {
    engine.chart(&ChartRequest { source, spec, width: WIDTH })
}

fn spec(kind: Option<ChartKind>, x: Option<&str>, y: Option<&str>, color: Option<&str>, agg: Option<Aggregate>) -> ChartSpec {
    ChartSpec { kind, x: x.map(Into::into), y: y.map(Into::into), color: color.map(Into::into), agg }
}

/// The chart in a few lines: its choices, scale, series and marks' sizes.
fn outline(d: &ChartData) -> String {
    let c = &d.chart;
    let marks = match &d.marks {
        Marks::Bars { values, stacked } => {
            let first: Vec<String> = d.categories.iter().zip(values).take(3).map(|(c, v)| format!("{c}={v:?}")).collect();
            format!("{} bars, stacked {stacked}: {}", values.len(), first.join(" "))
        }
        Marks::Bins { edges, counts } => format!(
            "{} bins from {} to {}, counts {:?}",
            counts.len(),
            edges[0],
            edges[edges.len() - 1],
            counts.iter().map(|c| c.iter().sum::<f64>()).collect::<Vec<_>>()
        ),
        Marks::Lines { points } => {
            format!("lines of {:?} points, first {:?}", points.iter().map(Vec::len).collect::<Vec<_>>(), points[0].first())
        }
        Marks::Points { points, cell } => {
            format!("points {:?}, cells {}", points.iter().map(Vec::len).collect::<Vec<_>>(), cell.is_some())
        }
    };
    format!(
        "{} x={} y={:?} colour={:?} agg={} scale={:?} series={:?} rows={}\n{marks}\n{}",
        c.kind.name(),
        c.x,
        c.y,
        c.color,
        c.agg.name(),
        d.x_scale,
        d.series,
        d.rows,
        d.notes.join("\n")
    )
}

#[test]
fn a_table_with_a_date_and_a_number_is_charted_as_a_line() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let data = chart(&mut engine, SummarySource::Table(common::page_request(&db, "Invoice")), ChartSpec::default()).unwrap();
    expect![[r#"
        line x=InvoiceDate y=Some("Total") colour=None agg=sum scale=Date series=[] rows=412
        lines of [334] points, first Some((18628.0, 1.98))
    "#]]
    .assert_eq(&outline(&data));
    assert_eq!(data.columns.len(), 9);
}

#[test]
fn text_and_a_count_make_bars_biggest_first_and_colours_stack() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let genres = "SELECT g.Name AS genre, m.Name AS media, t.Milliseconds FROM Track t JOIN Genre g USING (GenreId) JOIN MediaType m USING (MediaTypeId)";
    let data = chart(&mut engine, query(&db, genres), ChartSpec::default()).unwrap();
    expect![[r#"
        bar x=genre y=None colour=None agg=count scale=Category series=[] rows=3503
        25 bars, stacked false: Rock=[Some(1297.0)] Latin=[Some(579.0)] Metal=[Some(374.0)]
    "#]]
    .assert_eq(&outline(&data));
    let data = chart(&mut engine, query(&db, genres), spec(None, Some("genre"), None, Some("media"), None)).unwrap();
    expect![[r#"
        bar x=genre y=None colour=Some("media") agg=count scale=Category series=["MPEG audio file", "Protected AAC audio file", "Protected MPEG-4 video file", "AAC audio file", "Purchased AAC audio file"] rows=3503
        25 bars, stacked true: Rock=[Some(1211.0), Some(84.0), None, Some(2.0), None] Latin=[Some(578.0), None, None, Some(1.0), None] Metal=[Some(374.0), None, None, None, None]
    "#]]
    .assert_eq(&outline(&data));
    let average = spec(Some(ChartKind::Bar), Some("genre"), Some("Milliseconds"), Some("media"), Some(Aggregate::Avg));
    let Marks::Bars { stacked, .. } = chart(&mut engine, query(&db, genres), average).unwrap().marks else { panic!("bars") };
    assert!(!stacked, "averages do not add up: side by side");
}

#[test]
fn a_histogram_counts_a_filtered_views_numbers_in_round_bins() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let mut request = common::page_request(&db, "Invoice");
    request.filters = vec![Filter { column: "BillingCountry".into(), op: FilterOp::Exact, value: "USA".into() }];
    let data =
        chart(&mut engine, SummarySource::Table(request), spec(Some(ChartKind::Histogram), Some("Total"), None, None, None)).unwrap();
    expect![[r#"
        histogram x=Total y=None colour=None agg=count scale=Number series=[] rows=91
        24 bins from 0 to 24, counts [12.0, 25.0, 0.0, 14.0, 0.0, 12.0, 0.0, 1.0, 12.0, 0.0, 1.0, 1.0, 0.0, 10.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    "#]]
    .assert_eq(&outline(&data));
}

#[test]
fn a_hundred_thousand_points_come_back_as_a_few_thousand_shapes() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let points = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
                  SELECT i, (i * 7919) % 1000 AS noise, i % 3 AS kind, date('2020-01-01', '+' || (i / 100) || ' days') AS day FROM n";
    let scatter = chart(&mut engine, query(&db, points), spec(Some(ChartKind::Scatter), Some("i"), Some("noise"), None, None)).unwrap();
    let Marks::Points { points: shapes, cell } = &scatter.marks else { panic!("points") };
    assert!(cell.is_some() && shapes[0].len() <= (WIDTH as usize / 4) * (WIDTH as usize / 8), "{}", shapes[0].len());
    assert_eq!((scatter.rows, shapes[0].iter().map(|p| p.2).sum::<u64>()), (100_000, 100_000));
    let line =
        chart(&mut engine, query(&db, points), spec(Some(ChartKind::Line), Some("i"), Some("noise"), Some("kind"), Some(Aggregate::None)))
            .unwrap();
    let Marks::Lines { points: lines } = &line.marks else { panic!("lines") };
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l.len() <= 4 * (WIDTH as usize + 1)), "{:?}", lines.iter().map(Vec::len).collect::<Vec<_>>());
    assert_eq!(line.rows, 100_000);
    let by_day = chart(&mut engine, query(&db, points), spec(None, Some("day"), Some("noise"), None, Some(Aggregate::Avg))).unwrap();
    expect![[r#"
        line x=day y=Some("noise") colour=None agg=avg scale=Date series=[] rows=100000
        lines of [1001] points, first Some((18262.0, 495.45454545454544))
    "#]]
    .assert_eq(&outline(&by_day));
}

#[test]
fn what_cannot_be_charted_is_said() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let table = || SummarySource::Table(common::page_request(&db, "Invoice"));
    let errors = [
        chart(&mut engine, table(), spec(None, Some("Nope"), None, None, None)),
        chart(&mut engine, table(), spec(Some(ChartKind::Scatter), Some("BillingCountry"), None, None, None)),
        chart(&mut engine, query(&db, "DELETE FROM Invoice"), ChartSpec::default()),
    ]
    .map(|r| r.map(|_| ()).unwrap_err());
    assert!(errors.iter().all(|e| e.kind() == ErrorKind::BadRequest), "{errors:?}");
    expect![[r#"
        There is no column named “Nope” to chart.
        A scatter plot needs numbers or dates on x, and “BillingCountry” holds text. Choose another column, or a bar chart.
        Only a query that reads rows can be charted."#]]
    .assert_eq(&errors.iter().map(|e| e.message()).collect::<Vec<_>>().join("\n"));
    let many = chart(&mut engine, query(&db, "SELECT Name FROM Track"), ChartSpec::default()).unwrap();
    expect![[r#"
        bar x=Name y=None colour=None agg=count scale=Category series=[] rows=3503
        50 bars, stacked false: 2 Minutes To Midnight=[Some(5.0)] Hallowed Be Thy Name=[Some(5.0)] Iron Maiden=[Some(5.0)]
        Only the largest 50 of 3,257 values of “Name” are drawn."#]]
    .assert_eq(&outline(&many));
}

#[test]
fn rows_left_out_are_counted_and_said_why() {
    let (mut engine, db) = common::engine_with("sqlite/Chinook_Sqlite.sqlite");
    let table = || SummarySource::Table(common::page_request(&db, "Invoice"));
    let states = chart(&mut engine, table(), spec(Some(ChartKind::Bar), Some("BillingState"), None, None, None)).unwrap();
    let customers =
        chart(&mut engine, table(), spec(Some(ChartKind::Bar), Some("BillingCountry"), None, Some("CustomerId"), None)).unwrap();
    expect![[r#"
        202 of 412 rows are left out: their x is NULL.
        Only the 10 most frequent values of “CustomerId” have a colour; 342 rows with other values are left out."#]]
    .assert_eq(&[states.notes, customers.notes].concat().join("\n"));
    assert_eq!((states.rows, customers.rows), (210, 70));
}
