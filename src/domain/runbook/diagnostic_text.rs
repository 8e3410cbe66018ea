//! Pieces of diagnostic messages shared by the front matter checks: where in a scalar's
//! value a problem is, and a short list of names.

use super::front_matter::yaml::{Node, Value};

/// Columns from a scalar's start to the character at byte `offset` of its value, when the
/// value is written on one line as it reads (plain or quoted without escapes).
pub(super) fn column_in_value(node: &Node, value: &str, offset: usize) -> usize {
    let Value::Scalar { plain, .. } = node.value else {
        return 0;
    };
    if value.contains('\n') || (!plain && value.contains(['\\', '\'', '"'])) {
        return 0;
    }
    let quote = usize::from(!plain);
    quote
        + value
            .get(..offset.min(value.len()))
            .unwrap_or(value)
            .chars()
            .count()
}

pub(super) fn quoted_list(items: &[&str], max: usize) -> String {
    let mut shown: Vec<String> = items.iter().take(max).map(|i| format!("`{i}`")).collect();
    if items.len() > max {
        shown.push(format!("… ({} more)", items.len() - max));
    }
    shown.join(", ")
}
