//! The simulated Git repository an Argo CD application tracks: a list of commits, each
//! rendering the managed Deployment (image tag and environment).

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// One commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commit {
    /// 40 hex digits, like a Git SHA-1 (derived from the parent and the content).
    pub sha: String,
    pub message: String,
    /// `Name <email>`.
    pub author: String,
    /// RFC 3339 simulated time.
    pub date: String,
    /// Image tag the commit renders.
    pub version: String,
    /// The container's environment the commit renders (the whole set).
    pub env: BTreeMap<String, String>,
}

/// What a commit renders: the one Deployment the application manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub namespace: String,
    pub deployment: String,
    pub container: String,
    pub image: String,
    pub env: BTreeMap<String, String>,
}

/// Why a revision does not name a commit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevisionError {
    /// Worded as Argo CD's Git client (`util/git/client.go` `LsRemote`, wrapping
    /// `ErrRevisionNotFound`).
    #[error("unable to resolve '{0}' to a commit SHA: revision not found")]
    Unknown(String),
}

/// A repository: `repoURL` + `path`, rendering one Deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRepo {
    pub url: String,
    pub path: String,
    /// Destination namespace of the rendered Deployment.
    pub namespace: String,
    pub deployment: String,
    pub container: String,
    /// Image repository; commits choose the tag.
    pub image: String,
    /// Oldest first.
    pub commits: Vec<Commit>,
}

impl GitRepo {
    /// Adds a commit on top of the branch and returns it; `env` of `None` keeps the parent's.
    pub fn commit(
        &mut self,
        message: &str,
        author: &str,
        date: &str,
        version: &str,
        env: Option<BTreeMap<String, String>>,
    ) -> &Commit {
        let parent = self.commits.last();
        let env = env
            .or_else(|| parent.map(|p| p.env.clone()))
            .unwrap_or_default();
        let mut h = Sha256::new();
        h.update(parent.map(|p| p.sha.as_str()).unwrap_or_default());
        for part in [message, author, date, version] {
            h.update([0]);
            h.update(part);
        }
        for (k, v) in &env {
            h.update([0]);
            h.update(format!("{k}={v}"));
        }
        let sha = hex::encode(h.finalize())[..40].to_string();
        self.commits.push(Commit {
            sha,
            message: message.into(),
            author: author.into(),
            date: date.into(),
            version: version.into(),
            env,
        });
        let last = self.commits.len() - 1;
        &self.commits[last]
    }

    /// The commit a revision names: `HEAD`, empty, a branch (`main`, `master`) or a tag
    /// resolve to the newest commit; otherwise a full SHA or a prefix of at least 7 digits.
    pub fn resolve(&self, revision: &str) -> Result<&Commit, RevisionError> {
        let unknown = || RevisionError::Unknown(revision.to_string());
        match revision {
            "" | "HEAD" | "main" | "master" => self.commits.last().ok_or_else(unknown),
            r if r.len() >= 7 && r.chars().all(|c| c.is_ascii_hexdigit()) => {
                let r = r.to_ascii_lowercase();
                let mut found = self.commits.iter().filter(|c| c.sha.starts_with(&r));
                match (found.next(), found.next()) {
                    (Some(c), None) => Ok(c),
                    _ => Err(unknown()),
                }
            }
            _ => Err(unknown()),
        }
    }

    /// What a commit renders.
    pub fn render(&self, commit: &Commit) -> Rendered {
        Rendered {
            namespace: self.namespace.clone(),
            deployment: self.deployment.clone(),
            container: self.container.clone(),
            image: format!("{}:{}", self.image, commit.version),
            env: commit.env.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> GitRepo {
        let mut r = GitRepo {
            url: "https://git.example.com/shop/deploy.git".into(),
            path: "checkout".into(),
            namespace: "checkout".into(),
            deployment: "checkout-api".into(),
            container: "app".into(),
            image: "registry.local/checkout-api".into(),
            commits: Vec::new(),
        };
        let env = BTreeMap::from([("LOG_LEVEL".to_string(), "info".to_string())]);
        r.commit(
            "1.5.0",
            "Dana <d@x>",
            "2026-01-01T00:00:00Z",
            "1.5.0",
            Some(env),
        );
        r.commit("1.6.0", "Dana <d@x>", "2026-01-01T01:00:00Z", "1.6.0", None);
        r
    }

    #[test]
    fn head_and_branches_resolve_to_the_newest_commit_and_shas_by_prefix() {
        let r = repo();
        let first = r.commits[0].sha.clone();
        assert_eq!(r.resolve("HEAD").map(|c| c.version.as_str()), Ok("1.6.0"));
        assert_eq!(r.resolve("main").map(|c| c.version.as_str()), Ok("1.6.0"));
        assert_eq!(
            r.resolve(&first[..7]).map(|c| c.version.as_str()),
            Ok("1.5.0")
        );
        assert_eq!(
            r.resolve(&first.to_uppercase()).map(|c| c.sha.clone()),
            Ok(first)
        );
        assert_eq!(
            r.resolve("deadbeef").map(|c| c.sha.clone()),
            Err(RevisionError::Unknown("deadbeef".into()))
        );
        assert_eq!(
            RevisionError::Unknown("v9".into()).to_string(),
            "unable to resolve 'v9' to a commit SHA: revision not found"
        );
    }

    #[test]
    fn a_commit_without_env_keeps_its_parents_and_renders_the_tag() {
        let r = repo();
        assert_eq!(
            r.commits[1].env.get("LOG_LEVEL").map(String::as_str),
            Some("info")
        );
        assert_ne!(r.commits[0].sha, r.commits[1].sha);
        assert_eq!(r.commits[1].sha.len(), 40);
        let out = r.render(&r.commits[1]);
        assert_eq!(out.image, "registry.local/checkout-api:1.6.0");
        assert_eq!(out.deployment, "checkout-api");
    }
}
