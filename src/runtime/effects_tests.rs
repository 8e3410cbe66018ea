//! Each family of effects reaches its own executor: one effect of every family goes
//! through `Executors::execute`, and each executor's own answer (or mark) comes back. The
//! executors are real; the journal is in memory, and there is no cluster, sink, Argo CD
//! server or deploy API, so the answers are those each executor gives without them.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::adapters::verify::{Prober, TimeScale};
use crate::domain::cluster::{ReadOnlyQuery, Target};
use crate::domain::deploy_api::CurlCall;
use crate::domain::journal::{Entry, Record};
use crate::domain::notify::{IncidentFacts, MessageKind, Outgoing};
use crate::domain::runbook::StepId;
use crate::domain::verify::{Check, CheckSource, Probe, ShellProbe};
use crate::runtime::argo_exec::{ArgoExec, ArgoSetup};
use crate::runtime::deploy_api_exec::DeployApiExec;
use crate::runtime::drafts::DraftExec;
use crate::runtime::journal_port::JournalAppend;
use crate::runtime::verification::VerifyFeed;
use crate::ui::effect::{
    ArgoEffect, ClusterEffect, DeployApiEffect, DrillEffect, JournalEffect, MetricsEffect,
    NotifyEffect, ShellEffect,
};
use crate::ui::state::argo::ArgoCall;
use crate::ui::state::messaging::NotifyEvent;
use crate::ui::state::verification::{VerifyEffect, VerifyMsg};

/// Keeps what it is asked to append, and says it could not write it.
struct Appended(Arc<Mutex<Vec<Entry>>>);

impl JournalAppend for Appended {
    fn append(&mut self, entry: Entry) -> Result<Record, String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
        Err("kept in memory".into())
    }
}

fn check() -> Check {
    Check {
        name: "smoke".into(),
        probe: Probe::Shell(ShellProbe {
            command: "true".into(),
        }),
        window: Some(Duration::from_secs(60)),
        every: Duration::from_secs(60),
        source: CheckSource::FrontMatter { index: 1 },
        step: StepId(0),
    }
}

/// A local port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a local port");
    listener.local_addr().expect("its address").port()
}

/// Which executor a message comes from, for the messages this test's effects cause.
fn family_of(msg: &Msg) -> Option<&'static str> {
    Some(match msg {
        Msg::Journaled { req: 11, .. } => "journal",
        Msg::Exited { run: 21, .. } => "shell",
        Msg::ClusterConnectFailed { generation: 31, .. } => "cluster connect",
        Msg::NativeRead { run: 32, .. } => "cluster read",
        Msg::Verify(VerifyMsg::Finished { run: 41, .. }) => "verify",
        Msg::Notify(NotifyEvent::Finished { key, .. }) if key == "k-61" => "notify deliver",
        Msg::DraftSaved { key, .. } if key == "k-62" => "notify draft",
        Msg::Argo { op: 71, .. } => "argo",
        Msg::DeployApi { op: 81, .. } => "deploy api",
        _ => return None,
    })
}

#[tokio::test]
async fn each_family_of_effects_reaches_its_executor() {
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    let journal = Arc::new(Mutex::new(Vec::new()));
    let started = Arc::new(AtomicBool::new(false));
    let started_by = started.clone();
    let baseline_request = Arc::new(AtomicBool::new(false));
    let no_argo = ArgoSetup {
        env: vec![
            ("ARGOCD_SERVER".into(), String::new()),
            ("ARGOCD_AUTH_TOKEN".into(), String::new()),
        ],
        ca_pem: None,
        runbook: None,
    };
    let mut exec = Executors {
        journal: JournalWriter::start(Appended(journal.clone()), tx.clone()),
        shell: ShellExec::new(Vec::new()),
        cluster: ClusterEffects::default(),
        baseline_request: baseline_request.clone(),
        notify: NotifyExec {
            notifier: None,
            drafts: DraftExec::default(),
        },
        verify: Some(VerifyExec::new(VerifyFeed {
            prober: Prober::new(Duration::from_secs(10)),
            checks: vec![check()],
            scale: TimeScale::new(600.0),
        })),
        drill: DrillStart(Some(Box::new(move || {
            started_by.store(true, Ordering::SeqCst)
        }))),
        argo: ArgoExec::new(no_argo.clone()),
        deploy_api: DeployApiExec::new(no_argo),
        tx: tx.clone(),
    };
    let note = Entry::NoteAdded {
        text: "reached".into(),
        step: None,
    };
    let outgoing = |key: &str| Outgoing {
        at_ms: 0,
        key: key.into(),
        kind: MessageKind::StatusUpdate,
        text: "status".into(),
        incident: IncidentFacts::default(),
    };
    exec.execute(vec![
        Effect::Drill(DrillEffect::Start),
        Effect::Journal(JournalEffect::Append {
            req: 11,
            entry: note.clone(),
        }),
        Effect::Shell(ShellEffect::Spawn {
            run: 21,
            script: "true".into(),
            env: Vec::new(),
        }),
        Effect::Cluster(ClusterEffect::Connect {
            generation: 31,
            target: Target::new("shop", "web"),
        }),
        Effect::Cluster(ClusterEffect::NativeRead {
            run: 32,
            query: ReadOnlyQuery::RolloutHistory { revision: Some(2) },
        }),
        Effect::Verify(VerifyEffect::Start {
            check: 0,
            run: 41,
            probe: check().probe,
        }),
        Effect::Metrics(MetricsEffect::ReadBaselines),
        Effect::Notify(NotifyEffect::Deliver {
            sink: "slack".into(),
            msg: Box::new(outgoing("k-61")),
        }),
        Effect::Notify(NotifyEffect::Draft {
            key: "k-62".into(),
            template: "status_update".into(),
            text: "status".into(),
        }),
        Effect::Argo(ArgoEffect::Run {
            op: 71,
            text: "argocd app history web".into(),
            call: ArgoCall::Read,
        }),
        Effect::DeployApi(DeployApiEffect::Request {
            op: 81,
            call: CurlCall {
                method: "GET".into(),
                url: format!("http://127.0.0.1:{}/deployment/status", closed_port()),
                headers: Vec::new(),
                token_env: None,
                data: None,
                fail: false,
                jq: None,
            },
            token: None,
        }),
        Effect::Quit,
    ]);
    // The drill's start and the baseline request are marks, set on the spot.
    assert!(
        started.load(Ordering::SeqCst),
        "the drill's timeline started"
    );
    assert!(
        baseline_request.load(Ordering::SeqCst),
        "the metrics task was asked for baselines"
    );
    let expected: BTreeSet<&str> = [
        "journal",
        "shell",
        "cluster connect",
        "cluster read",
        "verify",
        "notify deliver",
        "notify draft",
        "argo",
        "deploy api",
    ]
    .into();
    let mut seen = BTreeSet::new();
    let waited = tokio::time::timeout(Duration::from_secs(60), async {
        while seen != expected {
            let Some(msg) = rx.recv().await else { break };
            if let Some(family) = family_of(&msg) {
                seen.insert(family);
            }
        }
    })
    .await;
    assert!(
        waited.is_ok() && seen == expected,
        "answered: {seen:?}, expected: {expected:?}"
    );
    assert_eq!(
        *journal.lock().unwrap_or_else(|e| e.into_inner()),
        vec![note],
        "the journal writer appended the entry"
    );
    if let Some(v) = exec.verify.as_mut() {
        v.stop_all();
    }
    exec.journal.finish();
}
