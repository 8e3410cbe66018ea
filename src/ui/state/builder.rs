//! The console's start-up state in one place: `cli::console` learns, before the first
//! frame, which secrets to mask, the message sinks, a drill's intro, the live metrics and
//! cluster panes and a notice to show; it gives them here and gets an `App` from `build`,
//! instead of patching a running `App`.

use chrono::{DateTime, Utc};

use crate::domain::journal::Record;
use crate::domain::progress::Progress;
use crate::domain::redact::Redactor;
use crate::domain::runbook::Runbook;
use crate::domain::session_state::SessionState;
use crate::ui::keymap::Keymap;
use crate::ui::theme::Theme;

use super::app::App;
use super::cluster::LiveCluster;
use super::drill::DrillIntro;
use super::flash::Flash;
use super::layer::Layer;
use super::messaging::Messaging;
use super::metrics::LiveMetrics;
use super::session::SessionInfo;
use super::target::{TargetForm, TargetState};
use super::view_spot::ViewSpot;

pub struct AppBuilder {
    runbook: Runbook,
    session: SessionInfo,
    records: Vec<Record>,
    state: SessionState,
    theme: Theme,
    keymap: Keymap,
    now: DateTime<Utc>,
    redactor: Redactor,
    messaging: Messaging,
    rehearse_outside_commands: bool,
    argocd_on_the_simulator: bool,
    deploy_api_on_the_simulator: Option<(String, Option<String>)>,
    deploy_api_token: Option<(String, String)>,
    argocd_server_from_env: bool,
    intro: Option<DrillIntro>,
    metrics: Option<LiveMetrics>,
    cluster: Option<LiveCluster>,
    notice: Option<Flash>,
    target: TargetState,
    target_form: Option<TargetForm>,
    view_spot: Option<ViewSpot>,
}

impl AppBuilder {
    /// A session on `runbook` at the end of `records` (replayed once, here).
    pub fn new(
        runbook: Runbook,
        session: SessionInfo,
        records: Vec<Record>,
        theme: Theme,
        keymap: Keymap,
        now: DateTime<Utc>,
    ) -> AppBuilder {
        let state = SessionState::replay(&records);
        AppBuilder::with_state(runbook, session, (records, state), theme, keymap, now)
    }

    /// `new` for records already folded into their state (by the caller, which read
    /// them): `journaled` is the records and the state they fold into.
    pub fn with_state(
        runbook: Runbook,
        session: SessionInfo,
        journaled: (Vec<Record>, SessionState),
        theme: Theme,
        keymap: Keymap,
        now: DateTime<Utc>,
    ) -> AppBuilder {
        let (records, state) = journaled;
        AppBuilder {
            runbook,
            session,
            records,
            state,
            theme,
            keymap,
            now,
            redactor: Redactor::default(),
            messaging: Messaging::default(),
            rehearse_outside_commands: false,
            argocd_on_the_simulator: false,
            deploy_api_on_the_simulator: None,
            deploy_api_token: None,
            argocd_server_from_env: false,
            intro: None,
            metrics: None,
            cluster: None,
            notice: None,
            target: TargetState::default(),
            target_form: None,
            view_spot: None,
        }
    }

    pub fn runbook(&self) -> &Runbook {
        &self.runbook
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The session's progress as replayed from its records.
    pub fn progress(&self) -> &Progress {
        &self.state.progress
    }

    /// The session as replayed from its records (the one fold, done once, here).
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// What masks secrets in everything shown or journaled.
    pub fn redactor(&mut self, redactor: Redactor) -> &mut AppBuilder {
        self.redactor = redactor;
        self
    }

    /// One more secret value to mask.
    pub fn add_secret(&mut self, secret: String) -> &mut AppBuilder {
        self.redactor.add(secret);
        self
    }

    /// Masks every secret known so far in a text.
    pub fn mask_secrets(&self, text: &str) -> String {
        self.redactor.redact(text).into_owned()
    }

    pub fn messaging(&mut self, messaging: Messaging) -> &mut AppBuilder {
        self.messaging = messaging;
        self
    }

    /// A drill on the simulator: shell steps that would reach beyond it are rehearsed.
    pub fn rehearse_outside_commands(&mut self, rehearse: bool) -> &mut AppBuilder {
        self.rehearse_outside_commands = rehearse;
        self
    }

    /// A drill whose simulator serves Argo CD's API: `argocd` lines run against it.
    pub fn argocd_on_the_simulator(&mut self, yes: bool) -> &mut AppBuilder {
        self.argocd_on_the_simulator = yes;
        self
    }

    /// A drill whose simulator serves a deploy service at `base` (with its token): the
    /// runbook's `DEPLOY_API` is it (and `DEPLOY_API_TOKEN` its token, a secret binding),
    /// and `curl` lines aimed at it run through the console.
    pub fn deploy_api_on_the_simulator(
        &mut self,
        base: Option<(String, Option<String>)>,
    ) -> &mut AppBuilder {
        if let Some(t) = base.as_ref().and_then(|(_, t)| t.clone()) {
            self.redactor.add(t);
        }
        self.deploy_api_on_the_simulator = base;
        self
    }

    /// The front matter's `deploy_api.token_env` names `name`, set in the environment to
    /// `token`: a secret binding (the runbook's `$NAME` is not asked for; its value goes
    /// only to the deploy API's requests).
    pub fn deploy_api_token(&mut self, name: String, token: String) -> &mut AppBuilder {
        self.redactor.add(token.clone());
        self.deploy_api_token = Some((name, token));
        self
    }

    /// `ARGOCD_SERVER` is set: `argocd` lines may run through Argo CD's API.
    pub fn argocd_server_from_env(&mut self, yes: bool) -> &mut AppBuilder {
        self.argocd_server_from_env = yes;
        self
    }

    /// The drill's intro, shown over the first frame.
    pub fn drill_intro(&mut self, intro: DrillIntro) -> &mut AppBuilder {
        self.intro = Some(intro);
        self
    }

    pub fn metrics(&mut self, metrics: Option<LiveMetrics>) -> &mut AppBuilder {
        self.metrics = metrics;
        self
    }

    pub fn has_metrics(&self) -> bool {
        self.metrics.is_some()
    }

    pub fn cluster(&mut self, cluster: LiveCluster) -> &mut AppBuilder {
        self.cluster = Some(cluster);
        self
    }

    /// How the console was connected, and why there is no cluster (`cluster off: …`).
    pub fn target(&mut self, target: TargetState) -> &mut AppBuilder {
        self.target = target;
        self
    }

    /// The target read from the runbook, shown for the operator to accept or edit
    /// before the console connects.
    pub fn target_form(&mut self, form: TargetForm) -> &mut AppBuilder {
        self.target_form = Some(form);
        self
    }

    /// Where the operator was looking when the console was last left.
    pub fn view_spot(&mut self, spot: ViewSpot) -> &mut AppBuilder {
        self.view_spot = Some(spot);
        self
    }

    /// A notice on the key-hint line when the console opens.
    pub fn notice(&mut self, flash: Flash) -> &mut AppBuilder {
        self.notice = Some(flash);
        self
    }

    pub fn build(self) -> App {
        let mut app = App::with_state(
            self.runbook,
            self.session,
            self.records,
            self.state,
            self.theme,
            self.keymap,
            self.now,
        );
        app.redactor = self.redactor;
        app.messaging = self.messaging;
        app.rehearse_outside_commands = self.rehearse_outside_commands;
        app.argo.on_the_simulator = self.argocd_on_the_simulator;
        app.argo.server_from_env = self.argocd_server_from_env;
        if let Some((name, token)) = self.deploy_api_token {
            app.secrets.insert(name, token);
        }
        if let Some((base, token)) = self.deploy_api_on_the_simulator {
            app.deploy_api.sim_base = Some(base);
            if let Some(t) = token {
                app.secrets.insert("DEPLOY_API_TOKEN".into(), t);
            }
        }
        if let Some(intro) = self.intro {
            app.layers.push(Layer::DrillIntro(Box::new(intro)));
        }
        app.metrics = self.metrics;
        app.cluster = self.cluster;
        app.flash = self.notice;
        app.target = self.target;
        if let Some(form) = self.target_form {
            app.layers.push(Layer::Target(Box::new(form)));
        }
        if let Some(spot) = self.view_spot {
            spot.restore(&mut app);
        }
        app
    }
}
