//! Bytes → UTF-8 text: guessing the encoding, then decoding as a stream.
//!
//! UTF-8, by far the most common, is decoded here. Every other encoding
//! goes through a [`Decode`] made by the decoder factory: encoding_rs's
//! decoders natively (feature `encoding-tables`), the browser's own
//! `TextDecoder` in the worker, which registers it with
//! [`set_decoder_factory`]. Both implement the WHATWG Encoding Standard, and
//! the browser's saves the first visit encoding_rs's tables (~130 KB gzip).

use std::sync::OnceLock;

pub use encoding_rs::Encoding;
use encoding_rs::{UTF_8, WINDOWS_1252};

use crate::{Error, ErrorKind, Result};

/// Guesses the encoding of a file from its first bytes. A byte-order mark
/// decides; else UTF-8 if the sample is valid UTF-8; else Windows-1252,
/// which maps every byte to a character, so nothing is ever dropped.
/// `complete` says whether `sample` is the whole file (else a multi-byte
/// character cut at its end is not an error).
pub fn sniff_encoding(sample: &[u8], complete: bool) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(sample) {
        return encoding;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => UTF_8,
        Err(e) if e.error_len().is_none() && !complete => UTF_8,
        Err(_) => WINDOWS_1252,
    }
}

/// Whether Windows-1252 text (as `sniff_encoding` guesses for anything
/// that is not UTF-8) reads like Mac Roman, which no byte statistics tell
/// apart from it: bytes 0x80–0x9F are mostly lowercase accented letters
/// in Mac Roman (é is 0x8E) but capitals, typography or unassigned in
/// Windows-1252 (0x8E is Ž). So an unassigned byte, or one of those
/// capitals straight after a lowercase letter ("CafŽ"), is the sign.
pub fn looks_like_mac_roman(sample: &[u8]) -> bool {
    // Windows-1252's unassigned bytes, and Ž Š Ÿ Œ ‡ ˆ ‰ ‹ ›.
    const UNASSIGNED: [u8; 5] = [0x81, 0x8d, 0x8f, 0x90, 0x9d];
    const CAPITALS: [u8; 9] = [0x8e, 0x8a, 0x9f, 0x8c, 0x87, 0x88, 0x89, 0x8b, 0x9b];
    let mut previous = b' ';
    for &byte in sample {
        if UNASSIGNED.contains(&byte) || (previous.is_ascii_lowercase() && CAPITALS.contains(&byte)) {
            return true;
        }
        previous = byte;
    }
    false
}

/// The encoding named by a user override (`?encoding=latin1`), by the
/// WHATWG labels browsers accept.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Decodes one encoding other than UTF-8 as a stream of chunks: a
/// character cut by a chunk boundary is held back until the next chunk, a
/// malformed sequence becomes U+FFFD, and a byte-order mark is removed.
pub trait Decode {
    fn decode(&mut self, input: &[u8], last: bool, out: &mut String);
}

/// Makes a decoder for an encoding, or `None` if it cannot.
pub type DecoderFactory = fn(&'static Encoding) -> Option<Box<dyn Decode>>;

static DECODER_FACTORY: OnceLock<DecoderFactory> = OnceLock::new();

/// Sets where decoders for encodings other than UTF-8 come from (once;
/// later calls are ignored). Without it, encoding_rs's decoders are used
/// when the `encoding-tables` feature is on.
pub fn set_decoder_factory(factory: DecoderFactory) {
    let _ = DECODER_FACTORY.set(factory);
}

fn other_decoder(encoding: &'static Encoding) -> Result<Box<dyn Decode>> {
    let made = match DECODER_FACTORY.get() {
        Some(factory) => factory(encoding),
        None => built_in_decoder(encoding),
    };
    made.ok_or_else(|| Error::new(ErrorKind::BadRequest, format!("text in {} cannot be decoded here", encoding.name())))
}

#[cfg(feature = "encoding-tables")]
fn built_in_decoder(encoding: &'static Encoding) -> Option<Box<dyn Decode>> {
    struct Tables(encoding_rs::Decoder);
    impl Decode for Tables {
        fn decode(&mut self, input: &[u8], last: bool, out: &mut String) {
            let needed = self.0.max_utf8_buffer_length(input.len()).unwrap_or(input.len() * 3 + 16);
            out.reserve(needed);
            let (_, read, _) = self.0.decode_to_string(input, out, last);
            debug_assert_eq!(read, input.len(), "capacity was reserved for all of it");
        }
    }
    Some(Box::new(Tables(encoding.new_decoder_with_bom_removal())))
}

#[cfg(not(feature = "encoding-tables"))]
fn built_in_decoder(_: &'static Encoding) -> Option<Box<dyn Decode>> {
    None
}

/// UTF-8 as a stream: WHATWG's decoder (one U+FFFD per maximal invalid
/// subpart, the BOM removed), with a character cut by a chunk boundary
/// carried to the next chunk.
#[derive(Default)]
struct Utf8Decoder {
    /// An unfinished character (or BOM) from the end of the last chunk.
    carried: Vec<u8>,
    past_start: bool,
}

impl Decode for Utf8Decoder {
    fn decode(&mut self, input: &[u8], last: bool, out: &mut String) {
        let joined;
        let mut bytes = if self.carried.is_empty() {
            input
        } else {
            let mut carried = std::mem::take(&mut self.carried);
            carried.extend_from_slice(input);
            joined = carried;
            &joined[..]
        };
        if !self.past_start {
            const BOM: &[u8] = b"\xef\xbb\xbf";
            if bytes.len() < BOM.len() && BOM.starts_with(bytes) && !last {
                self.carried = bytes.to_vec();
                return;
            }
            self.past_start = true;
            bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        }
        // Mostly the whole chunk is valid, which this checks fastest.
        if let Ok(valid) = std::str::from_utf8(bytes) {
            out.push_str(valid);
            return;
        }
        out.reserve(bytes.len());
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            let invalid = chunk.invalid();
            if invalid.is_empty() {
                continue;
            }
            // Only the input's end can hold an unfinished character.
            let unfinished = std::str::from_utf8(invalid).is_err_and(|e| e.error_len().is_none());
            let at_end = invalid.as_ptr_range().end == bytes.as_ptr_range().end;
            if unfinished && at_end && !last {
                self.carried = invalid.to_vec();
            } else {
                out.push('\u{fffd}');
            }
        }
    }
}

/// Decodes a stream of byte chunks into UTF-8, removing any BOM.
///
/// A character cut by a chunk boundary is held back until the next chunk
/// (`decode_text` always; `decode` for every encoding but UTF-8, whose
/// bytes it hands on as they are for the CSV parser to check per record).
pub struct TextStream {
    decoder: Box<dyn Decode>,
    /// UTF-8 input, which `decode` passes through (fields are checked one
    /// by one later, which is cheaper than decoding everything twice).
    utf8: bool,
    at_start: bool,
    pub encoding: &'static Encoding,
}

impl TextStream {
    /// Fails only for an encoding no decoder here can read.
    pub fn new(encoding: &'static Encoding) -> Result<TextStream> {
        let utf8 = encoding == UTF_8;
        let decoder: Box<dyn Decode> = if utf8 { Box::<Utf8Decoder>::default() } else { other_decoder(encoding)? };
        Ok(TextStream { decoder, utf8, at_start: true, encoding })
    }

    /// Appends the text of `input` to `out`. Unlike `decode`, UTF-8 goes
    /// through a decoder too, so a character split across chunks arrives
    /// whole and a malformed byte becomes U+FFFD exactly once.
    pub fn decode_text(&mut self, input: &[u8], last: bool, out: &mut String) {
        self.at_start = false;
        self.decoder.decode(input, last, out);
    }

    /// Decodes `input`; the UTF-8 goes to `out` (cleared first) unless the
    /// input is UTF-8 already, in which case the input itself is returned.
    pub fn decode<'a>(&mut self, input: &'a [u8], last: bool, out: &'a mut String) -> &'a [u8] {
        let at_start = std::mem::replace(&mut self.at_start, false);
        if self.utf8 {
            return if at_start { input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input) } else { input };
        }
        out.clear();
        self.decoder.decode(input, last, out);
        out.as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{UTF_16BE, UTF_16LE};

    #[test]
    fn encodings_are_recognised() {
        let cases: [(&[u8], bool, &str); 7] = [
            (b"\xef\xbb\xbfa,b", true, "UTF-8"),
            (b"\xff\xfea\x00", true, "UTF-16LE"),
            (b"\xfe\xff\x00a", true, "UTF-16BE"),
            ("naïve,café".as_bytes(), true, "UTF-8"),
            (b"caf\xc3", false, "UTF-8"),
            (b"caf\xc3", true, "windows-1252"),
            (b"It\x92s \x93quoted\x94", true, "windows-1252"),
        ];
        for (bytes, complete, expected) in cases {
            assert_eq!(sniff_encoding(bytes, complete).name(), expected, "{bytes:?}");
        }
        assert_eq!(encoding_for_label("latin1"), Some(WINDOWS_1252));
        assert_eq!(encoding_for_label("utf-16le"), Some(UTF_16LE));
        assert_eq!(encoding_for_label("UTF-16BE"), Some(UTF_16BE));
        assert_eq!(encoding_for_label("klingon"), None);
    }

    #[test]
    fn text_decoding_keeps_utf8_characters_split_across_chunks() {
        let text = "\u{feff}naïve — 東京 🦀 end";
        for size in 1..=8 {
            let mut stream = TextStream::new(UTF_8).unwrap();
            let mut out = String::new();
            let chunks: Vec<&[u8]> = text.as_bytes().chunks(size).collect();
            for (i, chunk) in chunks.iter().enumerate() {
                stream.decode_text(chunk, i + 1 == chunks.len(), &mut out);
            }
            assert_eq!(out, &text[3..], "chunk size {size}");
        }
    }

    #[test]
    fn utf8_decoding_replaces_malformed_bytes_as_the_encoding_standard_does() {
        // Overlong forms, surrogates, stray continuation bytes, characters
        // cut off at the end, a BOM (also split, also twice), beyond U+10FFFF.
        let samples: [&[u8]; 9] = [
            b"\xef\xbb\xbfplain",
            b"\xef\xbb\xbf\xef\xbb\xbfsecond BOM stays",
            b"a\xc0\xafb\xe0\x80\xafc",
            b"\xed\xa0\x80\xed\xbf\xbf surrogates",
            b"\x80\x81\xbf continuation",
            "cut é".as_bytes().split_last().unwrap().1,
            b"\xf0\x9f\xa6",
            b"\xf4\x90\x80\x80 too high \xf5\xff",
            "ok 東京 🦀 \u{fffd}".as_bytes(),
        ];
        for bytes in samples {
            let (expected, _) = UTF_8.decode_with_bom_removal(bytes);
            for size in 1..=bytes.len() {
                let mut decoder = Utf8Decoder::default();
                let mut out = String::new();
                let chunks: Vec<&[u8]> = bytes.chunks(size).collect();
                for (i, chunk) in chunks.iter().enumerate() {
                    decoder.decode(chunk, i + 1 == chunks.len(), &mut out);
                }
                assert_eq!(out, expected, "{bytes:?} in chunks of {size}");
            }
        }
    }

    #[test]
    fn mac_roman_shows_in_bytes_windows_1252_leaves_unassigned_or_misplaced() {
        assert!(looks_like_mac_roman(b"Caf\x8e au lait"), "Mac Roman e-acute reads as a capital Z-caron");
        assert!(looks_like_mac_roman(b"x\x81y"), "unassigned in Windows-1252");
        assert!(!looks_like_mac_roman(b"It\x92s \x93quoted\x94 \x8eilina"), "curly quotes, and a capital starting a word");
        assert!(!looks_like_mac_roman(b"plain ASCII"));
    }

    #[test]
    fn decoding_survives_characters_split_across_chunks() {
        let mut stream = TextStream::new(UTF_16LE).unwrap();
        let bytes: Vec<u8> = "\u{feff}é€".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let mut text = Vec::new();
        for (i, chunk) in bytes.chunks(3).enumerate() {
            let mut out = String::new();
            let last = (i + 1) * 3 >= bytes.len();
            text.extend_from_slice(stream.decode(chunk, last, &mut out));
        }
        assert_eq!(String::from_utf8(text).unwrap(), "é€");
    }
}
