//! `kubectl describe pod`'s containers (kubernetes/kubectl `pkg/describe/describe.go` at
//! v0.32: `describeContainers` — basic info and ports, command and args, state and last
//! state (`describeStatus`), resources, probes (`DescribeProbe`), env from, env with a
//! `fieldRef` resolved against the pod, mounts), written for [`super::describe_pod`].

use serde_json::Value;

use super::describe_writer::{Writer, go_bool, rfc1123z, s, seccomp};

/// [`containers`] when `spec.KEY` lists any (kubectl leaves out an empty init or ephemeral
/// containers' section; the containers' own is always written).
pub(super) fn containers_if_any(
    w: &mut Writer,
    pod: &Value,
    space: &str,
    names: (&str, &str, &str),
) {
    if pod["spec"][names.1]
        .as_array()
        .is_some_and(|a| !a.is_empty())
    {
        containers(w, pod, space, names);
    }
}

/// `describeContainers` for the containers under `spec.KEY` of `pod` (a pod, or a pod
/// template without statuses); `space` is the indent of the label (`"  "` in a template).
pub(super) fn containers(
    w: &mut Writer,
    pod: &Value,
    space: &str,
    (label, key, status_key): (&str, &str, &str),
) {
    let specs = pod["spec"][key].as_array().cloned().unwrap_or_default();
    let statuses = pod["status"][status_key]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let none = if specs.is_empty() { " <none>" } else { "" };
    w.w(0, &format!("{space}{label}:{none}\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in &specs {
        let name = s(c, &["name"]);
        // Go keeps the last status of a name (a map filled in order).
        let status = statuses.iter().rev().find(|st| s(st, &["name"]) == name);
        w.w(1, &format!("{name_indent}{name}:\n"));
        if let Some(st) = status {
            w.w(2, &format!("Container ID:\t{}\n", s(st, &["containerID"])));
        }
        w.w(2, &format!("Image:\t{}\n", s(c, &["image"])));
        if let Some(st) = status {
            w.w(2, &format!("Image ID:\t{}\n", s(st, &["imageID"])));
        }
        ports(w, c);
        seccomp(w, 2, &c["securityContext"]);
        for (label, key) in [("Command", "command"), ("Args", "args")] {
            if let Some(items) = c[key].as_array().filter(|a| !a.is_empty()) {
                w.w(2, &format!("{label}:\n"));
                for item in items {
                    for line in item.as_str().unwrap_or_default().split('\n') {
                        w.w(3, &format!("{line}\n"));
                    }
                }
            }
        }
        if let Some(st) = status {
            state(w, "State", &st["state"]);
            if !st["lastState"]["terminated"].is_null() {
                state(w, "Last State", &st["lastState"]);
            }
            let ready = if st["ready"].as_bool() == Some(true) {
                "True"
            } else {
                "False"
            };
            w.w(2, &format!("Ready:\t{ready}\n"));
            w.w(
                2,
                &format!(
                    "Restart Count:\t{}\n",
                    st["restartCount"].as_i64().unwrap_or(0)
                ),
            );
        }
        resources(w, &c["resources"], 2);
        for (label, key) in [
            ("Liveness", "livenessProbe"),
            ("Readiness", "readinessProbe"),
            ("Startup", "startupProbe"),
        ] {
            if c[key].is_object() {
                w.w(2, &format!("{label}:\t{}\n", probe(&c[key])));
            }
        }
        env_from(w, &c["envFrom"]);
        env(w, pod, &c["env"]);
        mounts(w, &c["volumeMounts"]);
    }
}

/// `describeContainerPorts` / `describeContainerHostPorts`.
fn ports(w: &mut Writer, c: &Value) {
    let list = c["ports"].as_array().cloned().unwrap_or_default();
    for (single, plural, key) in [
        ("Port", "Ports", "containerPort"),
        ("Host Port", "Host Ports", "hostPort"),
    ] {
        let text = list
            .iter()
            .map(|p| format!("{}/{}", p[key].as_i64().unwrap_or(0), s(p, &["protocol"])))
            .collect::<Vec<_>>()
            .join(", ");
        if text.contains(',') {
            w.w(2, &format!("{plural}:\t{text}\n"));
        } else if text.is_empty() {
            w.w(2, &format!("{single}:\t<none>\n"));
        } else {
            w.w(2, &format!("{single}:\t{text}\n"));
        }
    }
}

/// `describeResources`: limits, then requests, each sorted by name.
pub(super) fn resources(w: &mut Writer, r: &Value, level: usize) {
    for (label, key) in [("Limits", "limits"), ("Requests", "requests")] {
        let Some(m) = r[key].as_object().filter(|m| !m.is_empty()) else {
            continue;
        };
        w.w(level, &format!("{label}:\n"));
        let mut names: Vec<&String> = m.keys().collect();
        names.sort();
        for n in names {
            let q = match &m[n] {
                Value::String(q) => q.clone(),
                other => other.to_string(),
            };
            w.w(level + 1, &format!("{n}:\t{q}\n"));
        }
    }
}

/// `DescribeProbe`.
fn probe(p: &Value) -> String {
    let n = |k: &str| p[k].as_i64().unwrap_or(0);
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        n("initialDelaySeconds"),
        n("timeoutSeconds"),
        n("periodSeconds"),
        n("successThreshold"),
        n("failureThreshold")
    );
    let port = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    if p["exec"].is_object() {
        let cmd: Vec<&str> = p["exec"]["command"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        return format!("exec [{}] {attrs}", cmd.join(" "));
    }
    if p["httpGet"].is_object() {
        let h = &p["httpGet"];
        let scheme = s(h, &["scheme"]).to_lowercase();
        let host = s(h, &["host"]);
        let port = port(&h["port"]);
        let host = if port.is_empty() {
            host.to_string()
        } else if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let scheme = if scheme.is_empty() {
            String::new()
        } else {
            format!("{scheme}:")
        };
        return format!("http-get {scheme}//{host}{} {attrs}", s(h, &["path"]));
    }
    if p["tcpSocket"].is_object() {
        let t = &p["tcpSocket"];
        return format!(
            "tcp-socket {}:{} {attrs}",
            s(t, &["host"]),
            port(&t["port"])
        );
    }
    if p["grpc"].is_object() {
        let g = &p["grpc"];
        return format!(
            "grpc <pod>:{} {} {attrs}",
            g["port"].as_i64().unwrap_or(0),
            s(g, &["service"])
        );
    }
    format!("unknown {attrs}")
}

/// `describeContainerEnvFrom`.
fn env_from(w: &mut Writer, list: &Value) {
    let Some(list) = list.as_array().filter(|l| !l.is_empty()) else {
        return;
    };
    w.w(2, "Environment Variables from:\n");
    for e in list {
        let (from, r) = if e["configMapRef"].is_object() {
            ("ConfigMap", &e["configMapRef"])
        } else if e["secretRef"].is_object() {
            ("Secret", &e["secretRef"])
        } else {
            ("", &Value::Null)
        };
        let optional = go_bool(r["optional"].as_bool() == Some(true));
        let name = s(r, &["name"]);
        match s(e, &["prefix"]) {
            "" => w.w(3, &format!("{name}\t{from}\tOptional: {optional}\n")),
            p => w.w(
                3,
                &format!("{name}\t{from} with prefix '{p}'\tOptional: {optional}\n"),
            ),
        }
    }
}

/// `describeContainerEnvVars`, a `fieldRef` resolved against the pod.
fn env(w: &mut Writer, pod: &Value, list: &Value) {
    let list = list.as_array().cloned().unwrap_or_default();
    let none = if list.is_empty() { "\t<none>" } else { "" };
    w.w(2, &format!("Environment:{none}\n"));
    for e in &list {
        let name = s(e, &["name"]);
        let from = &e["valueFrom"];
        if from.is_null() {
            for (i, line) in s(e, &["value"]).split('\n').enumerate() {
                if i == 0 {
                    w.w(3, &format!("{name}:\t{line}\n"));
                } else {
                    w.w(3, &format!("\t{line}\n"));
                }
            }
        } else if from["fieldRef"].is_object() {
            let f = &from["fieldRef"];
            let path = s(f, &["fieldPath"]);
            w.w(
                3,
                &format!(
                    "{name}:\t{} ({}:{path})\n",
                    field_value(pod, path),
                    s(f, &["apiVersion"])
                ),
            );
        } else if from["secretKeyRef"].is_object() {
            let r = &from["secretKeyRef"];
            w.w(
                3,
                &format!(
                    "{name}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    s(r, &["key"]),
                    s(r, &["name"]),
                    go_bool(r["optional"].as_bool() == Some(true))
                ),
            );
        } else if from["configMapKeyRef"].is_object() {
            let r = &from["configMapKeyRef"];
            w.w(
                3,
                &format!(
                    "{name}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    s(r, &["key"]),
                    s(r, &["name"]),
                    go_bool(r["optional"].as_bool() == Some(true))
                ),
            );
        }
    }
}

/// `fieldpath.ExtractFieldPathAsString` for the paths a pod's env may name.
fn field_value(pod: &Value, path: &str) -> String {
    let meta = &pod["metadata"];
    for (prefix, map) in [
        ("metadata.labels['", &meta["labels"]),
        ("metadata.annotations['", &meta["annotations"]),
    ] {
        if let Some(key) = path.strip_prefix(prefix).and_then(|k| k.strip_suffix("']")) {
            return s(map, &[key]).to_string();
        }
    }
    let v = match path {
        "metadata.name" => s(meta, &["name"]),
        "metadata.namespace" => s(meta, &["namespace"]),
        "metadata.uid" => s(meta, &["uid"]),
        "spec.nodeName" => s(pod, &["spec", "nodeName"]),
        "spec.serviceAccountName" => s(pod, &["spec", "serviceAccountName"]),
        "status.hostIP" => s(pod, &["status", "hostIP"]),
        "status.podIP" => s(pod, &["status", "podIP"]),
        _ => "",
    };
    v.to_string()
}

/// `describeContainerVolumes`: mounts sorted by path.
fn mounts(w: &mut Writer, list: &Value) {
    let mut list = list.as_array().cloned().unwrap_or_default();
    let none = if list.is_empty() { "\t<none>" } else { "" };
    w.w(2, &format!("Mounts:{none}\n"));
    list.sort_by(|a, b| s(a, &["mountPath"]).cmp(s(b, &["mountPath"])));
    for m in &list {
        let mut flags = vec![if m["readOnly"].as_bool() == Some(true) {
            "ro".to_string()
        } else {
            "rw".to_string()
        }];
        let sub = s(m, &["subPath"]);
        if !sub.is_empty() {
            flags.push(format!("path={sub:?}"));
        }
        w.w(
            3,
            &format!(
                "{} from {} ({})\n",
                s(m, &["mountPath"]),
                s(m, &["name"]),
                flags.join(",")
            ),
        );
    }
}

/// `describeStatus`: Running / Waiting (reason) / Terminated (reason, exit code, times).
fn state(w: &mut Writer, label: &str, st: &Value) {
    if st["running"].is_object() {
        w.w(2, &format!("{label}:\tRunning\n"));
        w.w(
            3,
            &format!("Started:\t{}\n", rfc1123z(&st["running"]["startedAt"])),
        );
    } else if st["waiting"].is_object() {
        w.w(2, &format!("{label}:\tWaiting\n"));
        let reason = s(st, &["waiting", "reason"]);
        if !reason.is_empty() {
            w.w(3, &format!("Reason:\t{reason}\n"));
        }
    } else if st["terminated"].is_object() {
        let t = &st["terminated"];
        w.w(2, &format!("{label}:\tTerminated\n"));
        for (name, key) in [("Reason", "reason"), ("Message", "message")] {
            let v = s(t, &[key]);
            if !v.is_empty() {
                w.w(3, &format!("{name}:\t{v}\n"));
            }
        }
        w.w(
            3,
            &format!("Exit Code:\t{}\n", t["exitCode"].as_i64().unwrap_or(0)),
        );
        if let Some(signal) = t["signal"].as_i64().filter(|s| *s > 0) {
            w.w(3, &format!("Signal:\t{signal}\n"));
        }
        w.w(3, &format!("Started:\t{}\n", rfc1123z(&t["startedAt"])));
        w.w(3, &format!("Finished:\t{}\n", rfc1123z(&t["finishedAt"])));
    } else {
        w.w(2, &format!("{label}:\tWaiting\n"));
    }
}
