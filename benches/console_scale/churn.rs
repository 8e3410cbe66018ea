//! A deterministic replay of the churn of issue 19 (three rolling updates of 10,000 pods)
//! as the console's loop receives it: the pod watcher's `PodsChanged` batches, one per
//! frame interval (33 ms), each the net change per pod of that interval (the real
//! `PodChanges` coalescing), shaped by the Deployment controller's rolling update with the
//! default `maxSurge`/`maxUnavailable` of 25 %:
//!
//! - a new pod: ADDED `Pending` (no node), scheduled (`Pending` on a node),
//!   `ContainerCreating`, `Running` 1/1 (ready) — four watch events;
//! - an old pod scaled down once enough new ones are ready: `Terminating`, then DELETED —
//!   two watch events.
//!
//! So 6 watch events per replaced pod, 180,000 for the three rollouts, as the real churn
//! counted (docs/performance.md, issue 19). At most [`CREATED_PER_FRAME`] pods are created
//! per frame interval, which gives ≈ 110 events a batch (≈ 3,300 events a second). Delays
//! between a pod's steps are a few frame intervals, spread by a fixed pseudo-random
//! sequence, so pods of different ages interleave in every batch. No clock, no threads:
//! the same input on every run.

use std::collections::{HashSet, VecDeque};

use backout::domain::cluster::PodRow;
use backout::domain::cluster::pod_changes::{PodChange, PodChanges};
use chrono::{DateTime, TimeZone, Utc};

/// Pods created per 33 ms frame interval (the controller's and the API server's pace).
pub const CREATED_PER_FRAME: usize = 18;

/// The replay: the table's initial rows (revision 1, all running) and the batches.
pub struct Churn {
    pub initial: Vec<PodRow>,
    pub batches: Vec<Vec<PodChange>>,
    /// Watch events before coalescing.
    pub events: u64,
}

/// A fixed pseudo-random sequence (64-bit LCG, Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A pod name of replica set `hash` not given before (the API server retries a
    /// generated name that is taken).
    fn pod_name(&mut self, hash: &str, taken: &mut HashSet<String>) -> String {
        loop {
            let name = format!("big-{hash}-{}", self.suffix(5));
            if taken.insert(name.clone()) {
                return name;
            }
        }
    }

    /// `n` characters of the alphabet Kubernetes uses for generated names.
    fn suffix(&mut self, n: usize) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        (0..n)
            .map(|_| ALPHABET[self.below(ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
}

const NODES: [&str; 3] = ["sim-node-1", "sim-node-2", "sim-node-3"];

fn at(frame: u64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_790_000_000 + (frame * 33 / 1000) as i64, 0)
        .single()
        .unwrap_or_default()
}

fn row(name: &str, status: &str, ready: u16, tag: &str, hash: &str, node: &str) -> PodRow {
    PodRow {
        name: name.into(),
        status: status.into(),
        ready,
        total: 1,
        restarts: 0,
        started: None,
        image_tag: tag.into(),
        template_hash: hash.into(),
        node: node.into(),
    }
}

/// A new pod in flight: its row and the frame of its next step.
struct NewPod {
    row: PodRow,
    step: u8,
    next: u64,
}

/// The churn of `rollouts` rolling updates of a Deployment of `pods` pods.
pub fn churn(pods: usize, rollouts: usize) -> Churn {
    let mut rng = Lcg(19);
    let mut hash = rng.suffix(10);
    let mut taken = HashSet::new();
    let initial: Vec<PodRow> = (0..pods)
        .map(|i| {
            let mut r = row(
                &rng.pod_name(&hash, &mut taken),
                "Running",
                1,
                "1.0",
                &hash,
                NODES[i % 3],
            );
            r.started = Some(at(0));
            r
        })
        .collect();
    let mut old: Vec<String> = initial.iter().map(|r| r.name.clone()).collect();
    let (surge, unavailable) = (pods.div_ceil(4), pods / 4);
    let mut frame = 0u64;
    let mut changes = PodChanges::new();
    let mut batches = Vec::new();
    let mut events = 0u64;
    let mut push = |changes: &mut PodChanges, c: PodChange| {
        events += 1;
        changes.push(c);
    };
    for rollout in 0..rollouts {
        let tag = format!("{}.0", rollout + 2);
        hash = rng.suffix(10);
        let mut flight: Vec<NewPod> = Vec::new();
        let mut terminating: VecDeque<(String, u64)> = VecDeque::new();
        let (mut created, mut ready) = (0usize, 0usize);
        let mut done: Vec<String> = Vec::new();
        while ready < pods || !old.is_empty() || !terminating.is_empty() {
            frame += 1;
            // The kubelet: new pods' steps that are due.
            let mut i = 0;
            while i < flight.len() {
                if flight[i].next > frame {
                    i += 1;
                    continue;
                }
                let p = &mut flight[i];
                p.step += 1;
                match p.step {
                    1 => {
                        p.row.node = NODES[rng.below(3) as usize].into();
                        p.row.started = Some(at(frame));
                        p.next = frame + 1 + rng.below(3);
                    }
                    2 => {
                        p.row.status = "ContainerCreating".into();
                        p.next = frame + 3 + rng.below(15);
                    }
                    _ => {
                        p.row.status = "Running".into();
                        p.row.ready = 1;
                    }
                }
                push(&mut changes, PodChange::Upserted(p.row.clone()));
                if p.step >= 3 {
                    done.push(flight.swap_remove(i).row.name);
                    ready += 1;
                } else {
                    i += 1;
                }
            }
            // Graceful termination over: the old pods leave.
            while terminating.front().is_some_and(|t| t.1 <= frame) {
                if let Some((name, _)) = terminating.pop_front() {
                    push(&mut changes, PodChange::Deleted(name));
                }
            }
            // The Deployment controller: scale the new replica set up within the surge
            // and the old one down within the unavailability.
            let room = (pods + surge).saturating_sub(old.len() + created + terminating.len());
            let up = room.min(pods - created).min(CREATED_PER_FRAME);
            for _ in 0..up {
                let r = row(
                    &rng.pod_name(&hash, &mut taken),
                    "Pending",
                    0,
                    &tag,
                    &hash,
                    "",
                );
                push(&mut changes, PodChange::Upserted(r.clone()));
                flight.push(NewPod {
                    row: r,
                    step: 0,
                    next: frame + 1 + rng.below(2),
                });
                created += 1;
            }
            let down = (old.len() + ready)
                .saturating_sub(pods - unavailable)
                .min(old.len())
                .min(CREATED_PER_FRAME);
            for _ in 0..down {
                let name = old.swap_remove(rng.below(old.len() as u64) as usize);
                let mut r = row(&name, "Terminating", 1, "", "", "");
                r.image_tag = if rollout == 0 {
                    "1.0".into()
                } else {
                    format!("{}.0", rollout + 1)
                };
                r.template_hash = name[4..14].into();
                r.node = NODES[name.len() % 3].into();
                r.started = Some(at(0));
                push(&mut changes, PodChange::Upserted(r));
                terminating.push_back((name, frame + 2 + rng.below(8)));
            }
            batches.push(changes.drain());
        }
        old = done;
    }
    Churn {
        initial,
        batches,
        events,
    }
}
