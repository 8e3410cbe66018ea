//! What a command run in a simulated container sees: its environment (the image's, the
//! pod template's `env` with `valueFrom` resolved, the Service links the kubelet adds) and
//! a handful of files (`/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf`, the service
//! account's namespace).

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::Value;

use crate::sim::{Shared, res};

/// A running container of a pod.
#[derive(Debug, Clone)]
pub struct Container {
    pub pod: Arc<Value>,
    /// Index in `spec.containers` (or `spec.ephemeralContainers`).
    pub index: usize,
    /// An ephemeral container (`kubectl debug`).
    pub ephemeral: bool,
    pub name: String,
    pub namespace: String,
    pub env: Vec<(String, String)>,
    /// What commands wrote into the container's scratch directories (`fs.rs`).
    pub written: super::fs::Handle,
}

impl Container {
    /// The container `name` of `pod` (`None`: the first).
    pub fn of(shared: &Shared, pod: Arc<Value>, name: Option<&str>) -> Option<Container> {
        let containers = pod["spec"]["containers"].as_array()?;
        let ephemerals = pod["spec"]["ephemeralContainers"].as_array();
        let (index, ephemeral) = match name {
            Some(n) if !n.is_empty() => match containers.iter().position(|c| c["name"] == n) {
                Some(i) => (i, false),
                None => (ephemerals?.iter().position(|c| c["name"] == n)?, true),
            },
            _ => (0, false),
        };
        let c = if ephemeral {
            ephemerals?.get(index)?
        } else {
            containers.get(index)?
        };
        let namespace = pod["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let env = environment(shared, &pod, c, &namespace);
        let name = c["name"].as_str().unwrap_or_default().to_string();
        let written = shared
            .exec_runs
            .files
            .of(pod["metadata"]["uid"].as_str().unwrap_or_default(), &name);
        Some(Container {
            name,
            written,
            pod: pod.clone(),
            index,
            ephemeral,
            namespace,
            env,
        })
    }

    /// The container's spec.
    pub fn spec(&self) -> &Value {
        let list = if self.ephemeral {
            "ephemeralContainers"
        } else {
            "containers"
        };
        &self.pod["spec"][list][self.index]
    }

    /// The pod's name, also the container's hostname.
    pub fn hostname(&self) -> &str {
        self.pod["metadata"]["name"].as_str().unwrap_or_default()
    }

    /// The pod's IP.
    pub fn pod_ip(&self) -> &str {
        self.pod["status"]["podIP"].as_str().unwrap_or_default()
    }

    /// A variable of the environment.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The container's own ports (`containerPort`).
    pub fn ports(&self) -> Vec<i64> {
        self.spec()["ports"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p["containerPort"].as_i64())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the container is running now.
    pub fn running(&self) -> bool {
        let list = if self.ephemeral {
            "ephemeralContainerStatuses"
        } else {
            "containerStatuses"
        };
        self.pod["status"][list]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["name"] == self.name.as_str()))
            .is_some_and(|s| s["state"]["running"].is_object())
    }

    /// A file's contents, or `None` when it does not exist.
    pub fn file(&self, path: &str) -> Option<Vec<u8>> {
        let path = super::fs::normalize(path);
        if let Some(text) = self.image_file(&path) {
            return Some(text.into_bytes());
        }
        let written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        written.file(&path).map(<[u8]>::to_vec)
    }

    /// The entries of a directory, or `None` when it does not exist.
    pub fn dir(&self, path: &str) -> Option<Vec<String>> {
        let path = super::fs::normalize(path);
        let written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        let mut entries: Vec<String> = match image_dir(&path) {
            Some(e) => e.iter().map(|e| e.to_string()).collect(),
            None if written.is_dir(&path) => Vec::new(),
            None => return None,
        };
        entries.extend(written.entries(&path));
        entries.sort();
        entries.dedup();
        Some(entries)
    }

    /// A file of the image (not written by a command).
    fn image_file(&self, path: &str) -> Option<String> {
        let ns = &self.namespace;
        Some(match path {
            "/etc/hostname" => format!("{}\n", self.hostname()),
            "/etc/hosts" => format!(
                "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{}\t{}\n",
                self.pod_ip(),
                self.hostname()
            ),
            "/etc/resolv.conf" => format!(
                "search {ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
            ),
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace" => ns.clone(),
            "/etc/os-release" => "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n".into(),
            _ => return None,
        })
    }
}

/// A directory of the image and its entries.
fn image_dir(path: &str) -> Option<Vec<&'static str>> {
    Some(match path {
        "/" => vec![
            "app", "bin", "boot", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc",
            "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var",
        ],
        "/etc" => vec!["hostname", "hosts", "os-release", "resolv.conf"],
        "/app" => vec!["server"],
        "/var" => vec!["run", "tmp"],
        "/tmp" | "/var/tmp" | "/home" | "/root" | "/mnt" | "/opt" | "/srv" | "/media" => vec![],
        "/var/run/secrets/kubernetes.io/serviceaccount" => vec!["ca.crt", "namespace", "token"],
        _ => return None,
    })
}

/// `$(VAR)` references in an env value, expanded from the variables defined before it
/// (`third_party/forked/golang/expansion`: unknown references stay as written).
fn expand(value: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find("$(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) => {
                let name = &after[..j];
                match env.iter().rev().find(|(k, _)| k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[i..i + 3 + j]),
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn key_ref(shared: &Shared, ns: &str, plural: &str, r: &Value) -> Option<String> {
    let obj = shared.store.get(res("", plural), ns, r["name"].as_str()?)?;
    let key = r["key"].as_str()?;
    if plural == "secrets" {
        let b = obj["data"][key].as_str()?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
        return Some(String::from_utf8_lossy(&bytes).into_owned());
    }
    obj["data"][key].as_str().map(String::from)
}

/// The kubelet's environment for a container (`pkg/kubelet/kubelet_pods.go`,
/// `makeEnvironmentVariables`): the image's `PATH`, `HOSTNAME`, the Service links of the
/// namespace (`{SVC}_SERVICE_HOST`, `{SVC}_SERVICE_PORT`, …, `pkg/kubelet/envvars`), then
/// the container's `env` in order.
fn environment(shared: &Shared, pod: &Value, c: &Value, ns: &str) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = vec![
        (
            "PATH".into(),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
        ),
        (
            "HOSTNAME".into(),
            pod["metadata"]["name"].as_str().unwrap_or_default().into(),
        ),
    ];
    let mut links: BTreeMap<String, String> = BTreeMap::new();
    if pod["spec"]["enableServiceLinks"].as_bool() != Some(false) {
        let (_, svcs) = shared.store.list(res("", "services"), Some(ns));
        let (_, kube) = shared.store.list(res("", "services"), Some("default"));
        let kube = kube
            .into_iter()
            .filter(|s| s["metadata"]["name"] == "kubernetes");
        for s in svcs.into_iter().chain(kube) {
            let ip = s["spec"]["clusterIP"].as_str().unwrap_or_default();
            if ip.is_empty() || ip == "None" {
                continue;
            }
            let name = s["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_uppercase()
                .replace('-', "_");
            let ports = s["spec"]["ports"].as_array().cloned().unwrap_or_default();
            let Some(first) = ports.first() else { continue };
            let port = first["port"].as_i64().unwrap_or_default();
            links.insert(format!("{name}_SERVICE_HOST"), ip.into());
            links.insert(format!("{name}_SERVICE_PORT"), port.to_string());
            for p in &ports {
                let (num, proto) = (
                    p["port"].as_i64().unwrap_or_default(),
                    p["protocol"].as_str().unwrap_or("TCP"),
                );
                if let Some(pn) = p["name"].as_str().filter(|n| !n.is_empty()) {
                    links.insert(
                        format!(
                            "{name}_SERVICE_PORT_{}",
                            pn.to_uppercase().replace('-', "_")
                        ),
                        num.to_string(),
                    );
                }
                let lower = proto.to_lowercase();
                let prefix = format!("{name}_PORT_{num}_{proto}");
                links.insert(prefix.clone(), format!("{lower}://{ip}:{num}"));
                links.insert(format!("{prefix}_PROTO"), lower.clone());
                links.insert(format!("{prefix}_PORT"), num.to_string());
                links.insert(format!("{prefix}_ADDR"), ip.into());
            }
            let proto = first["protocol"].as_str().unwrap_or("TCP").to_lowercase();
            links.insert(format!("{name}_PORT"), format!("{proto}://{ip}:{port}"));
        }
    }
    env.extend(links);
    for e in c["env"].as_array().into_iter().flatten() {
        let Some(name) = e["name"].as_str() else {
            continue;
        };
        let value = if let Some(v) = e["value"].as_str() {
            expand(v, &env)
        } else if let Some(r) = e["valueFrom"]["configMapKeyRef"].as_object() {
            key_ref(shared, ns, "configmaps", &Value::Object(r.clone())).unwrap_or_default()
        } else if let Some(r) = e["valueFrom"]["secretKeyRef"].as_object() {
            key_ref(shared, ns, "secrets", &Value::Object(r.clone())).unwrap_or_default()
        } else if let Some(path) = e["valueFrom"]["fieldRef"]["fieldPath"].as_str() {
            field_ref(pod, path)
        } else {
            String::new()
        };
        env.push((name.to_string(), value));
    }
    env.push(("HOME".into(), "/root".into()));
    env
}

fn field_ref(pod: &Value, path: &str) -> String {
    let v = match path {
        "metadata.name" => &pod["metadata"]["name"],
        "metadata.namespace" => &pod["metadata"]["namespace"],
        "metadata.uid" => &pod["metadata"]["uid"],
        "spec.nodeName" => &pod["spec"]["nodeName"],
        "spec.serviceAccountName" => &pod["spec"]["serviceAccountName"],
        "status.podIP" => &pod["status"]["podIP"],
        "status.hostIP" => &pod["status"]["hostIP"],
        _ => &Value::Null,
    };
    v.as_str().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependent_variables_expand_like_the_kubelet() {
        let env = vec![("A".to_string(), "x".to_string())];
        assert_eq!(expand("$(A)-$(B)", &env), "x-$(B)");
        assert_eq!(expand("plain", &env), "plain");
    }
}
