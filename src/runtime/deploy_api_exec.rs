//! The deploy API executor: sends a `curl` line's request (`adapters::deploy_api`), judges
//! the answer by status and body (`domain::deploy_api::judge`), applies the line's `| jq …`
//! with the jq program fed the body, and answers with `Msg::DeployApi`.
//!
//! The bearer token is the value of the variable the line names (`DEPLOY_API_TOKEN`), from
//! the drill's simulator setup or the environment; the CA is the simulator's in a drill.

use tokio::sync::mpsc;

use crate::adapters::deploy_api::{DeployApi, jq};
use crate::adapters::secret::Secret;
use crate::domain::deploy_api::{CurlCall, judge};
use crate::ui::effect::DeployApiEffect;
use crate::ui::msg::Msg;
use crate::ui::state::deploy_api::DeployAnswer;

use super::argo_exec::ArgoSetup;

pub struct DeployApiExec {
    setup: ArgoSetup,
}

impl DeployApiExec {
    /// `setup`: the simulator's services (environment values over the process's, its CA).
    pub fn new(setup: ArgoSetup) -> DeployApiExec {
        DeployApiExec { setup }
    }

    /// Request `op`.
    pub fn run(&self, op: u64, call: CurlCall, token: Option<Secret>, tx: mpsc::Sender<Msg>) {
        let setup = self.setup.clone();
        tokio::spawn(async move {
            let answer = answer(&setup, &call, token).await;
            let _ = tx.send(Msg::DeployApi { op, answer }).await;
        });
    }
}

async fn answer(setup: &ArgoSetup, call: &CurlCall, token: Option<Secret>) -> DeployAnswer {
    let api = match DeployApi::new(setup.ca_pem.as_deref()) {
        Ok(a) => a,
        Err(e) => return DeployAnswer::Failed(e.to_string()),
    };
    let token = token.or_else(|| {
        call.token_env
            .as_deref()
            .and_then(|k| setup.env_value(k))
            .filter(|v| !v.is_empty())
            .map(Secret::new)
    });
    let a = match api.send(call, token.as_ref()).await {
        Ok(a) => a,
        Err(e) => return DeployAnswer::Failed(e.to_string()),
    };
    let v = judge(a.status, &a.reason, &a.body);
    let mut printed = vec![format!("HTTP {}", v.summary)];
    printed.extend(v.body.iter().cloned());
    if let (Some(words), true) = (&call.jq, v.ok) {
        printed.push(format!(
            "| {} (the jq program, fed the response):",
            words.join(" ")
        ));
        match jq(words, &a.body).await {
            Ok((out, true)) => printed.extend(out),
            Ok((out, false)) => {
                printed.extend(out);
                return DeployAnswer::Answered {
                    ok: false,
                    summary: format!("{}; jq failed", v.summary),
                    printed,
                    body: a.body,
                };
            }
            Err(e) => {
                return DeployAnswer::Answered {
                    ok: false,
                    summary: format!("{}; {e}", v.summary),
                    printed,
                    body: a.body,
                };
            }
        }
    }
    DeployAnswer::Answered {
        ok: v.ok,
        summary: v.summary,
        printed,
        body: a.body,
    }
}

impl DeployApiExec {
    /// The deploy API family's effects.
    pub fn execute(&self, effect: DeployApiEffect, tx: &mpsc::Sender<Msg>) {
        match effect {
            DeployApiEffect::Request { op, call, token } => self.run(op, call, token, tx.clone()),
        }
    }
}
