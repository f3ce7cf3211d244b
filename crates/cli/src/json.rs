//! JSON read strictly, for input files (`interop bundle-hash`). `serde_json::Value` keeps the
//! last of two equal keys and turns integers beyond 64 bits into floats, so an error could only
//! quote back `1e30` for what the user wrote as `1000000000000000000000000000000`. Here an
//! object keeps its members in order with each value as the raw text the user wrote, so every
//! repeated key is found and every value is checked, and quoted, as written.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// A JSON object's members in order, each value as written (syntax already checked).
#[derive(Debug)]
pub struct Object<'a>(pub Vec<(String, &'a RawValue)>);

impl<'a> Object<'a> {
    /// Parses `text` as one JSON object (any other JSON is an error with its position).
    pub fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The first key given more than once, if any.
    pub fn repeated_key(&self) -> Option<&str> {
        self.0
            .iter()
            .enumerate()
            .find(|(i, (k, _))| self.0[..*i].iter().any(|(other, _)| other == k))
            .map(|(_, (k, _))| k.as_str())
    }

    /// The value of `key`, as written.
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Object<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((key, value));
                }
                Ok(Object(members))
            }
        }
        d.deserialize_map(Members)
    }
}

/// The elements of a JSON array, each as written; `None` if `raw` is not an array.
pub fn array(raw: &RawValue) -> Option<Vec<&RawValue>> {
    serde_json::from_str(raw.get()).ok()
}

/// What kind of JSON value `raw` is, for messages (`a string`, `a number`…).
pub fn kind(raw: &RawValue) -> &'static str {
    match raw.get().trim_start().as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_repeats_and_text() {
        let o = Object::parse(r#"{"a": 1e30, "b": [1, 2], "a": 18446744073709551616}"#).unwrap();
        assert_eq!(o.repeated_key(), Some("a"));
        assert_eq!(o.get("a").map(RawValue::get), Some("1e30"));
        assert_eq!(kind(o.0[2].1), "a number");
        assert_eq!(o.0[2].1.get(), "18446744073709551616");
        assert_eq!(array(o.0[1].1).map(|a| a.len()), Some(2));
        assert!(array(o.0[0].1).is_none());
        assert!(Object::parse("[1]").is_err());
        assert!(Object::parse("{\"a\": 1,}").is_err());
    }
}
