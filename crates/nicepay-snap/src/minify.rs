//! A lexical JSON minifier for bodies received from outside.

use crate::error::{Error, Result};

/// Removes insignificant whitespace from a JSON document, and nothing else.
///
/// Keys are never reordered, numbers never re-formatted and string escapes never changed, so
/// the output hashes the same way a compact serializer's output would. The input must be one
/// well-formed JSON value (checked first); otherwise an [`Error::InvalidInput`] is returned.
///
/// ```
/// use nicepay_snap::minify_json;
/// let out = minify_json(b"{ \"b\" : 1.50 ,\n \"a\": \"x y\\/\" }").unwrap();
/// assert_eq!(out, b"{\"b\":1.50,\"a\":\"x y\\/\"}");
/// ```
pub fn minify_json(input: &[u8]) -> Result<Vec<u8>> {
    // JSON text is UTF-8 (RFC 8259); skipping a string with `IgnoredAny` would not check it.
    std::str::from_utf8(input).map_err(|_| Error::invalid("body", "not valid UTF-8"))?;
    serde_json::from_slice::<serde::de::IgnoredAny>(input)
        .map_err(|e| Error::invalid("body", format!("not a well-formed JSON document: {e}")))?;
    let mut out = Vec::with_capacity(input.len());
    let mut in_string = false;
    let mut escaped = false;
    for &b in input {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => {}
                b'"' => {
                    in_string = true;
                    out.push(b);
                }
                _ => out.push(b),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    #[test]
    fn keeps_escapes_numbers_and_order() {
        let src = "{\n  \"z\": 1E+2,\n  \"a\": [1, 2 , 3.0],\n  \"s\": \"a \\\" b\\\\\",\n  \"u\": \"\\u00e9 é\"\n}";
        let out = minify_json(src.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"z\":1E+2,\"a\":[1,2,3.0],\"s\":\"a \\\" b\\\\\",\"u\":\"\\u00e9 é\"}"
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "{", "{\"a\":1}x", "{\"a\" 1}", "[1,]", "\"unterminated"] {
            assert!(minify_json(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(
            minify_json(b"{\"a\":\"\xff\xfe\"}").is_err(),
            "invalid UTF-8 inside a string"
        );
    }

    /// Arbitrary JSON values (also used by `json`'s tests).
    pub(crate) fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::String),
            "[ \"\\\\/\\t\\n]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec(("\\PC{0,6}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn minify_is_idempotent_and_preserves_value(v in arb_json()) {
            let pretty = serde_json::to_vec_pretty(&v).unwrap();
            let once = minify_json(&pretty).unwrap();
            prop_assert_eq!(&minify_json(&once).unwrap(), &once);
            let back: Value = serde_json::from_slice(&once).unwrap();
            let reparsed_pretty: Value = serde_json::from_slice(&pretty).unwrap();
            prop_assert_eq!(&back, &reparsed_pretty);
            // Minifying a pretty rendering gives exactly the compact rendering.
            prop_assert_eq!(once, serde_json::to_vec(&v).unwrap());
        }

        #[test]
        fn minify_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = minify_json(&bytes);
        }
    }
}
