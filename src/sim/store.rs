//! The object store: type-agnostic JSON objects keyed by resource, namespace and name, one
//! global `resourceVersion` counter, and a bounded per-resource event history that lets a
//! watch resume from a recent resource version (older ones get `410 Gone`).
//!
//! Objects are kept as `Arc<Value>` shared between the store and in-flight responses, so a
//! list of 10,000 pods clones pointers, not documents. Each change is serialized once; the
//! history keeps only those bytes (a pod is ≈ 1.8 KiB as JSON, ≈ 20 KiB as a `Value`), and
//! watches write them as they are.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::broadcast;

use super::discovery::ResourceInfo;
use super::status::ApiError;

/// `(namespace, name)`; the namespace is empty for cluster-scoped objects.
pub type ObjKey = (String, String);

/// Kind of change a watch event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    /// The wire name (`ADDED`, `MODIFIED`, `DELETED`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change to one object.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// The resource version the change produced.
    pub rv: u64,
    pub kind: EventType,
    pub resource: &'static ResourceInfo,
    pub namespace: String,
    /// The object after the change (before it, for deletions, with the deletion's version).
    pub object: Arc<Value>,
    /// The object before a modification (watches with selectors need it to turn a change
    /// that leaves the selection into a `DELETED`).
    pub previous: Option<Arc<Value>>,
    /// `object` serialized.
    pub json: Arc<[u8]>,
}

/// One change as kept in the history: serialized, for watch resume.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub rv: u64,
    pub kind: EventType,
    pub namespace: String,
    /// The object after the change, serialized.
    pub json: Arc<[u8]>,
    /// The object before a modification, serialized.
    pub previous: Option<Arc<[u8]>>,
}

#[derive(Default)]
struct Collection {
    objects: BTreeMap<ObjKey, Arc<Value>>,
    history: VecDeque<HistoryEntry>,
    /// Every event with a resource version above this is still in `history`.
    floor: u64,
}

struct Inner {
    rv: u64,
    collections: HashMap<(&'static str, &'static str), Collection>,
}

/// The object store.
pub struct Store {
    inner: Mutex<Inner>,
    tx: broadcast::Sender<Arc<StoredEvent>>,
    history_limit: usize,
}

/// The start of a watch: history to replay, the live receiver, and the store's version.
pub type WatchStart = (
    Vec<HistoryEntry>,
    broadcast::Receiver<Arc<StoredEvent>>,
    u64,
);

/// Capacity of the broadcast channel feeding watches; a watch that falls this far behind
/// is closed and resumes from its last resource version.
const BROADCAST_CAPACITY: usize = 65_536;

fn coll_key(res: &ResourceInfo) -> (&'static str, &'static str) {
    (res.group, res.plural)
}

fn obj_rv(v: &Value) -> Option<u64> {
    v.get("metadata")?
        .get("resourceVersion")?
        .as_str()?
        .parse()
        .ok()
}

fn set_rv(v: &mut Value, rv: u64) {
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
    }
}

/// `(namespace, name)` of an object.
pub fn key_of(v: &Value) -> ObjKey {
    let meta = v.get("metadata");
    let s = |k: &str| {
        meta.and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (s("namespace"), s("name"))
}

impl Store {
    /// An empty store keeping up to `history_limit` events per resource for watch resume.
    pub fn new(history_limit: usize) -> Self {
        let (tx, _) = broadcast::channel(BROADCAST_CAPACITY);
        Self {
            inner: Mutex::new(Inner {
                rv: 1,
                collections: HashMap::new(),
            }),
            tx,
            history_limit: history_limit.max(16),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave an object half-written (every write is
        // a single insert), so a poisoned lock is still consistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The latest resource version handed out.
    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    /// One object.
    pub fn get(&self, res: &ResourceInfo, ns: &str, name: &str) -> Option<Arc<Value>> {
        let inner = self.lock();
        inner
            .collections
            .get(&coll_key(res))?
            .objects
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    /// All objects of a resource (in one namespace, or all when `ns` is `None`) sorted by
    /// namespace and name, with the store's resource version.
    pub fn list(&self, res: &ResourceInfo, ns: Option<&str>) -> (u64, Vec<Arc<Value>>) {
        let inner = self.lock();
        let rv = inner.rv;
        let Some(c) = inner.collections.get(&coll_key(res)) else {
            return (rv, Vec::new());
        };
        let items = match ns {
            Some(ns) => c
                .objects
                .range((ns.to_string(), String::new())..)
                .take_while(|((n, _), _)| n == ns)
                .map(|(_, v)| v.clone())
                .collect(),
            None => c.objects.values().cloned().collect(),
        };
        (rv, items)
    }

    /// Like [`Store::list`], but only the objects after `after` (a `continue` position).
    pub fn list_after(
        &self,
        res: &ResourceInfo,
        ns: Option<&str>,
        after: &ObjKey,
    ) -> (u64, Vec<Arc<Value>>) {
        use std::ops::Bound::{Excluded, Unbounded};
        let inner = self.lock();
        let rv = inner.rv;
        let Some(c) = inner.collections.get(&coll_key(res)) else {
            return (rv, Vec::new());
        };
        let items = c
            .objects
            .range::<ObjKey, _>((Excluded(after), Unbounded))
            .take_while(|((n, _), _)| ns.is_none_or(|ns| n == ns))
            .map(|(_, v)| v.clone())
            .collect();
        (rv, items)
    }

    /// Number of objects of a resource.
    pub fn count(&self, res: &ResourceInfo) -> usize {
        self.lock()
            .collections
            .get(&coll_key(res))
            .map_or(0, |c| c.objects.len())
    }

    /// Stores `obj` under a new resource version and records the event: `Added` when
    /// there was no `previous` object, else `Modified`.
    fn store(
        &self,
        inner: &mut Inner,
        res: &'static ResourceInfo,
        key: (String, String),
        mut obj: Value,
        previous: Option<Arc<Value>>,
    ) -> Arc<Value> {
        inner.rv += 1;
        let rv = inner.rv;
        set_rv(&mut obj, rv);
        let obj = Arc::new(obj);
        inner
            .collections
            .entry(coll_key(res))
            .or_default()
            .objects
            .insert(key, obj.clone());
        let kind = if previous.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        self.record(inner, res, kind, obj.clone(), previous, rv);
        obj
    }

    fn record(
        &self,
        inner: &mut Inner,
        res: &'static ResourceInfo,
        kind: EventType,
        obj: Arc<Value>,
        previous: Option<Arc<Value>>,
        rv: u64,
    ) {
        let (namespace, _) = key_of(&obj);
        let json: Arc<[u8]> = serde_json::to_vec(&*obj).unwrap_or_default().into();
        let prev_json: Option<Arc<[u8]>> = previous
            .as_ref()
            .map(|p| serde_json::to_vec(&**p).unwrap_or_default().into());
        let entry = HistoryEntry {
            rv,
            kind,
            namespace: namespace.clone(),
            json: json.clone(),
            previous: prev_json,
        };
        let ev = Arc::new(StoredEvent {
            rv,
            kind,
            resource: res,
            namespace,
            object: obj,
            previous,
            json,
        });
        let limit = self.history_limit;
        let c = inner.collections.entry(coll_key(res)).or_default();
        c.history.push_back(entry);
        while c.history.len() > limit {
            if let Some(old) = c.history.pop_front() {
                c.floor = old.rv;
            }
        }
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(ev);
    }

    /// Inserts a new object, assigning its resource version.
    pub fn create(&self, res: &'static ResourceInfo, obj: Value) -> Result<Arc<Value>, ApiError> {
        let key = key_of(&obj);
        let mut inner = self.lock();
        let exists = inner
            .collections
            .get(&coll_key(res))
            .is_some_and(|c| c.objects.contains_key(&key));
        if exists {
            return Err(ApiError::AlreadyExists {
                qualified: res.qualified(),
                plural: res.plural.into(),
                group: res.group.into(),
                name: key.1,
            });
        }
        Ok(self.store(&mut inner, res, key, obj, None))
    }

    /// Replaces an existing object. With `expect_rv`, fails with 409 unless the stored
    /// object still has that resource version.
    pub fn update(
        &self,
        res: &'static ResourceInfo,
        obj: Value,
        expect_rv: Option<u64>,
    ) -> Result<Arc<Value>, ApiError> {
        let key = key_of(&obj);
        let mut inner = self.lock();
        let current = inner
            .collections
            .get(&coll_key(res))
            .and_then(|c| c.objects.get(&key))
            .cloned();
        let Some(current) = current else {
            return Err(not_found(res, &key.1));
        };
        if let Some(expect) = expect_rv
            && obj_rv(&current) != Some(expect)
        {
            return Err(ApiError::Conflict {
                qualified: res.qualified(),
                plural: res.plural.into(),
                group: res.group.into(),
                name: key.1,
            });
        }
        Ok(self.store(&mut inner, res, key, obj, Some(current)))
    }

    /// Removes an object, returning it as it was (with the deletion's resource version).
    pub fn delete(
        &self,
        res: &'static ResourceInfo,
        ns: &str,
        name: &str,
    ) -> Result<Arc<Value>, ApiError> {
        let key = (ns.to_string(), name.to_string());
        let mut inner = self.lock();
        let removed = inner
            .collections
            .get_mut(&coll_key(res))
            .and_then(|c| c.objects.remove(&key));
        let Some(removed) = removed else {
            return Err(not_found(res, name));
        };
        inner.rv += 1;
        let rv = inner.rv;
        let mut obj = (*removed).clone();
        set_rv(&mut obj, rv);
        let obj = Arc::new(obj);
        self.record(&mut inner, res, EventType::Deleted, obj.clone(), None, rv);
        Ok(obj)
    }

    /// Starts a watch: the events after `from_rv` still in history (410 when it is older
    /// than the history), and a receiver for everything after. Both are taken under one
    /// lock, so nothing is missed or repeated. `from_rv == None` replays nothing.
    pub fn watch(&self, res: &ResourceInfo, from_rv: Option<u64>) -> Result<WatchStart, ApiError> {
        let inner = self.lock();
        let rx = self.tx.subscribe();
        let mut replay = Vec::new();
        if let Some(from) = from_rv {
            if let Some(c) = inner.collections.get(&coll_key(res)) {
                if from < c.floor {
                    return Err(ApiError::Gone {
                        requested: from,
                        oldest: c.floor + 1,
                    });
                }
                let start = c.history.partition_point(|e| e.rv <= from);
                replay.extend(c.history.iter().skip(start).cloned());
            } else if from > inner.rv {
                // Unknown future version: like the real server, wait for it.
            }
        }
        Ok((replay, rx, inner.rv))
    }

    /// The oldest resource version a watch of `res` can still resume from.
    pub fn history_floor(&self, res: &ResourceInfo) -> u64 {
        self.lock()
            .collections
            .get(&coll_key(res))
            .map_or(0, |c| c.floor)
    }

    /// Drops the history of every resource (fault injection: every resume now gets 410).
    pub fn compact(&self) {
        let mut inner = self.lock();
        // Compact at a fresh revision, so that every watcher's version — even one a
        // bookmark brought up to date — is now too old, while a list taken after this
        // returns a version watches may resume from.
        inner.rv += 1;
        let rv = inner.rv;
        for c in inner.collections.values_mut() {
            c.history.clear();
            c.floor = rv;
        }
    }
}

/// The 404 for `name` of `res`.
pub fn not_found(res: &ResourceInfo, name: &str) -> ApiError {
    ApiError::NotFound {
        qualified: res.qualified(),
        plural: res.plural.into(),
        group: res.group.into(),
        name: name.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::discovery;
    use serde_json::json;

    fn pods() -> &'static ResourceInfo {
        discovery::find("", "v1", "pods").expect("pods")
    }

    fn pod(name: &str) -> Value {
        json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": name, "namespace": "default"}})
    }

    #[test]
    fn versions_increase_and_conflicts_are_detected() {
        let s = Store::new(100);
        let a = s.create(pods(), pod("a")).expect("create");
        let rv = obj_rv(&a).expect("rv");
        let b = s.update(pods(), pod("a"), Some(rv)).expect("update");
        assert!(obj_rv(&b) > Some(rv));
        let err = s.update(pods(), pod("a"), Some(rv)).expect_err("stale");
        assert_eq!(err.code(), 409);
        assert_eq!(s.create(pods(), pod("a")).expect_err("dup").code(), 409);
    }

    #[test]
    fn watch_resumes_from_history_and_expires_beyond_it() {
        let s = Store::new(16);
        let first = s.create(pods(), pod("p0")).expect("create");
        let rv0 = obj_rv(&first).expect("rv");
        for i in 1..10 {
            s.create(pods(), pod(&format!("p{i}"))).expect("create");
        }
        let (replay, _, _) = s.watch(pods(), Some(rv0)).expect("resume");
        assert_eq!(replay.len(), 9);
        for i in 10..40 {
            s.create(pods(), pod(&format!("p{i}"))).expect("create");
        }
        let err = s.watch(pods(), Some(rv0)).expect_err("too old");
        assert_eq!(err.code(), 410);
        assert_eq!(s.list(pods(), Some("default")).1.len(), 40);
    }
}
