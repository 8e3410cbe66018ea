//! `kubectl get -o jsonpath=TEMPLATE` as kubectl prints it: the template
//! ([`super::jsonpath_parse`]) run over the object as client-go's
//! `util/jsonpath/jsonpath.go` (v0.32) runs it with missing keys allowed (kubectl's
//! `--allow-missing-template-keys` default): `FindResults` (one result list per action,
//! `{range …}…{end}` repeating its body for each value), `PrintResults` (the values of a
//! list separated by one space, maps and lists as compact JSON, strings as they are,
//! other scalars as Go's `fmt.Fprint` writes them) and the comparison of filters
//! (`third_party/forked/golang/template/funcs.go`: `Equal`, `Less`, …). No newline is
//! added: kubectl prints none after a template.

use serde_json::Value;

use super::go_json;
use super::jsonpath_parse::{Node, Param, parse};

/// A parsed template, ready to run on objects.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Text(String),
    Action(Vec<Node>),
    /// `{range EXPR}BODY{end}`.
    Range(Vec<Node>, Vec<Item>),
}

impl Template {
    /// Parses a template; `Err` names why (client-go's parser message, or a form this
    /// printer leaves to kubectl).
    pub fn parse(text: &str) -> Result<Template, String> {
        let nodes = parse(text)?;
        let mut iter = nodes.into_iter();
        let items = group(&mut iter, false)?;
        Ok(Template { items })
    }

    /// The template's output for `data`, or client-go's error.
    pub fn execute(&self, data: &Value) -> Result<String, String> {
        let mut out = String::new();
        for results in find_results(&self.items, data)? {
            print_results(&mut out, &results);
        }
        Ok(out)
    }

    /// The result lists of the template on `data` (custom-columns joins them itself).
    pub fn find_results(&self, data: &Value) -> Result<Vec<Vec<Value>>, String> {
        find_results(&self.items, data)
    }
}

fn is_identifier(list: &[Node], name: &str) -> bool {
    matches!(list.first(), Some(Node::Identifier(n)) if n == name)
}

/// Nests `{range}`…`{end}` bodies; `in_range` when an `{end}` closes this level.
fn group(iter: &mut impl Iterator<Item = Node>, in_range: bool) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    while let Some(node) = iter.next() {
        match node {
            Node::Text(t) => items.push(Item::Text(t)),
            Node::List(list) if is_identifier(&list, "end") => {
                if !in_range {
                    return Err("not in range, nothing to end".into());
                }
                return Ok(items);
            }
            Node::List(list) if is_identifier(&list, "range") => {
                let body = group(iter, true)?;
                items.push(Item::Range(list[1..].to_vec(), body));
            }
            Node::List(list) => items.push(Item::Action(list)),
            other => items.push(Item::Action(vec![other])),
        }
    }
    if in_range {
        return Err("{range} without {end} is not supported natively".into());
    }
    Ok(items)
}

fn find_results(items: &[Item], data: &Value) -> Result<Vec<Vec<Value>>, String> {
    let mut full = Vec::new();
    for item in items {
        match item {
            Item::Text(t) => full.push(vec![Value::String(t.clone())]),
            Item::Action(list) => full.push(eval_list(vec![data.clone()], list)?),
            Item::Range(list, body) => {
                for value in eval_list(vec![data.clone()], list)? {
                    full.extend(find_results(body, &value)?);
                }
            }
        }
    }
    Ok(full)
}

fn print_results(out: &mut String, results: &[Value]) {
    for (i, r) in results.iter().enumerate() {
        match r {
            Value::Object(_) | Value::Array(_) => out.push_str(&go_json::marshal(r)),
            other => out.push_str(&go_sprint(other)),
        }
        if i + 1 != results.len() {
            out.push(' ');
        }
    }
}

/// Go's `fmt.Sprint` of a decoded JSON value (`map[k:v …]` with sorted keys, `[a b]`,
/// `<nil>` inside those; a bare nil as jsonpath's `evalToText` prints it: `null`).
pub fn go_sprint(v: &Value) -> String {
    fn inner(v: &Value) -> String {
        match v {
            Value::Null => "<nil>".into(),
            Value::Object(m) => {
                let parts: Vec<String> = go_json::sorted(m)
                    .into_iter()
                    .map(|(k, v)| format!("{k}:{}", inner(v)))
                    .collect();
                format!("map[{}]", parts.join(" "))
            }
            Value::Array(a) => {
                let parts: Vec<String> = a.iter().map(inner).collect();
                format!("[{}]", parts.join(" "))
            }
            other => go_sprint(other),
        }
    }
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        Value::Number(n) => go_float_v(n.as_f64().unwrap_or_default()),
        other => inner(other),
    }
}

/// `fmt`'s `%v` of a float64: `%g` with the shortest digits, an exponent (two digits at
/// least) when it is below -4 or from 6 on (Go's `strconv` `'g'` with precision -1).
fn go_float_v(f: f64) -> String {
    let e = format!("{f:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if f != 0.0 && !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

/// Go's type name of a decoded JSON value, for error messages.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "int64",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn eval_list(mut cur: Vec<Value>, nodes: &[Node]) -> Result<Vec<Value>, String> {
    for node in nodes {
        cur = walk(cur, node)?;
    }
    Ok(cur)
}

fn walk(input: Vec<Value>, node: &Node) -> Result<Vec<Value>, String> {
    match node {
        Node::List(list) => eval_list(input, list),
        Node::Text(t) => Ok(vec![Value::String(t.clone())]),
        Node::Field(name) => Ok(input
            .iter()
            .filter_map(|v| v.as_object().and_then(|m| m.get(name)).cloned())
            .collect()),
        Node::Array(params) => eval_array(input, params),
        Node::Filter { left, right, op } => eval_filter(input, left, right, op),
        Node::Int(i) => Ok(input.iter().map(|_| Value::from(*i)).collect()),
        Node::Float(f) => Ok(input.iter().map(|_| Value::from(*f)).collect()),
        Node::Bool(b) => Ok(input.iter().map(|_| Value::Bool(*b)).collect()),
        Node::Union(lists) => {
            let mut out = Vec::new();
            for l in lists {
                out.extend(eval_list(input.clone(), l)?);
            }
            Ok(out)
        }
        Node::Identifier(name) if name == "range" || name == "end" => Err(format!(
            "{name} is only supported at the start of an action natively"
        )),
        Node::Identifier(name) => Err(format!("unrecognized identifier {name}")),
    }
}

fn eval_array(input: Vec<Value>, params: &[Param; 3]) -> Result<Vec<Value>, String> {
    let mut result = Vec::new();
    for value in &input {
        if value.is_null() {
            continue;
        }
        let Some(items) = value.as_array() else {
            return Err(format!("{} is not array or slice", go_type(value)));
        };
        let len = items.len() as i64;
        let mut p = *params;
        if !p[0].known {
            p[0].value = 0;
        }
        if p[0].value < 0 {
            p[0].value += len;
        }
        if !p[1].known {
            p[1].value = len;
        }
        if p[1].value < 0 || (p[1].value == 0 && p[1].derived) {
            p[1].value += len;
        }
        if p[1].value == p[0].value {
            return Ok(result);
        }
        if p[0].value >= len || p[0].value < 0 {
            return Err(format!(
                "array index out of bounds: index {}, length {len}",
                p[0].value
            ));
        }
        if p[1].value > len || p[1].value < 0 {
            return Err(format!(
                "array index out of bounds: index {}, length {len}",
                p[1].value - 1
            ));
        }
        if p[0].value > p[1].value {
            return Err(format!(
                "starting index {} is greater than ending index {}",
                p[0].value, p[1].value
            ));
        }
        let step = if p[2].known {
            if p[2].value <= 0 {
                return Err("step must be > 0".into());
            }
            p[2].value as usize
        } else {
            1
        };
        let slice = &items[p[0].value as usize..p[1].value as usize];
        result.extend(slice.iter().step_by(step).cloned());
    }
    Ok(result)
}

fn eval_filter(
    input: Vec<Value>,
    left: &[Node],
    right: &[Node],
    op: &str,
) -> Result<Vec<Value>, String> {
    let mut results = Vec::new();
    for value in &input {
        let Some(items) = value.as_array() else {
            return Err(format!(
                "{} is not array or slice and cannot be filtered",
                go_sprint(value)
            ));
        };
        for item in items {
            let lefts = eval_list(vec![item.clone()], left);
            if op == "exists" {
                if lefts.is_ok_and(|l| !l.is_empty()) {
                    results.push(item.clone());
                }
                continue;
            }
            let lefts = lefts?;
            let l = match lefts.as_slice() {
                [] => continue,
                [one] => one,
                _ => return Err("can only compare one element at a time".into()),
            };
            let rights = eval_list(vec![item.clone()], right)?;
            let r = match rights.as_slice() {
                [] => continue,
                [one] => one,
                _ => return Err("can only compare one element at a time".into()),
            };
            if compare(l, r, op)? {
                results.push(item.clone());
            }
        }
    }
    Ok(results)
}

/// The forked `text/template` comparisons on two decoded JSON values.
fn compare(l: &Value, r: &Value, op: &str) -> Result<bool, String> {
    use std::cmp::Ordering;
    let bad_type = || "invalid type for comparison".to_string();
    let ordering: Option<Ordering> = match (l, r) {
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => {
            if !matches!(op, "==" | "!=") {
                return Err(bad_type());
            }
            Some(a.cmp(b))
        }
        (Value::Number(a), Value::Number(b)) => {
            let int = |n: &serde_json::Number| n.is_i64() || n.is_u64();
            match (int(a), int(b)) {
                (true, true) => match (a.as_i64(), b.as_i64()) {
                    (Some(x), Some(y)) => Some(x.cmp(&y)),
                    _ => a.as_u64().zip(b.as_u64()).map(|(x, y)| x.cmp(&y)),
                },
                (false, false) => a
                    .as_f64()
                    .zip(b.as_f64())
                    .and_then(|(x, y)| x.partial_cmp(&y)),
                _ => return Err("incompatible types for comparison".into()),
            }
        }
        (Value::Null | Value::Array(_) | Value::Object(_), _)
        | (_, Value::Null | Value::Array(_) | Value::Object(_)) => return Err(bad_type()),
        _ => return Err("incompatible types for comparison".into()),
    };
    Ok(match (op, ordering) {
        ("==", o) => o == Some(Ordering::Equal),
        ("!=", o) => o != Some(Ordering::Equal),
        ("<", o) => o == Some(Ordering::Less),
        (">", o) => o == Some(Ordering::Greater),
        ("<=", o) => matches!(o, Some(Ordering::Less | Ordering::Equal)),
        (">=", o) => matches!(o, Some(Ordering::Greater | Ordering::Equal)),
        (other, _) => return Err(format!("unrecognized filter operator {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> String {
        Template::parse(t).unwrap().execute(v).unwrap()
    }

    fn deployment() -> Value {
        json!({
            "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [
                {"name": "app", "image": "shop/web:1.2", "ports": [{"containerPort": 8080}]},
                {"name": "proxy", "image": "envoy:1"}
            ]}}},
            "status": {"conditions": [
                {"type": "Available", "status": "True"},
                {"type": "Progressing", "status": "True"}
            ]}
        })
    }

    /// The forms of kubectl's own `kubectl get -h` examples and of runbooks.
    #[test]
    fn as_kubectl_prints_them() {
        let d = deployment();
        assert_eq!(run("{.spec.replicas}", &d), "3");
        assert_eq!(
            run("{.spec.template.spec.containers[*].image}", &d),
            "shop/web:1.2 envoy:1"
        );
        assert_eq!(
            run(
                r#"{range .spec.template.spec.containers[*]}{.name}{"\t"}{.image}{"\n"}{end}"#,
                &d
            ),
            "app\tshop/web:1.2\nproxy\tenvoy:1\n"
        );
        assert_eq!(
            run(r#"{.status.conditions[?(@.type=="Available")].status}"#, &d),
            "True"
        );
        assert_eq!(
            run("{.metadata.labels}", &d),
            r#"{"app":"web","tier":"front"}"#
        );
        assert_eq!(
            run("name={.metadata.name} missing={.nope}", &d),
            "name=web missing="
        );
        assert_eq!(
            run("{.spec.template.spec.containers[-1].name}", &d),
            "proxy"
        );
        assert_eq!(
            run("{.spec.template.spec.containers[0,1].name}", &d),
            "app proxy"
        );
        assert_eq!(
            run("{.spec.template.spec.containers[?(@.ports)].name}", &d),
            "app"
        );
        assert_eq!(
            run(
                "{.spec.template.spec.containers[0].ports[?(@.containerPort>8000)].containerPort}",
                &d
            ),
            "8080"
        );
    }

    /// client-go's messages for what it refuses while running.
    #[test]
    fn errors_as_client_go_words_them() {
        let d = deployment();
        let err = |t: &str| Template::parse(t).unwrap().execute(&d).unwrap_err();
        assert_eq!(
            err("{.spec.template.spec.containers[5]}"),
            "array index out of bounds: index 5, length 2"
        );
        assert_eq!(
            err("{.metadata[0]}"),
            "map[string]interface {} is not array or slice"
        );
        assert_eq!(err("{foo}"), "unrecognized identifier foo");
        assert_eq!(
            Template::parse("{end}").unwrap_err(),
            "not in range, nothing to end"
        );
    }

    #[test]
    fn go_prints_scalars_and_maps_so() {
        assert_eq!(
            go_sprint(&json!({"b": [1, null], "a": "x"})),
            "map[a:x b:[1 <nil>]]"
        );
        assert_eq!(go_sprint(&json!(0.25)), "0.25");
        assert_eq!(go_sprint(&json!(1_500_000.5)), "1.5000005e+06");
        assert_eq!(go_sprint(&json!(null)), "null");
    }
}
