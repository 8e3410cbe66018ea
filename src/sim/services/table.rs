//! Table columns of Endpoints and EndpointSlices as the API server prints them
//! (kubernetes/kubernetes `pkg/printers/internalversion/printers.go`: `printEndpoints`
//! with `formatEndpoints`, `printEndpointSlice` with `formatDiscoveryPorts` and
//! `formatDiscoveryEndpoints`).

use serde_json::{Value, json};

/// Column definitions: `(name, description)`, between the `Name` and `Age` columns.
pub fn middle_columns(plural: &str) -> &'static [(&'static str, &'static str)] {
    match plural {
        "endpoints" => &[(
            "Endpoints",
            "The set of all endpoints is the union of all subsets.",
        )],
        _ => &[
            (
                "AddressType",
                "addressType specifies the type of address carried by this EndpointSlice.",
            ),
            (
                "Ports",
                "ports specifies the list of network ports exposed by each endpoint in this slice.",
            ),
            (
                "Endpoints",
                "endpoints is a list of unique endpoints in this slice.",
            ),
        ],
    }
}

fn with_more(list: Vec<String>, count: usize, max: usize, empty: &str) -> String {
    let ret = list.join(",");
    if count > max {
        return format!("{ret} + {} more...", count - max);
    }
    if ret.is_empty() {
        return empty.to_string();
    }
    ret
}

/// `formatEndpoints(endpoints, nil)`: `ip:port` of ready addresses, three at most.
pub fn format_endpoints(ep: &Value) -> String {
    let subsets = ep["subsets"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if subsets.is_empty() {
        return "<none>".into();
    }
    let (mut list, mut count, max) = (Vec::new(), 0usize, 3usize);
    for ss in subsets {
        let addrs = ss["addresses"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let ports = ss["ports"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if ports.is_empty() {
            count += addrs.len();
            for a in addrs.iter().take(max.saturating_sub(list.len())) {
                list.push(a["ip"].as_str().unwrap_or_default().to_string());
            }
            continue;
        }
        for p in ports {
            count += addrs.len();
            for a in addrs.iter().take(max.saturating_sub(list.len())) {
                list.push(format!(
                    "{}:{}",
                    a["ip"].as_str().unwrap_or_default(),
                    p["port"].as_i64().unwrap_or_default()
                ));
            }
        }
    }
    with_more(list, count, max, "")
}

/// The middle cells of a row.
pub fn middle_cells(plural: &str, obj: &Value) -> Vec<Value> {
    if plural == "endpoints" {
        return vec![json!(format_endpoints(obj))];
    }
    let max = 3;
    let ports = obj["ports"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let port_list: Vec<String> = ports
        .iter()
        .take(max)
        .map(|p| match (p["port"].as_i64(), p["name"].as_str()) {
            (Some(n), _) => n.to_string(),
            (None, Some(name)) => name.to_string(),
            _ => "*".into(),
        })
        .collect();
    let addrs: Vec<&str> = obj["endpoints"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .flat_map(|e| e["addresses"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    let ep_list = addrs.iter().take(max).map(|a| a.to_string()).collect();
    vec![
        json!(obj["addressType"].as_str().unwrap_or_default()),
        json!(with_more(port_list, ports.len(), max, "<unset>")),
        json!(with_more(ep_list, addrs.len(), max, "<unset>")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_print_three_then_how_many_more() {
        let ep = json!({"subsets": [{
            "addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}, {"ip": "10.0.0.3"}, {"ip": "10.0.0.4"}],
            "ports": [{"port": 8080}]
        }]});
        assert_eq!(
            format_endpoints(&ep),
            "10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more..."
        );
        assert_eq!(format_endpoints(&json!({})), "<none>");
    }

    #[test]
    fn an_empty_slice_prints_unset() {
        let cells = middle_cells(
            "endpointslices",
            &json!({"addressType": "IPv4", "endpoints": null}),
        );
        assert_eq!(
            cells,
            vec![json!("IPv4"), json!("<unset>"), json!("<unset>")]
        );
    }
}
