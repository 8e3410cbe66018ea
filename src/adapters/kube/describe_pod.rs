//! `kubectl describe pod` for the Pods pane's `d`: the fields an incident needs, in
//! kubectl's order and wording (kubernetes/kubectl `pkg/describe/describe.go`:
//! `describePod`, `describeContainers`, `describeContainerState`, `describeStatus`,
//! `DescribeEvents`), aligned like its tabwriter (two spaces of padding). Left out:
//! volumes, tolerations, node selectors, probes and resources of a container.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::domain::duration_text::age;

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_str()
        .unwrap_or_default()
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// kubectl's `time.RFC1123Z`.
fn rfc1123z(v: &Value) -> String {
    time(v)
        .map(|t| t.format("%a, %d %b %Y %H:%M:%S %z").to_string())
        .unwrap_or_default()
}

fn since(v: &Value, now: DateTime<Utc>) -> String {
    match time(v) {
        Some(t) => age((now - t).num_seconds().max(0).unsigned_abs()),
        None => "<unknown>".into(),
    }
}

/// The pod described, its events (`involvedObject` the pod) below.
pub fn describe_pod(pod: &Value, events: &[Value], now: DateTime<Utc>) -> String {
    let mut w: Vec<String> = Vec::new();
    let meta = &pod["metadata"];
    w.push(format!("Name:\t{}", s(meta, &["name"])));
    w.push(format!("Namespace:\t{}", s(meta, &["namespace"])));
    let sa = s(pod, &["spec", "serviceAccountName"]);
    if !sa.is_empty() {
        w.push(format!("Service Account:\t{sa}"));
    }
    let node = s(pod, &["spec", "nodeName"]);
    if node.is_empty() {
        w.push("Node:\t<none>".into());
    } else {
        w.push(format!("Node:\t{node}/{}", s(pod, &["status", "hostIP"])));
    }
    if !pod["status"]["startTime"].is_null() {
        w.push(format!(
            "Start Time:\t{}",
            rfc1123z(&pod["status"]["startTime"])
        ));
    }
    multiline(&mut w, "Labels", &meta["labels"]);
    multiline(&mut w, "Annotations", &meta["annotations"]);
    if !meta["deletionTimestamp"].is_null() {
        w.push(format!(
            "Status:\tTerminating (lasts {})",
            since(&meta["deletionTimestamp"], now)
        ));
    } else {
        w.push(format!("Status:\t{}", s(pod, &["status", "phase"])));
    }
    for (label, key) in [("Reason", "reason"), ("Message", "message")] {
        let v = s(pod, &["status", key]);
        if !v.is_empty() {
            w.push(format!("{label}:\t{v}"));
        }
    }
    w.push(format!("IP:\t{}", s(pod, &["status", "podIP"])));
    if let Some(owner) = meta["ownerReferences"]
        .as_array()
        .and_then(|o| o.iter().find(|r| r["controller"].as_bool() == Some(true)))
    {
        w.push(format!(
            "Controlled By:\t{}/{}",
            s(owner, &["kind"]),
            s(owner, &["name"])
        ));
    }
    containers(
        &mut w,
        "Init Containers",
        &pod["spec"]["initContainers"],
        &pod["status"]["initContainerStatuses"],
    );
    containers(
        &mut w,
        "Containers",
        &pod["spec"]["containers"],
        &pod["status"]["containerStatuses"],
    );
    if let Some(conds) = pod["status"]["conditions"]
        .as_array()
        .filter(|c| !c.is_empty())
    {
        w.push("Conditions:".into());
        w.push("  Type\tStatus".into());
        for c in conds {
            w.push(format!("  {} \t{} ", s(c, &["type"]), s(c, &["status"])));
        }
    }
    describe_events(&mut w, events, now);
    tabbed(&w)
}

fn multiline(w: &mut Vec<String>, label: &str, map: &Value) {
    let Some(map) = map.as_object().filter(|m| !m.is_empty()) else {
        w.push(format!("{label}:\t<none>"));
        return;
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for (i, k) in keys.iter().enumerate() {
        let v = map[*k].as_str().unwrap_or_default();
        let head = if i == 0 {
            format!("{label}:")
        } else {
            String::new()
        };
        w.push(format!("{head}\t{k}={v}"));
    }
}

fn containers(w: &mut Vec<String>, label: &str, specs: &Value, statuses: &Value) {
    let Some(specs) = specs.as_array() else {
        if label == "Containers" {
            w.push(format!("{label}: <none>"));
        }
        return;
    };
    w.push(format!("{label}:"));
    let statuses = statuses.as_array().cloned().unwrap_or_default();
    for c in specs {
        let name = s(c, &["name"]);
        let status = statuses.iter().find(|st| s(st, &["name"]) == name);
        w.push(format!("  {name}:"));
        if let Some(st) = status {
            w.push(format!("    Container ID:\t{}", s(st, &["containerID"])));
        }
        w.push(format!("    Image:\t{}", s(c, &["image"])));
        if let Some(st) = status {
            w.push(format!("    Image ID:\t{}", s(st, &["imageID"])));
        }
        for (label, key) in [("Command", "command"), ("Args", "args")] {
            if let Some(items) = c[key].as_array().filter(|a| !a.is_empty()) {
                w.push(format!("    {label}:"));
                for item in items {
                    w.push(format!("      {}", item.as_str().unwrap_or_default()));
                }
            }
        }
        if let Some(st) = status {
            state(w, "State", &st["state"]);
            if !st["lastState"]["terminated"].is_null() {
                state(w, "Last State", &st["lastState"]);
            }
            w.push(format!(
                "    Ready:\t{}",
                if st["ready"].as_bool() == Some(true) {
                    "True"
                } else {
                    "False"
                }
            ));
            w.push(format!(
                "    Restart Count:\t{}",
                st["restartCount"].as_i64().unwrap_or(0)
            ));
        }
        let env = c["env"].as_array().cloned().unwrap_or_default();
        if env.is_empty() {
            w.push("    Environment:\t<none>".into());
        } else {
            w.push("    Environment:".into());
            for e in &env {
                let value = match e["value"].as_str() {
                    Some(v) => v.to_string(),
                    None if !e["valueFrom"].is_null() => "<set from a reference>".into(),
                    None => String::new(),
                };
                w.push(format!("      {}:\t{value}", s(e, &["name"])));
            }
        }
    }
}

/// `describeStatus`: Running / Waiting (reason) / Terminated (reason, exit code, times).
fn state(w: &mut Vec<String>, label: &str, st: &Value) {
    if !st["running"].is_null() {
        w.push(format!("    {label}:\tRunning"));
        w.push(format!(
            "      Started:\t{}",
            rfc1123z(&st["running"]["startedAt"])
        ));
    } else if !st["waiting"].is_null() {
        w.push(format!("    {label}:\tWaiting"));
        let reason = s(st, &["waiting", "reason"]);
        if !reason.is_empty() {
            w.push(format!("      Reason:\t{reason}"));
        }
    } else if !st["terminated"].is_null() {
        let t = &st["terminated"];
        w.push(format!("    {label}:\tTerminated"));
        for (name, key) in [("Reason", "reason"), ("Message", "message")] {
            let v = s(t, &[key]);
            if !v.is_empty() {
                w.push(format!("      {name}:\t{v}"));
            }
        }
        w.push(format!(
            "      Exit Code:\t{}",
            t["exitCode"].as_i64().unwrap_or(0)
        ));
        if let Some(signal) = t["signal"].as_i64().filter(|s| *s > 0) {
            w.push(format!("      Signal:\t{signal}"));
        }
        w.push(format!("      Started:\t{}", rfc1123z(&t["startedAt"])));
        w.push(format!("      Finished:\t{}", rfc1123z(&t["finishedAt"])));
    } else {
        w.push(format!("    {label}:\tWaiting"));
    }
}

/// `DescribeEvents`: oldest first, `Age` with `(xN over …)` for repeated events.
fn describe_events(w: &mut Vec<String>, events: &[Value], now: DateTime<Utc>) {
    if events.is_empty() {
        w.push("Events:\t<none>".into());
        return;
    }
    let mut events: Vec<&Value> = events.iter().collect();
    let last = |e: &Value| {
        time(&e["lastTimestamp"])
            .or_else(|| time(&e["eventTime"]))
            .or_else(|| time(&e["metadata"]["creationTimestamp"]))
    };
    events.sort_by_key(|e| last(e));
    w.push("Events:".into());
    w.push("  Type\tReason\tAge\tFrom\tMessage".into());
    w.push("  ----\t------\t----\t----\t-------".into());
    for e in events {
        let first = if e["eventTime"].is_null() {
            since(&e["firstTimestamp"], now)
        } else {
            since(&e["eventTime"], now)
        };
        let count = e["count"].as_i64().unwrap_or(1);
        let interval = if count > 1 {
            format!(
                "{} (x{count} over {first})",
                since(&e["lastTimestamp"], now)
            )
        } else {
            first
        };
        let mut source = s(e, &["source", "component"]);
        if source.is_empty() {
            source = s(e, &["reportingComponent"]);
        }
        let mut message = s(e, &["message"]).trim().to_string();
        let field = s(e, &["involvedObject", "fieldPath"]);
        if !field.is_empty() {
            message = format!("{field}: {message}");
        }
        w.push(format!(
            "  {}\t{}\t{interval}\t{source}\t{message}",
            s(e, &["type"]),
            s(e, &["reason"])
        ));
    }
}

/// Aligns tab-separated cells like Go's tabwriter (padding 2): each run of consecutive
/// lines with tabs shares column widths.
pub fn tabbed(lines: &[String]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].contains('\t') {
            out.push_str(&lines[i]);
            out.push('\n');
            i += 1;
            continue;
        }
        let end = (i..lines.len())
            .find(|&j| !lines[j].contains('\t'))
            .unwrap_or(lines.len());
        let rows: Vec<Vec<&str>> = lines[i..end]
            .iter()
            .map(|l| l.split('\t').collect())
            .collect();
        let mut widths: Vec<usize> = Vec::new();
        for row in &rows {
            for (c, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
                let w = unicode_width::UnicodeWidthStr::width(*cell);
                if widths.len() <= c {
                    widths.push(0);
                }
                widths[c] = widths[c].max(w);
            }
        }
        for row in &rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if c + 1 < row.len() {
                    let pad = widths[c] + 2 - unicode_width::UnicodeWidthStr::width(*cell);
                    line.push_str(&" ".repeat(pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_crash_looping_pod_with_its_last_state_and_back_off_events() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T10:10:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let pod = json!({
            "metadata": {"name": "web-7f8f-abcde", "namespace": "shop",
                "labels": {"app": "web", "pod-template-hash": "7f8f"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": "web-7f8f", "controller": true}]},
            "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "web:2.0.0",
                "env": [{"name": "MODE", "value": "fast"}]}]},
            "status": {"phase": "Running", "hostIP": "10.0.0.1", "podIP": "10.1.0.7",
                "startTime": "2026-12-06T10:00:00Z",
                "conditions": [{"type": "Ready", "status": "False"}],
                "containerStatuses": [{"name": "app", "ready": false, "restartCount": 4,
                    "containerID": "sim://app", "imageID": "web@sha256:ab",
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": {"reason": "Error", "exitCode": 2,
                        "startedAt": "2026-12-06T10:08:00Z", "finishedAt": "2026-12-06T10:08:30Z"}}}]}
        });
        let events = vec![json!({
            "type": "Warning", "reason": "BackOff", "count": 6,
            "firstTimestamp": "2026-12-06T10:02:00Z", "lastTimestamp": "2026-12-06T10:09:00Z",
            "source": {"component": "kubelet"},
            "involvedObject": {"fieldPath": "spec.containers{app}"},
            "message": "Back-off restarting failed container app in pod web-7f8f-abcde"
        })];
        let text = describe_pod(&pod, &events, now);
        let expected = "\
Name:           web-7f8f-abcde
Namespace:      shop
Node:           node-1/10.0.0.1
Start Time:     Sun, 06 Dec 2026 10:00:00 +0000
Labels:         app=web
                pod-template-hash=7f8f
Annotations:    <none>
Status:         Running
IP:             10.1.0.7
Controlled By:  ReplicaSet/web-7f8f
Containers:
  app:
    Container ID:   sim://app
    Image:          web:2.0.0
    Image ID:       web@sha256:ab
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       Error
      Exit Code:    2
      Started:      Sun, 06 Dec 2026 10:08:00 +0000
      Finished:     Sun, 06 Dec 2026 10:08:30 +0000
    Ready:          False
    Restart Count:  4
    Environment:
      MODE:  fast
Conditions:
  Type    Status
  Ready   False
Events:
  Type     Reason   Age              From     Message
  ----     ------   ----             ----     -------
  Warning  BackOff  1m (x6 over 8m)  kubelet  spec.containers{app}: Back-off restarting failed container app in pod web-7f8f-abcde
";
        assert_eq!(text, expected, "\n{text}");
    }
}
