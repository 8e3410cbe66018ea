//! A drill-down view's data (`l`, `d`, `y` on a cluster pane): which read it shows, the
//! text so far in a [`TextView`], and for logs the container, `--previous` and `--since`.

use crate::domain::cluster::read::{ClusterRead, LOG_LINES};

use super::text_view::TextView;

/// `t` cycles through these `--since` values (`None`: the last lines, no time bound).
pub const SINCE: [Option<i64>; 4] = [None, Some(60), Some(600), Some(3600)];

/// What a logs view reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsQuery {
    pub pod: String,
    /// The pod's containers, once the adapter has said (empty before).
    pub containers: Vec<String>,
    /// The container read from (`None` until the adapter has chosen the default one).
    pub container: Option<String>,
    pub previous: bool,
    /// Index into [`SINCE`].
    pub since: usize,
}

impl LogsQuery {
    pub fn new(pod: &str) -> LogsQuery {
        LogsQuery {
            pod: pod.to_string(),
            containers: Vec::new(),
            container: None,
            previous: false,
            since: 0,
        }
    }

    pub fn read(&self) -> ClusterRead {
        ClusterRead::Logs {
            pod: self.pod.clone(),
            container: self.container.clone(),
            previous: self.previous,
            since_seconds: SINCE[self.since % SINCE.len()],
        }
    }

    /// The next container of the pod (wrapping), when it has more than one.
    pub fn next_container(&mut self) -> bool {
        if self.containers.len() < 2 {
            return false;
        }
        let at = self
            .container
            .as_ref()
            .and_then(|c| self.containers.iter().position(|x| x == c))
            .map_or(0, |i| (i + 1) % self.containers.len());
        self.container = Some(self.containers[at].clone());
        true
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewKind {
    Logs(LogsQuery),
    /// A one-shot read (describe, YAML, a revision's changes or template).
    Once(ClusterRead),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterView {
    /// Answers carry it; answers for a view no longer open (or a read replaced) are
    /// dropped.
    pub id: u64,
    pub kind: ViewKind,
    pub text: TextView,
}

impl ClusterView {
    pub fn new(id: u64, kind: ViewKind, title: String) -> ClusterView {
        let mut text = TextView::new(title, Vec::new());
        if matches!(kind, ViewKind::Logs(_)) {
            text.max_lines = Some(LOG_LINES);
            text.follow = true;
        }
        text.status = Some("reading…".into());
        ClusterView { id, kind, text }
    }

    pub fn read(&self) -> ClusterRead {
        match &self.kind {
            ViewKind::Logs(q) => q.read(),
            ViewKind::Once(r) => r.clone(),
        }
    }
}
