//! The plan `audit --plan` checks workloads against: the enforce, audit and warn level of every
//! namespace and of namespaces without labels, read from a convert output directory
//! (`psa/namespaces.yaml`, `psa/admission-configuration.yaml`) or computed from the input as
//! `convert` computes it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::intent::intent_of;
use crate::levels::judge;
use crate::load::yaml::parse_documents;
use crate::load::Loaded;
use crate::pss::{Level, Version};
use crate::scope::Scopes;
use crate::targets::psa::{cluster_plan, Observed, PlanOptions, PspLevels};

/// The three modes of one namespace, and the version they judge at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Modes {
    pub enforce: Level,
    pub audit: Level,
    pub warn: Level,
    /// The enforce version label (`v1.N` or `latest`); every mode is judged at it.
    pub version: String,
    #[serde(skip)]
    pub parsed_version: Version,
}

/// Every namespace's modes, and the defaults for the rest.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The directory it was read from, or `auto`.
    pub source: String,
    pub defaults: Modes,
    pub namespaces: BTreeMap<String, Modes>,
}

impl Plan {
    /// The modes that apply in `namespace`.
    pub fn modes(&self, namespace: &str) -> &Modes {
        self.namespaces.get(namespace).unwrap_or(&self.defaults)
    }
}

/// The label prefix of Pod Security Admission.
const LABEL: &str = "pod-security.kubernetes.io/";

/// Pod Security Admission's own defaults (no configuration): privileged, latest.
fn psa_defaults() -> Modes {
    Modes {
        enforce: Level::Privileged,
        audit: Level::Privileged,
        warn: Level::Privileged,
        version: "latest".into(),
        parsed_version: Version::Latest,
    }
}

/// Reads the plan of a convert output directory; an error names the file and what is wrong.
pub fn read_dir(dir: &Path) -> Result<Plan, String> {
    let psa = dir.join("psa");
    let labels_file = psa.join("namespaces.yaml");
    if !labels_file.is_file() {
        return Err(format!(
            "{}: not a convert output directory (no psa/namespaces.yaml); run `podsec-migrate convert` first, or pass --plan auto",
            dir.display()
        ));
    }
    let config_file = psa.join("admission-configuration.yaml");
    let defaults = if config_file.is_file() {
        let docs = read_yaml(&config_file)?;
        let found = docs.iter().find_map(|d| {
            d["plugins"]
                .as_array()?
                .iter()
                .find(|p| p["name"] == "PodSecurity")
                .map(|p| p["configuration"]["defaults"].clone())
        });
        match found {
            Some(Value::Object(m)) => {
                let get = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
                modes(&get, &psa_defaults(), &config_file)?
            }
            _ => {
                return Err(format!(
                    "{}: no PodSecurity plugin configuration with defaults",
                    config_file.display()
                ))
            }
        }
    } else {
        psa_defaults()
    };
    let mut namespaces = BTreeMap::new();
    for d in read_yaml(&labels_file)? {
        if d["kind"] != "Namespace" {
            continue;
        }
        let Some(name) = d["metadata"]["name"].as_str() else {
            return Err(format!(
                "{}: a Namespace without a name",
                labels_file.display()
            ));
        };
        let labels = &d["metadata"]["labels"];
        let get = |k: &str| {
            labels
                .get(format!("{LABEL}{k}"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        namespaces.insert(name.to_string(), modes(&get, &defaults, &labels_file)?);
    }
    Ok(Plan {
        source: dir.display().to_string(),
        defaults,
        namespaces,
    })
}

fn read_yaml(path: &Path) -> Result<Vec<Value>, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let docs = parse_documents(&text)
        .map_err(|e| format!("{shown}:{}:{}: {}", e.pos.line, e.pos.column, e.message))?;
    Ok(docs.into_iter().map(|d| d.value).collect())
}

/// The modes named by `get` (`enforce`, `enforce-version`, ...), each falling back to
/// `fallback`'s.
fn modes(
    get: &dyn Fn(&str) -> Option<String>,
    fallback: &Modes,
    file: &Path,
) -> Result<Modes, String> {
    let level = |mode: &str, default: Level| -> Result<Level, String> {
        match get(mode) {
            Some(v) => v
                .parse()
                .map_err(|e| format!("{}: {mode}: {e}", file.display())),
            None => Ok(default),
        }
    };
    let version = get("enforce-version").unwrap_or_else(|| fallback.version.clone());
    let parsed_version = version
        .parse()
        .map_err(|e| format!("{}: enforce-version: {e}", file.display()))?;
    Ok(Modes {
        enforce: level("enforce", fallback.enforce)?,
        audit: level("audit", fallback.audit)?,
        warn: level("warn", fallback.warn)?,
        version,
        parsed_version,
    })
}

/// The plan `convert` would make from the PSPs and RBAC of `context`, with `observed` as the
/// evidence from the workloads.
pub fn auto(context: &Loaded, observed: &[Observed], opts: &PlanOptions) -> Plan {
    let version = opts.k8s_version;
    let levels: BTreeMap<String, PspLevels> = context
        .psps()
        .map(|(_, p)| {
            let l = judge(&intent_of(p), version);
            (
                p.name.clone(),
                PspLevels {
                    compatible: l.compatible_level,
                    intended: l.intended_level,
                },
            )
        })
        .collect();
    let scopes = Scopes::from_loaded(context);
    let plan = cluster_plan(context, &scopes, &levels, observed, opts);
    let modes = |enforce, audit, warn, label: &str| Modes {
        enforce,
        audit,
        warn,
        version: label.to_string(),
        parsed_version: version,
    };
    let d = &plan.defaults;
    Plan {
        source: "auto".into(),
        defaults: modes(d.enforce, d.audit, d.warn, &d.version),
        namespaces: plan
            .namespaces
            .iter()
            .map(|n| {
                (
                    n.name.clone(),
                    modes(n.enforce, n.audit, n.warn, &n.version),
                )
            })
            .collect(),
    }
}
