//! Which program a shell command line runs (after `sudo`, `env`, assignments), and the
//! programs that make an unlabelled block read as shell.

/// Words that may stand before the command itself.
fn skip_prefix<'a>(words: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>) {
    while let Some(&w) = words.peek() {
        let assignment = w
            .split_once('=')
            .is_some_and(|(name, _)| is_name(name) && !name.is_empty());
        if assignment || matches!(w, "sudo" | "env" | "time" | "command" | "nohup" | "exec") {
            words.next();
            if w == "sudo" {
                // sudo's own options (`-E`, `-u user`).
                while let Some(&opt) = words.peek() {
                    if !opt.starts_with('-') {
                        break;
                    }
                    words.next();
                    if matches!(opt, "-u" | "-g" | "-h" | "-p" | "-C") {
                        words.next();
                    }
                }
            }
        } else {
            break;
        }
    }
}

/// The program a command line runs first (after `sudo`, `env`, assignments, …).
pub(super) fn program(line: &str) -> Option<&str> {
    let mut words = line.split_whitespace().peekable();
    skip_prefix(&mut words);
    let word = words.next()?;
    Some(word.rsplit('/').next().unwrap_or(word))
}

/// True when a command line runs `kubectl`.
pub(super) fn invokes_kubectl(line: &str) -> bool {
    program(line) == Some("kubectl")
}

/// A shell variable's (and an environment variable's) name: a letter or `_`, then letters,
/// digits and `_` (POSIX's "name").
pub(in crate::domain::runbook) fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Programs that make an unlabelled block read as shell.
pub(super) const KNOWN_PROGRAMS: &[&str] = &[
    "kubectl",
    "helm",
    "kustomize",
    "argocd",
    "flux",
    "istioctl",
    "linkerd",
    "stern",
    "oc",
    "eksctl",
    "curl",
    "wget",
    "http",
    "git",
    "gh",
    "docker",
    "podman",
    "aws",
    "gcloud",
    "gsutil",
    "az",
    "terraform",
    "vault",
    "consul",
    "nomad",
    "jq",
    "yq",
    "psql",
    "pg_dump",
    "pg_restore",
    "mysql",
    "redis-cli",
    "mongosh",
    "flyway",
    "liquibase",
    "watch",
    "export",
    "echo",
    "cat",
    "grep",
    "ssh",
    "scp",
    "make",
    "npm",
    "npx",
    "yarn",
    "python",
    "python3",
    "systemctl",
    "journalctl",
    "sleep",
    "for",
    "while",
    "if",
    "cd",
    "ls",
    "tail",
    "head",
    "awk",
    "sed",
    "openssl",
    "dig",
    "nslookup",
    "ping",
    "hey",
    "k6",
    "bash",
    "sh",
    "source",
    "set",
    "date",
];
