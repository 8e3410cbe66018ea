//! Server-side printing: the `meta.k8s.io/v1` `Table` kubectl asks for with
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, with the columns the real API
//! server prints for each kind (wide columns at priority 1).

pub mod cells;
pub mod columns;

use serde_json::{Value, json};

pub use cells::{cells, pod_status};
pub use columns::columns;

use crate::sim::clock::SimClock;
use crate::sim::discovery::ResourceInfo;

/// What each row carries in its `object` field (`includeObject=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncludeObject {
    None,
    #[default]
    Metadata,
    Object,
}

impl IncludeObject {
    /// Parses the query parameter; the default is `Metadata`, like the real server.
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

/// Whether an `Accept` header asks for a Table.
pub fn wants_table(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=Table"))
}

/// One row.
pub fn row(res: &ResourceInfo, obj: &Value, clock: &SimClock, include: IncludeObject) -> Value {
    let mut r = json!({"cells": cells(res, obj, clock)});
    match include {
        IncludeObject::None => {}
        IncludeObject::Metadata => {
            r["object"] = json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": obj.get("metadata").cloned().unwrap_or_else(|| json!({})),
            });
        }
        IncludeObject::Object => {
            r["object"] = obj.clone();
        }
    }
    r
}

/// A whole Table.
pub fn table(
    res: &ResourceInfo,
    items: &[&Value],
    meta: Value,
    clock: &SimClock,
    include: IncludeObject,
) -> Value {
    let rows: Vec<Value> = items.iter().map(|o| row(res, o, clock, include)).collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": columns(res),
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_header_detection() {
        assert!(wants_table(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
        ));
        assert!(!wants_table("application/json"));
    }
}
