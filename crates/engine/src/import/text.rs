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

/// The encoding named by a user override (`?encoding=latin1`), by the
/// WHATWG labels browsers accept.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Decodes a stream of byte chunks into UTF-8, removing any BOM.
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
