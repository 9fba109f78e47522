//! `verify`: the policies of a convert output directory, run in engines embedded in the binary
//! against the input's pods and pod templates, compared with the PSP simulator. It is the
//! harness the differential tests use, and how a reviewer checks a migration on real workloads
//! without a cluster.
//!
//! A disagreement is *declared* when the target's fidelity report says why it happens (a pod
//! that relied on a PSP default, which no policy in the directory applies: the mutating policy
//! was left out, or the ClusterPolicy form has none; a pod Gatekeeper's mutators changed in a
//! namespace where they cannot make the plugin's choice among PSPs); anything else is
//! undeclared, and `verify` fails on it.
//!
//! Kubewarden's output is found and named, but not run: its policy modules are WebAssembly, and
//! the report says so in one line.
//!
//! Gatekeeper's output is run as Gatekeeper runs it: its mutators ([`crate::targets::gatekeeper::apply`]),
//! then its ConstraintTemplate's Rego in regorus ([`rego`]) with the Constraint's parameters,
//! and, as a second target `gatekeeper-cel`, the template's CEL code block on the same mutated
//! pod in the embedded CEL engine.

pub mod gatekeeper;
pub mod kyverno;
pub mod rego;
pub mod vap;

use std::collections::BTreeMap;
use std::path::Path;

use k8s_openapi::api::core::v1::Pod;
use serde::Serialize;

use crate::cel::eval::{mutation, Request};
use crate::load::Loaded;
use crate::psp::Psp;
use crate::replay::{self, SimResult};
use crate::scope::Identity;
use crate::simulate::{apply_api_defaults, evaluate};

/// One target found in the directory, or why it could not be run.
#[derive(Debug, Clone, Serialize)]
pub struct TargetRun {
    pub target: &'static str,
    /// The file its policy was read from.
    pub file: String,
    /// Why the target was not run (no embedded engine for it), when it was not.
    pub not_run: Option<String>,
}

/// One target's verdict on one pod or pod template.
#[derive(Debug, Clone, Serialize)]
pub struct TargetVerdict {
    pub target: &'static str,
    pub admitted: bool,
    /// The policy's message when it denies.
    pub message: Option<String>,
    pub agreed: bool,
    /// Why the disagreement is expected, when the fidelity report declares it.
    pub declared: Option<String>,
    /// Where both admit after defaults: whether the target's pod equals the plugin's (`None`
    /// when there was nothing to compare).
    pub same_pod: Option<bool>,
}

/// The simulator's and every target's verdict on one pod or pod template.
#[derive(Debug, Clone, Serialize)]
pub struct Verdicts {
    pub kind: &'static str,
    pub namespace: String,
    pub name: Option<String>,
    pub source: String,
    /// The simulator: admitted, by which PSP, and whether only after its defaults.
    pub simulator_admitted: bool,
    pub psp: Option<String>,
    pub after_defaults: bool,
    pub targets: Vec<TargetVerdict>,
}

/// Everything `verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub targets: Vec<TargetRun>,
    pub results: Vec<Verdicts>,
}

impl Report {
    /// True when some target disagrees with the simulator without a declared reason.
    pub fn undeclared(&self) -> bool {
        self.results
            .iter()
            .flat_map(|r| &r.targets)
            .any(|t| !t.agreed && t.declared.is_none())
    }
}

/// Runs every target found in `dir` on the pods and templates of `loaded`.
pub fn verify(dir: &Path, loaded: &Loaded, opts: &replay::Options) -> Result<Report, String> {
    let kyverno_file = dir.join("kyverno").join("validating-policy.yaml");
    let kyverno_mutating = dir.join("kyverno").join("mutating-policy.yaml");
    let cluster_policy = dir.join("kyverno").join("cluster-policy.yaml");
    let mut targets = Vec::new();
    let mut engines = Vec::new();
    if kyverno_file.is_file() {
        let mutator = if kyverno_mutating.is_file() {
            Some(kyverno::mutating_engine(&kyverno_mutating)?)
        } else {
            None
        };
        engines.push(Run {
            target: "kyverno",
            engines: Engines::Kyverno {
                mutator,
                engine: kyverno::engine(&kyverno_file)?,
                unmutated: NO_MUTATING_POLICY,
            },
        });
        targets.push(TargetRun {
            target: "kyverno",
            file: kyverno_file.display().to_string(),
            not_run: None,
        });
    }
    if cluster_policy.is_file() {
        engines.push(Run {
            target: CLUSTER_POLICY_TARGET,
            engines: Engines::Kyverno {
                mutator: None,
                engine: kyverno::cluster_policy_engine(&cluster_policy)?,
                unmutated: CLUSTER_POLICY_FORM,
            },
        });
        targets.push(TargetRun {
            target: CLUSTER_POLICY_TARGET,
            file: cluster_policy.display().to_string(),
            not_run: None,
        });
    }
    if let Some(v) = vap::load(dir)? {
        engines.push(Run {
            target: VAP_TARGET,
            engines: Engines::Vap(Box::new(v)),
        });
        targets.push(TargetRun {
            target: VAP_TARGET,
            file: vap::policy_file(dir).display().to_string(),
            not_run: None,
        });
    }
    let gatekeeper_template = dir.join("gatekeeper").join("constraint-template.yaml");
    let mut gatekeeper = None;
    if gatekeeper_template.is_file() {
        let gk = gatekeeper::Gatekeeper::read(dir, loaded)?;
        targets.push(TargetRun {
            target: GATEKEEPER_TARGET,
            file: gatekeeper_template.display().to_string(),
            not_run: None,
        });
        if gk.has_cel() {
            targets.push(TargetRun {
                target: GATEKEEPER_CEL_TARGET,
                file: gatekeeper_template.display().to_string(),
                not_run: None,
            });
        }
        gatekeeper = Some(gk);
    }
    let kubewarden = dir.join(KUBEWARDEN_TARGET);
    if kubewarden.is_dir() {
        targets.push(TargetRun {
            target: KUBEWARDEN_TARGET,
            file: kubewarden.display().to_string(),
            not_run: Some(KUBEWARDEN_NOT_RUN.into()),
        });
    }
    if engines.is_empty() && gatekeeper.is_none() && !kubewarden.is_dir() {
        return Err(format!(
            "{}: no policy this command can run (expected kyverno/validating-policy.yaml, kyverno/cluster-policy.yaml, gatekeeper/constraint-template.yaml or vap/validating-admission-policy.yaml from `podsec-migrate convert`)",
            dir.display()
        ));
    }
    let sim = replay::simulate(loaded, opts);
    let requester = opts.user.clone().unwrap_or_else(nobody);
    let psps: BTreeMap<&str, &Psp> = loaded.psps().map(|(_, p)| (p.name.as_str(), p)).collect();
    let views = loaded
        .objects
        .iter()
        .filter_map(|o| Some((o, o.pod_view()?)));
    let mut results = Vec::new();
    for ((obj, view), r) in views.zip(&sim.results) {
        // The pod as the API server hands it to admission: its defaulting applied.
        let mut pod = Pod {
            metadata: view.meta.clone(),
            spec: Some(view.spec.clone()),
            status: None,
        };
        apply_api_defaults(&mut pod);
        let object = serde_json::to_value(&pod).map_err(|e| e.to_string())?;
        // The pod the plugin stored, when it changed it.
        let stored = match (&r.psp, r.mutations.is_empty()) {
            (Some(name), false) => psps
                .get(name.as_str())
                .map(|p| evaluate(p, view.spec, view.meta).pod)
                .map(|p| serde_json::to_value(p).map(mutation::comparable))
                .transpose()
                .map_err(|e| e.to_string())?,
            _ => None,
        };
        let request = Request {
            namespace: r.namespace.clone(),
            username: requester.user.clone(),
            groups: requester.groups.clone(),
            operation: "CREATE".into(),
        };
        let mut verdicts = Vec::new();
        for Run { target, engines } in &engines {
            let (mutator, engine, unmutated) = match engines {
                Engines::Kyverno {
                    mutator,
                    engine,
                    unmutated,
                } => (mutator, engine, unmutated),
                Engines::Vap(v) => {
                    let labels = vap::namespace_labels(&loaded.objects, &r.namespace);
                    verdicts.push(
                        run_vap(v, obj, &object, &request, &labels, r, stored.as_ref())
                            .map_err(|e| format!("{target}: {}: {e}", r.source))?,
                    );
                    continue;
                }
            };
            let mut object = object.clone();
            if let Some(m) = mutator {
                mutation::apply(m, &mut object, &request)
                    .map_err(|e| format!("{target}: {}: mutation: {e}", r.source))?;
            }
            let out = engine
                .evaluate(&object, &request)
                .map_err(|e| format!("{target}: {}: {e}", r.source))?;
            let applied = match mutator {
                Some(_) => Ok(()),
                None => Err(*unmutated),
            };
            let mut verdict = judge(target, r, out.admitted, out.message, applied);
            if let (Some(want), true, true) = (&stored, out.admitted, mutator.is_some()) {
                let same = mutation::comparable(object) == *want;
                verdict.same_pod = Some(same);
                verdict.agreed &= same;
            }
            verdicts.push(verdict);
        }
        if let Some(gk) = gatekeeper.as_mut() {
            verdicts.extend(gatekeeper_verdicts(gk, &object, r, &request)?);
        }
        results.push(Verdicts {
            kind: r.kind,
            namespace: r.namespace.clone(),
            name: r.name.clone(),
            source: r.source.clone(),
            simulator_admitted: r.admitted,
            psp: r.psp.clone(),
            after_defaults: !r.mutations.is_empty(),
            targets: verdicts,
        });
    }
    Ok(Report { targets, results })
}

/// The Gatekeeper target's verdicts: its mutators, then its Rego, and its CEL code block (a
/// second verdict, named [`GATEKEEPER_CEL_TARGET`]) on the same mutated pod. The pods are not
/// compared (`same_pod` stays unset): the mutators put user and group IDs, runAsNonRoot and
/// SELinux options on the pod's security context, where the plugin put them on each container,
/// to the same effect, so the two pods differ by design.
fn gatekeeper_verdicts(
    gk: &mut gatekeeper::Gatekeeper,
    object: &serde_json::Value,
    r: &SimResult,
    request: &Request,
) -> Result<Vec<TargetVerdict>, String> {
    let mut object = object.clone();
    let changed = gk
        .mutate(&mut object, &r.namespace)
        .map_err(|e| format!("{GATEKEEPER_TARGET}: {}: mutation: {e}", r.source))?;
    let violations = gk
        .review(
            &object,
            &r.namespace,
            &request.username,
            &request.groups,
            &request.operation,
        )
        .map_err(|e| format!("{GATEKEEPER_TARGET}: {}: {e}", r.source))?;
    let verdict = |target: &'static str, denied: Option<String>| {
        let admitted = denied.is_none();
        let agreed = admitted == r.admitted;
        TargetVerdict {
            target,
            admitted,
            message: denied,
            agreed,
            declared: if agreed {
                None
            } else {
                gk.declared(r, changed)
            },
            same_pod: None,
        }
    };
    let mut out = vec![verdict(
        GATEKEEPER_TARGET,
        (!violations.is_empty()).then(|| violations.join("; ")),
    )];
    if gk.has_cel() {
        let denied = gk
            .review_cel(&object, None, request)
            .map_err(|e| format!("{GATEKEEPER_CEL_TARGET}: {}: {e}", r.source))?;
        out.push(verdict(GATEKEEPER_CEL_TARGET, denied));
    }
    Ok(out)
}

/// The target name `verify` gives the Kubewarden output.
pub const KUBEWARDEN_TARGET: &str = crate::targets::kubewarden::TARGET;

/// Why the Kubewarden output is not run: said in the report, not a failure.
pub const KUBEWARDEN_NOT_RUN: &str = "not run: Kubewarden's policy modules are WebAssembly, which this command does not execute; the groups and policies are checked by their settings (tests/kubewarden.rs) and the fidelity report says what each module keeps";

/// The target name `verify` gives the Gatekeeper output.
pub const GATEKEEPER_TARGET: &str = "gatekeeper";
/// The target name `verify` gives the Gatekeeper output's CEL code block.
pub const GATEKEEPER_CEL_TARGET: &str = "gatekeeper-cel";

/// One policy set the directory holds, ready to run.
struct Run {
    target: &'static str,
    engines: Engines,
}

/// The engines of one target.
enum Engines {
    /// Kyverno's policies: pods and pod templates judged as pods.
    Kyverno {
        /// The engine of its mutating policy, when it has one.
        mutator: Option<crate::cel::eval::Engine>,
        engine: crate::cel::eval::Engine,
        /// Why, without a mutator, no PSP default is applied (ends a declared reason).
        unmutated: &'static str,
    },
    /// The built-in admission policies, with their scope: controllers judged as controllers.
    Vap(Box<vap::Vap>),
}

/// The name `verify` gives the vap target.
pub const VAP_TARGET: &str = crate::targets::vap::TARGET;

const NO_MUTATING_ADMISSION_POLICY: &str = "the directory holds no MutatingAdmissionPolicy (Kubernetes before 1.34 has none) that applies them";

/// The vap target's verdict on one pod or controller: the object the API server would admit
/// (the controller itself, its template defaulted as the pod is), mutated and judged within
/// the bindings' scope; where both admit after defaults, the pod it ends with is compared with
/// the one the plugin stored.
fn run_vap(
    v: &vap::Vap,
    obj: &crate::load::Object,
    pod: &serde_json::Value,
    request: &Request,
    labels: &BTreeMap<String, String>,
    sim: &SimResult,
    stored: Option<&serde_json::Value>,
) -> Result<TargetVerdict, String> {
    let (mut object, at) = vap::admission_object(obj, pod)?;
    let d = v.admit(&mut object, request, labels)?;
    let applied = if v.mutating.is_some() {
        Ok(())
    } else {
        Err(NO_MUTATING_ADMISSION_POLICY)
    };
    let mut verdict = judge(VAP_TARGET, sim, d.enforced, d.message, applied);
    if !verdict.agreed && verdict.declared.is_none() && !d.admitted && d.enforced && !sim.admitted {
        verdict.declared = Some(format!(
            "the binding's validationActions [{}] refuse nothing (a dry run); the policy itself denies",
            v.actions.join(", ")
        ));
    }
    if let (Some(want), true, true) = (stored, d.enforced, d.mutated) {
        let same = mutation::comparable(vap::pod_of(&object, at)) == *want;
        verdict.same_pod = Some(same);
        verdict.agreed &= same;
    }
    Ok(verdict)
}

/// The target name `verify` gives the ClusterPolicy form (`--kyverno-api clusterpolicy`).
pub const CLUSTER_POLICY_TARGET: &str = "kyverno-clusterpolicy";

const NO_MUTATING_POLICY: &str = "the directory holds no mutating policy that applies them";

const CLUSTER_POLICY_FORM: &str =
    "the ClusterPolicy form (--kyverno-api clusterpolicy) applies no PSP defaults";

/// A requester with no grants of its own: only the pod's service account counts.
fn nobody() -> Identity {
    Identity::user("podsec-migrate:verify", &[])
}

/// Compares one target's verdict with the simulator's.
fn judge(
    target: &'static str,
    sim: &SimResult,
    admitted: bool,
    message: Option<String>,
    mutated: Result<(), &'static str>,
) -> TargetVerdict {
    let agreed = admitted == sim.admitted;
    let unmutated = mutated.err();
    let relied = !agreed && sim.admitted && !sim.mutations.is_empty() && !admitted;
    let declared = unmutated.filter(|_| relied).map(|why| {
        let fields: Vec<&str> = sim.mutations.iter().map(|m| m.path.as_str()).collect();
        format!(
            "the pod relied on defaults of {} ({}), and {why}",
            sim.psp.as_deref().unwrap_or("its PSP"),
            fields.join(", ")
        )
    });
    TargetVerdict {
        target,
        admitted,
        message,
        agreed,
        declared,
        same_pod: None,
    }
}
