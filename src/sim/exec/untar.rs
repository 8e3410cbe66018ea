//! `tar x…f - [-C DIR]` in a simulated container, what `kubectl cp FILE POD:DEST` runs
//! (kubectl pkg/cmd/cp/cp.go, `copyToPod`: `tar -xmf - -C <dir of DEST>` fed the archive
//! `makeTar` writes with Go's archive/tar — USTAR, PAX `path` records for long names).
//! Members land in the container's scratch directories (`fs.rs`); anywhere else GNU tar's
//! answers for a read-only file system: `tar: NAME: Cannot open: Read-only file system`
//! (a directory: `Cannot mkdir`), then `Exiting with failure status due to previous
//! errors`, exit 2. A missing `-C` directory is fatal, as in GNU tar (`chdir_do`).

use super::command_context::{Ctx, err};
use super::fs::{normalize, writable};

const BLOCK: usize = 512;

/// One member of an archive.
struct Member {
    name: String,
    kind: u8,
    data: Vec<u8>,
}

fn cstr(field: &[u8]) -> String {
    let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn octal(field: &[u8]) -> Option<usize> {
    let text = cstr(field);
    let text = text.trim_matches(|c: char| c == ' ' || c == '\0');
    if text.is_empty() {
        return Some(0);
    }
    usize::from_str_radix(text, 8).ok()
}

/// The `path` record of a PAX extended header (`LEN path=VALUE\n` records).
fn pax_path(data: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    text.lines().find_map(|l| {
        l.split_once(' ')
            .and_then(|(_, kv)| kv.strip_prefix("path="))
            .map(String::from)
    })
}

/// The members of a tar archive, or `None` when it is cut short or not an archive.
fn members(archive: &[u8]) -> Option<Vec<Member>> {
    let mut out = Vec::new();
    let mut off = 0;
    let mut long_name: Option<String> = None;
    while off + BLOCK <= archive.len() {
        let h = &archive[off..off + BLOCK];
        if h.iter().all(|b| *b == 0) {
            return Some(out);
        }
        let size = octal(&h[124..136])?;
        let start = off + BLOCK;
        let end = start.checked_add(size)?;
        let data = archive.get(start..end)?.to_vec();
        off = start + size.div_ceil(BLOCK) * BLOCK;
        let kind = h[156];
        match kind {
            b'x' => long_name = pax_path(&data),
            b'L' => long_name = Some(cstr(&data)),
            b'g' => {}
            _ => {
                let mut name = cstr(&h[..100]);
                let prefix = if &h[257..263] == b"ustar\0" {
                    cstr(&h[345..500])
                } else {
                    String::new()
                };
                if !prefix.is_empty() {
                    name = format!("{prefix}/{name}");
                }
                let name = long_name.take().unwrap_or(name);
                out.push(Member { name, kind, data });
            }
        }
    }
    if off == 0 || off > archive.len() {
        return None;
    }
    Some(out)
}

/// Extracts `archive` below `dest`; the exit status.
pub fn extract(ctx: &mut Ctx, dest: &str, archive: &[u8], out: &mut dyn FnMut(u8, &[u8])) -> i32 {
    let base = normalize(dest);
    if ctx.container.dir(&base).is_none() {
        err(
            out,
            format!(
                "tar: {dest}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n"
            ),
        );
        return 2;
    }
    let Some(members) = members(archive) else {
        err(
            out,
            "tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n".into(),
        );
        return 2;
    };
    let mut failed = false;
    let mut warned = false;
    for m in members {
        if m.name.starts_with('/') && !warned {
            err(out, "tar: Removing leading `/' from member names\n".into());
            warned = true;
        }
        let shown = m.name.trim_start_matches('/');
        let target = normalize(&format!("{base}/{shown}"));
        let is_dir = ctx.container.dir(&target).is_some();
        match m.kind {
            b'5' if is_dir => {}
            b'5' if writable(&target) => ctx
                .container
                .written
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .mkdir(&target),
            b'5' => {
                err(
                    out,
                    format!("tar: {shown}: Cannot mkdir: Read-only file system\n"),
                );
                failed = true;
            }
            b'0' | 0 | b'7' if writable(&target) && !is_dir => ctx
                .container
                .written
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .write(&target, m.data),
            b'0' | 0 | b'7' => {
                err(
                    out,
                    format!("tar: {shown}: Cannot open: Read-only file system\n"),
                );
                failed = true;
            }
            // Links, devices, FIFOs: not simulated, skipped.
            _ => {}
        }
    }
    super::tar_exit::finish(failed, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, size: usize, kind: u8) -> Vec<u8> {
        let mut h = vec![0u8; BLOCK];
        h[..name.len()].copy_from_slice(name.as_bytes());
        let s = format!("{size:011o}\0");
        h[124..136].copy_from_slice(s.as_bytes());
        h[156] = kind;
        h[257..263].copy_from_slice(b"ustar\0");
        h
    }

    #[test]
    fn members_read_ustar_and_pax_long_names() {
        let mut a = header("f.txt", 3, b'0');
        a.extend_from_slice(b"abc");
        a.resize(2 * BLOCK, 0);
        let pax = b"30 path=a/very/long/name.txt\n";
        a.extend(header("PaxHeaders/x", pax.len(), b'x'));
        a.extend_from_slice(pax);
        a.resize(4 * BLOCK, 0);
        a.extend(header("short", 0, b'0'));
        a.resize(7 * BLOCK, 0);
        let m = members(&a).expect("archive");
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].name.as_str(), m[0].data.as_slice()),
            ("f.txt", &b"abc"[..])
        );
        assert_eq!(m[1].name, "a/very/long/name.txt");
        // Cut short inside a member's data.
        assert!(members(&a[..BLOCK + 1]).is_none());
    }
}
