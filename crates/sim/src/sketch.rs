//! A mergeable quantile sketch for non-negative values: counts in logarithmic buckets — each
//! power of two split into 64 equal sub-buckets read straight from the float's bits, so a
//! value's bucket costs a few integer operations and any quantile is within 1/128 (0.78%) of a
//! true sample value. The smallest and largest positive values are kept exactly, so a quantile
//! that falls on either (every quantile of one run, or of runs that all agree) is exact, and no
//! quantile lies outside them. Merging adds counts and takes the extremes, which commutes: the
//! result does not depend on the order in which parallel runs finish — what keeps Monte Carlo
//! outputs byte-identical.

/// Sub-buckets per power of two (the top 6 mantissa bits).
const SUB: i32 = 64;

/// The largest relative error of a sketched quantile: a bucket's midpoint is within half a
/// bucket's width, 1/128 of the bucket's lower edge, of any value in it.
pub const MAX_REL_ERROR: f64 = 1.0 / 128.0;

/// Counts of values by logarithmic bucket, plus exact zeros. It serialises (shard files) and
/// deserialises only through [`RawSketch`]'s checks, so a sketch read from a file cannot
/// overflow a bucket index or disagree with its own total.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "RawSketch")]
pub struct Sketch {
    zeros: u64,
    offset: i32,
    /// Per-bucket counts; u32 keeps the per-day sketches of a chunk small enough to stay in
    /// cache (a bucket never sees more values than there are runs, at most `MAX_RUNS`).
    counts: Vec<u32>,
    total: u64,
    /// The smallest positive value added, as its bits (exact through any JSON reader; 0 while
    /// there is none).
    #[serde(default)]
    min_bits: u64,
    /// The largest positive value added, as its bits.
    #[serde(default)]
    max_bits: u64,
}

/// A sketch as read from a file, before its checks.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSketch {
    zeros: u64,
    offset: i32,
    counts: Vec<u32>,
    total: u64,
    #[serde(default)]
    min_bits: u64,
    #[serde(default)]
    max_bits: u64,
}

/// Buckets a finite positive f64 can fall in: exponents -1075..=1024, 64 sub-buckets each.
const MIN_BUCKET: i32 = -1075 * SUB;
const MAX_BUCKET: i32 = 1025 * SUB;

impl TryFrom<RawSketch> for Sketch {
    type Error = String;

    fn try_from(r: RawSketch) -> Result<Self, String> {
        let end = i64::from(r.offset) + r.counts.len() as i64;
        if !r.counts.is_empty() && (r.offset < MIN_BUCKET || end > i64::from(MAX_BUCKET)) {
            return Err(format!(
                "sketch buckets {}..{end} are outside {MIN_BUCKET}..{MAX_BUCKET}",
                r.offset
            ));
        }
        let counted = r
            .counts
            .iter()
            .try_fold(r.zeros, |acc, c| acc.checked_add(u64::from(*c)));
        if counted != Some(r.total) {
            return Err(format!(
                "sketch total {} is not its zeros plus its counts",
                r.total
            ));
        }
        let positive = r.total - r.zeros;
        let (lo, hi) = (f64::from_bits(r.min_bits), f64::from_bits(r.max_bits));
        // No finite positive value (none at all, or only infinities) leaves both unset.
        let unset = r.min_bits == 0 && r.max_bits == 0;
        let extremes_ok = if positive == 0 {
            unset
        } else {
            unset || (lo.is_finite() && hi.is_finite() && lo > 0.0 && lo <= hi)
        };
        if !extremes_ok {
            return Err(format!(
                "sketch extremes {lo} and {hi} do not fit its {positive} positive values"
            ));
        }
        Ok(Self {
            zeros: r.zeros,
            offset: r.offset,
            counts: r.counts,
            total: r.total,
            min_bits: r.min_bits,
            max_bits: r.max_bits,
        })
    }
}

fn bucket(v: f64) -> i32 {
    let bits = v.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let sub = ((bits >> 46) & 0x3f) as i32;
    exponent * SUB + sub
}

/// The midpoint of a bucket.
fn value_of(b: i32) -> f64 {
    let exponent = b.div_euclid(SUB);
    let sub = b.rem_euclid(SUB);
    2f64.powi(exponent) * (1.0 + (f64::from(sub) + 0.5) / f64::from(SUB))
}

impl Sketch {
    /// Adds one value; negatives and NaN count as zero.
    #[inline]
    pub fn add(&mut self, v: f64) {
        self.total += 1;
        if v.is_nan() || v <= 0.0 {
            self.zeros += 1;
            return;
        }
        // Finite positives only (an infinity counts in the top bucket but is no extreme).
        if v.is_finite() {
            if self.min_bits == 0 || v < f64::from_bits(self.min_bits) {
                self.min_bits = v.to_bits();
            }
            if v > f64::from_bits(self.max_bits) {
                self.max_bits = v.to_bits();
            }
        }
        let b = bucket(v);
        // Fast path: the bucket is already in range (a negative index wraps to a huge one).
        let i = b.wrapping_sub(self.offset) as u32 as usize;
        match self.counts.get_mut(i) {
            Some(c) => *c += 1,
            None => self.bump(b, 1),
        }
    }

    /// The sketch of `values`, as adding them one by one would count them (the same total,
    /// zeros, extremes and bucket counts), with its buckets allocated once to the exact range
    /// the values span: per-day bands are sketched from a contiguous column of the values of
    /// many runs. Only the layout of the buckets may differ from one built by [`Sketch::add`],
    /// and merging reads the counts in bucket order, so a merge of either gives the same
    /// sketch (proptested).
    pub fn from_values(values: &[f64]) -> Self {
        let mut s = Sketch {
            total: values.len() as u64,
            ..Sketch::default()
        };
        let (mut lo, mut hi) = (i32::MAX, i32::MIN);
        for &v in values {
            if v.is_nan() || v <= 0.0 {
                s.zeros += 1;
                continue;
            }
            if v.is_finite() {
                if s.min_bits == 0 || v < f64::from_bits(s.min_bits) {
                    s.min_bits = v.to_bits();
                }
                if v > f64::from_bits(s.max_bits) {
                    s.max_bits = v.to_bits();
                }
            }
            let b = bucket(v);
            lo = lo.min(b);
            hi = hi.max(b);
        }
        if lo <= hi {
            s.offset = lo;
            s.counts = vec![0; (hi - lo) as usize + 1];
            for &v in values {
                if !(v.is_nan() || v <= 0.0) {
                    s.counts[(bucket(v) - lo) as usize] += 1;
                }
            }
        }
        s
    }

    #[cold]
    fn bump(&mut self, b: i32, n: u32) {
        if self.counts.is_empty() {
            // Room for a factor of about 4 either way before any growth.
            self.offset = b - 2 * SUB;
            self.counts.resize(4 * SUB as usize, 0);
        }
        if b < self.offset {
            // Grow downwards with headroom, so a drifting series does not shift every time.
            let grow = ((self.offset - b) as usize)
                .max(self.counts.len() / 2)
                .max(16);
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset -= grow as i32;
        }
        let i = (b - self.offset) as usize;
        if i >= self.counts.len() {
            self.counts
                .resize((i + 1).max(self.counts.len() * 3 / 2), 0);
        }
        self.counts[i] += n;
    }

    /// Adds another sketch's counts.
    pub fn merge(&mut self, other: &Sketch) {
        self.total += other.total;
        self.zeros += other.zeros;
        if other.min_bits != 0
            && (self.min_bits == 0
                || f64::from_bits(other.min_bits) < f64::from_bits(self.min_bits))
        {
            self.min_bits = other.min_bits;
        }
        if f64::from_bits(other.max_bits) > f64::from_bits(self.max_bits) {
            self.max_bits = other.max_bits;
        }
        for (i, c) in other.counts.iter().enumerate() {
            if *c > 0 {
                self.bump(other.offset + i as i32, *c);
            }
        }
    }

    /// Values added.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The nearest-rank `q` quantile (0 ≤ q ≤ 1); see [`Sketch::quantile_bounded`].
    pub fn quantile(&self, q: f64) -> f64 {
        self.quantile_bounded(q).0
    }

    /// The nearest-rank `q` quantile (0 ≤ q ≤ 1) and the bound of its relative error: exact
    /// (error 0) for zeros and for the smallest and largest values — so for every quantile of
    /// one run, or of runs that all agree; otherwise its bucket's midpoint, kept within the
    /// extremes, within [`MAX_REL_ERROR`] of the true value.
    pub fn quantile_bounded(&self, q: f64) -> (f64, f64) {
        if self.total == 0 {
            return (0.0, 0.0);
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).clamp(1, self.total);
        if rank <= self.zeros {
            return (0.0, 0.0);
        }
        let (lo, hi) = (f64::from_bits(self.min_bits), f64::from_bits(self.max_bits));
        if self.min_bits != 0 {
            if rank == self.zeros + 1 || lo == hi {
                return (lo, 0.0);
            }
            if rank == self.total {
                return (hi, 0.0);
            }
        }
        let mut seen = self.zeros;
        let mut mid = value_of(self.offset + self.counts.len() as i32);
        for (i, c) in self.counts.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= rank {
                mid = value_of(self.offset + i as i32);
                break;
            }
        }
        if self.min_bits != 0 {
            mid = mid.clamp(lo, hi);
        }
        (mid, MAX_REL_ERROR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>(),
            0.0f64..1e6,
            1e9f64..1.1e9,
            Just(0.0),
            Just(f64::INFINITY),
            Just(f64::NAN),
            Just(-1.0),
            Just(f64::MIN_POSITIVE / 4.0),
        ]
    }

    proptest! {
        /// A sketch built from a column of values counts what adding them one by one counts,
        /// and merges into any sketch (empty or not) to the very same sketch.
        #[test]
        fn a_sketch_from_values_merges_as_one_built_by_adding_them(
            values in proptest::collection::vec(value(), 0..300),
            prior in proptest::collection::vec(value(), 0..50),
        ) {
            let mut added = Sketch::default();
            for v in &values {
                added.add(*v);
            }
            let built = Sketch::from_values(&values);
            prop_assert_eq!(
                (built.total, built.zeros, built.min_bits, built.max_bits),
                (added.total, added.zeros, added.min_bits, added.max_bits)
            );
            for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
                prop_assert_eq!(
                    built.quantile_bounded(q).0.to_bits(),
                    added.quantile_bounded(q).0.to_bits()
                );
            }
            let mut base = Sketch::default();
            for v in &prior {
                base.add(*v);
            }
            for start in [Sketch::default(), base] {
                let (mut a, mut b) = (start.clone(), start);
                a.merge(&added);
                b.merge(&built);
                prop_assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn quantiles_are_within_the_relative_error() {
        let mut s = Sketch::default();
        for i in 1..=10_000 {
            s.add(i as f64);
        }
        for (q, want) in [(0.05, 500.0), (0.5, 5000.0), (0.95, 9500.0)] {
            let got = s.quantile(q);
            assert!((got - want).abs() / want < 0.01, "q{q}: {got} vs {want}");
        }
    }

    #[test]
    fn quantiles_are_exact_where_all_values_agree_and_bounded_elsewhere() {
        let mut one = Sketch::default();
        one.add(182_500_000.0);
        for q in [0.05, 0.5, 0.95] {
            assert_eq!(one.quantile_bounded(q), (182_500_000.0, 0.0));
        }
        let mut same = Sketch::default();
        for _ in 0..200 {
            same.add(20_999_999_999.5);
        }
        // Not above the value (a midpoint could be), and exact.
        assert_eq!(same.quantile_bounded(0.5), (20_999_999_999.5, 0.0));
        let mut spread = Sketch::default();
        for i in 1..=1000 {
            spread.add(1e6 + f64::from(i));
        }
        assert_eq!(
            spread.quantile_bounded(0.0),
            (1e6 + 1.0, 0.0),
            "the minimum"
        );
        assert_eq!(
            spread.quantile_bounded(1.0),
            (1e6 + 1000.0, 0.0),
            "the maximum"
        );
        let (mid, err) = spread.quantile_bounded(0.5);
        assert_eq!(err, MAX_REL_ERROR);
        assert!((mid - (1e6 + 500.0)).abs() <= (1e6 + 500.0) * err, "{mid}");
        assert!(
            (1e6 + 1.0..=1e6 + 1000.0).contains(&mid),
            "within the extremes"
        );
        // Extremes merge in any order.
        let (mut a, mut b) = (Sketch::default(), Sketch::default());
        a.add(3.0);
        b.add(0.0);
        b.add(7.0);
        let mut x = a.clone();
        x.merge(&b);
        let mut y = b.clone();
        y.merge(&a);
        for q in [0.0, 0.3, 0.5, 0.7, 1.0] {
            assert_eq!(x.quantile_bounded(q), y.quantile_bounded(q));
        }
        assert_eq!((x.min_bits, x.max_bits), (y.min_bits, y.max_bits));
        assert_eq!(x.quantile_bounded(1.0), (7.0, 0.0));
        assert_eq!(
            x.quantile_bounded(0.5),
            (3.0, 0.0),
            "rank 2 of 3: the smallest positive"
        );
    }

    #[test]
    fn merge_is_order_independent() {
        let (mut a, mut b, mut c) = (Sketch::default(), Sketch::default(), Sketch::default());
        for i in 0..100 {
            a.add(i as f64 * 3.7);
            b.add(1e6 / (i as f64 + 1.0));
            c.add(0.0);
        }
        let mut x = a.clone();
        x.merge(&b);
        x.merge(&c);
        let mut y = c.clone();
        y.merge(&b);
        y.merge(&a);
        assert_eq!(x.quantile(0.5), y.quantile(0.5));
        assert_eq!(x.count(), 300);
        assert_eq!(y.quantile(0.2), 0.0, "a third are zeros");
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn a_sketch_from_a_file_is_checked() {
        let mut s = Sketch::default();
        for i in 0..50 {
            s.add(f64::from(i));
        }
        let text = serde_json::to_string(&s).expect("json");
        let back: Sketch = serde_json::from_str(&text).expect("read");
        assert_eq!(back, s);
        let wrong_total = text.replace("\"total\":50", "\"total\":51");
        assert!(serde_json::from_str::<Sketch>(&wrong_total)
            .unwrap_err()
            .to_string()
            .contains("not its zeros plus its counts"));
        let wrong_extremes = text.replace(
            &format!("\"min_bits\":{}", s.min_bits),
            &format!("\"min_bits\":{}", 100f64.to_bits()),
        );
        assert!(serde_json::from_str::<Sketch>(&wrong_extremes)
            .unwrap_err()
            .to_string()
            .contains("extremes"));
        let far = r#"{"zeros":0,"offset":2147483000,"counts":[1],"total":1}"#;
        assert!(serde_json::from_str::<Sketch>(far)
            .unwrap_err()
            .to_string()
            .contains("outside"));
    }
}
