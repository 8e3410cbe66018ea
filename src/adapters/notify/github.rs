//! GitHub issue comment: `POST {api}/repos/{owner}/{repo}/issues/{n}/comments` with
//! `{"body": …}`, a bearer token and GitHub's media type and API version headers.

use reqwest::{Client, RequestBuilder};
use serde_json::json;

use crate::adapters::secret::Secret;
use crate::domain::notify::Outgoing;

pub const DEFAULT_API: &str = "https://api.github.com";

#[derive(Debug, Clone)]
pub struct Github {
    pub api_url: String,
    /// `owner/name`.
    pub repo: String,
    pub issue: u64,
    pub token: Secret,
}

impl Github {
    pub(super) fn request(&self, http: &Client, msg: &Outgoing) -> RequestBuilder {
        let url = format!(
            "{}/repos/{}/issues/{}/comments",
            self.api_url.trim_end_matches('/'),
            self.repo,
            self.issue
        );
        http.post(url)
            .bearer_auth(self.token.expose())
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .json(&json!({ "body": msg.text }))
    }
}
