use super::*;

const URL: &str = "http://prom:9090/api/v1/query";

fn ok(body: &str) -> QueryResult {
    decode(200, body.as_bytes(), URL).unwrap_or_else(|e| panic!("{e}"))
}

fn err(status: u16, body: &str) -> String {
    decode(status, body.as_bytes(), URL)
        .unwrap_err()
        .to_string()
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap()
}

#[test]
fn vector_with_labels_special_values_warnings_and_infos() {
    let r = ok(
        r#"{"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"__name__":"up","job":"a"},"value":[1700000000.123,"1"]},
        {"metric":{"job":"b"},"value":[1700000000,"NaN"]},
        {"metric":{"job":"c"},"value":[1700000000,"+Inf"]},
        {"metric":{"job":"d"},"value":[1700000000,"-Inf"]},
        {"metric":{"job":"e"},"value":[1700000000,"1.5e-3"]}
    ]},"warnings":["partial answer: store X unreachable"],"infos":["PromQL info: metric might not be a counter"]}"#,
    );
    let QueryData::Vector(v) = &r.data else {
        panic!("{r:?}")
    };
    assert_eq!(v[0].labels.get("job").map(String::as_str), Some("a"));
    assert_eq!(
        v[0].sample,
        PromSample {
            at: at(1_700_000_000_123),
            value: 1.0
        }
    );
    assert!(v[1].sample.value.is_nan());
    assert_eq!(v[2].sample.value, f64::INFINITY);
    assert_eq!(v[3].sample.value, f64::NEG_INFINITY);
    assert_eq!(v[4].sample.value, 0.0015);
    assert_eq!(r.warnings, ["partial answer: store X unreachable"]);
    assert_eq!(r.infos, ["PromQL info: metric might not be a counter"]);
}

#[test]
fn empty_vector_matrix_scalar_and_string() {
    let r = ok(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#);
    assert_eq!(r.data, QueryData::Vector(vec![]));
    assert!(r.warnings.is_empty() && r.infos.is_empty());

    let r = ok(
        r#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"job":"a"},"values":[[1700000000,"0.01"],[1700000015,"0.12"],[1700000030,"NaN"]]}
    ]}}"#,
    );
    let QueryData::Matrix(m) = &r.data else {
        panic!("{r:?}")
    };
    let values: Vec<f64> = m[0].samples.iter().map(|s| s.value).take(2).collect();
    assert_eq!(values, [0.01, 0.12]);
    assert_eq!(m[0].samples[1].at, at(1_700_000_015_000));
    assert!(m[0].samples[2].value.is_nan());

    let r = ok(r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#);
    assert_eq!(r.data, QueryData::Matrix(vec![]));

    let r = ok(r#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}}"#);
    assert_eq!(
        r.data,
        QueryData::Scalar(PromSample {
            at: at(1_700_000_000_000),
            value: 2.0
        })
    );

    let r =
        ok(r#"{"status":"success","data":{"resultType":"string","result":[1700000000,"hello"]}}"#);
    assert_eq!(
        r.data,
        QueryData::String {
            at: at(1_700_000_000_000),
            value: "hello".into()
        }
    );
}

#[test]
fn error_shapes_read_on_one_line() {
    for (status, body, want) in [
        (
            400,
            r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:6: parse error: unexpected <op:>>"}"#,
            r#"Prometheus refused the query (HTTP 400, bad_data): invalid parameter "query": 1:6: parse error: unexpected <op:>>"#,
        ),
        (
            422,
            r#"{"status":"error","errorType":"execution","error":"found duplicate series for the match group"}"#,
            "Prometheus refused the query (HTTP 422, execution): found duplicate series for the match group",
        ),
        (
            503,
            r#"{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}"#,
            "Prometheus refused the query (HTTP 503, timeout): query timed out in expression evaluation",
        ),
        (
            503,
            r#"{"status":"error","errorType":"unavailable","error":"TSDB not ready"}"#,
            "Prometheus refused the query (HTTP 503, unavailable): TSDB not ready",
        ),
        (
            500,
            r#"{"status":"error","errorType":"internal","error":"line one\nline two"}"#,
            "Prometheus refused the query (HTTP 500, internal): line one line two",
        ),
        (
            502,
            "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>\n",
            "HTTP 502 from http://prom:9090/api/v1/query is not a Prometheus API answer: <html> <head><title>502 Bad Gateway</title></head> <body>nginx</body> </html>",
        ),
        (
            503,
            "",
            "HTTP 503 from http://prom:9090/api/v1/query is not a Prometheus API answer: (empty body)",
        ),
        (
            200,
            "<!doctype html><title>Grafana</title>",
            "unexpected answer from Prometheus: body is not the API's JSON (expected value at line 1 column 1): <!doctype html><title>Grafana</title>",
        ),
        (
            200,
            r#"{"status":"success"}"#,
            "unexpected answer from Prometheus: `success` without `data`",
        ),
        (
            200,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"fast"]}]}}"#,
            "unexpected answer from Prometheus: `fast` is not a sample value",
        ),
        (
            200,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"2"}]}]}}"#,
            "unexpected answer from Prometheus: native histogram samples are not numbers; wrap the query in histogram_quantile() or histogram_count()",
        ),
    ] {
        assert_eq!(err(status, body), want, "{status} {body}");
    }
}

#[test]
fn transient_errors_are_told_apart() {
    let transient = |status: u16, body: &str| {
        decode(status, body.as_bytes(), URL)
            .unwrap_err()
            .is_transient()
    };
    assert!(!transient(
        400,
        r#"{"status":"error","errorType":"bad_data","error":"x"}"#
    ));
    assert!(!transient(
        422,
        r#"{"status":"error","errorType":"execution","error":"x"}"#
    ));
    assert!(transient(
        503,
        r#"{"status":"error","errorType":"timeout","error":"x"}"#
    ));
    assert!(transient(
        503,
        r#"{"status":"error","errorType":"unavailable","error":"x"}"#
    ));
    assert!(transient(502, "Bad Gateway"));
    assert!(!transient(404, "404 page not found"));
}

#[test]
fn sample_values() {
    for (s, want) in [
        ("0", 0.0),
        ("1.5", 1.5),
        ("-2", -2.0),
        ("1e-3", 0.001),
        ("+Inf", f64::INFINITY),
        ("-Inf", f64::NEG_INFINITY),
    ] {
        assert_eq!(parse_value(s).unwrap(), want, "{s}");
    }
    assert!(parse_value("NaN").unwrap().is_nan());
    for bad in ["", "inf!", "1,5", "1e999"] {
        assert!(parse_value(bad).is_err(), "{bad}");
    }
}
