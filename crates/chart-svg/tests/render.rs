//! Charts the engine made from Chinook and from 100,000 generated rows,
//! drawn: each is well-formed SVG (parsed), its shapes are bounded, and
//! names from the data are text, never markup.

use chart_svg::render;
use expect_test::expect;
use protocol::{Aggregate, ChartData, ChartKind, ChartRequest, ChartSpec, QueryRequest, SummarySource};

fn chinook_chart(sql: &str, spec: ChartSpec) -> ChartData {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/sqlite/Chinook_Sqlite.sqlite");
    let bytes = std::fs::read(path).expect("shared test data");
    let mut engine = engine::Engine::new(engine::native_clock);
    engine.open("chinook", "Chinook_Sqlite.sqlite", &bytes).expect("opens");
    let query =
        QueryRequest { db: "chinook".into(), sql: sql.into(), params: vec![], time_limit_ms: 1000, max_rows: 1000, allow_writes: false };
    engine.chart(&ChartRequest { source: SummarySource::Query(query), spec, width: 640 }).expect("charts")
}

fn spec(kind: ChartKind, x: &str, y: Option<&str>, color: Option<&str>, agg: Option<Aggregate>) -> ChartSpec {
    ChartSpec { kind: Some(kind), x: Some(x.into()), y: y.map(Into::into), color: color.map(Into::into), agg }
}

/// Parses the SVG and counts its shapes by element name.
fn shapes(svg: &str) -> String {
    let document = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"));
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for node in document.descendants().filter(|n| n.is_element()) {
        *counts.entry(node.tag_name().name()).or_default() += 1;
    }
    counts.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
}

#[test]
fn every_kind_of_chart_is_well_formed_svg_with_its_marks() {
    let invoices = "SELECT InvoiceDate, BillingCountry, Total, CustomerId FROM Invoice";
    let drawn = [
        spec(ChartKind::Bar, "BillingCountry", None, None, None),
        spec(ChartKind::Line, "InvoiceDate", Some("Total"), None, Some(Aggregate::Sum)),
        spec(ChartKind::Area, "InvoiceDate", Some("Total"), None, Some(Aggregate::Sum)),
        spec(ChartKind::Scatter, "CustomerId", Some("Total"), None, None),
        spec(ChartKind::Histogram, "Total", None, None, None),
        spec(ChartKind::Histogram, "InvoiceDate", None, Some("BillingCountry"), None),
    ]
    .map(|s| {
        let data = chinook_chart(invoices, s);
        format!("{}: {}", chart_svg::describe(&data), shapes(&render(&data, 640.0, 320.0)))
    });
    expect![[r#"
        Bar chart: count by BillingCountry: g=2 line=4 rect=24 svg=1 text=29 title=25
        Line chart: sum(Total) by InvoiceDate: g=2 line=10 path=1 svg=1 text=11 title=1
        Area chart: sum(Total) by InvoiceDate: g=2 line=10 path=2 svg=1 text=11 title=1
        Scatter plot: Total by CustomerId: circle=412 g=2 line=12 svg=1 text=13 title=413
        Histogram: count by Total: g=2 line=11 rect=20 svg=1 text=12 title=21
        Histogram: count by InvoiceDate, coloured by BillingCountry: g=2 line=12 rect=152 svg=1 text=23 title=143"#]]
    .assert_eq(&drawn.join("\n"));
}

#[test]
fn a_hundred_thousand_points_draw_as_bounded_shapes() {
    let points = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
                  SELECT i, abs(random() % 1000) AS noise FROM n";
    let scatter = render(&chinook_chart(points, spec(ChartKind::Scatter, "i", Some("noise"), None, None)), 640.0, 320.0);
    // Cells are squares in a path per shade: few elements, however many cells.
    let cells = scatter.matches('z').count();
    assert!(cells > 1000 && cells <= 160 * 80, "{cells} cells");
    let document = roxmltree::Document::parse(&scatter).expect("well-formed");
    let paths = document.descendants().filter(|n| n.has_tag_name("path")).count();
    assert!(paths <= 8, "{paths} paths");
    assert!(scatter.len() < 800_000, "{} bytes", scatter.len());
    let line = render(&chinook_chart(points, spec(ChartKind::Line, "i", Some("noise"), None, Some(Aggregate::None))), 640.0, 320.0);
    roxmltree::Document::parse(&line).expect("well-formed");
    assert!(line.len() < 200_000, "{} bytes", line.len());
}

#[test]
fn names_from_the_data_are_text_not_markup() {
    let hostile = "SELECT '<script>alert(1)</script>' AS \"x<y\", 1 AS n UNION ALL SELECT 'a & \"b\"', 2";
    let svg = render(&chinook_chart(hostile, spec(ChartKind::Bar, "x<y", Some("n"), Some("x<y"), Some(Aggregate::Sum))), 640.0, 320.0);
    let document = roxmltree::Document::parse(&svg).expect("well-formed");
    assert!(document.descendants().all(|n| n.tag_name().name() != "script"));
    assert!(svg.contains("&lt;script&gt;") && svg.contains("a &amp; &quot;b&quot;"));
}
