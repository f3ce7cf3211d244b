//! Scenario errors: [`ScenarioError`] names the dotted key at fault, and a TOML parse error's
//! byte span is mapped back to that key (`chains[1].base_token`, inline tables alike).

/// A validation failure: which key, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scenario key `{key}`: {problem}")]
pub struct ScenarioError {
    /// Dotted path of the offending key.
    pub key: String,
    /// What is wrong, with the allowed range and the value found.
    pub problem: String,
}

impl ScenarioError {
    pub(crate) fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            problem: problem.into(),
        }
    }
}

/// The dotted key of the `key = value` line holding byte `offset`, under its nearest
/// `[table]` / `[[array]]` header — so that an error in a value names its key, not the value.
fn key_at(text: &str, offset: usize) -> String {
    let before = text.get(..offset.min(text.len())).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let name = if line.trim_start().starts_with('#') {
        String::new()
    } else {
        line.split('=')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .to_string()
    };
    let table = before[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let key = match (table, name.is_empty()) {
        (Some(t), false) if !line.trim_start().starts_with('[') => format!("{t}.{name}"),
        (Some(t), _) => t,
        (None, false) => name,
        (None, true) => String::new(),
    };
    // A malformed header (`[`, `[""]`) names no key: the error is the file's.
    if key
        .trim_matches(|c: char| c == '.' || c == '"' || c.is_whitespace())
        .is_empty()
    {
        "(file)".into()
    } else {
        key
    }
}

/// The dotted key a deserialisation error is about, read from the parsed document's spans:
/// the innermost key or value whose span holds the error's start — `prices.zk.volatility`,
/// `chains[1].traffic_share`, an inline table's field alike. A `[table]` header's span covers
/// only its header line, so every entry is searched, not only those inside a matching parent.
/// `None` when the text does not parse as TOML at all (the caller falls back to the line).
fn key_of_span(text: &str, span: &std::ops::Range<usize>) -> Option<String> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut best: Option<(usize, String)> = None;
    find_span(doc.get_ref(), "", span.start, &mut best);
    best.map(|(_, k)| k)
}

/// `path.name`, with a name that is not a bare TOML key quoted (`""`, `"a b"`), so that a
/// key made of nothing still shows.
fn join_key(path: &str, name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let name = if bare {
        name.to_string()
    } else {
        format!("{name:?}")
    };
    if path.is_empty() {
        name
    } else {
        format!("{path}.{name}")
    }
}

fn find_span(
    table: &toml::de::DeTable<'_>,
    path: &str,
    at: usize,
    best: &mut Option<(usize, String)>,
) {
    for (k, v) in table.iter() {
        let key = join_key(path, k.get_ref());
        find_value(v, &key, at, best);
        let ks = k.span();
        if ks.contains(&at) && best.as_ref().is_none_or(|(len, _)| ks.len() < *len) {
            *best = Some((ks.len(), key));
        }
    }
}

fn find_value(
    v: &toml::Spanned<toml::de::DeValue<'_>>,
    key: &str,
    at: usize,
    best: &mut Option<(usize, String)>,
) {
    let vs = v.span();
    if vs.contains(&at) && best.as_ref().is_none_or(|(len, _)| vs.len() < *len) {
        *best = Some((vs.len(), key.to_string()));
    }
    match v.get_ref() {
        toml::de::DeValue::Table(t) => find_span(t, key, at, best),
        toml::de::DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_value(item, &format!("{key}[{i}]"), at, best);
            }
        }
        _ => {}
    }
}

/// The table a `missing field` error is about: the table (a `[header]`, an inline table or an
/// array's element) whose span is the error's, or the top level.
fn missing_key(text: &str, span: Option<std::ops::Range<usize>>, field: &str) -> String {
    let table = span
        .filter(|s| s.start > 0 || s.end < text.len())
        .and_then(|s| {
            let doc = toml::de::DeTable::parse(text).ok()?;
            let mut found = None;
            find_table(doc.get_ref(), "", &s, &mut found);
            found
        });
    match table {
        Some(t) => format!("{t}.{field}"),
        None => field.to_string(),
    }
}

fn find_table(
    table: &toml::de::DeTable<'_>,
    path: &str,
    span: &std::ops::Range<usize>,
    found: &mut Option<String>,
) {
    fn visit(
        v: &toml::Spanned<toml::de::DeValue<'_>>,
        key: &str,
        span: &std::ops::Range<usize>,
        found: &mut Option<String>,
    ) {
        match v.get_ref() {
            toml::de::DeValue::Table(t) => {
                if v.span() == *span {
                    *found = Some(key.to_string());
                }
                find_table(t, key, span, found);
            }
            toml::de::DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    visit(item, &format!("{key}[{i}]"), span, found);
                }
            }
            _ => {}
        }
    }
    for (k, v) in table.iter() {
        let key = join_key(path, k.get_ref());
        visit(v, &key, span, found);
    }
}

/// The [`ScenarioError`] for a TOML parse or deserialisation error in `text`: a missing field
/// names its table, anything else the innermost key or value at the error's span.
pub(super) fn parse_error(text: &str, e: &toml::de::Error) -> ScenarioError {
    let msg = e.message().replace('\n', " ");
    if let Some(field) = msg
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'))
    {
        return ScenarioError::new(missing_key(text, e.span(), field), "missing (required)");
    }
    let mut key = e
        .span()
        .map(|span| key_of_span(text, &span).unwrap_or_else(|| key_at(text, span.start)))
        .unwrap_or_else(|| "(file)".into());
    // Inside a tagged table (`traffic`, `prices.zk`) serde reports an unknown field at
    // the table: name the field itself.
    if let Some(field) = msg
        .strip_prefix("unknown field `")
        .and_then(|m| m.split('`').next())
    {
        let named = join_key("", field);
        if !key.ends_with(&format!(".{named}")) && key != named {
            key = join_key(if key == "(file)" { "" } else { &key }, field);
        }
    }
    // Inside a tagged table serde also reports a value of the wrong type at the table: find
    // the one entry whose value the message describes.
    if let Some(field) = msg
        .strip_prefix("invalid type: ")
        .and_then(|m| field_of_bad_value(text, &key, m))
    {
        key = join_key(&key, &field);
    }
    ScenarioError::new(key, msg)
}

/// The entry of the table at `key` whose value serde described as `unexpected` (the start of
/// its "invalid type" message, e.g. `string "lots", expected f64`), if exactly one fits.
fn field_of_bad_value(text: &str, key: &str, unexpected: &str) -> Option<String> {
    let doc: toml::Table = toml::from_str(text).ok()?;
    let mut at = &toml::Value::Table(doc);
    for part in key.split('.') {
        at = match at {
            toml::Value::Table(t) => t.get(part)?,
            toml::Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    let toml::Value::Table(table) = at else {
        return None;
    };
    let described = |v: &toml::Value| match v {
        toml::Value::String(s) => format!("string {s:?},"),
        toml::Value::Integer(i) => format!("integer `{i}`,"),
        toml::Value::Float(f) => format!("floating point `{f}`,"),
        toml::Value::Boolean(b) => format!("boolean `{b}`,"),
        toml::Value::Array(_) => "sequence,".into(),
        toml::Value::Table(_) => "map,".into(),
        toml::Value::Datetime(_) => "datetime".into(),
    };
    let mut fits = table
        .iter()
        .filter(|(_, v)| unexpected.starts_with(&described(v)));
    match (fits.next(), fits.next()) {
        (Some((name, _)), None) => Some(name.clone()),
        _ => None,
    }
}
