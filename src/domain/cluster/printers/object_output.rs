//! `kubectl get … -o json|yaml|jsonpath=…|custom-columns=…` on one object, printed from
//! the object as the server sent it, as kubectl prints it:
//!
//! - `json`: cli-runtime `JSONPrinter` ([`super::go_json::marshal_indent`]) and `yaml`:
//!   `YAMLPrinter` ([`crate::domain::cluster::go_yaml::to_go_yaml`]), both without
//!   `metadata.managedFields` (cli-runtime `pkg/genericclioptions/json_yaml_flags.go`:
//!   `OmitManagedFieldsPrinter` unless `--show-managed-fields`);
//! - `jsonpath=`: [`super::jsonpath::Template`] on the object itself; an error is kubectl's
//!   `error executing jsonpath` message (without the dump of the object kubectl appends);
//! - `custom-columns=`: [`super::custom_columns::CustomColumns`].
//!
//! A single named object is printed as itself, never wrapped in a `List` (kubectl's
//! `printGeneric`: `singleItemImplied`); [`list_of`] is the wrapper kubectl prints for
//! several.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::custom_columns::CustomColumns;
use super::go_json::marshal_indent;
use super::jsonpath::Template;
use crate::domain::cluster::go_yaml::to_go_yaml;

/// An output form printed from the whole object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", content = "template", rename_all = "snake_case")]
pub enum ObjectOutput {
    Json,
    Yaml,
    JsonPath(String),
    CustomColumns(String),
}

impl ObjectOutput {
    /// The form of an `-o` value, `Ok(None)` when it is not one of these, `Err` when it is
    /// one whose template this printer cannot print exactly as kubectl (it then runs in
    /// kubectl itself).
    pub fn from_flag(o: &str) -> Result<Option<ObjectOutput>, String> {
        let out = match o {
            "json" => ObjectOutput::Json,
            "yaml" => ObjectOutput::Yaml,
            _ => {
                if let Some(t) = o.strip_prefix("jsonpath=") {
                    Template::parse(t).map_err(|e| format!("jsonpath {t:?}: {e}"))?;
                    ObjectOutput::JsonPath(t.to_string())
                } else if let Some(s) = o.strip_prefix("custom-columns=") {
                    CustomColumns::parse(s).map_err(|e| format!("custom-columns {s:?}: {e}"))?;
                    ObjectOutput::CustomColumns(s.to_string())
                } else {
                    return Ok(None);
                }
            }
        };
        Ok(Some(out))
    }

    /// The `-o` value kubectl is given for this form.
    pub fn flag(&self) -> String {
        match self {
            ObjectOutput::Json => "json".into(),
            ObjectOutput::Yaml => "yaml".into(),
            ObjectOutput::JsonPath(t) => format!("jsonpath={t}"),
            ObjectOutput::CustomColumns(s) => format!("custom-columns={s}"),
        }
    }

    /// What kubectl prints for `object`, or kubectl's error message (without `error: `).
    pub fn print(&self, object: &Value) -> Result<String, String> {
        match self {
            ObjectOutput::Json => Ok(marshal_indent(&without_managed_fields(object))),
            ObjectOutput::Yaml => Ok(to_go_yaml(&without_managed_fields(object))),
            ObjectOutput::JsonPath(t) => {
                let template = Template::parse(t)?;
                template.execute(object).map_err(|e| {
                    format!(
                        "error executing jsonpath {t:?}: Error executing template: {e}. Printing more information for debugging the template:"
                    )
                })
            }
            ObjectOutput::CustomColumns(s) => {
                CustomColumns::parse(s)?.print(std::slice::from_ref(object))
            }
        }
    }
}

fn without_managed_fields(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    object
}

/// The `List` kubectl prints several objects in (`printGeneric`: `apiVersion: v1`,
/// `kind: List`, the items, `metadata.resourceVersion` of the list, `""` for one built by
/// kubectl).
pub fn list_of(items: Vec<Value>) -> Value {
    json!({
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_it_takes_and_the_ones_it_leaves_to_kubectl() {
        assert_eq!(
            ObjectOutput::from_flag("json"),
            Ok(Some(ObjectOutput::Json))
        );
        assert_eq!(
            ObjectOutput::from_flag("jsonpath={.a}"),
            Ok(Some(ObjectOutput::JsonPath("{.a}".into())))
        );
        assert_eq!(ObjectOutput::from_flag("wide"), Ok(None));
        assert_eq!(ObjectOutput::from_flag("go-template={{.a}}"), Ok(None));
        assert!(ObjectOutput::from_flag("jsonpath={..name}").is_err());
        assert!(ObjectOutput::from_flag("custom-columns=NAME").is_err());
    }

    #[test]
    fn managed_fields_are_left_out_of_json_and_yaml() {
        let o = json!({"metadata": {"name": "web", "managedFields": [{"manager": "x"}]}});
        assert_eq!(
            ObjectOutput::Json.print(&o).unwrap(),
            "{\n    \"metadata\": {\n        \"name\": \"web\"\n    }\n}\n"
        );
        assert_eq!(
            ObjectOutput::Yaml.print(&o).unwrap(),
            "metadata:\n  name: web\n"
        );
        assert_eq!(
            ObjectOutput::Json.print(&list_of(vec![])).unwrap(),
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        );
    }
}
