//! Real kubectl 1.32 `cp` against the simulator (issue 16, "What to build" 1): kubectl
//! runs `tar cf - SRC` in the container over exec and untars its stdout (kubectl
//! pkg/cmd/cp/cp.go, `copyFromPod`); the simulated container's `tar` writes a GNU tar
//! archive of the files it knows, member names without the leading `/` (as GNU tar),
//! which kubectl strips of the source's prefix (`untarAll`).

mod common;

use common::{Sim, WEB};

#[test]
fn cp_from_a_pod_copies_files_and_directories_through_tar() {
    let sim = Sim::start(WEB, 20.0);
    let pod = sim.pod_name("shop", Some("web"), 0);
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

/// `kubectl cp FILE POD:/tmp/…` runs `test -d DEST`, then `tar -xmf - -C <dir>` fed the
/// archive kubectl writes (kubectl pkg/cmd/cp/cp.go, `checkDestinationIsDir`,
/// `copyToPod`, `makeTar`); the file lands in the container's scratch directory, so a
/// later exec reads it, and a directory copies with its tree. Into a read-only path GNU
/// tar answers "Cannot open: Read-only file system" and exits 2, which kubectl reports as
/// "command terminated with exit code 2" (client-go tools/remotecommand/v4.go) and exits
/// with (kubectl pkg/cmd/util/helpers.go `CheckErr`: an `ExitError` keeps its code).
#[test]
fn cp_into_a_pod_writes_scratch_directories_and_refuses_read_only_ones() {
    let sim = Sim::start(WEB, 20.0);
    let pod = sim.pod_name("shop", Some("web"), 0);
    let local = sim.dir.path().join("notes.txt");
    std::fs::write(&local, "flag=on\nsecond line\n").expect("local file");
    let (code, _stdout, stderr) = sim.run(&[
        "cp",
        &local.to_string_lossy(),
        &format!("shop/{pod}:/tmp/notes.txt"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        sim.ok(&["exec", "-n", "shop", &pod, "--", "cat", "/tmp/notes.txt"]),
        "flag=on\nsecond line\n"
    );

    // Into an existing directory: the file keeps its name; a directory keeps its tree.
    let tree = sim.dir.path().join("conf");
    std::fs::create_dir_all(tree.join("sub")).expect("local dir");
    std::fs::write(tree.join("sub/app.yaml"), "level: debug\n").expect("local file");
    let (code, _stdout, stderr) =
        sim.run(&["cp", &local.to_string_lossy(), &format!("shop/{pod}:/tmp")]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _stdout, stderr) = sim.run(&[
        "cp",
        &tree.to_string_lossy(),
        &format!("shop/{pod}:/tmp/conf"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        sim.ok(&[
            "exec",
            "-n",
            "shop",
            &pod,
            "--",
            "cat",
            "/tmp/conf/sub/app.yaml"
        ]),
        "level: debug\n"
    );
    assert_eq!(
        sim.ok(&["exec", "-n", "shop", &pod, "--", "ls", "/tmp"]),
        "conf\nnotes.txt\n"
    );
    // Another pod's file system is its own.
    let other = sim.pod_name("shop", Some("web"), 1);
    let (code, _stdout, stderr) =
        sim.run(&["exec", "-n", "shop", &other, "--", "cat", "/tmp/notes.txt"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cat: /tmp/notes.txt: No such file or directory"),
        "{stderr}"
    );

    // A read-only path: GNU tar's refusal, exit 2.
    let (code, _stdout, stderr) = sim.run(&[
        "cp",
        &local.to_string_lossy(),
        &format!("shop/{pod}:/etc/notes.txt"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("tar: notes.txt: Cannot open: Read-only file system"),
        "{stderr}"
    );
    assert!(
        stderr.contains("command terminated with exit code 2"),
        "{stderr}"
    );
    let (code, _stdout, _stderr) =
        sim.run(&["exec", "-n", "shop", &pod, "--", "cat", "/etc/notes.txt"]);
    assert_eq!(code, 1);
}
