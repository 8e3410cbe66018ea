//! A scenario played on the runbook's own target.
//!
//! A team drilling its own runbook (`backout drill --runbook ours.md`) reads kubectl lines
//! naming *its* deployment and namespace (`kubectl rollout undo deployment/app -n
//! production`). The built-in scenarios hold `checkout-api` in `checkout`; run as written,
//! every line of the runbook would answer "not found" and the drill would teach the wrong
//! thing. So before the simulator starts, the scenario's application is renamed to the
//! runbook's deployment and its namespace to the runbook's namespace: the same incident,
//! on the names the runbook uses.
//!
//! Only what is unambiguous is renamed: the deployment when the scenario has exactly one
//! application (with two, as in a blue/green switch, which one the runbook means is not
//! knowable); never a scenario with Argo CD applications or a deploy service, whose
//! manifests and API name their deployments themselves.

use super::scenario::Scenario;

/// What [`Scenario::retarget`] changed, for the drill's intro.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retargeted {
    /// `(scenario's name, runbook's name)` of the renamed deployment.
    pub deployment: Option<(String, String)>,
    /// `(scenario's, runbook's)` namespace.
    pub namespace: Option<(String, String)>,
    /// The runbook's deployment, when the scenario could not take its name (and why).
    pub kept: Option<String>,
}

impl Retargeted {
    /// One line for the drill's intro, when anything was renamed or could not be.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some((from, to)) = &self.deployment {
            parts.push(format!("deployment {to} (the scenario's {from})"));
        }
        if let Some((from, to)) = &self.namespace {
            parts.push(format!("namespace {to} (the scenario's {from})"));
        }
        let mut line = if parts.is_empty() {
            String::new()
        } else {
            format!(
                "The simulated cluster runs your runbook's target: {}.",
                parts.join(", ")
            )
        };
        if let Some(why) = &self.kept {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(why);
        }
        (!line.is_empty()).then_some(line)
    }
}

impl Scenario {
    /// Renames the scenario's application and namespace to the runbook's `deployment` and
    /// `namespace` (see the module documentation for when it does not).
    pub fn retarget(&mut self, namespace: Option<&str>, deployment: Option<&str>) -> Retargeted {
        let mut out = Retargeted::default();
        if self.argocd.is_some() || self.deploy_api.is_some() {
            if deployment.is_some_and(|d| !self.apps.iter().any(|a| a.name == d)) {
                out.kept = Some(format!(
                    "This scenario's Argo CD or deploy service names its own deployments ({}); \
                     your runbook's lines name {}.",
                    self.app_names(),
                    deployment.unwrap_or_default()
                ));
            }
            return out;
        }
        if let Some(ns) = namespace.filter(|ns| !ns.is_empty() && *ns != self.namespace) {
            let old = std::mem::replace(&mut self.namespace, ns.to_string());
            let rename = |slot: &mut Option<String>| {
                if slot.as_deref() == Some(old.as_str()) {
                    *slot = Some(ns.to_string());
                }
            };
            self.apps.iter_mut().for_each(|a| rename(&mut a.namespace));
            self.configmaps
                .iter_mut()
                .for_each(|c| rename(&mut c.namespace));
            self.services
                .iter_mut()
                .for_each(|s| rename(&mut s.namespace));
            for entry in &mut self.timeline {
                if let Some(c) = &mut entry.configmap {
                    rename(&mut c.namespace);
                }
            }
            out.namespace = Some((old, ns.to_string()));
        }
        let Some(name) = deployment.filter(|d| !d.is_empty()) else {
            return out;
        };
        if self.apps.iter().any(|a| a.name == name) {
            return out;
        }
        if self.apps.len() != 1 {
            out.kept = Some(format!(
                "Your runbook's lines name deployment {name}; this scenario runs {}, so those \
                 lines will answer \"not found\".",
                self.app_names()
            ));
            return out;
        }
        let old = std::mem::replace(&mut self.apps[0].name, name.to_string());
        // `registry.local/checkout-api` → `registry.local/app`: the image is the app's.
        let image = &mut self.apps[0].image;
        if let Some(repo) = image.rsplit('/').next().filter(|r| *r == old) {
            let keep = image.len() - repo.len();
            image.replace_range(keep.., name);
        }
        for entry in &mut self.timeline {
            for app in [
                entry.deploy.as_mut().map(|d| &mut d.app),
                entry.set_env.as_mut().map(|s| &mut s.app),
                entry.scale.as_mut().map(|s| &mut s.app),
            ]
            .into_iter()
            .flatten()
            {
                if *app == old {
                    *app = name.to_string();
                }
            }
            if let Some(note) = &mut entry.note {
                *note = replace_word(note, &old, name);
            }
            if let Some(cause) = entry.deploy.as_mut().and_then(|d| d.change_cause.as_mut()) {
                *cause = replace_word(cause, &old, name);
            }
        }
        self.description = replace_word(&self.description, &old, name);
        out.deployment = Some((old, name.to_string()));
        out
    }

    /// The application the incident happens to: the first one the timeline deploys to,
    /// changes or scales, else the first one.
    pub fn primary_app(&self) -> Option<&super::scenario::AppSpec> {
        let acted = self.timeline.iter().find_map(|e| {
            e.deploy
                .as_ref()
                .map(|d| d.app.as_str())
                .or(e.set_env.as_ref().map(|s| s.app.as_str()))
                .or(e.scale.as_ref().map(|s| s.app.as_str()))
        });
        acted
            .and_then(|name| self.apps.iter().find(|a| a.name == name))
            .or(self.apps.first())
    }

    fn app_names(&self) -> String {
        self.apps
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `text` with every whole-word `from` (not part of a longer name such as
/// `checkout-api-v2`) replaced by `to`.
fn replace_word(text: &str, from: &str, to: &str) -> String {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let before = rest[..at].chars().next_back();
        let after_text = &rest[at + from.len()..];
        let after = after_text.chars().next();
        // A trailing `.` ends a sentence, it does not continue the name.
        let after_continues =
            after.is_some_and(|c| is_name(c) && (c != '.' || after_text[1..].starts_with(is_name)));
        out.push_str(&rest[..at]);
        if before.is_some_and(is_name) || after_continues {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = after_text;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::BUILTIN;

    fn builtin(name: &str) -> Scenario {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name).expect("built in");
        Scenario::parse(text, name).expect("parses")
    }

    #[test]
    fn bad_deploy_plays_on_the_runbook_s_deployment_and_namespace() {
        let mut s = builtin("bad-deploy");
        let r = s.retarget(Some("production"), Some("app"));
        assert_eq!(
            r.deployment,
            Some(("checkout-api".to_string(), "app".to_string()))
        );
        assert_eq!(
            r.namespace,
            Some(("checkout".to_string(), "production".to_string()))
        );
        assert_eq!(s.namespace, "production");
        assert_eq!(s.apps[0].name, "app");
        assert_eq!(s.apps[0].image, "registry.local/app");
        let causes: Vec<&str> = s
            .timeline
            .iter()
            .filter_map(|e| e.deploy.as_ref().and_then(|d| d.change_cause.as_deref()))
            .collect();
        assert_eq!(causes, ["CI pipeline #4812: app 1.6.0"]);
        let deploys: Vec<&str> = s
            .timeline
            .iter()
            .filter_map(|e| e.deploy.as_ref().map(|d| d.app.as_str()))
            .collect();
        assert!(!deploys.is_empty() && deploys.iter().all(|a| *a == "app"));
        assert!(
            s.description.starts_with("app 1.6.0 ships a bad build"),
            "{}",
            s.description
        );
        assert_eq!(
            r.describe().as_deref(),
            Some(
                "The simulated cluster runs your runbook's target: deployment app (the \
                 scenario's checkout-api), namespace production (the scenario's checkout)."
            )
        );
    }

    #[test]
    fn a_runbook_naming_the_scenario_s_own_target_changes_nothing() {
        let mut s = builtin("bad-deploy");
        let before = format!("{s:?}");
        let r = s.retarget(Some("checkout"), Some("checkout-api"));
        assert_eq!(r, Retargeted::default());
        assert_eq!(r.describe(), None);
        assert_eq!(format!("{s:?}"), before);
    }

    #[test]
    fn two_applications_keep_their_names_and_say_so() {
        let mut s = builtin("blue-green");
        assert!(s.apps.len() > 1, "blue-green has two applications");
        let names: Vec<String> = s.apps.iter().map(|a| a.name.clone()).collect();
        let r = s.retarget(None, Some("storefront"));
        assert_eq!(
            s.apps.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
            names
        );
        let line = r.describe().expect("says why");
        assert!(line.contains("name deployment storefront"), "{line}");
        assert!(line.contains(&names.join(", ")), "{line}");
    }

    #[test]
    fn argo_cd_scenarios_are_never_renamed() {
        let mut s = builtin("argocd-self-heal");
        let before = format!("{s:?}");
        let r = s.retarget(Some("elsewhere"), Some("other"));
        assert_eq!(format!("{s:?}"), before);
        assert!(r.describe().expect("says why").contains("Argo CD"));
    }

    #[test]
    fn the_primary_application_is_the_one_the_incident_happens_to() {
        assert_eq!(
            builtin("bad-deploy").primary_app().map(|a| a.name.as_str()),
            Some("checkout-api")
        );
        let mut s = builtin("bad-deploy");
        s.retarget(None, Some("app"));
        assert_eq!(s.primary_app().map(|a| a.name.as_str()), Some("app"));
    }

    #[test]
    fn only_whole_names_are_replaced() {
        assert_eq!(
            replace_word(
                "checkout-api 1.6 and checkout-api-v2, checkout-api.",
                "checkout-api",
                "app"
            ),
            "app 1.6 and checkout-api-v2, app."
        );
        assert_eq!(
            replace_word("my-checkout-api", "checkout-api", "x"),
            "my-checkout-api"
        );
    }
}
