//! The simulator through kube-rs, the client the console uses: list, patch, status errors,
//! and `watcher` recovering from a dropped watch and from `410 Gone`.

mod common;

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use kube::{Client, Config};

use backout::sim::auth::VIEWER_TOKEN;
use backout::sim::{Scenario, SimConfig, SimHandle, Simulator};

async fn start(yaml: &str) -> SimHandle {
    let scenario = Scenario::parse(yaml, "test.yaml").expect("scenario");
    Simulator::start(SimConfig {
        speed: 20.0,
        scenario: Some(scenario),
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts")
}

async fn client(sim: &SimHandle, context: &str) -> Client {
    let kc = Kubeconfig::from_yaml(&sim.kubeconfig_yaml()).expect("kubeconfig parses");
    let opts = KubeConfigOptions {
        context: Some(context.into()),
        ..KubeConfigOptions::default()
    };
    let cfg = Config::from_custom_kubeconfig(kc, &opts)
        .await
        .expect("kube config");
    Client::try_from(cfg).expect("client")
}

async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while tokio::time::Instant::now() < deadline {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_patch_json_and_status_errors() {
    let sim = start(common::WEB).await;
    let client = client(&sim, "backout-sim").await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "shop");
    let list = pods
        .list(&ListParams::default().labels("app=web"))
        .await
        .expect("list");
    assert_eq!(list.items.len(), 3);
    assert!(list.metadata.resource_version.is_some());
    let page = pods
        .list(&ListParams::default().limit(2))
        .await
        .expect("page 1");
    assert_eq!(page.items.len(), 2);
    let token = page.metadata.continue_.clone().expect("continue token");
    let rest = pods
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .expect("page 2");
    assert_eq!(rest.items.len(), 1);

    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "shop");
    // kube re-exports no json-patch; let inference pick the version `Patch::Json` holds.
    let ops = serde_json::json!([{"op": "replace", "path": "/spec/replicas", "value": 5}]);
    let patch = Patch::Json::<()>(serde_json::from_value(ops).expect("patch"));
    let d = deploys
        .patch("web", &PatchParams::default(), &patch)
        .await
        .expect("json patch");
    assert_eq!(d.spec.as_ref().and_then(|s| s.replicas), Some(5));
    eventually("5 available", || {
        let deploys = deploys.clone();
        async move {
            deploys
                .get("web")
                .await
                .ok()
                .and_then(|d| d.status)
                .and_then(|s| s.available_replicas)
                == Some(5)
        }
    })
    .await;

    // 404, 409 and 403 come back as Status errors with the real wording.
    let err = deploys.get("nope").await.expect_err("missing");
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 404 && s.message == "deployments.apps \"nope\" not found"),
        "{err:?}"
    );
    let mut stale = deploys.get("web").await.expect("get");
    deploys
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"metadata": {"labels": {"x": "y"}}})),
        )
        .await
        .expect("bump");
    stale
        .metadata
        .labels
        .get_or_insert_default()
        .insert("z".into(), "w".into());
    let err = deploys
        .replace("web", &PostParams::default(), &stale)
        .await
        .expect_err("conflict");
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 409 && s.reason == "Conflict"),
        "{err:?}"
    );
    let viewer = client_for_token(&sim, VIEWER_TOKEN);
    let vpods: Api<Pod> = Api::namespaced(viewer, "shop");
    let name = list.items[0].metadata.name.clone().unwrap_or_default();
    let err = vpods
        .delete(&name, &Default::default())
        .await
        .expect_err("forbidden");
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 403 && s.message == format!("pods \"{name}\" is forbidden: User \"viewer\" cannot delete resource \"pods\" in API group \"\" in the namespace \"shop\"")),
        "{err:?}"
    );
    sim.shutdown().await;
}

fn client_for_token(sim: &SimHandle, token: &str) -> Client {
    let mut cfg = Config::new(sim.url().parse().expect("url"));
    cfg.root_cert = Some(vec![sim.ca_der().to_vec()]);
    cfg.auth_info.token = Some(token.to_string().into());
    Client::try_from(cfg).expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_status_objects_not_panics() {
    let sim = start(common::WEB).await;
    let http = sim.http_client(None).expect("https client");
    let url = format!("{}/apis/apps/v1/namespaces/shop/deployments", sim.url());
    let auth = format!("Bearer {}", backout::sim::auth::ADMIN_TOKEN);
    let r = http
        .post(&url)
        .header("Authorization", &auth)
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    let s: serde_json::Value = r.json().await.expect("status json");
    assert_eq!(
        (s["kind"].as_str(), s["reason"].as_str()),
        (Some("Status"), Some("BadRequest"))
    );
    let r = http
        .patch(format!("{url}/web"))
        .header("Authorization", &auth)
        .header("Content-Type", "application/json-patch+json")
        .body("[{\"op\":\"replace\"}]")
        .send()
        .await
        .expect("patch");
    assert!(r.status() == 400 || r.status() == 422, "{}", r.status());
    let r = http
        .get(format!("{url}?labelSelector=a%20in%20b"))
        .header("Authorization", &auth)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 400);
    let r = http.get(&url).send().await.expect("anonymous");
    assert_eq!(r.status(), 401);
    let r = http
        .get(format!("{}/apis/nope/v1/things", sim.url()))
        .header("Authorization", &auth)
        .send()
        .await
        .expect("404");
    assert_eq!(r.status(), 404);
    let r = http
        .get(format!("{url}?watch=1&resourceVersion=1"))
        .header("Authorization", &auth)
        .send()
        .await
        .expect("watch");
    assert_eq!(r.status(), 200);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_recovers_from_dropped_watches_and_410() {
    let sim = start(common::WEB).await;
    let client = client(&sim, "backout-sim").await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "shop");
    let deploys: Api<Deployment> = Api::namespaced(client, "shop");
    let (reader, writer) = reflector::store::<Pod>();
    let stream = watcher(pods, watcher::Config::default().labels("app=web"))
        .default_backoff()
        .reflect(writer)
        .applied_objects();
    let errors = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let errs = errors.clone();
    let task = tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(ev) = stream.next().await {
            if ev.is_err() {
                errs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    });
    reader.wait_until_ready().await.expect("initial list");
    assert_eq!(reader.state().len(), 3);
    let ready_pods = |n: usize| {
        let reader = reader.clone();
        move || {
            let reader = reader.clone();
            async move {
                let s = reader.state();
                s.len() == n
                    && s.iter().all(|p| {
                        p.status
                            .as_ref()
                            .and_then(|s| s.conditions.as_ref())
                            .is_some_and(|c| {
                                c.iter().any(|c| c.type_ == "Ready" && c.status == "True")
                            })
                    })
            }
        }
    };

    // A dropped watch: the watcher re-watches from its last resource version.
    sim.shared().drop_watches();
    deploys
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"spec": {"replicas": 4}})),
        )
        .await
        .expect("scale");
    eventually("4 ready pods after a dropped watch", ready_pods(4)).await;

    // 410: history forgotten and watches closed; the resume gets an in-stream ERROR 410,
    // and the watcher re-lists.
    sim.shared().force_gone();
    deploys
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"spec": {"replicas": 2}})),
        )
        .await
        .expect("scale");
    eventually("2 pods after a 410", ready_pods(2)).await;
    assert!(
        errors.load(std::sync::atomic::Ordering::Relaxed) >= 1,
        "the 410 surfaced as a watcher error"
    );

    // 500s from the API server: the watcher backs off and keeps going. The faults last
    // until the watcher has met one (a pause fixed in advance could end before a slow
    // machine's watcher asked again).
    let before = errors.load(std::sync::atomic::Ordering::Relaxed);
    sim.shared().set_faults(backout::sim::ApiFaults {
        latency_ms: 0,
        error_ratio: 1.0,
    });
    sim.shared().drop_watches();
    eventually("the watcher to meet a 500", || {
        let errors = errors.clone();
        async move { errors.load(std::sync::atomic::Ordering::Relaxed) > before }
    })
    .await;
    sim.shared().set_faults(backout::sim::ApiFaults::default());
    deploys
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"spec": {"replicas": 3}})),
        )
        .await
        .expect("scale");
    eventually("3 pods after API faults", ready_pods(3)).await;
    task.abort();
    sim.shutdown().await;
}

/// Reads a raw watch until `n` lines or the stream ends.
async fn watch_lines(
    resp: reqwest::Response,
    n: usize,
    within: Duration,
) -> Vec<serde_json::Value> {
    let mut resp = resp;
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    while out.len() < n {
        let chunk = match tokio::time::timeout_at(deadline, resp.chunk()).await {
            Ok(Ok(Some(c))) => c,
            _ => break,
        };
        buf.extend_from_slice(&chunk);
        while let Some(i) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=i).collect();
            out.push(serde_json::from_slice(&line).expect("each watch line is JSON"));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_watch_resumes_sends_bookmarks_times_out_and_expires() {
    let scenario = Scenario::parse(common::WEB, "test.yaml").expect("scenario");
    let sim = Simulator::start(SimConfig {
        speed: 20.0,
        scenario: Some(scenario),
        bookmark_interval: Duration::from_millis(200),
        ..SimConfig::default()
    })
    .await
    .expect("starts");
    let http = sim.http_client(None).expect("https client");
    let auth = format!("Bearer {}", backout::sim::auth::ADMIN_TOKEN);
    let base = format!("{}/apis/apps/v1/namespaces/shop/deployments", sim.url());
    let list: serde_json::Value = http
        .get(&base)
        .header("Authorization", &auth)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .expect("rv")
        .to_string();

    // Resume from the list's version: a change arrives as MODIFIED, then bookmarks.
    let resp = http
        .get(&base)
        .header("Authorization", &auth)
        .query(&[
            ("watch", "1"),
            ("resourceVersion", rv.as_str()),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", "3"),
        ])
        .send()
        .await
        .expect("watch");
    let client = client(&sim, "backout-sim").await;
    let deploys: Api<Deployment> = Api::namespaced(client, "shop");
    deploys
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"metadata": {"labels": {"watched": "yes"}}})),
        )
        .await
        .expect("patch");
    let events = watch_lines(resp, 200, Duration::from_secs(10)).await;
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "MODIFIED"
                && e["object"]["metadata"]["labels"]["watched"] == "yes"),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "BOOKMARK" && e["object"]["kind"] == "Deployment"),
        "{events:?}"
    );
    // timeoutSeconds=3 ended the stream (we asked for up to 200 lines within 10 s).
    assert!(events.len() < 200);

    // A version older than the history: 200 with one ERROR event carrying a 410 Status.
    sim.shared().force_gone();
    let resp = http
        .get(&base)
        .header("Authorization", &auth)
        .query(&[("watch", "1"), ("resourceVersion", rv.as_str())])
        .send()
        .await
        .expect("watch");
    assert_eq!(resp.status(), 200);
    let events = watch_lines(resp, 2, Duration::from_secs(5)).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "ERROR");
    assert_eq!(events[0]["object"]["code"], 410);
    assert_eq!(events[0]["object"]["reason"], "Expired");

    // A label-selected watch sees an object leave the selection as DELETED.
    let pods_url = format!("{}/api/v1/namespaces/shop/pods", sim.url());
    let now_rv = sim.shared().store.current_rv().to_string();
    let resp = http
        .get(&pods_url)
        .header("Authorization", &auth)
        .query(&[
            ("watch", "1"),
            ("resourceVersion", now_rv.as_str()),
            ("labelSelector", "app=web,tier!=gone"),
        ])
        .send()
        .await
        .expect("watch");
    let pods: Api<Pod> = Api::namespaced(
        client_for_token(&sim, backout::sim::auth::ADMIN_TOKEN),
        "shop",
    );
    let name = pods.list(&ListParams::default()).await.expect("list").items[0]
        .metadata
        .name
        .clone()
        .unwrap_or_default();
    pods.patch(
        &name,
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"metadata": {"labels": {"tier": "gone"}}})),
    )
    .await
    .expect("relabel");
    let events = watch_lines(resp, 1, Duration::from_secs(5)).await;
    assert_eq!(
        events
            .first()
            .map(|e| (e["type"].clone(), e["object"]["metadata"]["name"].clone())),
        Some(("DELETED".into(), name.clone().into()))
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_bodies_get_4xx_and_the_cluster_keeps_working() {
    let sim = start(common::WEB).await;
    let http = sim.http_client(None).expect("https client");
    let auth = format!("Bearer {}", backout::sim::auth::ADMIN_TOKEN);
    let deploys = format!("{}/apis/apps/v1/namespaces/shop/deployments", sim.url());
    let pods = format!("{}/api/v1/namespaces/shop/pods", sim.url());
    let pod_name = sim
        .shared()
        .store
        .list(backout::sim::res("", "pods"), Some("shop"))
        .1[0]["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let creates = [
        "[]",
        "\"str\"",
        "{\"metadata\":\"x\"}",
        "{\"metadata\":{\"name\":\"a\"},\"spec\":[]}",
        "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"replicas\":\"many\"}}",
        "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"selector\":{\"matchLabels\":\"x\",\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\"}]},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}",
        "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":\"x\"}}}",
        "{\"metadata\":{\"name\":\"Not A Name\"}}",
    ];
    for body in creates {
        let r = http
            .post(&deploys)
            .header("Authorization", &auth)
            .body(body)
            .send()
            .await
            .expect("post");
        assert!(r.status().is_client_error(), "{body}: {}", r.status());
        let s: serde_json::Value = r.json().await.expect("a Status");
        assert_eq!(s["kind"], "Status", "{body}");
    }
    let patches = [
        (
            "application/strategic-merge-patch+json",
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":\"x\"}}}}",
        ),
        (
            "application/strategic-merge-patch+json",
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[1,2]}}}}",
        ),
        ("application/strategic-merge-patch+json", "[1]"),
        (
            "application/strategic-merge-patch+json",
            "{\"$patch\":\"explode\"}",
        ),
        (
            "application/merge-patch+json",
            "{\"spec\":{\"template\":{\"metadata\":{\"labels\":null}}}}",
        ),
        ("application/json-patch+json", "{\"op\":\"add\"}"),
        ("application/apply-patch+yaml", "spec: {}"),
    ];
    for (ct, body) in patches {
        let r = http
            .patch(format!("{deploys}/web"))
            .header("Authorization", &auth)
            .header("Content-Type", ct)
            .body(body)
            .send()
            .await
            .expect("patch");
        assert!(r.status().is_client_error(), "{ct} {body}: {}", r.status());
    }
    let statuses = [
        "{\"status\":\"x\"}",
        "{\"status\":{\"conditions\":\"x\"}}",
        "{\"status\":{\"containerStatuses\":[1]}}",
        "{\"status\":{\"containerStatuses\":[{\"state\":\"x\"}]}}",
    ];
    for body in statuses {
        let r = http
            .patch(format!("{pods}/{pod_name}/status"))
            .header("Authorization", &auth)
            .header("Content-Type", "application/merge-patch+json")
            .body(body)
            .send()
            .await
            .expect("status patch");
        assert!(r.status().is_client_error(), "{body}: {}", r.status());
    }
    // Odd but valid writes the controllers must survive.
    for (url, body) in [
        (
            format!("{deploys}/web"),
            "{\"metadata\":{\"annotations\":null,\"labels\":{\"x\":\"y\"}},\"spec\":{\"strategy\":{\"type\":\"Bogus\"}}}",
        ),
        (
            format!("{pods}/{pod_name}/status"),
            "{\"status\":{\"containerStatuses\":[{\"state\":{\"waiting\":\"odd\"}}]}}",
        ),
    ] {
        let r = http
            .patch(url)
            .header("Authorization", &auth)
            .header("Content-Type", "application/merge-patch+json")
            .body(body)
            .send()
            .await
            .expect("patch");
        assert_eq!(r.status(), 200, "{body}");
    }
    let client = client(&sim, "backout-sim").await;
    let api: Api<Deployment> = Api::namespaced(client, "shop");
    api.patch(
        "web",
        &PatchParams::default(),
        &Patch::Merge(
            serde_json::json!({"spec": {"replicas": 4, "strategy": {"type": "RollingUpdate"}}}),
        ),
    )
    .await
    .expect("scale");
    eventually("the cluster still converges", || {
        let api = api.clone();
        async move {
            api.get("web")
                .await
                .ok()
                .and_then(|d| d.status)
                .and_then(|s| s.available_replicas)
                == Some(4)
        }
    })
    .await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_with_streaming_lists() {
    let sim = start(common::WEB).await;
    let client = client(&sim, "backout-sim").await;
    let pods: Api<Pod> = Api::namespaced(client, "shop");
    let (reader, writer) = reflector::store::<Pod>();
    let stream = watcher(pods, watcher::Config::default().streaming_lists())
        .default_backoff()
        .reflect(writer)
        .applied_objects();
    let task = tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while stream.next().await.is_some() {}
    });
    tokio::time::timeout(Duration::from_secs(20), reader.wait_until_ready())
        .await
        .expect("initial events end")
        .expect("ready");
    assert_eq!(reader.state().len(), 3);
    task.abort();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_resource_version_semantics() {
    let sim = start(common::WEB).await;
    let http = sim.http_client(None).expect("https client");
    let auth = format!("Bearer {}", backout::sim::auth::ADMIN_TOKEN);
    let url = format!("{}/api/v1/namespaces/shop/pods", sim.url());
    let current = sim.shared().store.current_rv();
    let get = |q: Vec<(&'static str, String)>| {
        let http = http.clone();
        let url = url.clone();
        let auth = auth.clone();
        async move {
            http.get(&url)
                .header("Authorization", &auth)
                .query(&q)
                .send()
                .await
                .expect("list")
                .status()
                .as_u16()
        }
    };
    assert_eq!(get(vec![("resourceVersion", "0".into())]).await, 200);
    assert_eq!(
        get(vec![
            ("resourceVersion", (current - 1).to_string()),
            ("resourceVersionMatch", "NotOlderThan".into())
        ])
        .await,
        200
    );
    assert_eq!(
        get(vec![("resourceVersion", (current + 1000).to_string())]).await,
        504
    );
    // Something changes; the old version can no longer be served exactly.
    let client = client(&sim, "backout-sim").await;
    let deploys: Api<Deployment> = Api::namespaced(client, "shop");
    deploys
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"spec": {"replicas": 4}})),
        )
        .await
        .expect("scale");
    eventually("a pod write", || async {
        sim.shared().store.current_rv() > current + 2
    })
    .await;
    assert_eq!(
        get(vec![
            ("resourceVersion", current.to_string()),
            ("resourceVersionMatch", "Exact".into())
        ])
        .await,
        410
    );
    assert_eq!(
        get(vec![
            ("resourceVersion", current.to_string()),
            ("resourceVersionMatch", "Sometimes".into())
        ])
        .await,
        400
    );
    sim.shutdown().await;
}
