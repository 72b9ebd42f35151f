//! Bytes → UTF-8 text: guessing the encoding, then decoding as a stream.

use encoding_rs::{Decoder, Encoding, UTF_8, WINDOWS_1252};

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
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(sample);
    let mut previous = ' ';
    for c in text.chars() {
        let unassigned = ('\u{80}'..='\u{9f}').contains(&c);
        let capital_in_word = previous.is_ascii_lowercase() && "ŽŠŸŒ‡ˆ‰‹›".contains(c);
        if unassigned || capital_in_word {
            return true;
        }
        previous = c;
    }
    false
}

/// The encoding named by a user override (`?encoding=latin1`), by the
/// WHATWG labels browsers accept.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Decodes a stream of byte chunks into UTF-8, removing any BOM.
///
/// A character cut by a chunk boundary is held back until the next chunk
/// (`decode_text` always; `decode` for every encoding but UTF-8, whose
/// bytes it hands on as they are for the CSV parser to check per record).
pub struct TextStream {
    /// `None` for UTF-8 input, which is passed through (fields are checked
    /// one by one later, which is cheaper than decoding everything twice).
    decoder: Option<Decoder>,
    at_start: bool,
    pub encoding: &'static Encoding,
}

impl TextStream {
    pub fn new(encoding: &'static Encoding) -> TextStream {
        let decoder = (encoding != UTF_8).then(|| encoding.new_decoder_with_bom_removal());
        TextStream { decoder, at_start: true, encoding }
    }

    /// Appends the text of `input` to `out`. Unlike `decode`, UTF-8 goes
    /// through a decoder too, so a character split across chunks arrives
    /// whole and a malformed byte becomes U+FFFD exactly once.
    pub fn decode_text(&mut self, input: &[u8], last: bool, out: &mut String) {
        self.at_start = false;
        let encoding = self.encoding;
        let decoder = self.decoder.get_or_insert_with(|| encoding.new_decoder_with_bom_removal());
        let needed = decoder.max_utf8_buffer_length(input.len()).unwrap_or(input.len() * 3 + 16);
        out.reserve(needed);
        let (_, read, _) = decoder.decode_to_string(input, out, last);
        debug_assert_eq!(read, input.len(), "capacity was reserved for all of it");
    }

    /// Decodes `input`; the UTF-8 goes to `out` (cleared first) unless the
    /// input is UTF-8 already, in which case the input itself is returned.
    pub fn decode<'a>(&mut self, input: &'a [u8], last: bool, out: &'a mut Vec<u8>) -> &'a [u8] {
        let at_start = std::mem::replace(&mut self.at_start, false);
        let Some(decoder) = &mut self.decoder else {
            return if at_start { input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input) } else { input };
        };
        out.clear();
        let needed = decoder.max_utf8_buffer_length(input.len()).unwrap_or(input.len() * 3 + 16);
        out.resize(needed, 0);
        let (_, _, written, _) = decoder.decode_to_utf8(input, out, last);
        out.truncate(written);
        out
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
            let mut stream = TextStream::new(UTF_8);
            let mut out = String::new();
            let chunks: Vec<&[u8]> = text.as_bytes().chunks(size).collect();
            for (i, chunk) in chunks.iter().enumerate() {
                stream.decode_text(chunk, i + 1 == chunks.len(), &mut out);
            }
            assert_eq!(out, &text[3..], "chunk size {size}");
        }
    }

    #[test]
    fn decoding_survives_characters_split_across_chunks() {
        let mut stream = TextStream::new(UTF_16LE);
        let bytes: Vec<u8> = "\u{feff}é€".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let mut text = Vec::new();
        for (i, chunk) in bytes.chunks(3).enumerate() {
            let mut out = Vec::new();
            let last = (i + 1) * 3 >= bytes.len();
            text.extend_from_slice(stream.decode(chunk, last, &mut out));
        }
        assert_eq!(String::from_utf8(text).unwrap(), "é€");
    }
}
