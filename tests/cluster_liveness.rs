//! A silent API server (connections open, nothing passes) shows as stale, and live again
//! once it answers. A blackhole TCP proxy sits between the console's kube client and the
//! simulator: it forwards bytes both ways until switched to swallow them, when it stops
//! reading (so open connections stay open and pass nothing, as behind a stuck NAT or a
//! SIGSTOPped server). kube-runtime's watcher has no liveness of its own; the console's
//! `GET /version` probe (client-go's `/version` health check, `kubectl version`) does. The
//! same with a `backout sim` child process stopped by SIGSTOP.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use backout::adapters::kube::spawn_watchers;
use backout::domain::cluster::{ClusterEvent, Stream, Target, WatchState};
use common::{Sim, WEB};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// Copies `from` to `to` while the proxy passes; while it swallows, holds off (reads
/// nothing, sends nothing).
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    swallow: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while swallow.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        while swallow.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// Starts the proxy to `upstream`; returns its address.
async fn blackhole_proxy(upstream: String, swallow: Arc<AtomicBool>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy binds");
    let addr = listener.local_addr().expect("proxy address").to_string();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let swallow = swallow.clone();
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(pipe(cr, sw, swallow.clone()));
                tokio::spawn(pipe(sr, cw, swallow));
            });
        }
    });
    addr
}

/// `kubeconfig` with its server behind a new blackhole proxy (same host name, which the
/// certificate names; the proxy's port).
fn through_proxy(sim: &Sim, kubeconfig: &str, swallow: Arc<AtomicBool>) -> String {
    let server_line = kubeconfig
        .lines()
        .find(|l| l.trim_start().starts_with("server:"))
        .expect("a server line");
    let url = server_line
        .trim_start()
        .trim_start_matches("server:")
        .trim()
        .trim_matches('"');
    let hostport = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let proxy = sim
        .runtime
        .block_on(blackhole_proxy(hostport.clone(), swallow));
    let host = hostport.rsplit_once(':').expect("host:port").0;
    let port = proxy.rsplit_once(':').expect("host:port").1;
    let proxied = url.replace(&hostport, &format!("{host}:{port}"));
    kubeconfig.replace(url, &proxied)
}

/// Receives until `pred` holds on a watch state, waiting `limit` at most.
fn until_state(
    sim: &Sim,
    rx: &mut mpsc::Receiver<ClusterEvent>,
    limit: Duration,
    what: &str,
    mut pred: impl FnMut(Stream, &WatchState) -> bool,
) {
    sim.runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let msg = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
                .expect("watchers running");
            if let ClusterEvent::WatchState { stream, state } = &msg
                && pred(*stream, state)
            {
                return;
            }
        }
    });
}

#[test]
fn a_silent_api_server_turns_the_streams_stale_and_they_recover() {
    let sim = Sim::start(WEB, 20.0);
    let kubeconfig = std::fs::read_to_string(&sim.kubeconfig).expect("kubeconfig");
    let swallow = Arc::new(AtomicBool::new(false));
    let proxied = through_proxy(&sim, &kubeconfig, swallow.clone());
    std::fs::write(&sim.kubeconfig, proxied).expect("kubeconfig");
    let (mut rx, _handle) = sim.watch_web();
    until_state(
        &sim,
        &mut rx,
        Duration::from_secs(30),
        "live pods",
        |s, st| s == Stream::Pods && st.is_live(),
    );

    swallow.store(true, Ordering::SeqCst);
    // The default liveness bounds: stale at most 10 s after the server falls silent;
    // 30 s is a generous upper bound on waiting, not a timing assertion.
    let mut silent = std::collections::BTreeSet::new();
    until_state(
        &sim,
        &mut rx,
        Duration::from_secs(30),
        "silent streams",
        |s, st| {
            if matches!(st, WatchState::Silent { .. }) {
                silent.insert(format!("{s:?}"));
            }
            silent.len() == 3
        },
    );

    swallow.store(false, Ordering::SeqCst);
    let mut live = std::collections::BTreeSet::new();
    until_state(
        &sim,
        &mut rx,
        Duration::from_secs(30),
        "live again",
        |s, st| {
            if st.is_live() {
                live.insert(format!("{s:?}"));
            }
            live.len() == 3
        },
    );
}

/// A connection to `sim` through a proxy that swallows every byte while `swallow` is set
/// (a network partition), with a 2 s request timeout.
fn connected_through_a_partitionable_proxy(
    sim: &Sim,
) -> (Arc<AtomicBool>, backout::adapters::kube::Connection) {
    let kubeconfig = std::fs::read_to_string(&sim.kubeconfig).expect("kubeconfig");
    let swallow = Arc::new(AtomicBool::new(false));
    let proxied = through_proxy(sim, &kubeconfig, swallow.clone());
    std::fs::write(&sim.kubeconfig, proxied).expect("kubeconfig");
    let opts = backout::adapters::kube::ConnectOptions {
        kubeconfig: Some(sim.kubeconfig.clone()),
        context: Some("backout-sim".to_string()),
        request_timeout: Some(Duration::from_secs(2)),
        ..Default::default()
    };
    let conn = sim
        .runtime
        .block_on(backout::adapters::kube::connect(&opts))
        .expect("connects");
    (swallow, conn)
}

#[test]
fn a_request_during_a_partition_fails_within_its_timeout() {
    let sim = Sim::start(WEB, 20.0);
    let (swallow, conn) = connected_through_a_partitionable_proxy(&sim);
    sim.runtime
        .block_on(conn.client.apiserver_version())
        .expect("answers through the proxy");
    swallow.store(true, Ordering::SeqCst);
    // Without a request timeout this waits forever; 30 s bounds the wait, not the timeout.
    let answer = sim.runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(30), conn.client.apiserver_version()).await
    });
    let err = answer
        .expect("the request timed out by itself")
        .expect_err("nothing passes");
    assert!(format!("{err:?}").contains("TimedOut"), "{err:?}");
    swallow.store(false, Ordering::SeqCst);
}

#[test]
fn an_access_review_during_a_partition_fails_with_a_clear_time_out() {
    let sim = Sim::start(WEB, 20.0);
    let (swallow, conn) = connected_through_a_partitionable_proxy(&sim);
    let runner = backout::adapters::kube::ActionRunner::new(
        conn.client.clone(),
        Target::new("shop", "web"),
        false,
    );
    let undo = backout::domain::cluster::ClusterAction::Undo { to_revision: None };
    swallow.store(true, Ordering::SeqCst);
    let answer = sim.runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(30), runner.preflight(&undo)).await
    });
    let err = answer
        .expect("the review timed out by itself")
        .expect_err("nothing passes");
    assert!(
        matches!(err, backout::adapters::kube::ActionError::TimedOut { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "access review: no answer from the API server within the request timeout \
         (--request-timeout, 10 s by default)"
    );
    // The console's executor names the server that did not answer.
    let exec = backout::runtime::cluster_exec::ClusterExec::new(
        backout::runtime::cluster_exec::ClusterFeed {
            client: conn.client.clone(),
            watch_client: conn.watch_client.clone(),
            target: Target::new("shop", "web"),
            read_only: false,
            server: conn.server.clone(),
        },
        "test-session",
    );
    let step = sim.runtime.block_on(async {
        let (tx, mut rx) = mpsc::channel(8);
        exec.execute(
            backout::ui::effect::ClusterEffect::Preflight {
                op: 7,
                action: undo.clone(),
            },
            tx,
        );
        tokio::time::timeout(Duration::from_secs(60), rx.recv()).await
    });
    let Ok(Some(backout::ui::msg::Msg::ClusterStep {
        op: 7,
        step: backout::ui::state::cluster::ClusterStep::Preflight(Err(message)),
    })) = step
    else {
        panic!("no failed preflight: {step:?}");
    };
    assert!(conn.server.contains("127.0.0.1:"), "{}", conn.server);
    assert_eq!(
        message,
        format!(
            "access review: no answer from the API server at {} within the request timeout \
             (--request-timeout, 10 s by default)",
            conn.server
        )
    );
    swallow.store(false, Ordering::SeqCst);
}

/// A `backout sim` child process; continued and killed when dropped, so that a failing
/// test leaves no stopped process behind.
struct SimProcess(std::process::Child);

impl SimProcess {
    fn signal(&self, sig: libc::c_int) {
        let pid = libc::pid_t::try_from(self.0.id()).expect("pid fits");
        // SAFETY: kill(2) with the pid of our own child and a valid signal number.
        let rc = unsafe { libc::kill(pid, sig) };
        assert_eq!(rc, 0, "kill({pid}, {sig})");
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        self.signal(libc::SIGCONT);
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_sigstopped_simulator_turns_the_streams_stale_and_sigcont_brings_them_back() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("kc");
    let child = Command::new(env!("CARGO_BIN_EXE_backout"))
        .args(["sim", "--scenario", "bad-deploy", "--kubeconfig-out"])
        .arg(&kubeconfig)
        .stdout(Stdio::null())
        .spawn()
        .expect("backout sim starts");
    let sim_process = SimProcess(child);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let waited = std::time::Instant::now();
    while !kubeconfig.exists() {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "kubeconfig not written"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The file may be mid-write: connect until it reads whole.
    let conn = loop {
        let opts = backout::adapters::kube::ConnectOptions {
            kubeconfig: Some(kubeconfig.clone()),
            ..Default::default()
        };
        match runtime.block_on(backout::adapters::kube::connect(&opts)) {
            Ok(c) => break c,
            Err(e) => {
                assert!(waited.elapsed() < Duration::from_secs(30), "{e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    let (tx, mut rx) = mpsc::channel(1024);
    let _handle = {
        let _guard = runtime.enter();
        spawn_watchers(
            conn.watch_client.clone(),
            &Target::new("checkout", "checkout-api"),
            tx,
        )
    };
    let until =
        |rx: &mut mpsc::Receiver<ClusterEvent>, what: &str, want: &dyn Fn(&WatchState) -> bool| {
            let mut seen = std::collections::BTreeSet::new();
            runtime.block_on(async {
                let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
                while seen.len() < 3 {
                    let msg = tokio::time::timeout_at(deadline, rx.recv())
                        .await
                        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
                        .expect("watchers running");
                    if let ClusterEvent::WatchState { stream, state } = &msg
                        && want(state)
                    {
                        seen.insert(format!("{stream:?}"));
                    }
                }
            });
        };
    until(&mut rx, "live streams", &|st| st.is_live());
    sim_process.signal(libc::SIGSTOP);
    until(&mut rx, "silent streams", &|st| {
        matches!(st, WatchState::Silent { .. })
    });
    sim_process.signal(libc::SIGCONT);
    until(&mut rx, "live again", &|st| st.is_live());
}
