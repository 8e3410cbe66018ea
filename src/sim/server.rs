//! The HTTP front moved to `sim/http/` (router and handlers), `sim/params.rs` (query
//! parameters) and `sim/deletion.rs` (delete semantics); these re-exports keep the old
//! paths working.

pub use super::deletion::delete_object;
pub use super::http::{forward, router};
pub use super::params::Params;
pub use super::scale::scale_of;
