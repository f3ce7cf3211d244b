//! Statistics of a run's results that the sim's own bands do not carry: the signed supply
//! reduction kept as two sketches (for `bands.csv` and the supply chart), and exact
//! nearest-rank bands of supply and burn over every run (the dashboard's what-if runs).

use alloy_primitives::U256;
use flywheel_sim::agents::wei_to_tokens;
use flywheel_sim::engine::StepRecord;
use flywheel_sim::monte_carlo;
use flywheel_sim::sketch::Sketch;
use flywheel_sim::summary::quantile_u256;

/// A signed supply reduction kept as two sketches: `down` holds reductions (and zeros), `up`
/// the sizes of increases (negative reductions).
pub(crate) struct Reduction<'a> {
    pub(crate) down: &'a Sketch,
    pub(crate) up: &'a Sketch,
}

impl Reduction<'_> {
    fn count(&self) -> u64 {
        self.down.count() + self.up.count()
    }

    /// The value of ascending rank `rank` (1-based), with the bound of its relative error. A
    /// sketch quantile of (k − ½)/count selects exactly rank k.
    fn at_rank(&self, rank: u64) -> (f64, f64) {
        let m = self.up.count();
        if rank <= m {
            let k = m - rank + 1;
            let (v, e) = self.up.quantile_bounded((k as f64 - 0.5) / m as f64);
            (-v, e)
        } else {
            let k = rank - m;
            self.down
                .quantile_bounded((k as f64 - 0.5) / self.down.count() as f64)
        }
    }

    fn rank(&self, q: f64) -> u64 {
        let n = self.count();
        ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).clamp(1, n)
    }

    /// The reduction's own nearest-rank `q` quantile, with its relative error bound.
    pub(crate) fn quantile(&self, q: f64) -> (f64, f64) {
        if self.count() == 0 {
            return (0.0, 0.0);
        }
        self.at_rank(self.rank(q))
    }

    /// Supply's nearest-rank `q` quantile (supply = genesis − reduction, so ranks run the
    /// other way), with the bound of its relative error: the reduction's error over supply.
    pub(crate) fn supply_quantile(&self, genesis: f64, q: f64) -> (f64, f64) {
        if self.count() == 0 {
            return (genesis, 0.0);
        }
        let (r, e) = self.at_rank(self.count() - self.rank(q) + 1);
        let supply = genesis - r;
        let err = if e == 0.0 || supply == 0.0 {
            e
        } else {
            e * r.abs() / supply.abs()
        };
        (supply, err)
    }
}

/// p5, median and p95 of one series on each banded day (ZK).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Band {
    /// 5th percentile per day.
    pub p5: Vec<f64>,
    /// Median per day.
    pub p50: Vec<f64>,
    /// 95th percentile per day.
    pub p95: Vec<f64>,
}

/// Exact p5/p50/p95 of supply, daily burn and cumulative burn on each banded day, over every
/// run: each run's values are kept (wei) and ranked with the sim's `quantile_u256`, not
/// sketched. At a sketch's 0.8% resolution a 21B supply band would hide a year's change, so
/// small runs (what-if) use these.
pub struct ExactBands {
    /// The banded days.
    days: Vec<u32>,
    /// Day → its position among the banded days.
    slot: Vec<Option<usize>>,
    /// Per banded day: every run's supply, daily burn and cumulative burn (wei).
    values: Vec<[Vec<U256>; 3]>,
}

impl ExactBands {
    /// Bands over `days` days (the sim's banded days of that horizon) for `runs` runs.
    pub fn new(days: u32, runs: u32) -> Self {
        let banded = monte_carlo::banded_days(days);
        let mut slot = vec![None; days as usize];
        for (i, d) in banded.iter().enumerate() {
            if let Some(s) = slot.get_mut(*d as usize) {
                *s = Some(i);
            }
        }
        let values = (0..banded.len())
            .map(|_| std::array::from_fn(|_| Vec::with_capacity(runs as usize)))
            .collect();
        Self {
            days: banded,
            slot,
            values,
        }
    }

    /// Takes one run's days.
    pub fn on_run(&mut self, steps: &[StepRecord]) {
        let mut prev = U256::ZERO;
        for s in steps {
            if let Some(Some(i)) = self.slot.get(s.day as usize) {
                let t = &s.totals;
                self.values[*i][0].push(t.supply);
                self.values[*i][1].push(t.burned.saturating_sub(prev));
                self.values[*i][2].push(t.burned);
            }
            prev = s.totals.burned;
        }
    }

    /// The banded days and the bands of supply, daily burn and cumulative burn.
    pub fn finish(mut self) -> (Vec<u32>, [Band; 3]) {
        let mut bands: [Band; 3] = Default::default();
        for day in &mut self.values {
            for (k, col) in day.iter_mut().enumerate() {
                bands[k].p5.push(wei_to_tokens(quantile_u256(col, 0.05)));
                bands[k].p50.push(wei_to_tokens(quantile_u256(col, 0.5)));
                bands[k].p95.push(wei_to_tokens(quantile_u256(col, 0.95)));
            }
        }
        (self.days, bands)
    }
}
