//! Container logs as a stream that grows with time (`GET …/pods/{name}/log`).
//!
//! Each run of a container has a log: a `starting` line when it started, then one line a
//! simulated second (`1/speed` apart on the wall clock, the time base of every timestamp
//! served: `sim/clock.rs`) — the requests the simulated application answers, with its version's error ratio and
//! latency, readiness warnings for a version that never gets ready — and, for a run that
//! crashed, the panic at the moment it ended. Every line is a pure function of the pod,
//! the run and its index, so any part of a long log is computed without the rest.
//!
//! Which run is read, and the refusals, are the kubelet's (`pkg/kubelet/kubelet_pods.go`,
//! `validateContainerLogStatus`): the running container; else the last terminated one;
//! `previous=true` the last terminated one or `400 previous terminated container "app"
//! in pod "…" not found`; a waiting container that never ran `400 container "app" in pod
//! "…" is waiting to start: ContainerCreating` (`image can't be pulled` for
//! `ErrImagePull`, `trying and failing to pull image` for `ImagePullBackOff`). An unknown
//! container is the API server's `400 container X is not valid for pod Y`
//! (`pkg/registry/core/pod/strategy.go`, `LogLocation`); a pod not yet scheduled has no
//! log (an empty answer).
//!
//! Options as the kubelet's log reader applies them (`pkg/kubelet/kuberuntime/logs/
//! logs.go`, `ReadLogs` and `logWriter`): `tailLines` picks the last N lines first, then
//! lines older than `sinceSeconds`/`sinceTime` are skipped, `timestamps` prefixes each line
//! with its time in Go's `RFC3339Nano`, and `limitBytes` cuts the output (prefixes
//! included) after that many bytes, mid-line if need be. `follow` streams new lines as
//! they are written until the container's run ends ([`follow`]), also when the container
//! restarted more than once since the follow last looked ([`KeptRuns`]).

mod follow;
mod kept;

use std::collections::HashMap;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Shared;
use super::controllers::pod_ready;
use super::scenario::version_of;
use super::status::ApiError;

pub use follow::{Following, Look, follow};
pub use kept::KeptRuns;

/// The kubelet's rotation size (`containerLogMaxSize`, 10Mi by default in
/// `pkg/kubelet/apis/config/v1beta1/defaults.go`): `kubectl logs` reads the current file
/// only, so a log never returns more than this.
const ROTATED_AT_BYTES: usize = 10 * 1024 * 1024;

/// One run of a container: when it started and, once over, when it ended and whether it
/// crashed.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub pod: String,
    pub container: String,
    pub version: String,
    /// The restart count this run had (distinguishes runs in the lines' noise).
    pub ordinal: i64,
    /// Real seconds between two lines (one simulated second).
    pub per_line_secs: f64,
    pub started: DateTime<Utc>,
    pub ended: Option<DateTime<Utc>>,
    pub crashed: bool,
}

/// The query parameters of a log request that shape its output.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogOptions {
    pub tail_lines: Option<usize>,
    pub since: Option<DateTime<Utc>>,
    pub timestamps: bool,
    pub limit_bytes: Option<usize>,
    pub follow: bool,
    pub previous: bool,
    pub container: Option<String>,
}

impl LogOptions {
    /// Reads `tailLines`, `sinceSeconds`, `sinceTime`, `timestamps`, `limitBytes`,
    /// `follow`, `previous` and `container`; malformed numbers and times are a 400 as the
    /// API server's parameter decoding gives.
    pub fn parse(params: &HashMap<String, String>, now: DateTime<Utc>) -> Result<Self, ApiError> {
        let num = |key: &str| -> Result<Option<i64>, ApiError> {
            params
                .get(key)
                .map(|v| {
                    v.parse::<i64>()
                        .map_err(|_| ApiError::BadRequest(format!("invalid value {v:?} for {key}")))
                })
                .transpose()
        };
        let flag = |key: &str| params.get(key).is_some_and(|v| v == "true" || v == "1");
        let since_time = params
            .get("sinceTime")
            .map(|t| {
                DateTime::parse_from_rfc3339(t)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| ApiError::BadRequest(format!("invalid sinceTime {t:?}: {e}")))
            })
            .transpose()?;
        let since_seconds =
            num("sinceSeconds")?.map(|s| now - chrono::Duration::seconds(s.clamp(0, 1 << 40)));
        Ok(Self {
            tail_lines: num("tailLines")?.and_then(|n| usize::try_from(n).ok()),
            since: since_seconds.or(since_time),
            timestamps: flag("timestamps"),
            limit_bytes: num("limitBytes")?.and_then(|n| usize::try_from(n).ok()),
            follow: flag("follow"),
            previous: flag("previous"),
            container: params.get("container").cloned().filter(|c| !c.is_empty()),
        })
    }
}

/// The run a request reads, or the refusal the kubelet (or API server) gives; `Ok(None)`
/// for a pod not yet scheduled (no log yet).
pub fn run_of(pod: &Value, opts: &LogOptions, speed: f64) -> Result<Option<Run>, ApiError> {
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let containers: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .map(|cs| cs.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    let container = match &opts.container {
        Some(c) => c.clone(),
        None => containers.first().copied().unwrap_or_default().to_string(),
    };
    if !containers.contains(&container.as_str()) {
        return Err(ApiError::BadRequest(format!(
            "container {container} is not valid for pod {pod_name}"
        )));
    }
    if pod["spec"]["nodeName"].as_str().is_none_or(str::is_empty) {
        return Ok(None);
    }
    let Some(status) = pod["status"]["containerStatuses"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == container.as_str()))
    else {
        return Err(ApiError::BadRequest(format!(
            "container {container:?} in pod {pod_name:?} is not available"
        )));
    };
    let restarts = status["restartCount"].as_i64().unwrap_or(0);
    let time = |v: &Value| {
        v.as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let run = |state: &Value, ordinal: i64, over: bool| Run {
        pod: pod_name.to_string(),
        container: container.clone(),
        version: version_of(&pod["spec"]),
        ordinal,
        per_line_secs: 1.0 / speed.max(1e-3),
        started: time(&state["startedAt"]).unwrap_or_default(),
        ended: over.then(|| time(&state["finishedAt"]).unwrap_or_default()),
        crashed: over && state["exitCode"].as_i64().unwrap_or(0) != 0,
    };
    let last = &status["lastState"]["terminated"];
    let state = &status["state"];
    if opts.previous {
        if !last.is_object() {
            return Err(ApiError::BadRequest(format!(
                "previous terminated container {container:?} in pod {pod_name:?} not found"
            )));
        }
        return Ok(Some(run(last, restarts - 1, true)));
    }
    if state["running"].is_object() {
        return Ok(Some(run(&state["running"], restarts, false)));
    }
    if state["terminated"].is_object() {
        return Ok(Some(run(&state["terminated"], restarts, true)));
    }
    if last.is_object() {
        return Ok(Some(run(last, restarts - 1, true)));
    }
    let reason = state["waiting"]["reason"].as_str().unwrap_or_default();
    let why = match reason {
        "ErrImagePull" => ": image can't be pulled".to_string(),
        "ImagePullBackOff" => ": trying and failing to pull image".to_string(),
        "" => " - no logs yet".to_string(),
        other => format!(": {other}"),
    };
    Err(ApiError::BadRequest(format!(
        "container {container:?} in pod {pod_name:?} is waiting to start{why}"
    )))
}

/// What the simulated application writes, as it behaves for the pod's version.
#[derive(Debug, Clone, Copy)]
pub struct Voice {
    pub error_ratio: f64,
    pub latency_p50_ms: f64,
    pub never_ready: bool,
}

impl Voice {
    pub fn of(shared: &Shared, pod: &Value) -> Self {
        shared.with_behaviour(&pod["spec"], |b| Self {
            error_ratio: b.error_ratio,
            latency_p50_ms: b.latency_p50_ms,
            never_ready: b.never_ready && !pod_ready(pod),
        })
    }
}

impl Run {
    /// How many lines the run has written by `now`.
    pub fn len_at(&self, now: DateTime<Utc>) -> u64 {
        let end = self.ended.map_or(now, |e| e.min(now));
        let elapsed = (end - self.started)
            .num_microseconds()
            .unwrap_or(i64::MAX)
            .max(0) as f64
            / 1e6;
        // Line k is written k simulated seconds (and a fraction) after the start; the ones
        // before `end`, and the panic at the end of a crashed run.
        let whole = (elapsed / self.per_line_secs).floor().min(1e15) as u64;
        let mut n = whole + 1;
        if whole > 0 && self.time_of(whole) >= end {
            n -= 1;
        }
        if self.crashed && self.ended.is_some_and(|e| e <= now) {
            n += 1;
        }
        n
    }

    fn hash(&self, k: u64) -> u64 {
        self.pod
            .bytes()
            .chain(self.container.bytes())
            .chain(self.ordinal.to_le_bytes())
            .chain(k.to_le_bytes())
            .fold(0xcbf29ce484222325u64, |h, c| {
                (h ^ u64::from(c)).wrapping_mul(0x100000001b3)
            })
    }

    /// When line `k` (a regular line, not the panic) was written.
    fn time_of(&self, k: u64) -> DateTime<Utc> {
        if k == 0 {
            return self.started;
        }
        let frac = ((self.hash(k) >> 20) % 900_000) as f64 / 1e6;
        let ns = (k as f64 + frac) * self.per_line_secs * 1e9;
        self.started + chrono::Duration::nanoseconds(ns.min(9e18) as i64)
    }

    /// Line `k` of `n` written by `now`: its time and text (no newline).
    pub fn line(&self, k: u64, n: u64, voice: Voice) -> (DateTime<Utc>, String) {
        let is_panic = self.crashed && k + 1 == n && self.ended.is_some();
        if is_panic {
            let at = self.ended.unwrap_or(self.started);
            return (
                at,
                format!(
                    "{} level=fatal msg=\"panic: runtime error: invalid memory address or nil pointer dereference\" version={}",
                    secs(at),
                    self.version
                ),
            );
        }
        let at = self.time_of(k);
        if k == 0 {
            return (
                at,
                format!(
                    "{} level=info msg=\"starting\" version={} pod={}",
                    secs(at),
                    self.version,
                    self.pod
                ),
            );
        }
        let h = self.hash(k);
        let roll = (h >> 33) as f64 / (1u64 << 31) as f64;
        if voice.never_ready && k % 10 == 5 {
            return (
                at,
                format!(
                    "{} level=warn msg=\"readiness check failing: dependency unavailable\" version={}",
                    secs(at),
                    self.version
                ),
            );
        }
        let (status, level) = if roll < voice.error_ratio {
            (500, "error")
        } else {
            (200, "info")
        };
        let ms = voice.latency_p50_ms * (0.5 + roll);
        (
            at,
            format!(
                "{} level={level} msg=\"request handled\" path=/api/v1/orders status={status} duration_ms={ms:.0} seq={k}",
                secs(at)
            ),
        )
    }
}

fn secs(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Go's `time.RFC3339Nano` (trailing zeros of the fraction dropped, `Z`), the format of
/// the kubelet's `timestamps=true` prefix.
pub fn rfc3339_nano(t: DateTime<Utc>) -> String {
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = format!("{:09}", t.timestamp_subsec_nanos());
    let frac = nanos.trim_end_matches('0');
    if frac.is_empty() {
        format!("{base}Z")
    } else {
        format!("{base}.{frac}Z")
    }
}

/// Writes lines under `limitBytes` (the kubelet's `LimitedWriter`): `false` once the limit
/// is reached and nothing more may be written.
pub struct Writer {
    pub out: String,
    remain: Option<usize>,
    timestamps: bool,
}

impl Writer {
    pub fn new(opts: &LogOptions) -> Self {
        Self {
            out: String::new(),
            remain: opts.limit_bytes,
            timestamps: opts.timestamps,
        }
    }

    /// Appends one line (with its newline); `false` when the byte limit is used up.
    pub fn write(&mut self, at: DateTime<Utc>, text: &str) -> bool {
        let mut line = if self.timestamps {
            format!("{} {text}\n", rfc3339_nano(at))
        } else {
            format!("{text}\n")
        };
        if let Some(remain) = self.remain.as_mut() {
            if line.len() > *remain {
                let mut cut = *remain;
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                line.truncate(cut);
            }
            *remain -= line.len();
            self.out.push_str(&line);
            return *remain > 0;
        }
        self.out.push_str(&line);
        true
    }
}

/// The log as of `now`: the lines `opts` selects, and the number of lines the run has
/// written (where a follow goes on from).
pub fn read(run: &Run, voice: Voice, opts: &LogOptions, now: DateTime<Utc>) -> (String, u64) {
    let n = run.len_at(now);
    // Where to start: the last `tailLines` lines, lines from `since` on (lines are one
    // simulated second apart, so its index is known up to one), and never before the
    // current file (the newest lines up to the rotation size).
    let mut floor = opts.tail_lines.map_or(0, |t| n.saturating_sub(t as u64));
    if let Some(since) = opts.since {
        let secs = (since - run.started).num_microseconds().unwrap_or(0).max(0) as f64 / 1e6;
        let k = (secs / run.per_line_secs).floor().min(1e15) as u64;
        floor = floor.max(k.saturating_sub(1).min(n));
    }
    let mut first = n;
    let mut bytes = 0usize;
    while first > floor {
        let (_, text) = run.line(first - 1, n, voice);
        bytes += text.len() + 1;
        if bytes > ROTATED_AT_BYTES {
            break;
        }
        first -= 1;
    }
    let mut w = Writer::new(opts);
    if opts.limit_bytes == Some(0) {
        return (String::new(), n);
    }
    for k in first..n {
        let (at, text) = run.line(k, n, voice);
        if opts.since.is_some_and(|s| at < s) {
            continue;
        }
        if !w.write(at, &text) {
            break;
        }
    }
    (w.out, n)
}

/// `GET …/pods/{name}/log`.
pub fn respond(
    shared: &std::sync::Arc<Shared>,
    pod: &Value,
    params: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let now = shared.clock.now();
    let opts = LogOptions::parse(params, now)?;
    let Some(run) = run_of(pod, &opts, shared.clock.speed())? else {
        return Ok(plain(String::new()));
    };
    let voice = Voice::of(shared, pod);
    let (text, written) = read(&run, voice, &opts, now);
    if opts.follow && run.ended.is_none() {
        return Ok(follow(shared.clone(), pod, run, opts, text, written));
    }
    Ok(plain(text))
}

fn plain(text: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], text).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(started: &str, ended: Option<&str>, crashed: bool) -> Run {
        let t = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .unwrap_or_default()
                .with_timezone(&Utc)
        };
        Run {
            pod: "web-1".into(),
            container: "app".into(),
            version: "1.0".into(),
            ordinal: 0,
            per_line_secs: 1.0,
            started: t(started),
            ended: ended.map(t),
            crashed,
        }
    }

    const QUIET: Voice = Voice {
        error_ratio: 0.0,
        latency_p50_ms: 40.0,
        never_ready: false,
    };

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .unwrap_or_default()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_log_grows_a_line_a_second_and_a_crash_ends_in_its_panic() {
        let r = run("2026-01-01T00:00:00Z", None, false);
        assert_eq!(r.len_at(at("2026-01-01T00:00:00.5Z")), 1);
        assert_eq!(r.len_at(at("2026-01-01T00:01:00.95Z")), 61);
        let crashed = run("2026-01-01T00:00:00Z", Some("2026-01-01T00:00:04Z"), true);
        let n = crashed.len_at(at("2026-01-01T01:00:00Z"));
        let (out, _) = read(
            &crashed,
            QUIET,
            &LogOptions::default(),
            at("2026-01-01T01:00:00Z"),
        );
        assert_eq!(out.lines().count() as u64, n);
        assert!(
            out.lines()
                .next()
                .is_some_and(|l| l.contains("msg=\"starting\""))
        );
        assert!(
            out.lines()
                .last()
                .is_some_and(|l| l.contains("panic: runtime error"))
        );
        assert!(out.ends_with('\n'));
    }

    #[test]
    fn tail_then_since_then_the_byte_limit_with_timestamps() {
        let r = run("2026-01-01T00:00:00Z", None, false);
        let now = at("2026-01-01T00:10:00.95Z");
        let tail = LogOptions {
            tail_lines: Some(5),
            ..LogOptions::default()
        };
        let (out, n) = read(&r, QUIET, &tail, now);
        assert_eq!(n, 601);
        assert_eq!(out.lines().count(), 5);
        assert!(out.lines().last().is_some_and(|l| l.ends_with("seq=600")));
        let since = LogOptions {
            tail_lines: Some(100),
            since: Some(at("2026-01-01T00:09:50Z")),
            ..LogOptions::default()
        };
        let (out, _) = read(&r, QUIET, &since, now);
        assert_eq!(out.lines().count(), 11, "{out}");
        let stamped = LogOptions {
            tail_lines: Some(1),
            timestamps: true,
            ..LogOptions::default()
        };
        let (out, _) = read(&r, QUIET, &stamped, now);
        assert!(out.starts_with("2026-01-01T00:10:00."), "{out}");
        let (stamp, rest) = out.split_once(' ').unwrap_or_default();
        assert!(stamp.ends_with('Z') && !stamp.ends_with("0Z"), "{stamp}");
        assert!(
            rest.starts_with("2026-01-01T00:10:00Z level=info"),
            "{rest}"
        );
        let limited = LogOptions {
            limit_bytes: Some(30),
            ..LogOptions::default()
        };
        let (out, _) = read(&r, QUIET, &limited, now);
        assert_eq!(out.len(), 30);
        assert!(!out.contains('\n'));
    }

    #[test]
    fn go_rfc3339_nano_drops_trailing_zeros() {
        assert_eq!(
            rfc3339_nano(at("2026-01-01T00:00:01Z")),
            "2026-01-01T00:00:01Z"
        );
        assert_eq!(
            rfc3339_nano(at("2026-01-01T00:00:01.120Z")),
            "2026-01-01T00:00:01.12Z"
        );
    }
}
