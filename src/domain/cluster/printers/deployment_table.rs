//! `kubectl get deployment NAME` as kubectl prints it: the table of `printDeployment`
//! (`pkg/printers/internalversion/printers.go`: NAME, READY, UP-TO-DATE, AVAILABLE, AGE;
//! `-o wide` adds CONTAINERS, IMAGES, SELECTOR), `--show-labels` (LABELS,
//! `labels.FormatLabels`), `-L` label columns, laid out by cli-runtime's tab writer (`pkg/printers/
//! tabwriter.go`: minimum width 6, padding 3); `-o name` (`deployment.apps/NAME`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::age::human_duration;
use super::tab_writer::tab_write;
use crate::domain::cluster::RolloutView;

/// The output forms printed natively.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GetOutput {
    #[default]
    Table,
    Wide,
    Name,
}

/// `labels.FormatLabels`: `k=v` sorted by key, comma-separated; `<none>` when empty.
fn format_labels(r: &RolloutView) -> String {
    if r.labels.is_empty() {
        return "<none>".into();
    }
    r.labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// What kubectl prints, every line ending with `\n`.
pub fn print_get_deployment(
    r: &RolloutView,
    output: GetOutput,
    label_columns: &[String],
    show_labels: bool,
    now: DateTime<Utc>,
) -> String {
    if output == GetOutput::Name {
        return format!("deployment.apps/{}\n", r.deployment);
    }
    let age = r
        .created
        .map(|c| human_duration((now - c).num_seconds()))
        .unwrap_or_else(|| "<unknown>".into());
    let mut header: Vec<String> = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
        .map(String::from)
        .to_vec();
    let mut row = vec![
        r.deployment.clone(),
        format!("{}/{}", r.ready, r.desired),
        r.updated.to_string(),
        r.available.to_string(),
        age,
    ];
    if output == GetOutput::Wide {
        let cs: Vec<_> = r.containers.iter().filter(|c| !c.init).collect();
        header.extend(["CONTAINERS", "IMAGES", "SELECTOR"].map(String::from));
        row.push(
            cs.iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(","),
        );
        row.push(
            cs.iter()
                .map(|c| c.image.as_str())
                .collect::<Vec<_>>()
                .join(","),
        );
        row.push(r.selector.clone());
    }
    // `-L`: one column per key, headed by the key's last path segment in upper case
    // (kubectl's `formatLabelHeaders`), the label's value or nothing.
    for key in label_columns {
        header.push(key.rsplit('/').next().unwrap_or(key).to_uppercase());
        row.push(r.labels.get(key).cloned().unwrap_or_default());
    }
    if show_labels {
        header.push("LABELS".into());
        row.push(format_labels(r));
    }
    tab_write(&[header, row], 6, 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cluster::TemplateContainer;

    fn view() -> RolloutView {
        let mut r = crate::domain::cluster::RolloutView::build(
            &crate::domain::cluster::DeploymentFacts {
                name: "checkout-api".into(),
                desired: Some(3),
                ready: 2,
                updated: 3,
                available: 2,
                selector: "app=checkout-api".into(),
                labels: [("app".to_string(), "checkout-api".to_string())].into(),
                ..Default::default()
            },
            &[],
        );
        r.created = Some(DateTime::from_timestamp(1_000, 0).unwrap());
        r.containers = vec![
            TemplateContainer {
                name: "api".into(),
                image: "registry.example/checkout-api:v3".into(),
                ..Default::default()
            },
            TemplateContainer {
                name: "migrate".into(),
                image: "registry.example/migrate:1".into(),
                init: true,
                ..Default::default()
            },
        ];
        r
    }

    #[test]
    fn the_forms_kubectl_prints() {
        let now = DateTime::from_timestamp(1_000 + 125, 0).unwrap();
        let r = view();
        assert_eq!(
            print_get_deployment(&r, GetOutput::Table, &[], false, now),
            "NAME           READY   UP-TO-DATE   AVAILABLE   AGE\n\
             checkout-api   2/3     3            2           2m5s\n"
        );
        assert_eq!(
            print_get_deployment(&r, GetOutput::Wide, &[], true, now),
            "NAME           READY   UP-TO-DATE   AVAILABLE   AGE    CONTAINERS   IMAGES                             SELECTOR           LABELS\n\
             checkout-api   2/3     3            2           2m5s   api          registry.example/checkout-api:v3   app=checkout-api   app=checkout-api\n"
        );
        assert_eq!(
            print_get_deployment(&r, GetOutput::Name, &[], true, now),
            "deployment.apps/checkout-api\n"
        );
    }
}
