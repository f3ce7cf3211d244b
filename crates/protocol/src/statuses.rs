//! The InteropHandler's bundle statuses, compactly: 33 bytes a bundle (its hash and a status
//! byte) in sorted runs, because a destination must remember every bundle it ever received
//! (a bundle executes at most once) and a year of event-mode traffic is tens of millions of
//! them. A persistent B-tree spent about 76 bytes on each.
//!
//! Layout: the hash space is cut into `2^bits` ranges by the hash's leading bits, each range a
//! sorted vector behind an `Arc` (a clone of the whole map shares them; the first write to a
//! range copies that range only). When the map outgrows its ranges it doubles their number,
//! splitting each in two. Iteration visits ranges in order, so it is in hash order, as the
//! ordered map's was; equality compares entries, not layout.

use crate::chain::BundleStatus;
use alloy_primitives::B256;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

/// Entries a range holds on average before the ranges double (a range is then ≈ 4 KiB, so an
/// insert moves about 2 KiB; the applying thread does one per received bundle).
const PER_RANGE: usize = 128;

/// Bundle hash → status, in hash order.
#[derive(Clone, Default)]
pub struct BundleStatuses {
    /// `ranges[i]` holds the hashes whose leading `bits` bits are `i`, sorted.
    ranges: Vec<Arc<Vec<(B256, BundleStatus)>>>,
    bits: u32,
    len: usize,
}

impl BundleStatuses {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of bundles with a status.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no bundle has a status.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn range_of(&self, hash: &B256) -> usize {
        if self.bits == 0 {
            return 0;
        }
        let lead = u32::from_be_bytes([hash[0], hash[1], hash[2], hash[3]]);
        (lead >> (32 - self.bits)) as usize
    }

    /// The status of `hash`, if it has one.
    pub fn get(&self, hash: &B256) -> Option<&BundleStatus> {
        let r = self.ranges.get(self.range_of(hash))?;
        r.binary_search_by(|(h, _)| h.cmp(hash))
            .ok()
            .map(|i| &r[i].1)
    }

    /// Whether `hash` has a status.
    pub fn contains_key(&self, hash: &B256) -> bool {
        self.get(hash).is_some()
    }

    /// Sets the status of `hash`; returns the previous one.
    pub fn insert(&mut self, hash: B256, status: BundleStatus) -> Option<BundleStatus> {
        if self.ranges.is_empty() {
            self.ranges.push(Arc::default());
        }
        let i = self.range_of(&hash);
        let r = Arc::make_mut(&mut self.ranges[i]);
        match r.binary_search_by(|(h, _)| h.cmp(&hash)) {
            Ok(at) => Some(std::mem::replace(&mut r[at].1, status)),
            Err(at) => {
                if r.len() == r.capacity() {
                    // Grow by an eighth, not double: capacity stays close to use.
                    r.reserve_exact(r.len() / 8 + 8);
                }
                r.insert(at, (hash, status));
                self.len += 1;
                if self.len > self.ranges.len() * PER_RANGE && self.bits < 24 {
                    self.split();
                }
                None
            }
        }
    }

    /// Removes the status of `hash`; returns it.
    pub fn remove(&mut self, hash: &B256) -> Option<BundleStatus> {
        let i = self.range_of(hash);
        let r = self.ranges.get_mut(i)?;
        let at = r.binary_search_by(|(h, _)| h.cmp(hash)).ok()?;
        let (_, old) = Arc::make_mut(r).remove(at);
        self.len -= 1;
        Some(old)
    }

    /// Sets or clears the status of `hash` (the journal's undo).
    pub(crate) fn set(&mut self, hash: B256, status: Option<BundleStatus>) {
        match status {
            Some(s) => {
                self.insert(hash, s);
            }
            None => {
                self.remove(&hash);
            }
        }
    }

    /// Doubles the ranges: range `i` splits into `2i` and `2i + 1` by the next bit.
    fn split(&mut self) {
        let bit = 31 - self.bits;
        let mut next = Vec::with_capacity(self.ranges.len() * 2);
        for r in &self.ranges {
            let cut = r.partition_point(|(h, _)| {
                let lead = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
                lead >> bit & 1 == 0
            });
            next.push(Arc::new(r[..cut].to_vec()));
            next.push(Arc::new(r[cut..].to_vec()));
        }
        self.ranges = next;
        self.bits += 1;
    }

    /// Every (hash, status), in hash order.
    pub fn iter(&self) -> impl Iterator<Item = (&B256, &BundleStatus)> {
        self.ranges
            .iter()
            .flat_map(|r| r.iter().map(|(h, s)| (h, s)))
    }
}

impl PartialEq for BundleStatuses {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for BundleStatuses {}

impl std::fmt::Debug for BundleStatuses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for BundleStatuses {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for BundleStatuses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let entries = std::collections::BTreeMap::<B256, BundleStatus>::deserialize(d)?;
        let mut map = Self::new();
        for (h, s) in entries {
            map.insert(h, s);
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn status(i: u8) -> BundleStatus {
        match i % 3 {
            0 => BundleStatus::Verified,
            1 => BundleStatus::FullyExecuted,
            _ => BundleStatus::Unbundled,
        }
    }

    proptest! {
        /// The compact map behaves as an ordered map under any mix of inserts and removes,
        /// across splits, and iterates in hash order.
        #[test]
        fn behaves_as_an_ordered_map(ops in prop::collection::vec((0u16..3000, 0u8..4), 1..4000)) {
            let mut ours = BundleStatuses::new();
            let mut model = BTreeMap::new();
            for (k, op) in ops {
                let h = keccak256(k.to_be_bytes());
                if op == 3 {
                    prop_assert_eq!(ours.remove(&h), model.remove(&h));
                } else {
                    prop_assert_eq!(ours.insert(h, status(op)), model.insert(h, status(op)));
                }
                prop_assert_eq!(ours.len(), model.len());
            }
            prop_assert!(ours.iter().map(|(h, s)| (*h, *s)).eq(model.clone().into_iter()));
            for (h, s) in &model {
                prop_assert_eq!(ours.get(h), Some(s));
            }
        }
    }

    #[test]
    fn equality_is_by_entries_and_clones_share_until_written() {
        let mut a = BundleStatuses::new();
        for i in 0u32..5_000 {
            a.insert(keccak256(i.to_be_bytes()), status(i as u8));
        }
        assert!(a.bits > 0, "it split");
        // Same entries, different history (and so different layout): equal.
        let mut b = BundleStatuses::new();
        for i in (0u32..5_000).rev() {
            b.insert(keccak256(i.to_be_bytes()), status(i as u8));
        }
        let extra = keccak256(b"extra");
        b.insert(extra, BundleStatus::Verified);
        b.remove(&extra);
        assert_eq!(a, b);
        let c = a.clone();
        a.insert(extra, BundleStatus::Verified);
        assert_ne!(a, c);
        assert_eq!(c.get(&extra), None);
        let json = serde_json::to_string(&a).unwrap();
        let back: BundleStatuses = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }
}
