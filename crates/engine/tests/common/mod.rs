//! Helpers the engine tests share: the shared test data, an engine with a
//! file open, a plain page request.

#![allow(dead_code)]
use std::path::PathBuf;

/// `../shared/data` beside the repository root.
pub fn shared_data(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(relative)
}

pub fn read_shared(relative: &str) -> Vec<u8> {
    let path = shared_data(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("test data {} missing: {e}", path.display()))
}

pub fn engine_with(relative: &str) -> (engine::Engine, String) {
    let mut engine = engine::Engine::new(engine::native_clock);
    let name = engine.reserve_name(relative);
    engine.open(&name, relative, &read_shared(relative)).expect("opens");
    (engine, name)
}

/// A first-page request for `table` with nothing set.
pub fn page_request(db: &str, table: &str) -> protocol::TablePageRequest {
    protocol::TablePageRequest {
        db: db.into(),
        table: table.into(),
        sort: None,
        after: None,
        page_size: 100,
        time_limit_ms: 5000,
        filters: vec![],
        search: None,
        facets: vec![],
        hidden: vec![],
        suggest_facets: false,
        wheres: vec![],
        shown: vec![],
        facet_size: protocol::DEFAULT_FACET_SIZE,
    }
}
