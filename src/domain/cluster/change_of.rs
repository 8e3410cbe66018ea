//! What a cluster action changes in revision and image terms, from the revision history
//! the console sees: the before/after the journal's [`ChangeDetail`] carries and the
//! report's "Changes made" section tells.

use super::action::ClusterAction;
use super::rollout::{Revision, RolloutView};
use crate::domain::journal::ChangeDetail;

/// The revision the Deployment's template currently is.
pub fn current_revision(view: &RolloutView) -> Option<&Revision> {
    view.revisions.iter().find(|r| r.current)
}

/// The revision `kubectl rollout undo` goes to: `to` when given (and not 0), else the
/// previous one, i.e. the second-highest revision number (kubectl's
/// `deploymentRevision` in `pkg/polymorphichelpers/rollback.go`).
pub fn undo_destination(view: &RolloutView, to: Option<i64>) -> Option<&Revision> {
    match to.filter(|&n| n != 0) {
        Some(n) => view.revisions.iter().find(|r| r.number == n),
        None => {
            let max = view.revisions.iter().map(|r| r.number).max()?;
            view.revisions
                .iter()
                .filter(|r| r.number < max)
                .max_by_key(|r| r.number)
        }
    }
}

/// The images of a revision as one text (`web:1.5.2`, or `a:1, b:2` for several
/// containers).
pub fn images_text(r: &Revision) -> Option<String> {
    (!r.images.is_empty()).then(|| r.images.join(", "))
}

/// The from/to revision and image of `action` on the Deployment as `view` shows it; the
/// other fields (`via`, `confirmed_by`, `previewed`) are the caller's.
pub fn change_detail(view: Option<&RolloutView>, action: &ClusterAction) -> ChangeDetail {
    let Some(view) = view else {
        return ChangeDetail::default();
    };
    let from = current_revision(view);
    let mut detail = ChangeDetail {
        from_revision: from.map(|r| r.number),
        from_image: from.and_then(images_text),
        ..ChangeDetail::default()
    };
    match action {
        ClusterAction::Undo { to_revision } => {
            let to = undo_destination(view, *to_revision);
            detail.to_revision = to.map(|r| r.number);
            detail.to_image = to.and_then(images_text);
        }
        ClusterAction::SetImage { image, .. } => detail.to_image = Some(image.clone()),
        // Actions that leave the template's images alone: only where it was.
        _ => {}
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cluster::rollout_fixtures::{rev, view};

    #[test]
    fn undo_goes_to_the_second_highest_revision_unless_told() {
        let v = view(vec![
            rev(1, "web:1.4.0", false),
            rev(3, "web:1.6.0", false),
            rev(4, "web:1.5.2", true),
        ]);
        assert_eq!(undo_destination(&v, None).map(|r| r.number), Some(3));
        assert_eq!(undo_destination(&v, Some(0)).map(|r| r.number), Some(3));
        assert_eq!(undo_destination(&v, Some(1)).map(|r| r.number), Some(1));
        assert_eq!(undo_destination(&v, Some(9)), None);
    }

    #[test]
    fn an_undo_and_a_set_image_say_from_what_to_what() {
        let v = view(vec![rev(2, "web:1.5.2", false), rev(3, "web:1.6.0", true)]);
        let undo = change_detail(Some(&v), &ClusterAction::Undo { to_revision: None });
        assert_eq!((undo.from_revision, undo.to_revision), (Some(3), Some(2)));
        assert_eq!(undo.from_image.as_deref(), Some("web:1.6.0"));
        assert_eq!(undo.to_image.as_deref(), Some("web:1.5.2"));
        let set = change_detail(
            Some(&v),
            &ClusterAction::SetImage {
                container: "*".into(),
                image: "web:1.5.3".into(),
            },
        );
        assert_eq!(set.to_image.as_deref(), Some("web:1.5.3"));
        assert_eq!(set.to_revision, None, "the new revision is not known yet");
        let scale = change_detail(Some(&v), &ClusterAction::Scale { replicas: 0 });
        assert_eq!((scale.from_revision, scale.to_image), (Some(3), None));
        assert_eq!(
            change_detail(None, &ClusterAction::Pause),
            ChangeDetail::default()
        );
    }
}
