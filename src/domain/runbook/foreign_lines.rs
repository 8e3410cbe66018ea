//! Lines of a shell block that are not shell: SQL typed into a database client and YAML.
//!
//! Teams paste what they would type into `psql` right after the `psql` line, and a
//! manifest's YAML into the same ```bash block as the `kubectl apply` that uses it. Those
//! lines are read for what they are and never offered (or run) as shell commands; the
//! lexer (`commands::lex`) asks [`Reader::read`] about every line that starts a new
//! command, so every reader of a block (steps, the console's line-by-line runs,
//! placeholders) agrees.
//!
//! A here-document's body is the command's own input and never reaches this reader.

use serde::Serialize;

/// What a non-shell line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForeignKind {
    /// SQL (or a database client's meta-command such as `\dt`) typed into a client.
    Sql,
    /// A YAML manifest or values file.
    Yaml,
}

impl ForeignKind {
    pub fn label(self) -> &'static str {
        match self {
            ForeignKind::Sql => "SQL",
            ForeignKind::Yaml => "YAML",
        }
    }
}

/// Reads a block's lines in order, remembering what the lines before were.
#[derive(Debug, Default)]
pub(super) struct Reader {
    /// The last command started an interactive database client (`psql -h db`): what follows
    /// is typed into it.
    client: bool,
    /// A SQL statement is open (its `;` is still to come).
    sql_open: bool,
    /// The previous non-blank line was YAML (indented lines go on with it).
    yaml: bool,
}

/// SQL statements' first words.
const SQL_WORDS: &[&str] = &[
    "select",
    "insert",
    "update",
    "delete",
    "create",
    "drop",
    "alter",
    "truncate",
    "begin",
    "commit",
    "rollback",
    "grant",
    "revoke",
    "with",
    "explain",
    "vacuum",
    "analyze",
    "show",
    "use",
    "describe",
    "desc",
    "set",
    "start",
    "reindex",
    "lock",
    "copy",
    "call",
    "pragma",
    "flush",
    "refresh",
    "values",
    "from",
    "where",
    "and",
    "or",
    "order",
    "group",
    "limit",
    "join",
    "left",
    "inner",
    "on",
    "returning",
    "having",
    "union",
];

/// First words that read as SQL even outside a client session (when written in capitals).
const SQL_STATEMENTS: &[&str] = &[
    "select", "insert", "update", "delete", "create", "drop", "alter", "truncate", "grant",
    "revoke", "explain", "vacuum", "begin", "commit", "rollback", "with",
];

/// Interactive database clients.
const CLIENTS: &[&str] = &[
    "psql",
    "mysql",
    "mariadb",
    "sqlite3",
    "sqlcmd",
    "mongo",
    "mongosh",
    "redis-cli",
    "cqlsh",
    "clickhouse-client",
];

/// Programs whose line is a shell command wherever it stands.
const SHELL_PROGRAMS: &[&str] = &[
    "kubectl", "helm", "argocd", "curl", "git", "docker", "echo", "psql", "mysql", "export",
    "sleep", "watch", "aws", "gcloud", "az", "oc", "cat", "for", "if", "while", "cd", "sudo",
];

impl Reader {
    /// What `line` (a whole physical line that starts a new command) is: `None` for shell
    /// (a command, a comment or a blank line).
    pub fn read(&mut self, line: &str) -> Option<ForeignKind> {
        let t = line.trim();
        if t.is_empty() {
            self.sql_open = false;
            return None;
        }
        if t.starts_with('#') {
            return None;
        }
        let shell = SHELL_PROGRAMS.contains(&first_word(t));
        let kind = (!shell)
            .then(|| self.sql(t).or_else(|| self.yaml(line, t)))
            .flatten();
        match kind {
            Some(ForeignKind::Sql) => self.yaml = false,
            Some(ForeignKind::Yaml) => {
                self.yaml = true;
                self.sql_open = false;
            }
            None => {
                self.sql_open = false;
                self.yaml = false;
                self.client = interactive_client(t);
            }
        }
        kind
    }

    fn sql(&mut self, t: &str) -> Option<ForeignKind> {
        let first = first_word(t);
        let is = |list: &[&str]| list.iter().any(|w| w.eq_ignore_ascii_case(first));
        let statement = if self.sql_open {
            true
        } else if self.client {
            if t.starts_with('\\') || t.starts_with("--") {
                if t.starts_with("\\q") {
                    self.client = false;
                }
                return Some(ForeignKind::Sql);
            }
            if is(&["exit", "quit", "exit;", "quit;"]) {
                self.client = false;
                return Some(ForeignKind::Sql);
            }
            is(SQL_WORDS)
        } else {
            let capitals = first.chars().all(|c| c.is_ascii_uppercase());
            let known = is(SQL_STATEMENTS);
            let second_is_flag = t
                .split_whitespace()
                .nth(1)
                .is_some_and(|w| w.starts_with('-'));
            known && !second_is_flag && (capitals || t.ends_with(';'))
        };
        if !statement {
            return None;
        }
        self.sql_open = !t.ends_with(';');
        Some(ForeignKind::Sql)
    }

    fn yaml(&self, line: &str, t: &str) -> Option<ForeignKind> {
        let indented = line.starts_with([' ', '\t']);
        let item = t == "-" || t.starts_with("- ");
        let document = t == "---";
        (item || document || is_key_line(t) || (self.yaml && indented)).then_some(ForeignKind::Yaml)
    }
}

/// The first word of a line, up to a space, `(` or `;`.
fn first_word(t: &str) -> &str {
    let end = t
        .find(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .unwrap_or(t.len());
    &t[..end]
}

/// `key: value` or `key:` as YAML writes a mapping entry (a shell line never starts so).
fn is_key_line(t: &str) -> bool {
    let Some(colon) = t.find(':') else {
        return false;
    };
    let key = &t[..colon];
    let after = &t[colon + 1..];
    let key_ok = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'));
    key_ok && (after.is_empty() || after.starts_with([' ', '\t']))
}

/// Whether a command line starts a database client that reads what comes next: the client
/// named (also after `kubectl exec … --`), with no statement, file or input given to it.
fn interactive_client(t: &str) -> bool {
    // Every client's name holds one of these: most lines are rejected without splitting.
    if !["sql", "mongo", "redis", "mariadb", "clickhouse"]
        .iter()
        .any(|part| t.contains(part))
    {
        return false;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let Some(at) = words
        .iter()
        .position(|w| CLIENTS.contains(&w.rsplit('/').next().unwrap_or(w)))
    else {
        return false;
    };
    if words[..at].contains(&"|") {
        return false;
    }
    !words[at + 1..].iter().any(|w| {
        matches!(
            *w,
            "-c" | "-e" | "-f" | "--command" | "--execute" | "--file" | "--eval" | "<" | "|"
        ) || w.starts_with("--command=")
            || w.starts_with("--execute=")
            || w.starts_with("--file=")
            || w.starts_with("--eval=")
            || w.starts_with('<')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(block: &str) -> Vec<Option<ForeignKind>> {
        let mut reader = Reader::default();
        block.lines().map(|l| reader.read(l)).collect()
    }

    #[test]
    fn sql_typed_into_psql_is_sql_until_the_client_ends() {
        use ForeignKind::Sql;
        let got = read_all(
            "psql -h db -U admin app\n\\dt\nSELECT version FROM schema_migrations\n  ORDER BY version DESC;\n\nBEGIN;\ndelete from schema_migrations where version = '42';\nCOMMIT;\n\\q\nkubectl rollout undo deployment/api\nset -e\n",
        );
        assert_eq!(
            got,
            [
                None,
                Some(Sql),
                Some(Sql),
                Some(Sql),
                None,
                Some(Sql),
                Some(Sql),
                Some(Sql),
                Some(Sql),
                None,
                // After `\q` the shell is back: `set -e` is the shell's.
                None,
            ]
        );
    }

    #[test]
    fn sql_outside_a_client_only_in_capitals_or_ending_with_a_semicolon() {
        use ForeignKind::Sql;
        assert_eq!(
            read_all(
                "UPDATE flags SET enabled = false\n  WHERE name = 'new-checkout';\nset -e\ntruncate -s 0 /var/log/app.log\n"
            ),
            [Some(Sql), Some(Sql), None, None]
        );
        // With `-c` the statement is psql's argument: the next line is the shell's.
        assert_eq!(
            read_all("psql -h db -c 'SELECT 1'\nshow-status\n"),
            [None, None]
        );
        // `kubectl exec … -- psql` opens a client too.
        assert_eq!(
            read_all("kubectl exec -it db-0 -c pg -- psql app\nselect count(*) from orders;\n"),
            [None, Some(Sql)]
        );
    }

    #[test]
    fn yaml_lines_are_yaml() {
        use ForeignKind::Yaml;
        assert_eq!(
            read_all(
                "kubectl apply -f -\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\ndata:\n  checkout: \"off\"\n- item\n---\nkubectl get cm flags\n"
            ),
            [
                None,
                Some(Yaml),
                Some(Yaml),
                Some(Yaml),
                Some(Yaml),
                Some(Yaml),
                Some(Yaml),
                Some(Yaml),
                Some(Yaml),
                None
            ]
        );
        assert_eq!(
            read_all("curl -fsS https://deploy.internal/health\n  --retry 3\nexport A=b\n"),
            [None, None, None]
        );
    }
}
