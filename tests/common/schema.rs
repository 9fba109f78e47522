//! Validating emitted documents against the JSON Schemas in `<shared>/schemas`, indexed by the
//! `x-kubernetes-group-version-kind` each schema file carries.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// Validators by `(apiVersion, kind)`.
pub struct Schemas {
    by_kind: BTreeMap<(String, String), jsonschema::Validator>,
}

impl Schemas {
    /// Reads every schema file under `dir`.
    pub fn load(dir: &Path) -> Schemas {
        let mut by_kind = BTreeMap::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let schema: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let validator = jsonschema::validator_for(&schema)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for gvk in schema["x-kubernetes-group-version-kind"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let (group, version) = (
                    gvk["group"].as_str().unwrap(),
                    gvk["version"].as_str().unwrap(),
                );
                let api_version = if group.is_empty() {
                    version.to_string()
                } else {
                    format!("{group}/{version}")
                };
                by_kind.insert(
                    (api_version, gvk["kind"].as_str().unwrap().to_string()),
                    validator.clone(),
                );
            }
        }
        Schemas { by_kind }
    }

    /// Validates `doc`; `Ok(false)` when no schema covers its kind, `Err` with every error.
    pub fn validate(&self, doc: &Value) -> Result<bool, Vec<String>> {
        let key = (
            doc["apiVersion"].as_str().unwrap_or("").to_string(),
            doc["kind"].as_str().unwrap_or("").to_string(),
        );
        let Some(v) = self.by_kind.get(&key) else {
            return Ok(false);
        };
        let errors: Vec<String> = v
            .iter_errors(doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(true)
        } else {
            Err(errors)
        }
    }
}
