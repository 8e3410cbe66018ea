//! A kubectl line that changes something and runs in the shell is previewed first: the
//! console runs it with `--dry-run=server -o yaml` (the server admits, defaults and
//! validates it, nothing is stored) and reads the live object (`kubectl get … -o yaml`),
//! and the diff between the two is shown before the line may run. `delete` prints only
//! names, so its preview is the server's verdict and the whole live object removed.

use super::Diff;
use super::diff::text_diff;
use super::shell_words::words;

/// The two kubectl runs that preview a changing line (argv, `kubectl` first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePreview {
    /// The line with `--dry-run=server` and `-o yaml` (`-o name` for `delete`).
    pub dry_run: Vec<String>,
    /// `kubectl get <the objects> -o yaml` with the line's namespace and context, when
    /// the objects can be named.
    pub live: Option<Vec<String>>,
    /// The line deletes: the dry run prints names, not the object after.
    pub deletes: bool,
    /// `scale --replicas=N`: kubectl prints the object as it was read, not scaled, so
    /// the object after is the live one with `spec.replicas` set to this.
    pub scale_to: Option<String>,
}

/// What one preview run printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// Exited 0.
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// The answers of a preview's two runs (`live` absent when it had none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewAnswer {
    pub dry_run: Captured,
    pub live: Option<Captured>,
}

/// Verbs that change something and take `--dry-run=server`.
const PREVIEWED: &[&str] = &[
    "apply",
    "create",
    "replace",
    "patch",
    "delete",
    "label",
    "annotate",
    "scale",
    "set",
    "autoscale",
    "expose",
    "taint",
];

/// Flags whose value is the next word.
const TAKES_VALUE: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-f",
    "--filename",
    "-l",
    "--selector",
    "-p",
    "--patch",
    "--patch-file",
    "--type",
    "--replicas",
    "--current-replicas",
    "-c",
    "--containers",
    "--container",
    "--to-revision",
    "--from",
    "--field-manager",
    "-o",
    "--output",
    "--timeout",
    "-k",
    "--kustomize",
    "--grace-period",
    "--resource-version",
    "--subresource",
    "--env",
    "-e",
    "--image",
    "--port",
    "--max",
    "--min",
    "--cpu-percent",
    "--name",
    "--dry-run",
    "--cascade",
];

/// Flags the live read keeps (where the object is).
const WHERE: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
];

/// How a kubectl line is previewed: `Ok(None)` when it is not a kubectl line that
/// changes something (nothing to preview), `Err(why)` when it changes something but
/// cannot be previewed (shell syntax, a verb without `--dry-run`).
pub fn preview_of(line: &str) -> Result<Option<LinePreview>, String> {
    let first = line.split_whitespace().next().unwrap_or_default();
    if first != "kubectl" && !first.ends_with("/kubectl") {
        return Ok(None);
    }
    let words = match words(line) {
        Ok(w) => w,
        Err(why) if changes(line) => {
            return Err(format!(
                "the line is shell, not one kubectl command ({why})"
            ));
        }
        Err(_) => return Ok(None),
    };
    let mut positional: Vec<&str> = Vec::new();
    let mut dry_run: Vec<String> = vec![words[0].clone()];
    let mut live_flags: Vec<String> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    let mut selector: Option<String> = None;
    let mut replicas: Option<String> = None;
    let mut i = 1;
    while i < words.len() {
        let w = words[i].as_str();
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) if n.starts_with('-') => (n, Some(v)),
            _ => (w, None),
        };
        if !w.starts_with('-') || w == "-" {
            positional.push(w);
            dry_run.push(w.to_string());
            i += 1;
            continue;
        }
        let takes = TAKES_VALUE.contains(&name) && inline.is_none();
        let value = if takes {
            words.get(i + 1).map(String::as_str)
        } else {
            inline
        };
        // The line's own output and dry-run give way to the preview's.
        let ours = matches!(name, "-o" | "--output" | "--dry-run");
        if !ours {
            dry_run.push(w.to_string());
            if takes && let Some(v) = value {
                dry_run.push(v.to_string());
            }
        }
        if WHERE.contains(&name)
            && let Some(v) = value
        {
            live_flags.push(name.to_string());
            live_flags.push(v.to_string());
        }
        if matches!(name, "-f" | "--filename")
            && let Some(v) = value
        {
            files.push(v.to_string());
        }
        if matches!(name, "-l" | "--selector") {
            selector = value.map(str::to_string);
        }
        if name == "--replicas" {
            replicas = value.map(str::to_string);
        }
        i += if takes { 2 } else { 1 };
    }
    let Some((&verb, rest)) = positional.split_first() else {
        return Ok(None);
    };
    if verb == "rollout" {
        return match rest.first() {
            Some(&"undo") => Ok(Some(build(
                dry_run,
                live_flags,
                objects(&rest[1..]),
                files,
                selector,
                false,
            ))),
            Some(sub @ (&"restart" | &"pause" | &"resume")) => Err(format!(
                "kubectl rollout {sub} has no --dry-run: the server cannot preview it"
            )),
            _ => Ok(None),
        };
    }
    if !PREVIEWED.contains(&verb) {
        return Ok(None);
    }
    // `set image`, `create deployment NAME`: the sub-command is not an object.
    let rest = match verb {
        "set" => rest.get(1..).unwrap_or_default(),
        "create" if files.is_empty() => rest,
        _ => rest,
    };
    let objs = match verb {
        "create" if files.is_empty() => rest
            .first()
            .zip(rest.get(1))
            .map(|(kind, name)| vec![format!("{kind}/{name}")])
            .unwrap_or_default(),
        _ => objects(rest),
    };
    let mut p = build(dry_run, live_flags, objs, files, selector, verb == "delete");
    if verb == "scale" {
        p.scale_to = replicas;
    }
    Ok(Some(p))
}

/// Whether a line that is not one plain command still reads as a change (for the
/// refusal's wording).
fn changes(line: &str) -> bool {
    line.split_whitespace()
        .skip(1)
        .find(|w| !w.starts_with('-'))
        .is_some_and(|v| PREVIEWED.contains(&v) || v == "rollout")
}

/// The objects named in a line's positional words: `kind/name …`, or `kind name …`;
/// `key=value` and `key-` words (labels, annotations, images, env) are not objects.
fn objects(rest: &[&str]) -> Vec<String> {
    let names: Vec<&str> = rest
        .iter()
        .copied()
        .filter(|w| !w.contains('=') && !w.ends_with('-'))
        .collect();
    if names.iter().any(|w| w.contains('/')) {
        return names
            .into_iter()
            .filter(|w| w.contains('/'))
            .map(str::to_string)
            .collect();
    }
    match names.split_first() {
        Some((kind, names)) if !names.is_empty() => {
            names.iter().map(|n| format!("{kind}/{n}")).collect()
        }
        _ => Vec::new(),
    }
}

fn build(
    mut dry_run: Vec<String>,
    live_flags: Vec<String>,
    objects: Vec<String>,
    files: Vec<String>,
    selector: Option<String>,
    deletes: bool,
) -> LinePreview {
    dry_run.push("--dry-run=server".into());
    dry_run.push("-o".into());
    dry_run.push(if deletes { "name" } else { "yaml" }.into());
    let mut live: Vec<String> = vec!["kubectl".into()];
    live.extend(live_flags);
    live.push("get".into());
    let what = if !files.is_empty() {
        live.extend(files.into_iter().flat_map(|f| ["-f".to_string(), f]));
        true
    } else if !objects.is_empty() {
        live.extend(objects);
        true
    } else {
        false
    };
    let live = what.then(|| {
        if let Some(s) = selector {
            live.push(format!("--selector={s}"));
        }
        live.push("-o".into());
        live.push("yaml".into());
        live
    });
    LinePreview {
        dry_run,
        live,
        deletes,
        scale_to: None,
    }
}

/// The live object's YAML with its top-level `spec.replicas` set to `to`.
fn scaled(live: &str, to: &str) -> String {
    let mut in_spec = false;
    let mut done = false;
    let mut out = String::with_capacity(live.len());
    for line in live.lines() {
        if !line.starts_with(' ') {
            in_spec = line == "spec:";
        }
        if in_spec && !done && line.starts_with("  replicas: ") {
            out.push_str("  replicas: ");
            out.push_str(to);
            done = true;
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The diff the operator reads before the line runs: live object → the server's dry
/// run (everything removed for a delete). `None` when there is nothing to compare (the
/// live read failed or there was none, or the dry run failed).
pub fn preview_diff(p: &LinePreview, a: &PreviewAnswer) -> Option<Diff> {
    let live = a.live.as_ref()?;
    if !a.dry_run.ok {
        return None;
    }
    // An object that does not exist yet (a create) is all new.
    let before = if live.ok { live.stdout.as_str() } else { "" };
    let after = match (&p.scale_to, p.deletes) {
        (_, true) => String::new(),
        (Some(to), _) => scaled(before, to),
        (None, _) => a.dry_run.stdout.clone(),
    };
    Some(text_diff(before, &after, 3))
}

/// A Secret's values (`data:`, `stringData:`) replaced by `‹redacted›` in YAML kubectl
/// printed, so a preview never puts them on screen; other objects unchanged.
pub fn redact_secret_data(yaml: &str) -> String {
    if !yaml.lines().any(|l| l.trim() == "kind: Secret") {
        return yaml.to_string();
    }
    let mut out = String::with_capacity(yaml.len());
    // The indentation of the `data:` key being walked, while inside one.
    let mut inside: Option<usize> = None;
    for line in yaml.lines() {
        let indent = line.len() - line.trim_start().len();
        let key = line.trim_start().trim_start_matches("- ");
        if inside.is_some_and(|at| indent <= at && !line.trim().is_empty()) {
            inside = None;
        }
        if inside.is_some() {
            match line.split_once(": ") {
                Some((k, _)) => {
                    out.push_str(k);
                    out.push_str(": ");
                    out.push_str(crate::domain::redact::REDACTED);
                }
                None if line.trim().is_empty() => {}
                None => {
                    out.push_str(&line[..indent]);
                    out.push_str(crate::domain::redact::REDACTED);
                }
            }
            out.push('\n');
            continue;
        }
        if key == "data:" || key == "stringData:" {
            inside = Some(indent);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn delete_of_the_target_is_dry_run_with_names_and_the_live_object_read() {
        let p = preview_of("kubectl delete deployment/checkout-api -n checkout")
            .expect("previewable")
            .expect("a change");
        assert_eq!(
            p.dry_run,
            argv("kubectl delete deployment/checkout-api -n checkout --dry-run=server -o name")
        );
        assert_eq!(
            p.live,
            Some(argv(
                "kubectl -n checkout get deployment/checkout-api -o yaml"
            ))
        );
        assert!(p.deletes);
    }

    #[test]
    fn where_the_object_is_goes_to_the_live_read() {
        let p =
            preview_of("kubectl --context prod -n payments label deploy payments-api tier=gold")
                .expect("ok")
                .expect("a change");
        assert_eq!(
            p.live,
            Some(argv(
                "kubectl --context prod -n payments get deploy/payments-api -o yaml"
            ))
        );
        assert_eq!(
            p.dry_run,
            argv(
                "kubectl --context prod -n payments label deploy payments-api tier=gold --dry-run=server -o yaml"
            )
        );
        assert!(!p.deletes);
    }

    #[test]
    fn files_are_read_live_from_the_same_files_and_the_lines_own_output_gives_way() {
        let p = preview_of("kubectl apply -f deploy.yaml -o name --dry-run=client")
            .expect("ok")
            .expect("a change");
        assert_eq!(
            p.dry_run,
            argv("kubectl apply -f deploy.yaml --dry-run=server -o yaml")
        );
        assert_eq!(p.live, Some(argv("kubectl get -f deploy.yaml -o yaml")));
    }

    #[test]
    fn set_and_rollout_undo_name_their_object_after_the_sub_command() {
        let p = preview_of("kubectl set image deployment/web web=shop/web:1.2 -n shop")
            .expect("ok")
            .expect("a change");
        assert_eq!(
            p.live,
            Some(argv("kubectl -n shop get deployment/web -o yaml"))
        );
        let p = preview_of("kubectl rollout undo deployment web --to-revision=3")
            .expect("ok")
            .expect("a change");
        assert_eq!(p.live, Some(argv("kubectl get deployment/web -o yaml")));
        assert_eq!(
            p.dry_run,
            argv("kubectl rollout undo deployment web --to-revision=3 --dry-run=server -o yaml")
        );
    }

    #[test]
    fn reads_need_no_preview_and_verbs_without_dry_run_say_so() {
        for line in [
            "kubectl get pods",
            "kubectl rollout status deployment/web",
            "kubectl logs -f deploy/web",
            "echo kubectl delete pod x",
        ] {
            assert_eq!(preview_of(line), Ok(None), "{line}");
        }
        assert_eq!(
            preview_of("kubectl rollout restart deployment/web"),
            Err("kubectl rollout restart has no --dry-run: the server cannot preview it".into())
        );
        assert!(
            preview_of("kubectl delete pod $(cat name)")
                .expect_err("shell")
                .starts_with("the line is shell")
        );
    }

    #[test]
    fn the_diff_runs_from_the_live_object_to_the_dry_run() {
        let p = preview_of("kubectl scale deployment/web --replicas=0")
            .unwrap()
            .unwrap();
        let answer = PreviewAnswer {
            dry_run: Captured {
                ok: true,
                stdout: "kind: Deployment\nspec:\n  replicas: 0\n".into(),
                stderr: String::new(),
            },
            live: Some(Captured {
                ok: true,
                stdout: "kind: Deployment\nspec:\n  replicas: 3\n".into(),
                stderr: String::new(),
            }),
        };
        let d = preview_diff(&p, &answer).expect("a diff");
        assert_eq!((d.added, d.removed), (1, 1));
        // kubectl scale prints the object as read, unscaled: the diff is the intent.
        let unscaled = PreviewAnswer {
            dry_run: answer.live.clone().expect("live"),
            live: answer.live.clone(),
        };
        assert_eq!(preview_diff(&p, &unscaled), Some(d.clone()));
        assert!(d.lines.contains(&"-  replicas: 3".to_string()), "{d:?}");
        assert!(d.lines.contains(&"+  replicas: 0".to_string()), "{d:?}");
        // A delete removes the whole object.
        let p = preview_of("kubectl delete deployment/web")
            .unwrap()
            .unwrap();
        let d = preview_diff(&p, &answer).expect("a diff");
        assert_eq!((d.added, d.removed), (0, 3));
    }

    #[test]
    fn a_secrets_values_never_reach_the_preview() {
        let yaml = "apiVersion: v1\ndata:\n  password: aHVudGVyMg==\n  token: |\n    c2VjcmV0\nkind: Secret\nmetadata:\n  name: db\n";
        let out = redact_secret_data(yaml);
        assert!(!out.contains("aHVudGVyMg=="), "{out}");
        assert!(!out.contains("c2VjcmV0"), "{out}");
        assert!(out.contains("  password: ‹redacted›"), "{out}");
        assert!(out.contains("metadata:\n  name: db"), "{out}");
        let cm = "data:\n  a: b\nkind: ConfigMap\n";
        assert_eq!(redact_secret_data(cm), cm);
    }
}
