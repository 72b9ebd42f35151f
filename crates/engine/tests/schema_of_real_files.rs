//! The database page's data for real databases, as snapshots.

mod common;

use expect_test::{expect, Expect};
use protocol::DatabaseSchema;

fn summary(schema: &DatabaseSchema) -> String {
    let mut out = format!("{} ({} bytes)\n", schema.name, schema.size_bytes);
    for t in &schema.tables {
        let count = t.row_count.map(|n| n.to_string()).unwrap_or_else(|| "?".into());
        let hidden = if t.hidden { " hidden" } else { "" };
        out += &format!("table {} {:?}{hidden} rows={count} cols={}\n", t.name, t.kind, t.columns.len());
    }
    for v in &schema.views {
        match &v.error {
            Some(e) => out += &format!("view {} error={e}\n", v.name),
            None => out += &format!("view {} cols={}\n", v.name, v.columns.len()),
        }
    }
    out
}

fn check(file: &str, expected: Expect) {
    let (mut engine, name) = common::engine_with(file);
    expected.assert_eq(&summary(&engine.schema(&name).unwrap()));
}

#[test]
fn chinook() {
    check(
        "sqlite/Chinook_Sqlite.sqlite",
        expect![[r#"
            Chinook_Sqlite (1007616 bytes)
            table Album Table rows=347 cols=3
            table Artist Table rows=275 cols=2
            table Customer Table rows=59 cols=13
            table Employee Table rows=8 cols=15
            table Genre Table rows=25 cols=2
            table Invoice Table rows=412 cols=9
            table InvoiceLine Table rows=2240 cols=5
            table MediaType Table rows=5 cols=2
            table Playlist Table rows=18 cols=2
            table PlaylistTrack Table rows=8715 cols=2
            table Track Table rows=3503 cols=9
        "#]],
    );
}

#[test]
fn fts5_with_external_content_hides_the_index() {
    check(
        "sqlite/moving_fts5.db",
        expect![[r#"
            moving_fts5 (28672 bytes)
            table boxes Table rows=19 cols=6
            table items Table rows=55 cols=6
            table search_items Virtual hidden rows=55 cols=5
            table search_items_config Shadow hidden rows=1 cols=2
            table search_items_data Shadow hidden rows=7 cols=2
            table search_items_docsize Shadow hidden rows=55 cols=2
            table search_items_idx Shadow hidden rows=5 cols=3
        "#]],
    );
}

#[test]
fn views_calling_unknown_functions_do_not_break_the_page() {
    check(
        "sqlite/calibre-web_metadata.db",
        expect![[r#"
            calibre-web_metadata (413696 bytes)
            table annotations Table rows=0 cols=10
            table annotations_dirtied Table rows=0 cols=2
            table annotations_fts Virtual hidden rows=0 cols=1
            table annotations_fts_config Shadow hidden rows=1 cols=2
            table annotations_fts_data Shadow hidden rows=2 cols=2
            table annotations_fts_docsize Shadow hidden rows=0 cols=2
            table annotations_fts_idx Shadow hidden rows=0 cols=3
            table annotations_fts_stemmed Virtual hidden rows=0 cols=1
            table annotations_fts_stemmed_config Shadow hidden rows=1 cols=2
            table annotations_fts_stemmed_data Shadow hidden rows=2 cols=2
            table annotations_fts_stemmed_docsize Shadow hidden rows=0 cols=2
            table annotations_fts_stemmed_idx Shadow hidden rows=0 cols=3
            table authors Table rows=0 cols=4
            table books Table rows=0 cols=14
            table books_authors_link Table rows=0 cols=3
            table books_languages_link Table rows=0 cols=4
            table books_plugin_data Table rows=0 cols=4
            table books_publishers_link Table rows=0 cols=3
            table books_ratings_link Table rows=0 cols=3
            table books_series_link Table rows=0 cols=3
            table books_tags_link Table rows=0 cols=3
            table comments Table rows=0 cols=3
            table conversion_options Table rows=0 cols=4
            table custom_columns Table rows=0 cols=9
            table data Table rows=0 cols=5
            table feeds Table rows=0 cols=3
            table identifiers Table rows=0 cols=4
            table languages Table rows=0 cols=2
            table last_read_positions Table rows=0 cols=8
            table library_id Table rows=1 cols=2
            table metadata_dirtied Table rows=0 cols=2
            table preferences Table rows=9 cols=3
            table publishers Table rows=0 cols=3
            table ratings Table rows=0 cols=2
            table series Table rows=0 cols=3
            table sqlite_sequence Table hidden rows=1 cols=2
            table tags Table rows=0 cols=2
            view meta error=no such function: sortconcat
            view tag_browser_authors cols=5
            view tag_browser_filtered_authors error=no such function: books_list_filter
            view tag_browser_filtered_publishers error=no such function: books_list_filter
            view tag_browser_filtered_ratings error=no such function: books_list_filter
            view tag_browser_filtered_series error=no such function: books_list_filter
            view tag_browser_filtered_tags error=no such function: books_list_filter
            view tag_browser_publishers cols=5
            view tag_browser_ratings cols=5
            view tag_browser_series error=no such function: title_sort
            view tag_browser_tags cols=5
        "#]],
    );
}
