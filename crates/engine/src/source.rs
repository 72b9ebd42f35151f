//! Where data comes from: rewriting share links to hosts that send CORS
//! headers, and naming a database after its file.
//!
//! URLs are only split here, never normalised: the browser's fetch parses
//! them for real. (The `url` crate would add ~80 KB gzip of IDNA tables to
//! the worker for the host and path these functions read.)

/// The parts of an absolute URL read here, split as RFC 3986 §3 does:
/// `scheme://[userinfo@]host[:port]path[?query][#fragment]`.
struct UrlParts<'a> {
    /// Lowercased, as hosts compare.
    host: String,
    path: &'a str,
}

fn split_url(text: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = text.split_once("://")?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return None;
    }
    let rest = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        // An IPv6 literal keeps its colons.
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => host_port.split(':').next().unwrap_or(host_port),
    };
    Some(UrlParts { host: host.to_ascii_lowercase(), path })
}

/// The host of `url` (for messages), or `url` itself if it has none.
pub fn host_of(url: &str) -> String {
    split_url(url.trim()).map(|u| u.host).filter(|h| !h.is_empty()).unwrap_or_else(|| url.to_string())
}

/// Rewrites GitHub and Gist page links to their raw, CORS-enabled host.
/// Anything else, including text that is not a URL, is returned unchanged.
pub fn rewrite_url(input: &str) -> String {
    let Some(url) = split_url(input.trim()) else {
        return input.to_string();
    };
    let segments: Vec<&str> = url.path.split('/').filter(|s| !s.is_empty()).collect();
    match (url.host.as_str(), segments.as_slice()) {
        ("github.com" | "www.github.com", [owner, repo, "blob" | "raw", rest @ ..]) if rest.len() >= 2 => {
            format!("https://raw.githubusercontent.com/{owner}/{repo}/{}", rest.join("/"))
        }
        ("gist.github.com", [user, id]) => {
            format!("https://gist.githubusercontent.com/{user}/{id}/raw")
        }
        // The raw host routes by gist id; the user part only has to be present.
        ("gist.github.com", [id]) => {
            format!("https://gist.githubusercontent.com/anonymous/{id}/raw")
        }
        _ => input.to_string(),
    }
}

/// A database name from a URL or file name: the last path segment without
/// its extension, as Datasette Lite does (`.../fixtures.db` → `fixtures`).
pub fn name_from_source(source: &str) -> String {
    let path = match split_url(source) {
        Some(url) => url.path,
        None => source,
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
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
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
            ("HTTPS://GitHub.com/o/r/blob/main/x.db", "https://raw.githubusercontent.com/o/r/main/x.db"),
            ("https://user:pw@github.com:443/o/r/raw/main/x.db#top", "https://raw.githubusercontent.com/o/r/main/x.db"),
            ("https://example.com/?u=https://github.com/o/r/blob/m/x.db", "https://example.com/?u=https://github.com/o/r/blob/m/x.db"),
            ("C:\\data\\github.com\\x.db", "C:\\data\\github.com\\x.db"),
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
            ("https://example.com/files/data.csv#v2", "data"),
            ("https://example.com/d%C3%A9p%C3%B4ts.db?version=1.2", "dépôts"),
            ("https://[::1]:8080/x/y.sqlite", "y"),
            ("https://example.com/a%2Fb.db", "a_b"),
        ];
        for (input, expected) in cases {
            assert_eq!(name_from_source(input), expected, "{input}");
        }
    }

    #[test]
    fn hosts_come_from_urls_for_messages() {
        assert_eq!(host_of("https://User@Example.COM:8443/x.db?y"), "example.com");
        assert_eq!(host_of("http://[::1]:9000/x"), "::1");
        assert_eq!(host_of("not a url"), "not a url");
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
