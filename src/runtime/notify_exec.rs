//! The notify family's executor: a delivery goes to the notifier task (refused at once
//! when the console has no sinks), a draft without a sink to the clipboard and the
//! session directory.

use tokio::sync::mpsc;

use crate::ui::effect::NotifyEffect;
use crate::ui::msg::Msg;

use super::drafts::DraftExec;
use super::notify_feed::{NotifyTask, refuse};

pub struct NotifyExec {
    /// `None` without message sinks.
    pub notifier: Option<NotifyTask>,
    /// Drafts without a sink: the clipboard and the session directory.
    pub drafts: DraftExec,
}

impl NotifyExec {
    pub fn execute(&mut self, effect: NotifyEffect, tx: &mpsc::Sender<Msg>) {
        match effect {
            NotifyEffect::Deliver { sink, msg } => match &self.notifier {
                Some(n) => n.send(sink, *msg, tx),
                None => refuse(tx, sink, *msg, "no message sinks in this console"),
            },
            NotifyEffect::Draft {
                key,
                template,
                text,
            } => self.drafts.draft(key, template, text, tx),
        }
    }
}
