//! Who is at the keyboard: `user@host`, as journal records name their actor.

/// The login name: `$USER`, `$LOGNAME` or `$USERNAME`, else `operator`.
pub fn user_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "operator".to_owned())
}

/// The machine's host name, else `localhost`.
pub fn host_name() -> String {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the pointer and length describe `buf`, which outlives the call;
        // gethostname writes at most `len` bytes.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        if rc == 0 {
            let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            let name = String::from_utf8_lossy(&buf[..len]).trim().to_owned();
            if !name.is_empty() {
                return name;
            }
        }
    }
    std::env::var("HOSTNAME")
        .or_else(|_| std::env::var("COMPUTERNAME"))
        .ok()
        .filter(|h| !h.trim().is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// `user@host`.
pub fn actor() -> String {
    format!("{}@{}", user_name(), host_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_is_user_at_host() {
        let actor = actor();
        let (user, host) = actor.split_once('@').expect("user@host");
        assert!(!user.is_empty() && !host.is_empty(), "{actor}");
        assert_eq!(host, host_name());
        assert!(!host.contains('\0'));
    }
}
