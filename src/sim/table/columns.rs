//! The column definitions of each kind's `Table`, as the real API server prints them
//! (wide columns at priority 1): a declarative table.

use serde_json::{Value, json};

use crate::sim::discovery::ResourceInfo;

fn col(name: &str, ty: &str, format: &str, description: &str, priority: u8) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": description, "priority": priority})
}

fn name_col() -> Value {
    col(
        "Name",
        "string",
        "name",
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        0,
    )
}

fn age_col() -> Value {
    col(
        "Age",
        "string",
        "",
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        0,
    )
}

/// The column definitions for a resource.
pub fn columns(res: &ResourceInfo) -> Vec<Value> {
    match (res.group, res.plural) {
        ("", "pods") => vec![
            name_col(),
            col(
                "Ready",
                "string",
                "",
                "The aggregate readiness state of this pod for accepting traffic.",
                0,
            ),
            col(
                "Status",
                "string",
                "",
                "The aggregate status of the containers in this pod.",
                0,
            ),
            col(
                "Restarts",
                "string",
                "",
                "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
                0,
            ),
            age_col(),
            col(
                "IP",
                "string",
                "",
                "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
                1,
            ),
            col(
                "Node",
                "string",
                "",
                "NodeName is a request to schedule this pod onto a specific node.",
                1,
            ),
            col(
                "Nominated Node",
                "string",
                "",
                "nominatedNodeName is set only when this pod preempts other pods on the node.",
                1,
            ),
            col(
                "Readiness Gates",
                "string",
                "",
                "If specified, all readiness gates will be evaluated for pod readiness.",
                1,
            ),
        ],
        ("apps", "deployments") => vec![
            name_col(),
            col(
                "Ready",
                "string",
                "",
                "Number of the pod with ready state",
                0,
            ),
            col(
                "Up-to-date",
                "integer",
                "",
                "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
                0,
            ),
            col(
                "Available",
                "integer",
                "",
                "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
                0,
            ),
            age_col(),
            col(
                "Containers",
                "string",
                "",
                "Names of each container in the template.",
                1,
            ),
            col(
                "Images",
                "string",
                "",
                "Images referenced by each container in the template.",
                1,
            ),
            col(
                "Selector",
                "string",
                "",
                "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
                1,
            ),
        ],
        ("apps", "replicasets") => vec![
            name_col(),
            col(
                "Desired",
                "integer",
                "",
                "Replicas is the number of desired replicas.",
                0,
            ),
            col(
                "Current",
                "integer",
                "",
                "Replicas is the most recently observed number of replicas.",
                0,
            ),
            col(
                "Ready",
                "integer",
                "",
                "The number of ready replicas for this replica set.",
                0,
            ),
            age_col(),
            col(
                "Containers",
                "string",
                "",
                "Names of each container in the template.",
                1,
            ),
            col(
                "Images",
                "string",
                "",
                "Images referenced by each container in the template.",
                1,
            ),
            col(
                "Selector",
                "string",
                "",
                "Selector is a label query over pods that should match the replica count.",
                1,
            ),
        ],
        ("", "nodes") => vec![
            name_col(),
            col("Status", "string", "", "The status of the node", 0),
            col("Roles", "string", "", "The roles of the node", 0),
            age_col(),
            col(
                "Version",
                "string",
                "",
                "Kubelet Version reported by the node.",
                0,
            ),
            col(
                "Internal-IP",
                "string",
                "",
                "List of internal IPs for the node",
                1,
            ),
            col(
                "External-IP",
                "string",
                "",
                "List of external IPs for the node",
                1,
            ),
            col(
                "OS-Image",
                "string",
                "",
                "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
                1,
            ),
            col(
                "Kernel-Version",
                "string",
                "",
                "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
                1,
            ),
            col(
                "Container-Runtime",
                "string",
                "",
                "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
                1,
            ),
        ],
        ("", "namespaces") => vec![
            name_col(),
            col("Status", "string", "", "The status of the namespace", 0),
            age_col(),
        ],
        ("", "services") => vec![
            name_col(),
            col("Type", "string", "", "Type of the service", 0),
            col("Cluster-IP", "string", "", "Cluster IP of the service", 0),
            col("External-IP", "string", "", "External IP of the service", 0),
            col("Port(s)", "string", "", "Ports of the service", 0),
            age_col(),
            col("Selector", "string", "", "Selector of the service", 1),
        ],
        // `printSecret` (`pkg/printers/internalversion/printers.go`).
        ("", "secrets") => vec![
            name_col(),
            col("Type", "string", "", "The type of secret", 0),
            col(
                "Data",
                "string",
                "",
                "The number of key/value pairs in the secret",
                0,
            ),
            age_col(),
        ],
        ("", "serviceaccounts") => vec![
            name_col(),
            col(
                "Secrets",
                "integer",
                "",
                "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
                0,
            ),
            age_col(),
        ],
        ("", "configmaps") => vec![
            name_col(),
            col("Data", "integer", "", "Number of keys in the config map", 0),
            age_col(),
        ],
        // `pkg/printers/internalversion/printers.go`, `eventColumnDefinitions`.
        (_, "events") => vec![
            col(
                "Last Seen",
                "string",
                "",
                "Time when last event occurred",
                0,
            ),
            col("Type", "string", "", "Type of the event", 0),
            col("Reason", "string", "", "Reason of the event", 0),
            col("Object", "string", "", "Object the event is about", 0),
            col(
                "Subobject",
                "string",
                "",
                "The part of the object the event is about (fieldPath)",
                1,
            ),
            col(
                "Source",
                "string",
                "",
                "The component reporting the event",
                1,
            ),
            col("Message", "string", "", "Message of the event", 0),
            col(
                "First Seen",
                "string",
                "",
                "Time when the event was first recorded",
                1,
            ),
            col(
                "Count",
                "string",
                "",
                "The number of times this event has occurred",
                1,
            ),
            col("Name", "string", "", "Name of the event", 1),
        ],
        // The CRD's additionalPrinterColumns (argoproj/argo-cd
        // manifests/crds/application-crd.yaml): no Age column, as a CRD that declares columns
        // gets only those after the name.
        ("argoproj.io", "applications") => vec![
            name_col(),
            col("Sync Status", "string", "", "", 0),
            col("Health Status", "string", "", "", 0),
            col("Revision", "string", "", "", 10),
            col("Project", "string", "", "", 10),
        ],
        ("coordination.k8s.io", "leases") => vec![
            name_col(),
            col("Holder", "string", "", "The holder of the lease", 0),
            age_col(),
        ],
        ("", "endpoints") | ("discovery.k8s.io", "endpointslices") => {
            let mut cols = vec![name_col()];
            for (n, d) in crate::sim::services::table::middle_columns(res.plural) {
                cols.push(col(n, "string", "", d, 0));
            }
            cols.push(age_col());
            cols
        }
        _ => vec![name_col(), age_col()],
    }
}
