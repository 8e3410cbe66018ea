//! A deploy API's answer, judged as an operator would: by the HTTP status and the body. A
//! 4xx/5xx, or a JSON body with an `error`, is a failure — even though `curl` without
//! `-f` exits 0 on it — and the body is shown pretty-printed.

use serde_json::Value;

/// What the console says about one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub ok: bool,
    /// One line for the journal and the flash: `200 OK` or `409 Conflict: rollback refused…`.
    pub summary: String,
    /// The body as shown: JSON pretty-printed, else the text as it came.
    pub body: Vec<String>,
}

/// Judges `status` (`reason`: its phrase, `Conflict`) and `body`.
pub fn judge(status: u16, reason: &str, body: &str) -> Verdict {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let error = json.as_ref().and_then(|v| match &v["error"] {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    });
    let http_ok = (200..400).contains(&status);
    let ok = http_ok && error.is_none();
    let head = format!("{status} {reason}").trim().to_string();
    let summary = match (&error, http_ok) {
        (Some(e), _) => format!("{head}: {e}"),
        (None, false) => format!("{head}: the deploy API refused the request"),
        (None, true) => head,
    };
    let body = match &json {
        Some(v) => serde_json::to_string_pretty(v)
            .unwrap_or_else(|_| body.to_string())
            .lines()
            .map(str::to_string)
            .collect(),
        None => body.lines().map(str::to_string).collect(),
    };
    Verdict { ok, summary, body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_body_decide() {
        let v = judge(
            200,
            "OK",
            r#"{"currentEnvironment":"blue","version":"5.0.0"}"#,
        );
        assert!(v.ok);
        assert_eq!(v.summary, "200 OK");
        assert_eq!(
            v.body,
            vec![
                "{",
                r#"  "currentEnvironment": "blue","#,
                r#"  "version": "5.0.0""#,
                "}"
            ]
        );
        // An error body with a 2xx is still a failure (curl exits 0 on it).
        let v = judge(
            200,
            "OK",
            r#"{"error":"rollback refused: no previous environment"}"#,
        );
        assert!(!v.ok);
        assert_eq!(
            v.summary,
            "200 OK: rollback refused: no previous environment"
        );
        let v = judge(409, "Conflict", r#"{"error":"rollback refused"}"#);
        assert_eq!(
            (v.ok, v.summary.as_str()),
            (false, "409 Conflict: rollback refused")
        );
        let v = judge(503, "Service Unavailable", "upstream down");
        assert!(!v.ok);
        assert_eq!(v.body, vec!["upstream down"]);
        assert_eq!(
            v.summary,
            "503 Service Unavailable: the deploy API refused the request"
        );
        assert!(judge(204, "No Content", "").ok);
    }
}
