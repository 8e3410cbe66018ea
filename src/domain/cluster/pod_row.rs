//! One pod as a slim table row, and the STATUS text computed exactly like kubectl's
//! `get pods` printer (`printPod` in `k8s.io/kubernetes/pkg/printers/internalversion`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The state of one container, as the kubelet reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ContainerState {
    #[default]
    Unknown,
    Waiting {
        reason: String,
    },
    Running,
    Terminated {
        reason: String,
        exit_code: i32,
        signal: i32,
    },
}

/// One entry of `status.containerStatuses` / `initContainerStatuses`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerStatus {
    pub state: ContainerState,
    pub ready: bool,
    pub started: bool,
    pub restart_count: i32,
    /// A native sidecar (init container with `restartPolicy: Always`).
    pub restartable_init: bool,
}

/// Everything the STATUS column needs, converted from a `Pod` by the adapter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodFacts {
    pub phase: String,
    /// `status.reason` (e.g. `Evicted`, `NodeLost`).
    pub reason: String,
    pub deleting: bool,
    pub init_container_count: usize,
    pub container_count: usize,
    pub init_statuses: Vec<ContainerStatus>,
    pub statuses: Vec<ContainerStatus>,
    pub initialized_condition_true: bool,
    pub ready_condition_true: bool,
    pub scheduling_gated: bool,
}

/// A pod in the Pods pane. Built once on arrival; the full `Pod` is never kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodRow {
    pub name: String,
    /// kubectl's STATUS: `Running`, `CrashLoopBackOff`, `Init:1/2`, `Terminating`, …
    pub status: String,
    pub ready: u16,
    pub total: u16,
    pub restarts: u32,
    /// `status.startTime` (or creation time before scheduling).
    pub started: Option<DateTime<Utc>>,
    /// Tag (or digest) of the first container's image, `latest` when none.
    pub image_tag: String,
    /// `pod-template-hash` label: which ReplicaSet (revision) the pod belongs to.
    pub template_hash: String,
    pub node: String,
}

impl PodRow {
    /// The row of a pod from its STATUS facts and the columns read as they are. Both
    /// decoders (the full `Pod` conversion and the slim watch decode) end here, so they
    /// cannot disagree on a column.
    pub fn from_facts(
        name: String,
        facts: &PodFacts,
        started: Option<DateTime<Utc>>,
        first_image: Option<&str>,
        template_hash: String,
        node: String,
    ) -> PodRow {
        let (ready, total, restarts, status) = pod_status(facts);
        PodRow {
            name,
            status,
            ready,
            total,
            restarts,
            started,
            image_tag: first_image.map(image_tag).unwrap_or_default(),
            template_hash,
            node,
        }
    }

    /// `x/y` as in the READY column.
    pub fn ready_text(&self) -> String {
        format!("{}/{}", self.ready, self.total)
    }

    /// Whether the status is one an operator must look at.
    pub fn is_unhealthy(&self) -> bool {
        !matches!(
            self.status.as_str(),
            "Running" | "Completed" | "Succeeded" | "ContainerCreating" | "Pending"
        ) || self.ready < self.total && self.status == "Running"
    }
}

/// The tag of an image reference: `repo/app:1.2` → `1.2`, `repo@sha256:abcd…` → the
/// first 12 hex digits of the digest, `repo` → `latest`. A port in the registry host
/// (`host:5000/app`) is not a tag.
pub fn image_tag(image: &str) -> String {
    if let Some((_, digest)) = image.split_once('@') {
        let hex = digest.split_once(':').map_or(digest, |(_, h)| h);
        return hex.chars().take(12).collect();
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, tag)) if !tag.is_empty() => tag.to_string(),
        _ => "latest".to_string(),
    }
}

/// Ready containers, total containers, restarts and the STATUS text, as kubectl computes
/// them.
pub fn pod_status(p: &PodFacts) -> (u16, u16, u32, String) {
    let mut restarts: i64 = 0;
    let mut ready: u16 = 0;
    let total = u16::try_from(p.container_count).unwrap_or(u16::MAX);
    let mut reason = if p.reason.is_empty() {
        p.phase.clone()
    } else {
        p.reason.clone()
    };
    if p.scheduling_gated {
        reason = "SchedulingGated".into();
    }

    let mut initializing = false;
    for (i, c) in p.init_statuses.iter().enumerate() {
        restarts += i64::from(c.restart_count);
        match &c.state {
            ContainerState::Terminated { exit_code: 0, .. } => continue,
            _ if c.restartable_init && c.started => continue,
            ContainerState::Terminated {
                reason: r,
                exit_code,
                signal,
            } => {
                reason = if !r.is_empty() {
                    format!("Init:{r}")
                } else if *signal != 0 {
                    format!("Init:Signal:{signal}")
                } else {
                    format!("Init:ExitCode:{exit_code}")
                };
            }
            ContainerState::Waiting { reason: r } if !r.is_empty() && r != "PodInitializing" => {
                reason = format!("Init:{r}");
            }
            _ => {
                reason = format!("Init:{i}/{}", p.init_container_count);
            }
        }
        initializing = true;
        break;
    }

    if !initializing || p.initialized_condition_true {
        restarts = 0;
        let mut has_running = false;
        for c in p.statuses.iter().rev() {
            restarts += i64::from(c.restart_count);
            match &c.state {
                ContainerState::Waiting { reason: r } if !r.is_empty() => reason = r.clone(),
                ContainerState::Terminated { reason: r, .. } if !r.is_empty() => reason = r.clone(),
                ContainerState::Terminated {
                    exit_code, signal, ..
                } => {
                    reason = if *signal != 0 {
                        format!("Signal:{signal}")
                    } else {
                        format!("ExitCode:{exit_code}")
                    };
                }
                ContainerState::Running if c.ready => {
                    has_running = true;
                    ready = ready.saturating_add(1);
                }
                _ => {}
            }
        }
        if reason == "Completed" && has_running {
            reason = if p.ready_condition_true {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }

    let terminal = matches!(p.phase.as_str(), "Succeeded" | "Failed");
    if p.deleting && p.reason == "NodeLost" {
        reason = "Unknown".into();
    } else if p.deleting && !terminal {
        reason = "Terminating".into();
    }
    let restarts = u32::try_from(restarts.max(0)).unwrap_or(u32::MAX);
    (ready, total, restarts, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(ready: bool, restarts: i32) -> ContainerStatus {
        ContainerStatus {
            state: ContainerState::Running,
            ready,
            started: true,
            restart_count: restarts,
            restartable_init: false,
        }
    }

    fn waiting(reason: &str, restarts: i32) -> ContainerStatus {
        ContainerStatus {
            state: ContainerState::Waiting {
                reason: reason.into(),
            },
            restart_count: restarts,
            ..ContainerStatus::default()
        }
    }

    fn facts(phase: &str, statuses: Vec<ContainerStatus>) -> PodFacts {
        PodFacts {
            phase: phase.into(),
            container_count: statuses.len().max(1),
            statuses,
            initialized_condition_true: true,
            ..PodFacts::default()
        }
    }

    #[test]
    fn status_column_like_kubectl() {
        type Case = (&'static str, PodFacts, (u16, u16, u32, &'static str));
        let cases: Vec<Case> = vec![
            (
                "running and ready",
                facts("Running", vec![running(true, 0)]),
                (1, 1, 0, "Running"),
            ),
            (
                "crash loop sums restarts",
                facts(
                    "Running",
                    vec![waiting("CrashLoopBackOff", 7), running(true, 1)],
                ),
                (1, 2, 8, "CrashLoopBackOff"),
            ),
            (
                "image pull back-off",
                facts("Pending", vec![waiting("ImagePullBackOff", 0)]),
                (0, 1, 0, "ImagePullBackOff"),
            ),
            (
                "err image pull",
                facts("Pending", vec![waiting("ErrImagePull", 0)]),
                (0, 1, 0, "ErrImagePull"),
            ),
            (
                "container creating",
                facts("Pending", vec![waiting("ContainerCreating", 0)]),
                (0, 1, 0, "ContainerCreating"),
            ),
            (
                "pending without statuses",
                PodFacts {
                    phase: "Pending".into(),
                    container_count: 1,
                    ..PodFacts::default()
                },
                (0, 1, 0, "Pending"),
            ),
            (
                "completed",
                facts(
                    "Succeeded",
                    vec![ContainerStatus {
                        state: ContainerState::Terminated {
                            reason: "Completed".into(),
                            exit_code: 0,
                            signal: 0,
                        },
                        ..ContainerStatus::default()
                    }],
                ),
                (0, 1, 0, "Completed"),
            ),
            (
                "terminated without a reason shows the exit code",
                facts(
                    "Running",
                    vec![ContainerStatus {
                        state: ContainerState::Terminated {
                            reason: String::new(),
                            exit_code: 137,
                            signal: 0,
                        },
                        ..ContainerStatus::default()
                    }],
                ),
                (0, 1, 0, "ExitCode:137"),
            ),
            (
                "deleting a running pod",
                PodFacts {
                    deleting: true,
                    ..facts("Running", vec![running(true, 0)])
                },
                (1, 1, 0, "Terminating"),
            ),
            (
                "deleting on a lost node",
                PodFacts {
                    deleting: true,
                    reason: "NodeLost".into(),
                    ..facts("Running", vec![running(true, 0)])
                },
                (1, 1, 0, "Unknown"),
            ),
            (
                "evicted",
                PodFacts {
                    reason: "Evicted".into(),
                    ..facts("Failed", vec![])
                },
                (0, 1, 0, "Evicted"),
            ),
            (
                "running but not ready",
                facts("Running", vec![running(false, 0)]),
                (0, 1, 0, "Running"),
            ),
        ];
        for (what, f, (r, t, re, s)) in cases {
            assert_eq!(pod_status(&f), (r, t, re, s.to_string()), "{what}");
        }
    }

    #[test]
    fn init_containers_like_kubectl() {
        let base = PodFacts {
            phase: "Pending".into(),
            init_container_count: 2,
            container_count: 1,
            statuses: vec![waiting("PodInitializing", 0)],
            ..PodFacts::default()
        };
        let done = ContainerStatus {
            state: ContainerState::Terminated {
                reason: "Completed".into(),
                exit_code: 0,
                signal: 0,
            },
            ..ContainerStatus::default()
        };
        let p = PodFacts {
            init_statuses: vec![done.clone(), running(false, 2)],
            ..base.clone()
        };
        assert_eq!(pod_status(&p), (0, 1, 2, "Init:1/2".into()));
        let p = PodFacts {
            init_statuses: vec![waiting("CrashLoopBackOff", 4)],
            ..base.clone()
        };
        assert_eq!(pod_status(&p), (0, 1, 4, "Init:CrashLoopBackOff".into()));
        let p = PodFacts {
            init_statuses: vec![ContainerStatus {
                state: ContainerState::Terminated {
                    reason: String::new(),
                    exit_code: 0,
                    signal: 9,
                },
                ..ContainerStatus::default()
            }],
            ..base.clone()
        };
        // exit code 0 counts as done even with a signal, exactly like kubectl.
        assert_eq!(pod_status(&p).3, "PodInitializing");
        let p = PodFacts {
            init_statuses: vec![ContainerStatus {
                state: ContainerState::Terminated {
                    reason: String::new(),
                    exit_code: 1,
                    signal: 0,
                },
                ..ContainerStatus::default()
            }],
            ..base
        };
        assert_eq!(pod_status(&p).3, "Init:ExitCode:1");
    }

    #[test]
    fn image_tags() {
        for (image, tag) in [
            ("shop/web:1.2", "1.2"),
            ("registry:5000/shop/web:2.0-rc1", "2.0-rc1"),
            ("registry:5000/shop/web", "latest"),
            ("nginx", "latest"),
            ("shop/web@sha256:0123456789abcdef0123", "0123456789ab"),
        ] {
            assert_eq!(image_tag(image), tag, "{image}");
        }
    }
}
