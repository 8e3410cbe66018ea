//! The journal writer: appends on its own thread, in order, fsyncing each record, and
//! answers with `Msg::Journaled`; `finish` waits for every queued write.

use tokio::sync::mpsc;

use crate::domain::journal::Entry;
use crate::ui::effect::JournalEffect;
use crate::ui::msg::Msg;

use super::journal_port::JournalAppend;

/// The journal on its own thread: appends in order, fsyncs, answers with `Msg::Journaled`.
pub struct JournalWriter {
    queue: std::sync::mpsc::Sender<(u64, Entry)>,
    thread: std::thread::JoinHandle<()>,
}

impl JournalWriter {
    pub fn start<J: JournalAppend>(mut journal: J, tx: mpsc::Sender<Msg>) -> JournalWriter {
        let (queue, rx) = std::sync::mpsc::channel::<(u64, Entry)>();
        let thread = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || {
                while let Ok((req, entry)) = rx.recv() {
                    let result = journal.append(entry);
                    if let Err(e) = &result {
                        tracing::error!("journal append failed: {e}");
                    }
                    // The console may be gone (quitting): the record is on disk anyway.
                    let _ = tx.blocking_send(Msg::Journaled { req, result });
                }
            })
            .expect("spawning the journal thread");
        JournalWriter { queue, thread }
    }

    /// The journal family's effects.
    pub fn execute(&self, effect: JournalEffect) {
        match effect {
            JournalEffect::Append { req, entry } => self.send(req, entry),
        }
    }

    pub fn send(&self, req: u64, entry: Entry) {
        if self.queue.send((req, entry)).is_err() {
            tracing::error!("journal thread is gone; entry not written");
        }
    }

    /// Waits until every queued entry is on disk.
    pub fn finish(self) {
        drop(self.queue);
        let _ = self.thread.join();
    }
}
