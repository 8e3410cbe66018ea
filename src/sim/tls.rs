//! HTTPS for the simulator, like a real API server: at start, a self-signed CA and a
//! server certificate for `127.0.0.1`, `::1` and `localhost` signed by it (ECDSA P-256,
//! generated in memory and never written to disk). Generated kubeconfigs carry the CA
//! (`certificate-authority-data`), so kubectl and kube-rs verify the server and send the
//! user's bearer token, which client-go refuses to do over plain HTTP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A client that has not finished its handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The certificates of one simulator run.
pub struct Certs {
    /// The CA certificate, PEM (what kubeconfigs carry, base64-encoded).
    pub ca_pem: String,
    /// The CA certificate, DER (for clients configured in code).
    pub ca_der: Vec<u8>,
    /// The rustls configuration serving the server certificate.
    pub server: Arc<rustls::ServerConfig>,
}

/// Why the certificates could not be made (never expected: everything is in memory).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up TLS: {0}")]
pub struct TlsError(String);

fn err(e: impl std::fmt::Display) -> TlsError {
    TlsError(e.to_string())
}

/// Generates a CA and a server certificate for loopback signed by it.
pub fn generate() -> Result<Certs, TlsError> {
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "backout-sim-ca");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let key = KeyPair::generate().map_err(err)?;
    let mut params = CertificateParams::new(vec![
        "127.0.0.1".to_string(),
        "::1".to_string(),
        "localhost".to_string(),
    ])
    .map_err(err)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "backout-sim");
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &issuer).map_err(err)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .map_err(err)?;
    // axum serves HTTP/1.1 only; clients (client-go, hyper) then use HTTP/1.1 over TLS.
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Certs {
        ca_pem: ca_cert.pem(),
        ca_der: CertificateDer::as_ref(ca_cert.der()).to_vec(),
        server: Arc::new(server),
    })
}

/// An [`axum::serve::Listener`] of TLS connections whose handshakes are already done.
/// Handshakes run in their own tasks ([`accept_loop`]), so a slow or silent client never
/// holds up the others.
pub struct TlsListener {
    rx: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(conn) => conn,
            // The accept loop stopped (shutdown): no more connections, ever.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// Accepts TCP connections on `listener` and completes their TLS handshakes until `stop`
/// turns true; returns the listener axum serves and the loop to spawn.
pub fn accept_loop(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<(TlsListener, impl Future<Output = ()> + Send + 'static)> {
    let local = listener.local_addr()?;
    let (tx, rx) = mpsc::channel(64);
    let acceptor = TlsAcceptor::from(config);
    let run = async move {
        loop {
            let (tcp, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(c) => c,
                    Err(e) => {
                        // Like axum's own loop: out of file descriptors and the like are
                        // transient; back off instead of spinning.
                        tracing::debug!("sim accept error: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = async { let _ = stop.wait_for(|s| *s).await; } => return,
            };
            let _ = tcp.set_nodelay(true);
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => {
                        let _ = tx.send((tls, peer)).await;
                    }
                    Ok(Err(e)) => tracing::debug!("sim TLS handshake with {peer} failed: {e}"),
                    Err(_) => tracing::debug!("sim TLS handshake with {peer} timed out"),
                }
            });
        }
    };
    Ok((TlsListener { rx, local }, run))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_is_pem_and_server_config_speaks_http1() {
        let c = generate().expect("certs");
        assert!(c.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(!c.ca_der.is_empty());
        assert_eq!(c.server.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }
}
