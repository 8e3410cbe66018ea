use super::*;

/// Parses and shows the canonical, fully grouped form.
fn canon(src: &str) -> String {
    match parse_condition(src) {
        Ok(c) => c.to_string(),
        Err(e) => panic!("`{src}` did not parse: {e} at {}", e.offset),
    }
}

#[test]
fn precedence_and_grouping() {
    for (src, want) in [
        ("a > 1", "a > 1"),
        ("a > 1 or b > 2 and c > 3", "a > 1 or (b > 2 and c > 3)"),
        ("(a > 1 or b > 2) and c > 3", "(a > 1 or b > 2) and c > 3"),
        ("a > 1 and b > 2 or c > 3", "(a > 1 and b > 2) or c > 3"),
        ("not a > 1 and b > 2", "(not a > 1) and b > 2"),
        (
            "!a > 1 || b > 2 && c > 3",
            "(not a > 1) or (b > 2 and c > 3)",
        ),
        ("not not a > 1", "not (not a > 1)"),
        ("a + b * c > 1", "a + (b * c) > 1"),
        ("(a + b) * c > 1", "(a + b) * c > 1"),
        ("a - b - c > 1", "(a - b) - c > 1"),
        ("a / b / c > 1", "(a / b) / c > 1"),
        ("-a * 2 > -1", "(-a) * 2 > -1"),
        ("- - a > 1", "-(-a) > 1"),
        ("a > 2 * baseline(a)", "a > 2 * baseline(a)"),
        (
            "max(a, b) - min(a, b, c) >= abs(d)",
            "max(a, b) - min(a, b, c) >= abs(d)",
        ),
        (
            "a > 1 AND b > 1 OR NOT c < 2",
            "(a > 1 and b > 1) or (not c < 2)",
        ),
        ("a >= 1 && b <= 2", "a >= 1 and b <= 2"),
        ("a == 1 or a != 2", "a == 1 or a != 2"),
        (
            "a ≥ 1 and b ≤ 2 and c ≠ 3",
            "(a >= 1 and b <= 2) and c != 3",
        ),
        ("((a > 1))", "a > 1"),
        ("job:errors:ratio5m > 1", "job:errors:ratio5m > 1"),
    ] {
        assert_eq!(canon(src), want, "{src}");
    }
}

#[test]
fn numbers_and_units() {
    for (src, want) in [
        ("x > 5", 5.0),
        ("x > 0.10", 0.1),
        ("x > .5", 0.5),
        ("x > 5.", 5.0),
        ("x > 1e-3", 0.001),
        ("x > 2E+2", 200.0),
        ("x > 5%", 0.05),
        ("x > 12.5%", 0.125),
        ("x > 500ms", 0.5),
        ("x > 2s", 2.0),
        ("x > 5m", 300.0),
        ("x > 1h", 3600.0),
    ] {
        let c = parse_condition(src).unwrap();
        let Condition::Compare {
            right: Expr::Number(n),
            ..
        } = c
        else {
            panic!("{src}: {c:?}");
        };
        assert!((n - want).abs() < 1e-12, "{src}: {n} != {want}");
    }
}

#[test]
fn references_in_source_order_with_spans() {
    let src = "latency_p95 > 2 * baseline(latency_p95) or error_rate > 5%";
    let c = parse_condition(src).unwrap();
    let refs = c.metric_refs();
    let got: Vec<(&str, &str, bool)> = refs
        .iter()
        .map(|r| (r.name.as_str(), &src[r.span.start..r.span.end], r.baseline))
        .collect();
    assert_eq!(
        got,
        [
            ("latency_p95", "latency_p95", false),
            ("latency_p95", "latency_p95", true),
            ("error_rate", "error_rate", false),
        ]
    );
    assert_eq!(
        c.metric_names().into_iter().collect::<Vec<_>>(),
        ["error_rate", "latency_p95"]
    );
}

#[test]
fn thresholds_for_chart_bands() {
    let c = parse_condition(
        "error_rate > 5% and 2 < latency and latency > baseline(latency) and not x <= -1",
    )
    .unwrap();
    let t: Vec<(String, &str, f64)> = c
        .thresholds()
        .into_iter()
        .map(|t| (t.metric, t.op.symbol(), t.value))
        .collect();
    assert_eq!(
        t,
        [
            ("error_rate".to_string(), ">", 0.05),
            ("latency".to_string(), ">", 2.0),
            ("x".to_string(), "<=", -1.0),
        ]
    );
}

/// (source, byte offset, message, hint)
#[test]
fn errors_are_located_and_explained() {
    let cases: &[(&str, usize, &str, Option<&str>)] = &[
        (
            "",
            0,
            "empty condition",
            Some("write a comparison, e.g. `error_rate > 0.05`"),
        ),
        (
            "   ",
            0,
            "empty condition",
            Some("write a comparison, e.g. `error_rate > 0.05`"),
        ),
        (
            "latency_p95 > 2 * baselin(latency_p95)",
            18,
            "unknown function `baselin`",
            Some("did you mean `baseline`?"),
        ),
        (
            "x > foo(1)",
            4,
            "unknown function `foo`",
            Some("functions are baseline, max, min, abs"),
        ),
        (
            "error_rate",
            0,
            "expected a condition, found the number expression `error_rate`",
            Some("compare it with something, e.g. `error_rate > 0.05`"),
        ),
        (
            "a > 1 and b",
            10,
            "expected a condition after `and`, found the number expression `b`",
            Some("compare it with something, e.g. `b > 0.05`"),
        ),
        (
            "a = 1",
            2,
            "`=` is not a comparison",
            Some("use `==` to compare for equality"),
        ),
        ("a => 1", 2, "`=>` is not an operator", Some("use `>=`")),
        (
            "a > 1 & b > 2",
            6,
            "unexpected `&`",
            Some("use `and` (or `&&`)"),
        ),
        (
            "a > 1 | b > 2",
            6,
            "unexpected `|`",
            Some("use `or` (or `||`)"),
        ),
        (
            "0 < a < 1",
            6,
            "comparisons cannot be chained",
            Some("write `a < b and b < c`"),
        ),
        (
            "a > (1",
            6,
            "expected `)`, found the end of the condition",
            Some("to close the `(` at byte 4"),
        ),
        (
            "a > 1)",
            5,
            "expected `and`, `or` or the end of the condition, found `)`",
            None,
        ),
        (
            "a > 1 b > 2",
            6,
            "expected `and`, `or` or the end of the condition, found `b`",
            Some("join conditions with `and` or `or`"),
        ),
        (
            "error_rate > 5% for 2m",
            16,
            "expected `and`, `or` or the end of the condition, found `for`",
            Some("a duration is the rule's own key: `for: 2m` next to `when`"),
        ),
        (
            "a >",
            3,
            "expected a comparison such as `error_rate > 0.05`, found the end of the condition",
            None,
        ),
        (
            "a > > 1",
            4,
            "expected a number or a metric name, found `>`",
            None,
        ),
        (
            "a > 5kb",
            5,
            "unknown unit `kb`",
            Some("numbers may end in %, ms, s, m or h; put a space between a number and a name"),
        ),
        (
            "a > 2x",
            5,
            "unknown unit `x`",
            Some("to compare with a baseline write `2 * baseline(metric)`"),
        ),
        (
            "a > 1e",
            5,
            "exponent has no digits",
            Some("write e.g. `1e-3`"),
        ),
        ("a > 1e999", 4, "`1e999` is too large a number", None),
        ("a > .", 4, "expected a number after `.`", None),
        (
            "(a > 1) + 2 > 3",
            0,
            "`+` needs a number, found the condition `(a > 1)`",
            None,
        ),
        (
            "not 5",
            4,
            "expected a condition after `not`, found the number expression `5`",
            Some("compare it with something, e.g. `5 > 0.05`"),
        ),
        (
            "baseline > 1",
            0,
            "`baseline` is a function",
            Some("write `baseline(metric)`"),
        ),
        (
            "a > baseline(1)",
            13,
            "`baseline` takes a metric name, found `1`",
            Some("write e.g. `baseline(error_rate)`"),
        ),
        (
            "a > baseline(a, b)",
            14,
            "expected `)`, found `,`",
            Some("`baseline` takes exactly one metric name"),
        ),
        (
            "a > abs(1, 2)",
            4,
            "`abs` takes exactly one argument, found 2",
            None,
        ),
        (
            "a > max(1)",
            4,
            "`max` takes at least two arguments, found 1",
            None,
        ),
        (
            "a > max()",
            4,
            "`max` takes at least two arguments, found 0",
            None,
        ),
        ("a > max(1; 2)", 9, "unexpected character `;`", None),
        (
            "rate(http_requests_total{code=~\"5..\"}[5m]) > 1",
            24,
            "unexpected `{`",
            Some(
                "conditions name queries, they are not PromQL: put the PromQL under `metrics.queries` and use its name here",
            ),
        ),
        ("a > 1 and é > 2", 10, "unexpected character `é`", None),
    ];
    for (src, offset, message, hint) in cases {
        let e = parse_condition(src).expect_err(src);
        assert_eq!(
            (e.offset, e.message.as_str(), e.hint.as_deref()),
            (*offset, *message, *hint),
            "{src}"
        );
        assert_eq!(e.to_string(), *message);
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let ok = format!("{}a > 1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(parse_condition(&ok).is_ok());
    let deep = format!("{}a > 1{}", "(".repeat(10_000), ")".repeat(10_000));
    let e = parse_condition(&deep).unwrap_err();
    assert_eq!(
        e.message,
        format!("condition nests deeper than {MAX_DEPTH} levels")
    );
    assert!(parse_condition(&format!("{}a > 1", "not ".repeat(10_000))).is_err());
    assert!(parse_condition(&format!("a > {}1", "-".repeat(10_000))).is_err());
    assert!(
        parse_condition(&format!(
            "a > {}1{}",
            "abs(".repeat(10_000),
            ")".repeat(10_000)
        ))
        .is_err()
    );
}

#[test]
fn unknown_metric_names_are_reported_with_suggestions() {
    let c = parse_condition("error_rat > 5% or latency_p95 > 2 * baseline(latncy_p95) or cpu > 1")
        .unwrap();
    let known = ["error_rate", "latency_p95"];
    let errors: Vec<(usize, String, Option<String>)> = check_metric_names(&c, known)
        .into_iter()
        .map(|e| (e.offset, e.message, e.hint))
        .collect();
    assert_eq!(
        errors,
        [
            (
                0,
                "unknown metric `error_rat`".into(),
                Some("did you mean `error_rate`?".into())
            ),
            (
                45,
                "unknown metric `latncy_p95`".into(),
                Some("did you mean `latency_p95`?".into())
            ),
            (
                60,
                "unknown metric `cpu`".into(),
                Some("metrics are the keys of `metrics.queries`: error_rate, latency_p95".into())
            ),
        ]
    );
    assert!(
        check_metric_names(&c, [])
            .iter()
            .all(|e| e.hint.as_deref() == Some("define it under `metrics.queries`"))
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,80}") {
            if let Err(e) = parse_condition(&s) {
                prop_assert!(e.offset <= s.len());
                prop_assert!(s.is_char_boundary(e.offset));
            }
        }

        #[test]
        fn condition_shaped_strings_never_panic(
            s in "[a-z_ ()<>=!&|+*/%.,0-9e-]{0,60}|(not |and |or |baseline\\(|max\\(|[a-z]{1,3}|[0-9.]{1,4}(%|ms|s)?|[<>!=]=?| |\\(|\\)|,){0,30}"
        ) {
            if let Err(e) = parse_condition(&s) {
                prop_assert!(e.offset <= s.len());
            }
        }

        /// The canonical form parses back to the same tree.
        #[test]
        fn canonical_form_round_trips(
            a in "[a-c]", b in "[a-c]", n in 0u32..1000, m in 1u32..100,
            op1 in "[<>]=?|==|!=", op2 in "\\+|-|\\*|/", join in "and|or",
        ) {
            let src = format!("not {a} {op1} {n} {op2} {m} {join} -{b} * baseline({a}) {op1} max({n}, {b})");
            let c = parse_condition(&src).unwrap();
            let again = parse_condition(&c.to_string()).unwrap();
            prop_assert_eq!(again.to_string(), c.to_string());
        }
    }
}
