//! Connecting the console at start: to the planned target (flags, the journaled
//! connection, front matter), or not — a target read from the runbook waits in the
//! target popup, and no deployment at all is the `cluster off: …` line with the flags
//! that would connect.

use super::ConsoleArgs;
use super::connection_plan;
use crate::adapters::kube::{ConnectOptions, connect};
use crate::domain::cluster::Target;
use crate::domain::runbook::Runbook;
use crate::domain::runbook::target_inference::{Named, TargetInference};
use crate::runtime::cluster_exec::ClusterFeed as Feed;
use crate::ui::state::cluster::LiveCluster;
use crate::ui::state::target::{ConnectionBase, TargetForm};
use crate::ui::update::inferred_form;

/// What connecting at start gave: the feed and panes, or why there are none; the
/// context and namespace connected to; the pin for kubectl in shell steps.
pub(super) struct StartConnection {
    pub(super) feed: Option<Feed>,
    pub(super) live: Option<LiveCluster>,
    pub(super) connected: Option<(String, String)>,
    pub(super) off: Option<String>,
    pub(super) form: Option<TargetForm>,
    pub(super) pin: Option<(String, Option<String>)>,
}

/// Connects to the planned target, or says why not: a target read from the runbook waits
/// for the operator (the popup), no deployment is the cluster-off line with the flags.
pub(super) fn connect_at_start(
    rt: &tokio::runtime::Runtime,
    runbook: &Runbook,
    args: &ConsoleArgs,
    to_confirm: Option<&TargetInference>,
) -> StartConnection {
    // kubectl in shell steps talks to the context and namespace the console is on (or
    // asked for, when the connection failed): the pin.
    let mut out = StartConnection {
        feed: None,
        live: None,
        connected: None,
        off: None,
        form: None,
        pin: args.context.clone().map(|c| (c, None)),
    };
    let Some((options, deployment)) = cluster_options(runbook, args) else {
        out.off = Some(connection_plan::off_line(args, to_confirm));
        out.form = to_confirm.map(|inferred| with_choices(rt, args, inferred));
        return out;
    };
    match rt.block_on(connect_cluster(&options)) {
        Ok(conn) => {
            out.pin = Some((conn.context.clone(), Some(conn.namespace.clone())));
            out.connected = Some((conn.context.clone(), conn.namespace.clone()));
            let mut live = LiveCluster::new(
                conn.context.clone(),
                conn.namespace.clone(),
                deployment.clone(),
                conn.is_production,
                conn.read_only,
            );
            if let Some(t) = runbook.front.as_ref().and_then(|f| f.target.as_ref()) {
                live.service = t.service.clone();
                live.container = t.container.clone();
            }
            out.live = Some(live);
            out.feed = Some(Feed {
                target: Target {
                    context: Some(conn.context.clone()),
                    namespace: conn.namespace.clone(),
                    deployment,
                },
                read_only: conn.read_only,
                server: conn.server.clone(),
                client: conn.client,
                watch_client: conn.watch_client,
            });
        }
        Err(e) => {
            tracing::warn!("cluster: {e}");
            out.off = Some(format!("cluster off: {e}"));
            // Pin what was asked for; with no context named, the current one (as
            // kubectl resolves it) with the namespace asked for.
            let namespace = options
                .namespace
                .clone()
                .or(options.target_namespace.clone());
            let context = options
                .context
                .clone()
                .or(options.target_context.clone())
                .or_else(|| {
                    let env_list = std::env::var("KUBECONFIG").ok();
                    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
                    crate::adapters::kube::shell_context::current_context(
                        &crate::adapters::kube::shell_context::KubeconfigSource {
                            flag: options.kubeconfig.as_deref(),
                            env: env_list.as_deref(),
                            home: home.as_deref(),
                        },
                    )
                });
            if let Some(ctx) = context {
                out.pin = Some((ctx, namespace));
            }
        }
    }
    out
}

/// The popup for a target read from the runbook; when its deployment is a placeholder
/// or a tie, with the deployments of the namespace listed from the cluster (the only one
/// filled in).
fn with_choices(
    rt: &tokio::runtime::Runtime,
    args: &ConsoleArgs,
    inferred: &TargetInference,
) -> TargetForm {
    let mut form = inferred_form(inferred);
    // A namespace or context given by flag is what the operator asked for.
    for (field, flag) in [(1, &args.namespace), (2, &args.context)] {
        if let Some(v) = flag
            && form.value(field).as_deref() != Some(v.as_str())
        {
            form.inputs[field] = ratatui_textarea::TextArea::from([v.clone()]);
        }
    }
    let named = inferred.deployment.as_ref().map(|g| &g.named);
    if matches!(named, Some(Named::Value(_))) {
        return form;
    }
    let namespace = args.namespace.clone().or_else(|| {
        inferred
            .namespace
            .as_ref()
            .and_then(|g| g.named.value().map(str::to_string))
    });
    let mut options = base_options(args);
    if options.context.is_none() {
        options.context = inferred
            .context
            .as_ref()
            .and_then(|g| g.named.value().map(str::to_string));
    }
    match rt.block_on(super::target_choices::deployments(
        &options,
        namespace.as_deref(),
    )) {
        Ok((ns, names)) if names.is_empty() => {
            form.evidence
                .push(format!("No deployments in namespace {ns}."));
        }
        Ok((ns, names)) => {
            form.evidence.push(format!(
                "Deployments in namespace {ns}: {}",
                names.join(", ")
            ));
            if form.value(1).is_none() {
                form.inputs[1].insert_str(&ns);
            }
            if let [only] = names.as_slice()
                && form.value(0).is_none()
            {
                form.inputs[0].insert_str(only);
            }
        }
        Err(e) => form.evidence.push(format!(
            "The cluster's deployments could not be listed: {e}"
        )),
    }
    form
}

/// How to connect, when there is a deployment to watch: `--deployment` or the
/// runbook's `target.deployment`; flags win over the runbook's `target`.
fn cluster_options(runbook: &Runbook, args: &ConsoleArgs) -> Option<(ConnectOptions, String)> {
    let target = runbook.front.as_ref().and_then(|f| f.target.clone());
    let deployment = args
        .deployment
        .clone()
        .or_else(|| target.as_ref().and_then(|t| t.deployment.clone()))
        .filter(|d| !d.trim().is_empty())?;
    let target = target.unwrap_or_default();
    Some((
        ConnectOptions {
            target_context: target.context,
            target_namespace: target.namespace,
            ..base_options(args)
        },
        deployment,
    ))
}

/// The connection options every target shares (a target adds its context/namespace).
pub(super) fn base_options(args: &ConsoleArgs) -> ConnectOptions {
    ConnectOptions {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
        namespace: args.namespace.clone(),
        read_only: args.read_only,
        // Absent: the console's default, so that an action during a partition fails in
        // bounded time; `0` waits as long as the server takes, as kubectl's.
        request_timeout: match args.request_timeout {
            None => Some(crate::adapters::kube::connect::DEFAULT_REQUEST_TIMEOUT),
            Some(t) => Some(t).filter(|t| !t.is_zero()),
        },
        impersonate: args.as_user.clone(),
        impersonate_groups: args.as_group.clone(),
        ..ConnectOptions::default()
    }
}

/// The options as journaled: the kubeconfig the console reads (`--kubeconfig`, else a
/// single-file `KUBECONFIG`), so that `resume` reads the same one.
pub(super) fn journaled_args(args: &ConsoleArgs) -> ConsoleArgs {
    let mut args = args.clone();
    if args.kubeconfig.is_none()
        && let Some(env) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty())
        && std::env::split_paths(&env).count() == 1
        && let Ok(path) = std::path::absolute(std::path::PathBuf::from(env))
    {
        args.kubeconfig = Some(path);
    }
    args
}

/// What each `ConnectionSet` the console journals while it runs (`T`) repeats.
pub(super) fn connection_base(args: &ConsoleArgs) -> ConnectionBase {
    let journaled = journaled_args(args);
    ConnectionBase {
        kubeconfig: journaled
            .kubeconfig
            .map(|p| p.to_string_lossy().into_owned()),
        prometheus_url: args.prometheus_url.clone(),
        theme: args.theme.clone(),
        read_only: args.read_only,
    }
}

/// Connects and makes the first request (`GET /version`), so that an exec credential
/// plugin runs now, on the normal terminal.
pub(super) async fn connect_cluster(
    options: &ConnectOptions,
) -> Result<crate::adapters::kube::Connection, String> {
    let conn = connect(options).await.map_err(|e| e.to_string())?;
    conn.preflight().await.map_err(|e| e.to_string())?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::runbook::target_inference::infer_target;

    #[test]
    fn a_namespace_or_context_given_by_flag_fills_the_inferred_target_s_popup() {
        let text = include_str!("../../tests/runbooks/teams/options-a-to-d.md");
        let runbook =
            crate::domain::runbook::parse(std::path::Path::new("o.md"), text).expect("loads");
        let inferred = infer_target(&runbook);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let args = ConsoleArgs {
            namespace: Some("edge-canary".into()),
            context: Some("prod-eu".into()),
            ..ConsoleArgs::default()
        };
        let form = with_choices(&rt, &args, &inferred);
        assert_eq!(form.value(0).as_deref(), Some("gateway"));
        assert_eq!(form.value(1).as_deref(), Some("edge-canary"));
        assert_eq!(form.value(2).as_deref(), Some("prod-eu"));
        let plain = with_choices(&rt, &ConsoleArgs::default(), &inferred);
        assert_eq!(plain.value(1).as_deref(), Some("edge"));
        assert_eq!(plain.value(2), None);
    }
}
