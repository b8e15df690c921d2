//! Compact JSON for typed request bodies: the bytes `serde_json::to_writer` writes, produced
//! faster for the shapes requests have (structs, maps with string keys, strings, integers,
//! options, sequences). Anything else (floats, byte arrays, 128-bit integers, enum variants
//! with data, non-string map keys) and any error hand the whole value to serde_json, so the
//! output is always serde_json's.

use std::fmt;

use serde::ser::{self, Impossible, Serialize};

/// Serializes `value` as compact JSON, appended to `out`: exactly what
/// `serde_json::to_writer(out, value)` appends.
///
/// Strings are first copied without looking for characters to escape; one pass over the
/// finished JSON then shows whether any needed escaping ([`raw_strings_were_exact`]), and
/// only then is the value written again with every string checked. Request bodies almost
/// never hold a quote, backslash or control character, and one pass over the whole body
/// costs less than a check per string.
pub(crate) fn to_writer<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> serde_json::Result<()> {
    let start = out.len();
    for escape in [false, true] {
        let mut writer = Writer {
            out: &mut *out,
            in_key: false,
            escape,
            strings: 0,
        };
        if value.serialize(&mut writer).is_err() {
            break;
        }
        let strings = writer.strings;
        if escape || raw_strings_were_exact(&out[start..], strings) {
            return Ok(());
        }
        out.truncate(start);
    }
    out.truncate(start);
    serde_json::to_writer(out, value)
}

/// Whether JSON written with `strings` strings copied raw is the same as with them escaped:
/// it holds no backslash or control character (which JSON's own punctuation, numbers and
/// literals never contain) and exactly two quotes per string (no string held one).
fn raw_strings_were_exact(json: &[u8], strings: usize) -> bool {
    // Fixed-size blocks with byte-wide counters, which the compiler turns into vector
    // compares (16 or 32 bytes per step) without any unsafe code.
    fn block(bytes: &[u8]) -> (usize, bool) {
        let (mut quotes, mut escaped) = (0u8, 0u8);
        for &b in bytes {
            quotes += u8::from(b == b'"');
            escaped |= u8::from(b < 0x20) | u8::from(b == b'\\');
        }
        (usize::from(quotes), escaped != 0)
    }
    let mut blocks = json.chunks_exact(64);
    let (mut quotes, mut escaped) = block(blocks.remainder());
    for chunk in blocks.by_ref() {
        let (q, e) = block(chunk);
        quotes += q;
        escaped |= e;
    }
    !escaped && quotes == 2 * strings
}

/// "Not handled here": the caller starts again with serde_json.
#[derive(Debug)]
struct Fallback;

impl fmt::Display for Fallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to serde_json")
    }
}

impl std::error::Error for Fallback {}

impl ser::Error for Fallback {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Self
    }
}

type Result<T = ()> = std::result::Result<T, Fallback>;

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    /// Serializing a map key: only strings are written as serde_json writes them.
    in_key: bool,
    /// Escape each string as it is written; when `false`, strings are copied as they are and
    /// [`to_writer`] checks the result as a whole.
    escape: bool,
    /// How many strings (values and keys) have been written.
    strings: usize,
}

impl<'a> Writer<'a> {
    /// Refuses a value that serde_json would write differently as a map key (or refuse).
    #[inline]
    fn not_key(&self) -> Result {
        if self.in_key {
            Err(Fallback)
        } else {
            Ok(())
        }
    }

    fn raw(&mut self, text: &str) -> Result {
        self.not_key()?;
        self.out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    fn unsigned(&mut self, mut value: u64) -> Result {
        self.not_key()?;
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&digits[at..]);
        Ok(())
    }

    fn signed(&mut self, value: i64) -> Result {
        self.not_key()?;
        if value < 0 {
            self.out.push(b'-');
        }
        self.unsigned(value.unsigned_abs())
    }

    #[inline(always)]
    fn string(&mut self, text: &str) -> Result {
        self.out.reserve(text.len() + 2);
        self.out.push(b'"');
        self.text(text);
        self.out.push(b'"');
        Ok(())
    }

    /// A string's characters, escaped as serde_json escapes them (no quotes), or copied as
    /// they are (see [`Writer::escape`]).
    #[inline(always)]
    fn text(&mut self, text: &str) {
        self.strings += 1;
        let bytes = text.as_bytes();
        if self.escape && needs_escaping(bytes) {
            escape_into(self.out, bytes);
        } else {
            self.out.extend_from_slice(bytes);
        }
    }

    fn open(&mut self, bracket: u8) -> Result<Compound<'_, 'a>> {
        self.not_key()?;
        self.out.push(bracket);
        Ok(Compound {
            writer: self,
            first: true,
        })
    }
}

/// Whether `bytes` holds a byte serde_json escapes in strings: `"`, `\\` or a control character
/// below 0x20. Eight bytes at a time, the last word overlapping the one before it, and short
/// strings in one word: few branches that depend on the length (most strings are short and
/// need no escaping at all).
#[inline]
fn needs_escaping(bytes: &[u8]) -> bool {
    let n = bytes.len();
    let word = |at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(word)
    };
    if n >= 8 {
        let mut found = escapes_in(word(n - 8));
        let mut at = 0;
        while at + 8 < n {
            found |= escapes_in(word(at));
            at += 8;
        }
        return found != 0;
    }
    if n == 0 {
        return false;
    }
    // 1 to 7 bytes: the first four and the last four (overlapping, and repeating the last
    // byte when there are fewer than four) cover them all.
    let pick = |i: usize| bytes[i.min(n - 1)];
    let tail = n.saturating_sub(4);
    let packed = [
        pick(0),
        pick(1),
        pick(2),
        pick(3),
        pick(tail),
        pick(tail + 1),
        pick(tail + 2),
        pick(tail + 3),
    ];
    escapes_in(u64::from_le_bytes(packed)) != 0
}

/// Non-zero when one of the eight bytes of `word` is below 0x20, `"` or `\` (the classic
/// "has a byte less than n" and "has a zero byte" bit tricks: exact when used as a yes/no).
#[inline]
fn escapes_in(word: u64) -> u64 {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    (below_space | (quote.wrapping_sub(ONES) & !quote) | (backslash.wrapping_sub(ONES) & !backslash)) & HIGH
}

/// serde_json's escapes: the short forms, else `\u00xx` with lowercase hex.
fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x0c => b'f',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x00..=0x1f => {
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0x0f)],
                ]);
                continue;
            }
            _ => {
                out.push(b);
                continue;
            }
        };
        out.extend_from_slice(&[b'\\', short]);
    }
}

/// Integer methods: widened losslessly to 64 bits and written in decimal, as itoa does.
macro_rules! integers {
    ($($method:ident($ty:ty) => $write:ident),*) => {$(
        fn $method(self, v: $ty) -> Result {
            self.$write(v.into())
        }
    )*};
}

/// Methods whose values are left to serde_json.
macro_rules! unsupported {
    ($($method:ident($ty:ty)),*) => {$(
        fn $method(self, _: $ty) -> Result {
            Err(Fallback)
        }
    )*};
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = Fallback;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Impossible<(), Fallback>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Impossible<(), Fallback>;

    fn serialize_bool(self, v: bool) -> Result {
        self.raw(if v { "true" } else { "false" })
    }

    integers!(
        serialize_i8(i8) => signed,
        serialize_i16(i16) => signed,
        serialize_i32(i32) => signed,
        serialize_i64(i64) => signed,
        serialize_u8(u8) => unsigned,
        serialize_u16(u16) => unsigned,
        serialize_u32(u32) => unsigned,
        serialize_u64(u64) => unsigned
    );

    // serde_json's own formatting (ryu, 128-bit itoa) is not repeated here.
    unsupported!(
        serialize_i128(i128),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64)
    );

    fn serialize_char(self, v: char) -> Result {
        self.string(v.encode_utf8(&mut [0u8; 4]))
    }

    #[inline(always)]
    fn serialize_str(self, v: &str) -> Result {
        self.string(v)
    }

    fn serialize_bytes(self, _: &[u8]) -> Result {
        Err(Fallback)
    }

    fn serialize_none(self) -> Result {
        self.raw("null")
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        self.not_key()?;
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result {
        self.raw("null")
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result {
        self.raw("null")
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.string(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(Fallback)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'w, 'a>> {
        self.open(b'[')
    }

    fn serialize_tuple(self, _: usize) -> Result<Compound<'w, 'a>> {
        self.open(b'[')
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'w, 'a>> {
        self.open(b'[')
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(Fallback)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w, 'a>> {
        self.open(b'{')
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'w, 'a>> {
        self.open(b'{')
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(Fallback)
    }
}

/// An array or object being written.
struct Compound<'w, 'a> {
    writer: &'w mut Writer<'a>,
    first: bool,
}

impl Compound<'_, '_> {
    /// Writes the `,` before every element but the first.
    #[inline]
    fn separate(&mut self) {
        if !self.first {
            self.writer.out.push(b',');
        }
        self.first = false;
    }

    #[inline]
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.separate();
        value.serialize(&mut *self.writer)
    }

    #[inline]
    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.separate();
        self.writer.in_key = true;
        let written = key.serialize(&mut *self.writer);
        self.writer.in_key = false;
        written?;
        self.writer.out.push(b':');
        Ok(())
    }

    fn close(self, bracket: u8) -> Result {
        self.writer.out.push(bracket);
        Ok(())
    }
}

/// Sequences, tuples and tuple structs are all JSON arrays.
macro_rules! array {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Fallback;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                self.element(value)
            }

            fn end(self) -> Result {
                self.close(b']')
            }
        }
    )*};
}

array!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Fallback;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result {
        self.close(b'}')
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Fallback;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        // A field name is a string: `,"name":` written directly, without the map-key checks.
        let out = &mut *self.writer.out;
        out.reserve(key.len() + 4);
        if !self.first {
            out.push(b',');
        }
        out.push(b'"');
        self.first = false;
        self.writer.text(key);
        self.writer.out.extend_from_slice(b"\":");
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result {
        self.close(b'}')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};
    use std::collections::BTreeMap;

    fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) {
        let mut ours = b"prefix".to_vec();
        let ours_result = to_writer(&mut ours, value);
        let mut theirs = b"prefix".to_vec();
        let theirs_result = serde_json::to_writer(&mut theirs, value);
        assert_eq!(ours_result.is_ok(), theirs_result.is_ok());
        assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
    }

    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Shapes {
        text: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<String>,
        none: Option<u8>,
        some: Option<i32>,
        unit: (),
        list: Vec<Inner>,
        tuple: (u16, char, bool),
        newtype: Newtype,
        kind: Kind,
        data: Kind,
        float: f64,
        bytes: serde_bytes_like::Bytes,
        #[serde(flatten)]
        extra: serde_json::Map<String, Value>,
    }

    #[derive(serde::Serialize)]
    struct Inner {
        #[serde(rename = "quote\"key")]
        value: i64,
    }

    #[derive(serde::Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct Newtype(&'static str);

    #[derive(serde::Serialize)]
    enum Kind {
        Plain,
        With(u8),
    }

    mod serde_bytes_like {
        /// Serialized with `serialize_bytes`.
        pub(super) struct Bytes(pub(super) Vec<u8>);

        impl serde::Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
    }

    #[test]
    fn plain_strings_are_written_once() {
        let mut out = Vec::new();
        let value = json!({"a": "b", "c": [1, "d", {"e": null}]});
        let mut writer = Writer {
            out: &mut out,
            in_key: false,
            escape: false,
            strings: 0,
        };
        value.serialize(&mut writer).unwrap();
        let strings = writer.strings;
        assert_eq!(strings, 5);
        assert!(
            raw_strings_were_exact(&out, strings),
            "{}",
            String::from_utf8_lossy(&out)
        );
    }

    #[test]
    fn the_escape_check_finds_every_escaped_byte_at_every_position() {
        for filler in [b'a', 0xff, b'!', 0x7f] {
            for len in 1..20 {
                for at in 0..len {
                    for b in 0..=255u8 {
                        let mut bytes = vec![filler; len];
                        bytes[at] = b;
                        let expected = b < 0x20 || b == b'"' || b == b'\\';
                        assert_eq!(needs_escaping(&bytes), expected, "{bytes:?}");
                    }
                }
            }
        }
        assert!(!needs_escaping(b""));
    }

    #[test]
    fn every_shape_serializes_as_serde_json_does() {
        let mut extra = serde_json::Map::new();
        extra.insert(
            "z".into(),
            json!({"n": -5, "u": 18446744073709551615u64, "f": 1.5, "a": [null, true, "é\u{1}\n"]}),
        );
        let mut shapes = Shapes {
            text: "plain \"quoted\" back\\slash \u{7f} \u{1f} \t\r\n\u{8}\u{c} / é 日本".into(),
            skipped: None,
            none: None,
            some: Some(i32::MIN),
            unit: (),
            list: vec![Inner { value: i64::MAX }, Inner { value: 0 }],
            tuple: (u16::MAX, '"', false),
            newtype: Newtype("n"),
            kind: Kind::Plain,
            data: Kind::Plain,
            float: 0.1,
            bytes: serde_bytes_like::Bytes(vec![1, 2]),
            extra,
        };
        same_as_serde_json(&shapes);
        shapes.data = Kind::With(3);
        same_as_serde_json(&shapes);
        // Non-string keys: serde_json quotes integers and refuses others.
        same_as_serde_json(&BTreeMap::from([(1u8, "one"), (2, "two")]));
        same_as_serde_json(&BTreeMap::from([(Some("k"), 1)]));
        same_as_serde_json(&BTreeMap::from([((), 1)]));
        same_as_serde_json(&BTreeMap::from([('c', 1)]));
        same_as_serde_json(&BTreeMap::from([(Newtype("k"), 1)]));
        same_as_serde_json(&BTreeMap::from([(vec![1], 1)]));
        same_as_serde_json(&Vec::<u8>::new());
        same_as_serde_json(&BTreeMap::<String, u8>::new());
        same_as_serde_json(&[i8::MIN, 0, i8::MAX]);
        same_as_serde_json(&[u64::MAX, 0, 10]);
        same_as_serde_json(&(i128::MAX, u128::MAX));
        same_as_serde_json(&[f32::NAN, 1.0]);
    }

    proptest! {
        #[test]
        fn any_json_value_serializes_as_serde_json_does(value in crate::minify::tests::arb_json()) {
            let mut ours = Vec::new();
            to_writer(&mut ours, &value).unwrap();
            prop_assert_eq!(ours, serde_json::to_vec(&value).unwrap());
        }

        #[test]
        fn any_string_serializes_as_serde_json_does(text in "\\PC{0,40}|[\\x00-\\x7f]{0,40}") {
            let mut ours = Vec::new();
            to_writer(&mut ours, &text).unwrap();
            prop_assert_eq!(ours, serde_json::to_vec(&text).unwrap());
        }
    }
}
