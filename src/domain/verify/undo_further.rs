//! "Undo further" after a failed check: the revision and image a second rollback would go
//! to, or why it must not. Rolling back again from a release that was itself the rollback
//! target walks straight back into the bad release (kubectl's undo goes to the
//! second-highest revision, which after one undo is the revision just left), so the
//! console names the destination and refuses a revision the session already left as bad.

use crate::domain::cluster::RolloutView;
use crate::domain::cluster::change_of::{images_text, undo_destination};
use crate::domain::journal::ChangeDetail;

/// Where undo further would go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoFurther {
    /// A revision the session has not left as bad.
    To {
        revision: i64,
        image: Option<String>,
    },
    /// Refused: `why` explains, `instead` names an older revision that is not known bad
    /// (to pick in the Rollout pane), if any.
    Refused {
        revision: Option<i64>,
        image: Option<String>,
        why: String,
        instead: Option<(i64, Option<String>)>,
    },
}

impl UndoFurther {
    /// One line for the next-moves popup.
    pub fn describe(&self) -> String {
        match self {
            UndoFurther::To { revision, image } => {
                format!("roll back to revision {revision}{}", image_part(image))
            }
            UndoFurther::Refused { why, .. } => format!("not offered: {why}"),
        }
    }
}

fn image_part(image: &Option<String>) -> String {
    image
        .as_deref()
        .map(|i| format!(" ({i})"))
        .unwrap_or_default()
}

/// The plan, from the revision history and the session's cluster changes (the `change`
/// of every `ClusterActionRequested`, oldest first): the latest change's `from` is "the
/// revision just rolled back from"; every change's `from` is marked bad in the session.
pub fn plan(view: &RolloutView, changes: &[ChangeDetail]) -> UndoFurther {
    let bad_revision = |n: i64| changes.iter().any(|c| c.from_revision == Some(n));
    let bad_image = |img: &Option<String>| {
        img.is_some()
            && changes
                .iter()
                .any(|c| c.from_image.is_some() && c.from_image == *img)
    };
    let is_bad = |n: i64, img: &Option<String>| bad_revision(n) || bad_image(img);
    let Some(dest) = undo_destination(view, None) else {
        return UndoFurther::Refused {
            revision: None,
            image: None,
            why: "there is no earlier revision in the history to roll back to".into(),
            instead: None,
        };
    };
    let image = images_text(dest);
    if !is_bad(dest.number, &image) {
        return UndoFurther::To {
            revision: dest.number,
            image,
        };
    }
    let last = changes
        .iter()
        .rev()
        .find(|c| c.from_revision.is_some() || c.from_image.is_some());
    let just_left = last.is_some_and(|c| {
        c.from_revision == Some(dest.number) || (image.is_some() && c.from_image == image)
    });
    let why = if just_left {
        format!(
            "revision {}{} is the one just rolled back from",
            dest.number,
            image_part(&image)
        )
    } else {
        format!(
            "revision {}{} was rolled back from earlier in this session (marked bad)",
            dest.number,
            image_part(&image)
        )
    };
    let instead = view
        .revisions
        .iter()
        .filter(|r| !r.current && r.number < dest.number)
        .filter(|r| !is_bad(r.number, &images_text(r)))
        .max_by_key(|r| r.number)
        .map(|r| (r.number, images_text(r)));
    UndoFurther::Refused {
        revision: Some(dest.number),
        image,
        why,
        instead,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cluster::rollout_fixtures::{rev, view};

    fn undo(from: i64, from_image: &str, to: i64, to_image: &str) -> ChangeDetail {
        ChangeDetail {
            from_revision: Some(from),
            to_revision: Some(to),
            from_image: Some(from_image.into()),
            to_image: Some(to_image.into()),
            ..ChangeDetail::default()
        }
    }

    #[test]
    fn after_one_undo_the_previous_revision_is_the_bad_release_and_is_refused() {
        // 1.6.0 (rev 3) was rolled back to 1.5.2 (rev 2, now numbered 4).
        let v = view(vec![
            rev(1, "web:1.4.0", false),
            rev(3, "web:1.6.0", false),
            rev(4, "web:1.5.2", true),
        ]);
        let p = plan(&v, &[undo(3, "web:1.6.0", 2, "web:1.5.2")]);
        assert_eq!(
            p,
            UndoFurther::Refused {
                revision: Some(3),
                image: Some("web:1.6.0".into()),
                why: "revision 3 (web:1.6.0) is the one just rolled back from".into(),
                instead: Some((1, Some("web:1.4.0".into()))),
            }
        );
        assert_eq!(
            p.describe(),
            "not offered: revision 3 (web:1.6.0) is the one just rolled back from"
        );
    }

    #[test]
    fn a_revision_left_earlier_in_the_session_is_marked_bad() {
        // Rolled back from 1.6.0 (rev 3), later from 1.5.2 (rev 4); the previous revision
        // now carries 1.6.0 again under a new number.
        let v = view(vec![
            rev(1, "web:1.4.0", false),
            rev(5, "web:1.6.0", false),
            rev(6, "web:1.4.1", true),
        ]);
        let changes = [
            undo(3, "web:1.6.0", 2, "web:1.5.2"),
            undo(4, "web:1.5.2", 1, "web:1.4.1"),
        ];
        let UndoFurther::Refused { why, .. } = plan(&v, &changes) else {
            panic!("refused")
        };
        assert_eq!(
            why,
            "revision 5 (web:1.6.0) was rolled back from earlier in this session (marked bad)"
        );
    }

    #[test]
    fn without_a_rollback_in_the_session_it_names_where_it_goes() {
        let v = view(vec![rev(1, "web:1.4.0", false), rev(2, "web:1.5.2", true)]);
        let p = plan(&v, &[]);
        assert_eq!(
            p,
            UndoFurther::To {
                revision: 1,
                image: Some("web:1.4.0".into())
            }
        );
        assert_eq!(p.describe(), "roll back to revision 1 (web:1.4.0)");
        let only = view(vec![rev(1, "web:1.4.0", true)]);
        assert!(matches!(
            plan(&only, &[]),
            UndoFurther::Refused { instead: None, .. }
        ));
    }
}
