//! Where data comes from: rewriting share links to hosts that send CORS
//! headers, and naming a database after its file.

use url::Url;

/// Rewrites GitHub and Gist page links to their raw, CORS-enabled host.
/// Anything else, including text that is not a URL, is returned unchanged.
pub fn rewrite_url(input: &str) -> String {
    let Ok(url) = Url::parse(input.trim()) else {
        return input.to_string();
    };
    let segments: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
    let segments: Vec<&str> = segments.into_iter().filter(|s| !s.is_empty()).collect();
    match (url.host_str(), segments.as_slice()) {
        (Some("github.com" | "www.github.com"), [owner, repo, "blob" | "raw", rest @ ..]) if rest.len() >= 2 => {
            format!("https://raw.githubusercontent.com/{owner}/{repo}/{}", rest.join("/"))
        }
        (Some("gist.github.com"), [user, id]) => {
            format!("https://gist.githubusercontent.com/{user}/{id}/raw")
        }
        // The raw host routes by gist id; the user part only has to be present.
        (Some("gist.github.com"), [id]) => {
            format!("https://gist.githubusercontent.com/anonymous/{id}/raw")
        }
        _ => input.to_string(),
    }
}

/// A database name from a URL or file name: the last path segment without
/// its extension, as Datasette Lite does (`.../fixtures.db` → `fixtures`).
pub fn name_from_source(source: &str) -> String {
    let path = match Url::parse(source) {
        Ok(url) => url.path().to_string(),
        Err(_) => source.to_string(),
    };
    let file = path.rsplit(['/', '\\']).find(|s| !s.is_empty()).unwrap_or("");
    let file = percent_decode(file);
    let stem = match file.rfind('.') {
        Some(dot) if dot > 0 => &file[..dot],
        _ => file.as_str(),
    };
    // `/`, `?` and `#` would break the fragment route; `.` is kept out too so a
    // name never looks like a file with an extension.
    let cleaned: String = stem.chars().map(|c| if matches!(c, '/' | '?' | '#' | '%' | '.') || c.is_control() { '_' } else { c }).collect();
    if cleaned.is_empty() {
        "data".to_string()
    } else {
        cleaned
    }
}

/// `name`, or `name_2`, `name_3`... whichever is not taken yet.
pub fn unique_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    unique_from(name, 2, taken)
}

/// A table name as Datasette Lite picks it for a second file of the same
/// name: `name`, then `name_1`, `name_2`... (so its links keep working).
pub fn unique_table_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    unique_from(name, 1, taken)
}

fn unique_from(name: &str, first: u64, taken: impl Fn(&str) -> bool) -> String {
    if !taken(name) {
        return name.to_string();
    }
    // The range is endless, so `find` only returns with a free name.
    (first..).map(|n| format!("{name}_{n}")).find(|c| !taken(c)).expect("unbounded")
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_links_become_raw_links() {
        let cases = [
            (
                "https://github.com/lerocha/chinook-database/blob/master/ChinookDatabase/DataSources/Chinook_Sqlite.sqlite",
                "https://raw.githubusercontent.com/lerocha/chinook-database/master/ChinookDatabase/DataSources/Chinook_Sqlite.sqlite",
            ),
            ("https://github.com/o/r/blob/main/data/x.db?raw=true", "https://raw.githubusercontent.com/o/r/main/data/x.db"),
            ("https://github.com/o/r/raw/v1.2/x.db", "https://raw.githubusercontent.com/o/r/v1.2/x.db"),
            ("https://www.github.com/o/r/raw/main/a/b/c.db", "https://raw.githubusercontent.com/o/r/main/a/b/c.db"),
            ("https://gist.github.com/simonw/0a1b2c", "https://gist.githubusercontent.com/simonw/0a1b2c/raw"),
            ("https://gist.github.com/0a1b2c", "https://gist.githubusercontent.com/anonymous/0a1b2c/raw"),
            ("https://gist.github.com/simonw/0a1b2c/", "https://gist.githubusercontent.com/simonw/0a1b2c/raw"),
            // Already raw, other hosts, and non-URLs pass through untouched.
            ("https://raw.githubusercontent.com/o/r/main/x.db", "https://raw.githubusercontent.com/o/r/main/x.db"),
            ("https://gist.githubusercontent.com/u/1/raw/x.csv", "https://gist.githubusercontent.com/u/1/raw/x.csv"),
            ("https://example.com/github.com/o/r/blob/m/x.db", "https://example.com/github.com/o/r/blob/m/x.db"),
            ("https://github.com/o/r", "https://github.com/o/r"),
            ("https://github.com/o/r/blob/main", "https://github.com/o/r/blob/main"),
            ("http://127.0.0.1:9000/fixtures.db", "http://127.0.0.1:9000/fixtures.db"),
            ("not a url", "not a url"),
        ];
        for (input, expected) in cases {
            assert_eq!(rewrite_url(input), expected, "{input}");
        }
    }

    #[test]
    fn names_come_from_the_file_name() {
        let cases = [
            ("https://example.com/data/fixtures.db", "fixtures"),
            ("https://example.com/data/congress-terms.csv?x=1", "congress-terms"),
            ("https://example.com/a/Chinook_Sqlite.sqlite/", "Chinook_Sqlite"),
            ("https://example.com/my%20data.db", "my data"),
            ("https://example.com/archive.tar.gz", "archive_tar"),
            ("https://example.com/", "data"),
            ("local.sqlite3", "local"),
            (".hidden", "_hidden"),
        ];
        for (input, expected) in cases {
            assert_eq!(name_from_source(input), expected, "{input}");
        }
    }

    #[test]
    fn names_get_a_suffix_when_taken() {
        let taken = ["data", "data_2"];
        assert_eq!(unique_name("data", |n| taken.contains(&n)), "data_3");
        assert_eq!(unique_name("other", |n| taken.contains(&n)), "other");
        let tables = ["avengers", "avengers_1"];
        assert_eq!(unique_table_name("avengers", |n| tables.contains(&n)), "avengers_2");
        assert_eq!(unique_table_name("avengers", |n| n == "avengers"), "avengers_1");
    }
}
