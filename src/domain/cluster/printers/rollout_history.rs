//! `kubectl rollout history deployment/NAME` as kubectl prints it: `DeploymentHistoryViewer.
//! ViewHistory` (`pkg/polymorphichelpers/history.go`: revisions sorted, `<none>` for no
//! change-cause, laid out by `tabbedString`, a tab writer of padding 2), handed to the name
//! printer as its operation (`pkg/cmd/rollout/rollout_history.go`): `deployment.apps/NAME `
//! then the table on the next line, and the name printer's own newline after it.

use super::tab_writer::tab_write;
use crate::domain::cluster::RolloutView;

/// What kubectl prints for the whole history (no `--revision`).
pub fn print_rollout_history(r: &RolloutView) -> String {
    let table = if r.revisions.is_empty() {
        "No rollout history found.".to_string()
    } else {
        let mut revisions: Vec<_> = r.revisions.iter().collect();
        revisions.sort_by_key(|x| x.number);
        let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
        rows.extend(revisions.iter().map(|x| {
            vec![
                x.number.to_string(),
                x.change_cause
                    .clone()
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| "<none>".into()),
            ]
        }));
        tab_write(&rows, 0, 2)
    };
    format!("deployment.apps/{} \n{table}\n", r.deployment)
}
