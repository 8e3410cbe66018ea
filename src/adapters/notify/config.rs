//! The sinks a runbook's `notify` block configures, with their secrets read from the
//! named environment variables or files and registered with the redactor (so a webhook
//! URL or token never reaches the journal, the log, a report or the screen).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use thiserror::Error;

use super::github::{self, Github};
use super::grafana::Grafana;
use super::pagerduty::{self, Pagerduty};
use super::sink::{Sink, Target};
use super::slack::Slack;
use super::statuspage::{self, Statuspage};
use super::teams::Teams;
use super::webhook::Webhook;
use crate::adapters::secret::Secret;
use crate::domain::notify::SinkKind;
use crate::domain::redact::Redactor;
use crate::domain::runbook::front_matter::{Notify, SecretUrl};

/// Why a configured sink cannot be used; the other sinks still work.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SinkConfigError {
    #[error("notify.{sink}: {what} names `{name}`, which is not set")]
    EnvUnset {
        sink: &'static str,
        what: &'static str,
        name: String,
    },
    #[error("notify.{sink}: cannot read {what} {}: {reason}", path.display())]
    File {
        sink: &'static str,
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("notify.{sink}: {what} {} is empty", path.display())]
    FileEmpty {
        sink: &'static str,
        what: &'static str,
        path: PathBuf,
    },
    #[error("notify.{sink}: sets both {a} and {b}; keep one")]
    Both {
        sink: &'static str,
        a: &'static str,
        b: &'static str,
    },
    #[error("notify.{sink}: needs {a} or {b}")]
    Neither {
        sink: &'static str,
        a: &'static str,
        b: &'static str,
    },
    #[error("notify.github: repo must be `owner/name`, not `{0}`")]
    Repo(String),
}

/// What the `notify` block gave: the usable sinks, in block order, and the problems.
#[derive(Debug, Default)]
pub struct Configured {
    pub sinks: Vec<Sink>,
    pub problems: Vec<SinkConfigError>,
    /// Every secret read: give them to the journal (`JournalFile::add_secret`) and the
    /// redactor of anything else that writes or shows text.
    pub secrets: Vec<Secret>,
}

impl Configured {
    /// A redactor for the secrets read.
    pub fn redactor(&self) -> Redactor {
        Redactor::new(self.secrets.iter().map(|s| s.expose().to_string()))
    }
}

/// The sinks the `notify` block names, in the order `configure` resolves them, whether or
/// not their secrets can be read (a drill's outbox stands in for them all).
pub fn named_sinks(notify: &Notify) -> Vec<SinkKind> {
    [
        (notify.slack.is_some(), SinkKind::Slack),
        (notify.teams.is_some(), SinkKind::Teams),
        (notify.webhook.is_some(), SinkKind::Webhook),
        (notify.github.is_some(), SinkKind::Github),
        (notify.statuspage.is_some(), SinkKind::Statuspage),
        (notify.grafana.is_some(), SinkKind::Grafana),
        (notify.pagerduty.is_some(), SinkKind::Pagerduty),
    ]
    .into_iter()
    .filter_map(|(named, kind)| named.then_some(kind))
    .collect()
}

/// Resolves every sink in `notify`. `env` looks up environment variables (empty counts
/// as unset); `runbook_dir` anchors relative secret files. Every secret read is listed in
/// [`Configured::secrets`].
pub fn configure(
    notify: &Notify,
    env: impl Fn(&str) -> Option<String>,
    runbook_dir: &Path,
) -> Configured {
    let mut secrets = Vec::new();
    let mut r = Resolver {
        env: &env,
        dir: runbook_dir,
        secrets: &mut secrets,
    };
    let mut out = Configured::default();
    let mut push = |kind, target: Result<Target, SinkConfigError>| match target {
        Ok(t) => out.sinks.push(Sink::new(kind, t)),
        Err(e) => out.problems.push(e),
    };
    if let Some(s) = &notify.slack {
        push(
            SinkKind::Slack,
            r.url("slack", s).map(|url| {
                Target::Slack(Slack {
                    url,
                    channel: s.channel.clone(),
                })
            }),
        );
    }
    if let Some(s) = &notify.teams {
        push(
            SinkKind::Teams,
            r.url("teams", s).map(|url| Target::Teams(Teams { url })),
        );
    }
    if let Some(s) = &notify.webhook {
        push(
            SinkKind::Webhook,
            r.url("webhook", s)
                .map(|url| Target::Webhook(Webhook { url })),
        );
    }
    if let Some(g) = &notify.github {
        let target = (|| {
            if g.repo.split('/').filter(|p| !p.trim().is_empty()).count() != 2 {
                return Err(SinkConfigError::Repo(g.repo.clone()));
            }
            let token = r.required(
                "github",
                ("token_env", &g.token_env),
                ("token_file", &g.token_file),
            )?;
            Ok(Target::Github(Github {
                api_url: api(&g.api_url, github::DEFAULT_API),
                repo: g.repo.trim().to_string(),
                issue: g.issue,
                token,
            }))
        })();
        push(SinkKind::Github, target);
    }
    if let Some(s) = &notify.statuspage {
        let target = r
            .required(
                "statuspage",
                ("token_env", &s.token_env),
                ("token_file", &s.token_file),
            )
            .map(|token| {
                Target::Statuspage(Statuspage {
                    api_url: api(&s.api_url, statuspage::DEFAULT_API),
                    page_id: s.page_id.trim().to_string(),
                    component_id: s.component_id.clone(),
                    token,
                    incident: Mutex::new(None),
                })
            });
        push(SinkKind::Statuspage, target);
    }
    if let Some(g) = &notify.grafana {
        let target = r
            .optional(
                "grafana",
                ("token_env", &g.token_env),
                ("token_file", &g.token_file),
            )
            .map(|token| {
                Target::Grafana(Grafana {
                    url: g.url.trim().to_string(),
                    dashboard_uid: g.dashboard_uid.clone(),
                    token,
                    annotation: Mutex::new(None),
                })
            });
        push(SinkKind::Grafana, target);
    }
    if let Some(p) = &notify.pagerduty {
        let target = r
            .required(
                "pagerduty",
                ("routing_key_env", &p.routing_key_env),
                ("routing_key_file", &p.routing_key_file),
            )
            .map(|routing_key| {
                Target::Pagerduty(Pagerduty {
                    api_url: api(&p.api_url, pagerduty::DEFAULT_API),
                    routing_key,
                })
            });
        push(SinkKind::Pagerduty, target);
    }
    out.secrets = secrets;
    out
}

fn api(configured: &Option<String>, default: &str) -> String {
    configured
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or(default)
        .to_string()
}

struct Resolver<'a, E: Fn(&str) -> Option<String>> {
    env: &'a E,
    dir: &'a Path,
    secrets: &'a mut Vec<Secret>,
}

type Named<'a> = (&'static str, &'a Option<String>);

impl<E: Fn(&str) -> Option<String>> Resolver<'_, E> {
    fn url(&mut self, sink: &'static str, s: &SecretUrl) -> Result<Secret, SinkConfigError> {
        self.required(
            sink,
            ("webhook_env", &s.webhook_env),
            ("webhook_file", &s.webhook_file),
        )
    }

    fn required(
        &mut self,
        sink: &'static str,
        env: Named<'_>,
        file: Named<'_>,
    ) -> Result<Secret, SinkConfigError> {
        self.optional(sink, env, file)?
            .ok_or(SinkConfigError::Neither {
                sink,
                a: env.0,
                b: file.0,
            })
    }

    fn optional(
        &mut self,
        sink: &'static str,
        (env_key, env_name): Named<'_>,
        (file_key, file): Named<'_>,
    ) -> Result<Option<Secret>, SinkConfigError> {
        let value = match (env_name, file) {
            (Some(_), Some(_)) => {
                return Err(SinkConfigError::Both {
                    sink,
                    a: env_key,
                    b: file_key,
                });
            }
            (Some(name), None) => (self.env)(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| SinkConfigError::EnvUnset {
                    sink,
                    what: env_key,
                    name: name.clone(),
                })?,
            (None, Some(file)) => {
                let path = self.dir.join(file);
                let text = crate::adapters::secret_file::read(&path).map_err(|e| {
                    SinkConfigError::File {
                        sink,
                        what: file_key,
                        path: path.clone(),
                        reason: e.to_string(),
                    }
                })?;
                let v = text.trim().to_string();
                if v.is_empty() {
                    return Err(SinkConfigError::FileEmpty {
                        sink,
                        what: file_key,
                        path,
                    });
                }
                v
            }
            (None, None) => return Ok(None),
        };
        let secret = Secret::new(value);
        self.secrets.push(secret.clone());
        Ok(Some(secret))
    }
}
