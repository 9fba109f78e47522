//! Reading inputs: files, directories and stdin; YAML and JSON; multi-document streams and
//! `List` objects; every object keeps where it came from.
//!
//! Loading never stops at the first problem: it reads everything and returns every diagnostic,
//! so a user fixes all of them in one pass. Callers refuse to go on when any is an error.

mod files;
mod json_stream;
mod kinds;
mod stream;
mod workload;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::LazyLock;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use serde_json::Value;

use crate::diag::{json_type, Diagnostic, Location, Locator};
pub use kinds::ObjectKind;
pub use stream::{stream_inputs, Sink};
pub use workload::Workload;

/// Limits and switches for loading.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Largest file (or stdin) accepted, in bytes.
    pub max_input_bytes: u64,
    /// Keep PSPs whose name was already defined, renamed `<name>-2`, `<name>-3`, ... (a warning
    /// each) instead of reporting an error.
    pub rename_duplicates: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            max_input_bytes: 64 * 1024 * 1024,
            rename_duplicates: false,
        }
    }
}

/// Where an object came from: file, document (1-based), `List` item (0-based) and position.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    pub file: String,
    pub document: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<usize>,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One Kubernetes object read from the input.
#[derive(Debug, Clone)]
pub struct Object {
    pub source: Source,
    pub locator: Locator,
    pub kind: ObjectKind,
}

/// A pod, or the pod template inside a controller: what admission would judge.
#[derive(Debug, Clone, Copy)]
pub struct PodView<'a> {
    /// The object's own metadata (the controller's, for a template).
    pub owner: &'a ObjectMeta,
    /// The pod's metadata (the template's, for a controller).
    pub meta: &'a ObjectMeta,
    pub spec: &'a PodSpec,
}

impl PodView<'_> {
    /// The service account the pod runs as: `serviceAccountName`, else the deprecated
    /// `serviceAccount`, else `default` (an empty name counts as unset).
    pub fn service_account(&self) -> String {
        let s = self.spec;
        [&s.service_account_name, &s.service_account]
            .into_iter()
            .flatten()
            .find(|n| !n.is_empty())
            .cloned()
            .unwrap_or_else(|| "default".into())
    }
}

impl Object {
    /// The pod this object is or holds; `None` for other kinds and controllers without a
    /// template. A pod without a spec is judged as an empty one.
    pub fn pod_view(&self) -> Option<PodView<'_>> {
        static EMPTY_SPEC: LazyLock<PodSpec> = LazyLock::new(PodSpec::default);
        static EMPTY_META: LazyLock<ObjectMeta> = LazyLock::new(ObjectMeta::default);
        match &self.kind {
            ObjectKind::Pod(p) => Some(PodView {
                owner: &p.metadata,
                meta: &p.metadata,
                spec: p.spec.as_ref().unwrap_or(&EMPTY_SPEC),
            }),
            ObjectKind::Workload(w) => w.pod_template().map(|t| PodView {
                owner: w.metadata(),
                meta: t.metadata.as_ref().unwrap_or(&EMPTY_META),
                spec: t.spec.as_ref().unwrap_or(&EMPTY_SPEC),
            }),
            _ => None,
        }
    }

    /// The namespace of a namespaced object (`default` when unset), `None` for cluster-scoped.
    pub fn namespace(&self) -> Option<String> {
        let meta = match &self.kind {
            ObjectKind::Pod(p) => &p.metadata,
            ObjectKind::Workload(w) => w.metadata(),
            ObjectKind::ServiceAccount(s) => &s.metadata,
            ObjectKind::Role(r) => &r.metadata,
            ObjectKind::RoleBinding(b) => &b.metadata,
            _ => return None,
        };
        Some(meta.namespace.clone().unwrap_or_else(|| "default".into()))
    }
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub diagnostics: Vec<Diagnostic>,
    /// Objects of kinds this tool does not use, counted by `apiVersion/kind`.
    pub skipped: BTreeMap<String, usize>,
    /// Files (and stdin) read.
    pub files: usize,
    /// Files passed over in directories because of their extension.
    pub ignored_files: Vec<PathBuf>,
}

impl Loaded {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The PodSecurityPolicies, in input order, with their objects.
    pub fn psps(&self) -> impl Iterator<Item = (&Object, &crate::psp::Psp)> {
        self.objects.iter().filter_map(|o| match &o.kind {
            ObjectKind::PodSecurityPolicy(p) => Some((o, p.as_ref())),
            _ => None,
        })
    }

    /// Stores every PSP as an API server with `gates` would have: a field a disabled gate drops
    /// is cleared, with a warning at that field (nothing the input says goes unmentioned).
    pub fn apply_feature_gates(&mut self, gates: &crate::psp::FeatureGates) {
        for o in &mut self.objects {
            let ObjectKind::PodSecurityPolicy(p) = &mut o.kind else {
                continue;
            };
            if let Some(field) = gates.apply(p) {
                let path = format!("spec.{field}");
                self.diagnostics.push(Diagnostic::warning(
                    o.locator.at(&path),
                    path,
                    format!("dropped: with the ProcMountType feature gate off (the 1.23/1.24 default) the API server does not store {field}, so only the Default /proc mount is allowed; pass --feature-gates ProcMountType=true if the cluster enabled it"),
                ));
            }
        }
    }

    /// One line that says what was skipped, if anything.
    pub fn skipped_summary(&self) -> Option<String> {
        let mut parts: Vec<String> = self
            .skipped
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        if !self.ignored_files.is_empty() {
            parts.push(format!(
                "{} file(s) in directories without a .yaml/.yml/.json name (or links to directories)",
                self.ignored_files.len()
            ));
        }
        (!parts.is_empty())
            .then(|| format!("skipped (not used by podsec-migrate): {}", parts.join(", ")))
    }
}

/// Reads every input (file, directory or `-` for stdin) and returns the objects found with all
/// diagnostics, including duplicate PodSecurityPolicy names across inputs.
pub fn load_inputs(inputs: &[PathBuf], opts: &LoadOptions) -> Loaded {
    let mut loaded = Loaded::default();
    for text in files::read_inputs(inputs, opts, &mut loaded) {
        load_text(&text.name, &text.content, &mut loaded);
        loaded.files += 1;
    }
    check_duplicate_psps(&mut loaded, opts.rename_duplicates);
    check_role_refs(&mut loaded);
    check_subjects(&mut loaded);
    loaded.diagnostics.sort_by(|a, b| {
        a.location
            .cmp(&b.location)
            .then(b.severity.cmp(&a.severity))
    });
    loaded
}

/// Reads one file's text (already checked to be text within the size limit).
pub fn load_text(file: &str, text: &str, loaded: &mut Loaded) {
    let docs = match yaml::parse_documents(text) {
        Ok(d) => d,
        Err(e) => {
            let loc = Location {
                file: file.to_string(),
                line: e.pos.line,
                column: e.pos.column,
            };
            loaded
                .diagnostics
                .push(Diagnostic::error(loc, "", e.message));
            return;
        }
    };
    if docs.is_empty() {
        let loc = Location {
            file: file.to_string(),
            line: 1,
            column: 1,
        };
        // kubectl apply skips such files too; say so rather than stop the run.
        loaded.diagnostics.push(Diagnostic::warning(
            loc,
            "",
            "no YAML or JSON document in this file (it is empty, only comments or only `---`); skipped",
        ));
        return;
    }
    for (i, doc) in docs.into_iter().enumerate() {
        for note in &doc.notes {
            let loc = Location {
                file: file.to_string(),
                line: note.pos.line,
                column: note.pos.column,
            };
            let field = note.field.clone();
            let message = note.message.clone();
            loaded
                .diagnostics
                .push(Diagnostic::warning(loc, field, message));
        }
        let locator = Locator {
            file: file.to_string(),
            spans: doc.spans.clone(),
        };
        let source = Source {
            file: file.to_string(),
            document: i + 1,
            item: None,
            line: doc.start.line,
            column: doc.start.column,
        };
        load_document(doc.value, source, locator, loaded);
    }
}

/// One document: a Kubernetes object, or a `List` whose items are objects.
pub(super) fn load_document(value: Value, source: Source, locator: Locator, loaded: &mut Loaded) {
    let Some(obj) = value.as_object() else {
        let what = json_type(&value);
        loaded.diagnostics.push(Diagnostic::error(
            locator.at(""),
            "",
            format!("document {} is {what}, expected a Kubernetes object (a mapping with apiVersion and kind)", source.document),
        ));
        return;
    };
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
    if let Some(items) = obj
        .get("items")
        .filter(|i| kind.ends_with("List") && !i.is_array())
    {
        loaded.diagnostics.push(Diagnostic::error(
            locator.at("items"),
            "items",
            format!(
                "the items of a {kind} must be a list of objects, and this is {}; nothing in it is read",
                json_type(items)
            ),
        ));
        return;
    }
    if is_list(kind, obj.get("items")) {
        let Value::Object(mut map) = value else {
            unreachable!()
        };
        let Some(Value::Array(items)) = map.remove("items") else {
            return;
        };
        for (i, item) in items.into_iter().enumerate() {
            let field = format!("items[{i}]");
            let spans = locator.spans.child(&field);
            let pos = spans.pos("");
            let item_locator = Locator {
                file: locator.file.clone(),
                spans,
            };
            let item_source = Source {
                item: Some(i),
                line: pos.line,
                column: pos.column,
                ..source.clone()
            };
            if matches!(item.get("kind").and_then(Value::as_str), Some(k) if is_list(k, item.get("items")))
            {
                loaded.diagnostics.push(Diagnostic::error(
                    locator.at(&field),
                    field,
                    "a List inside a List is not supported",
                ));
                continue;
            }
            load_document(item, item_source, item_locator, loaded);
        }
        return;
    }
    if let Some(object) = kinds::decode(value, source, locator, loaded) {
        loaded.objects.push(object);
    }
}

/// `List`, `PodSecurityPolicyList`, ... with an `items` array.
fn is_list(kind: &str, items: Option<&Value>) -> bool {
    kind.ends_with("List") && matches!(items, Some(Value::Array(_)))
}

/// The checks that need every object at once, for inputs read as a stream: run on what was
/// kept of it (PSPs and RBAC). When the run does not use the PSPs (`psps_used` false), a name
/// defined twice is only a warning: nothing depends on which one is meant.
pub fn check_streamed(loaded: &mut Loaded, rename_duplicates: bool, psps_used: bool) {
    if psps_used {
        check_duplicate_psps(loaded, rename_duplicates);
    } else {
        warn_duplicate_psps(loaded);
    }
    check_role_refs(loaded);
    check_subjects(loaded);
}

/// PodSecurityPolicy names are cluster-wide: two inputs defining one name is an error, or with
/// `rename` a warning and the later ones get the first free name `<name>-N`.
fn check_duplicate_psps(loaded: &mut Loaded, rename: bool) {
    let mut taken: BTreeSet<String> = loaded.psps().map(|(_, p)| p.name.clone()).collect();
    let mut first_seen: BTreeMap<String, Location> = BTreeMap::new();
    for obj in &mut loaded.objects {
        let ObjectKind::PodSecurityPolicy(psp) = &mut obj.kind else {
            continue;
        };
        let here = obj.locator.at("metadata.name");
        let Some(first) = first_seen.get(&psp.name).cloned() else {
            first_seen.insert(psp.name.clone(), here);
            continue;
        };
        if !rename {
            loaded.diagnostics.push(Diagnostic::error(
                here,
                "metadata.name",
                format!(
                    "PodSecurityPolicy {:?} is defined twice (first at {first}); a cluster holds one PSP per name: remove one, or pass --rename-duplicates",
                    psp.name
                ),
            ));
            continue;
        }
        let new_name = (2..)
            .map(|n| format!("{}-{n}", psp.name))
            .find(|n| !taken.contains(n))
            .expect("a free name");
        loaded.diagnostics.push(Diagnostic::warning(
            here.clone(),
            "metadata.name",
            format!("PodSecurityPolicy {:?} is defined twice (first at {first}); this one is renamed {new_name:?} (RBAC that names {:?} still means the first)", psp.name, psp.name),
        ));
        taken.insert(new_name.clone());
        psp.name = new_name;
    }
}

/// A warning per PodSecurityPolicy name defined again, for runs that do not use the PSPs.
fn warn_duplicate_psps(loaded: &mut Loaded) {
    let mut first_seen: BTreeMap<String, Location> = BTreeMap::new();
    let mut found = Vec::new();
    for (obj, psp) in loaded.psps() {
        let here = obj.locator.at("metadata.name");
        match first_seen.get(&psp.name) {
            Some(first) => found.push(Diagnostic::warning(
                here,
                "metadata.name",
                format!(
                    "PodSecurityPolicy {:?} is defined twice (first at {first}); this run does not use PSPs, so it is only noted (a cluster holds one PSP per name)",
                    psp.name
                ),
            )),
            None => {
                first_seen.insert(psp.name.clone(), here);
            }
        }
    }
    loaded.diagnostics.extend(found);
}

/// A binding whose role is not in the input grants something this run cannot see: a warning,
/// since the grants of that role (and so the PSPs it lets subjects use) are unknown.
fn check_role_refs(loaded: &mut Loaded) {
    let mut roles: BTreeSet<(String, String)> = BTreeSet::new();
    for o in &loaded.objects {
        match &o.kind {
            ObjectKind::Role(r) => {
                roles.insert((
                    o.namespace().unwrap_or_default(),
                    r.metadata.name.clone().unwrap_or_default(),
                ));
            }
            ObjectKind::ClusterRole(r) => {
                roles.insert((String::new(), r.metadata.name.clone().unwrap_or_default()));
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for o in &loaded.objects {
        let (role_ref, ns) = match &o.kind {
            ObjectKind::RoleBinding(b) => (&b.role_ref, o.namespace().unwrap_or_default()),
            ObjectKind::ClusterRoleBinding(b) => (&b.role_ref, String::new()),
            _ => continue,
        };
        let cluster = role_ref.kind == "ClusterRole";
        let key_ns = if cluster { String::new() } else { ns.clone() };
        if !roles.contains(&(key_ns, role_ref.name.clone())) {
            let other = if cluster {
                (ns.clone(), role_ref.name.clone())
            } else {
                (String::new(), role_ref.name.clone())
            };
            let hint = match (roles.contains(&other), cluster) {
                (true, true) => format!(
                    " (a Role {:?} exists in namespace {ns:?}: did you mean kind Role?)",
                    role_ref.name
                ),
                (true, false) => format!(
                    " (a ClusterRole {:?} exists: did you mean kind ClusterRole?)",
                    role_ref.name
                ),
                _ => String::new(),
            };
            found.push(Diagnostic::warning(
                o.locator.at("roleRef.name"),
                "roleRef.name",
                format!(
                    "{} {:?} is not in the input: the PodSecurityPolicies it grants are unknown to this run{hint}",
                    role_ref.kind, role_ref.name
                ),
            ));
        }
    }
    loaded.diagnostics.extend(found);
}

/// Binding subjects that grant nothing: an unknown kind, or a service account without a
/// namespace in a ClusterRoleBinding (which has no namespace to lend it).
fn check_subjects(loaded: &mut Loaded) {
    let mut found = Vec::new();
    for o in &loaded.objects {
        let (subjects, cluster) = match &o.kind {
            ObjectKind::RoleBinding(b) => (b.subjects.as_deref(), false),
            ObjectKind::ClusterRoleBinding(b) => (b.subjects.as_deref(), true),
            _ => continue,
        };
        for (i, s) in subjects.unwrap_or_default().iter().enumerate() {
            let field = format!("subjects[{i}]");
            let message = match s.kind.as_str() {
                "User" | "Group" => continue,
                "ServiceAccount" if !cluster || s.namespace.as_deref().is_some_and(|n| !n.is_empty()) => continue,
                "ServiceAccount" => "a ServiceAccount subject of a ClusterRoleBinding needs a namespace; this subject is granted nothing".to_string(),
                other => format!("subject kind {other:?} is not User, Group or ServiceAccount; it is granted nothing"),
            };
            found.push(Diagnostic::warning(o.locator.at(&field), field, message));
        }
    }
    loaded.diagnostics.extend(found);
}
