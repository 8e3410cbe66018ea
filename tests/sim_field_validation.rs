//! `fieldValidation` (issue 16, gap 12) read with real kubectl 1.32, which sends `Strict`
//! unless told `--validate=warn|false` (`staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go`,
//! `GetValidationDirective`). The answers are the API server's
//! (`staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go` and `rest.go`,
//! `transformDecodeError`; `apimachinery/pkg/runtime/error.go`, the strict decoding error),
//! and kubectl's `error when creating "STDIN": …` (`cmdutil.AddSourceToErr`).

mod common;

use common::{Sim, WEB};

/// A Deployment named `name` with a misspelt `replicas` and container `image`.
fn misspelt(name: &str) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replica: 2
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - {{name: app, image: shop/{name}:1.0, imagee: typo}}
"#
    )
}

#[test]
fn unknown_fields_are_refused_warned_or_dropped_as_the_directive_says() {
    let sim = Sim::start(WEB, 20.0);
    // (kubectl arguments, exit code, stderr expected, stored?)
    let cases: [(&[&str], &str, i32, &str, bool); 4] = [
        (
            &["apply", "-f", "-"],
            "strict",
            1,
            concat!(
                "Error from server (BadRequest): error when creating \"STDIN\": Deployment in version \"v1\" ",
                "cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\", ",
                "unknown field \"spec.template.spec.containers[0].imagee\""
            ),
            false,
        ),
        (
            &["create", "-f", "-"],
            "strict-create",
            1,
            concat!(
                "Error from server (BadRequest): error when creating \"STDIN\": Deployment in version \"v1\" ",
                "cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\", ",
                "unknown field \"spec.template.spec.containers[0].imagee\""
            ),
            false,
        ),
        (
            &["create", "--validate=warn", "-f", "-"],
            "warned",
            0,
            "Warning: unknown field \"spec.replica\"\nWarning: unknown field \"spec.template.spec.containers[0].imagee\"",
            true,
        ),
        (
            &["create", "--validate=false", "-f", "-"],
            "ignored",
            0,
            "",
            true,
        ),
    ];
    for (args, name, code, stderr, stored) in cases {
        let (got, out, err) = sim.run_stdin(args, misspelt(name));
        assert_eq!(got, code, "{args:?}: {out}{err}");
        // kubectl's own klog line for `--validate=warn` ("cannot perform warn validation
        // if server-side field validation is unsupported"): its verifier reads support
        // from the OpenAPI v3 document, which the simulator leaves empty (docs/simulator.md).
        let klog =
            |l: &&str| l.starts_with('W') && l[1..].starts_with(|c: char| c.is_ascii_digit());
        let err: Vec<&str> = err.lines().filter(|l| !klog(l)).collect();
        assert_eq!(err.join("\n"), stderr, "{args:?}");
        let (found, _, _) = sim.run(&["get", "deploy", name]);
        assert_eq!(found == 0, stored, "{args:?}");
        if stored {
            assert_eq!(out.trim(), format!("deployment.apps/{name} created"));
            let d = sim.json(&["get", "deploy", name]);
            assert!(d["spec"].get("replica").is_none(), "{d}");
            assert!(
                d["spec"]["template"]["spec"]["containers"][0]
                    .get("imagee")
                    .is_none(),
                "{d}"
            );
        }
    }
    // A correct object is created without a word.
    let (code, out, err) = sim.run_stdin(
        &["apply", "-f", "-"],
        misspelt("fine")
            .replace("replica:", "replicas:")
            .replace(", imagee: typo", ""),
    );
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
}

/// Probe defaults as the API server fills them in (`pkg/apis/core/v1/defaults.go`,
/// `SetDefaults_Probe`, `SetDefaults_HTTPGetAction`), so `kubectl describe` and `get -o
/// yaml` show them.
#[test]
fn probes_get_the_api_servers_defaults() {
    let sim = Sim::start(WEB, 20.0);
    let manifest = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: probed}
spec:
  selector: {matchLabels: {app: probed}}
  template:
    metadata: {labels: {app: probed}}
    spec:
      containers:
        - name: app
          image: shop/probed:1.0
          readinessProbe: {httpGet: {port: 8080}}
          livenessProbe: {tcpSocket: {port: 8080}, periodSeconds: 5}
"#;
    let (code, out, err) = sim.run_stdin(&["apply", "-f", "-"], manifest);
    assert_eq!(code, 0, "{out}{err}");
    let d = sim.json(&["get", "deploy", "probed"]);
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["readinessProbe"],
        serde_json::json!({"httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"},
            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
    );
    assert_eq!(c["livenessProbe"]["periodSeconds"], 5);
    assert_eq!(c["livenessProbe"]["failureThreshold"], 3);
    let described = sim.ok(&["describe", "deploy", "probed"]);
    assert!(
        described
            .lines()
            .any(|l| l.trim_start().starts_with("Readiness:")
                && l.ends_with(
                    " http-get http://:8080/ delay=0s timeout=1s period=10s #success=1 #failure=3"
                )),
        "{described}"
    );
}
