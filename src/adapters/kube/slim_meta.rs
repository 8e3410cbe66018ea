//! What the slim watch types share: the `ObjectMeta` kube-runtime's watcher reads (name,
//! namespace, `resourceVersion`), the `kube::Resource` implementation of a slim type, and
//! a label map read for one label only.

use std::fmt;
use std::marker::PhantomData;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};

use super::convert::POD_TEMPLATE_HASH;

/// The metadata a slim watched object keeps: all kube-runtime's watcher reads of an
/// object is its `resourceVersion` (to resume a watch after the last event).
pub fn slim_meta(
    name: Option<String>,
    namespace: Option<String>,
    resource_version: Option<String>,
) -> ObjectMeta {
    ObjectMeta {
        name,
        namespace,
        resource_version,
        ..ObjectMeta::default()
    }
}

/// Implements `kube::Resource` for a slim type with a `meta: ObjectMeta` field, as the
/// namespaced resource `group/version` `plural` of kind `kind`.
macro_rules! slim_resource {
    ($t:ty, $kind:literal, $group:literal, $version:literal, $plural:literal) => {
        impl kube::Resource for $t {
            type DynamicType = ();
            type Scope = k8s_openapi::NamespaceResourceScope;

            fn kind(_: &()) -> std::borrow::Cow<'_, str> {
                $kind.into()
            }
            fn group(_: &()) -> std::borrow::Cow<'_, str> {
                $group.into()
            }
            fn version(_: &()) -> std::borrow::Cow<'_, str> {
                $version.into()
            }
            fn plural(_: &()) -> std::borrow::Cow<'_, str> {
                $plural.into()
            }
            fn meta(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &self.meta
            }
            fn meta_mut(
                &mut self,
            ) -> &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &mut self.meta
            }
        }
    };
}
pub(crate) use slim_resource;

/// The keys a [`Picked`] map keeps.
pub trait KeyList {
    const KEYS: &'static [&'static str];
}

/// A string map (labels, annotations) read for a few keys only: the values of `K::KEYS`,
/// in that order; every other key and value is skipped without being built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked<K> {
    values: Vec<Option<String>>,
    keys: PhantomData<K>,
}

impl<K: KeyList> Default for Picked<K> {
    fn default() -> Self {
        Self {
            values: vec![None; K::KEYS.len()],
            keys: PhantomData,
        }
    }
}

impl<K: KeyList> Picked<K> {
    /// The value of `K::KEYS[i]`.
    pub fn get(&self, i: usize) -> Option<&String> {
        self.values.get(i).and_then(Option::as_ref)
    }

    /// Takes the value of `K::KEYS[i]`.
    pub fn take(&mut self, i: usize) -> Option<String> {
        self.values.get_mut(i).and_then(Option::take)
    }
}

/// `pod-template-hash` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateHashKey;

impl KeyList for TemplateHashKey {
    const KEYS: &'static [&'static str] = &[POD_TEMPLATE_HASH];
}

/// `metadata.labels` of a pod, for its `pod-template-hash`.
pub type TemplateHashLabel = Picked<TemplateHashKey>;

/// A map key: its index in `K::KEYS`, compared without being allocated when it is a
/// plain (unescaped) string.
struct KeyIndex<K>(Option<usize>, PhantomData<K>);

impl<'de, K: KeyList> Deserialize<'de> for KeyIndex<K> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<K>(PhantomData<K>);
        impl<K: KeyList> Visitor<'_> for V<K> {
            type Value = KeyIndex<K>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<KeyIndex<K>, E> {
                Ok(KeyIndex(K::KEYS.iter().position(|k| *k == v), PhantomData))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

impl<'de, K: KeyList> Deserialize<'de> for Picked<K> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<K>(PhantomData<K>);
        impl<'de, K: KeyList> Visitor<'de> for V<K> {
            type Value = Picked<K>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of strings")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Picked<K>, E> {
                Ok(Picked::default())
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Picked<K>, E> {
                Ok(Picked::default())
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Picked<K>, D::Error> {
                d.deserialize_map(self)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Picked<K>, A::Error> {
                let mut picked = Picked::<K>::default();
                while let Some(KeyIndex(i, _)) = m.next_key::<KeyIndex<K>>()? {
                    match i {
                        Some(i) => picked.values[i] = Some(m.next_value::<String>()?),
                        None => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(picked)
            }
        }
        d.deserialize_option(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(json: &str) -> Option<String> {
        let mut l: TemplateHashLabel = serde_json::from_str(json).expect("labels");
        l.take(0)
    }

    #[test]
    fn only_the_picked_keys_are_kept() {
        assert_eq!(
            hash(r#"{"app":"web","pod-template-hash":"7d9c5f","tier":"front\u0021"}"#),
            Some("7d9c5f".into())
        );
        assert_eq!(hash(r#"{"app":"web"}"#), None);
        assert_eq!(hash("null"), None);
        assert_eq!(hash("{}"), None);
        // An escaped key is still compared by its value.
        assert_eq!(
            hash(r#"{"pod-template-has\u0068":"abc"}"#),
            Some("abc".into())
        );
        assert!(serde_json::from_str::<TemplateHashLabel>(r#"{"pod-template-hash":3}"#).is_err());
    }
}
