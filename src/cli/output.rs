//! Output formats of the commands that print data (`status`, `sessions`, `report`,
//! `drills`, `check`), in kubectl's manner: `-o/--output json|yaml|text` (plus `md` where a
//! Markdown document exists), `--format` kept as an alias.
//!
//! Every JSON or YAML document is one object with `apiVersion: backout/v1` and a `kind`,
//! its shape fixed per kind (docs/cli.md lists them): a list is always `items`, never a
//! bare array, and no flag changes the shape.

use clap::ValueEnum;
use serde::Serialize;

use super::CliError;

/// The `apiVersion` of every JSON/YAML document the command line prints.
pub const API_VERSION: &str = "backout/v1";

/// `-o` of `status`, `sessions` and `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// For people (the default); `human` is accepted too.
    #[value(alias = "human")]
    Text,
    Json,
    Yaml,
}

/// A structured (machine-readable) format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structured {
    Json,
    Yaml,
}

impl OutputFormat {
    /// `None` for text.
    pub fn structured(self) -> Option<Structured> {
        match self {
            OutputFormat::Text => None,
            OutputFormat::Json => Some(Structured::Json),
            OutputFormat::Yaml => Some(Structured::Yaml),
        }
    }
}

/// The envelope: `apiVersion`, `kind`, then the body's own fields.
#[derive(Serialize)]
struct Document<'a, T: Serialize> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    #[serde(flatten)]
    body: &'a T,
}

/// The body of a `…List` kind.
#[derive(Serialize)]
pub struct Items<'a, T: Serialize> {
    pub items: &'a [T],
}

/// `body` (a struct or map) as a document of `kind`, ending with a newline.
pub fn document<T: Serialize>(
    format: Structured,
    kind: &'static str,
    body: &T,
) -> Result<String, CliError> {
    let doc = Document {
        api_version: API_VERSION,
        kind,
        body,
    };
    let text = match format {
        Structured::Json => serde_json::to_string_pretty(&doc)
            .map_err(|e| CliError::Message(format!("cannot encode JSON: {e}")))?,
        Structured::Yaml => serde_saphyr::to_string(&doc)
            .map_err(|e| CliError::Message(format!("cannot encode YAML: {e}")))?,
    };
    Ok(if text.ends_with('\n') {
        text
    } else {
        text + "\n"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        id: &'static str,
        n: u32,
        gone: Option<u32>,
    }

    #[test]
    fn a_list_is_an_object_with_version_kind_and_items_in_json_and_yaml() {
        let rows = [Row {
            id: "a",
            n: 2,
            gone: None,
        }];
        let json = document(Structured::Json, "ThingList", &Items { items: &rows }).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"apiVersion": "backout/v1", "kind": "ThingList",
                "items": [{"id": "a", "n": 2, "gone": null}]})
        );
        let yaml = document(Structured::Yaml, "ThingList", &Items { items: &rows }).unwrap();
        let y: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(y, v, "{yaml}");
        assert!(
            yaml.starts_with("apiVersion: backout/v1\nkind: ThingList\n"),
            "{yaml}"
        );
    }

    #[test]
    fn an_empty_list_keeps_its_shape() {
        let rows: [Row; 0] = [];
        let json = document(Structured::Json, "ThingList", &Items { items: &rows }).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["items"], serde_json::json!([]));
        assert_eq!(v["kind"], "ThingList");
    }
}
