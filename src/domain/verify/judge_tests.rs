use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::domain::cluster::{Condition as DeployCondition, DeploymentFacts};
use crate::domain::decision::{DEFAULT_STALENESS, Signals, parse_condition};

fn http(pointer: Option<&str>, value: Option<&str>, latency_ms: Option<u64>) -> HttpProbe {
    HttpProbe {
        url: "http://127.0.0.1/health".into(),
        expect_status: 200,
        json_pointer: pointer.map(Into::into),
        expect_value: value.map(Into::into),
        max_latency: latency_ms.map(Duration::from_millis),
    }
}

fn response(status: u16, ms: u64, body: Option<serde_json::Value>) -> HttpResponse {
    HttpResponse {
        status,
        latency: Duration::from_millis(ms),
        json: body,
    }
}

fn render(o: &Observation) -> String {
    match o {
        Observation::Pass { seen } => format!("pass: {seen}"),
        Observation::Fail { seen, limit } => format!("fail: {seen} (limit {limit})"),
        Observation::Unknown { reason } => format!("unknown: {reason}"),
    }
}

#[test]
fn http_answers() {
    let ok = json!({"status": "ok", "ready": true, "version": {"rev": 3}});
    let cases: Vec<(HttpProbe, Result<HttpResponse, &str>, &str)> = vec![
        (
            http(None, None, None),
            Ok(response(200, 12, None)),
            "pass: HTTP 200 in 12ms",
        ),
        (
            http(None, None, None),
            Ok(response(503, 12, None)),
            "fail: HTTP 503 (limit HTTP 200)",
        ),
        (
            http(None, None, Some(250)),
            Ok(response(200, 900, None)),
            "fail: 900ms (limit ≤ 250ms)",
        ),
        (
            http(Some("/status"), Some("ok"), Some(250)),
            Ok(response(200, 40, Some(ok.clone()))),
            "pass: HTTP 200 in 40ms, /status = ok",
        ),
        (
            http(Some("/ready"), Some("true"), None),
            Ok(response(200, 4, Some(ok.clone()))),
            "pass: HTTP 200 in 4ms, /ready = true",
        ),
        (
            http(Some("/version/rev"), Some("2"), None),
            Ok(response(200, 4, Some(ok.clone()))),
            "fail: /version/rev = 3 (limit /version/rev = 2)",
        ),
        (
            http(Some("/missing"), None, None),
            Ok(response(200, 4, Some(ok))),
            "fail: no /missing (limit /missing present)",
        ),
        (
            http(Some("/status"), Some("ok"), None),
            Ok(response(200, 4, None)),
            "fail: a body that is not JSON (limit JSON with /status)",
        ),
        (
            http(None, None, None),
            Err("timed out after 5s"),
            "unknown: no answer: timed out after 5s",
        ),
    ];
    for (probe, got, want) in cases {
        let got = judge_http(&probe, got.as_ref().map_err(|e| *e));
        assert_eq!(render(&got), want);
    }
}

#[test]
fn promql_conditions() {
    let now = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
    let probe = |text: &str| PromqlProbe {
        text: text.into(),
        condition: parse_condition(text).unwrap(),
        queries: BTreeMap::new(),
    };
    let fresh = Signals::new(DEFAULT_STALENESS)
        .with_sample("error_rate", 0.004, now)
        .with_sample("latency_p95", 0.25, now);
    let bad = Signals::new(DEFAULT_STALENESS).with_sample("error_rate", 0.3125, now);
    let old = Signals::new(DEFAULT_STALENESS).with_sample(
        "error_rate",
        0.001,
        now - chrono::Duration::seconds(300),
    );
    let cases: Vec<(&str, &Signals, &str)> = vec![
        ("error_rate < 0.01", &fresh, "pass: error_rate = 0.004"),
        (
            "error_rate < 0.01 and latency_p95 < 400ms",
            &fresh,
            "pass: error_rate = 0.004, latency_p95 = 0.25",
        ),
        (
            "error_rate < 0.01",
            &bad,
            "fail: error_rate = 0.3125 (limit error_rate < 0.01)",
        ),
        (
            "error_rate < 0.01",
            &old,
            "unknown: error_rate: stale (5m old)",
        ),
        (
            "latency_p95 < 0.4",
            &bad,
            "unknown: latency_p95: no data yet",
        ),
    ];
    for (text, signals, want) in cases {
        assert_eq!(
            render(&judge_promql(&probe(text), signals, now)),
            want,
            "{text}"
        );
    }
}

fn pod(name: &str, rev: i64, image: &str, ready: bool) -> PodOnRevision {
    PodOnRevision {
        name: name.into(),
        ready,
        terminating: false,
        revision: Some(rev),
        image: image.into(),
    }
}

#[test]
fn pods_on_revision_and_image() {
    let any = PodsProbe {
        namespace: None,
        deployment: None,
        revision: None,
        image: None,
    };
    let tagged = PodsProbe {
        image: Some("1.4.2".into()),
        ..any.clone()
    };
    let newer = PodsProbe {
        image: Some("1.5.0".into()),
        ..any.clone()
    };
    let rev2 = PodsProbe {
        revision: Some(2),
        ..any.clone()
    };
    let good = vec![
        pod("web-a", 3, "reg/web:1.4.2", true),
        pod("web-b", 3, "reg/web:1.4.2", true),
    ];
    let mut old_left = good.clone();
    old_left.push(pod("web-old", 2, "reg/web:1.5.0", true));
    let mut terminating = good.clone();
    terminating.push(PodOnRevision {
        terminating: true,
        ..pod("web-old", 2, "reg/web:1.5.0", false)
    });
    let mut unready = good.clone();
    unready[1].ready = false;
    type Case<'a> = (
        &'a PodsProbe,
        &'a [PodOnRevision],
        Option<i64>,
        i32,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            &any,
            &good,
            Some(3),
            2,
            "pass: 2/2 ready on revision 3 (reg/web:1.4.2)",
        ),
        (
            &tagged,
            &good,
            Some(3),
            2,
            "pass: 2/2 ready on revision 3 (reg/web:1.4.2)",
        ),
        (
            &any,
            &old_left,
            Some(3),
            2,
            "fail: pod web-old on revision 2 (limit 2 ready on revision 3)",
        ),
        (
            &any,
            &terminating,
            Some(3),
            2,
            "pass: 2/2 ready on revision 3 (reg/web:1.4.2)",
        ),
        (
            &rev2,
            &good,
            Some(3),
            2,
            "fail: pod web-a on revision 3 (limit 2 ready on revision 2)",
        ),
        (
            &newer,
            &good,
            Some(3),
            2,
            "fail: pod web-a runs reg/web:1.4.2 (limit 2 ready on revision 3, image 1.5.0)",
        ),
        (
            &any,
            &unready,
            Some(3),
            2,
            "fail: pod web-b not ready (limit 2 ready on revision 3)",
        ),
        (
            &any,
            &good,
            Some(3),
            3,
            "fail: 2 of 3 pods ready (limit 3 ready on revision 3)",
        ),
        (
            &any,
            &good,
            None,
            2,
            "unknown: the Deployment's current revision is not known yet",
        ),
    ];
    for (probe, pods, current, desired, want) in cases {
        assert_eq!(render(&judge_pods(probe, pods, current, desired)), want);
    }
}

#[test]
fn rollout_and_shell() {
    let done = DeploymentFacts {
        name: "web".into(),
        generation: 4,
        observed_generation: 4,
        desired: Some(2),
        replicas: 2,
        updated: 2,
        ready: 2,
        available: 2,
        ..Default::default()
    };
    let rolling = DeploymentFacts {
        updated: 1,
        ..done.clone()
    };
    let stuck = DeploymentFacts {
        conditions: vec![DeployCondition {
            type_: "Progressing".into(),
            status: "False".into(),
            reason: "ProgressDeadlineExceeded".into(),
            message: String::new(),
        }],
        ..rolling.clone()
    };
    assert_eq!(
        render(&judge_rollout(Some(&done))),
        "pass: deployment \"web\" successfully rolled out"
    );
    assert_eq!(
        render(&judge_rollout(Some(&rolling))),
        "fail: Waiting for deployment \"web\" rollout to finish: 1 out of 2 new replicas have been updated... (limit successfully rolled out)"
    );
    assert_eq!(
        render(&judge_rollout(Some(&stuck))),
        "fail: deployment \"web\" exceeded its progress deadline (limit successfully rolled out)"
    );
    assert_eq!(
        render(&judge_rollout(None)),
        "unknown: the Deployment was not found"
    );
    assert_eq!(render(&judge_shell(Ok(0), "")), "pass: exit 0");
    assert_eq!(
        render(&judge_shell(Ok(2), "curl: (7) refused\n")),
        "fail: exit 2: curl: (7) refused (limit exit 0)"
    );
    assert_eq!(
        render(&judge_shell(Err("killed"), "")),
        "unknown: did not run to an exit: killed"
    );
}
