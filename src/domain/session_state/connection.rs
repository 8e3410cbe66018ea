//! The connection journaled last (`ConnectionSet`): what a resumed console connects to
//! again (unless a flag overrides it) and what the session worked on.

use serde::Serialize;

use crate::domain::journal::{Entry, Record};

/// The values of the latest `ConnectionSet`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Connection {
    pub kubeconfig: Option<String>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub deployment: Option<String>,
    pub prometheus_url: Option<String>,
    pub theme: Option<String>,
    pub read_only: bool,
}

/// Folds one record: a connection replaces the one before.
pub fn apply(last: &mut Option<Connection>, r: &Record) {
    if let Entry::ConnectionSet {
        kubeconfig,
        context,
        namespace,
        deployment,
        prometheus_url,
        theme,
        read_only,
        ..
    } = &r.entry
    {
        *last = Some(Connection {
            kubeconfig: kubeconfig.clone(),
            context: context.clone(),
            namespace: namespace.clone(),
            deployment: deployment.clone(),
            prometheus_url: prometheus_url.clone(),
            theme: theme.clone(),
            read_only: *read_only,
        });
    }
}
