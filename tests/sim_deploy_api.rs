//! The simulated deploy service (`sim/deploy_api`, the `blue-green-api` drill): status,
//! health and rollback over HTTPS with a bearer token, and its failure modes.

mod common;

use backout::sim::Scenario;
use backout::sim::auth::{ADMIN_TOKEN, VIEWER_TOKEN};
use common::Sim;
use serde_json::Value;

const DRILL: &str = include_str!("../runbooks/drills/blue-green-api.yaml");

fn call(sim: &Sim, method: &str, path: &str, token: Option<&str>) -> (u16, Value) {
    let client = sim.handle().http_client(token).expect("client");
    let url = format!("{}/deploy-api{path}", sim.handle().url());
    sim.runtime.block_on(async {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let resp = client.request(m, &url).send().await.expect("sent");
        let code = resp.status().as_u16();
        (code, resp.json().await.expect("JSON"))
    })
}

fn start() -> (Sim, Scenario) {
    let s = Scenario::parse(DRILL, "blue-green-api.yaml").expect("parses");
    let sim = Sim::start_with(backout::sim::SimConfig {
        speed: 20.0,
        scenario: Some(s.clone()),
        hold_timeline: true,
        ..backout::sim::SimConfig::default()
    });
    (sim, s)
}

#[test]
fn status_health_and_a_rollback_switch_the_service_back() {
    let (sim, s) = start();
    let (code, v) = call(&sim, "GET", "/deployment/status", None);
    assert_eq!((code, &v["error"]), (401, &Value::from("unauthorized")));
    let t = Some(ADMIN_TOKEN);
    let (code, v) = call(&sim, "GET", "/deployment/status", t);
    assert_eq!(code, 200);
    assert_eq!(v["currentEnvironment"], "blue");
    assert_eq!(v["version"], "5.0.0");
    assert_eq!(v["environments"]["green"]["version"], "5.1.0");
    assert_eq!(v["environments"]["green"]["readyReplicas"], 3);
    // The release switches to green: errors 10 %, degraded.
    backout::sim::scenario::apply(sim.handle().shared(), &s, &s.timeline[0]).expect("switch");
    let (_, v) = call(&sim, "GET", "/deployment/status", t);
    assert_eq!(
        (&v["currentEnvironment"], &v["version"]),
        (&Value::from("green"), &Value::from("5.1.0"))
    );
    assert_eq!(v["history"].as_array().map(Vec::len), Some(2), "{v}");
    let (code, v) = call(&sim, "GET", "/health", t);
    assert_eq!((code, &v["health"]), (200, &Value::from("degraded")));
    // The viewer may look but not roll back.
    let (code, _) = call(&sim, "POST", "/deployment/rollback", Some(VIEWER_TOKEN));
    assert_eq!(code, 403);
    let (code, v) = call(&sim, "POST", "/deployment/rollback", t);
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["status"], "rolled_back");
    assert_eq!(v["currentEnvironment"], "blue");
    assert_eq!(v["previousEnvironment"], "green");
    let svc = sim.json(&["get", "svc", "storefront", "-n", "storefront"]);
    assert_eq!(svc["spec"]["selector"]["track"], "blue");
    let (_, v) = call(&sim, "GET", "/health", t);
    assert_eq!(v["health"], "healthy");
    let (_, v) = call(&sim, "GET", "/deployment/status", t);
    assert_eq!(v["history"][2]["by"], "admin");
}

#[test]
fn scripted_failure_modes_refuse_the_rollback_and_keep_health_degraded() {
    let (sim, s) = start();
    backout::sim::scenario::apply(sim.handle().shared(), &s, &s.timeline[0]).expect("switch");
    // A timeline entry scripts the failure modes.
    let faults = Scenario::parse(
        &format!(
            "{DRILL}  - {{at: 90s, deploy_api_faults: {{rollback_refused: \"rollback locked: release 5.1.0 is being promoted\", health_stays_degraded: true}}}}\n"
        ),
        "faults.yaml",
    )
    .expect("parses");
    backout::sim::scenario::apply(sim.handle().shared(), &faults, &faults.timeline[1])
        .expect("faults set");
    let t = Some(ADMIN_TOKEN);
    let (code, v) = call(&sim, "POST", "/deployment/rollback", t);
    assert_eq!(
        (code, &v["error"]),
        (
            409,
            &Value::from("rollback locked: release 5.1.0 is being promoted")
        )
    );
    let svc = sim.json(&["get", "svc", "storefront", "-n", "storefront"]);
    assert_eq!(svc["spec"]["selector"]["track"], "green");
    sim.handle().shared().deploy_api.set_faults(None, true);
    let (code, _) = call(&sim, "POST", "/deployment/rollback", t);
    assert_eq!(code, 200);
    let (_, v) = call(&sim, "GET", "/health", t);
    assert_eq!(v["health"], "degraded", "health stays degraded as scripted");
}

/// The runbook's own `curl` lines (`runbooks/storefront-deploy-api-rollback.md`), filled
/// with the simulator's deploy API, recognised and run as the console runs them: the
/// request through reqwest with the token from the variable the line names, judged by
/// status and body, the `| jq …` part applied by the jq program fed the body.
#[test]
fn the_runbooks_curl_lines_run_natively_judged_by_status_and_body() {
    use backout::adapters::deploy_api::{DeployApi, jq};
    use backout::adapters::secret::Secret;
    use backout::domain::deploy_api::{judge, parse_curl_line};
    let (sim, s) = start();
    backout::sim::scenario::apply(sim.handle().shared(), &s, &s.timeline[0]).expect("switch");
    let base = format!("{}/deploy-api", sim.handle().url());
    let runbook = include_str!("../runbooks/storefront-deploy-api-rollback.md");
    let lines: Vec<String> = runbook
        .lines()
        .filter(|l| l.starts_with("curl "))
        .map(|l| {
            l.replace("$DEPLOY_API", &base)
                .replace(&format!("{base}_TOKEN"), "$DEPLOY_API_TOKEN")
        })
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    let api = DeployApi::new(Some(sim.handle().ca_pem())).expect("client");
    let token = Secret::new(ADMIN_TOKEN);
    let run = |line: &str| {
        let call = parse_curl_line(line).expect("curl").expect("native");
        assert!(call.path_under(&base).is_some(), "{line}");
        sim.runtime.block_on(async {
            let a = api.send(&call, Some(&token)).await.expect("answered");
            let v = judge(a.status, &a.reason, &a.body);
            let printed = match &call.jq {
                Some(words) if v.ok => jq(words, &a.body).await.expect("jq").0,
                _ => v.body.clone(),
            };
            (call, v, printed)
        })
    };
    let (call, v, _) = run(&lines[1]);
    assert_eq!(call.method, "POST");
    assert!(v.ok, "{v:?}");
    assert!(
        v.body
            .iter()
            .any(|l| l.contains(r#""status": "rolled_back""#)),
        "{v:?}"
    );
    let (_, v, printed) = run(&lines[2]);
    assert!(v.ok);
    assert_eq!(printed, vec![r#""blue""#]);
    let (_, v, printed) = run(&lines[3]);
    assert!(v.ok);
    assert_eq!(printed, vec!["healthy"]);
    // A rollback the service refuses (scripted) is a failure, whatever curl would exit.
    sim.handle()
        .shared()
        .deploy_api
        .set_faults(Some("rollback locked".into()), false);
    let (_, v, _) = run(&lines[1].replace("-fsS ", "-s "));
    assert!(!v.ok, "{v:?}");
    assert_eq!(v.summary, "409 Conflict: rollback locked");
    // Without the token's value, nothing is sent.
    let call = parse_curl_line(&lines[2]).expect("curl").expect("native");
    let err = sim
        .runtime
        .block_on(api.send(&call, None))
        .expect_err("no token");
    assert_eq!(
        err.to_string(),
        "deploy API: DEPLOY_API_TOKEN is not set (the line's bearer token)"
    );
}

/// The status the console reads before and after a change (`domain::deploy_api::status`)
/// from the simulator's own answer: the rollback's preview says green (5.1.0) → blue
/// (5.0.0), and once it went through, the status read again says blue serves.
#[test]
fn a_rollback_is_previewed_and_checked_from_the_services_status() {
    use backout::adapters::deploy_api::DeployApi;
    use backout::adapters::secret::Secret;
    use backout::domain::deploy_api::{
        DeployStatus, outcome_after, parse_curl_line, preview_change, status_call,
    };
    let (sim, s) = start();
    backout::sim::scenario::apply(sim.handle().shared(), &s, &s.timeline[0]).expect("switch");
    let base = format!("{}/deploy-api", sim.handle().url());
    let api = DeployApi::new(Some(sim.handle().ca_pem())).expect("client");
    let token = Secret::new(ADMIN_TOKEN);
    let status = |sim: &Sim| {
        let call = status_call(&base, Some("DEPLOY_API_TOKEN".into()));
        let a = sim
            .runtime
            .block_on(api.send(&call, Some(&token)))
            .expect("answered");
        assert_eq!(a.status, 200, "{a:?}");
        DeployStatus::parse(&a.body).unwrap_or_else(|| panic!("a status: {}", a.body))
    };
    let before = status(&sim);
    let p = preview_change("/deployment/rollback", Ok(&before));
    assert_eq!(
        (p.from.as_deref(), p.to.as_deref()),
        (Some("green (5.1.0)"), Some("blue (5.0.0)")),
        "{p:?}"
    );
    let rollback = parse_curl_line(&format!(
        r#"curl -fsS -X POST -H "Authorization: Bearer $DEPLOY_API_TOKEN" "{base}/deployment/rollback""#
    ))
    .expect("curl")
    .expect("native");
    let a = sim
        .runtime
        .block_on(api.send(&rollback, Some(&token)))
        .expect("answered");
    assert_eq!(a.status, 200, "{a:?}");
    let after = status(&sim);
    assert_eq!(
        outcome_after("200 OK", true, p.to_env.as_deref(), &after),
        ("200 OK; now blue (5.0.0)".to_string(), true)
    );
}
