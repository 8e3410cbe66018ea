//! kubectl's printers for what the console answers natively, byte for byte: the tables
//! of `kubectl get deployment` (plain, `-o wide`, `--show-labels`, `-L`), `-o name`, and
//! `kubectl rollout history` from the live watch; `-o json|yaml|jsonpath=…|custom-columns=…`
//! from the object as the server sends it (`object_output`, read by the kube adapter's
//! `native_read`). `rollout history --revision=N` is printed by the kube adapter
//! (`describe_pod_template`, with `kubectl describe`'s writer).

pub mod age;
pub mod custom_columns;
pub mod deployment_table;
pub mod go_json;
pub mod jsonpath;
pub mod jsonpath_parse;
pub mod object_output;
pub mod rollout_history;
pub mod tab_writer;

pub use age::human_duration;
pub use deployment_table::{GetOutput, print_get_deployment};
pub use object_output::ObjectOutput;
pub use rollout_history::print_rollout_history;
