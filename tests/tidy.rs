//! Tidy checks on the source tree (rust-analyzer's `xtask/src/tidy.rs` is
//! the model): every Rust module says what it is for in a `//!` line, and
//! every source file is named in ARCHITECTURE.md's codemap, so the codemap
//! cannot silently fall behind the code.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source folders: the UI's `src/`, and each crate's `src/` and `tests/`.
fn source_roots() -> Vec<PathBuf> {
    let mut roots = vec![root().join("src")];
    let mut crates: Vec<_> = std::fs::read_dir(root().join("crates")).expect("crates/").flatten().map(|e| e.path()).collect();
    crates.sort();
    for krate in crates {
        roots.push(krate.join("src"));
        roots.push(krate.join("tests"));
    }
    roots
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

#[test]
fn every_module_says_what_it_is_for() {
    let mut missing = Vec::new();
    for dir in source_roots() {
        let mut files = Vec::new();
        rust_files(&dir, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let first = text.lines().find(|l| !l.trim().is_empty() && !l.starts_with("#![")).unwrap_or_default();
            if !first.starts_with("//!") {
                missing.push(relative(&file));
            }
        }
    }
    assert!(missing.is_empty(), "these modules do not start with a `//!` line saying what they are for:\n  {}", missing.join("\n  "));
}

/// The part of ARCHITECTURE.md under the `### ` heading that names `dir`
/// (`crates/engine`, `src/`), up to the next heading of that level.
fn section<'a>(doc: &'a str, dir: &str) -> &'a str {
    let heading = format!("### `{dir}");
    let Some(start) = doc.find(&heading) else { return "" };
    let rest = &doc[start + heading.len()..];
    let end = rest.find("\n### ").or_else(|| rest.find("\n## ")).unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn every_source_file_is_in_the_codemap() {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut missing = Vec::new();
    for dir in source_roots().into_iter().filter(|d| d.ends_with("src")) {
        let crate_dir = relative(dir.parent().expect("a crate folder"));
        let crate_dir = if crate_dir.is_empty() { "src/".to_string() } else { crate_dir };
        let section = section(&doc, &crate_dir);
        let mut files = Vec::new();
        rust_files(&dir, &mut files);
        for file in files {
            let in_src = file.strip_prefix(&dir).expect("under src").to_string_lossy().replace('\\', "/");
            let name = file.file_name().expect("a file name").to_string_lossy().to_string();
            // A folder's `mod.rs` is named by the folder.
            let names: Vec<String> = match in_src.strip_suffix("mod.rs") {
                Some(folder) if !folder.is_empty() => vec![format!("`{folder}`")],
                _ => vec![format!("`{in_src}`"), format!("`{name}`")],
            };
            let named = doc.contains(&format!("`{}`", relative(&file))) || names.iter().any(|n| section.contains(n.as_str()));
            if !named {
                missing.push(relative(&file));
            }
        }
    }
    assert!(missing.is_empty(), "ARCHITECTURE.md's codemap does not name these files:\n  {}", missing.join("\n  "));
}
