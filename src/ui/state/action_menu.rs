//! The cluster actions menu's state: every native action on the target Deployment, the
//! key that picks it, and what the RBAC preflight said about it (a denied action is
//! shown greyed with the reason, never offered as if it would work).

use std::collections::BTreeMap;

use crate::domain::cluster::{ClusterAction, Preflight};

use crate::ui::action::Action;

/// The kinds of action the menu lists, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Undo,
    Pause,
    Resume,
    Restart,
    Scale,
    SetImage,
    SetEnv,
    SwitchSelector,
    DeletePods,
}

impl ActionKind {
    pub const ALL: [ActionKind; 9] = [
        ActionKind::Undo,
        ActionKind::Pause,
        ActionKind::Resume,
        ActionKind::Restart,
        ActionKind::Scale,
        ActionKind::SetImage,
        ActionKind::SetEnv,
        ActionKind::SwitchSelector,
        ActionKind::DeletePods,
    ];

    /// The keymap action (in the menu's mode) that picks this kind.
    pub fn key_action(self) -> Action {
        match self {
            ActionKind::Undo => Action::Undo,
            ActionKind::Pause => Action::Pause,
            ActionKind::Resume => Action::Resume,
            ActionKind::Restart => Action::Restart,
            ActionKind::Scale => Action::Scale,
            ActionKind::SetImage => Action::SetImage,
            ActionKind::SetEnv => Action::SetEnv,
            ActionKind::SwitchSelector => Action::SwitchSelector,
            ActionKind::DeletePods => Action::DeletePods,
        }
    }

    pub fn from_key_action(a: Action) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.key_action() == a)
    }

    /// The menu line.
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Undo => "rollout undo (to the selected revision)",
            ActionKind::Pause => "rollout pause",
            ActionKind::Resume => "rollout resume",
            ActionKind::Restart => "rollout restart",
            ActionKind::Scale => "scale…",
            ActionKind::SetImage => "set image…",
            ActionKind::SetEnv => "set env… (feature flag on/off)",
            ActionKind::SwitchSelector => "switch Service selector… (blue-green)",
            ActionKind::DeletePods => "delete pods by selector… (stuck rollout)",
        }
    }

    /// The kubectl command this kind stands for, with what is asked later in capitals
    /// (`--replicas=N`); undo to the revision selected in the Rollout pane.
    pub fn kubectl_template(self, c: &super::cluster::LiveCluster) -> String {
        let t = c.target();
        match self {
            ActionKind::Undo => ClusterAction::Undo {
                to_revision: c.undo_target(),
            }
            .kubectl_command(&t),
            ActionKind::Pause | ActionKind::Resume | ActionKind::Restart => {
                self.sample(None).kubectl_command(&t)
            }
            ActionKind::Scale => ClusterAction::Scale { replicas: 0 }
                .kubectl_command(&t)
                .replace("--replicas=0", "--replicas=N"),
            ActionKind::SetImage => ClusterAction::SetImage {
                container: c.container.clone().unwrap_or_else(|| "CONTAINER".into()),
                image: "IMAGE".into(),
            }
            .kubectl_command(&t),
            ActionKind::SetEnv => ClusterAction::SetEnv {
                container: None,
                changes: vec![crate::domain::cluster::EnvChange::Set {
                    name: "NAME".into(),
                    value: "VALUE".into(),
                }],
            }
            .kubectl_command(&t),
            ActionKind::SwitchSelector => ClusterAction::SwitchSelector {
                service: c.service.clone().unwrap_or_else(|| "SERVICE".into()),
                selector: [("KEY".to_string(), "VALUE".to_string())].into(),
            }
            .kubectl_command(&t),
            ActionKind::DeletePods => ClusterAction::DeletePods {
                selector: "SELECTOR".into(),
            }
            .kubectl_command(&t),
        }
    }

    /// An action of this kind for the RBAC preflight (the accesses needed do not
    /// depend on the values).
    pub fn sample(self, service: Option<&str>) -> ClusterAction {
        match self {
            ActionKind::Undo => ClusterAction::Undo { to_revision: None },
            ActionKind::Pause => ClusterAction::Pause,
            ActionKind::Resume => ClusterAction::Resume,
            ActionKind::Restart => ClusterAction::Restart,
            ActionKind::Scale => ClusterAction::Scale { replicas: 1 },
            ActionKind::SetImage => ClusterAction::SetImage {
                container: "*".into(),
                image: String::new(),
            },
            ActionKind::SetEnv => ClusterAction::SetEnv {
                container: None,
                changes: Vec::new(),
            },
            ActionKind::SwitchSelector => ClusterAction::SwitchSelector {
                service: service.unwrap_or_default().to_string(),
                selector: BTreeMap::new(),
            },
            ActionKind::DeletePods => ClusterAction::DeletePods {
                selector: String::new(),
            },
        }
    }
}

/// What is known about whether an action is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// The preflight is in flight.
    Checking,
    Allowed,
    /// Not allowed, and why.
    Denied(String),
    /// The preflight itself failed (the action's own preflight will run again).
    Unknown(String),
    /// Not possible here, and why (no `target.service` for a selector switch).
    Unavailable(String),
}

/// One line of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub kind: ActionKind,
    /// The operation id of this entry's preflight.
    pub op: u64,
    pub access: Access,
}

/// The open menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionMenu {
    pub entries: Vec<MenuEntry>,
    pub selected: usize,
}

impl ActionMenu {
    /// Records a preflight answer for the entry waiting on `op`; false if none is.
    pub fn answer(&mut self, op: u64, result: &Result<Preflight, String>) -> bool {
        let Some(e) = self.entries.iter_mut().find(|e| e.op == op) else {
            return false;
        };
        e.access = match result {
            Ok(Preflight::Allowed { .. }) => Access::Allowed,
            Ok(Preflight::Denied { reason, .. }) => Access::Denied(reason.clone()),
            Err(e) => Access::Unknown(e.clone()),
        };
        true
    }
}
