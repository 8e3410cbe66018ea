//! The report's Messages section: every message queued, per sink, with how its delivery
//! ended (folded by [`crate::domain::session_state::messages`]).

use std::fmt::Write as _;

use super::markdown_text::{cell, utc};
use crate::domain::redact::Redactor;

pub use crate::domain::session_state::messages::{MessageReport, MessageStatus};

pub(super) fn redact(messages: &mut [MessageReport], redactor: &Redactor) {
    let r = |s: &mut String| {
        if let std::borrow::Cow::Owned(new) = redactor.redact(s) {
            *s = new;
        }
    };
    for m in messages {
        r(&mut m.text);
        match &mut m.status {
            MessageStatus::Unknown => {}
            MessageStatus::Drafted { saved_to } => r(saved_to),
            MessageStatus::PostedByHand { where_, .. } => r(where_),
            MessageStatus::Delivered { detail, .. } => r(detail),
            MessageStatus::Failed { error, .. } => r(error),
        }
    }
}

/// `## Messages`: a table of every message per sink, then each distinct text once.
pub(super) fn messages_md(md: &mut String, messages: &[MessageReport]) {
    if messages.is_empty() {
        return;
    }
    md.push_str("## Messages\n\n");
    md.push_str("| Queued (UTC) | Message | Sink | Delivery |\n|---|---|---|---|\n");
    for m in messages {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            utc(m.queued_at),
            cell(&m.template),
            cell(&m.sink),
            cell(&m.status.describe())
        );
    }
    md.push('\n');
    let mut shown: Vec<(&str, &str)> = Vec::new();
    for m in messages {
        if shown.contains(&(m.template.as_str(), m.text.as_str())) {
            continue;
        }
        shown.push((&m.template, &m.text));
        let _ = writeln!(md, "**{}** ({}):\n", cell(&m.template), utc(m.queued_at));
        for line in m.text.trim_end().lines() {
            let _ = writeln!(md, "> {line}");
        }
        md.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal::testing::t0;
    use crate::domain::journal::{Entry, Record};
    use crate::domain::journal::{GENESIS, seal};
    use crate::domain::progress::Progress;

    fn records(entries: Vec<Entry>) -> Vec<Record> {
        let mut prev = GENESIS.to_string();
        entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let ts = t0() + chrono::Duration::seconds(i as i64 * 10);
                let (r, _) = seal(i as u64 + 1, ts, "alice", e, &prev);
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn queued(key: &str, sink: &str, text: &str) -> Entry {
        Entry::MessageQueued {
            key: key.into(),
            sink: sink.into(),
            template: "rollback_notification".into(),
            text: text.into(),
        }
    }

    #[test]
    fn every_message_per_sink_with_its_latest_outcome() {
        let text = "Rolling back checkout\nto 1.5.2";
        let rs = records(vec![
            queued("k1-slack", "slack", text),
            queued("k1-pd", "pagerduty", text),
            queued("k1-gh", "github", text),
            Entry::MessageDelivered {
                key: "k1-slack".into(),
                sink: "slack".into(),
                attempts: 1,
                detail: "HTTP 200".into(),
            },
            Entry::MessageFailed {
                key: "k1-pd".into(),
                sink: "pagerduty".into(),
                attempts: 5,
                error: "HTTP 503".into(),
            },
            // the operator retried: queued again, then delivered
            queued("k1-pd", "pagerduty", text),
            Entry::MessageDelivered {
                key: "k1-pd".into(),
                sink: "pagerduty".into(),
                attempts: 2,
                detail: "HTTP 202 hunter2-secret".into(),
            },
        ]);
        let mut report = super::super::build(&Progress::replay(&rs), &rs, None);
        assert_eq!(report.messages.len(), 3);
        report.redact(&Redactor::new(["hunter2-secret"]));
        let md = super::super::to_markdown(&report);
        let section = md
            .split("## Messages\n\n")
            .nth(1)
            .and_then(|s| s.split("## Timeline").next())
            .expect("a Messages section before the timeline");
        assert_eq!(
            section,
            "| Queued (UTC) | Message | Sink | Delivery |\n|---|---|---|---|\n\
             | 2026-11-22 01:52:03Z | rollback_notification | slack | delivered after 1 attempt: HTTP 200 |\n\
             | 2026-11-22 01:52:13Z | rollback_notification | pagerduty | delivered after 2 attempts: HTTP 202 ‹redacted› |\n\
             | 2026-11-22 01:52:23Z | rollback_notification | github | no outcome journaled: may have been sent |\n\
             \n\
             **rollback_notification** (2026-11-22 01:52:03Z):\n\
             \n\
             > Rolling back checkout\n\
             > to 1.5.2\n\
             \n"
        );
    }

    #[test]
    fn no_messages_no_section() {
        let rs = records(vec![Entry::DrillEvent { what: "x".into() }]);
        let report = super::super::build(&Progress::replay(&rs), &rs, None);
        assert!(!super::super::to_markdown(&report).contains("## Messages"));
    }
}
