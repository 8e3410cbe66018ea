//! kubectl's printers for what the console answers natively, byte for byte: the tables
//! of `kubectl get deployment` (plain, `-o wide`, `--show-labels`), `-o name`, and
//! `kubectl rollout history`. Forms whose data the live watch does not hold (`-o
//! json|yaml|jsonpath|custom-columns`, `rollout history --revision=N`) are not
//! printed here: such lines run through kubectl itself (see `kubectl_line`).

pub mod age;
pub mod deployment_table;
pub mod rollout_history;
pub mod tab_writer;

pub use age::human_duration;
pub use deployment_table::{GetOutput, print_get_deployment};
pub use rollout_history::print_rollout_history;
