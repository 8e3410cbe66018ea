//! `kubectl get pods -w` on the console's own target: the console already watches those
//! pods live (the Pods pane), so such a line follows the pane instead of streaming text.

use super::Target;
use super::shell_words::words;

/// Whether `line` is `kubectl get pods --watch` (`-w`, `po`, `pod`, `pods`) in the
/// console's namespace and context (given or left to the default), optionally narrowed
/// by a label selector, printing the default table. Any other flag (`-A`, `-o`, a name,
/// `--watch-only`) is `false`: the line streams its own text.
pub fn follows_pods_pane(line: &str, target: &Target) -> bool {
    let Ok(words) = words(line) else {
        return false;
    };
    let mut args = words.iter().map(String::as_str);
    let program = args.next().unwrap_or_default();
    if program != "kubectl" && !program.ends_with("/kubectl") {
        return false;
    }
    let (mut verb, mut resource, mut watch) = (false, false, false);
    let mut namespace: Option<&str> = None;
    let mut context: Option<&str> = None;
    while let Some(a) = args.next() {
        match a {
            "get" if !verb => verb = true,
            "po" | "pod" | "pods" if verb && !resource => resource = true,
            "-w" | "--watch" | "--watch=true" => watch = true,
            "-n" | "--namespace" => namespace = args.next(),
            "--context" => context = args.next(),
            "-l" | "--selector" => {
                if args.next().is_none() {
                    return false;
                }
            }
            _ => {
                if let Some(ns) = a
                    .strip_prefix("--namespace=")
                    .or_else(|| a.strip_prefix("-n="))
                {
                    namespace = Some(ns);
                } else if let Some(c) = a.strip_prefix("--context=") {
                    context = Some(c);
                } else if let Some(ns) = a.strip_prefix("-n").filter(|s| !s.is_empty()) {
                    namespace = Some(ns);
                } else if !(a.starts_with("--selector=") || a.starts_with("-l=")) {
                    return false;
                }
            }
        }
    }
    verb && resource
        && watch
        && namespace.is_none_or(|ns| ns == target.namespace)
        && context.is_none_or(|c| target.context.as_deref() == Some(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            context: Some("prod-eu".into()),
            namespace: "checkout".into(),
            deployment: "checkout-api".into(),
        }
    }

    #[test]
    fn a_pods_watch_on_the_target_follows_the_pane() {
        for line in [
            "kubectl get pods -w",
            "kubectl get pods -n checkout -w",
            "kubectl -n checkout get po --watch",
            "kubectl get pod -l app=checkout-api -w --namespace=checkout",
            "kubectl --context prod-eu get pods -ncheckout -w",
        ] {
            assert!(follows_pods_pane(line, &target()), "{line}");
        }
    }

    #[test]
    fn anything_else_streams_its_own_text() {
        for line in [
            "kubectl get pods",
            "kubectl get pods -w -n payments",
            "kubectl get pods -w -A",
            "kubectl get pods -w -o wide",
            "kubectl get pods checkout-api-1 -w",
            "kubectl --context staging get pods -w",
            "kubectl get deploy -w",
            "kubectl logs -f deploy/checkout-api",
            "watch kubectl get pods",
            "kubectl get pods -w | grep Crash",
        ] {
            assert!(!follows_pods_pane(line, &target()), "{line}");
        }
    }
}
