//! The console's input sources: the terminal's keys, pastes and resizes, a tick each
//! second, and SIGTERM/SIGHUP as `Msg::Terminate`.

use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use ratatui::crossterm::event::{Event, EventStream};
use tokio::sync::mpsc;

use crate::ui::msg::Msg;

pub fn spawn_input(tx: mpsc::Sender<Msg>) {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(ev) = events.next().await {
            let msg = match ev {
                Ok(Event::Key(k)) => Msg::Key(k),
                Ok(Event::Paste(s)) => Msg::Paste(s),
                Ok(Event::Resize(width, height)) => Msg::Resize { width, height },
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!("terminal input error: {e}");
                    break;
                }
            };
            if tx.send(msg).await.is_err() {
                break;
            }
        }
    });
}

pub fn spawn_ticks(tx: mpsc::Sender<Msg>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            for line in super::terminal::take_background_panics() {
                if tx.send(Msg::BackgroundPanic(line)).await.is_err() {
                    return;
                }
            }
            if tx.send(Msg::Tick(Utc::now())).await.is_err() {
                break;
            }
        }
    });
}

pub fn spawn_signals(tx: mpsc::Sender<Msg>) {
    use tokio::signal::unix::{SignalKind, signal};
    tokio::spawn(async move {
        let (Ok(mut term), Ok(mut hup), Ok(mut int), Ok(mut quit)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::quit()),
        ) else {
            tracing::warn!("could not install SIGTERM/SIGHUP/SIGINT/SIGQUIT handlers");
            return;
        };
        loop {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = hup.recv() => "SIGHUP",
                _ = int.recv() => "SIGINT",
                _ = quit.recv() => "SIGQUIT",
            };
            // Which signal ended the console, for whoever reads the log afterwards.
            tracing::info!(signal = name, "signal received: the console ends");
            if tx.send(Msg::Terminate).await.is_err() {
                break;
            }
        }
    });
}
