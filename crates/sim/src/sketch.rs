//! A mergeable quantile sketch for non-negative values: counts in logarithmic buckets — each
//! power of two split into 64 equal sub-buckets read straight from the float's bits, so a
//! value's bucket costs a few integer operations and any quantile is within 0.8% of a true
//! sample value. Merging adds counts, which commutes: the result does not depend on the order in
//! which parallel runs finish — what keeps Monte Carlo outputs byte-identical.

/// Sub-buckets per power of two (the top 6 mantissa bits).
const SUB: i32 = 64;

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
}

/// A sketch as read from a file, before its checks.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSketch {
    zeros: u64,
    offset: i32,
    counts: Vec<u32>,
    total: u64,
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
        Ok(Self {
            zeros: r.zeros,
            offset: r.offset,
            counts: r.counts,
            total: r.total,
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
        let b = bucket(v);
        // Fast path: the bucket is already in range (a negative index wraps to a huge one).
        let i = b.wrapping_sub(self.offset) as u32 as usize;
        match self.counts.get_mut(i) {
            Some(c) => *c += 1,
            None => self.bump(b, 1),
        }
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

    /// The nearest-rank `q` quantile (0 ≤ q ≤ 1), as the midpoint of its bucket.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        if rank <= self.zeros {
            return 0.0;
        }
        let mut seen = self.zeros;
        for (i, c) in self.counts.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= rank {
                return value_of(self.offset + i as i32);
            }
        }
        value_of(self.offset + self.counts.len() as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let far = r#"{"zeros":0,"offset":2147483000,"counts":[1],"total":1}"#;
        assert!(serde_json::from_str::<Sketch>(far)
            .unwrap_err()
            .to_string()
            .contains("outside"));
    }
}
