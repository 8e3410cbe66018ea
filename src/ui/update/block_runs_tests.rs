//! A command block in one shell, line by line: per-line journal records and output
//! marks, the stop at the first failing line with retry / continue / stop, follows
//! stopped with Enter as a success, `watch` rounds replacing each other, a missing
//! program, Ctrl-C on one line, and declined confirmations.

use ratatui::crossterm::event::KeyCode;

use crate::domain::journal::Entry;
use crate::domain::runbook::StepId;
use crate::ui::effect::{Effect, ShellEffect};
use crate::ui::msg::{Msg, Stream};
use crate::ui::state::{App, Layer};
use crate::ui::testkit::*;
use crate::ui::update::update;

fn block_app(script: &str) -> App {
    let book = crate::domain::runbook::parse(
        std::path::Path::new("lines.md"),
        &format!("# Lines\n\n## 1. Check\n\nRun the checks.\n\n```bash\n{script}\n```\n"),
    )
    .expect("loads");
    let mut app = app_for(book);
    app.cursor = app.flat_index_of(StepId(0)).expect("step");
    app
}

/// r, y: the block starts; returns the first line's effects (after its record).
fn start(app: &mut App) -> (Vec<Effect>, Vec<Entry>) {
    update(app, key('r'));
    assert!(
        matches!(app.layers.last(), Some(Layer::Confirm(_))),
        "a confirmation first"
    );
    send(app, key('y'))
}

fn line_of(fx: &[Effect]) -> (u32, u32, String, Option<u64>) {
    fx.iter()
        .find_map(|f| match f {
            Effect::Shell(ShellEffect::Line {
                block,
                run,
                text,
                every_secs,
                ..
            }) => Some((*block, *run, text.clone(), *every_secs)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no shell line in {fx:?}"))
}

fn exited(block: u32, run: u32, code: i32) -> Msg {
    Msg::LineExited {
        block,
        run,
        exit_code: Some(code),
        shell_gone: false,
        duration_ms: 10,
    }
}

fn output(app: &App) -> Vec<String> {
    app.output.lines.iter().map(|l| l.text.clone()).collect()
}

#[test]
fn a_block_runs_line_by_line_in_one_shell_and_journals_each_line() {
    let mut app = block_app("cd /tmp\nX=1 && echo \"$X\"\nls |\n  wc -l");
    let (fx, written) = start(&mut app);
    assert!(
        matches!(
            &written[..],
            [Entry::PhaseEntered { .. }, Entry::CommandStarted { run: 1, command, .. }] if command == "line 1/3: cd /tmp"
        ),
        "{written:?}"
    );
    let (block, run, text, every) = line_of(&fx);
    assert_eq!((block, run, text.as_str(), every), (1, 1, "cd /tmp", None));
    assert_eq!(
        output(&app).last().map(String::as_str),
        Some("▶ line 1/3 $ cd /tmp")
    );
    // Line 1 ends: journaled, and line 2 goes to the same shell (block 1).
    let (fx, written) = send(&mut app, exited(1, 1, 0));
    assert!(
        matches!(
            &written[..],
            [
                Entry::CommandFinished { run: 1, exit_code: Some(0), cancelled: false, .. },
                Entry::CommandStarted { run: 2, command, .. }
            ] if command == "line 2/3: X=1 && echo \"$X\""
        ),
        "{written:?}"
    );
    assert_eq!(line_of(&fx).0, 1, "the same shell");
    update(
        &mut app,
        Msg::Output {
            run: 2,
            stream: Stream::Stdout,
            line: "1".into(),
        },
    );
    let (fx, _) = send(&mut app, exited(1, 2, 0));
    // A pipe ending a line goes on on the next: one line.
    let (_, run, text, _) = line_of(&fx);
    assert_eq!((run, text.as_str()), (3, "ls |\n  wc -l"));
    let (fx, written) = send(&mut app, exited(1, 3, 0));
    assert_eq!(fx, vec![Effect::Shell(ShellEffect::End { block: 1 })]);
    assert!(matches!(
        &written[..],
        [Entry::CommandFinished {
            run: 3,
            exit_code: Some(0),
            ..
        }]
    ));
    assert!(app.block_run.is_none() && app.running.is_none());
    assert!(app.is_finished(app.selected().expect("step")));
    assert_eq!(
        output(&app),
        vec![
            "▶ line 1/3 $ cd /tmp",
            "✓ line 1/3 exit 0",
            "▶ line 2/3 $ X=1 && echo \"$X\"",
            "1",
            "✓ line 2/3 exit 0",
            "▶ line 3/3 $ ls |",
            "    >   wc -l",
            "✓ line 3/3 exit 0",
        ]
    );
}

#[test]
fn the_first_failing_line_stops_the_block_and_asks_retry_continue_or_stop() {
    let mut app = block_app("kubectl top pods\ncurl -fsS http://checkout/health\necho done");
    let (fx, _) = start(&mut app);
    let (block, run, ..) = line_of(&fx);
    let (fx, _) = send(&mut app, exited(block, run, 0));
    let (_, run2, ..) = line_of(&fx);
    // The middle line fails: nothing more runs, the step says which line.
    let (fx, written) = send(&mut app, exited(block, run2, 6));
    assert!(fx.is_empty(), "nothing runs after a failed line: {fx:?}");
    assert!(matches!(
        &written[..],
        [Entry::CommandFinished {
            exit_code: Some(6),
            ..
        }]
    ));
    assert!(matches!(app.layers.last(), Some(Layer::LineFailed { .. })));
    assert_eq!(app.mode(), crate::ui::keymap::Mode::LineFailed);
    assert_eq!(
        output(&app).last().map(String::as_str),
        Some("✗ line 2/3 exit 6")
    );
    assert!(!app.is_finished(app.selected().expect("step")));
    let step_pane = screen(&app, 120, 40);
    assert!(
        step_pane.contains("✗ line 2/3 failed: exit 6; the block stopped there"),
        "{step_pane}"
    );
    assert!(step_pane.contains("1 line after it not run"), "{step_pane}");
    // r: the same line again, in the same shell.
    let (fx, written) = send(&mut app, key('r'));
    let (b, retry, text, _) = line_of(&fx);
    assert_eq!(
        (b, text.as_str()),
        (block, "curl -fsS http://checkout/health")
    );
    assert!(retry > run2);
    assert!(
        matches!(&written[..], [Entry::CommandStarted { command, .. }] if command.starts_with("line 2/3: curl"))
    );
    // It fails again; c continues past it with line 3.
    send(&mut app, exited(block, retry, 7));
    let (fx, _) = send(&mut app, key('c'));
    let (_, run3, text, _) = line_of(&fx);
    assert_eq!(text, "echo done");
    let (fx, _) = send(&mut app, exited(block, run3, 0));
    assert_eq!(fx, vec![Effect::Shell(ShellEffect::End { block })]);
    // Continued past a failure, then the rest succeeded: done.
    assert!(app.is_finished(app.selected().expect("step")));
}

#[test]
fn stop_leaves_the_step_open_and_continue_past_the_last_line_ticks_it() {
    let mut app = block_app("true\nfalse");
    let (fx, _) = start(&mut app);
    let (block, run, ..) = line_of(&fx);
    let (fx, _) = send(&mut app, exited(block, run, 0));
    let (_, run2, ..) = line_of(&fx);
    send(&mut app, exited(block, run2, 1));
    // s stops: the shell ends, the step stays open, it says where it stopped.
    let (fx, written) = send(&mut app, key('s'));
    assert_eq!(fx, vec![Effect::Shell(ShellEffect::End { block })]);
    assert!(written.is_empty());
    assert!(app.layers.is_empty() && app.block_run.is_none());
    assert!(!app.is_finished(app.selected().expect("step")));
    let pane = screen(&app, 120, 40);
    assert!(
        pane.contains("✗ last run: line 2/2 failed (exit 1)"),
        "{pane}"
    );
    // Again, and this time continue past the failed last line: ticked, journaled.
    let (fx, _) = start(&mut app);
    let (block, run, ..) = line_of(&fx);
    let (fx, _) = send(&mut app, exited(block, run, 0));
    let (_, run2, ..) = line_of(&fx);
    send(&mut app, exited(block, run2, 1));
    let (fx, written) = send(&mut app, key('c'));
    assert_eq!(fx, vec![Effect::Shell(ShellEffect::End { block })]);
    assert!(matches!(
        &written[..],
        [Entry::StepTicked {
            step: StepId(0),
            ..
        }]
    ));
    assert!(app.is_finished(app.selected().expect("step")));
}

#[test]
fn a_missing_program_fails_its_line_with_command_not_found() {
    let mut app = block_app("argocd app get shop\necho after");
    let (fx, _) = start(&mut app);
    let (block, run, ..) = line_of(&fx);
    update(
        &mut app,
        Msg::Output {
            run,
            stream: Stream::Stderr,
            line: "sh: 1: argocd: not found".into(),
        },
    );
    let (fx, written) = send(&mut app, exited(block, run, 127));
    assert!(fx.is_empty());
    assert!(matches!(
        &written[..],
        [Entry::CommandFinished {
            exit_code: Some(127),
            ..
        }]
    ));
    let out = output(&app);
    assert!(
        out.contains(&"sh: 1: argocd: not found".to_string()),
        "{out:?}"
    );
    assert_eq!(
        out.last().map(String::as_str),
        Some("✗ line 1/2 exit 127: command not found")
    );
    assert!(matches!(app.layers.last(), Some(Layer::LineFailed { .. })));
}

#[test]
fn ctrl_c_cancels_the_running_line_only_and_asks_what_next() {
    let mut app = block_app("sleep 100\necho after");
    let (fx, _) = start(&mut app);
    let (block, run, ..) = line_of(&fx);
    // Ctrl-C: the line's cancel (the executor interrupts that line, not the shell).
    let fx = update(&mut app, ctrl('c'));
    assert_eq!(fx, vec![Effect::Shell(ShellEffect::Cancel { run })]);
    let (fx, written) = send(&mut app, exited(block, run, 130));
    assert!(
        !fx.contains(&Effect::Shell(ShellEffect::End { block })),
        "the shell stays: {fx:?}"
    );
    assert!(matches!(
        &written[..],
        [Entry::CommandFinished {
            cancelled: true,
            ..
        }]
    ));
    assert!(matches!(app.layers.last(), Some(Layer::LineFailed { .. })));
    // c: the block goes on in the same shell.
    let (fx, _) = send(&mut app, key('c'));
    assert_eq!(line_of(&fx).2, "echo after");
}

#[test]
fn a_follow_runs_until_enter_stops_it_as_a_success_and_the_checks_after_it_run() {
    let mut app = block_app(
        "kubectl get pods -n checkout -w\nkubectl rollout status deployment/checkout-api -n checkout\ncurl -fsS http://checkout/version",
    );
    let (fx, written) = start(&mut app);
    let (block, run, text, _) = line_of(&fx);
    assert_eq!(text, "kubectl get pods -n checkout -w");
    assert!(
        matches!(&written[..], [_, Entry::CommandStarted { command, .. }] if command.starts_with("line 1/3 (follow): "))
    );
    let pane = screen(&app, 120, 40);
    assert!(
        pane.contains("following — Enter stops this line and goes on"),
        "{pane}"
    );
    // Enter stops the follow (an interrupt of that line)…
    let fx = update(&mut app, code(KeyCode::Enter));
    assert_eq!(fx, vec![Effect::Shell(ShellEffect::Cancel { run })]);
    // …which ends with 130, recorded as the success it is.
    let (fx, written) = send(&mut app, exited(block, run, 130));
    assert!(
        matches!(
            &written[..],
            [
                Entry::CommandFinished {
                    exit_code: Some(0),
                    cancelled: false,
                    ..
                },
                Entry::CommandStarted { .. }
            ]
        ),
        "{written:?}"
    );
    assert!(output(&app).contains(&"■ line 1/3 stopped following: ok".to_string()));
    let (_, run2, text, _) = line_of(&fx);
    assert!(text.starts_with("kubectl rollout status"));
    let (fx, _) = send(&mut app, exited(block, run2, 0));
    let (_, run3, text, _) = line_of(&fx);
    assert!(text.starts_with("curl"));
    send(&mut app, exited(block, run3, 0));
    assert!(app.is_finished(app.selected().expect("step")));
}

#[test]
fn watch_runs_its_command_every_n_seconds_each_round_replacing_the_last() {
    let mut app = block_app("watch -n 5 'kubectl get pods | grep checkout'\necho next");
    let (fx, _) = start(&mut app);
    let (_, run, text, every) = line_of(&fx);
    assert_eq!(
        (text.as_str(), every),
        ("kubectl get pods | grep checkout", Some(5))
    );
    let out = |app: &mut App, line: &str| {
        update(
            app,
            Msg::Output {
                run,
                stream: Stream::Stdout,
                line: line.into(),
            },
        );
    };
    update(&mut app, Msg::OutputFrame { run });
    out(&mut app, "checkout-api-1 Running");
    update(&mut app, Msg::OutputFrame { run });
    // Between rounds the last round stays: never a blank pane.
    assert!(output(&app).contains(&"checkout-api-1 Running".to_string()));
    out(&mut app, "checkout-api-2 Running");
    let lines = output(&app);
    assert!(
        !lines.contains(&"checkout-api-1 Running".to_string()),
        "{lines:?}"
    );
    assert_eq!(
        lines.last().map(String::as_str),
        Some("checkout-api-2 Running")
    );
    assert!(lines[0].starts_with("▶ line 1/2 $ watch -n 5"), "{lines:?}");
}

#[test]
fn declining_a_block_journals_declined_and_the_step_says_not_run() {
    let mut app = block_app("echo a\necho b");
    update(&mut app, key('r'));
    let (fx, written) = send(&mut app, key('n'));
    assert!(fx.is_empty());
    assert!(matches!(
        &written[..],
        [Entry::CommandDeclined {
            step: StepId(0),
            ..
        }]
    ));
    assert!(app.state.progress.last_run(StepId(0)).is_none());
    let pane = screen(&app, 120, 40);
    assert!(pane.contains("not run (declined)"), "{pane}");
    assert!(!pane.contains("exit 1"), "{pane}");
}

fn cluster_block_app(script: &str) -> App {
    let mut app = block_app(script);
    app.cluster = Some(crate::ui::state::cluster::LiveCluster::new(
        "sim",
        "checkout",
        "checkout-api",
        false,
        false,
    ));
    app
}

const LIVE_DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout-api\n  namespace: checkout\nspec:\n  replicas: 3\n";

/// The server's dry run of a previewed line answers (`dry_run` printed, the live object
/// `LIVE_DEPLOYMENT`); returns the preview's confirmation body.
fn dry_run_answers(app: &mut App, fx: &[Effect], dry_run: &str) -> Vec<String> {
    let Some((block, line, preview)) = fx.iter().find_map(|f| match f {
        Effect::Shell(ShellEffect::PreviewLine {
            block,
            line,
            preview,
        }) => Some((*block, *line, preview.clone())),
        _ => None,
    }) else {
        panic!("a preview first: {fx:?}")
    };
    assert!(
        preview.dry_run.ends_with(&[
            "--dry-run=server".to_string(),
            "-o".into(),
            if preview.deletes { "name" } else { "yaml" }.into()
        ]),
        "{preview:?}"
    );
    let ok = |stdout: &str| crate::domain::cluster::line_preview::Captured {
        ok: true,
        stdout: stdout.into(),
        stderr: String::new(),
    };
    let (fx, _) = send(
        app,
        Msg::LinePreviewed {
            block,
            line,
            answer: crate::domain::cluster::line_preview::PreviewAnswer {
                dry_run: ok(dry_run),
                live: Some(ok(LIVE_DEPLOYMENT)),
            },
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("the preview's confirmation")
    };
    assert_eq!(
        c.intent,
        crate::ui::state::Intent::RunPreviewedLine { step: StepId(0) }
    );
    c.body.clone()
}

#[test]
fn deleting_the_target_in_the_shell_shows_the_server_dry_run_then_wants_its_typed_name() {
    let mut app =
        cluster_block_app("kubectl delete deployment/checkout-api -n checkout\necho deleted");
    // y on the block is not enough: the server's dry run and the diff come first…
    let (fx, written) = start(&mut app);
    assert!(
        !written
            .iter()
            .any(|e| matches!(e, Entry::CommandStarted { .. })),
        "{written:?}"
    );
    let body = dry_run_answers(&mut app, &fx, "deployment.apps/checkout-api\n");
    assert_eq!(
        body[0],
        "$ kubectl delete deployment/checkout-api -n checkout"
    );
    assert_eq!(
        body[1],
        "Server dry run: deployment.apps/checkout-api would be deleted."
    );
    assert_eq!(body[2], "Diff against the live object (+0 −7):");
    assert!(body.contains(&"-  replicas: 3".to_string()), "{body:?}");
    assert!(
        output(&app).iter().any(|l| l == "-  name: checkout-api"),
        "the whole diff in the Output pane: {:?}",
        output(&app)
    );
    // …then y on it, and still nothing runs before the name is typed.
    let (fx, written) = send(&mut app, key('y'));
    assert!(fx.is_empty() && written.is_empty(), "{fx:?} {written:?}");
    let Some(Layer::Prompt(p)) = app.layers.last() else {
        panic!("the typed name")
    };
    assert!(p.hint.contains("Type checkout-api"), "{}", p.hint);
    assert!(
        output(&app).iter().any(|l| l.contains(
            "changes delete deployment/checkout-api: deletes the console's target deployment/checkout-api"
        )),
        "{:?}",
        output(&app)
    );
    // A wrong name runs nothing and asks again.
    typed(&mut app, "checkout");
    let (fx, _) = send(&mut app, code(KeyCode::Enter));
    assert!(fx.is_empty());
    assert!(matches!(app.layers.last(), Some(Layer::Prompt(p)) if p.error.is_some()));
    // Esc declines: journaled as declined, the block ends, nothing ran.
    let (fx, written) = send(&mut app, code(KeyCode::Esc));
    assert_eq!(fx, vec![Effect::Shell(ShellEffect::End { block: 1 })]);
    assert!(matches!(
        &written[..],
        [Entry::CommandDeclined { command, .. }] if command == "kubectl delete deployment/checkout-api -n checkout"
    ));
    assert!(app.block_run.is_none() && app.layers.is_empty());
}

#[test]
fn a_line_for_another_namespace_says_so_and_runs_only_after_the_typed_name() {
    let mut app =
        cluster_block_app("echo before\nkubectl -n payments rollout undo deployment/payments-api");
    let (fx, _) = start(&mut app);
    let (block, run, ..) = line_of(&fx);
    let (fx, _) = send(&mut app, exited(block, run, 0));
    // The server's dry run of the undo, and the diff, first; y on them; then the name.
    let body = dry_run_answers(
        &mut app,
        &fx,
        &LIVE_DEPLOYMENT.replace("replicas: 3", "replicas: 4"),
    );
    assert!(
        body.contains(&"-  replicas: 3".to_string())
            && body.contains(&"+  replicas: 4".to_string()),
        "{body:?}"
    );
    let (fx, _) = send(&mut app, key('y'));
    assert!(fx.is_empty(), "the second line waits: {fx:?}");
    assert!(
        output(&app)
            .iter()
            .any(|l| l.contains("in namespace payments, not the console's checkout")),
        "{:?}",
        output(&app)
    );
    typed(&mut app, "payments-api");
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    let (_, _, text, _) = line_of(&fx);
    assert_eq!(
        text,
        "kubectl -n payments rollout undo deployment/payments-api"
    );
    assert!(
        matches!(&written[..], [Entry::CommandStarted { command, .. }] if command.starts_with("line 2/2: kubectl -n payments"))
    );
}

#[test]
fn the_confirmation_says_in_plain_words_what_other_tools_lines_change() {
    let mut app = block_app(
        "argocd app get storefront\nargocd app rollback storefront 12\nhelm rollback checkout 3\ncurl -X POST https://deploy.example.com/api/v1/deployment/rollback",
    );
    update(&mut app, key('r'));
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("a confirmation")
    };
    let body = c.body.join("\n");
    for want in [
        "⚠ line 2 changes: argocd app rollback",
        "⚠ line 3 changes: helm rollback checkout → revision 3",
        "⚠ line 4 changes: POST …/deployment/rollback",
    ] {
        assert!(body.contains(want), "{want}: {body}");
    }
    assert!(!body.contains("line 1 changes"), "{body}");
}

/// A new console on the records `first` wrote, up to (not including) the first record
/// `cut` rejects: the console died there.
fn resumed_from(first: &App, script: &str, keep: impl Fn(&Entry) -> bool) -> App {
    let mut app = block_app(script);
    for r in first.records.iter().take_while(|r| keep(&r.entry)) {
        app.state.progress.apply(r);
        app.records.push(r.clone());
    }
    app
}

/// The console dies between lines 1 and 2 of a three-line block: the step is not done,
/// and `r` on resume offers to go on from line 2 (y), in a new shell.
#[test]
fn a_block_the_console_died_in_is_not_done_and_resume_offers_to_continue() {
    let script = "echo one\necho two\necho three";
    let mut first = block_app(script);
    let (fx, _) = start(&mut first);
    let (block, run, ..) = line_of(&fx);
    send(&mut first, exited(block, run, 0));
    // Died after line 1's end was on disk, before line 2's start.
    let mut app = resumed_from(
        &first,
        script,
        |e| !matches!(e, Entry::CommandStarted { command, .. } if command.starts_with("line 2/3")),
    );
    assert!(!app.is_finished(app.selected().expect("step")));
    let pane = screen(&app, 200, 50);
    assert!(
        pane.contains("last run stopped after line 1/3: the lines after it did not run (r continues from line 2/3)"),
        "{pane}"
    );
    update(&mut app, key('r'));
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("a confirmation")
    };
    assert_eq!(
        c.intent,
        crate::ui::state::Intent::ContinueBlock {
            step: StepId(0),
            from: 1
        }
    );
    assert_eq!(
        c.body,
        vec![
            "echo two",
            "echo three",
            "⚠ The last run did not finish: the block stopped after line 1/3. A new shell: variables and cd from earlier lines are gone."
        ]
    );
    assert_eq!(
        c.question,
        "Continue from line 2/3? (n: the whole block instead)"
    );
    let (fx, written) = send(&mut app, key('y'));
    assert!(
        matches!(&written[..], [.., Entry::CommandStarted { command, .. }] if command == "line 2/3: echo two"),
        "{written:?}"
    );
    let (block, run, text, _) = line_of(&fx);
    assert_eq!(text, "echo two");
    assert!(
        output(&app)[0].starts_with("↪ continuing from line 2/3"),
        "{:?}",
        output(&app)
    );
    let (fx, _) = send(&mut app, exited(block, run, 0));
    let (_, run, text, _) = line_of(&fx);
    assert_eq!(text, "echo three");
    send(&mut app, exited(block, run, 0));
    assert!(app.is_finished(app.selected().expect("step")));
}

/// Died while line 2 ran: resume offers line 2 again; `n` offers the whole block instead.
#[test]
fn a_line_the_console_died_in_is_offered_again_and_n_offers_the_whole_block() {
    let script = "echo one\nkubectl get pods -w\necho three";
    let mut first = block_app(script);
    let (fx, _) = start(&mut first);
    let (block, run, ..) = line_of(&fx);
    send(&mut first, exited(block, run, 0));
    let mut app = resumed_from(&first, script, |_| true);
    assert!(!app.is_finished(app.selected().expect("step")));
    let pane = screen(&app, 200, 50);
    assert!(
        pane.contains("line 2/3 was running when the session ended: r continues from it"),
        "{pane}"
    );
    update(&mut app, key('r'));
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("a confirmation")
    };
    assert!(
        c.body
            .iter()
            .any(|l| l.contains("line 2/3 was running when the session ended.")),
        "{:?}",
        c.body
    );
    assert_eq!(
        c.question,
        "Continue from line 2/3? (n: the whole block instead)"
    );
    let (fx, written) = send(&mut app, key('n'));
    assert!(fx.is_empty() && written.is_empty(), "{fx:?} {written:?}");
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("the whole block's confirmation")
    };
    assert_eq!(
        c.intent,
        crate::ui::state::Intent::RunCommand { step: StepId(0) }
    );
    let (fx, written) = send(&mut app, key('y'));
    assert!(
        matches!(&written[..], [.., Entry::CommandStarted { command, .. }] if command == "line 1/3: echo one"),
        "{written:?}"
    );
    assert_eq!(line_of(&fx).2, "echo one");
}

/// `kubectl get pods -w` on the console's target in a shell block: nothing runs in the
/// shell, the live Pods pane has the focus, and Enter (there) ends the line as a success
/// and the block goes on.
#[test]
fn kubectl_get_pods_w_on_the_target_follows_the_pods_pane_in_a_shell_block() {
    let mut app = cluster_block_app("echo before\nkubectl get pods -w\necho after");
    let (fx, _) = start(&mut app);
    let (block, run, ..) = line_of(&fx);
    let (fx, written) = send(&mut app, exited(block, run, 0));
    assert!(fx.is_empty(), "nothing runs in the shell: {fx:?}");
    assert!(
        matches!(&written[..], [.., Entry::CommandStarted { run: 2, command, .. }] if command == "line 2/3 (follow): kubectl get pods -w"),
        "{written:?}"
    );
    assert_eq!(app.focus, crate::ui::state::Pane::Pods);
    assert!(
        output(&app).iter().any(|l| l
            == "▶ line 2/3 $ kubectl get pods -w   (following the live Pods pane: Enter stops this line and goes on)"),
        "{:?}",
        output(&app)
    );
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    assert!(
        app.layers.is_empty(),
        "Enter stopped the follow, no drill-down"
    );
    assert!(
        matches!(
            &written[..],
            [
                Entry::CommandFinished {
                    run: 2,
                    exit_code: Some(0),
                    cancelled: false,
                    ..
                },
                Entry::CommandStarted { run: 3, .. }
            ]
        ),
        "{written:?}"
    );
    assert_eq!(line_of(&fx).2, "echo after");
    assert_eq!(app.focus, crate::ui::state::Pane::Procedure);

    // Ctrl-C on such a line cancels it: the block asks what next.
    let mut app = cluster_block_app("kubectl get pods -w\necho after");
    start(&mut app);
    let (_, written) = send(&mut app, ctrl('c'));
    assert!(
        matches!(
            &written[..],
            [Entry::CommandFinished {
                run: 1,
                cancelled: true,
                ..
            }]
        ),
        "{written:?}"
    );
    assert!(matches!(app.layers.last(), Some(Layer::LineFailed { .. })));
}
