//! The scenario schema: one machine-readable description of every scenario key, generated from
//! the Rust types so that it cannot drift from what the parser accepts. Validation messages,
//! `flywheel scenario explain`, the HTTP API's OpenAPI document and the dashboard's controls
//! all read it.

use crate::scenario::Scenario;

/// The JSON Schema (draft 2020-12) of a scenario file.
pub fn scenario_schema() -> serde_json::Value {
    schemars::schema_for!(Scenario).to_value()
}

#[cfg(test)]
mod tests {
    use super::*;

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
