//! The likely typo: the candidate closest to a misspelt word.

/// The candidate closest to `word`, when it is close enough to be a likely typo.
pub(in crate::domain::runbook) fn closest<'c>(
    word: &str,
    candidates: &[&'c str],
) -> Option<&'c str> {
    let lower = word.to_lowercase();
    candidates
        .iter()
        .map(|c| {
            let distance = strsim::osa_distance(&lower, &c.to_lowercase());
            (distance, *c)
        })
        .filter(|(d, c)| {
            let longest = lower.chars().count().max(c.chars().count());
            *d <= (longest / 3).max(1) || (lower.len() >= 3 && c.starts_with(lower.as_str()))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_key() {
        let keys = [
            "backout", "title", "target", "metrics", "matrix", "rto", "notify", "vars", "phases",
        ];
        assert_eq!(closest("rtoo", &keys), Some("rto"));
        assert_eq!(closest("metric", &keys), Some("metrics"));
        assert_eq!(closest("Title", &keys), Some("title"));
        assert_eq!(closest("owner", &keys), None);
    }
}
