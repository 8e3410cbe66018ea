//! A fast hash for the loader's short keys (placeholder names, heading words).
//!
//! The standard `HashMap` hashes with SipHash, which resists collision attacks at a cost of
//! tens of instructions per key; the loader looks up a few thousand short names per
//! megabyte of runbook, all from a file the operator chose to open. This is the
//! multiply-rotate hash rustc uses for its own tables (FxHash): one multiplication per
//! eight bytes.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash: the state rotated, xor-ed with the next word and multiplied.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct NameHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl NameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` keyed by short names, hashed with [`NameHasher`].
pub(super) type NameMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;

/// A `HashSet` of short names, hashed with [`NameHasher`].
pub(super) type NameSet<K> = HashSet<K, BuildHasherDefault<NameHasher>>;

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasher, BuildHasherDefault};

    use super::*;

    #[test]
    fn names_that_differ_anywhere_hash_apart_and_look_up_as_in_a_std_map() {
        let build = BuildHasherDefault::<NameHasher>::default();
        let names = [
            "NAMESPACE",
            "NAMESPACF",
            "namespace",
            "service-name",
            "service-namf",
            "a",
            "b",
            "",
            "REVISION_AFTER_ROLLBACK_1",
            "REVISION_AFTER_ROLLBACK_2",
        ];
        let hashes: Vec<u64> = names.iter().map(|n| build.hash_one(n)).collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert_ne!(a, b);
            }
        }
        let mut map: NameMap<&str, usize> = NameMap::default();
        for (i, n) in names.iter().enumerate() {
            map.insert(n, i);
        }
        for (i, n) in names.iter().enumerate() {
            assert_eq!(map.get(n), Some(&i));
        }
        assert_eq!(map.get("NAMESPACEX"), None);
    }
}
