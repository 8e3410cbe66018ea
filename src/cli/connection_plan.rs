//! Which cluster the console connects to, and why, before anything connects.
//!
//! In order: the flags (`--deployment`, `-n`, `--context`, …); on `resume`, the session's
//! last `ConnectionSet` record, with any flag given overriding it; the runbook's front
//! matter `target`; and, with none of those, the target read from the runbook's own
//! kubectl lines ([`infer_target`]), which the operator confirms or edits before the
//! console connects. `--deployment` without `-n` takes the namespace the runbook's lines
//! give that deployment (else the context's, as kubectl would). With no deployment at all,
//! [`Plan::off`] is the one line saying why, with the flags that would fix it.

use std::path::PathBuf;

use super::ConsoleArgs;
use crate::domain::journal::Entry;
use crate::domain::runbook::Runbook;
use crate::domain::runbook::target_inference::{
    Named, TargetInference, infer_target, namespace_for,
};
use crate::domain::session_state::{Connection, SessionState};

/// Where the console's target came from (`ConnectionSet.source`).
pub const FROM_FLAGS: &str = "flags";
pub const FROM_FRONT_MATTER: &str = "front matter";
pub const FROM_INFERRED: &str = "inferred";
pub const FROM_RESUME: &str = "resume";
pub const FROM_RESUME_OVERRIDE: &str = "resume override";

/// What the console is to connect to.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The console's options with the target filled in (flags, journal, inference).
    pub args: ConsoleArgs,
    /// `ConnectionSet.source` for this connection.
    pub source: &'static str,
    /// The target read from the runbook, to be confirmed before connecting.
    pub to_confirm: Option<TargetInference>,
    /// Whether a `ConnectionSet` record is owed (a new session, a changed connection).
    pub journal: bool,
}

/// Decides the target from the flags, the session's state (its journal folded; empty for
/// a new session) and the runbook.
pub fn plan(runbook: &Runbook, args: &ConsoleArgs, state: &SessionState) -> Plan {
    let mut args = args.clone();
    let journaled = state.connection.as_ref();
    let mut source = FROM_FLAGS;
    let mut journal = true;
    if let Some(j) = journaled {
        let overridden = apply_journaled(&mut args, j);
        source = if overridden {
            FROM_RESUME_OVERRIDE
        } else {
            FROM_RESUME
        };
        journal = overridden;
    }
    let front = runbook.front.as_ref().and_then(|f| f.target.as_ref());
    let named = args.deployment.clone().filter(|d| !d.trim().is_empty());
    let mut to_confirm = None;
    match (&named, front.and_then(|t| t.deployment.clone())) {
        (Some(d), _) => {
            let front_namespace = front.and_then(|t| t.namespace.clone());
            if args.namespace.is_none()
                && front_namespace.is_none()
                && let Some(g) = namespace_for(runbook, d)
                && let Some(ns) = g.named.value()
            {
                args.namespace = Some(ns.to_string());
            }
        }
        (None, Some(_)) => {
            if journaled.is_none() {
                source = FROM_FRONT_MATTER;
            }
        }
        (None, None) => {
            let inferred = infer_target(runbook);
            if inferred.deployment.is_some() {
                if journaled.is_none() {
                    source = FROM_INFERRED;
                }
                to_confirm = Some(inferred);
            } else if !inferred.tied.is_empty() {
                to_confirm = Some(inferred);
            }
        }
    }
    Plan {
        args,
        source,
        to_confirm,
        journal,
    }
}

/// The inferred target accepted as it was read (no placeholder left): fills `args`.
pub fn accept(args: &mut ConsoleArgs, inferred: &TargetInference) -> bool {
    let value = |g: &Option<crate::domain::runbook::target_inference::Guess>| {
        g.as_ref().and_then(|g| g.named.value().map(str::to_string))
    };
    let Some(deployment) = value(&inferred.deployment) else {
        return false;
    };
    args.deployment = Some(deployment);
    if args.namespace.is_none() {
        args.namespace = value(&inferred.namespace);
    }
    if args.context.is_none() {
        args.context = value(&inferred.context);
    }
    true
}

/// The one line shown when there are no cluster panes, with the exact flags that would
/// connect (the ones the operator gave kept, so the line can be pasted as it is).
pub fn off_line(args: &ConsoleArgs, inferred: Option<&TargetInference>) -> String {
    let mut try_flags = String::from("--deployment ");
    let guess = |g: Option<&crate::domain::runbook::target_inference::Guess>| {
        g.and_then(|g| match &g.named {
            Named::Value(v) => Some(v.clone()),
            Named::Placeholder(_) => None,
        })
    };
    let deployment = inferred.and_then(|i| guess(i.deployment.as_ref()));
    let namespace = args
        .namespace
        .clone()
        .or_else(|| inferred.and_then(|i| guess(i.namespace.as_ref())));
    try_flags.push_str(deployment.as_deref().unwrap_or("NAME"));
    try_flags.push_str(" -n ");
    try_flags.push_str(namespace.as_deref().unwrap_or("NAMESPACE"));
    if let Some(c) = &args.context {
        try_flags.push_str(&format!(" --context {c}"));
    }
    if args.read_only {
        try_flags.push_str(" --read-only");
    }
    let why = match inferred {
        Some(i) if !i.tied.is_empty() => {
            format!("{} deployments named equally often", i.tied.len())
        }
        Some(i) if i.deployment.is_some() => match &i.deployment.as_ref().map(|g| &g.named) {
            Some(Named::Placeholder(p)) => format!("{p} not given"),
            _ => "the runbook's target not confirmed".to_string(),
        },
        _ if args.read_only => "--read-only, but no deployment named".to_string(),
        _ => "no deployment named".to_string(),
    };
    format!("cluster off: {why} — try {try_flags}")
}

/// The `ConnectionSet` record for a connection (`context`/`namespace` as connected,
/// when the connection succeeded).
pub fn connection_entry(
    args: &ConsoleArgs,
    connected: Option<(&str, &str)>,
    source: &str,
) -> Entry {
    Entry::ConnectionSet {
        kubeconfig: args
            .kubeconfig
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        context: connected
            .map(|(c, _)| c.to_string())
            .or_else(|| args.context.clone()),
        namespace: connected
            .map(|(_, n)| n.to_string())
            .or_else(|| args.namespace.clone()),
        deployment: args.deployment.clone(),
        prometheus_url: args.prometheus_url.as_deref().map(without_credentials),
        theme: args.theme.clone(),
        read_only: args.read_only,
        source: source.to_string(),
    }
}

/// A URL with its `user:password@` masked (never journaled).
pub fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => format!(
            "{scheme}://{}@{}",
            crate::domain::redact::REDACTED,
            &rest[at + 1..]
        ),
        None => url.to_string(),
    }
}

/// Fills what the flags leave out from the journal; whether a flag changed anything.
fn apply_journaled(args: &mut ConsoleArgs, j: &Connection) -> bool {
    fn merge(flag: &mut Option<String>, journaled: &Option<String>) -> bool {
        match (flag.as_ref(), journaled) {
            (Some(f), Some(j)) => f != j,
            (Some(_), None) => true,
            (None, j) => {
                *flag = j.clone();
                false
            }
        }
    }
    let mut kubeconfig = args
        .kubeconfig
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned());
    let mut changed = merge(&mut kubeconfig, &j.kubeconfig);
    args.kubeconfig = kubeconfig.map(PathBuf::from);
    changed |= merge(&mut args.context, &j.context);
    changed |= merge(&mut args.namespace, &j.namespace);
    changed |= merge(&mut args.deployment, &j.deployment);
    // A journaled Prometheus URL with a secret masked in it cannot be used again: the
    // runbook's `metrics.prometheus` (or a flag) gives it back.
    let url = j
        .prometheus_url
        .clone()
        .filter(|u| !u.contains(crate::domain::redact::REDACTED));
    changed |= merge(&mut args.prometheus_url, &url);
    changed |= merge(&mut args.theme, &j.theme);
    if args.read_only != j.read_only {
        changed |= args.read_only;
        args.read_only = true;
    }
    changed
}

#[cfg(test)]
#[path = "connection_plan_tests.rs"]
mod tests;
