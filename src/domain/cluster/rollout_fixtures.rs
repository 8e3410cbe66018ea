//! Rollout views for unit tests: a deployment `web` with revisions `web-N`, complete.

use super::rollout::{Revision, RolloutStatus, RolloutView};

/// Revision `number` of `web` (replica set `web-N`) running `image`.
pub fn rev(number: i64, image: &str, current: bool) -> Revision {
    Revision {
        number,
        replica_set: format!("web-{number}"),
        images: vec![image.to_string()],
        change_cause: None,
        created: None,
        replicas: 0,
        current,
    }
}

/// The complete rollout of `web` (3 of 3 ready) with these revisions.
pub fn view(revisions: Vec<Revision>) -> RolloutView {
    RolloutView {
        deployment: "web".into(),
        revisions,
        desired: 3,
        replicas: 3,
        updated: 3,
        ready: 3,
        available: 3,
        unavailable: 0,
        generation: 1,
        observed_generation: 1,
        conditions: Vec::new(),
        paused: false,
        status: RolloutStatus::Complete {
            message: String::new(),
        },
        created: None,
        labels: Default::default(),
        selector: String::new(),
        containers: Vec::new(),
    }
}
