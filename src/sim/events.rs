//! The event recorder: how the simulated control plane and kubelets write `Event`s, as
//! Kubernetes 1.32 does.
//!
//! - Controllers and kubelets use client-go's legacy recorder
//!   (`staging/src/k8s.io/client-go/tools/record/event.go`, `makeEvent`): a core/v1 `Event`
//!   named `<object>.<hex UnixNano>`, `source` `{component, host}`, `firstTimestamp` =
//!   `lastTimestamp`, `count: 1`, `reportingComponent`/`reportingInstance` copied from the
//!   source.
//! - Identical events (same source, object, `fieldPath`, type, reason and message) are
//!   aggregated by the correlator's event logger
//!   (`tools/record/events_cache.go`, `eventLogger.eventObserve`): the first event is
//!   updated in place with `count + 1` and a new `lastTimestamp`, so a crash loop is one
//!   `BackOff` "x7 over 9m", not seven objects. The cache is an LRU of 4,096 keys there; here
//!   it is forgotten whole when it reaches that size.
//! - The scheduler uses the new events library (`tools/events/recorder.go`): an
//!   `events.k8s.io/v1` event with `eventTime`, `action`, `reportingController` and
//!   `reportingInstance`, and no `source`, `firstTimestamp`, `lastTimestamp` or `count`.
//!
//! Every core event has its `events.k8s.io/v1` twin (the real API server serves one object
//! under both APIs; the simulator stores two): `regarding`, `note`, the `deprecated*`
//! fields, and `series` for new-style events seen more than once (`sim/event_series.rs`).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::event_series::{self, Observed};
use super::{Shared, res};

/// Kubernetes `Event` types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Normal,
    Warning,
}

impl EventKind {
    fn as_str(self) -> &'static str {
        match self {
            EventKind::Normal => "Normal",
            EventKind::Warning => "Warning",
        }
    }
}

/// Who reports an event: `source.component` and `source.host` (the node, for kubelets).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub component: &'a str,
    pub host: &'a str,
}

impl<'a> Source<'a> {
    /// A control-plane component (no host).
    pub fn controller(component: &'a str) -> Self {
        Self {
            component,
            host: "",
        }
    }
}

/// Size at which the aggregation cache is forgotten (client-go's `maxLruCacheEntries`).
const CACHE_ENTRIES: usize = 4096;

/// What the recorder remembers between events.
#[derive(Debug, Default)]
pub struct EventLog {
    /// The last name suffix used per object (Unix nanoseconds), so that one object's
    /// event names stay unique and in order even when the simulated clock has not moved.
    last_nanos: HashMap<String, i64>,
    /// Aggregation key → `(namespace, name)` of the event it updates.
    by_key: HashMap<String, (String, String)>,
}

/// Records a legacy (core/v1) event about `obj` from a control-plane component.
pub fn record_event(
    shared: &Shared,
    obj: &Value,
    kind: EventKind,
    reason: &str,
    message: &str,
    component: &str,
) {
    record(
        shared,
        obj,
        None,
        kind,
        reason,
        message,
        Source::controller(component),
    );
}

/// Records a kubelet event about one container of a pod (`involvedObject.fieldPath`
/// `spec.containers{NAME}`, `source.host` the pod's node).
pub fn record_container_event(
    shared: &Shared,
    pod: &Value,
    container: &str,
    kind: EventKind,
    reason: &str,
    message: &str,
) {
    let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
    let field_path = format!("spec.containers{{{container}}}");
    record(
        shared,
        pod,
        Some(&field_path),
        kind,
        reason,
        message,
        Source {
            component: "kubelet",
            host: node,
        },
    );
}

/// The object reference an event is about.
fn involved(obj: &Value, field_path: Option<&str>) -> Value {
    let meta = &obj["metadata"];
    let mut r = json!({
        "kind": obj["kind"], "namespace": meta["namespace"], "name": meta["name"],
        "uid": meta["uid"], "apiVersion": obj["apiVersion"],
        "resourceVersion": meta["resourceVersion"],
    });
    if let Some(p) = field_path {
        r["fieldPath"] = json!(p);
    }
    r
}

fn namespace_of(obj: &Value) -> String {
    obj["metadata"]["namespace"]
        .as_str()
        .filter(|n| !n.is_empty())
        .unwrap_or("default")
        .to_string()
}

/// The next event name for `object`: `<object>.<hex UnixNano>`, strictly increasing per
/// object.
fn next_name(shared: &Shared, log: &mut EventLog, object: &str) -> String {
    let now = shared.clock.now().timestamp_nanos_opt().unwrap_or_default();
    if log.last_nanos.len() >= CACHE_ENTRIES {
        log.last_nanos.clear();
    }
    let last = log.last_nanos.entry(object.to_string()).or_insert(i64::MIN);
    let nanos = now.max(last.saturating_add(1));
    *last = nanos;
    format!("{object}.{nanos:x}")
}

pub(crate) fn lock_log(shared: &Shared) -> std::sync::MutexGuard<'_, EventLog> {
    shared.event_log.lock().unwrap_or_else(|p| p.into_inner())
}

/// Records (or aggregates) a legacy event.
fn record(
    shared: &Shared,
    obj: &Value,
    field_path: Option<&str>,
    kind: EventKind,
    reason: &str,
    message: &str,
    source: Source<'_>,
) {
    let reference = involved(obj, field_path);
    let key = [
        source.component,
        source.host,
        reference["kind"].as_str().unwrap_or_default(),
        reference["namespace"].as_str().unwrap_or_default(),
        reference["name"].as_str().unwrap_or_default(),
        reference["uid"].as_str().unwrap_or_default(),
        reference["apiVersion"].as_str().unwrap_or_default(),
        field_path.unwrap_or_default(),
        kind.as_str(),
        reason,
        message,
    ]
    .join("\u{0}");
    let now = shared.clock.now_rfc3339();
    let mut log = lock_log(shared);
    if let Some((ns, name)) = log.by_key.get(&key).cloned()
        && aggregate(shared, &ns, &name, &now)
    {
        return;
    }
    if !shared.take_event_budget() {
        return;
    }
    let ns = namespace_of(obj);
    let object = obj["metadata"]["name"].as_str().unwrap_or_default();
    let name = next_name(shared, &mut log, object);
    if log.by_key.len() >= CACHE_ENTRIES {
        log.by_key.clear();
    }
    log.by_key.insert(key, (ns.clone(), name.clone()));
    drop(log);
    let core = json!({
        "kind": "Event", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": ns},
        "involvedObject": reference,
        "reason": reason, "message": message, "type": kind.as_str(),
        "source": source_json(source),
        "firstTimestamp": now, "lastTimestamp": now, "count": 1,
        "eventTime": null, "reportingComponent": source.component,
        "reportingInstance": source.host,
    });
    create(shared, res("", "events"), &ns, core);
    let modern = json!({
        "kind": "Event", "apiVersion": "events.k8s.io/v1",
        "metadata": {"name": name, "namespace": ns},
        "regarding": reference, "note": message, "reason": reason, "type": kind.as_str(),
        "eventTime": null, "reportingController": source.component,
        "reportingInstance": source.host,
        "deprecatedSource": source_json(source),
        "deprecatedFirstTimestamp": now, "deprecatedLastTimestamp": now, "deprecatedCount": 1,
    });
    create(shared, res("events.k8s.io", "events"), &ns, modern);
}

fn source_json(source: Source<'_>) -> Value {
    if source.host.is_empty() {
        json!({"component": source.component})
    } else {
        json!({"component": source.component, "host": source.host})
    }
}

fn create(shared: &Shared, r: &'static super::discovery::ResourceInfo, ns: &str, obj: Value) {
    if let Ok(o) = shared.prepare_create(r, ns, obj) {
        let _ = shared.store.create(r, o);
    }
}

/// Bumps `count` and `lastTimestamp` of an existing event (and its twin); false when it
/// is gone (expired), so that a new one is created.
fn aggregate(shared: &Shared, ns: &str, name: &str, now: &str) -> bool {
    let core_res = res("", "events");
    let Some(ev) = shared.store.get(core_res, ns, name) else {
        return false;
    };
    let count = ev["count"].as_i64().unwrap_or(1) + 1;
    let mut updated = (*ev).clone();
    updated["count"] = json!(count);
    updated["lastTimestamp"] = json!(now);
    if shared.store.update(core_res, updated, None).is_err() {
        return false;
    }
    let modern_res = res("events.k8s.io", "events");
    if let Some(m) = shared.store.get(modern_res, ns, name) {
        let mut m = (*m).clone();
        m["deprecatedCount"] = json!(count);
        m["deprecatedLastTimestamp"] = json!(now);
        let _ = shared.store.update(modern_res, m, None);
    }
    true
}

/// A new-style event: what happened (`reason`, `action`, `message`) and who reports it.
#[derive(Debug, Clone, Copy)]
pub struct NewStyleEvent<'a> {
    pub kind: EventKind,
    pub reason: &'a str,
    pub action: &'a str,
    pub message: &'a str,
    pub controller: &'a str,
    pub instance: &'a str,
}

/// Records a new-style (`events.k8s.io/v1`) event, as the scheduler does: `action`,
/// `reportingController`, `reportingInstance` and a microsecond `eventTime`; its core/v1
/// view has no `source`, `firstTimestamp`, `lastTimestamp` or `count`.
pub fn record_new_style(shared: &Shared, obj: &Value, ev: &NewStyleEvent<'_>) {
    let NewStyleEvent {
        kind,
        reason,
        action,
        message,
        controller,
        instance,
    } = *ev;
    let reference = involved(obj, None);
    let at = shared.clock.now();
    let key = event_series::isomorphic_key(
        kind.as_str(),
        action,
        reason,
        controller,
        instance,
        &reference,
    );
    let observed = event_series::lock_cache(shared).observe(&key, at);
    match observed {
        Observed::Counted => return,
        Observed::Started {
            namespace,
            name,
            count,
            last,
        } => {
            if event_series::write_series(shared, &namespace, &name, count, last) {
                return;
            }
            // Gone (expired): recorded afresh.
            event_series::lock_cache(shared).forget(&key);
        }
        Observed::New => {}
    }
    if !shared.take_event_budget() {
        return;
    }
    let ns = namespace_of(obj);
    let object = obj["metadata"]["name"].as_str().unwrap_or_default();
    let name = {
        let mut log = lock_log(shared);
        let name = next_name(shared, &mut log, object);
        event_series::lock_cache(shared).remember(key, ns.clone(), name.clone(), at);
        name
    };
    let time = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let core = json!({
        "kind": "Event", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": ns},
        "involvedObject": reference,
        "reason": reason, "message": message, "type": kind.as_str(),
        "source": {}, "firstTimestamp": null, "lastTimestamp": null,
        "eventTime": time, "action": action,
        "reportingComponent": controller, "reportingInstance": instance,
    });
    create(shared, res("", "events"), &ns, core);
    let modern = json!({
        "kind": "Event", "apiVersion": "events.k8s.io/v1",
        "metadata": {"name": name, "namespace": ns},
        "regarding": reference, "note": message, "reason": reason, "type": kind.as_str(),
        "eventTime": time, "action": action,
        "reportingController": controller, "reportingInstance": instance,
    });
    create(shared, res("events.k8s.io", "events"), &ns, modern);
}

/// Formats a duration as Go's `time.Duration.String()` does for whole milliseconds
/// (`812ms`, `1.5s`, `1m20s`, `5m0s`), as kubelet messages print durations.
pub fn go_duration(ms: u64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let total_secs = ms / 1000;
    let frac = ms % 1000;
    let secs_text = |s: u64| {
        if frac == 0 {
            format!("{s}s")
        } else {
            let f = format!("{frac:03}");
            format!("{s}.{}s", f.trim_end_matches('0'))
        }
    };
    if total_secs < 60 {
        return secs_text(total_secs);
    }
    let (h, m, s) = (total_secs / 3600, (total_secs / 60) % 60, total_secs % 60);
    if h > 0 {
        format!("{h}h{m}m{}", secs_text(s))
    } else {
        format!("{m}m{}", secs_text(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's `time.Duration.String()` (src/time/time.go).
    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(812), "812ms");
        assert_eq!(go_duration(1500), "1.5s");
        assert_eq!(go_duration(1234), "1.234s");
        assert_eq!(go_duration(10_000), "10s");
        assert_eq!(go_duration(80_000), "1m20s");
        assert_eq!(go_duration(300_000), "5m0s");
        assert_eq!(go_duration(3_723_000), "1h2m3s");
    }
}
