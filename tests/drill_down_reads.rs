//! The drill-down views' reads against the simulator through kube-rs, the console's
//! client: describe of a crash-looping pod shows its BackOff event (kubectl's
//! `pkg/describe/describe.go` layout), the bad deploy's revision diff shows the image
//! change, and a log stream delivers the pod's lines and stops when its view closes.

mod common;

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use tokio::sync::mpsc;

use backout::adapters::kube::reads::Reader;
use backout::domain::cluster::{ClusterRead, ReadAnswer, Target};
use backout::runtime::cluster_exec::{ClusterExec, ClusterFeed};
use backout::sim::{Scenario, SimConfig, SimHandle, Simulator};
use backout::ui::msg::Msg;

/// `web` whose version 1.3 crashes 2 s after every start (BackOff events follow).
const FAULTY: &str = common::CRASHES_AT_1_3;

/// The next read answer on `rx` (other messages skipped): `(view, answer)`.
async fn next_read_answer(rx: &mut mpsc::Receiver<Msg>) -> (u64, ReadAnswer) {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("an answer")
            .expect("the channel is open");
        if let Msg::ClusterRead { view, answer } = msg {
            return (view, answer);
        }
    }
}

async fn start() -> (SimHandle, Client) {
    let scenario = Scenario::parse(FAULTY, "faulty.yaml").expect("scenario");
    let sim = Simulator::start(SimConfig {
        speed: 20.0,
        scenario: Some(scenario),
        ..SimConfig::default()
    })
    .await
    .expect("simulator starts");
    let kc = Kubeconfig::from_yaml(&sim.kubeconfig_yaml()).expect("kubeconfig");
    let opts = KubeConfigOptions {
        context: Some("backout-sim".into()),
        ..KubeConfigOptions::default()
    };
    let cfg = Config::from_custom_kubeconfig(kc, &opts)
        .await
        .expect("config");
    (sim, Client::try_from(cfg).expect("client"))
}

async fn eventually<F, Fut, T>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while tokio::time::Instant::now() < deadline {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Deploys the crashing 1.3 and waits for its pod to have restarted twice.
async fn crash_loop(client: &Client) -> String {
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "shop");
    let patch = serde_json::json!({"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "shop/web:1.3"}]}}}});
    deploys
        .patch("web", &PatchParams::default(), &Patch::Strategic(&patch))
        .await
        .expect("set image");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "shop");
    eventually("a crash-looping pod", || {
        let pods = pods.clone();
        async move {
            let list = pods.list(&ListParams::default()).await.ok()?;
            list.items.into_iter().find_map(|p| {
                let image = p.spec.as_ref()?.containers.first()?.image.clone()?;
                let restarts = p
                    .status
                    .as_ref()?
                    .container_statuses
                    .as_ref()?
                    .first()?
                    .restart_count;
                (image == "shop/web:1.3" && restarts >= 2).then(|| p.metadata.name.clone())?
            })
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_shows_the_back_off_and_the_revision_diff_the_image_change() {
    let (_sim, client) = start().await;
    let pod = crash_loop(&client).await;
    let reader = Reader::new(client.clone(), "shop", "web");
    let described = eventually("a BackOff event", || {
        let (reader, pod) = (reader.clone(), pod.clone());
        async move {
            let text = reader.once(&ClusterRead::DescribePod { pod }).await.ok()?;
            text.contains("Warning  BackOff").then_some(text)
        }
    })
    .await;
    assert!(described.starts_with("Name:"), "{described}");
    assert!(
        described.contains("    Image:          shop/web:1.3"),
        "{described}"
    );
    assert!(
        described.contains("    Last State:     Terminated"),
        "{described}"
    );
    assert!(described.contains("Restart Count:"), "{described}");
    assert!(
        described.contains("Back-off restarting failed container app in pod"),
        "{described}"
    );

    // The current revision is 3 (1.3); revision 2 (1.2) is the good one.
    let diff = reader
        .once(&ClusterRead::RevisionDiff { revision: 2 })
        .await
        .expect("diff");
    assert!(diff.contains("\n-    image: shop/web:1.3\n"), "{diff}");
    assert!(diff.contains("\n+    image: shop/web:1.2\n"), "{diff}");
    let yaml = reader
        .once(&ClusterRead::PodYaml { pod: pod.clone() })
        .await
        .expect("yaml");
    assert!(yaml.contains("kind: Pod"), "{yaml}");
    assert!(!yaml.contains("managedFields"), "{yaml}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previous_logs_show_the_crash_after_a_restart_and_the_kubelets_refusal_before() {
    let (_sim, client) = start().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "shop");
    let healthy = pods
        .list(&ListParams::default())
        .await
        .expect("pods")
        .items
        .into_iter()
        .find_map(|p| p.metadata.name)
        .expect("a pod");
    let reader = Reader::new(client.clone(), "shop", "web");
    let previous = |pod: String| ClusterRead::Logs {
        pod,
        container: Some("app".into()),
        previous: true,
        since_seconds: None,
    };
    let (out, mut answers) = mpsc::channel(64);
    reader.logs(&previous(healthy.clone()), out).await;
    let mut got = Vec::new();
    while let Some(a) = answers.recv().await {
        got.push(a);
    }
    assert_eq!(
        got,
        vec![ReadAnswer::Ended(Some(format!(
            "previous terminated container \"app\" in pod \"{healthy}\" not found"
        )))]
    );

    let crashed = crash_loop(&client).await;
    let (out, mut answers) = mpsc::channel(64);
    reader.logs(&previous(crashed), out).await;
    let mut lines = Vec::new();
    while let Some(a) = answers.recv().await {
        match a {
            ReadAnswer::Lines(more) => lines.extend(more),
            ReadAnswer::Ended(end) => assert_eq!(end, None, "not followed: it ends"),
            other => panic!("{other:?}"),
        }
    }
    assert!(
        lines
            .last()
            .is_some_and(|l| l.contains("level=fatal msg=\"panic: runtime error")),
        "the previous run's panic: {:?}",
        lines.last()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_stream_delivers_lines_and_stops_when_its_view_closes() {
    let (_sim, client) = start().await;
    let pod = crash_loop(&client).await;
    let exec = ClusterExec::new(
        ClusterFeed {
            watch_client: client.clone(),
            client: client.clone(),
            target: Target::new("shop", "web"),
            read_only: true,
            server: String::new(),
        },
        "test-session",
    );
    let logs = |pod: &str| ClusterRead::Logs {
        pod: pod.to_string(),
        container: None,
        previous: false,
        since_seconds: None,
    };
    // A crash-looping container: its last run's log, ending in the panic, and the stream
    // ends with the run (the kubelet's follow stops when the container exits).
    let (tx, mut rx) = mpsc::channel::<Msg>(64);
    exec.read(6, logs(&pod), tx);
    let mut containers = None;
    let mut lines: Vec<String> = Vec::new();
    loop {
        let (view, answer) = next_read_answer(&mut rx).await;
        assert_eq!(view, 6);
        match answer {
            ReadAnswer::Containers { all, chosen } => containers = Some((all, chosen)),
            ReadAnswer::Lines(more) => lines.extend(more),
            ReadAnswer::Ended(None) => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        containers,
        Some((vec!["app".to_string()], "app".to_string()))
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.contains("panic: runtime error") && l.ends_with("version=1.3")),
        "the crashing version's panic last: {lines:?}"
    );

    // The running 1.2 pod: its log goes on growing while the view follows it.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "shop");
    let healthy = eventually("the running 1.2 pod", || {
        let pods = pods.clone();
        async move {
            let list = pods.list(&ListParams::default()).await.ok()?;
            list.items.into_iter().find_map(|p| {
                let image = p.spec.as_ref()?.containers.first()?.image.clone()?;
                (image == "shop/web:1.2").then(|| p.metadata.name.clone())?
            })
        }
    })
    .await;
    let (tx, mut rx) = mpsc::channel::<Msg>(64);
    exec.read(7, logs(&healthy), tx);
    let mut batches = 0;
    while batches < 3 {
        let (view, answer) = next_read_answer(&mut rx).await;
        assert_eq!(view, 7);
        match answer {
            ReadAnswer::Containers { .. } => {}
            ReadAnswer::Lines(more) => {
                assert!(more.iter().all(|l| l.contains("level=")), "{more:?}");
                batches += 1;
            }
            other => panic!("the stream ended early: {other:?}"),
        }
    }
    assert_eq!(exec.reads_running(), 1, "following: the stream stays open");
    exec.stop_read(7);
    let stopped = eventually("the stream stopped", || {
        let n = exec.reads_running();
        async move { (n == 0).then_some(()) }
    })
    .await;
    assert_eq!(stopped, ());
    // Once the task is gone, its sender is dropped: the channel ends.
    loop {
        match tokio::time::timeout(Duration::from_secs(60), rx.recv()).await {
            Ok(Some(msg)) => assert!(
                matches!(msg, Msg::ClusterRead { view: 7, .. }),
                "only lines sent before the stop"
            ),
            Ok(None) => break,
            Err(_) => panic!("the stopped stream still holds the console's channel"),
        }
    }
}
