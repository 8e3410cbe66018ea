//! The simulator the cluster benches share: one Deployment `big` of `pods` pods in
//! namespace `big`, at real speed, with a kubeconfig for it and a connection made the way
//! the console makes it.

use std::path::PathBuf;
use std::time::Instant;

use backout::adapters::kube::{ConnectOptions, Connection, connect};
use backout::sim::{Scenario, SimConfig, SimHandle, Simulator};

// Each bench reads the fields it needs (cluster_scale has no use for the kubeconfig path).
#[allow(dead_code)]
pub struct BigSimulator {
    pub sim: SimHandle,
    pub kubeconfig: PathBuf,
    pub conn: Connection,
    /// The kubeconfig's directory: keep it for as long as the bench runs.
    pub dir: tempfile::TempDir,
}

/// Starts the simulator (scenario `name`) and connects to it.
pub async fn start(name: &str, pods: usize) -> BigSimulator {
    let yaml = format!(
        "name: {name}\nnamespace: big\napps:\n  - {{name: big, replicas: {pods}, image: shop/big, version: \"1.0\", rps: 0, service: false}}\n"
    );
    let scenario = Scenario::parse(&yaml, &format!("{name}.yaml")).expect("scenario");
    let t = Instant::now();
    let sim = Simulator::start(SimConfig {
        speed: 1.0,
        scenario: Some(scenario),
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    println!("simulator with {pods} pods started in {:.1?}", t.elapsed());
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).expect("kubeconfig");
    let conn = connect(&ConnectOptions {
        kubeconfig: Some(kubeconfig.clone()),
        context: Some("backout-sim".into()),
        ..ConnectOptions::default()
    })
    .await
    .expect("connect");
    BigSimulator {
        sim,
        kubeconfig,
        conn,
        dir,
    }
}
