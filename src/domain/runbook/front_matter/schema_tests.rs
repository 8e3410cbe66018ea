//! The schema tables against the serde types they mirror.

use super::*;
use crate::domain::runbook::front_matter as fm;
use serde::Deserialize;
use serde::de::{self, Visitor};

/// The field names serde expects for `T`, read from its `Deserialize` impl.
fn serde_fields<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
    struct Probe(Option<&'static [&'static str]>);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("stop")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> de::Deserializer<'de> for &mut Probe {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0 = Some(fields);
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut probe = Probe(None);
    let _ = T::deserialize(&mut probe);
    probe.0.unwrap_or_default().to_vec()
}

fn names(fields: &[Field]) -> Vec<&'static str> {
    fields.iter().map(|f| f.name).collect()
}

#[test]
fn schema_matches_the_serde_types() {
    assert_eq!(names(ROOT), serde_fields::<fm::FrontMatter>());
    assert_eq!(names(TARGET), serde_fields::<fm::Target>());
    assert_eq!(names(METRICS), serde_fields::<fm::Metrics>());
    assert_eq!(names(PROMETHEUS), serde_fields::<fm::PrometheusConfig>());
    assert_eq!(names(MATRIX_RULE), serde_fields::<fm::MatrixRule>());
    assert_eq!(names(NOTIFY), serde_fields::<fm::Notify>());
    assert_eq!(names(SECRET_URL), serde_fields::<fm::SecretUrl>());
    assert_eq!(names(GITHUB), serde_fields::<fm::GithubSink>());
    assert_eq!(names(STATUSPAGE), serde_fields::<fm::StatuspageSink>());
    assert_eq!(names(GRAFANA), serde_fields::<fm::GrafanaSink>());
    assert_eq!(names(PAGERDUTY), serde_fields::<fm::PagerdutySink>());
    assert_eq!(names(VERIFY_CHECK), serde_fields::<fm::VerifyEntry>());
    assert_eq!(names(VERIFY_HTTP), serde_fields::<fm::HttpCheckSpec>());
    assert_eq!(names(VERIFY_PODS), serde_fields::<fm::PodsCheckSpec>());
    assert_eq!(
        names(VERIFY_ROLLOUT),
        serde_fields::<fm::RolloutCheckSpec>()
    );
    assert_eq!(names(DEPLOY_API), serde_fields::<fm::DeployApiConfig>());
    assert_eq!(names(ARGOCD), serde_fields::<fm::ArgoCdConfig>());
}
