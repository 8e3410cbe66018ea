//! A kubectl line's words sorted into flags (with their values) and positional
//! arguments, as kubectl's flag parser (pflag) reads them.

type R<T> = Result<T, String>;

/// Flags seen on the line, and positional words, in order.
#[derive(Default)]
pub(super) struct Args {
    pub(super) flags: Vec<(String, Option<String>)>,
    pub(super) positional: Vec<String>,
}

/// Flags that take a value as the next word when not written `--flag=value`.
const VALUED: &[&str] = &[
    "--context",
    "-n",
    "--namespace",
    "--to-revision",
    "--timeout",
    "--revision",
    "--replicas",
    "-l",
    "--selector",
    "-c",
    "--containers",
    "-p",
    "--patch",
    "--type",
    "-o",
    "--output",
    "-e",
    "--env",
    "--from",
    "--keys",
    "--prefix",
    "-L",
    "--label-columns",
];

pub(super) fn split_args(ws: &[String]) -> R<Args> {
    let mut a = Args::default();
    let mut i = 0;
    while i < ws.len() {
        let w = &ws[i];
        if w.starts_with('-') && w.len() > 1 && !w.ends_with('-') || w.starts_with("--") {
            if let Some((k, v)) = w.split_once('=') {
                a.flags.push((k.to_string(), Some(v.to_string())));
            } else if VALUED.contains(&w.as_str()) {
                let v = ws
                    .get(i + 1)
                    .ok_or_else(|| format!("flag {w} needs a value"))?;
                a.flags.push((w.clone(), Some(v.clone())));
                i += 1;
            } else if let Some(v) = w
                .strip_prefix("-n")
                .filter(|v| !v.is_empty() && !w.starts_with("--"))
            {
                a.flags.push(("-n".into(), Some(v.to_string())));
            } else {
                a.flags.push((w.clone(), None));
            }
        } else {
            a.positional.push(w.clone());
        }
        i += 1;
    }
    Ok(a)
}

impl Args {
    /// Takes the value of a flag (any of its spellings); later occurrences win, as in
    /// kubectl.
    pub(super) fn take(&mut self, names: &[&str]) -> R<Option<String>> {
        Ok(self.take_all(names)?.pop())
    }

    /// Takes every value of a repeatable flag (`-e A=1 -e B=2`), in order.
    pub(super) fn take_all(&mut self, names: &[&str]) -> R<Vec<String>> {
        let mut vals = Vec::new();
        let mut err = None;
        self.flags.retain(|(k, v)| {
            if names.contains(&k.as_str()) {
                match v {
                    Some(v) => vals.push(v.clone()),
                    None => err = Some(format!("flag {k} needs a value")),
                }
                false
            } else {
                true
            }
        });
        match err {
            Some(e) => Err(e),
            None => Ok(vals),
        }
    }

    /// Removes a boolean flag; `Some(true)` when given as `--flag` or `--flag=true`.
    pub(super) fn take_bool(&mut self, name: &str) -> R<Option<bool>> {
        let mut val = None;
        let mut err = None;
        self.flags.retain(|(k, v)| {
            if k == name {
                match v.as_deref() {
                    None | Some("true") => val = Some(true),
                    Some("false") => val = Some(false),
                    Some(o) => err = Some(format!("invalid value {o:?} for {name}")),
                }
                false
            } else {
                true
            }
        });
        match err {
            Some(e) => Err(e),
            None => Ok(val),
        }
    }

    pub(super) fn finish(&self) -> R<()> {
        match self.flags.first() {
            Some((k, _)) => Err(format!("flag {k} is not supported natively")),
            None => Ok(()),
        }
    }
}
