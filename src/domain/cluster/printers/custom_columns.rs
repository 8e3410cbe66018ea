//! `kubectl get -o custom-columns=HEADER:PATH,…` as kubectl prints it (kubernetes/kubectl
//! `pkg/cmd/get/customcolumn.go` at v0.32): each path made a template by
//! `RelaxedJSONPathExpression` (`.a.b`, `a.b`, `{.a.b}` → `{.a.b}`), run with missing keys
//! allowed, its values joined with `,` (each as Go's `fmt.Sprint` writes it), `<none>` when
//! there is none; the header line, then one line per object, laid out by cli-runtime's tab
//! writer (minimum width 6, padding 3).

use serde_json::Value;

use super::jsonpath::{Template, go_sprint};
use super::tab_writer::tab_write;

/// A parsed `custom-columns=` spec.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomColumns {
    columns: Vec<(String, Template)>,
}

/// `RelaxedJSONPathExpression`: `^\{\.?([^{}]+)\}$|^\.?([^{}]+)$` → `{.FIELDS}`.
fn relaxed(path: &str) -> Result<String, String> {
    if path.is_empty() {
        return Ok(String::new());
    }
    let inner = path
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .unwrap_or(path);
    let inner = inner.strip_prefix('.').unwrap_or(inner);
    if inner.is_empty() || inner.contains(['{', '}']) {
        return Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".into());
    }
    Ok(format!("{{.{inner}}}"))
}

impl CustomColumns {
    /// `NewCustomColumnsPrinterFromSpec`.
    pub fn parse(spec: &str) -> Result<CustomColumns, String> {
        if spec.is_empty() {
            return Err("custom-columns format specified but no custom columns given".into());
        }
        let columns = spec
            .split(',')
            .map(|part| {
                let (header, path) = part.split_once(':').ok_or_else(|| {
                    format!(
                        "unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
                    )
                })?;
                Ok((header.to_string(), Template::parse(&relaxed(path)?)?))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(CustomColumns { columns })
    }

    /// The table for `objects`, every line ending with `\n`.
    pub fn print(&self, objects: &[Value]) -> Result<String, String> {
        let mut rows = vec![self.columns.iter().map(|(h, _)| h.clone()).collect()];
        for object in objects {
            let mut row = Vec::new();
            for (_, template) in &self.columns {
                let values = template.find_results(object)?;
                let mut cells: Vec<String> = Vec::new();
                if values.first().is_none_or(Vec::is_empty) {
                    cells.push("<none>".into());
                }
                for v in values.iter().flatten() {
                    cells.push(match v {
                        Value::Null => "<nil>".into(),
                        other => go_sprint(other),
                    });
                }
                row.push(cells.join(","));
            }
            rows.push(row);
        }
        Ok(tab_write(&rows, 6, 3))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns_as_kubectl_prints_them() {
        let d = json!({
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [
                {"name": "app", "image": "shop/web:1.2"}, {"name": "proxy", "image": "envoy:1"}
            ]}}}
        });
        let c = CustomColumns::parse(
            "NAME:.metadata.name,IMAGES:.spec.template.spec.containers[*].image,R:spec.replicas,X:{.nope},L:.metadata.labels",
        )
        .unwrap();
        assert_eq!(
            c.print(&[d]).unwrap(),
            "NAME   IMAGES                 R     X        L\n\
             web    shop/web:1.2,envoy:1   3     <none>   map[app:web]\n"
        );
    }

    #[test]
    fn spec_errors_as_kubectl_words_them() {
        assert_eq!(
            CustomColumns::parse("NAME").unwrap_err(),
            "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"
        );
        assert!(
            CustomColumns::parse("A:{.a}{.b}")
                .unwrap_err()
                .starts_with("unexpected path string")
        );
    }
}
