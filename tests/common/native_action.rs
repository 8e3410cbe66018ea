//! One cluster action run through backout's native path (`ActionRunner`) on a simulator,
//! under the lease the console would hold, for the parity tests that compare it with
//! real kubectl on a twin simulator.

#![allow(dead_code)]

use std::time::Duration;

use backout::adapters::kube::{ActionError, ActionRunner, Executed, LeaseGuard};
use backout::domain::cluster::{ClusterAction, Target};
use serde_json::Value;

use super::Sim;

impl Sim {
    /// Runs `action` natively on `shop/web` as the admin context, holding the lease as
    /// `holder` for the run.
    pub fn run_native(
        &self,
        action: &ClusterAction,
        holder: &str,
    ) -> Result<Executed, ActionError> {
        let conn = self.connect("backout-sim", false);
        let runner = ActionRunner::new(conn.client.clone(), Target::new("shop", "web"), false);
        self.runtime.block_on(async {
            let lease = LeaseGuard::acquire(
                conn.client.clone(),
                "shop",
                "web",
                holder,
                Duration::from_secs(60),
            )
            .await
            .expect("lease");
            let r = runner.execute(action, &lease).await;
            lease.release().await.expect("release");
            r
        })
    }
}

/// `v` without its `null` fields: kubectl's Go structs marshal unset fields (such as
/// `creationTimestamp`) as `null`; the simulator stores what it is sent, where a real API
/// server would decode them away.
pub fn drop_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, drop_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(drop_nulls).collect()),
        other => other,
    }
}
