//! How GNU tar ends, shared by creating (`tar c`, `tar.rs`) and extracting (`tar x`,
//! `untar.rs`) archives.

use super::command_context::err;

/// GNU tar's end: after errors it says so and exits 2, else 0.
pub fn finish(failed: bool, out: &mut dyn FnMut(u8, &[u8])) -> i32 {
    if failed {
        err(
            out,
            "tar: Exiting with failure status due to previous errors\n".into(),
        );
        return 2;
    }
    0
}
