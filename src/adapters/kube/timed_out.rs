//! Whether a kube-rs error is a request that ran out of time: kube-rs applies the
//! connect, read and write timeouts through `hyper-timeout`, which fails with an
//! `io::Error` of kind `TimedOut` somewhere in the error's source chain.

/// Whether `e` (or one of its sources) is an I/O time-out.
pub fn timed_out(e: &kube::Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        cur = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_io_time_out_in_the_chain_is_a_time_out_and_others_are_not() {
        let timed = kube::Error::ReadEvents(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "read timed out",
        ));
        assert!(timed_out(&timed));
        let refused = kube::Error::ReadEvents(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "refused",
        ));
        assert!(!timed_out(&refused));
    }
}
