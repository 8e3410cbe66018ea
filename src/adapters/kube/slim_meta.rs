//! What the slim watch types share: the `ObjectMeta` kube-runtime's watcher reads (name,
//! namespace, `resourceVersion`), the `kube::Resource` implementation of a slim type, a
//! label map read for a few labels only, optional strings borrowed from the watch line,
//! and the API server's timestamps read directly.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
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

/// The most keys a [`Picked`] map keeps.
const MAX_PICKED: usize = 2;

/// A string map (labels, annotations) read for a few keys only (at most two): the values
/// of `K::KEYS`, in that order, borrowed from the watch line when they are plain strings;
/// every other key and value is skipped without being built, and the map itself
/// allocates nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked<'a, K> {
    values: [Option<Cow<'a, str>>; MAX_PICKED],
    keys: PhantomData<K>,
}

impl<K: KeyList> Default for Picked<'_, K> {
    fn default() -> Self {
        const { assert!(K::KEYS.len() <= MAX_PICKED, "too many picked keys") };
        Self {
            values: [None, None],
            keys: PhantomData,
        }
    }
}

impl<'a, K: KeyList> Picked<'a, K> {
    /// The value of `K::KEYS[i]`.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.values.get(i).and_then(Option::as_deref)
    }

    /// Takes the value of `K::KEYS[i]`.
    pub fn take(&mut self, i: usize) -> Option<Cow<'a, str>> {
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
pub type TemplateHashLabel<'a> = Picked<'a, TemplateHashKey>;

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

impl<'de: 'a, 'a, K: KeyList> Deserialize<'de> for Picked<'a, K> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a, K>(PhantomData<(&'a (), K)>);
        impl<'de: 'a, 'a, K: KeyList> Visitor<'de> for V<'a, K> {
            type Value = Picked<'a, K>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of strings")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Picked<'a, K>, E> {
                Ok(Picked::default())
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Picked<'a, K>, E> {
                Ok(Picked::default())
            }
            fn visit_some<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Picked<'a, K>, D::Error> {
                d.deserialize_map(self)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Picked<'a, K>, A::Error> {
                let mut picked = Picked::<K>::default();
                while let Some(KeyIndex(i, _)) = m.next_key::<KeyIndex<K>>()? {
                    match i {
                        Some(i) => picked.values[i] = Some(m.next_value::<Text<'a>>()?.0),
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

/// A string borrowed from the watch line when it is written without escapes (serde's
/// `Cow<str>` is always owned, and `#[serde(borrow)]` borrows only a bare `Cow<str>`
/// field, not one inside an `Option`).
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

/// An optional string (`null` or absent: `None`), borrowed as [`Text`] is; for
/// `#[serde(deserialize_with = "opt_text")]`.
pub fn opt_text<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    Ok(Option::<Text<'a>>::deserialize(d)?.map(|t| t.0))
}

/// A Kubernetes timestamp (RFC 3339). The API server writes them as
/// `YYYY-MM-DDTHH:MM:SSZ` (`metav1.Time`, seconds, UTC), which is read directly; any other
/// form goes through chrono's parser, as chrono's own `Deserialize` does (and fails as it
/// does). Several per object per watch event, so chrono's general format parser showed in
/// the churn profile.
pub fn timestamp<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    let Some(text) = opt_text(d)? else {
        return Ok(None);
    };
    if let Some(t) = utc_seconds(&text) {
        return Ok(Some(t));
    }
    text.parse::<DateTime<Utc>>()
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// `YYYY-MM-DDTHH:MM:SSZ`, and nothing else.
fn utc_seconds(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 20
        || (b[4], b[7], b[10], b[13], b[16], b[19]) != (b'-', b'-', b'T', b':', b':', b'Z')
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, num(5, 7)?, num(8, 10)?)?;
    let time = date.and_hms_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?)?;
    Some(time.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(json: &str) -> Option<String> {
        let mut l: TemplateHashLabel = serde_json::from_str(json).expect("labels");
        l.take(0).map(Cow::into_owned)
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

    /// The direct reading of the API server's timestamps gives what chrono's parser
    /// gives; other RFC 3339 forms are left to chrono.
    #[test]
    fn timestamps_read_directly_match_chrono() {
        for text in [
            "2026-01-02T03:04:05Z",
            "1999-12-31T23:59:59Z",
            "2024-02-29T00:00:00Z",
            "2026-12-06T19:45:00Z",
        ] {
            let chrono: DateTime<Utc> = text.parse().expect("chrono parses it");
            assert_eq!(utc_seconds(text), Some(chrono), "{text}");
        }
        // Not the API server's form: left to chrono.
        for text in [
            "2026-01-02T03:04:05.250Z",
            "2026-01-02T05:04:05+02:00",
            "2023-02-29T00:00:00Z",
            "2026-01-02T24:00:00Z",
            "2026-01-02 03:04:05Z",
            "2026-1-02T03:04:05Z",
        ] {
            assert_eq!(utc_seconds(text), None, "{text}");
        }
    }

    /// A plain string is borrowed from the line; an escaped one is owned, unescaped;
    /// `null` is `None`; anything else is an error, as for `Option<String>`.
    #[test]
    fn text_is_borrowed_unless_escaped() {
        #[derive(Deserialize)]
        struct T<'a> {
            #[serde(borrow, default, deserialize_with = "opt_text")]
            a: Option<Cow<'a, str>>,
        }
        let t: T = serde_json::from_str(r#"{"a":"web-1"}"#).expect("plain");
        assert!(matches!(t.a, Some(Cow::Borrowed("web-1"))));
        let t: T = serde_json::from_str(r#"{"a":"web\u002d1\/x"}"#).expect("escaped");
        assert!(matches!(t.a.as_deref(), Some("web-1/x")));
        assert!(matches!(t.a, Some(Cow::Owned(_))));
        let t: T = serde_json::from_str(r#"{"a":null}"#).expect("null");
        assert!(t.a.is_none());
        let t: T = serde_json::from_str("{}").expect("absent");
        assert!(t.a.is_none());
        assert!(serde_json::from_str::<T>(r#"{"a":3}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"a":"bad \q escape"}"#).is_err());
        let mut picked: TemplateHashLabel =
            serde_json::from_str(r#"{"pod-template-hash":"7d9c5f"}"#).expect("labels");
        assert!(matches!(picked.take(0), Some(Cow::Borrowed("7d9c5f"))));
    }
}
