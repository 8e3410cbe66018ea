//! What the front matter checks know of `metrics.queries`: the names it defines, and the
//! hint for a condition naming none of them (read by the decision matrix's and the verify
//! checks' conditions).

use super::diagnostic_text::quoted_list;
use super::front_matter::closest_word::closest;
use super::front_matter::yaml::Node;

/// The names under `metrics.queries`, in the order written.
pub(super) fn query_names(tree: &Node) -> Vec<&str> {
    tree.get("metrics")
        .and_then(|m| m.get("queries"))
        .map(|q| q.entries().iter().filter_map(|(k, _)| k.scalar()).collect())
        .unwrap_or_default()
}

/// The hint for a condition naming `metric`, which is not among `queries` (the names under
/// `metrics.queries`): the closest name, else how to define it, else the names defined.
pub(super) fn unknown_query_hint(metric: &str, queries: &[&str]) -> String {
    match closest(metric, queries) {
        Some(best) => format!("did you mean `{best}`?"),
        None if queries.is_empty() => {
            format!("define it under `metrics.queries`, e.g. `{metric}: <PromQL>`")
        }
        None => format!("queries defined: {}", quoted_list(queries, 8)),
    }
}
