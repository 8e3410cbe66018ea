//! The watcher's steps: kube-runtime 5.0.0's `step_trampolined` and `step`
//! (`src/watcher.rs`), arm for arm, with lists read by `list_page` and watch bodies by
//! [`super::WatchBody`] in the encoding the server answered.

use kube::api::WatchEvent;
use kube::runtime::watcher::{Error, Event, InitialListStrategy};

use super::{
    Ctx, Result, State, is_forbidden, list_page, list_params, next_with_idle_timeout, start_watch,
    version_of, watch_params,
};
use crate::adapters::kube::watched_pod::WatchedPod;

/// One step: `(None, state)` asks for another step before anything is emitted.
async fn step_trampolined(ctx: &Ctx, state: State) -> (Option<Result<Event<WatchedPod>>>, State) {
    let wc = &ctx.wc;
    match state {
        State::Empty => match wc.initial_list_strategy {
            InitialListStrategy::ListWatch => (
                Some(Ok(Event::Init)),
                State::InitPage {
                    continue_token: None,
                    objects: Default::default(),
                    last_bookmark: None,
                },
            ),
            InitialListStrategy::StreamingList => {
                match start_watch(ctx, &watch_params(wc, true), "0").await {
                    Ok(body) => (Some(Ok(Event::Init)), State::InitialWatch { body }),
                    Err(err) => {
                        if is_forbidden(&err) {
                            tracing::warn!("watch initlist error with 403: {err:?}");
                        }
                        (Some(Err(Error::WatchStartFailed(err))), State::Empty)
                    }
                }
            }
        },
        State::InitPage {
            continue_token,
            mut objects,
            last_bookmark,
        } => {
            if let Some(next) = objects.pop_front() {
                return (
                    Some(Ok(Event::InitApply(next))),
                    State::InitPage {
                        continue_token,
                        objects,
                        last_bookmark,
                    },
                );
            }
            if continue_token.is_none()
                && let Some(resource_version) = last_bookmark
            {
                return (
                    Some(Ok(Event::InitDone)),
                    State::InitListed { resource_version },
                );
            }
            let mut lp = list_params(wc);
            lp.continue_token = continue_token;
            match list_page(ctx, &lp).await {
                Ok(list) => {
                    let last_bookmark = list.resource_version.filter(|s| !s.is_empty());
                    let continue_token = list.continue_token.filter(|s| !s.is_empty());
                    if last_bookmark.is_none() && continue_token.is_none() {
                        return (Some(Err(Error::NoResourceVersion)), State::Empty);
                    }
                    (
                        None,
                        State::InitPage {
                            continue_token,
                            objects: list.items.into_iter().collect(),
                            last_bookmark,
                        },
                    )
                }
                Err(err) => {
                    if is_forbidden(&err) {
                        tracing::warn!("watch list error with 403: {err:?}");
                    }
                    (Some(Err(Error::InitialListFailed(err))), State::Empty)
                }
            }
        }
        State::InitialWatch { mut body } => {
            match next_with_idle_timeout(&mut body, wc.timeout).await {
                Some(Ok(WatchEvent::Added(obj) | WatchEvent::Modified(obj))) => (
                    Some(Ok(Event::InitApply(obj))),
                    State::InitialWatch { body },
                ),
                // Kubernetes says these cannot happen during the initial events.
                Some(Ok(WatchEvent::Deleted(_))) => (None, State::InitialWatch { body }),
                Some(Ok(WatchEvent::Bookmark(bm))) => {
                    if bm
                        .metadata
                        .annotations
                        .contains_key("k8s.io/initial-events-end")
                    {
                        (
                            Some(Ok(Event::InitDone)),
                            State::Watching {
                                resource_version: bm.metadata.resource_version,
                                body,
                            },
                        )
                    } else {
                        (None, State::InitialWatch { body })
                    }
                }
                Some(Ok(WatchEvent::Error(err))) => {
                    let next = if err.code == 410 {
                        State::Empty
                    } else {
                        State::InitialWatch { body }
                    };
                    (Some(Err(Error::WatchError(err))), next)
                }
                Some(Err(err)) => (
                    Some(Err(Error::WatchFailed(err))),
                    State::InitialWatch { body },
                ),
                None => (None, State::Empty),
            }
        }
        State::InitListed { resource_version } => {
            match start_watch(ctx, &watch_params(wc, false), &resource_version).await {
                Ok(body) => (
                    None,
                    State::Watching {
                        resource_version,
                        body,
                    },
                ),
                Err(err) => {
                    if is_forbidden(&err) {
                        tracing::warn!("watch initlist error with 403: {err:?}");
                    }
                    (
                        Some(Err(Error::WatchStartFailed(err))),
                        State::InitListed { resource_version },
                    )
                }
            }
        }
        State::Watching {
            resource_version,
            mut body,
        } => match next_with_idle_timeout(&mut body, wc.timeout).await {
            Some(Ok(WatchEvent::Added(obj) | WatchEvent::Modified(obj))) => {
                match version_of(&obj) {
                    Some(resource_version) => (
                        Some(Ok(Event::Apply(obj))),
                        State::Watching {
                            resource_version,
                            body,
                        },
                    ),
                    None => (Some(Err(Error::NoResourceVersion)), State::Empty),
                }
            }
            Some(Ok(WatchEvent::Deleted(obj))) => match version_of(&obj) {
                Some(resource_version) => (
                    Some(Ok(Event::Delete(obj))),
                    State::Watching {
                        resource_version,
                        body,
                    },
                ),
                None => (Some(Err(Error::NoResourceVersion)), State::Empty),
            },
            Some(Ok(WatchEvent::Bookmark(bm))) => (
                None,
                State::Watching {
                    resource_version: bm.metadata.resource_version,
                    body,
                },
            ),
            Some(Ok(WatchEvent::Error(err))) => {
                // 410 Gone: the version is older than the server's history; re-list.
                let next = if err.code == 410 {
                    State::Empty
                } else {
                    State::Watching {
                        resource_version,
                        body,
                    }
                };
                if err.code == 403 {
                    tracing::warn!("watcher watchevent error 403: {err:?}");
                }
                (Some(Err(Error::WatchError(err))), next)
            }
            Some(Err(err)) => {
                if is_forbidden(&err) {
                    tracing::warn!("watcher error 403: {err:?}");
                }
                (
                    Some(Err(Error::WatchFailed(err))),
                    State::Watching {
                        resource_version,
                        body,
                    },
                )
            }
            None => (None, State::InitListed { resource_version }),
        },
    }
}

/// Steps until something is emitted.
pub(super) async fn step(ctx: &Ctx, mut state: State) -> (Result<Event<WatchedPod>>, State) {
    loop {
        match step_trampolined(ctx, state).await {
            (Some(result), next) => return (result, next),
            (None, next) => state = next,
        }
    }
}
