//! One JSON value read as a row: its members in order, each a cell,
//! strings borrowed from the text where they hold no escapes. Nested
//! lists and objects become their JSON text (compact, members in order),
//! which SQLite's JSON functions can query.
//!
//! This is what `serde_json::Value` would give, without building a map
//! per row: a row's keys and strings are read in place, nested lists are
//! written out as they are read, and only nested objects are built as
//! `Value`s (then written back as text). Measured natively on 40 MB of
//! NDJSON, the map and its hashing were a third of the import.

use std::borrow::Cow;
use std::fmt;

use rusqlite::types::ValueRef;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// A member's value, as it is stored.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum JsonCell<'a> {
    Null,
    /// A whole number that fits 64 bits, or a boolean (1 or 0).
    Integer(i64),
    /// Any other number.
    Real(f64),
    Text(Cow<'a, str>),
    /// A list or an object, as JSON text.
    Nested(String),
}

impl JsonCell<'_> {
    pub(super) fn as_sql(&self) -> ValueRef<'_> {
        match self {
            JsonCell::Null => ValueRef::Null,
            JsonCell::Integer(i) => ValueRef::Integer(*i),
            JsonCell::Real(r) => ValueRef::Real(*r),
            JsonCell::Text(text) => ValueRef::Text(text.as_bytes()),
            JsonCell::Nested(text) => ValueRef::Text(text.as_bytes()),
        }
    }
}

/// A row's members in the order they appear (a key given twice keeps its
/// first place and its last value, as `serde_json`'s ordered map does:
/// the caller settles that, by column).
pub(super) type JsonRow<'a> = Vec<(Cow<'a, str>, JsonCell<'a>)>;

/// Reads `text`, one complete JSON value, as a row: an object's members,
/// or anything else as the one member `value`.
pub(super) fn parse_row(text: &str) -> serde_json::Result<JsonRow<'_>> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let row = if text.trim_start().starts_with('{') {
        reader.deserialize_map(RowVisitor)?
    } else {
        vec![(Cow::Borrowed("value"), CellSeed.deserialize(&mut reader)?)]
    };
    reader.end()?;
    Ok(row)
}

/// Reads the object that `text` starts with, if it is all there and
/// valid, as a row; returns it with where it ends. (`None` when it is cut
/// short or broken: the caller reads it the slow way, which says where.)
pub(super) fn parse_leading_object(text: &str) -> Option<(JsonRow<'_>, usize)> {
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<ParsedRow>();
    let row = values.next()?.ok()?;
    Some((row.0, values.byte_offset()))
}

struct ParsedRow<'a>(JsonRow<'a>);

impl<'de> Deserialize<'de> for ParsedRow<'de> {
    fn deserialize<D: Deserializer<'de>>(reader: D) -> Result<Self, D::Error> {
        reader.deserialize_map(RowVisitor).map(ParsedRow)
    }
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = JsonRow<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut members: M) -> Result<Self::Value, M::Error> {
        let mut row = Vec::with_capacity(members.size_hint().unwrap_or(8));
        while let Some(key) = members.next_key_seed(KeySeed)? {
            row.push((key, members.next_value_seed(CellSeed)?));
        }
        Ok(row)
    }
}

/// A member's key: borrowed unless it holds escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, reader: D) -> Result<Self::Value, D::Error> {
        reader.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_string()))
    }
}

struct CellSeed;

impl<'de> DeserializeSeed<'de> for CellSeed {
    type Value = JsonCell<'de>;

    fn deserialize<D: Deserializer<'de>>(self, reader: D) -> Result<Self::Value, D::Error> {
        reader.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = JsonCell<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(JsonCell::Null)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Ok(JsonCell::Integer(i64::from(b)))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Ok(JsonCell::Integer(n))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        // Past i64: stored as the nearest real, as `Value::as_f64` gives.
        Ok(i64::try_from(n).map_or(JsonCell::Real(n as f64), JsonCell::Integer))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        Ok(JsonCell::Real(n))
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(JsonCell::Text(Cow::Borrowed(s)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(JsonCell::Text(Cow::Owned(s.to_string())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(JsonCell::Text(Cow::Owned(s)))
    }
    fn visit_seq<S: SeqAccess<'de>>(self, items: S) -> Result<Self::Value, S::Error> {
        let mut text = Vec::new();
        Compact(&mut text).visit_seq(items)?;
        String::from_utf8(text).map(JsonCell::Nested).map_err(de::Error::custom)
    }
    fn visit_map<M: MapAccess<'de>>(self, members: M) -> Result<Self::Value, M::Error> {
        let mut text = Vec::new();
        Compact(&mut text).visit_map(members)?;
        String::from_utf8(text).map(JsonCell::Nested).map_err(de::Error::custom)
    }
}

/// Writes the value read as compact JSON text, as `Value::to_string`
/// would: lists item by item as they are read, with no `Value` built
/// (lists of scalars, such as tags, are the common nested value);
/// objects through a `Value`, which settles a key given twice as it does.
struct Compact<'t>(&'t mut Vec<u8>);

impl Compact<'_> {
    fn write<T: serde::Serialize + ?Sized, E: de::Error>(self, value: &T) -> Result<(), E> {
        serde_json::to_writer(self.0, value).map_err(E::custom)
    }
}

impl<'de> DeserializeSeed<'de> for Compact<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, reader: D) -> Result<(), D::Error> {
        reader.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Compact<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        self.write(&b)
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        self.write(&n)
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.write(&n)
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<(), E> {
        self.write(&n)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.write(s)
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut items: S) -> Result<(), S::Error> {
        self.0.push(b'[');
        let mut first = true;
        loop {
            let mark = self.0.len();
            if !first {
                self.0.push(b',');
            }
            if items.next_element_seed(Compact(self.0))?.is_none() {
                self.0.truncate(mark);
                break;
            }
            first = false;
        }
        self.0.push(b']');
        Ok(())
    }
    fn visit_map<M: MapAccess<'de>>(self, members: M) -> Result<(), M::Error> {
        let value = Value::deserialize(de::value::MapAccessDeserializer::new(members))?;
        self.write(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `serde_json::Value` made of the same text, cell by cell.
    fn as_before(text: &str) -> Vec<(String, JsonCell<'static>)> {
        let value: Value = serde_json::from_str(text).unwrap();
        let map = match value {
            Value::Object(map) => map,
            other => serde_json::Map::from_iter([("value".to_string(), other)]),
        };
        map.into_iter()
            .map(|(k, v)| {
                let cell = match v {
                    Value::Null => JsonCell::Null,
                    Value::Bool(b) => JsonCell::Integer(i64::from(b)),
                    Value::Number(n) => match n.as_i64() {
                        Some(i) => JsonCell::Integer(i),
                        None => JsonCell::Real(n.as_f64().unwrap()),
                    },
                    Value::String(s) => JsonCell::Text(Cow::Owned(s)),
                    nested => JsonCell::Nested(nested.to_string()),
                };
                (k, cell)
            })
            .collect()
    }

    #[test]
    fn a_row_reads_as_serde_json_values_would() {
        let texts = [
            r#"{"id": 1, "name": "Ada", "score": 2.5, "ok": true, "no": false, "none": null}"#,
            r#"{"big": 18446744073709551615, "neg": -9223372036854775808, "exp": 1e3, "frac": -0.0}"#,
            r#"{"esc\"aped": "a\nb\u00e9\ud83e\udd80", "plain": "ünï"}"#,
            r#"{"list": [1, "two", {"z": 1, "a": [null]}], "obj": {"b": 1, "a": 2}, "empty": {}, "none": []}"#,
            r#"[1, 2]"#,
            r#""just text""#,
            r#"42"#,
            r#"null"#,
        ];
        for text in texts {
            let row: Vec<(String, JsonCell)> = parse_row(text).unwrap().into_iter().map(|(k, v)| (k.into_owned(), v)).collect();
            assert_eq!(row, as_before(text), "{text}");
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let row = parse_row(r#"{"a": "plain", "b\n": "x\ty"}"#).unwrap();
        assert!(matches!(row[0], (Cow::Borrowed("a"), JsonCell::Text(Cow::Borrowed("plain")))));
        assert!(matches!(&row[1], (Cow::Owned(k), JsonCell::Text(Cow::Owned(v))) if k == "b\n" && v == "x\ty"));
    }

    #[test]
    fn a_leading_object_is_read_only_when_whole() {
        let text = r#"{"a": [1, {"b": "}"}]} , {"c": 2}"#;
        let (row, end) = parse_leading_object(text).unwrap();
        assert_eq!(&text[..end], r#"{"a": [1, {"b": "}"}]}"#);
        assert_eq!(row, vec![(Cow::Borrowed("a"), JsonCell::Nested(r#"[1,{"b":"}"}]"#.into()))]);
        // What follows the object is the caller's to read.
        assert_eq!(parse_leading_object(r#"{"a": 1} x"#).map(|(_, end)| end), Some(8));
        for cut in [r#"{"a": [1, {"b": "}"}]"#, r#"{"a": 1,"#, r#"{"a": }"#, r#"[{"a": 1}]"#, "", "  "] {
            assert_eq!(parse_leading_object(cut), None, "{cut}");
        }
    }

    #[test]
    fn broken_rows_are_errors() {
        for text in [r#"{"a": }"#, r#"{"a": 1} x"#, r#"{"a": 1e999}"#, r#"{"a": "\ud800"}"#, ""] {
            assert!(parse_row(text).is_err(), "{text}");
        }
    }
}
