//! The Prometheus adapter against a local HTTP server playing Prometheus (and the
//! proxies in front of it): the exact requests sent, every answer and error shape, and
//! timeouts.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeZone, Utc};

use backout::adapters::metrics_source::{MetricsSource, Window};
use backout::adapters::prometheus::{
    Auth, ErrorType, PromError, PrometheusClient, PrometheusSource, QueryData, Secret,
};
use backout::domain::decision::{Absence, Reading};

/// What the server received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    params: BTreeMap<String, String>,
    authorization: Option<String>,
}

/// What the server answers for a given `query` parameter.
#[derive(Clone)]
struct Answer {
    status: u16,
    content_type: &'static str,
    body: String,
    delay: Duration,
    retry_after: Option<&'static str>,
}

fn json(status: u16, body: &str) -> Answer {
    Answer {
        status,
        content_type: "application/json",
        body: body.to_string(),
        delay: Duration::ZERO,
        retry_after: None,
    }
}

#[derive(Clone, Default)]
struct Fake {
    answers: Arc<BTreeMap<String, Answer>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn handle(State(fake): State<Fake>, headers: HeaderMap, req: Request) -> Response {
    let params: BTreeMap<String, String> = req
        .uri()
        .query()
        .map(|q| {
            url_pairs(q)
                .into_iter()
                .collect::<BTreeMap<String, String>>()
        })
        .unwrap_or_default();
    fake.seen.lock().unwrap().push(Seen {
        method: req.method().to_string(),
        path: req.uri().path().to_string(),
        params: params.clone(),
        authorization: headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    });
    let query = params.get("query").cloned().unwrap_or_default();
    let Some(answer) = fake.answers.get(&query).cloned() else {
        return (StatusCode::NOT_FOUND, "404 page not found").into_response();
    };
    tokio::time::sleep(answer.delay).await;
    let mut response = Response::builder()
        .status(answer.status)
        .header(header::CONTENT_TYPE, answer.content_type);
    if let Some(after) = answer.retry_after {
        response = response.header(header::RETRY_AFTER, after);
    }
    response.body(Body::from(answer.body)).unwrap()
}

/// `a=1&b=x%20y` → pairs, decoded.
fn url_pairs(q: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://x/?{q}"))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

async fn serve(answers: Vec<(&str, Answer)>) -> (SocketAddr, Fake) {
    let fake = Fake {
        answers: Arc::new(
            answers
                .into_iter()
                .map(|(q, a)| (q.to_string(), a))
                .collect(),
        ),
        seen: Arc::default(),
    };
    let app = Router::new().fallback(handle).with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, fake)
}

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
}

const VECTOR_ONE: &str = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"app":"checkout"},"value":[1700000000,"0.12"]}]}}"#;

#[tokio::test]
async fn instant_query_sends_query_time_timeout_and_bearer_token() {
    let (addr, fake) = serve(vec![("sum(rate(errors[2m]))", json(200, VECTOR_ONE))]).await;
    let client = PrometheusClient::new(
        &format!("http://{addr}"),
        Some(Auth::Bearer(Secret::new("tok-abc123"))),
        Duration::from_secs(10),
    )
    .unwrap();
    let r = client
        .instant("sum(rate(errors[2m]))", Some(t(0)))
        .await
        .unwrap();
    let QueryData::Vector(v) = &r.data else {
        panic!("{r:?}")
    };
    assert_eq!(v[0].sample.value, 0.12);
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path, "/api/v1/query");
    assert_eq!(
        seen[0].params,
        BTreeMap::from([
            ("query".into(), "sum(rate(errors[2m]))".into()),
            ("time".into(), "1700000000.000".into()),
            ("timeout".into(), "9s".into()),
        ])
    );
    assert_eq!(seen[0].authorization.as_deref(), Some("Bearer tok-abc123"));
}

#[tokio::test]
async fn range_query_under_a_path_prefix_with_basic_auth_from_the_url() {
    let body = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"0.01"],[1700000015,"NaN"],[1700000030,"+Inf"]]}]}}"#;
    let (addr, fake) = serve(vec![("up", json(200, body))]).await;
    let client = PrometheusClient::new(
        &format!("http://ops:s3cret@{addr}/prometheus"),
        None,
        Duration::from_millis(2500),
    )
    .unwrap();
    let r = client
        .range("up", t(0), t(30), Duration::from_secs(15))
        .await
        .unwrap();
    let QueryData::Matrix(m) = &r.data else {
        panic!("{r:?}")
    };
    let values: Vec<String> = m[0].samples.iter().map(|s| s.value.to_string()).collect();
    assert_eq!(values, ["0.01", "NaN", "inf"]);
    let seen = fake.seen.lock().unwrap()[0].clone();
    assert_eq!(seen.path, "/prometheus/api/v1/query_range");
    assert_eq!(
        seen.params,
        BTreeMap::from([
            ("query".into(), "up".into()),
            ("start".into(), "1700000000.000".into()),
            ("end".into(), "1700000030.000".into()),
            ("step".into(), "15s".into()),
            ("timeout".into(), "2250ms".into()),
        ])
    );
    // ops:s3cret in base64
    assert_eq!(
        seen.authorization.as_deref(),
        Some("Basic b3BzOnMzY3JldA==")
    );
    assert!(!client.base_url().contains("s3cret"));
}

#[tokio::test]
async fn every_error_shape_is_one_readable_line() {
    let html = Answer {
        status: 502,
        content_type: "text/html",
        body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body>\r\n</html>".into(),
        delay: Duration::ZERO,
        retry_after: None,
    };
    let (addr, _fake) = serve(vec![
        ("bad", json(400, r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:4: parse error: unexpected end of input"}"#)),
        ("exec", json(422, r#"{"status":"error","errorType":"execution","error":"many-to-many matching not allowed: matching labels must be unique on one side"}"#)),
        ("unavailable", json(503, r#"{"status":"error","errorType":"unavailable","error":"Service Unavailable"}"#)),
        ("slow_server", json(503, r#"{"status":"error","errorType":"timeout","error":"query timed out in query execution"}"#)),
        ("proxy", html),
        ("empty503", Answer { status: 503, content_type: "text/plain", body: String::new(), delay: Duration::ZERO, retry_after: None }),
    ])
    .await;
    let client = PrometheusClient::new(
        &format!("http://{addr}"),
        Some(Auth::Bearer(Secret::new("tok-never-shown"))),
        Duration::from_secs(5),
    )
    .unwrap();
    let url = format!("http://{addr}/api/v1/query");
    for (query, kind, transient, message) in [
        ("bad", Some(ErrorType::BadData), false, r#"Prometheus refused the query (HTTP 400, bad_data): invalid parameter "query": 1:4: parse error: unexpected end of input"#.to_string()),
        ("exec", Some(ErrorType::Execution), false, "Prometheus refused the query (HTTP 422, execution): many-to-many matching not allowed: matching labels must be unique on one side".to_string()),
        ("unavailable", Some(ErrorType::Unavailable), true, "Prometheus refused the query (HTTP 503, unavailable): Service Unavailable".to_string()),
        ("slow_server", Some(ErrorType::Timeout), true, "Prometheus refused the query (HTTP 503, timeout): query timed out in query execution".to_string()),
        ("proxy", None, true, format!("HTTP 502 from {url} is not a Prometheus API answer: <html> <head><title>502 Bad Gateway</title></head> <body><center><h1>502 Bad Gateway</h1></center></body> </html>")),
        ("empty503", None, true, format!("HTTP 503 from {url} is not a Prometheus API answer: (empty body)")),
        ("unrouted", None, false, format!("HTTP 404 from {url} is not a Prometheus API answer: 404 page not found")),
    ] {
        let e = client.instant(query, None).await.unwrap_err();
        assert_eq!(e.to_string(), message, "{query}");
        // No Retry-After was sent: the caller's own backoff applies.
        assert_eq!(e.retry_after(), None, "{query}");
        assert!(!e.to_string().contains('\n'), "{query}");
        assert!(!format!("{e:?}").contains("tok-never-shown"));
        assert_eq!(e.is_transient(), transient, "{query}");
        if let Some(kind) = kind {
            assert!(matches!(e, PromError::Api { ref error_type, .. } if *error_type == kind), "{e:?}");
        }
    }
}

#[tokio::test]
async fn retry_after_is_passed_on_when_sent() {
    let (addr, _fake) = serve(vec![(
        "throttled",
        Answer {
            retry_after: Some("7"),
            ..json(
                503,
                r#"{"status":"error","errorType":"unavailable","error":"overloaded"}"#,
            )
        },
    )])
    .await;
    let client =
        PrometheusClient::new(&format!("http://{addr}"), None, Duration::from_secs(5)).unwrap();
    let e = client.instant("throttled", None).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(
        e.to_string(),
        "Prometheus refused the query (HTTP 503, unavailable): overloaded"
    );
}

#[tokio::test]
async fn a_slow_answer_times_out_on_the_client() {
    let slow = Answer {
        delay: Duration::from_secs(30),
        ..json(200, VECTOR_ONE)
    };
    let (addr, fake) = serve(vec![("slow", slow)]).await;
    let client =
        PrometheusClient::new(&format!("http://{addr}"), None, Duration::from_millis(400)).unwrap();
    let started = Instant::now();
    let e = client.instant("slow", None).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        e.to_string(),
        format!("Prometheus at http://{addr}/api/v1/query did not answer within 400ms")
    );
    assert!(e.is_transient());
    // The server was asked to give up first.
    assert_eq!(fake.seen.lock().unwrap()[0].params["timeout"], "300ms");
}

#[tokio::test]
async fn an_unreachable_server_says_so() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = PrometheusClient::new(
        &format!("http://127.0.0.1:{port}"),
        None,
        Duration::from_secs(2),
    )
    .unwrap();
    let e = client.instant("up", None).await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.starts_with(&format!(
            "cannot reach Prometheus at http://127.0.0.1:{port}/api/v1/query: "
        )),
        "{text}"
    );
    assert!(text.to_lowercase().contains("refused"), "{text}");
    assert!(e.is_transient());
}

#[tokio::test]
async fn source_turns_answers_into_readings() {
    let vector = |values: &[&str]| {
        let series: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!(r#"{{"metric":{{"pod":"p{i}"}},"value":[1700000000,"{v}"]}}"#))
            .collect();
        json(
            200,
            &format!(
                r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}},"warnings":["partial answer"]}}"#,
                series.join(",")
            ),
        )
    };
    let (addr, _fake) = serve(vec![
        ("q_one", vector(&["0.12"])),
        ("q_nan", vector(&["NaN"])),
        ("q_inf", vector(&["+Inf"])),
        ("q_empty", vector(&[])),
        ("q_many", vector(&["1", "2", "3"])),
        ("q_scalar", json(200, r#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}}"#)),
        ("q_bad", json(400, r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#)),
        ("q_range", json(200, r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"1"],[1700000010,"2"]]}]}}"#)),
    ])
    .await;
    let client =
        PrometheusClient::new(&format!("http://{addr}"), None, Duration::from_secs(5)).unwrap();
    let queries: BTreeMap<String, String> = ["one", "nan", "inf", "empty", "many", "scalar", "bad"]
        .into_iter()
        .map(|n| (n.to_string(), format!("q_{n}")))
        .chain([("range".to_string(), "q_range".to_string())])
        .collect();
    let source = PrometheusSource::new(client, queries);
    let current = source.current(t(0)).await;
    let show = |name: &str| match &current[name] {
        Reading::Sample(s) => format!("{} at {}", s.value, s.at.timestamp()),
        Reading::Absent(a) => format!("{a:?}"),
    };
    assert_eq!(show("one"), "0.12 at 1700000000");
    assert_eq!(show("nan"), "NaN at 1700000000");
    assert_eq!(show("inf"), "inf at 1700000000");
    assert_eq!(show("empty"), "NoData");
    assert_eq!(show("many"), "Ambiguous(3)");
    assert_eq!(show("scalar"), "2 at 1700000000");
    assert_eq!(
        show("bad"),
        r#"Failed("Prometheus refused the query (HTTP 400, bad_data): parse error")"#
    );
    assert_eq!(
        show("range"),
        r#"Failed("the query returns a matrix, not a number")"#
    );
    let series = source
        .series(
            "range",
            Window::sized_to(t(10), Duration::from_secs(10), 10),
        )
        .await
        .unwrap();
    assert_eq!(
        series.iter().map(|s| s.value).collect::<Vec<_>>(),
        [1.0, 2.0]
    );
    assert_eq!(
        source
            .series(
                "empty",
                Window::sized_to(t(10), Duration::from_secs(10), 10)
            )
            .await,
        Err(Absence::Failed("a range query returned a vector".into()))
    );
    assert_eq!(
        source.value_at("nope", t(0)).await,
        Reading::Absent(Absence::Failed("no query named `nope`".into()))
    );
    let b = source
        .baseline_at_offset("one", t(86_400), Duration::from_secs(86_400))
        .await
        .unwrap();
    assert_eq!(b.value, 0.12);
}
