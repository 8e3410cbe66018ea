//! Event series, as client-go's new events library writes them for isomorphic repeated
//! events (`staging/src/k8s.io/client-go/tools/events/event_broadcaster.go`):
//!
//! - `recordToSink`: an event is isomorphic to a cached one when its type, action, reason,
//!   reporting controller and instance, `regarding` (the whole object reference, resource
//!   version included) and `related` are the same (`getKey`). The first is created and
//!   cached; the second sets `series: {count: 2, lastObservedTime: now}` on the cached event
//!   and patches it; every later one only counts in the cache (`Series.Count++`, a new
//!   `LastObservedTime`) and writes nothing.
//! - `finishSeries`, every 6 minutes: a series not observed for 6 minutes has its final
//!   count written and leaves the cache; a singleton older than 6 minutes leaves it (the
//!   next isomorphic event starts a new object).
//! - `refreshExistingEventSeries`, every 30 minutes: every cached series is written.
//!
//! The API server serves one object under both APIs, so the core/v1 view carries the same
//! `series` (`pkg/apis/events/v1/conversion.go`), which `kubectl get events` reads for its
//! `COUNT` and `LAST SEEN` (`printEvent`) and `kubectl describe` for `(x4 over 7m)`.
//! The recorder's periods and ages are in simulated seconds, like every delay here.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{Shared, res};

/// `finishTime`: how long a series may go unobserved, and how often that is checked.
pub const FINISH_SECS: f64 = 6.0 * 60.0;
/// `refreshTime`: how often every series is written again.
pub const REFRESH_SECS: f64 = 30.0 * 60.0;

/// One cached event: where it is stored, when it happened, and its series once repeated.
#[derive(Debug, Clone)]
struct Cached {
    namespace: String,
    name: String,
    event_time: DateTime<Utc>,
    series: Option<(i64, DateTime<Utc>)>,
}

/// The recorder's `eventCache` and when its periodic jobs last ran (simulated seconds).
#[derive(Debug, Default)]
pub struct SeriesCache {
    by_key: HashMap<String, Cached>,
    last_finish: Option<f64>,
    last_refresh: Option<f64>,
}

/// What observing an event did.
#[derive(Debug, Clone, PartialEq)]
pub enum Observed {
    /// Not isomorphic to a cached event: create it, then [`SeriesCache::remember`] it.
    New,
    /// The second of its kind: write `series` to the stored event.
    Started {
        namespace: String,
        name: String,
        count: i64,
        last: DateTime<Utc>,
    },
    /// A later one: counted in the cache only.
    Counted,
}

impl SeriesCache {
    /// Observes an event with isomorphic key `key` at `now`.
    pub fn observe(&mut self, key: &str, now: DateTime<Utc>) -> Observed {
        let Some(c) = self.by_key.get_mut(key) else {
            return Observed::New;
        };
        match c.series.as_mut() {
            Some((count, last)) => {
                *count += 1;
                *last = now;
                Observed::Counted
            }
            None => {
                c.series = Some((2, now));
                Observed::Started {
                    namespace: c.namespace.clone(),
                    name: c.name.clone(),
                    count: 2,
                    last: now,
                }
            }
        }
    }

    /// Caches a newly created event.
    pub fn remember(&mut self, key: String, namespace: String, name: String, at: DateTime<Utc>) {
        self.by_key.insert(
            key,
            Cached {
                namespace,
                name,
                event_time: at,
                series: None,
            },
        );
    }

    /// Forgets an event (its object is gone).
    pub fn forget(&mut self, key: &str) {
        self.by_key.remove(key);
    }
}

/// The isomorphic key of a new-style event (`getKey`): type, action, reason, reporting
/// controller and instance, and the `regarding` reference as a whole.
pub fn isomorphic_key(
    kind: &str,
    action: &str,
    reason: &str,
    controller: &str,
    instance: &str,
    regarding: &serde_json::Value,
) -> String {
    [
        kind,
        action,
        reason,
        controller,
        instance,
        &regarding.to_string(),
    ]
    .join("\u{0}")
}

/// Writes `series` to a stored new-style event and its core/v1 view; false when it is gone.
pub fn write_series(
    shared: &Shared,
    ns: &str,
    name: &str,
    count: i64,
    last: DateTime<Utc>,
) -> bool {
    let series = json!({
        "count": count,
        "lastObservedTime": last.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    });
    let mut written = false;
    for r in [res("events.k8s.io", "events"), res("", "events")] {
        if let Some(ev) = shared.store.get(r, ns, name) {
            let mut ev = (*ev).clone();
            ev["series"] = series.clone();
            written |= shared.store.update(r, ev, None).is_ok();
        }
    }
    written
}

/// `finishSeries` at `now`: series unobserved for [`FINISH_SECS`] get their final count
/// written and leave the cache, as do singletons that old.
pub fn finish_series(shared: &Shared, now: DateTime<Utc>) {
    let speed = shared.clock.speed();
    let old =
        |t: DateTime<Utc>| (now - t).num_milliseconds() as f64 / 1000.0 * speed >= FINISH_SECS;
    let mut done = Vec::new();
    {
        let mut cache = lock_cache(shared);
        cache.by_key.retain(|_, c| match c.series {
            Some((count, last)) if old(last) => {
                done.push((c.namespace.clone(), c.name.clone(), count, last));
                false
            }
            Some(_) => true,
            None => !old(c.event_time),
        });
    }
    for (ns, name, count, last) in done {
        write_series(shared, &ns, &name, count, last);
    }
}

/// `refreshExistingEventSeries`: every cached series is written again.
pub fn refresh_series(shared: &Shared) {
    let series: Vec<(String, String, i64, DateTime<Utc>)> = {
        let cache = lock_cache(shared);
        cache
            .by_key
            .values()
            .filter_map(|c| {
                c.series
                    .map(|(count, last)| (c.namespace.clone(), c.name.clone(), count, last))
            })
            .collect()
    };
    for (ns, name, count, last) in series {
        write_series(shared, &ns, &name, count, last);
    }
}

/// Runs [`finish_series`] every [`FINISH_SECS`] and [`refresh_series`] every
/// [`REFRESH_SECS`] of simulated time (the first run of each at once, as `wait.Until`).
pub fn sweep(shared: &Shared) {
    let elapsed = shared.clock.elapsed_secs();
    let (finish, refresh) = {
        let mut cache = lock_cache(shared);
        let due = |last: &mut Option<f64>, every: f64| {
            let due = last.is_none_or(|l| elapsed - l >= every);
            if due {
                *last = Some(elapsed);
            }
            due
        };
        let finish = due(&mut cache.last_finish, FINISH_SECS);
        let refresh = due(&mut cache.last_refresh, REFRESH_SECS);
        (finish, refresh)
    };
    if refresh {
        refresh_series(shared);
    }
    if finish {
        finish_series(shared, shared.clock.now());
    }
}

/// The recorder's cache of isomorphic events (one lock of its own, apart from the
/// legacy recorder's `EventLog`).
pub(crate) fn lock_cache(shared: &Shared) -> std::sync::MutexGuard<'_, SeriesCache> {
    shared
        .event_series
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}
