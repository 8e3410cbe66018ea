//! "Did you mean …?" suggestions for misspelt names.

/// The candidate closest to `word` by edit distance, when close enough to be a
/// plausible typo (at most one edit per three characters, and at least one).
///
/// ```
/// use backout::domain::decision::did_you_mean;
/// assert_eq!(did_you_mean("baselin", ["baseline", "max"]), Some("baseline"));
/// assert_eq!(did_you_mean("zzz", ["baseline", "max"]), None);
/// ```
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        for (a, b, d) in [
            ("", "", 0),
            ("abc", "abc", 0),
            ("abc", "", 3),
            ("kitten", "sitting", 3),
            ("baselin", "baseline", 1),
            ("error_rat", "error_rate", 1),
        ] {
            assert_eq!(edit_distance(a, b), d, "{a} → {b}");
        }
    }

    #[test]
    fn suggests_only_plausible_typos() {
        let names = ["error_rate", "latency_p95", "saturation"];
        assert_eq!(did_you_mean("error_rat", names), Some("error_rate"));
        assert_eq!(did_you_mean("latency_p59", names), Some("latency_p95"));
        assert_eq!(did_you_mean("ERROR_RATE", names), Some("error_rate"));
        assert_eq!(did_you_mean("cpu", names), None);
    }
}
