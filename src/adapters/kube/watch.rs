//! Watchers of the target workload: pods (by the Deployment's selector), the Deployment
//! and its ReplicaSets, and their events. kube-runtime's `watcher` lists, watches,
//! resumes dropped watches from the last resource version and re-lists after `410 Gone`;
//! `default_backoff` spaces retries. Pods are watched by [`pod_watcher`], a port of that
//! watcher that asks for protobuf as client-go does and reads protobuf or JSON
//! (`proto_watch`; docs/performance.md, "pbwatch").
//! Pods, ReplicaSets and events are decoded straight
//! into slim types ([`WatchedPod`], [`WatchedReplicaSet`], [`WatchedEvent`]: the typed
//! `k8s_openapi` objects are never built) that the same watcher is given. Changes are
//! sent as [`ClusterEvent`]s over a bounded channel: the pods changed within a frame
//! interval ([`FRAME`]) as one `PodsChanged` (one change per pod), the rollout at most
//! once per interval; errors are sent as
//! [`WatchState::Reconnecting`] so that panes show their data as stale.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use kube::Client;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::convert;
use super::liveness::{Liveness, liveness_task};
use super::proto_watch::pod_watcher;
use super::watched_event::WatchedEvent;
use super::watched_pod::WatchedPod;
use super::watched_replica_set::{WatchedReplicaSet, template_key};
use crate::domain::cluster::{
    ClusterEvent, DeploymentFacts, EventRow, PodChange, PodChanges, ReplicaSetFacts, RolloutView,
    Stream as StreamName, Target, WatchState, summarize_events,
};

/// Events kept for the Events pane.
pub const MAX_EVENTS: usize = 200;
/// How often a changed event list is sent at most.
const EVENTS_FLUSH: Duration = Duration::from_millis(250);
/// The console's frame interval (it draws at most 30 frames a second): pod and rollout
/// changes are sent at most this long after their first watch event, the changes of one
/// pod within it collapsed into the last.
pub const FRAME: Duration = Duration::from_millis(33);

/// The running watchers; dropping it stops them.
#[derive(Debug)]
pub struct WatchHandle {
    tasks: Vec<JoinHandle<()>>,
}

impl WatchHandle {
    /// Stops every watcher.
    pub fn stop(&mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
    }
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts the pod, rollout and event watchers of `target`, sending to `tx`. They run
/// until the handle is dropped or the receiver is closed.
pub fn spawn_watchers(
    client: Client,
    target: &Target,
    tx: mpsc::Sender<ClusterEvent>,
) -> WatchHandle {
    let ns = target.namespace.clone();
    let name = target.deployment.clone();
    let tasks = vec![
        tokio::spawn(pods_task(
            client.clone(),
            ns.clone(),
            name.clone(),
            tx.clone(),
        )),
        tokio::spawn(rollout_task(
            client.clone(),
            ns.clone(),
            name.clone(),
            tx.clone(),
        )),
        tokio::spawn(events_task(client.clone(), ns, name, tx.clone())),
        tokio::spawn(liveness_task(client, tx, Liveness::default())),
    ];
    WatchHandle { tasks }
}

async fn state(tx: &mpsc::Sender<ClusterEvent>, stream: StreamName, state: WatchState) -> bool {
    tx.send(ClusterEvent::WatchState { stream, state })
        .await
        .is_ok()
}

/// Tracks consecutive failures of one stream and reports transitions.
struct Health {
    stream: StreamName,
    attempt: u32,
    live: bool,
}

impl Health {
    fn new(stream: StreamName) -> Self {
        Self {
            stream,
            attempt: 0,
            live: false,
        }
    }

    async fn ok(&mut self, tx: &mpsc::Sender<ClusterEvent>) -> bool {
        if self.live {
            return true;
        }
        self.live = true;
        self.attempt = 0;
        state(tx, self.stream, WatchState::Live { since: Utc::now() }).await
    }

    async fn failed(&mut self, tx: &mpsc::Sender<ClusterEvent>, error: String) -> bool {
        self.live = false;
        self.attempt = self.attempt.saturating_add(1);
        state(
            tx,
            self.stream,
            WatchState::Reconnecting {
                attempt: self.attempt,
                error,
            },
        )
        .await
    }
}

/// The Deployment's label selector, waiting until the Deployment exists: errors mark
/// `stream` reconnecting, and the Rollout stream reports `RolloutMissing` meanwhile.
async fn selector_of(
    api: &Api<Deployment>,
    name: &str,
    stream: StreamName,
    tx: &mpsc::Sender<ClusterEvent>,
) -> Option<String> {
    let mut delay = Duration::from_millis(500);
    loop {
        match api.get_opt(name).await {
            Ok(Some(d)) => {
                return Some(
                    d.spec
                        .as_ref()
                        .map(|s| convert::selector_string(&s.selector))
                        .unwrap_or_default(),
                );
            }
            Ok(None) => {
                if stream == StreamName::Rollout
                    && tx.send(ClusterEvent::RolloutMissing).await.is_err()
                {
                    return None;
                }
            }
            Err(e) => {
                let st = WatchState::Reconnecting {
                    attempt: 1,
                    error: e.to_string(),
                };
                if !state(tx, stream, st).await {
                    return None;
                }
            }
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

async fn pods_task(client: Client, ns: String, name: String, tx: mpsc::Sender<ClusterEvent>) {
    if !state(&tx, StreamName::Pods, WatchState::Connecting).await {
        return;
    }
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let Some(selector) = selector_of(&deployments, &name, StreamName::Pods, &tx).await else {
        return;
    };
    let api: Api<WatchedPod> = Api::namespaced(client, &ns);
    // kube-runtime's watcher semantics, asking for protobuf (JSON still read when the
    // server answers it): `proto_watch`.
    let stream = pod_watcher(
        api.clone(),
        watcher::Config::default().labels(&selector),
        Arc::default(),
    )
    .default_backoff();
    pump_pods(stream, Some(api), tx, FRAME).await;
}

/// Whether the API server answers a one-item list of this resource.
async fn reachable<K>(api: &Api<K>) -> bool
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    api.list_metadata(&kube::api::ListParams::default().limit(1))
        .await
        .is_ok()
}

/// How often a failed stream checks whether the server answers again. kube-runtime's
/// watcher resumes silently when nothing changed meanwhile, so without this a pane would
/// stay stale after the API came back.
const PROBE_EVERY: Duration = Duration::from_secs(1);

/// Sends the pods changed since the last flush, all in one message; `false` when the
/// receiver is gone.
async fn flush_pods(
    changes: &mut PodChanges,
    health: &mut Health,
    tx: &mpsc::Sender<ClusterEvent>,
) -> bool {
    if changes.is_empty() {
        return true;
    }
    if !health.ok(tx).await {
        return false;
    }
    let changes = changes.drain();
    tx.send(ClusterEvent::PodsChanged { changes }).await.is_ok()
}

/// After a change: starts the interval if none is running, or flushes when it is over.
async fn due(
    flush_at: &mut Option<Instant>,
    frame: Duration,
    changes: &mut PodChanges,
    health: &mut Health,
    tx: &mpsc::Sender<ClusterEvent>,
) -> bool {
    let now = Instant::now();
    match *flush_at {
        None => {
            *flush_at = Some(now + frame);
            true
        }
        Some(at) if at <= now => {
            *flush_at = None;
            flush_pods(changes, health, tx).await
        }
        Some(_) => true,
    }
}

/// Turns a pod watch stream into messages: a (re-)list as one `PodsResynced`, then the
/// changes of each `frame` interval ([`FRAME`] in the console) as one `PodsChanged`: the
/// changes of a pod within one interval collapse into its last. With `probe`, a
/// failed stream is marked live again as soon as the server answers a list (public for the
/// benchmark and the tests, which feed it).
pub async fn pump_pods<S>(
    stream: S,
    probe: Option<Api<WatchedPod>>,
    tx: mpsc::Sender<ClusterEvent>,
    frame: Duration,
) where
    S: Stream<Item = Result<watcher::Event<WatchedPod>, watcher::Error>>,
{
    let mut stream = std::pin::pin!(stream);
    let mut health = Health::new(StreamName::Pods);
    let mut initial: Vec<crate::domain::cluster::PodRow> = Vec::new();
    let mut changes = PodChanges::new();
    let mut flush_at: Option<Instant> = None;
    let mut tick = tokio::time::interval(PROBE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // Events first: a flush is due only once its interval is over, which is also
        // checked after each event, so a stream that never pauses is flushed in time too.
        let ev = tokio::select! {
            biased;
            ev = stream.next() => match ev {
                Some(ev) => ev,
                None => {
                    flush_pods(&mut changes, &mut health, &tx).await;
                    return;
                }
            },
            _ = tokio::time::sleep_until(flush_at.unwrap_or_else(Instant::now)), if flush_at.is_some() => {
                flush_at = None;
                if !flush_pods(&mut changes, &mut health, &tx).await {
                    return;
                }
                continue;
            }
            _ = tick.tick(), if health.attempt > 0 && !health.live => {
                if let Some(api) = &probe
                    && reachable(api).await
                    && !health.ok(&tx).await
                {
                    return;
                }
                continue;
            }
        };
        let sent = match ev {
            Ok(watcher::Event::Init) => {
                // What changed before the re-list is sent first, in order.
                flush_at = None;
                initial.clear();
                flush_pods(&mut changes, &mut health, &tx).await
            }
            Ok(watcher::Event::InitApply(p)) => {
                initial.push(p.row);
                true
            }
            Ok(watcher::Event::InitDone) => {
                let rows = std::mem::take(&mut initial);
                tx.send(ClusterEvent::PodsResynced(rows)).await.is_ok() && {
                    health.live = false;
                    health.ok(&tx).await
                }
            }
            Ok(watcher::Event::Apply(p)) => {
                changes.push(PodChange::Upserted(p.row));
                due(&mut flush_at, frame, &mut changes, &mut health, &tx).await
            }
            Ok(watcher::Event::Delete(p)) => {
                changes.push(PodChange::Deleted(p.row.name));
                due(&mut flush_at, frame, &mut changes, &mut health, &tx).await
            }
            Err(e) => health.failed(&tx, e.to_string()).await,
        };
        if !sent {
            return;
        }
    }
}

enum RolloutChange {
    /// Both boxed: the events are kilobytes (a typed Deployment) and hundreds of bytes.
    Deployment(Box<watcher::Event<Deployment>>),
    ReplicaSet(Box<watcher::Event<WatchedReplicaSet>>),
}

/// The Deployment and its ReplicaSets as the Rollout pane needs them. Pod templates are
/// kept as [`template_key`]s, computed once when an object arrives, so that building the
/// view compares values instead of re-serialising every template each time.
#[derive(Default)]
struct RolloutState {
    /// (facts, template key, uid).
    deployment: Option<(DeploymentFacts, Value, String)>,
    /// ReplicaSet name → (controller uid, facts without `matches_template`, template key).
    sets: HashMap<String, (String, ReplicaSetFacts, Value)>,
    initial_sets: HashMap<String, (String, ReplicaSetFacts, Value)>,
}

fn rs_entry(rs: WatchedReplicaSet) -> (String, (String, ReplicaSetFacts, Value)) {
    (
        rs.facts.name.clone(),
        (rs.owner_uid, rs.facts, rs.template_key),
    )
}

impl RolloutState {
    fn view(&self) -> Option<RolloutView> {
        let (facts, template, uid) = self.deployment.as_ref()?;
        let mut sets: Vec<ReplicaSetFacts> = self
            .sets
            .values()
            .filter(|(owner, _, _)| owner == uid)
            .map(|(_, f, t)| ReplicaSetFacts {
                matches_template: t == template,
                ..f.clone()
            })
            .collect();
        sets.sort_by(|a, b| a.name.cmp(&b.name));
        Some(RolloutView::build(facts, &sets))
    }
}

async fn rollout_task(client: Client, ns: String, name: String, tx: mpsc::Sender<ClusterEvent>) {
    if !state(&tx, StreamName::Rollout, WatchState::Connecting).await {
        return;
    }
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let Some(selector) = selector_of(&deployments, &name, StreamName::Rollout, &tx).await else {
        return;
    };
    let probe = deployments.clone();
    let d_stream = watcher(
        deployments,
        watcher::Config::default().fields(&format!("metadata.name={name}")),
    )
    .default_backoff()
    .map(|e| e.map(|d| RolloutChange::Deployment(Box::new(d))));
    let rs_api: Api<WatchedReplicaSet> = Api::namespaced(client, &ns);
    let rs_stream = watcher(rs_api, watcher::Config::default().labels(&selector))
        .default_backoff()
        .map(|e| e.map(|r| RolloutChange::ReplicaSet(Box::new(r))));
    let mut stream = std::pin::pin!(futures::stream::select(d_stream, rs_stream));
    let mut health = Health::new(StreamName::Rollout);
    let mut st = RolloutState::default();
    let mut d_init_seen = false;
    // The view is built and sent at most once per frame interval.
    let mut send_at: Option<Instant> = None;
    let mut tick = tokio::time::interval(PROBE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let ev = tokio::select! {
            ev = stream.next() => match ev { Some(ev) => ev, None => return },
            _ = tokio::time::sleep_until(send_at.unwrap_or_else(Instant::now)), if send_at.is_some() => {
                send_at = None;
                if !health.ok(&tx).await {
                    return;
                }
                let msg = match st.view() {
                    Some(v) => ClusterEvent::Rollout(v),
                    None => ClusterEvent::RolloutMissing,
                };
                if tx.send(msg).await.is_err() {
                    return;
                }
                continue;
            }
            _ = tick.tick(), if health.attempt > 0 && !health.live => {
                if reachable(&probe).await && !health.ok(&tx).await {
                    return;
                }
                continue;
            }
        };
        let mut changed = true;
        match ev {
            Err(e) => {
                if !health.failed(&tx, e.to_string()).await {
                    return;
                }
                continue;
            }
            Ok(RolloutChange::Deployment(e)) => match *e {
                watcher::Event::Init => {
                    d_init_seen = false;
                    changed = false;
                }
                watcher::Event::InitApply(d) | watcher::Event::Apply(d) => {
                    d_init_seen = true;
                    let template = d
                        .spec
                        .as_ref()
                        .map(|s| template_key(&s.template))
                        .unwrap_or_else(|| template_key(&Default::default()));
                    let uid = d.metadata.uid.clone().unwrap_or_default();
                    st.deployment = Some((convert::deployment_facts(&d), template, uid));
                }
                watcher::Event::InitDone => {
                    if !d_init_seen {
                        st.deployment = None;
                    }
                }
                watcher::Event::Delete(_) => st.deployment = None,
            },
            Ok(RolloutChange::ReplicaSet(e)) => match *e {
                watcher::Event::Init => {
                    st.initial_sets.clear();
                    changed = false;
                }
                watcher::Event::InitApply(rs) => {
                    let (k, v) = rs_entry(rs);
                    st.initial_sets.insert(k, v);
                    changed = false;
                }
                watcher::Event::InitDone => st.sets = std::mem::take(&mut st.initial_sets),
                watcher::Event::Apply(rs) => {
                    let (k, v) = rs_entry(rs);
                    st.sets.insert(k, v);
                }
                watcher::Event::Delete(rs) => {
                    st.sets.remove(&rs.facts.name);
                }
            },
        }
        if changed {
            send_at.get_or_insert_with(|| Instant::now() + FRAME);
        }
    }
}

async fn events_task(client: Client, ns: String, name: String, tx: mpsc::Sender<ClusterEvent>) {
    if !state(&tx, StreamName::Events, WatchState::Connecting).await {
        return;
    }
    let api: Api<WatchedEvent> = Api::namespaced(client, &ns);
    let stream = watcher(api.clone(), watcher::Config::default()).default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut health = Health::new(StreamName::Events);
    let mut rows: HashMap<String, EventRow> = HashMap::new();
    let mut initial: HashMap<String, EventRow> = HashMap::new();
    let mut dirty = false;
    let mut flush = tokio::time::interval(EVENTS_FLUSH);
    flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            ev = stream.next() => {
                let Some(ev) = ev else { return };
                let key = |e: &WatchedEvent| e.meta.name.clone().unwrap_or_default();
                match ev {
                    Ok(watcher::Event::Init) => initial.clear(),
                    Ok(watcher::Event::InitApply(e)) => {
                        if e.concerns(&name) {
                            initial.insert(key(&e), e.row);
                        }
                    }
                    Ok(watcher::Event::InitDone) => {
                        rows = std::mem::take(&mut initial);
                        dirty = true;
                        if !health.ok(&tx).await { return; }
                    }
                    Ok(watcher::Event::Apply(e)) => {
                        if e.concerns(&name) {
                            rows.insert(key(&e), e.row);
                            dirty = true;
                        }
                        if !health.ok(&tx).await { return; }
                    }
                    Ok(watcher::Event::Delete(e)) => {
                        dirty |= rows.remove(&key(&e)).is_some();
                    }
                    Err(e) => {
                        if !health.failed(&tx, e.to_string()).await { return; }
                    }
                }
                if rows.len() > MAX_EVENTS * 2 {
                    // Keep the newest; old events are what the pane shows least.
                    let mut v: Vec<(String, EventRow)> = rows.drain().collect();
                    v.sort_by_key(|e| std::cmp::Reverse(e.1.last_seen));
                    v.truncate(MAX_EVENTS);
                    rows = v.into_iter().collect();
                }
            }
            _ = flush.tick() => {
                if health.attempt > 0 && !health.live && reachable(&api).await && !health.ok(&tx).await {
                    return;
                }
                if dirty {
                    dirty = false;
                    let list = summarize_events(rows.values().cloned(), MAX_EVENTS);
                    if tx.send(ClusterEvent::Events(list)).await.is_err() { return; }
                }
            }
        }
    }
}
