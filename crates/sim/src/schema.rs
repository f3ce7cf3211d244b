//! The scenario schema: one machine-readable description of every scenario key, generated from
//! the Rust types so that it cannot drift from what the parser accepts. Validation messages,
//! `flywheel scenario explain`, the HTTP API's OpenAPI document and the dashboard's controls
//! all read it.

use crate::scenario::Scenario;
use serde::Serialize;
use serde_json::{Map, Value};

/// The JSON Schema (draft 2020-12) of a scenario file. Beyond the standard keywords, a leaf may
/// carry `x-unit` (what its number or amount string counts), `x-step` (a sensible increment for
/// a control) and `x-source` (where the rule or default comes from).
pub fn scenario_schema() -> Value {
    schemars::schema_for!(Scenario).to_value()
}

/// One scenario key, flattened out of the schema: what `scenario explain` prints and what the
/// dashboard builds a control from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyInfo {
    /// Dotted path: `protocol.burn_bps`, `chains[].traffic_share`, `traffic.calls_per_day`.
    pub key: String,
    /// What it means.
    pub description: String,
    /// JSON type: `number`, `integer`, `string`, `boolean`, `enum`, `array` or `object`.
    pub kind: String,
    /// For an enum, its allowed values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// For a key inside a tagged variant (`traffic`, `prices.zk`), the tag that selects it,
    /// e.g. `model = "gbm"`; a key present in several variants lists them all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
    /// Default value, when the key has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Inclusive lower bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    /// Inclusive upper bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// Unit of the value (`ZK`, `USD`, `bps`, `days`, `calls/day`, `fraction`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// A sensible increment for a control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    /// Where the rule or the default comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Every scenario key, in schema order (objects' properties sorted by name), leaves and
/// containers alike.
pub fn keys() -> Vec<KeyInfo> {
    let schema = scenario_schema();
    let defs = schema
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut out: Vec<KeyInfo> = Vec::new();
    walk(&schema, &defs, "", None, &mut out);
    out
}

/// The key `dotted`, if the schema has it.
pub fn key(dotted: &str) -> Option<KeyInfo> {
    keys().into_iter().find(|k| k.key == dotted)
}

/// Follows a `$ref` into `$defs`, keeping the referring node's own keywords (its
/// description and default win over the definition's).
fn resolve(node: &Value, defs: &Map<String, Value>) -> Value {
    let Some(obj) = node.as_object() else {
        return node.clone();
    };
    let Some(target) = obj
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .and_then(|name| defs.get(name))
    else {
        return node.clone();
    };
    let mut merged = resolve(target, defs);
    if let Some(m) = merged.as_object_mut() {
        for (k, v) in obj {
            if k != "$ref" {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    merged
}

fn text(node: &Value, key: &str) -> Option<String> {
    node.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn walk(
    node: &Value,
    defs: &Map<String, Value>,
    path: &str,
    variant: Option<&str>,
    out: &mut Vec<KeyInfo>,
) {
    let node = resolve(node, defs);
    // `Option<T>` appears as `anyOf: [T, null]` (or a type list with "null").
    if let Some(any) = node.get("anyOf").and_then(Value::as_array) {
        if let Some(inner) = any
            .iter()
            .find(|v| v.get("type").and_then(Value::as_str) != Some("null"))
        {
            let mut inner = resolve(inner, defs);
            if let (Some(m), Some(d)) = (inner.as_object_mut(), node.get("description")) {
                m.insert("description".into(), d.clone());
            }
            return walk(&inner, defs, path, variant, out);
        }
    }
    let variants = node.get("oneOf").and_then(Value::as_array);
    let unit_enum: Option<Vec<String>> = variants.and_then(|vs| {
        vs.iter()
            .map(|v| v.get("const").and_then(Value::as_str).map(str::to_owned))
            .collect()
    });
    let kind = if unit_enum.is_some() {
        "enum".to_owned()
    } else {
        match node.get("type") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .find(|s| *s != "null")
                .unwrap_or("object")
                .to_owned(),
            _ => "object".to_owned(),
        }
    };
    if !path.is_empty() {
        let info = KeyInfo {
            key: path.to_owned(),
            description: text(&node, "description").unwrap_or_default(),
            kind: kind.clone(),
            values: unit_enum.clone().unwrap_or_default(),
            variants: variant.map(|v| vec![v.to_owned()]).unwrap_or_default(),
            default: node.get("default").cloned(),
            minimum: node.get("minimum").and_then(Value::as_f64),
            maximum: node.get("maximum").and_then(Value::as_f64),
            unit: text(&node, "x-unit"),
            step: node.get("x-step").and_then(Value::as_f64),
            source: text(&node, "x-source"),
        };
        match out.iter_mut().find(|k| k.key == info.key) {
            // The same key in several variants of one tagged enum: one entry, all tags.
            Some(seen) => seen.variants.extend(info.variants),
            None => out.push(info),
        }
    }
    let child = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            walk(sub, defs, &child(name), variant, out);
        }
    }
    if let Some(items) = node.get("items") {
        walk(items, defs, &format!("{path}[]"), variant, out);
    }
    if unit_enum.is_none() {
        for v in variants.into_iter().flatten() {
            let v = resolve(v, defs);
            let tag = v
                .get("properties")
                .and_then(Value::as_object)
                .and_then(|p| {
                    p.iter().find_map(|(name, s)| {
                        s.get("const")
                            .and_then(Value::as_str)
                            .map(|c| format!("{name} = \"{c}\""))
                    })
                });
            walk(&v, defs, path, tag.as_deref(), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_flatten_nested_structs_arrays_and_tagged_variants() {
        let all = keys();
        let burn = key("protocol.burn_bps").expect("protocol.burn_bps is a key");
        assert_eq!(burn.kind, "integer");
        assert_eq!(burn.default, Some(serde_json::json!(10_000)));
        assert!(!burn.description.is_empty());
        assert!(key("chains[].traffic_share").is_some());
        let vol = key("traffic.volatility_per_year").expect("a GBM traffic key");
        assert_eq!(vol.variants, vec!["model = \"gbm\"".to_owned()]);
        let calls = key("traffic.calls_per_day").expect("every traffic model has it");
        assert!(calls.variants.len() >= 4, "{:?}", calls.variants);
        let mode = key("users.fee_mode").expect("an enum key");
        assert_eq!(mode.values, ["cheapest", "dynamic", "fixed"]);
        let mut names: Vec<&str> = all.iter().map(|k| k.key.as_str()).collect();
        names.sort_unstable();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len, "each key appears once");
    }

    #[test]
    fn schema_lists_every_top_level_key_of_a_serialised_scenario() {
        let schema = scenario_schema();
        let props = schema["properties"]
            .as_object()
            .expect("the schema of a struct has properties");
        for (name, _) in crate::presets::PRESETS {
            let scenario = crate::presets::preset(name).expect("presets parse");
            let value = serde_json::to_value(&scenario).expect("a scenario serialises");
            for key in value.as_object().expect("a scenario is an object").keys() {
                assert!(props.contains_key(key), "schema lacks `{key}` ({name})");
            }
        }
    }
}
