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
    /// Whether the value is a token amount string (`"10 ZK"`, `"0.5 ETH"`, `"5 wei"`): its
    /// `minimum`/`maximum` are then in whole units of `unit`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub amount: bool,
    /// Whether the value is a day that must also fall within the horizon (`days`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub within_horizon: bool,
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

/// A key as users write it (`chains[1].traffic_share`) in the schema's form
/// (`chains[].traffic_share`): array indices dropped.
pub fn normalize(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut chars = key.trim().chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '[' {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        }
    }
    out
}

/// The key `key` names, written with or without array indices.
pub fn lookup(key: &str) -> Option<KeyInfo> {
    self::key(&normalize(key))
}

/// Up to `n` keys nearest to `key` (edit distance over the whole key, or over its last part,
/// whichever is closer), for "did you mean" hints.
pub fn nearest(key: &str, n: usize) -> Vec<String> {
    let wanted = normalize(key);
    // (the part before the last `.` or `]`, the last part)
    let split = |k: &str| match k.rfind(['.', ']']) {
        Some(i) => (k[..i].to_owned(), k[i + 1..].to_owned()),
        None => (String::new(), k.to_owned()),
    };
    let (w_prefix, w_last) = split(&wanted);
    let mut scored: Vec<(usize, usize, String)> = keys()
        .into_iter()
        .map(|k| {
            let whole = distance(&wanted, &k.key);
            let (prefix, last) = split(&k.key);
            // A bare name (`burn_bps`) matches the last part anywhere; a dotted one pays for
            // a different table.
            let table = if w_prefix.is_empty() {
                1
            } else {
                distance(&w_prefix, &prefix)
            };
            // A truncated name (`volatility`) is as good as a match of its part.
            let part = if !w_last.is_empty() && last.starts_with(&w_last) {
                0
            } else {
                distance(&w_last, &last)
            };
            let d = whole.min(part + table);
            (d, whole, k.key)
        })
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, _, k)| k).collect()
}

/// Levenshtein distance (inputs are short keys; at most a few hundred characters are compared).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(200).collect();
    let b: Vec<char> = b.chars().take(200).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        prev = row;
    }
    prev[b.len()]
}

/// A number as the schema's bounds are best read: `10000`, `0.05`, `1e-12`.
pub fn number(x: f64) -> String {
    crate::scenario::shown(x)
}

/// The key's unit and range in words: `bps, 0 to 10000 (step 100)`; an amount's range is in
/// whole tokens of its unit.
pub fn range_text(k: &KeyInfo) -> Option<String> {
    let range = match (k.minimum, k.maximum) {
        (Some(lo), Some(hi)) => Some(format!("{} to {}", number(lo), number(hi))),
        (Some(lo), None) => Some(format!("at least {}", number(lo))),
        (None, Some(hi)) => Some(format!("at most {}", number(hi))),
        (None, None) => None,
    };
    let mut text = match (&k.unit, range) {
        (Some(u), Some(r)) if k.amount => format!("{r} {u} (an amount: \"N {u}\" or \"N wei\")"),
        (Some(u), Some(r)) => format!("{r} {u}"),
        (Some(u), None) => u.clone(),
        (None, Some(r)) => r,
        (None, None) => return None,
    };
    if let Some(step) = k.step {
        text.push_str(&format!(", step {}", number(step)));
    }
    if k.within_horizon {
        text.push_str(", within the horizon (`days`)");
    }
    Some(text)
}

/// The comment lines that explain a key in a template.
fn comment_lines(k: &KeyInfo, out: &mut String) {
    let mut words: Vec<String> = k
        .description
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if let Some(r) = range_text(k) {
        words.push(format!("[{r}]"));
    }
    if !k.values.is_empty() {
        words.push(format!("[one of: {}]", k.values.join(", ")));
    }
    if let Some(src) = &k.source {
        words.push(format!("[source: {src}]"));
    }
    let mut line = String::from("#");
    for w in words {
        if line.len() + 1 + w.len() > 96 && line.len() > 1 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(&w);
    }
    out.push_str(&line);
    out.push('\n');
}

/// One TOML value as written in a file (`"10 ZK"`, `0.6`, `365`, `true`, `[]`).
fn toml_value(v: &Value) -> String {
    match toml::Value::try_from(v) {
        Ok(t) => t.to_string(),
        Err(_) => v.to_string(),
    }
}

fn is_table(v: &Value) -> bool {
    v.is_object()
}

fn is_table_array(v: &Value) -> bool {
    v.as_array()
        .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_object))
}

/// A commented template of `scenario`: every key it sets, each after comments giving its
/// meaning, unit, range and source, and the keys it leaves out (other variants, optional
/// sections) as comments — `flywheel scenario new`. It parses back to `scenario`.
pub fn template(
    scenario: &Scenario,
    title: &str,
) -> Result<String, crate::scenario::ScenarioError> {
    let mut value = serde_json::to_value(scenario).map_err(|e| {
        crate::scenario::ScenarioError::new("(file)", format!("cannot serialise: {e}"))
    })?;
    strip_nulls(&mut value);
    let all = keys();
    let mut out = String::new();
    for line in title.lines() {
        out.push_str(&format!("# {line}\n"));
    }
    out.push_str(
        "#\n# Every key below is explained by the comment above it; `flywheel scenario explain KEY`\n\
         # says more. Amounts are strings with a unit (\"10 ZK\", \"0.5 ETH\", \"5 wei\"). Keys\n\
         # commented out are optional or belong to another variant of their table.\n",
    );
    if let Value::Object(map) = &value {
        emit(&mut out, &all, "", None, map);
    }
    Ok(out)
}

/// Drops `null`s (unset optional keys), which TOML cannot state.
pub fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// Writes one table: its plain keys, the keys it leaves out as comments, then its sub-tables
/// and arrays of tables under their headers. `schema_path` is the table's key in [`keys`]
/// form, `header` its TOML path.
fn emit(
    out: &mut String,
    all: &[KeyInfo],
    schema_path: &str,
    header: Option<&str>,
    map: &Map<String, Value>,
) {
    let child = |name: &str| {
        if schema_path.is_empty() {
            name.to_owned()
        } else {
            format!("{schema_path}.{name}")
        }
    };
    let info = |name: &str| all.iter().find(|k| k.key == child(name));
    for (name, v) in map {
        if is_table(v) || is_table_array(v) {
            continue;
        }
        if let Some(k) = info(name) {
            comment_lines(k, out);
        }
        out.push_str(&format!("{name} = {}\n", toml_value(v)));
    }
    // Keys of this table the scenario leaves out.
    let tag = map.get("model").and_then(Value::as_str);
    for k in all.iter().filter(|k| {
        k.key
            .strip_prefix(&child(""))
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(['.', '[']))
    }) {
        let name = &k.key[child("").len()..];
        if map.contains_key(name) {
            continue;
        }
        let other_variant = tag.is_some_and(|t| {
            !k.variants.is_empty() && !k.variants.iter().any(|v| v.contains(&format!("\"{t}\"")))
        });
        out.push_str("#\n");
        comment_lines(k, out);
        let when = if other_variant {
            format!(" (with {})", k.variants.join(" or "))
        } else {
            String::new()
        };
        match (&k.default, k.kind.as_str()) {
            (Some(d), _) if !d.is_object() => {
                out.push_str(&format!("# {name} = {}{when}\n", toml_value(d)))
            }
            (_, "object") => out.push_str(&format!(
                "# [{}]{when}  (optional table: see `flywheel scenario explain {}`)\n",
                header.map_or(name.to_owned(), |h| format!("{h}.{name}")),
                k.key
            )),
            _ => out.push_str(&format!("# {name} = …{when}\n")),
        }
    }
    for (name, v) in map {
        let path = header.map_or(name.clone(), |h| format!("{h}.{name}"));
        if let Value::Object(sub) = v {
            out.push('\n');
            if let Some(k) = info(name) {
                comment_lines(k, out);
            }
            out.push_str(&format!("[{path}]\n"));
            emit(out, all, &child(name), Some(&path), sub);
        } else if is_table_array(v) {
            let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
            for (i, item) in items.iter().enumerate() {
                out.push('\n');
                if i == 0 {
                    if let Some(k) = info(name) {
                        comment_lines(k, out);
                    }
                }
                out.push_str(&format!("[[{path}]]\n"));
                if let Value::Object(sub) = item {
                    emit(out, all, &format!("{}[]", child(name)), Some(&path), sub);
                }
            }
        }
    }
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
    // A tagged enum's tag (`model = "gbm"`): each variant states its own value.
    let tag = node.get("const").and_then(Value::as_str).map(str::to_owned);
    let kind = if unit_enum.is_some() || tag.is_some() {
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
            description: text(&node, "description").unwrap_or_else(|| {
                if tag.is_some() {
                    "Which variant this table is: the other keys allowed here depend on it."
                        .to_owned()
                } else {
                    String::new()
                }
            }),
            kind: kind.clone(),
            values: unit_enum
                .clone()
                .or_else(|| tag.clone().map(|t| vec![t]))
                .unwrap_or_default(),
            variants: variant.map(|v| vec![v.to_owned()]).unwrap_or_default(),
            default: node.get("default").cloned(),
            minimum: node.get("minimum").and_then(Value::as_f64),
            maximum: node.get("maximum").and_then(Value::as_f64),
            unit: text(&node, "x-unit"),
            step: node.get("x-step").and_then(Value::as_f64),
            source: text(&node, "x-source")
                .or_else(|| tag.is_some().then(|| "scenario format".to_owned())),
            amount: node.get("x-amount").and_then(Value::as_bool) == Some(true),
            within_horizon: node.get("x-within-horizon").and_then(Value::as_bool) == Some(true),
        };
        match out.iter_mut().find(|k| k.key == info.key) {
            // The same key in several variants of one tagged enum: one entry, all tags.
            Some(seen) => {
                seen.variants.extend(info.variants);
                for v in info.values {
                    if !seen.values.contains(&v) {
                        seen.values.push(v);
                    }
                }
            }
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

    fn is_number(k: &KeyInfo) -> bool {
        k.kind == "number" || k.kind == "integer" || k.amount
    }

    #[test]
    fn every_leaf_has_a_description_and_a_source_and_every_number_a_range_a_unit_and_a_step() {
        let all = keys();
        assert!(all.len() > 60, "{} keys", all.len());
        for k in &all {
            assert!(
                !k.description.trim().is_empty(),
                "`{}` has no description",
                k.key
            );
            if k.kind != "object" && k.kind != "array" {
                assert!(k.source.is_some(), "leaf `{}` has no source", k.key);
            }
            if is_number(k) {
                assert!(
                    k.minimum.is_some() && k.maximum.is_some(),
                    "`{}` has no range",
                    k.key
                );
                assert!(k.minimum <= k.maximum, "`{}`: empty range", k.key);
                assert!(k.unit.is_some(), "`{}` has no unit", k.key);
                assert!(k.step.is_some_and(|s| s > 0.0), "`{}` has no step", k.key);
                assert!(k.source.is_some(), "`{}` has no source", k.key);
            }
            if k.amount {
                assert_eq!(k.kind, "string", "`{}`: amounts are strings", k.key);
            }
        }
        // Amount bounds are whole tokens of the limits validation uses.
        let fee = key("protocol.fixed_interop_fee").expect("a fee key");
        assert_eq!(
            fee.maximum,
            Some(crate::scenario::MAX_FEE_PER_CALL_ZK as f64)
        );
        assert_eq!(
            flywheel_protocol::units::tokens(crate::scenario::MAX_ZK_WHOLE),
            crate::scenario::MAX_ZK_AMOUNT
        );
    }

    /// A scenario with every optional section present, on the longest horizon, so that every
    /// key has a place to be set and no day key is refused for the horizon alone.
    const EVERYTHING: &str = r#"
name = "bounds"
days = 36500
[traffic]
model = "constant"
calls_per_day = 100
[staking]
enabled = true
[[governance.changes]]
day = 10
via = "direct"
burn_bps = 5000
[priority_mode]
[[prividium.institutions]]
name = "bank"
join_day = 5
fixed_fee_share = 0.5
destination = "era"
[prividium.institutions.traffic]
model = "constant"
calls_per_day = 10
"#;

    /// One complete table of each variant of the tagged models, (traffic?, tag, table).
    fn variant(traffic: bool, tag: &str) -> Option<Value> {
        let v = match (traffic, tag) {
            (true, "constant") => serde_json::json!({"model": "constant", "calls_per_day": 100.0}),
            (true, "growth") => {
                serde_json::json!({"model": "growth", "calls_per_day": 100.0, "growth_per_year": 0.1})
            }
            (true, "gbm") => serde_json::json!({"model": "gbm", "calls_per_day": 100.0,
                "drift_per_year": 0.0, "volatility_per_year": 0.1}),
            (true, "poisson") => {
                serde_json::json!({"model": "poisson", "calls_per_day": 100.0, "growth_per_year": 0.0})
            }
            (true, "regimes") => serde_json::json!({"model": "regimes",
                "regimes": [{"calls_per_day": 100.0, "mean_days": 10.0}]}),
            (false, "constant") => serde_json::json!({"model": "constant", "initial_usd": 1.0}),
            (false, "gbm") => serde_json::json!({"model": "gbm", "initial_usd": 1.0,
                "drift_per_year": 0.0, "volatility_per_year": 0.1}),
            _ => return None,
        };
        Some(v)
    }

    /// `a.b[].c` as path steps, the first element of each array.
    fn steps(key: &str) -> Vec<String> {
        key.replace("[]", ".[]")
            .split('.')
            .map(str::to_owned)
            .collect()
    }

    fn slot<'a>(root: &'a mut Value, path: &[String]) -> &'a mut Value {
        let mut at = root;
        for step in path {
            at = if step == "[]" {
                &mut at[0]
            } else {
                &mut at[step.as_str()]
            };
        }
        at
    }

    /// Validates the base with `key` set to `value` (its tagged table switched to the variant
    /// the key belongs to), through TOML text as a user would write it.
    fn try_value(
        base: &Value,
        k: &KeyInfo,
        all: &[KeyInfo],
        value: Value,
    ) -> Result<(), crate::scenario::ScenarioError> {
        let mut doc = base.clone();
        let path = steps(&k.key);
        if let Some(tag) = k.variants.first() {
            // The tagged table: the longest prefix with a `model` key of its own.
            let root = (1..path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| {
                    let dotted = p.join(".").replace(".[]", "[]");
                    all.iter().any(|x| x.key == format!("{dotted}.model"))
                })
                .expect("a tagged key has a tagged table");
            let tag = tag.split('"').nth(1).expect("a tag value");
            let table = k
                .variants
                .iter()
                .find_map(|t| {
                    variant(
                        root.last().is_some_and(|r| r == "traffic"),
                        t.split('"').nth(1)?,
                    )
                })
                .unwrap_or_else(|| panic!("no fixture for {} ({tag})", k.key));
            *slot(&mut doc, &root) = table;
        }
        *slot(&mut doc, &path) = value;
        strip_nulls(&mut doc);
        let text = toml::to_string(&doc).expect("a scenario is TOML");
        Scenario::from_toml(&text)?.validate().map(|_| ())
    }

    #[test]
    fn validation_accepts_each_schema_bound_and_refuses_just_outside_it() {
        let all = keys();
        let base = Scenario::from_toml(EVERYTHING).expect("the base parses");
        base.clone().validate().expect("the base is valid");
        let mut base = serde_json::to_value(&base).expect("serialises");
        strip_nulls(&mut base);
        let exact = 2f64.powi(53);
        let mut checked = 0;
        for k in all.iter().filter(|k| is_number(k)) {
            let expected = k.key.replace("[]", "[0]");
            for (bound, outward) in [(k.minimum, -1.0), (k.maximum, 1.0)] {
                let Some(b) = bound else { continue };
                if b.abs() > exact {
                    continue; // not a number JSON or TOML can state exactly
                }
                let unit = k.unit.as_deref().unwrap_or("");
                let (at, beyond) = if k.amount {
                    let past = if outward > 0.0 {
                        format!("{b}.000000000000000001 {unit}")
                    } else if b == 0.0 {
                        format!("-1 {unit}")
                    } else {
                        format!("{} {unit}", format_args!("{}.999999999999999999", b - 1.0))
                    };
                    (Value::from(format!("{b} {unit}")), Value::from(past))
                } else if k.kind == "integer" {
                    let b = b as i64;
                    (Value::from(b), Value::from(b + outward as i64))
                } else {
                    let past = if outward > 0.0 {
                        b.next_up()
                    } else {
                        b.next_down()
                    };
                    (Value::from(b), Value::from(past))
                };
                match try_value(&base, k, &all, at.clone()) {
                    Ok(()) => {}
                    Err(e) if e.key != expected => {}
                    // A rule relating the key to another (a threshold above its minimum,
                    // treasuries within the supply) may still refuse a bound: it names it.
                    Err(e)
                        if all.iter().any(|o| {
                            o.key != k.key && e.problem.contains(&format!("`{}`", o.key))
                        }) => {}
                    Err(e) => panic!("`{}` = {at} is within the schema's range: {e}", k.key),
                }
                match try_value(&base, k, &all, beyond.clone()) {
                    Err(e) if e.key == expected => {}
                    other => panic!(
                        "`{}` = {beyond} is outside the schema's range, yet: {other:?}",
                        k.key
                    ),
                }
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked} bounds checked");
    }

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

#[cfg(test)]
mod template_tests {
    use super::*;

    #[test]
    fn every_preset_round_trips_through_its_template_and_its_resolved_toml() {
        for (name, _) in crate::presets::PRESETS {
            let preset = crate::presets::preset(name).expect("presets parse");
            let text = template(&preset, name).expect("a template");
            let back = Scenario::from_toml(&text)
                .unwrap_or_else(|e| panic!("{name}'s template does not parse: {e}\n{text}"));
            assert_eq!(back, preset, "{name}");
            let resolved = preset.to_toml().expect("TOML");
            assert_eq!(Scenario::from_toml(&resolved).expect("parses"), preset);
            // Every key the template sets is explained by a comment above it.
            for line in text
                .lines()
                .filter(|l| !l.starts_with('#') && l.contains(" = "))
            {
                assert!(text.contains(&format!("\n{line}")), "{line}");
            }
        }
        let base = crate::presets::preset("v31-baseline").expect("preset");
        let text = template(&base, "t").expect("template");
        assert!(text.contains("# burn_bps = ") || text.contains("\nburn_bps = 10000\n"));
        assert!(text.contains("[0 to 10000 bps, step 100]"), "{text}");
        assert!(
            text.contains("# [priority_mode]"),
            "the optional section is shown"
        );
        assert!(
            text.contains("# path = … (with model = \"csv\")"),
            "another variant's keys are shown"
        );
    }

    #[test]
    fn keys_are_found_with_indices_and_near_misses_suggested() {
        assert_eq!(
            normalize("chains[12].traffic_share"),
            "chains[].traffic_share"
        );
        assert!(lookup("governance.changes[0].burn_bps").is_some());
        assert!(lookup("protocol.burn").is_none());
        let near = nearest("protocol.burn", 3);
        assert_eq!(near[0], "protocol.burn_bps", "{near:?}");
        assert_eq!(nearest("burn_bps", 1)[0], "protocol.burn_bps");
        assert!(!near.contains(&"runs".to_owned()), "{near:?}");
        assert_eq!(
            nearest("prices.zk.volatility", 1)[0],
            "prices.zk.volatility_per_year"
        );
    }
}
