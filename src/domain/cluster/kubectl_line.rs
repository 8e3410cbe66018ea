//! `kubectl` lines found in runbooks, parsed into native actions and queries.
//!
//! Only lines this module fully understands run natively; anything else (pipes, `&&`
//! chains, redirections, unknown verbs or flags, placeholders left unfilled) is
//! [`ParsedLine::NotUnderstood`] with the reason, and the console falls back to running it
//! in a shell after confirmation. Quoting follows POSIX shell rules for `'…'`, `"…"` and
//! backslashes; a leading `$ ` prompt is ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::action::{ClusterAction, ReadOnlyQuery};
use super::env_args;
use super::kubectl_args::split_args;
use super::printers::{GetOutput, ObjectOutput};
use super::shell_words::words;
use crate::domain::duration;

/// What a line asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Action(ClusterAction),
    Query(ReadOnlyQuery),
}

/// A kubectl line understood natively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KubectlLine {
    pub context: Option<String>,
    pub namespace: Option<String>,
    /// The Deployment the line is about (`None` for Service patches and pod selectors).
    pub deployment: Option<String>,
    pub command: Command,
}

impl KubectlLine {
    /// The workload the line acts on: its `--context`, `-n` and deployment, each filled
    /// from `default` (the runbook's target) when the line leaves it out.
    pub fn target(&self, default: &super::target::Target) -> super::target::Target {
        super::target::Target {
            context: self.context.clone().or_else(|| default.context.clone()),
            namespace: self
                .namespace
                .clone()
                .unwrap_or_else(|| default.namespace.clone()),
            deployment: self
                .deployment
                .clone()
                .unwrap_or_else(|| default.deployment.clone()),
        }
    }
}

/// The result of parsing one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParsedLine {
    Parsed(KubectlLine),
    NotUnderstood(String),
}

type R<T> = Result<T, String>;

/// Why an output form runs through kubectl itself: the console prints natively only what
/// it can print byte for byte as kubectl does (`printers`), never a different answer.
const BY_KUBECTL: &str =
    "printed by kubectl itself (the console's watch does not hold all it shows)";

fn is_deployment_kind(k: &str) -> bool {
    matches!(
        k,
        "deployment" | "deployments" | "deploy" | "deployment.apps" | "deployments.apps"
    ) || k.starts_with("deployments.v1.apps")
        || k.starts_with("deployment.v1.apps")
}

fn is_service_kind(k: &str) -> bool {
    matches!(k, "service" | "services" | "svc")
}

fn is_pod_kind(k: &str) -> bool {
    matches!(k, "pod" | "pods" | "po")
}

/// `deployment/NAME` or `deployment NAME` at the start of `pos`; returns the name and the
/// rest.
fn resource<'a>(
    pos: &'a [String],
    kind_ok: fn(&str) -> bool,
    what: &str,
) -> R<(String, &'a [String])> {
    let first = pos.first().ok_or_else(|| format!("no {what} named"))?;
    if let Some((k, n)) = first.split_once('/') {
        if !kind_ok(&k.to_lowercase()) {
            return Err(format!("{k} is not a {what}"));
        }
        if n.is_empty() {
            return Err(format!("no {what} name in {first}"));
        }
        return Ok((check_name(n)?, &pos[1..]));
    }
    if !kind_ok(&first.to_lowercase()) {
        return Err(format!("{first} is not a {what}"));
    }
    let name = pos.get(1).ok_or_else(|| format!("no {what} name"))?;
    Ok((check_name(name)?, &pos[2..]))
}

fn check_name(n: &str) -> R<String> {
    if n.contains('<') || n.contains('>') || n.contains('{') || n.contains('$') {
        return Err(format!("placeholder {n:?} not filled in"));
    }
    let ok = n
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if !ok || n.is_empty() {
        return Err(format!("{n:?} is not a valid resource name"));
    }
    Ok(n.to_string())
}

fn no_more(rest: &[String]) -> R<()> {
    match rest.first() {
        Some(w) => Err(format!(
            "unexpected argument {w:?} (one resource at a time)"
        )),
        None => Ok(()),
    }
}

/// Parses a Go duration as kubectl's `--timeout` takes it (`30s`, `5m`, `1h30m`, `0`),
/// through the one duration parser; whole seconds, rounded up. A timeout longer than
/// [`duration::MAX`] waits that long (a year and a day is "wait" to anyone).
pub fn parse_duration_secs(s: &str) -> R<u64> {
    let d = match duration::parse(s, duration::Syntax::GO) {
        Ok(d) => d,
        Err(duration::DurationError::TooLong(_)) => duration::MAX,
        Err(e) => return Err(format!("invalid duration: {e}")),
    };
    Ok(d.as_secs() + u64::from(d.subsec_nanos() > 0))
}

fn parse_int<T: std::str::FromStr>(flag: &str, v: &str) -> R<T> {
    v.parse()
        .map_err(|_| format!("invalid value {v:?} for {flag}"))
}

/// Parses one line of a runbook command block.
pub fn parse_kubectl_line(line: &str) -> ParsedLine {
    match parse(line) {
        Ok(l) => ParsedLine::Parsed(l),
        Err(e) => ParsedLine::NotUnderstood(e),
    }
}

fn parse(line: &str) -> R<KubectlLine> {
    let line = line.trim();
    let line = line.strip_prefix("$ ").unwrap_or(line);
    let ws = words(line)?;
    let (bin, rest) = ws.split_first().ok_or("empty line")?;
    if bin != "kubectl" && !bin.ends_with("/kubectl") {
        return Err(format!("{bin} is not kubectl"));
    }
    let mut a = split_args(rest)?;
    let context = a.take(&["--context"])?;
    let namespace = a.take(&["-n", "--namespace"])?;
    if a.flags
        .iter()
        .any(|(k, _)| k == "--kubeconfig" || k == "--server" || k == "-s")
    {
        return Err("another kubeconfig or server: run it in a shell".into());
    }
    let pos = std::mem::take(&mut a.positional);
    let verb: Vec<&str> = pos.iter().take(2).map(String::as_str).collect();
    let (deployment, command) = match verb.as_slice() {
        ["rollout", sub, ..] => {
            let (name, rest) = resource(&pos[2..], is_deployment_kind, "deployment")?;
            no_more(rest)?;
            let cmd = match *sub {
                "undo" => {
                    let to = a
                        .take(&["--to-revision"])?
                        .map(|v| parse_int::<i64>("--to-revision", &v))
                        .transpose()?;
                    Command::Action(ClusterAction::Undo {
                        to_revision: to.filter(|n| *n != 0),
                    })
                }
                "pause" => Command::Action(ClusterAction::Pause),
                "resume" => Command::Action(ClusterAction::Resume),
                "restart" => Command::Action(ClusterAction::Restart),
                "status" => {
                    let timeout = a
                        .take(&["--timeout"])?
                        .map(|v| parse_duration_secs(&v))
                        .transpose()?
                        .filter(|s| *s > 0);
                    if a.take_bool("--watch")? == Some(false) || a.take_bool("-w")? == Some(false) {
                        return Err("rollout status --watch=false is not supported natively".into());
                    }
                    Command::Query(ReadOnlyQuery::RolloutStatus {
                        timeout_secs: timeout,
                    })
                }
                "history" => {
                    let revision = a
                        .take(&["--revision"])?
                        .map(|v| parse_int::<i64>("--revision", &v))
                        .transpose()?
                        .filter(|n| *n != 0);
                    if revision.is_some_and(|n| n < 0) {
                        return Err(format!(
                            "rollout history --revision below 0 is {BY_KUBECTL}"
                        ));
                    }
                    if let Some(o) = a.take(&["-o", "--output"])? {
                        return Err(format!("rollout history -o {o} is {BY_KUBECTL}"));
                    }
                    Command::Query(ReadOnlyQuery::RolloutHistory { revision })
                }
                other => return Err(format!("rollout {other} is not supported natively")),
            };
            (Some(name), cmd)
        }
        ["scale", ..] => {
            let (name, rest) = resource(&pos[1..], is_deployment_kind, "deployment")?;
            no_more(rest)?;
            let replicas = a.take(&["--replicas"])?.ok_or("scale needs --replicas")?;
            let replicas = parse_int::<i32>("--replicas", &replicas)?;
            if replicas < 0 {
                return Err("--replicas must not be negative".into());
            }
            (
                Some(name),
                Command::Action(ClusterAction::Scale { replicas }),
            )
        }
        ["set", "image", ..] => {
            let (name, rest) = resource(&pos[2..], is_deployment_kind, "deployment")?;
            let [pair] = rest else {
                return Err("set image: exactly one CONTAINER=IMAGE natively".into());
            };
            let (container, image) = pair
                .split_once('=')
                .filter(|(c, i)| !c.is_empty() && !i.is_empty())
                .ok_or_else(|| format!("{pair:?} is not CONTAINER=IMAGE"))?;
            if image.contains('<') {
                return Err(format!("placeholder in {image:?} not filled in"));
            }
            (
                Some(name),
                Command::Action(ClusterAction::SetImage {
                    container: container.into(),
                    image: image.into(),
                }),
            )
        }
        ["set", "env", ..] => {
            let (resources, env) = env_args::split_environment_from_resources(&pos[2..])
                .ok_or_else(|| {
                    format!(
                        "all resources must be specified before environment changes: {}",
                        pos[2..].join(" ")
                    )
                })?;
            let (name, rest) = resource(&resources, is_deployment_kind, "deployment")?;
            no_more(rest)?;
            let env_args::SetEnvArgs { container, changes } = env_args::take_set_env(&mut a, &env)?;
            (
                Some(name),
                Command::Action(ClusterAction::SetEnv { container, changes }),
            )
        }
        ["patch", ..] => {
            let (service, rest) = resource(&pos[1..], is_service_kind, "service")?;
            no_more(rest)?;
            if let Some(t) = a.take(&["--type"])?
                && t != "strategic"
                && t != "merge"
            {
                return Err(format!("patch --type={t} is not a selector switch"));
            }
            let body = a.take(&["-p", "--patch"])?.ok_or("patch needs -p")?;
            let selector = selector_patch(&body)?;
            (
                None,
                Command::Action(ClusterAction::SwitchSelector { service, selector }),
            )
        }
        ["delete", kind, ..] if is_pod_kind(kind) => {
            if pos.len() > 2 {
                return Err("delete pods by name is not supported natively; use -l".into());
            }
            let selector = a
                .take(&["-l", "--selector"])?
                .ok_or("delete pods natively needs a label selector (-l)")?;
            (
                None,
                Command::Action(ClusterAction::DeletePods { selector }),
            )
        }
        ["get", kind, ..] if is_pod_kind(kind) => {
            if pos.len() > 2 {
                return Err("get pods by name is not supported natively".into());
            }
            let selector = a.take(&["-l", "--selector"])?;
            let _ = a.take(&["-o", "--output"])?;
            (None, Command::Query(ReadOnlyQuery::GetPods { selector }))
        }
        ["get", ..] => {
            let (name, rest) = resource(&pos[1..], is_deployment_kind, "deployment")?;
            no_more(rest)?;
            let flag = a.take(&["-o", "--output"])?;
            let whole = flag.as_deref().map(ObjectOutput::from_flag).transpose()?;
            if let Some(Some(output)) = whole {
                // Printed from the object itself: no table flags go with it natively
                // (`finish` refuses any left).
                (
                    Some(name),
                    Command::Query(ReadOnlyQuery::GetDeploymentAs { output }),
                )
            } else {
                let output = match flag.as_deref() {
                    None => GetOutput::Table,
                    Some("wide") => GetOutput::Wide,
                    Some("name") => GetOutput::Name,
                    Some(o) => return Err(format!("get -o {o} is {BY_KUBECTL}")),
                };
                let label_columns: Vec<String> = a
                    .take_all(&["-L", "--label-columns"])?
                    .iter()
                    .flat_map(|l| l.split(','))
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect();
                if output == GetOutput::Name && !label_columns.is_empty() {
                    return Err(format!("get -o name with -L is {BY_KUBECTL}"));
                }
                let show_labels = a.take_bool("--show-labels")?.unwrap_or(false);
                (
                    Some(name),
                    Command::Query(ReadOnlyQuery::GetDeployment {
                        output,
                        label_columns,
                        show_labels,
                    }),
                )
            }
        }
        [] => return Err("no kubectl command".into()),
        other => {
            return Err(format!(
                "kubectl {} is not supported natively",
                other.join(" ")
            ));
        }
    };
    a.finish()?;
    if let Some(ns) = &namespace {
        check_name(ns)?;
    }
    Ok(KubectlLine {
        context,
        namespace,
        deployment,
        command,
    })
}

/// `{"spec":{"selector":{…}}}` and nothing else.
fn selector_patch(body: &str) -> R<BTreeMap<String, String>> {
    let v: serde_json::Value =
        serde_json::from_str(body).map_err(|e| format!("patch is not JSON: {e}"))?;
    let only = |v: &serde_json::Value, key: &str| {
        v.as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get(key))
            .cloned()
    };
    let sel = only(&v, "spec")
        .and_then(|s| only(&s, "selector"))
        .ok_or("only a patch of spec.selector runs natively")?;
    let map = sel.as_object().ok_or("spec.selector must be an object")?;
    let mut out = BTreeMap::new();
    for (k, v) in map {
        let v = v
            .as_str()
            .ok_or_else(|| format!("selector value of {k:?} must be a string"))?;
        out.insert(k.clone(), v.to_string());
    }
    if out.is_empty() {
        return Err("empty selector".into());
    }
    Ok(out)
}

#[cfg(test)]
#[path = "kubectl_line_tests.rs"]
mod tests;
