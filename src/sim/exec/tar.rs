//! `tar` in a simulated container, for `kubectl cp` (kubectl pkg/cmd/cp/cp.go runs
//! `tar cf - SRC` in the container and untars its stdout). Creating (`c`) writes a GNU tar
//! archive (GNU tar's `ustar  ` header, 512-byte blocks, 10240-byte records) of the files
//! the container knows (`Container::file`, `dir`), names without the leading `/` and the
//! warning GNU tar prints for that. Extracting (`x`, `kubectl cp` into a pod) is
//! `untar.rs`.

use super::command_context::{Ctx, STDOUT, err};
use super::tar_exit::finish;

const BLOCK: usize = 512;
const RECORD: usize = 20 * BLOCK;

fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let s = format!("{value:0digits$o}");
    field[..digits].copy_from_slice(&s.as_bytes()[s.len() - digits..]);
    field[digits] = 0;
}

/// One GNU tar header block.
fn header(name: &str, size: u64, dir: bool, mtime: u64) -> [u8; BLOCK] {
    let mut h = [0u8; BLOCK];
    let n = name.as_bytes();
    h[..n.len().min(100)].copy_from_slice(&n[..n.len().min(100)]);
    octal(&mut h[100..108], if dir { 0o755 } else { 0o644 });
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], mtime);
    h[156] = if dir { b'5' } else { b'0' };
    h[257..265].copy_from_slice(b"ustar  \0");
    h[265..269].copy_from_slice(b"root");
    h[297..301].copy_from_slice(b"root");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
    h
}

fn push_file(out: &mut Vec<u8>, name: &str, data: &[u8], mtime: u64) {
    out.extend_from_slice(&header(name, data.len() as u64, false, mtime));
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
}

/// `tar c…f - PATH…` / `tar x…f -`: the archive on stdout, or the extraction's refusal.
pub fn tar(
    ctx: &mut Ctx,
    args: &[&String],
    stdin: &mut dyn FnMut() -> Vec<u8>,
    out: &mut dyn FnMut(u8, &[u8]),
) -> i32 {
    let mut mode = None;
    let mut paths = Vec::new();
    let mut dest = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a.as_str() == "-C" {
            dest = it.next().map(|d| d.to_string());
        } else if a.as_str() == "-" || a.starts_with("--") {
        } else if (a.starts_with('-') || mode.is_none()) && !a.contains('/') {
            let flags = a.trim_start_matches('-');
            if flags.contains('c') {
                mode = Some('c');
            } else if flags.contains('x') {
                mode = Some('x');
            } else if flags.contains('t') {
                mode = Some('t');
            }
        } else {
            paths.push(a.to_string());
        }
    }
    match mode {
        Some('c') => create(ctx, &paths, out),
        Some('x') => {
            let archive = stdin();
            super::untar::extract(ctx, dest.as_deref().unwrap_or("."), &archive, out)
        }
        _ => {
            err(
                out,
                "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\nTry 'tar --help' or 'tar --usage' for more information.\n".into(),
            );
            2
        }
    }
}

fn create(ctx: &mut Ctx, paths: &[String], out: &mut dyn FnMut(u8, &[u8])) -> i32 {
    if paths.is_empty() {
        err(out, "tar: Cowardly refusing to create an empty archive\nTry 'tar --help' or 'tar --usage' for more information.\n".into());
        return 2;
    }
    let mtime = u64::try_from(ctx.shared.clock.now().timestamp()).unwrap_or(0);
    let mut archive = Vec::new();
    let mut failed = false;
    if paths.iter().any(|p| p.starts_with('/')) {
        err(out, "tar: Removing leading `/' from member names\n".into());
    }
    for p in paths {
        let name = p.trim_start_matches('/');
        if let Some(data) = ctx.container.file(p) {
            push_file(&mut archive, name, &data, mtime);
        } else if let Some(entries) = ctx.container.dir(p) {
            let base = name.trim_end_matches('/');
            let dir_name = if base.is_empty() {
                String::new()
            } else {
                format!("{base}/")
            };
            archive.extend_from_slice(&header(&dir_name, 0, true, mtime));
            let parent = p.trim_end_matches('/');
            for e in entries {
                if let Some(data) = ctx.container.file(&format!("{parent}/{e}")) {
                    push_file(&mut archive, &format!("{dir_name}{e}"), &data, mtime);
                }
            }
        } else {
            err(
                out,
                format!("tar: {p}: Cannot stat: No such file or directory\n"),
            );
            failed = true;
        }
    }
    archive.resize(archive.len() + 2 * BLOCK, 0);
    archive.resize(archive.len().div_ceil(RECORD) * RECORD, 0);
    out(STDOUT, &archive);
    finish(failed, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header's checksum is the byte sum with the field as spaces (POSIX ustar).
    #[test]
    fn headers_carry_the_ustar_checksum() {
        let h = header("etc/hostname", 6, false, 1_700_000_000);
        let mut blank = h;
        blank[148..156].copy_from_slice(b"        ");
        let sum: u32 = blank.iter().map(|b| u32::from(*b)).sum();
        let field = std::str::from_utf8(&h[148..154]).expect("octal digits");
        assert_eq!(u32::from_str_radix(field, 8).expect("octal"), sum);
        assert_eq!(&h[124..136], b"00000000006\0");
        assert_eq!(&h[257..265], b"ustar  \0");
        assert_eq!(h[156], b'0');
    }
}
