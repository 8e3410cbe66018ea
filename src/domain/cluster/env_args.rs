//! `kubectl set env` arguments, read by kubectl's own rules: resources first, then
//! `NAME=VALUE` / `NAME-` (`SplitEnvironmentFromResources` and `parseIntoEnvVar` in
//! kubectl's `pkg/cmd/set/env/env_parse.go`), `-e/--env`, `--from`, `--keys`, and `-c`
//! container globs (`selectString` in `pkg/cmd/set/helper.go`). Used for runbook lines and
//! for the actions menu's prompt, so both take exactly what a kubectl user would type.

use super::action::{EnvChange, EnvSource};
use super::kubectl_args::{Args, split_args};
use super::shell_words::words;

type R<T> = Result<T, String>;

/// What `set env` asks for, once its resource is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetEnvArgs {
    /// `-c/--containers`: a glob over container names; `None` is kubectl's `*`.
    pub container: Option<String>,
    pub changes: Vec<EnvChange>,
}

/// kubectl's `IsEnvironmentArgument`: `(?ms)^(.+)\=(.*)$`, an `=` after at least one
/// character.
fn is_environment_argument(s: &str) -> bool {
    s.char_indices().any(|(i, c)| i > 0 && c == '=')
}

/// kubectl's `SplitEnvironmentFromResources`: resources come first; after the first
/// environment argument (`NAME=VALUE` or `NAME-`) every argument must be one.
pub fn split_environment_from_resources(args: &[String]) -> Option<(Vec<String>, Vec<String>)> {
    let (mut resources, mut env) = (Vec::new(), Vec::new());
    for s in args {
        let is_env = is_environment_argument(s) || s.ends_with('-');
        match (env.is_empty(), is_env) {
            (_, true) => env.push(s.clone()),
            (true, false) => resources.push(s.clone()),
            (false, false) => return None,
        }
    }
    Some((resources, env))
}

/// `validation.IsEnvVarName` (apimachinery): `[-._a-zA-Z][-._a-zA-Z0-9]*`.
fn env_var_name_error(name: &str) -> Option<String> {
    let ok = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b"-._".contains(&b))
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
    (!ok).then(|| {
        format!(
            "{name:?} is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
        )
    })
}

/// kubectl's `parseIntoEnvVar`: `NAME=VALUE` (split at the first `=`, the name validated),
/// `NAME-` (removal, the name not validated), `-` (STDIN: not natively); the same name set
/// and removed is refused.
pub fn parse_env(spec: &[String]) -> R<Vec<EnvChange>> {
    let mut changes = Vec::new();
    for s in spec {
        if s == "-" {
            return Err("set env -: variables from STDIN are not read natively".into());
        } else if let Some((name, value)) = s.split_once('=') {
            if let Some(e) = env_var_name_error(name) {
                return Err(e);
            }
            changes.push(EnvChange::Set {
                name: name.into(),
                value: value.into(),
            });
        } else if let Some(name) = s.strip_suffix('-') {
            changes.push(EnvChange::Unset { name: name.into() });
        } else {
            return Err(format!("unknown environment variable: {s}"));
        }
    }
    let set = |n: &str| {
        changes
            .iter()
            .any(|c| matches!(c, EnvChange::Set { name, .. } if name == n))
    };
    let removed_and_set = changes
        .iter()
        .any(|c| matches!(c, EnvChange::Unset { name } if set(name)));
    if removed_and_set {
        return Err(
            "can not both modify and remove the same environment variable in the same command"
                .into(),
        );
    }
    Ok(changes)
}

/// `--from=secret/NAME` or `--from=configmap/NAME` (any spelling kubectl's resource
/// builder takes for those two kinds).
fn env_source(from: &str) -> R<EnvSource> {
    let (kind, name) = from
        .split_once('/')
        .filter(|(_, n)| !n.is_empty())
        .ok_or_else(|| format!("--from={from}: write secret/NAME or configmap/NAME"))?;
    if name.contains(['<', '>', '{', '$']) {
        return Err(format!("placeholder {name:?} not filled in"));
    }
    match kind.to_lowercase().as_str() {
        "secret" | "secrets" => Ok(EnvSource::Secret(name.into())),
        "configmap" | "configmaps" | "cm" => Ok(EnvSource::ConfigMap(name.into())),
        _ => Err(format!(
            "--from={from}: unsupported resource specified in --from"
        )),
    }
}

/// The flags of `set env` taken from `a`, with `env` the positional environment
/// arguments (after the resource). What is left in `a` is not `set env`'s.
pub(super) fn take_set_env(a: &mut Args, env: &[String]) -> R<SetEnvArgs> {
    let container = a.take(&["-c", "--containers"])?;
    if a.take_bool("--all")? == Some(true) {
        return Err(
            "set env --all changes every deployment in the namespace, not only the console's target"
                .into(),
        );
    }
    if a.take_bool("--overwrite")? == Some(false) {
        return Err("set env --overwrite=false is not supported natively".into());
    }
    if a.take(&["--prefix"])?.is_some() {
        return Err("set env --prefix is not supported natively".into());
    }
    let mut spec = a.take_all(&["-e", "--env"])?;
    spec.extend(env.iter().cloned());
    let mut changes = parse_env(&spec)?;
    let keys: Vec<String> = a
        .take_all(&["--keys"])?
        .iter()
        .flat_map(|k| k.split(','))
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    match a.take(&["--from"])? {
        Some(from) => changes.push(EnvChange::From {
            source: env_source(&from)?,
            keys,
        }),
        None if !keys.is_empty() => {
            return Err(
                "when specifying --keys, a configmap or secret must be provided with --from".into(),
            );
        }
        None => {}
    }
    if changes.is_empty() {
        return Err("set env: no NAME=VALUE, NAME- or --from".into());
    }
    Ok(SetEnvArgs { container, changes })
}

/// What the actions menu's set-env prompt takes: the arguments of `kubectl set env
/// deployment/NAME …` after the resource, quoted as in a shell (`A="x y" 'B=a=b' C-
/// -c app --from=secret/creds`).
pub fn parse_set_env_prompt(text: &str) -> R<SetEnvArgs> {
    let ws = words(text)?;
    let mut a = split_args(&ws)?;
    let env = std::mem::take(&mut a.positional);
    if let Some(w) = env
        .iter()
        .find(|w| !is_environment_argument(w) && !w.ends_with('-'))
    {
        return Err(format!("{w:?} is not NAME=VALUE or NAME-"));
    }
    let args = take_set_env(&mut a, &env)?;
    a.finish()?;
    Ok(args)
}

/// kubectl's `selectString` (`pkg/cmd/set/helper.go`): `*` matches every name, a spec
/// without `*` only itself; otherwise its parts are looked for in order, the first at the
/// start and the last at the end. Ported as written, quirks included, so that `-c`
/// selects the containers kubectl would.
pub fn select_container(name: &str, spec: &str) -> bool {
    if spec == "*" {
        return true;
    }
    if !spec.contains('*') {
        return name == spec;
    }
    let parts: Vec<&str> = spec.split('*').collect();
    let mut pos: usize = 0;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        let Some(next) = name.get(pos..).and_then(|rest| rest.find(part)) else {
            return false;
        };
        if next < pos
            || (i == 0 && pos != 0)
            || (i == parts.len() - 1 && name.len() != part.len() + next)
        {
            return false;
        }
        pos = next;
    }
    true
}

/// kubectl's `keyToEnvName`: every character outside `[a-zA-Z0-9_]` becomes `_`, then
/// upper case.
pub fn key_to_env_name(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn set(n: &str, v: &str) -> EnvChange {
        EnvChange::Set {
            name: n.into(),
            value: v.into(),
        }
    }

    /// kubectl `pkg/cmd/set/env/env_parse_test.go` (`TestSplitEnvironmentFromResources`):
    /// resources first, then only environment arguments.
    #[test]
    fn resources_come_before_environment_arguments() {
        assert_eq!(
            split_environment_from_resources(&strs(&["dc/foo", "A=1", "B-"])),
            Some((strs(&["dc/foo"]), strs(&["A=1", "B-"])))
        );
        assert_eq!(
            split_environment_from_resources(&strs(&["deployment", "web", "A=a=b"])),
            Some((strs(&["deployment", "web"]), strs(&["A=a=b"])))
        );
        assert_eq!(
            split_environment_from_resources(&strs(&["A=1", "dc/foo"])),
            None
        );
        assert_eq!(
            split_environment_from_resources(&strs(&["dc/foo", "dc/bar"])),
            Some((strs(&["dc/foo", "dc/bar"]), vec![]))
        );
        // `=x` has no name before its `=`: not an environment argument.
        assert!(!is_environment_argument("=x"));
        assert!(is_environment_argument("A="));
    }

    /// `parseIntoEnvVar` in kubectl `pkg/cmd/set/env/env_parse.go`.
    #[test]
    fn pairs_removals_and_kubectls_errors() {
        assert_eq!(
            parse_env(&strs(&["A=false", "B=x y", "C=a=b", "D=", "E-"])),
            Ok(vec![
                set("A", "false"),
                set("B", "x y"),
                set("C", "a=b"),
                set("D", ""),
                EnvChange::Unset { name: "E".into() },
            ])
        );
        let e = parse_env(&strs(&["1BAD=x"])).unwrap_err();
        assert!(
            e.starts_with("\"1BAD\" is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"),
            "{e}"
        );
        assert_eq!(
            parse_env(&strs(&["A=1", "A-"])),
            Err(
                "can not both modify and remove the same environment variable in the same command"
                    .into()
            )
        );
        assert_eq!(
            parse_env(&strs(&["novalue"])),
            Err("unknown environment variable: novalue".into())
        );
        assert!(parse_env(&strs(&["-"])).unwrap_err().contains("STDIN"));
        // Names kubectl accepts: dots, dashes, a leading underscore.
        assert!(parse_env(&strs(&["my.env-name=1", "_X=2", "-lead=3"])).is_ok());
    }

    #[test]
    fn the_prompt_takes_what_a_shell_user_types() {
        let p = parse_set_env_prompt("A=false B=false C=false D=false").unwrap();
        assert_eq!(
            p.changes,
            vec![
                set("A", "false"),
                set("B", "false"),
                set("C", "false"),
                set("D", "false")
            ]
        );
        assert_eq!(p.container, None);
        let p = parse_set_env_prompt(r#"A="x y" 'B=a=b' C- -c app"#).unwrap();
        assert_eq!(
            p.changes,
            vec![
                set("A", "x y"),
                set("B", "a=b"),
                EnvChange::Unset { name: "C".into() }
            ]
        );
        assert_eq!(p.container.as_deref(), Some("app"));
        let p = parse_set_env_prompt("--from=secret/creds --keys=user,pass -e X=1").unwrap();
        assert_eq!(
            p.changes,
            vec![
                set("X", "1"),
                EnvChange::From {
                    source: EnvSource::Secret("creds".into()),
                    keys: strs(&["user", "pass"]),
                }
            ]
        );
        let p = parse_set_env_prompt("--from cm/flags").unwrap();
        assert_eq!(
            p.changes,
            vec![EnvChange::From {
                source: EnvSource::ConfigMap("flags".into()),
                keys: vec![],
            }]
        );
        for (typed, why) in [
            ("", "no NAME=VALUE"),
            ("novalue", "is not NAME=VALUE or NAME-"),
            ("A=\"unterminated", "unterminated double quote"),
            ("A=$HOME", "shell variable"),
            ("--all A=1", "every deployment"),
            ("--keys=a", "must be provided with --from"),
            ("--from=deployment/x", "unsupported resource"),
            ("--prefix=P_ --from=secret/x", "--prefix is not supported"),
        ] {
            let e = parse_set_env_prompt(typed).unwrap_err();
            assert!(e.contains(why), "{typed}: {e}");
        }
    }

    /// `selectString` in kubectl `pkg/cmd/set/helper.go` (and its `TestSelectString`
    /// cases that do not hit the port's quirks differently).
    #[test]
    fn container_globs_as_kubectl_selects_them() {
        for (name, spec, want) in [
            ("app", "*", true),
            ("app", "app", true),
            ("app", "ap", false),
            ("app-sidecar", "app*", true),
            ("istio-proxy", "*proxy", true),
            ("istio-proxy", "*istio", false),
            ("ap", "a*p", true),
            // A quirk kept: the last part is looked for at its first occurrence, so
            // kubectl's `a*p` does not select `app`.
            ("app", "a*p", false),
            ("other", "a*", false),
        ] {
            assert_eq!(select_container(name, spec), want, "{name} {spec}");
        }
    }

    /// `keyToEnvName` in kubectl `pkg/cmd/set/set_env.go`.
    #[test]
    fn keys_become_variable_names_as_kubectl_names_them() {
        assert_eq!(key_to_env_name("db-password"), "DB_PASSWORD");
        assert_eq!(key_to_env_name("api.key"), "API_KEY");
        assert_eq!(key_to_env_name("TOKEN"), "TOKEN");
    }
}
