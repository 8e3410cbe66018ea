//! `backout sim`: runs the simulated Kubernetes API server until Ctrl-C.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{CliError, SimArgs};
use crate::sim::{Policy, Scenario, SimConfig, Simulator};

/// Where scenario names are looked up: `$BACKOUT_DRILLS`, else `runbooks/drills`.
pub fn drills_dir() -> PathBuf {
    std::env::var_os("BACKOUT_DRILLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("runbooks/drills"))
}

/// Caps glibc malloc arenas at two. The simulator allocates many small JSON nodes from
/// many threads; with one arena per thread, freed memory stays fragmented across arenas
/// and resident memory grows by half again (measured in `benches/sim_scale.rs`).
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; it is called before the runtime
    // starts any thread, and M_ARENA_MAX with a positive value is always valid.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Runs the simulator.
pub fn run(args: SimArgs) -> Result<ExitCode, CliError> {
    limit_malloc_arenas();
    let listen: SocketAddr = args
        .listen
        .parse()
        .map_err(|e| CliError::Message(format!("invalid --listen {:?}: {e}", args.listen)))?;
    let policy = match &args.policy {
        Some(p) => Policy::load(p).map_err(|e| CliError::Message(e.to_string()))?,
        None => Policy::default(),
    };
    let scenario = match &args.scenario {
        Some(s) => {
            Some(Scenario::load(s, &drills_dir()).map_err(|e| CliError::Message(e.to_string()))?)
        }
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let config = SimConfig {
            listen,
            speed: args.speed,
            seed: args.seed,
            policy,
            scenario,
            ..SimConfig::default()
        };
        let handle = Simulator::start(config)
            .await
            .map_err(|e| CliError::Message(e.to_string()))?;
        println!("backout sim listening on {}", handle.url());
        if let Some(path) = &args.kubeconfig_out {
            handle
                .write_kubeconfig(path)
                .map_err(|e| CliError::Message(e.to_string()))?;
            println!("kubeconfig written to {}", display(path));
        }
        if let Some(path) = &args.ca_out {
            std::fs::write(path, handle.ca_pem()).map_err(|e| {
                CliError::Message(format!("cannot write CA certificate {}: {e}", display(path)))
            })?;
            println!("CA certificate written to {}", display(path));
        }
        println!(
            "metrics: {}/sim/metrics   health: {}/sim/health/<namespace>/<app>   (HTTPS; CA in the kubeconfig or --ca-out)",
            handle.url(),
            handle.url()
        );
        tokio::signal::ctrl_c().await?;
        handle.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
