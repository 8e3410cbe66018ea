//! The Pods table's columns: which of them fit a pane width, and how a pod name is
//! shortened without losing the part that tells pods apart (the random suffix).
//!
//! Widths come from the rows on screen only (the visible window), so laying out a
//! frame costs the same with 10 pods or 10,000.

use crate::domain::cluster::PodRow;

/// Cells between two columns.
const GAP: usize = 1;
/// The narrowest a name column gets, however narrow the pane.
const MIN_NAME: usize = 8;
const MAX_STATUS: usize = 16;
const MAX_IMAGE: usize = 24;
const MAX_HASH: usize = 12;
const MAX_NODE: usize = 24;
const MAX_AGE: usize = 5;

/// How wide each column wants to be, measured on the header and the visible rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    /// The longest full name.
    pub name: usize,
    /// The deployment prefix every visible name starts with (`checkout-api-`), if any.
    pub shared_prefix: Option<String>,
    pub ready: usize,
    pub status: usize,
    pub restarts: usize,
    pub age: usize,
    pub image: usize,
    pub hash: usize,
    pub node: usize,
}

impl Needs {
    /// Measures `rows` (with their `ages` as shown), for a deployment called `deployment`.
    pub fn measure(rows: &[&PodRow], ages: &[String], deployment: &str) -> Needs {
        let prefix = format!("{deployment}-");
        let shared = !rows.is_empty()
            && !deployment.is_empty()
            && rows
                .iter()
                .all(|p| p.name.starts_with(&prefix) && p.name.len() > prefix.len());
        let longest = |f: &dyn Fn(&PodRow) -> usize, header: &str| {
            rows.iter()
                .map(|p| f(p))
                .chain([header.chars().count()])
                .max()
                .unwrap_or(0)
        };
        Needs {
            name: longest(&|p| p.name.chars().count(), "NAME"),
            shared_prefix: shared.then_some(prefix),
            ready: longest(&|p| p.ready_text().chars().count(), "READY"),
            status: longest(&|p| p.status.chars().count(), "STATUS").min(MAX_STATUS),
            restarts: longest(&|p| p.restarts.to_string().len(), "RST"),
            age: ages
                .iter()
                .map(|a| a.chars().count())
                .chain(["AGE".len()])
                .max()
                .unwrap_or(3)
                .min(MAX_AGE),
            image: longest(&|p| p.image_tag.chars().count(), "IMAGE").min(MAX_IMAGE),
            hash: longest(&|p| p.template_hash.chars().count(), "HASH").min(MAX_HASH),
            node: longest(&|p| p.node.chars().count(), "NODE").min(MAX_NODE),
        }
    }

    /// The longest name once the shared prefix is left out.
    fn short_name(&self) -> Option<usize> {
        self.shared_prefix
            .as_ref()
            // Wide enough for the `checkout-api-…` header that says what was left out.
            .map(|p| {
                let prefix = p.chars().count();
                self.name.saturating_sub(prefix).max(prefix + 1)
            })
    }
}

/// The columns a pane shows and their widths; `None` for a column left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodColumns {
    pub name: usize,
    /// The prefix left out of every name (shown in the NAME header as `checkout-api-…`).
    pub dropped_prefix: Option<String>,
    pub ready: usize,
    pub status: usize,
    pub restarts: usize,
    pub age: Option<usize>,
    pub image: usize,
    pub hash: Option<usize>,
    pub node: Option<usize>,
}

impl PodColumns {
    /// Fits the columns into `width` cells. The name comes first: the full name when it
    /// fits, else without the shared deployment prefix; only when neither fits do the
    /// optional columns go, NODE first, then HASH, then AGE. When even that is not
    /// enough the name takes what is left and is cut in the middle ([`cut_middle`]).
    pub fn fit(width: usize, need: &Needs) -> PodColumns {
        let base = need.ready + need.status + need.restarts + need.image + 4 * GAP;
        let optional = [
            (Some(need.age), Some(need.hash), Some(need.node)),
            (Some(need.age), Some(need.hash), None),
            (Some(need.age), None, None),
            (None, None, None),
        ];
        let make = |name: usize, dropped: bool, (age, hash, node): (_, _, _)| PodColumns {
            name,
            dropped_prefix: if dropped {
                need.shared_prefix.clone()
            } else {
                None
            },
            ready: need.ready,
            status: need.status,
            restarts: need.restarts,
            age,
            image: need.image,
            hash,
            node,
        };
        let used = |(age, hash, node): (Option<usize>, Option<usize>, Option<usize>)| {
            base + [age, hash, node]
                .iter()
                .map(|c| c.map_or(0, |w| w + GAP))
                .sum::<usize>()
        };
        if need.name + used(optional[0]) <= width {
            return make(need.name, false, optional[0]);
        }
        for set in optional {
            match need.short_name() {
                Some(short) if short + used(set) <= width => return make(short, true, set),
                None if need.name + used(set) <= width => return make(need.name, false, set),
                _ => {}
            }
        }
        let name = width.saturating_sub(base).max(MIN_NAME);
        make(name, need.shared_prefix.is_some(), (None, None, None))
    }

    /// The NAME header: `NAME`, or the dropped prefix as `checkout-api-…`.
    pub fn name_header(&self) -> String {
        match &self.dropped_prefix {
            Some(prefix) => crate::ui::format::ellipsize(&format!("{prefix}…"), self.name),
            None => "NAME".to_string(),
        }
    }

    /// A pod's name as its column shows it.
    pub fn name_of(&self, name: &str) -> String {
        let name = match &self.dropped_prefix {
            Some(prefix) => name.strip_prefix(prefix.as_str()).unwrap_or(name),
            None => name,
        };
        cut_middle(name, self.name)
    }

    /// One table line from its cells, padded to the column widths.
    pub fn line(&self, cells: &Cells<'_>) -> String {
        let mut line = format!(
            "{:<nw$} {:<rw$} {:<sw$} {:>tw$}",
            cells.name,
            cells.ready,
            crate::ui::format::ellipsize(cells.status, self.status),
            cells.restarts,
            nw = self.name,
            rw = self.ready,
            sw = self.status,
            tw = self.restarts,
        );
        if let Some(w) = self.age {
            line.push_str(&format!(" {:>w$}", cut_middle(cells.age, w)));
        }
        line.push_str(&format!(
            " {:<w$}",
            cut_middle(cells.image, self.image),
            w = self.image
        ));
        if let Some(w) = self.hash {
            line.push_str(&format!(" {:<w$}", cut_middle(cells.hash, w)));
        }
        if let Some(w) = self.node {
            line.push_str(&format!(" {}", cut_middle(cells.node, w)));
        }
        line.trim_end().to_string()
    }
}

/// The cells of one table line, as text.
#[derive(Debug, Clone, Copy)]
pub struct Cells<'a> {
    pub name: &'a str,
    pub ready: &'a str,
    pub status: &'a str,
    pub restarts: &'a str,
    pub age: &'a str,
    pub image: &'a str,
    pub hash: &'a str,
    pub node: &'a str,
}

/// Cuts `s` to `width` characters in the middle, keeping its last `-` segment whole
/// when it fits (a pod's random suffix): `checkout-api-7f…-wjsw8`.
pub fn cut_middle(s: &str, width: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= width {
        return s.to_string();
    }
    if width <= 1 {
        return "…".chars().take(width).collect();
    }
    let tail_len = match s.rfind('-') {
        // The `-suffix`, with at least one character of the head before the `…`.
        Some(at) if chars.len() - s[..at].chars().count() + 2 <= width => {
            chars.len() - s[..at].chars().count()
        }
        _ => (width - 1) / 2,
    };
    let head_len = width - 1 - tail_len;
    let mut out: String = chars[..head_len].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail_len..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs() -> Needs {
        // `checkout-api-7f8f966c9d-wjsw8`: 29 characters, 16 without the prefix.
        Needs {
            name: 29,
            shared_prefix: Some("checkout-api-".into()),
            ready: 5,
            status: 16,
            restarts: 3,
            age: 3,
            image: 6,
            hash: 10,
            node: 14,
        }
    }

    #[test]
    fn a_wide_pane_shows_every_column_and_the_full_name() {
        let c = PodColumns::fit(120, &needs());
        assert_eq!(c.name, 29);
        assert_eq!(c.dropped_prefix, None);
        assert_eq!((c.age, c.hash, c.node), (Some(3), Some(10), Some(14)));
        assert_eq!(c.name_header(), "NAME");
        assert_eq!(
            c.name_of("checkout-api-7f8f966c9d-wjsw8"),
            "checkout-api-7f8f966c9d-wjsw8"
        );
    }

    #[test]
    fn the_shared_prefix_goes_before_any_column_does() {
        // Full name and every column: 29 + 34 + 4 + 11 + 15 = 93 cells.
        let c = PodColumns::fit(92, &needs());
        assert_eq!(c.dropped_prefix.as_deref(), Some("checkout-api-"));
        assert_eq!(c.name, 16);
        assert_eq!((c.age, c.hash, c.node), (Some(3), Some(10), Some(14)));
        assert_eq!(c.name_header(), "checkout-api-…");
        assert_eq!(
            c.name_of("checkout-api-7f8f966c9d-wjsw8"),
            "7f8f966c9d-wjsw8"
        );
    }

    #[test]
    fn node_goes_first_then_hash_then_age() {
        // Short name (16) + base (34) + age 4 + hash 11 + node 15 = 80.
        let c = PodColumns::fit(79, &needs());
        assert_eq!((c.age, c.hash, c.node), (Some(3), Some(10), None));
        assert_eq!(c.name, 16);
        let c = PodColumns::fit(64, &needs());
        assert_eq!((c.age, c.hash, c.node), (Some(3), None, None));
        assert_eq!(c.name, 16);
        let c = PodColumns::fit(53, &needs());
        assert_eq!((c.age, c.hash, c.node), (None, None, None));
        assert_eq!(c.name, 16);
    }

    #[test]
    fn only_then_is_the_name_cut_in_the_middle_keeping_the_suffix() {
        let c = PodColumns::fit(46, &needs());
        assert_eq!((c.age, c.hash, c.node), (None, None, None));
        assert_eq!(c.name, 12);
        assert_eq!(c.name_of("checkout-api-7f8f966c9d-wjsw8"), "7f8f9…-wjsw8");
        assert_eq!(c.name_of("checkout-api-7f8f966c9d-x2b9q"), "7f8f9…-x2b9q");
    }

    #[test]
    fn without_a_shared_prefix_the_full_name_is_cut_in_the_middle() {
        let mut n = needs();
        n.shared_prefix = None;
        let c = PodColumns::fit(60, &n);
        assert_eq!(c.dropped_prefix, None);
        assert_eq!(c.name, 26);
        assert_eq!(
            c.name_of("checkout-api-7f8f966c9d-wjsw8"),
            "checkout-api-7f8f96…-wjsw8"
        );
    }

    #[test]
    fn the_image_column_keeps_the_whole_tag() {
        let n = Needs {
            image: 7,
            ..needs()
        };
        let c = PodColumns::fit(47, &n);
        let line = c.line(&Cells {
            name: &c.name_of("checkout-api-7f8f966c9d-wjsw8"),
            ready: "1/1",
            status: "Running",
            restarts: "0",
            age: "12m",
            image: "v2.14.1",
            hash: "7f8f966c9d",
            node: "node-a",
        });
        assert!(line.contains("v2.14.1"), "{line}");
        assert!(line.contains("7f8f9…-wjsw8"), "{line}");
        assert!(line.chars().count() <= 47, "{line}");
    }

    #[test]
    fn cut_middle_keeps_both_ends() {
        assert_eq!(cut_middle("short", 10), "short");
        assert_eq!(
            cut_middle("checkout-api-7f8f966c9d-wjsw8", 22),
            "checkout-api-7f…-wjsw8"
        );
        // No room for the whole suffix: half and half.
        assert_eq!(cut_middle("abcdefghij", 5), "ab…ij");
        assert_eq!(cut_middle("abcdef", 1), "…");
        assert_eq!(cut_middle("abcdef", 0), "");
    }

    #[test]
    fn measure_finds_the_shared_prefix_on_the_visible_rows_only() {
        let p = |name: &str| crate::ui::testkit::pod(name, "Running", 1, 0, "v3", "7f8f966c9d");
        let a = p("checkout-api-7f8f966c9d-wjsw8");
        let b = p("checkout-api-7f8f966c9d-x2b9q");
        let other = p("sidecar-0");
        let ages = vec!["12m".to_string(), "12m".to_string()];
        let n = Needs::measure(&[&a, &b], &ages, "checkout-api");
        assert_eq!(n.shared_prefix.as_deref(), Some("checkout-api-"));
        assert_eq!(n.name, 29);
        assert_eq!(n.image, "IMAGE".len());
        let n = Needs::measure(&[&a, &other], &ages, "checkout-api");
        assert_eq!(n.shared_prefix, None);
    }
}
