//! The sections split per popup (issue 11), read through the whole keymap loader: an
//! older `keymap.toml`'s binding in the old section reaches the new one, with a warning.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::keymap::{DEFAULT, Keymap, Mode};
use super::keymap_sections::{SPLIT, section};

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn an_old_section_binding_of_a_moved_action_applies_to_its_new_section_with_a_warning() {
    // Before issue 11 the messages list read `[help]`.
    let (km, warnings) = Keymap::with_overrides("[help]\nretry_message = [\"x\"]\n", "keymap.toml");
    assert_eq!(
        km.action_for(Mode::Messages, &key('x')),
        Some(Action::RetryMessage)
    );
    assert_eq!(km.action_for(Mode::Messages, &key('r')), None);
    assert_eq!(
        km.action_for(Mode::Help, &key('x')),
        None,
        "moved, not copied"
    );
    assert_eq!(
        km.action_for(Mode::Messages, &key('p')),
        Some(Action::PostedByHand),
        "the others keep their defaults"
    );
    assert_eq!(
        warnings,
        vec![
            "keymap.toml:2:1: keymap: [help] retry_message moved to [messages] (one section \
             per popup): applied there; write it under [messages]"
                .to_string()
        ]
    );
}

#[test]
fn a_shared_action_in_the_old_section_applies_to_each_popup_split_off_it_unless_bound_there() {
    let (km, warnings) = Keymap::with_overrides(
        "[confirm]\ncancel = [\"x\"]\n[notice]\ncancel = [\"z\"]\n",
        "keymap.toml",
    );
    for mode in [Mode::Confirm, Mode::NextMoves, Mode::ClusterConfirm] {
        assert_eq!(
            km.action_for(mode, &key('x')),
            Some(Action::Cancel),
            "{mode:?}"
        );
        assert_eq!(km.action_for(mode, &key('n')), None, "{mode:?}");
    }
    assert_eq!(km.action_for(Mode::Notice, &key('z')), Some(Action::Cancel));
    assert_eq!(km.action_for(Mode::Notice, &key('x')), None);
    assert_eq!(
        warnings,
        vec![
            "keymap.toml:2:1: keymap: [confirm] cancel is also bound in [next_moves], \
             [cluster_confirm] now (one section per popup): applied there too; bind it \
             there to set them apart"
                .to_string()
        ]
    );
}

#[test]
fn the_old_view_section_reaches_both_text_views() {
    let (km, warnings) = Keymap::with_overrides(
        "[view]\nprevious_container = [\"P\"]\ncancel = [\"x\"]\n",
        "keymap.toml",
    );
    let shift = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT);
    assert_eq!(
        km.action_for(Mode::ClusterView, &shift('P')),
        Some(Action::PreviousContainer)
    );
    assert_eq!(km.action_for(Mode::RunbookView, &shift('P')), None);
    for mode in [Mode::RunbookView, Mode::ClusterView] {
        assert_eq!(
            km.action_for(mode, &key('x')),
            Some(Action::Cancel),
            "{mode:?}"
        );
        assert_eq!(km.action_for(mode, &key('q')), None, "{mode:?}");
    }
    assert_eq!(
        warnings,
        vec![
            "keymap.toml:2:1: keymap: [view] previous_container moved to [cluster_view] \
             (one section per popup): applied there; write it under [cluster_view]"
                .to_string(),
            "keymap.toml:3:1: keymap: [view] cancel moved to [runbook_view], [cluster_view] \
             (one section per popup): applied there; write it under [runbook_view], \
             [cluster_view]"
                .to_string(),
        ]
    );
}

#[test]
fn the_default_keymap_read_as_a_user_file_is_the_default_keymap_without_warnings() {
    let defaults = Keymap::defaults();
    let (again, warnings) = Keymap::with_overrides(DEFAULT, "keymap.toml");
    assert_eq!(warnings, Vec::<String>::new());
    for mode in Mode::ALL {
        assert!(
            !defaults.bindings(mode).is_empty(),
            "[{}] has keys",
            section(mode)
        );
        assert_eq!(defaults.bindings(mode), again.bindings(mode), "{mode:?}");
    }
    // Every split-off section names its own keys in the default file.
    for (_, split) in SPLIT {
        for mode in *split {
            let header = format!("[{}]", section(*mode));
            assert!(DEFAULT.lines().any(|l| l == header), "{header}");
        }
    }
}

#[test]
fn the_help_popup_lists_each_popups_keys_under_its_own_heading() {
    let app = crate::ui::testkit::app();
    let text: Vec<String> = crate::ui::popups::help::lines(&app)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    let section_of = |title: &str| -> Vec<String> {
        let start = text.iter().position(|l| l == title).expect(title);
        text[start + 1..]
            .iter()
            .take_while(|l| !l.is_empty())
            .cloned()
            .collect()
    };
    let has =
        |rows: &[String], action: Action| rows.iter().any(|r| r.ends_with(action.description()));
    let messages = section_of(Mode::Messages.title());
    assert!(has(&messages, Action::RetryMessage), "{messages:?}");
    assert!(has(&messages, Action::PostedByHand), "{messages:?}");
    let help = section_of(Mode::Help.title());
    assert!(!has(&help, Action::RetryMessage), "{help:?}");
    let next_moves = section_of(Mode::NextMoves.title());
    assert!(has(&next_moves, Action::UndoFurther), "{next_moves:?}");
    let confirm = section_of(Mode::Confirm.title());
    assert!(!has(&confirm, Action::UndoFurther), "{confirm:?}");
    let compose = section_of(Mode::Compose.title());
    assert!(has(&compose, Action::NextMessageKind), "{compose:?}");
}
