//! How a verification check ended, in three words: passed, failed (a measured breach) or
//! could not verify (no data, no source, a source that failed). Only a measured breach is
//! a failure: a value nobody saw neither proves recovery nor calls for another rollback.

use serde::{Deserialize, Serialize};

use super::check::Probe;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Passed,
    /// A sample measured a value outside the limit.
    Failed,
    /// No sample could be measured: the check says nothing either way.
    CouldNotVerify,
}

impl Verdict {
    /// The verdict a `VerificationFinished` record carries: its `outcome`, or for a
    /// journal written before outcomes existed, what `passed` said then.
    pub fn of_record(passed: bool, outcome: Option<Verdict>) -> Verdict {
        outcome.unwrap_or(if passed {
            Verdict::Passed
        } else {
            Verdict::Failed
        })
    }

    /// `passed`, `failed`, `could not verify`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::CouldNotVerify => "could not verify",
        }
    }
}

/// The ways to get the data a check could not read, for the operator to choose from: the
/// source to connect (for PromQL), the check to run by hand, or looking and ticking.
pub fn ways_to_get_data(probe: &Probe) -> Vec<String> {
    let mut ways = Vec::new();
    match probe {
        Probe::Promql(p) => {
            ways.push(
                "connect Prometheus: restart the console with --prometheus-url URL (or set PROMETHEUS_URL, or metrics.prometheus in the runbook's front matter)"
                    .to_string(),
            );
            ways.push(format!(
                "run the check by hand: query {} in your metrics UI",
                p.text
            ));
        }
        Probe::Http(h) => ways.push(format!(
            "run the check by hand: curl -s -o /dev/null -w '%{{http_code}}' {}",
            h.url
        )),
        Probe::Pods(p) => ways.push(format!(
            "run the check by hand: kubectl get pods{} -o wide",
            p.namespace
                .as_deref()
                .map(|n| format!(" -n {n}"))
                .unwrap_or_default()
        )),
        Probe::Rollout(r) => ways.push(format!(
            "run the check by hand: kubectl rollout status deployment/{}{}",
            r.deployment.as_deref().unwrap_or("<deployment>"),
            r.namespace
                .as_deref()
                .map(|n| format!(" -n {n}"))
                .unwrap_or_default()
        )),
        Probe::Shell(s) => ways.push(format!("run the check by hand: {}", s.command)),
    }
    ways.push(
        "look for yourself (dashboards, logs, customers), then tick the step (space) or skip it with a reason (s)"
            .to_string(),
    );
    ways
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::verify::{HttpProbe, PodsProbe};

    #[test]
    fn an_old_record_reads_as_it_did_and_a_new_one_by_its_outcome() {
        assert_eq!(Verdict::of_record(true, None), Verdict::Passed);
        assert_eq!(Verdict::of_record(false, None), Verdict::Failed);
        assert_eq!(
            Verdict::of_record(false, Some(Verdict::CouldNotVerify)),
            Verdict::CouldNotVerify
        );
        assert_eq!(
            serde_json::to_string(&Verdict::CouldNotVerify).unwrap(),
            "\"could_not_verify\""
        );
    }

    #[test]
    fn every_probe_kind_offers_a_manual_check_and_looking() {
        let http = Probe::Http(HttpProbe {
            url: "https://web.example/healthz".into(),
            expect_status: 200,
            json_pointer: None,
            expect_value: None,
            max_latency: None,
        });
        let ways = ways_to_get_data(&http);
        assert_eq!(
            ways[0],
            "run the check by hand: curl -s -o /dev/null -w '%{http_code}' https://web.example/healthz"
        );
        assert!(ways[1].starts_with("look for yourself"));
        let pods = Probe::Pods(PodsProbe {
            namespace: Some("shop".into()),
            deployment: None,
            revision: None,
            image: None,
        });
        assert_eq!(
            ways_to_get_data(&pods)[0],
            "run the check by hand: kubectl get pods -n shop -o wide"
        );
    }
}
