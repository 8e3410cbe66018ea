//! Watchers of the target workload: pods (by the Deployment's selector), the Deployment
//! and its ReplicaSets, and their events. kube-runtime's `watcher` lists, watches,
//! resumes dropped watches from the last resource version and re-lists after `410 Gone`;
//! `default_backoff` spaces retries. Every object is converted to its slim row on arrival
//! and sent as a [`ClusterEvent`] over a bounded channel; errors are sent as
//! [`WatchState::Reconnecting`] so that panes show their data as stale.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event, Pod, PodTemplateSpec};
use kube::Client;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::convert;
use crate::domain::cluster::{
    ClusterEvent, DeploymentFacts, EventRow, ReplicaSetFacts, RolloutView, Stream as StreamName,
    Target, WatchState, summarize_events,
};

/// Events kept for the Events pane.
pub const MAX_EVENTS: usize = 200;
/// How often a changed event list is sent at most.
const EVENTS_FLUSH: Duration = Duration::from_millis(250);

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
        tokio::spawn(events_task(client, ns, name, tx)),
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
    let api: Api<Pod> = Api::namespaced(client, &ns);
    let stream =
        watcher(api.clone(), watcher::Config::default().labels(&selector)).default_backoff();
    pump_pods(stream, Some(api), tx).await;
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

/// Turns a pod watch stream into messages. With `probe`, a failed stream is marked live
/// again as soon as the server answers a list (public for the benchmark, which feeds it).
pub async fn pump_pods<S>(stream: S, probe: Option<Api<Pod>>, tx: mpsc::Sender<ClusterEvent>)
where
    S: Stream<Item = Result<watcher::Event<Pod>, watcher::Error>>,
{
    let mut stream = std::pin::pin!(stream);
    let mut health = Health::new(StreamName::Pods);
    let mut initial: Vec<crate::domain::cluster::PodRow> = Vec::new();
    let mut tick = tokio::time::interval(PROBE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let ev = tokio::select! {
            ev = stream.next() => match ev { Some(ev) => ev, None => return },
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
                initial.clear();
                true
            }
            Ok(watcher::Event::InitApply(p)) => {
                initial.push(convert::pod_row(&p));
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
                health.ok(&tx).await
                    && tx
                        .send(ClusterEvent::PodUpserted(convert::pod_row(&p)))
                        .await
                        .is_ok()
            }
            Ok(watcher::Event::Delete(p)) => {
                health.ok(&tx).await
                    && tx
                        .send(ClusterEvent::PodDeleted(
                            p.metadata.name.unwrap_or_default(),
                        ))
                        .await
                        .is_ok()
            }
            Err(e) => health.failed(&tx, e.to_string()).await,
        };
        if !sent {
            return;
        }
    }
}

enum RolloutChange {
    Deployment(watcher::Event<Deployment>),
    ReplicaSet(watcher::Event<ReplicaSet>),
}

#[derive(Default)]
struct RolloutState {
    deployment: Option<(DeploymentFacts, PodTemplateSpec, String)>,
    /// ReplicaSet name → (controller uid, facts without `matches_template`, template).
    sets: HashMap<String, (String, ReplicaSetFacts, PodTemplateSpec)>,
    initial_sets: HashMap<String, (String, ReplicaSetFacts, PodTemplateSpec)>,
}

fn rs_entry(rs: &ReplicaSet) -> (String, (String, ReplicaSetFacts, PodTemplateSpec)) {
    let owner = rs
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .map(|o| o.uid.clone())
        .unwrap_or_default();
    let template = rs
        .spec
        .as_ref()
        .and_then(|s| s.template.clone())
        .unwrap_or_default();
    (
        rs.metadata.name.clone().unwrap_or_default(),
        (owner, convert::replica_set_facts(rs, None), template),
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
                matches_template: convert::equal_ignore_hash(t, template),
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
    .map(|e| e.map(RolloutChange::Deployment));
    let rs_api: Api<ReplicaSet> = Api::namespaced(client, &ns);
    let rs_stream = watcher(rs_api, watcher::Config::default().labels(&selector))
        .default_backoff()
        .map(|e| e.map(RolloutChange::ReplicaSet));
    let mut stream = std::pin::pin!(futures::stream::select(d_stream, rs_stream));
    let mut health = Health::new(StreamName::Rollout);
    let mut st = RolloutState::default();
    let mut d_init_seen = false;
    let mut tick = tokio::time::interval(PROBE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let ev = tokio::select! {
            ev = stream.next() => match ev { Some(ev) => ev, None => return },
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
            Ok(RolloutChange::Deployment(e)) => match e {
                watcher::Event::Init => {
                    d_init_seen = false;
                    changed = false;
                }
                watcher::Event::InitApply(d) | watcher::Event::Apply(d) => {
                    d_init_seen = true;
                    let template = d
                        .spec
                        .as_ref()
                        .map(|s| s.template.clone())
                        .unwrap_or_default();
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
            Ok(RolloutChange::ReplicaSet(e)) => match e {
                watcher::Event::Init => {
                    st.initial_sets.clear();
                    changed = false;
                }
                watcher::Event::InitApply(rs) => {
                    let (k, v) = rs_entry(&rs);
                    st.initial_sets.insert(k, v);
                    changed = false;
                }
                watcher::Event::InitDone => st.sets = std::mem::take(&mut st.initial_sets),
                watcher::Event::Apply(rs) => {
                    let (k, v) = rs_entry(&rs);
                    st.sets.insert(k, v);
                }
                watcher::Event::Delete(rs) => {
                    st.sets
                        .remove(rs.metadata.name.as_deref().unwrap_or_default());
                }
            },
        }
        if !changed {
            continue;
        }
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
    }
}

async fn events_task(client: Client, ns: String, name: String, tx: mpsc::Sender<ClusterEvent>) {
    if !state(&tx, StreamName::Events, WatchState::Connecting).await {
        return;
    }
    let api: Api<Event> = Api::namespaced(client, &ns);
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
                let key = |e: &Event| e.metadata.name.clone().unwrap_or_default();
                match ev {
                    Ok(watcher::Event::Init) => initial.clear(),
                    Ok(watcher::Event::InitApply(e)) => {
                        if convert::event_concerns(&e, &name) {
                            initial.insert(key(&e), convert::event_row(&e));
                        }
                    }
                    Ok(watcher::Event::InitDone) => {
                        rows = std::mem::take(&mut initial);
                        dirty = true;
                        if !health.ok(&tx).await { return; }
                    }
                    Ok(watcher::Event::Apply(e)) => {
                        if convert::event_concerns(&e, &name) {
                            rows.insert(key(&e), convert::event_row(&e));
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
