//! Which command blocks run through Argo CD's API: a block whose every logical line is an
//! `argocd app …` line the console understands. Anything else (a pipe, a shell line, an
//! `argocd` command it does not run natively) leaves the whole block to the shell.

use super::command::{ArgoLine, parse_argocd_line};

/// One line of a block run through Argo CD's API: as written (placeholders filled) and
/// parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgoBlockLine {
    pub text: String,
    pub line: ArgoLine,
}

/// How a filled block relates to Argo CD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgoBlockPlan {
    /// Every line an `argocd app` line run natively.
    Native(Vec<ArgoBlockLine>),
    /// `argocd` lines are there but the block runs in the shell: why.
    Shell(String),
    /// No `argocd` line at all.
    NotArgo,
}

/// Plans a filled block.
pub fn plan_argocd_block(script: &str) -> ArgoBlockPlan {
    let lines = crate::domain::runbook::shell_lines::logical_lines(script);
    if !lines.iter().any(|l| parse_argocd_line(l).is_some()) {
        return ArgoBlockPlan::NotArgo;
    }
    let mut out = Vec::new();
    for (i, text) in lines.iter().enumerate() {
        match parse_argocd_line(text) {
            Some(Ok(line)) => out.push(ArgoBlockLine {
                text: text.clone(),
                line,
            }),
            Some(Err(why)) => return ArgoBlockPlan::Shell(format!("line {}: {why}", i + 1)),
            None => {
                return ArgoBlockPlan::Shell(format!("line {}: not an argocd command", i + 1));
            }
        }
    }
    ArgoBlockPlan::Native(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_of_argocd_app_lines_runs_natively() {
        let plan = plan_argocd_block(
            "# pause self-heal first\nargocd app set checkout-api --sync-policy none\nargocd app rollback checkout-api\n",
        );
        let ArgoBlockPlan::Native(lines) = plan else {
            panic!("{plan:?}");
        };
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].text, "argocd app rollback checkout-api");
        assert!(lines[1].line.command.mutates());
    }

    #[test]
    fn a_shell_line_or_an_unknown_argocd_command_leaves_the_block_to_the_shell() {
        assert_eq!(
            plan_argocd_block("argocd app get shop\necho after"),
            ArgoBlockPlan::Shell("line 2: not an argocd command".into())
        );
        assert!(matches!(
            plan_argocd_block("argocd app get shop --auth-token abc"),
            ArgoBlockPlan::Shell(w) if w.starts_with("line 1: ")
        ));
        assert_eq!(
            plan_argocd_block("kubectl get pods"),
            ArgoBlockPlan::NotArgo
        );
    }
}
