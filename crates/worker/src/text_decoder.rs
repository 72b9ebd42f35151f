//! Text in encodings other than UTF-8 (Windows-1252, UTF-16, Shift_JIS...),
//! decoded by the browser's `TextDecoder`. The engine is built without
//! encoding_rs's decoding tables (its `encoding-tables` feature is off in
//! this build), so this is the only decoder it has for them: same WHATWG
//! standard, ~130 KB less gzip on the first visit.

use engine::import::{set_decoder_factory, Decode, Encoding};
use web_sys::{TextDecodeOptions, TextDecoder};

/// Makes the engine decode with the browser (once, at start).
pub fn install() {
    set_decoder_factory(browser_decoder);
}

fn browser_decoder(encoding: &'static Encoding) -> Option<Box<dyn Decode>> {
    // Fails only for the "replacement" encoding, which has no decoder.
    let decoder = TextDecoder::new_with_label(encoding.name()).ok()?;
    Some(Box::new(BrowserDecoder(decoder)))
}

struct BrowserDecoder(TextDecoder);

impl Decode for BrowserDecoder {
    fn decode(&mut self, input: &[u8], last: bool, out: &mut String) {
        let options = TextDecodeOptions::new();
        // A character cut at the chunk's end waits for the next chunk.
        options.set_stream(!last);
        // Not fatal, so malformed input becomes U+FFFD and decode never throws.
        if let Ok(text) = self.0.decode_with_u8_array_and_options(input, &options) {
            out.push_str(&text);
        }
    }
}
