//! The Lease lock: before changing a workload, a console takes the
//! `coordination.k8s.io/v1` Lease `backout-<deployment>` in its namespace, holder
//! `user@host (session id)`, renewed while held. A second console sees who holds it and
//! until when, and refuses to act; an expired lease is taken over.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::api::{Api, DeleteParams, PostParams, Preconditions};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use super::convert::time;
use super::guard;

/// Default lease duration.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(60);

/// Somebody else holds the lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseHeld {
    pub holder: String,
    pub until: Option<DateTime<Utc>>,
}

impl std::fmt::Display for LeaseHeld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} holds the lock", self.holder)?;
        if let Some(u) = self.until {
            write!(f, " until {}", u.format("%H:%M:%S UTC"))?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error(
        "another console is acting on this workload: {0}; wait for it to finish or for the lock to expire"
    )]
    Held(LeaseHeld),
    #[error("read-only mode: the lock is not taken (started with --read-only)")]
    ReadOnly,
    #[error("cannot take the lock (Lease {name}): {message}")]
    Api { name: String, message: String },
    /// The Lease request got no answer within the request timeout.
    #[error(
        "cannot take the lock (Lease {name}): no answer from the API server{at} within the request timeout (--request-timeout, 10 s by default)",
        at = crate::domain::cluster::pipeline::server_at(.server)
    )]
    TimedOut { name: String, server: String },
}

impl LeaseError {
    /// Names the API server a time-out was waiting for (other errors are unchanged).
    pub fn at_server(self, url: &str) -> LeaseError {
        match self {
            LeaseError::TimedOut { name, .. } => LeaseError::TimedOut {
                name,
                server: url.to_string(),
            },
            other => other,
        }
    }
}

/// The lease name for a Deployment.
pub fn lease_name(deployment: &str) -> String {
    format!("backout-{deployment}")
}

/// `user@host (session id)`.
pub fn holder_identity(user: &str, host: &str, session: &str) -> String {
    format!("{user}@{host} ({session})")
}

fn now_micro() -> MicroTime {
    MicroTime(Timestamp::now())
}

fn expiry(l: &Lease) -> Option<DateTime<Utc>> {
    let spec = l.spec.as_ref()?;
    let renew = spec
        .renew_time
        .as_ref()
        .or(spec.acquire_time.as_ref())
        .and_then(|t| time(&t.0))?;
    Some(renew + chrono::Duration::seconds(i64::from(spec.lease_duration_seconds.unwrap_or(0))))
}

/// A held lease. Renewed in the background every third of its duration; call
/// [`LeaseGuard::release`] to give it up (dropping it stops renewing and releases it in
/// the background on the runtime it was taken on; if that runtime is gone, the lease
/// expires after its duration).
pub struct LeaseGuard {
    api: Api<Lease>,
    name: String,
    namespace: String,
    deployment: String,
    holder: String,
    renewer: Option<JoinHandle<()>>,
    lost: Arc<Mutex<Option<String>>>,
    /// The runtime the lease was taken on: a guard dropped outside of it still releases.
    runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for LeaseGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaseGuard")
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .field("holder", &self.holder)
            .finish()
    }
}

/// How many refused or lost requests taking the lock survives (a flaky API server).
const TRANSIENT_RETRIES: u32 = 4;
/// The pause before the n-th retry is n times this.
const RETRY_PAUSE: Duration = Duration::from_millis(200);

/// A server-side failure or a lost connection, worth trying again (never a 4xx answer).
fn transient(e: &kube::Error) -> bool {
    match e {
        kube::Error::Api(s) => s.code >= 500 || s.code == 429,
        kube::Error::HyperError(_) | kube::Error::Service(_) => true,
        _ => false,
    }
}

fn api_err(name: &str, e: kube::Error) -> LeaseError {
    if guard::violation(&e).is_some() {
        return LeaseError::ReadOnly;
    }
    if super::timed_out::timed_out(&e) {
        return LeaseError::TimedOut {
            name: name.to_string(),
            server: String::new(),
        };
    }
    LeaseError::Api {
        name: name.to_string(),
        message: match e {
            kube::Error::Api(s) => s.message,
            other => other.to_string(),
        },
    }
}

impl LeaseGuard {
    /// Takes the lease for `deployment`, or reports who holds it.
    pub async fn acquire(
        client: Client,
        namespace: &str,
        deployment: &str,
        holder: &str,
        duration: Duration,
    ) -> Result<LeaseGuard, LeaseError> {
        let api: Api<Lease> = Api::namespaced(client, namespace);
        let name = lease_name(deployment);
        let secs = i32::try_from(duration.as_secs().max(1)).unwrap_or(i32::MAX);
        let (mut conflicts, mut faults) = (0, 0);
        loop {
            let existing = match api.get_opt(&name).await {
                Ok(existing) => existing,
                Err(e) if transient(&e) && faults < TRANSIENT_RETRIES => {
                    faults += 1;
                    tokio::time::sleep(RETRY_PAUSE * faults).await;
                    continue;
                }
                Err(e) => return Err(api_err(&name, e)),
            };
            let result = match existing {
                None => {
                    let lease = Lease {
                        metadata: ObjectMeta {
                            name: Some(name.clone()),
                            namespace: Some(namespace.to_string()),
                            labels: Some(
                                [(
                                    "app.kubernetes.io/managed-by".to_string(),
                                    "backout".to_string(),
                                )]
                                .into(),
                            ),
                            ..ObjectMeta::default()
                        },
                        spec: Some(LeaseSpec {
                            holder_identity: Some(holder.to_string()),
                            lease_duration_seconds: Some(secs),
                            acquire_time: Some(now_micro()),
                            renew_time: Some(now_micro()),
                            lease_transitions: Some(0),
                            ..LeaseSpec::default()
                        }),
                    };
                    api.create(&PostParams::default(), &lease).await
                }
                Some(mut lease) => {
                    let spec = lease.spec.clone().unwrap_or_default();
                    let current = spec.holder_identity.clone().unwrap_or_default();
                    let expired = expiry(&lease).is_none_or(|t| t < Utc::now());
                    if !current.is_empty() && current != holder && !expired {
                        return Err(LeaseError::Held(LeaseHeld {
                            holder: current,
                            until: expiry(&lease),
                        }));
                    }
                    let transitions =
                        spec.lease_transitions.unwrap_or(0) + i32::from(current != holder);
                    lease.spec = Some(LeaseSpec {
                        holder_identity: Some(holder.to_string()),
                        lease_duration_seconds: Some(secs),
                        acquire_time: Some(now_micro()),
                        renew_time: Some(now_micro()),
                        lease_transitions: Some(transitions),
                        ..spec
                    });
                    // `replace` carries the resourceVersion read: a racing console gets 409.
                    api.replace(&name, &PostParams::default(), &lease).await
                }
            };
            match result {
                Ok(_) => {
                    let lost = Arc::new(Mutex::new(None));
                    let renewer = tokio::spawn(renew_loop(
                        api.clone(),
                        name.clone(),
                        holder.to_string(),
                        duration,
                        lost.clone(),
                    ));
                    return Ok(LeaseGuard {
                        api,
                        name,
                        namespace: namespace.to_string(),
                        deployment: deployment.to_string(),
                        holder: holder.to_string(),
                        renewer: Some(renewer),
                        lost,
                        runtime: tokio::runtime::Handle::current(),
                    });
                }
                Err(kube::Error::Api(s)) if s.code == 409 => {
                    conflicts += 1;
                    if conflicts >= 3 {
                        return Err(LeaseError::Api {
                            name,
                            message: "another console kept taking the lock at the same time".into(),
                        });
                    }
                }
                // A refused or lost request: read the Lease again (a create that did land
                // shows up as ours) and try once more.
                Err(e) if transient(&e) && faults < TRANSIENT_RETRIES => {
                    faults += 1;
                    tokio::time::sleep(RETRY_PAUSE * faults).await;
                }
                Err(e) => return Err(api_err(&name, e)),
            }
        }
    }

    /// Who holds the lease of `deployment` now (`None`: free or expired).
    pub async fn holder(
        client: Client,
        namespace: &str,
        deployment: &str,
    ) -> Result<Option<LeaseHeld>, LeaseError> {
        let api: Api<Lease> = Api::namespaced(client, namespace);
        let name = lease_name(deployment);
        let lease = api.get_opt(&name).await.map_err(|e| api_err(&name, e))?;
        Ok(lease.and_then(|l| {
            let holder = l
                .spec
                .as_ref()?
                .holder_identity
                .clone()
                .filter(|h| !h.is_empty())?;
            let until = expiry(&l);
            (until.is_none_or(|t| t >= Utc::now())).then_some(LeaseHeld { holder, until })
        }))
    }

    pub fn deployment(&self) -> &str {
        &self.deployment
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    pub fn holder_identity(&self) -> &str {
        &self.holder
    }

    /// Why renewing failed, if it did (the lock may then be taken by someone else).
    pub async fn lost(&self) -> Option<String> {
        self.lost.lock().await.clone()
    }

    /// Stops renewing and deletes the lease if it is still ours.
    pub async fn release(mut self) -> Result<(), LeaseError> {
        if let Some(r) = self.renewer.take() {
            r.abort();
        }
        release(&self.api, &self.name, &self.holder).await
    }
}

async fn release(api: &Api<Lease>, name: &str, holder: &str) -> Result<(), LeaseError> {
    let Some(lease) = api.get_opt(name).await.map_err(|e| api_err(name, e))? else {
        return Ok(());
    };
    if lease
        .spec
        .as_ref()
        .and_then(|s| s.holder_identity.as_deref())
        != Some(holder)
    {
        return Ok(());
    }
    let dp = DeleteParams {
        preconditions: Some(Preconditions {
            resource_version: lease.metadata.resource_version.clone(),
            uid: lease.metadata.uid.clone(),
        }),
        ..DeleteParams::default()
    };
    match api.delete(name, &dp).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 || s.code == 409 => Ok(()),
        Err(e) => Err(api_err(name, e)),
    }
}

async fn renew_loop(
    api: Api<Lease>,
    name: String,
    holder: String,
    duration: Duration,
    lost: Arc<Mutex<Option<String>>>,
) {
    let period = (duration / 3).max(Duration::from_millis(200));
    loop {
        tokio::time::sleep(period).await;
        let result = async {
            let mut lease = api.get(&name).await?;
            let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
            if spec.holder_identity.as_deref() != Some(holder.as_str()) {
                return Ok::<bool, kube::Error>(false);
            }
            spec.renew_time = Some(now_micro());
            api.replace(&name, &PostParams::default(), &lease).await?;
            Ok(true)
        }
        .await;
        match result {
            Ok(true) => *lost.lock().await = None,
            Ok(false) => {
                *lost.lock().await = Some("the lock was taken over by another console".into());
                return;
            }
            // A transient failure: keep trying until the lease would expire.
            Err(e) => *lost.lock().await = Some(format!("renewing the lock failed: {e}")),
        }
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        if let Some(r) = self.renewer.take() {
            r.abort();
            let (api, name, holder) = (self.api.clone(), self.name.clone(), self.holder.clone());
            // Best effort: if the runtime is shutting down, the lease simply expires.
            self.runtime.spawn(async move {
                let _ = release(&api, &name, &holder).await;
            });
        }
    }
}
