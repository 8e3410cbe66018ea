//! The cluster family's executor: connecting goes to the connector, every other cluster
//! effect to the connected target's [`ClusterExec`]; without one, a native read is
//! answered with kubectl's kind of error and the rest is logged.

use tokio::sync::mpsc;

use crate::ui::effect::ClusterEffect;
use crate::ui::msg::Msg;

use super::cluster_connect::Connector;
use super::cluster_exec::ClusterExec;

#[derive(Default)]
pub struct ClusterEffects {
    /// The connected target's executor; `None` without a cluster connection.
    pub exec: Option<ClusterExec>,
    /// Connects to another target while the console runs (`None`: not possible here).
    pub connector: Option<Connector>,
}

impl ClusterEffects {
    pub fn execute(&self, effect: ClusterEffect, tx: &mpsc::Sender<Msg>) {
        match (effect, &self.exec) {
            (ClusterEffect::Connect { generation, target }, _) => match &self.connector {
                Some(c) => c.connect(generation, target, tx.clone()),
                None => {
                    let _ = tx.try_send(Msg::ClusterConnectFailed {
                        generation,
                        error: "this console cannot connect to a cluster".into(),
                    });
                }
            },
            (effect, Some(exec)) => exec.execute(effect, tx.clone()),
            (ClusterEffect::NativeRead { run, .. }, None) => {
                let _ = tx.try_send(Msg::NativeRead {
                    run,
                    printed: Err("error: this console is not connected to a cluster".into()),
                });
            }
            (ClusterEffect::StopRead { .. }, None) => {}
            (ClusterEffect::Read { read, .. }, None) => {
                tracing::error!("cluster read without a cluster: {read:?}")
            }
            (effect, None) => tracing::error!("cluster effect without a cluster: {effect:?}"),
        }
    }
}
