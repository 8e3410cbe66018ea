//! The query parameters of a resource request (`labelSelector`, `limit`, `continue`,
//! `resourceVersion`, `watch`, `dryRun`, `gracePeriodSeconds`, …), parsed and validated
//! once for every verb.

use std::collections::HashMap;

use serde_json::Value;

use super::selectors::{FieldSelector, LabelSelector};
use super::status::ApiError;
use super::table::IncludeObject;

/// Query parameters of a resource request.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pub label: LabelSelector,
    pub field: FieldSelector,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
    pub resource_version: Option<String>,
    pub watch: bool,
    pub bookmarks: bool,
    pub timeout_secs: Option<u64>,
    pub dry_run: bool,
    pub include: IncludeObject,
    pub grace_period: Option<i64>,
    pub propagation: Option<String>,
    pub send_initial_events: bool,
    pub raw: HashMap<String, String>,
    /// The manager of a write that is not an apply (`sim/apply/updates.rs`), set by the
    /// handler from `fieldManager` or the User-Agent; `None` records no `Update` entry.
    pub update_manager: Option<String>,
}

fn truthy(v: Option<&String>) -> bool {
    matches!(v.map(String::as_str), Some("1" | "true" | "True"))
}

impl Params {
    /// Parses and validates the query string.
    pub fn parse(raw: HashMap<String, String>) -> Result<Self, ApiError> {
        let bad = |e: crate::sim::selectors::SelectorError| ApiError::BadRequest(e.to_string());
        let label = LabelSelector::parse(raw.get("labelSelector").map_or("", String::as_str))
            .map_err(bad)?;
        let field = FieldSelector::parse(raw.get("fieldSelector").map_or("", String::as_str))
            .map_err(bad)?;
        let num = |k: &str| -> Result<Option<i64>, ApiError> {
            match raw.get(k) {
                None => Ok(None),
                Some(v) if v.is_empty() => Ok(None),
                Some(v) => v
                    .parse::<i64>()
                    .map(Some)
                    .map_err(|_| ApiError::BadRequest(format!("invalid value for {k}: {v:?}"))),
            }
        };
        let limit = num("limit")?.filter(|l| *l > 0).map(|l| l as usize);
        let timeout_secs = num("timeoutSeconds")?.filter(|t| *t > 0).map(|t| t as u64);
        let grace_period = num("gracePeriodSeconds")?;
        let dry_run = match raw.get("dryRun").map(String::as_str) {
            None | Some("") => false,
            Some("All") => true,
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "dryRun: Unsupported value: \"{other}\": supported values: \"All\""
                )));
            }
        };
        Ok(Params {
            label,
            field,
            limit,
            continue_token: raw.get("continue").filter(|c| !c.is_empty()).cloned(),
            resource_version: raw
                .get("resourceVersion")
                .filter(|c| !c.is_empty())
                .cloned(),
            watch: truthy(raw.get("watch")),
            bookmarks: truthy(raw.get("allowWatchBookmarks")),
            timeout_secs,
            dry_run,
            include: IncludeObject::parse(raw.get("includeObject").map(String::as_str)),
            grace_period,
            propagation: raw.get("propagationPolicy").cloned(),
            send_initial_events: truthy(raw.get("sendInitialEvents")),
            raw,
            update_manager: None,
        })
    }

    /// Whether an object passes both selectors.
    pub fn selects(&self, obj: &Value) -> bool {
        self.label.matches(obj) && self.field.matches(obj)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_dry_run_value_is_400() {
        let mut raw = HashMap::new();
        raw.insert("dryRun".to_string(), "Some".to_string());
        assert_eq!(Params::parse(raw).expect_err("bad").code(), 400);
    }
}
