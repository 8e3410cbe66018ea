//! Drafts without a sink: saved under the session directory (0600) and copied to the
//! clipboard of the terminal the console owns with OSC 52, written between frames on the
//! console's own thread (never from the reducer).

use std::io::{self, Write};
use std::path::PathBuf;

use tokio::sync::mpsc;

use crate::adapters::clipboard::{osc52, save_draft};
use crate::ui::msg::Msg;

/// Writes an escape sequence to the terminal.
pub type TerminalWrite = Box<dyn FnMut(&str) -> io::Result<()> + Send>;

#[derive(Default)]
pub struct DraftExec {
    /// The session directory; `None` saves nothing (tests without a session).
    pub session_dir: Option<PathBuf>,
    /// `None` copies nothing (a test backend).
    pub terminal: Option<TerminalWrite>,
}

impl DraftExec {
    /// Saves under `session_dir` and copies through standard output, the terminal the
    /// console draws on.
    pub fn to_stdout(session_dir: PathBuf) -> DraftExec {
        DraftExec {
            session_dir: Some(session_dir),
            terminal: Some(Box::new(|seq: &str| {
                let mut out = io::stdout().lock();
                out.write_all(seq.as_bytes())?;
                out.flush()
            })),
        }
    }

    /// Saves and copies `text`, then answers with `Msg::DraftSaved`.
    pub fn draft(&mut self, key: String, template: String, text: String, tx: &mpsc::Sender<Msg>) {
        let saved = match &self.session_dir {
            Some(dir) => save_draft(dir, &key, &text)
                .map(|p| p.display().to_string())
                .map_err(|e| e.to_string()),
            None => Err("no session directory".to_string()),
        };
        let copied = match (&mut self.terminal, osc52(&text)) {
            (Some(write), Some(seq)) => match write(&seq) {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!("clipboard (OSC 52) not written: {e}");
                    false
                }
            },
            _ => false,
        };
        let answer = Msg::DraftSaved {
            key,
            template,
            text,
            saved,
            copied,
        };
        // The console's channel may be full (a cluster's watch events): the answer must
        // not be dropped, or the operator never hears that the draft was copied. It then
        // waits for room in a task, never blocking the console's thread.
        if let Err(mpsc::error::TrySendError::Full(answer)) = tx.try_send(answer) {
            match tokio::runtime::Handle::try_current() {
                Ok(rt) => {
                    let tx = tx.clone();
                    rt.spawn(async move {
                        let _ = tx.send(answer).await;
                    });
                }
                Err(_) => tracing::warn!("a draft's answer dropped: the console's queue is full"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn a_draft_is_saved_copied_and_answered() {
        let tmp = tempfile::tempdir().expect("tmp");
        let written = Arc::new(Mutex::new(String::new()));
        let sink = written.clone();
        let mut exec = DraftExec {
            session_dir: Some(tmp.path().to_path_buf()),
            terminal: Some(Box::new(move |s: &str| {
                sink.lock().unwrap().push_str(s);
                Ok(())
            })),
        };
        let (tx, mut rx) = mpsc::channel(4);
        exec.draft(
            "k-1".into(),
            "Rollback Notification".into(),
            "hi".into(),
            &tx,
        );
        assert_eq!(*written.lock().unwrap(), "\x1b]52;c;aGk=\x07");
        match rx.try_recv() {
            Ok(Msg::DraftSaved { saved, copied, .. }) => {
                assert!(copied);
                let path = saved.expect("saved");
                assert_eq!(std::fs::read_to_string(path).unwrap(), "hi\n");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_answer_waits_for_room_when_the_consoles_queue_is_full() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut exec = DraftExec {
            session_dir: Some(tmp.path().to_path_buf()),
            terminal: None,
        };
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(Msg::Resize {
            width: 80,
            height: 24,
        })
        .expect("room for one");
        exec.draft(
            "k-1".into(),
            "Rollback Notification".into(),
            "hi".into(),
            &tx,
        );
        assert!(matches!(rx.recv().await, Some(Msg::Resize { .. })));
        let answer = tokio::time::timeout(std::time::Duration::from_secs(30), rx.recv()).await;
        assert!(
            matches!(answer, Ok(Some(Msg::DraftSaved { .. }))),
            "{answer:?}"
        );
    }
}
