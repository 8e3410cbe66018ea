//! Read-only looks at the cluster the console's drill-down views ask for (`l`, `d`, `y` on
//! the cluster panes), and what comes back. Plain data: the kube adapter carries them out.

/// The most lines a log view keeps (older lines are dropped as new ones arrive).
pub const LOG_LINES: usize = 5_000;
/// The most bytes of one log line a log view keeps (the rest is cut with `…`): with
/// [`LOG_LINES`], a log view holds at most ~10 MB whatever the pod writes.
pub const LOG_LINE_BYTES: usize = 2_048;
/// Lines asked for when a log view opens with no `since` (`--tail`).
pub const LOG_TAIL: i64 = 1_000;

/// One read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterRead {
    /// `kubectl logs POD [-c CONTAINER] [--previous] [--since=…] -f`.
    Logs {
        pod: String,
        container: Option<String>,
        previous: bool,
        /// `--since` in seconds; `None`: the last [`LOG_TAIL`] lines.
        since_seconds: Option<i64>,
    },
    /// `kubectl describe pod POD`.
    DescribePod { pod: String },
    /// `kubectl get pod POD -o yaml`.
    PodYaml { pod: String },
    /// What revision `revision` changed against the current one (pod templates compared).
    RevisionDiff { revision: i64 },
    /// The pod template of revision `revision`'s ReplicaSet, as YAML.
    RevisionTemplate { revision: i64 },
}

impl ClusterRead {
    /// The kubectl command a reader would type for the same look.
    pub fn kubectl(&self, namespace: &str, deployment: &str) -> String {
        match self {
            ClusterRead::Logs {
                pod,
                container,
                previous,
                since_seconds,
            } => {
                let mut s = format!("kubectl logs {pod} -n {namespace}");
                if let Some(c) = container {
                    s.push_str(&format!(" -c {c}"));
                }
                if *previous {
                    s.push_str(" --previous");
                }
                match since_seconds {
                    Some(secs) => s.push_str(&format!(" --since={secs}s")),
                    None => s.push_str(&format!(" --tail={LOG_TAIL}")),
                }
                if !*previous {
                    s.push_str(" -f");
                }
                s
            }
            ClusterRead::DescribePod { pod } => {
                format!("kubectl describe pod {pod} -n {namespace}")
            }
            ClusterRead::PodYaml { pod } => format!("kubectl get pod {pod} -n {namespace} -o yaml"),
            ClusterRead::RevisionDiff { revision } => format!(
                "kubectl rollout history deployment/{deployment} -n {namespace} --revision={revision}"
            ),
            ClusterRead::RevisionTemplate { revision } => format!(
                "kubectl rollout history deployment/{deployment} -n {namespace} --revision={revision} -o yaml"
            ),
        }
    }
}

/// What a read sends back, possibly in several parts (a log stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadAnswer {
    /// The whole text (describe, YAML, a diff: lines starting `+`/`-` are changes).
    Text(String),
    /// The pod's containers, and the one the logs are read from (the
    /// `kubectl.kubernetes.io/default-container` annotation's, else the first).
    Containers { all: Vec<String>, chosen: String },
    /// More log lines.
    Lines(Vec<String>),
    /// The stream ended (`None`) or failed (the server's message).
    Ended(Option<String>),
}

/// A log line cut to [`LOG_LINE_BYTES`] on a character boundary.
pub fn bounded_line(line: &str) -> String {
    crate::domain::text_cut::cut_with_mark(line, LOG_LINE_BYTES, "…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_equivalents() {
        let logs = ClusterRead::Logs {
            pod: "web-1".into(),
            container: Some("app".into()),
            previous: true,
            since_seconds: None,
        };
        assert_eq!(
            logs.kubectl("shop", "web"),
            "kubectl logs web-1 -n shop -c app --previous --tail=1000"
        );
        let follow = ClusterRead::Logs {
            pod: "web-1".into(),
            container: None,
            previous: false,
            since_seconds: Some(600),
        };
        assert_eq!(
            follow.kubectl("shop", "web"),
            "kubectl logs web-1 -n shop --since=600s -f"
        );
    }

    #[test]
    fn long_lines_are_cut_on_a_character_boundary() {
        let long = "é".repeat(LOG_LINE_BYTES);
        let cut = bounded_line(&long);
        assert!(cut.len() <= LOG_LINE_BYTES + "…".len());
        assert!(cut.ends_with('…'));
        assert_eq!(bounded_line("short"), "short");
    }
}
