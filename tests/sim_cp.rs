//! Real kubectl 1.32 `cp` against the simulator (issue 16, "What to build" 1): kubectl
//! runs `tar cf - SRC` in the container over exec and untars its stdout (kubectl
//! pkg/cmd/cp/cp.go, `copyFromPod`); the simulated container's `tar` writes a GNU tar
//! archive of the files it knows, member names without the leading `/` (as GNU tar),
//! which kubectl strips of the source's prefix (`untarAll`).

mod common;

use common::{Sim, WEB};

fn first_pod(sim: &Sim) -> String {
    sim.ok(&[
        "-n",
        "shop",
        "get",
        "pods",
        "-l",
        "app=web",
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ])
}

#[test]
fn cp_from_a_pod_copies_files_and_directories_through_tar() {
    let sim = Sim::start(WEB, 20.0);
    let pod = first_pod(&sim);
    let out = sim.dir.path().join("hostname");
    let (code, _stdout, stderr) = sim.run(&[
        "cp",
        &format!("shop/{pod}:/etc/hostname"),
        &out.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&out).expect("copied file"),
        format!("{pod}\n")
    );

    let dir = sim.dir.path().join("etc-copy");
    let (code, _stdout, stderr) =
        sim.run(&["cp", &format!("shop/{pod}:/etc"), &dir.to_string_lossy()]);
    assert_eq!(code, 0, "{stderr}");
    let resolv = std::fs::read_to_string(dir.join("resolv.conf")).expect("resolv.conf copied");
    assert!(resolv.contains("search shop.svc.cluster.local"), "{resolv}");
    assert!(
        std::fs::read_to_string(dir.join("hosts"))
            .expect("hosts copied")
            .contains(&pod)
    );
}
