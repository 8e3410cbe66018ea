//! What the `argocd` CLI prints, from the API's Application JSON
//! (`cmd/argocd/commands/app.go`: `printApplicationHistoryTable`, `printAppSummaryTable`,
//! `printAppSourceDetails`, `printOperationResult`, `printAppResources`; `printOpFmtStr`
//! is `%-20s%s\n`; tables go through Go's `tabwriter` with padding 2).

use chrono::{DateTime, Utc};
use serde_json::Value;

/// Go `text/tabwriter` (minwidth 0, tabwidth 0, padding 2, padchar ' ', no flags): cells
/// ending in a tab are padded to the widest cell of their column block (consecutive lines
/// that have that column); a line's last cell is not.
pub fn tabwriter(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let columns = lines
        .iter()
        .map(|c| c.len().saturating_sub(1))
        .max()
        .unwrap_or(0);
    // widths[line][col]
    let mut widths = vec![vec![0usize; columns]; lines.len()];
    for col in 0..columns {
        let mut start = 0;
        while start < lines.len() {
            if lines[start].len() <= col + 1 {
                start += 1;
                continue;
            }
            let mut end = start;
            while end < lines.len() && lines[end].len() > col + 1 {
                end += 1;
            }
            let w = (start..end)
                .map(|i| lines[i][col].chars().count())
                .max()
                .unwrap_or(0)
                + 2;
            for row in widths.iter_mut().take(end).skip(start) {
                row[col] = w;
            }
            start = end;
        }
    }
    let mut out = String::new();
    for (i, cells) in lines.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if c + 1 < cells.len() {
                let pad = widths[i][c].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap_or_default()
}

/// `metav1.Time.String()`: Go's `2006-01-02 15:04:05 -0700 MST`, in UTC.
pub fn go_time(rfc3339: &str) -> String {
    match DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => t
            .with_timezone(&Utc)
            .format("%Y-%m-%d %H:%M:%S +0000 UTC")
            .to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// `argocd app history APP`.
pub fn history(app: &Value) -> String {
    let mut sources: Vec<(String, Vec<String>)> = Vec::new();
    for h in app["status"]["history"].as_array().into_iter().flatten() {
        let url = s(h, &["source", "repoURL"]).to_string();
        let mut rev = s(h, &["source", "targetRevision"]).to_string();
        let sha = s(h, &["revision"]);
        if sha.len() >= 7 {
            rev = format!("{rev} ({})", &sha[..7]);
        }
        let row = format!(
            "{}\t{}\t{rev}",
            h["id"].as_i64().unwrap_or(0),
            go_time(s(h, &["deployedAt"]))
        );
        match sources.iter_mut().find(|(u, _)| *u == url) {
            Some((_, rows)) => rows.push(row),
            None => sources.push((url, vec![row])),
        }
    }
    let mut text = String::new();
    for (i, (url, rows)) in sources.iter().enumerate() {
        text.push_str(&format!("SOURCE\t{url}\nID\tDATE\tREVISION\n"));
        for r in rows {
            text.push_str(r);
            text.push('\n');
        }
        if i + 1 < sources.len() {
            text.push('\n');
        }
    }
    tabwriter(&text)
}

fn field(label: &str, value: &str) -> String {
    format!("{label:<20}{value}\n")
}

/// `printAppSummaryTable` (no sync windows: "Sync Allowed"); `server` is the Argo CD
/// server address the URL is made of.
pub fn summary(app: &Value, server: &str) -> String {
    let name = s(app, &["metadata", "name"]);
    let ns = s(app, &["metadata", "namespace"]);
    let qualified = if ns.is_empty() {
        name.to_string()
    } else {
        format!("{ns}/{name}")
    };
    let spec = &app["spec"];
    let dest_server = match s(spec, &["destination", "server"]) {
        "" => s(spec, &["destination", "name"]),
        x => x,
    };
    let mut out = String::new();
    out += &field("Name:", &qualified);
    out += &field(
        "Project:",
        match s(spec, &["project"]) {
            "" => "default",
            p => p,
        },
    );
    out += &field("Server:", dest_server);
    out += &field("Namespace:", s(spec, &["destination", "namespace"]));
    out += &field(
        "URL:",
        &format!(
            "https://{}/applications/{name}",
            server.trim_end_matches(":443")
        ),
    );
    out += "Source:\n";
    let source = &spec["source"];
    let target = s(source, &["targetRevision"]);
    out += &field("- Repo:", s(source, &["repoURL"]));
    out += &field("  Target:", target);
    if !s(source, &["path"]).is_empty() {
        out += &field("  Path:", s(source, &["path"]));
    }
    out += &field("SyncWindow:", "Sync Allowed");
    let automated = &spec["syncPolicy"]["automated"];
    let policy = if automated.is_object() && automated["enabled"].as_bool() != Some(false) {
        if automated["prune"].as_bool() == Some(true) {
            "Automated (Prune)"
        } else {
            "Automated"
        }
    } else {
        "Manual"
    };
    out += &field("Sync Policy:", policy);
    let status = s(app, &["status", "sync", "status"]);
    let mut sync = status.to_string();
    match status {
        "Synced" => sync += &format!(" to {target}"),
        "OutOfSync" => sync += &format!(" from {target}"),
        _ => {}
    }
    let revision = s(app, &["status", "sync", "revision"]);
    let target_is_sha = target.len() >= 7 && target.chars().all(|c| c.is_ascii_hexdigit());
    if !target_is_sha && revision.len() > 7 {
        sync += &format!(" ({})", &revision[..7]);
    }
    out += &field("Sync Status:", &sync);
    out += &field("Health Status:", s(app, &["status", "health", "status"]));
    out
}

/// `printOperationResult`.
pub fn operation_result(app: &Value) -> String {
    let op = &app["status"]["operationState"];
    if !op.is_object() {
        return String::new();
    }
    let mut out = String::new();
    if op["syncResult"].is_object() {
        out += &field("Operation:", "Sync");
        out += &field("Sync Revision:", s(op, &["syncResult", "revision"]));
    }
    out += &field("Phase:", s(op, &["phase"]));
    out += &field("Start:", &go_time(s(op, &["startedAt"])));
    out += &field("Finished:", &go_time(s(op, &["finishedAt"])));
    let secs = match (
        DateTime::parse_from_rfc3339(s(op, &["startedAt"])),
        DateTime::parse_from_rfc3339(s(op, &["finishedAt"])),
    ) {
        (Ok(a), Ok(b)) => (b - a).num_seconds(),
        _ => 0,
    };
    out += &field("Duration:", &format!("{secs}s"));
    if !s(op, &["message"]).is_empty() {
        out += &field("Message:", s(op, &["message"]));
    }
    out
}

/// `printAppResources` (`getResourceStates`: the last sync's resources with their current
/// status and health and the sync's message, then the others).
pub fn resources(app: &Value) -> String {
    let mut text = String::from("GROUP\tKIND\tNAMESPACE\tNAME\tSTATUS\tHEALTH\tHOOK\tMESSAGE\n");
    let current: Vec<&Value> = app["status"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let key = |r: &Value| {
        (
            s(r, &["group"]).to_string(),
            s(r, &["kind"]).to_string(),
            s(r, &["namespace"]).to_string(),
            s(r, &["name"]).to_string(),
        )
    };
    let mut done = Vec::new();
    for r in app["status"]["operationState"]["syncResult"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let (status, health) = match current.iter().find(|c| key(c) == key(r)) {
            Some(c) => (s(c, &["status"]), s(c, &["health", "status"])),
            None => (s(r, &["hookPhase"]), s(r, &["status"])),
        };
        text += &format!(
            "{}\t{}\t{}\t{}\t{status}\t{health}\t\t{}\n",
            s(r, &["group"]),
            s(r, &["kind"]),
            s(r, &["namespace"]),
            s(r, &["name"]),
            s(r, &["message"])
        );
        done.push(key(r));
    }
    let mut rest: Vec<&&Value> = current.iter().filter(|c| !done.contains(&key(c))).collect();
    rest.sort_by_key(|c| key(c));
    for c in rest {
        text += &format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t\t\n",
            s(c, &["group"]),
            s(c, &["kind"]),
            s(c, &["namespace"]),
            s(c, &["name"]),
            s(c, &["status"]),
            s(c, &["health", "status"])
        );
    }
    tabwriter(&text)
}

/// `argocd app get APP` (wide): the summary, conditions, and the resources.
pub fn get(app: &Value, server: &str) -> String {
    let mut out = summary(app, server);
    if let Some(conds) = app["status"]["conditions"]
        .as_array()
        .filter(|c| !c.is_empty())
    {
        let mut t = String::from("CONDITION\tMESSAGE\tLAST TRANSITION\n");
        for c in conds {
            t += &format!(
                "{}\t{}\t{}\n",
                s(c, &["type"]),
                s(c, &["message"]),
                s(c, &["lastTransitionTime"])
            );
        }
        out += "\n";
        out += &tabwriter(&t);
        out += "\n";
    }
    out += &resources_section(app);
    out
}

/// The resources table after a blank line, when the application has resources; else
/// nothing.
fn resources_section(app: &Value) -> String {
    if app["status"]["resources"]
        .as_array()
        .is_some_and(|r| !r.is_empty())
    {
        format!("\n{}", resources(app))
    } else {
        String::new()
    }
}

/// What `wait`, `sync` and `rollback` print when the wait ends (`printFinalStatus`).
pub fn final_status(app: &Value, server: &str, operation: bool) -> String {
    let mut out = String::from("\n");
    out += &summary(app, server);
    out += "\n";
    if operation {
        out += &operation_result(app);
    }
    out += &resources_section(app);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app() -> Value {
        json!({
            "metadata": {"name": "guestbook", "namespace": "argocd"},
            "spec": {"project": "default",
                     "source": {"repoURL": "https://github.com/argoproj/argocd-example-apps.git", "path": "guestbook", "targetRevision": "HEAD"},
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"},
                     "syncPolicy": {"automated": {"prune": true, "selfHeal": true}}},
            "status": {
                "sync": {"status": "Synced", "revision": "53e28ff20cc530b9ada2173fbbd64d48338583ba"},
                "health": {"status": "Healthy"},
                "history": [
                    {"id": 0, "revision": "53e28ff20cc530b9ada2173fbbd64d48338583ba", "deployedAt": "2024-05-01T10:00:00Z",
                     "source": {"repoURL": "https://github.com/argoproj/argocd-example-apps.git", "targetRevision": "HEAD"}},
                    {"id": 1, "revision": "a3d8b2c", "deployedAt": "2024-05-02T11:30:05Z",
                     "source": {"repoURL": "https://github.com/argoproj/argocd-example-apps.git", "targetRevision": "HEAD"}}
                ],
                "resources": [{"group": "apps", "kind": "Deployment", "namespace": "default", "name": "guestbook-ui", "status": "Synced", "health": {"status": "Healthy"}},
                              {"group": "", "kind": "Service", "namespace": "default", "name": "guestbook-ui", "status": "Synced", "health": {"status": "Healthy"}}],
                "operationState": {"phase": "Succeeded", "message": "successfully synced (all tasks run)",
                    "startedAt": "2024-05-02T11:30:00Z", "finishedAt": "2024-05-02T11:30:05Z",
                    "syncResult": {"revision": "a3d8b2c", "resources": [
                        {"group": "apps", "kind": "Deployment", "namespace": "default", "name": "guestbook-ui", "status": "Synced", "message": "deployment.apps/guestbook-ui configured", "hookPhase": "Running"}]}}
            }
        })
    }

    #[test]
    fn history_is_the_clis_table_per_source() {
        // cmd/argocd/commands/app.go printApplicationHistoryTable: revision "HEAD (53e28ff)".
        assert_eq!(
            history(&app()),
            "SOURCE  https://github.com/argoproj/argocd-example-apps.git\n\
             ID      DATE                           REVISION\n\
             0       2024-05-01 10:00:00 +0000 UTC  HEAD (53e28ff)\n\
             1       2024-05-02 11:30:05 +0000 UTC  HEAD (a3d8b2c)\n"
        );
    }

    #[test]
    fn get_prints_the_summary_and_the_resources_as_the_cli() {
        let out = get(&app(), "argocd.example.com");
        assert_eq!(
            out,
            "Name:               argocd/guestbook\n\
             Project:            default\n\
             Server:             https://kubernetes.default.svc\n\
             Namespace:          default\n\
             URL:                https://argocd.example.com/applications/guestbook\n\
             Source:\n\
             - Repo:             https://github.com/argoproj/argocd-example-apps.git\n\
             \x20 Target:           HEAD\n\
             \x20 Path:             guestbook\n\
             SyncWindow:         Sync Allowed\n\
             Sync Policy:        Automated (Prune)\n\
             Sync Status:        Synced to HEAD (53e28ff)\n\
             Health Status:      Healthy\n\
             \n\
             GROUP  KIND        NAMESPACE  NAME          STATUS  HEALTH   HOOK  MESSAGE\n\
             apps   Deployment  default    guestbook-ui  Synced  Healthy        deployment.apps/guestbook-ui configured\n\
             \x20      Service     default    guestbook-ui  Synced  Healthy        \n"
        );
    }

    #[test]
    fn the_operation_result_has_phase_times_and_message() {
        let out = operation_result(&app());
        assert!(out.starts_with("Operation:          Sync\nSync Revision:      a3d8b2c\nPhase:              Succeeded\n"), "{out}");
        assert!(out.contains("Duration:           5s\n"), "{out}");
        assert!(
            out.ends_with("Message:            successfully synced (all tasks run)\n"),
            "{out}"
        );
    }

    #[test]
    fn tabwriter_pads_column_blocks_and_leaves_last_cells() {
        assert_eq!(
            tabwriter("a\tbb\tc\nddd\te\tf\n"),
            "a    bb  c\nddd  e   f\n"
        );
        assert_eq!(tabwriter("x\n\tyy\tz\n"), "x\n  yy  z\n");
    }
}
