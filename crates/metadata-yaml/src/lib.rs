//! YAML → JSON for Datasette metadata files (`?metadata=` in YAML), as a
//! wasm module of its own: a YAML parser is ~21 KB gzip that almost no
//! visit needs, so the worker loads this only when the metadata is not
//! JSON (`www/worker-loader.js`, `explorerYamlToJson`). The engine parses
//! the JSON it returns; natively the engine reads YAML itself.

use wasm_bindgen::prelude::wasm_bindgen;

/// The YAML document as JSON text (keys in their order), or the YAML
/// parser's error.
#[wasm_bindgen]
pub fn yaml_to_json(text: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_becomes_the_same_json_with_keys_in_order() {
        let json =
            yaml_to_json("title: Music\ndatabases:\n  chinook:\n    queries:\n      b: select 2\n      a: |\n        select 1\n").unwrap();
        assert_eq!(json, r#"{"title":"Music","databases":{"chinook":{"queries":{"b":"select 2","a":"select 1\n"}}}}"#);
        assert!(yaml_to_json("a: [1, 2").unwrap_err().contains("flow sequence"), "the parser's own words");
    }
}
