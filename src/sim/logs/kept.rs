//! The runs a container has ended, kept after the pod's status has moved on: as the
//! container runtime keeps a dead container (and the kubelet its log file,
//! `/var/log/pods/NS_POD_UID/CONTAINER/N.log`) after the container restarted, so a
//! `kubectl logs -f` that was reading it still gets its last lines. The pod's status names
//! only the current run and the one before (`lastState`); a follow that looks less often
//! than a crash loop restarts (every 200 ms real time, while a crash-and-restart cycle at
//! `--speed 20` takes well under a second) finds the rest of its run here.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

use serde_json::Value;

use super::{LogOptions, Run, run_of};
use crate::sim::{Shared, res};

/// Ended runs kept per container, newest last.
const PER_CONTAINER: usize = 5;
/// Containers tracked before the ones of pods no longer stored are forgotten (the bound
/// doubles with what is live, so pruning is amortised over many crashes).
const FIRST_PRUNE_AT: usize = 1024;

/// Every container's last ended runs, by pod UID and container name.
#[derive(Debug)]
pub struct KeptRuns {
    inner: Mutex<Kept>,
}

#[derive(Debug)]
struct Kept {
    runs: HashMap<(String, String), VecDeque<Run>>,
    prune_at: usize,
}

impl Default for KeptRuns {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Kept {
                runs: HashMap::new(),
                prune_at: FIRST_PRUNE_AT,
            }),
        }
    }
}

impl KeptRuns {
    /// Keeps the run each container of `pod` has just ended (its `lastState.terminated`),
    /// once per run.
    pub fn keep(&self, shared: &Shared, pod: &Value) {
        let Some(uid) = pod["metadata"]["uid"].as_str() else {
            return;
        };
        let names: Vec<String> = pod["spec"]["containers"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| c["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let speed = shared.clock.speed();
        let mut kept = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        for container in names {
            let ask = LogOptions {
                previous: true,
                container: Some(container.clone()),
                ..LogOptions::default()
            };
            let Ok(Some(run)) = run_of(pod, &ask, speed) else {
                continue;
            };
            let runs = kept.runs.entry((uid.to_string(), container)).or_default();
            if runs
                .iter()
                .any(|r| r.ordinal == run.ordinal && r.started == run.started)
            {
                continue;
            }
            runs.push_back(run);
            while runs.len() > PER_CONTAINER {
                runs.pop_front();
            }
        }
        if kept.runs.len() > kept.prune_at {
            let (_, pods) = shared.store.list(res("", "pods"), None);
            let live: HashSet<&str> = pods
                .iter()
                .filter_map(|p| p["metadata"]["uid"].as_str())
                .collect();
            kept.runs.retain(|(uid, _), _| live.contains(uid.as_str()));
            kept.prune_at = (kept.runs.len() * 2).max(FIRST_PRUNE_AT);
        }
    }

    /// The ended runs kept for `container` of the pod with `uid`, oldest first.
    pub fn of(&self, uid: &str, container: &str) -> Vec<Run> {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .runs
            .get(&(uid.to_string(), container.to_string()))
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }
}
