//! The [`Book`]: the run's calls, fees and burn attributed to the Prividium chains and the
//! public ones, identically in both fidelities, with integer arithmetic.

use super::scenario::destination_index;
use super::*;
use crate::agents;
use crate::ledger::{Ledger, Pool, SimError};
use crate::process::TrafficPath;
use crate::scenario::{BaseToken, FeeModeChoice, Validated};
use alloy_primitives::U256;
use flywheel_protocol::interop::fees::{self, FeeSchedule};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A group's figures: cumulative, wei for amounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupFigures {
    /// Interop calls sent.
    pub calls: u64,
    /// Of them, on the fixed ZK fee.
    pub fixed_calls: u64,
    /// Bundles sent.
    pub bundles: u64,
    /// Fixed ZK fees paid.
    pub fixed_fees: U256,
    /// Gateway settlement fees paid (ZK).
    pub settlement_fees: U256,
    /// Base-token fees paid by ETH-based chains (ETH wei).
    pub base_fees_eth: U256,
    /// Base-token fees paid by ZK-based chains (bridged-ZK wei).
    pub base_fees_zk: U256,
    /// ZK burn attributed to the group (see the module docs).
    pub burned: U256,
}

/// The Prividiums' figures and those of all chains (the public chains' are the difference).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shares {
    /// Prividium chains.
    pub prividium: GroupFigures,
    /// Every chain, Prividiums included.
    pub all: GroupFigures,
}

impl Shares {
    /// The public chains' figures: all minus the Prividiums'.
    pub fn public(&self) -> GroupFigures {
        let (a, p) = (&self.all, &self.prividium);
        GroupFigures {
            calls: a.calls - p.calls,
            fixed_calls: a.fixed_calls - p.fixed_calls,
            bundles: a.bundles - p.bundles,
            fixed_fees: a.fixed_fees - p.fixed_fees,
            settlement_fees: a.settlement_fees - p.settlement_fees,
            base_fees_eth: a.base_fees_eth - p.base_fees_eth,
            base_fees_zk: a.base_fees_zk - p.base_fees_zk,
            burned: a.burned - p.burned,
        }
    }
}

struct Institution {
    join_day: u32,
    share: f64,
    destination: usize,
    path: TrafficPath,
    rng: ChaCha8Rng,
}

/// The institutions' traffic and the attribution of a path's figures (see the module docs).
pub struct Book {
    public: usize,
    bases: Vec<BaseToken>,
    fees: Vec<U256>,
    pending: Vec<u64>,
    unclaimed_base_calls: Vec<u64>,
    pool_calls: [u64; 2],
    vault_in: [U256; 2],
    institutions: Vec<Institution>,
    shares: Shares,
}

/// The random stream of institution `j` on run `run`: a seed of its own, so the public
/// chains' traffic and prices draw exactly what they draw without institutions.
fn stream(seed: u64, run: u32, j: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7072_6976_6964_6975); // "prividiu"
    rng.set_stream((u64::from(run) << 8) | j as u64);
    rng
}

impl Book {
    /// The book of run `run`.
    pub fn new(v: &Validated, run: u32) -> Self {
        let s = &v.scenario;
        let bases = bases(s);
        let n = bases.len();
        let institutions = s
            .prividium
            .institutions
            .iter()
            .enumerate()
            .map(|(j, inst)| Institution {
                join_day: inst.join_day,
                share: inst.fixed_fee_share,
                destination: destination_index(s, &inst.destination).unwrap_or(s.chains.len() + j),
                path: TrafficPath::new(&inst.traffic),
                rng: stream(s.seed, run, j),
            })
            .collect();
        Self {
            public: s.chains.len(),
            bases,
            fees: vec![U256::ZERO; n],
            pending: vec![0; n],
            unclaimed_base_calls: vec![0; n],
            pool_calls: [0; 2],
            vault_in: [U256::ZERO; 2],
            institutions,
            shares: Shares::default(),
        }
    }

    /// Ledger chains: the public ones, then one per institution.
    pub fn chains(&self) -> usize {
        self.bases.len()
    }

    /// Where chain `i` sends: `public_dest` for a public chain, its destination for an
    /// institution's.
    pub fn destination(&self, i: usize, public_dest: usize) -> usize {
        i.checked_sub(self.public)
            .and_then(|j| self.institutions.get(j))
            .map_or(public_dest, |inst| inst.destination)
    }

    /// The figures so far.
    pub fn shares(&self) -> Shares {
        self.shares
    }

    fn group(&self, i: usize) -> usize {
        usize::from(i >= self.public)
    }

    /// Chain `i`'s operator fee for today (the engine sets public chains').
    pub fn note_fee(&mut self, i: usize, fee: U256) {
        if let Some(f) = self.fees.get_mut(i) {
            *f = fee;
        }
    }

    /// Sets the institutions' operator fees: the same policy as every operator, by base token.
    pub fn set_institution_fees<L: Ledger>(
        &mut self,
        ledger: &mut L,
        eth_fee: U256,
        zk_fee: U256,
    ) -> Result<(), SimError> {
        for i in self.public..self.chains() {
            let fee = match self.bases[i] {
                BaseToken::Eth => eth_fee,
                BaseToken::Zk => zk_fee,
            };
            ledger.set_operator_fee(i, fee)?;
            self.note_fee(i, fee);
        }
        Ok(())
    }

    /// Records `calls` calls sent from chain `i` in `bundles` bundles, `fixed` on the fixed fee
    /// of `fixed_fee` ZK wei per call.
    pub fn sent(&mut self, i: usize, calls: u64, fixed: u64, bundles: u64, fixed_fee: U256) {
        let base_calls = calls - fixed;
        let schedule = FeeSchedule {
            protocol_fee: self.fees.get(i).copied().unwrap_or_default(),
            zk_fee: fixed_fee,
            zk_available: true,
        };
        // invariant: the ledger charged the same products without overflow.
        let zk = fees::interop_fee(&schedule, fixed, true).map_or(U256::ZERO, |f| f.zk);
        let base = fees::interop_fee(&schedule, base_calls, false).map_or(U256::ZERO, |f| f.base);
        let eth_based = self.bases.get(i) == Some(&BaseToken::Eth);
        if let Some(p) = self.pending.get_mut(i) {
            *p += calls;
        }
        if let Some(u) = self.unclaimed_base_calls.get_mut(i) {
            *u += base_calls;
        }
        let add = |g: &mut GroupFigures| {
            g.calls += calls;
            g.fixed_calls += fixed;
            g.bundles += bundles;
            g.fixed_fees += zk;
            if eth_based {
                g.base_fees_eth += base;
            } else {
                g.base_fees_zk += base;
            }
        };
        add(&mut self.shares.all);
        if i >= self.public {
            add(&mut self.shares.prividium);
        }
    }

    /// Sends the day's traffic of every institution that has joined; returns (calls, bundles,
    /// fixed calls). Users who cannot afford the fixed fee fall back to the base-token fee, as
    /// on the public chains (`users_zk`: what the market still holds).
    pub fn send_institutions<L: Ledger>(
        &mut self,
        day: u32,
        ledger: &mut L,
        users_zk: &mut U256,
        fixed_fee: U256,
        per_bundle: u32,
    ) -> Result<(u64, u64, u64), SimError> {
        let (mut calls, mut bundles, mut fixed_total) = (0, 0, 0);
        for j in 0..self.institutions.len() {
            let i = self.public + j;
            let inst = &mut self.institutions[j];
            if day < inst.join_day {
                continue;
            }
            let n = inst.path.next(&mut inst.rng);
            let mut fixed = agents::fixed_calls(FeeModeChoice::Dynamic, inst.share, n, 0.0, 0.0);
            if fixed > 0 && !fixed_fee.is_zero() {
                let mut cost = fixed_fee.saturating_mul(U256::from(fixed));
                if cost > *users_zk {
                    fixed = u64::try_from(*users_zk / fixed_fee)
                        .unwrap_or(u64::MAX)
                        .min(fixed);
                    cost = fixed_fee * U256::from(fixed);
                }
                *users_zk -= cost;
            }
            let destination = inst.destination;
            let b = if n > 0 {
                ledger.traffic(i, destination, n, fixed, per_bundle)?
            } else {
                0
            };
            self.sent(i, n, fixed, b, fixed_fee);
            calls += n;
            bundles += b;
            fixed_total += fixed;
        }
        Ok((calls, bundles, fixed_total))
    }

    /// Chain `i`'s settlement succeeded (`ok`) or failed at a fee of `fee` ZK wei per call.
    pub fn settled(&mut self, i: usize, ok: bool, fee: U256) {
        if !ok {
            return;
        }
        let calls = self.pending.get_mut(i).map_or(0, std::mem::take);
        // invariant: the ledger computed the same product.
        let paid = fees::settlement_fee(fee, calls).unwrap_or_default();
        self.vault_in[self.group(i)] += paid;
        self.shares.all.settlement_fees += paid;
        if i >= self.public {
            self.shares.prividium.settlement_fees += paid;
        }
    }

    /// Chain `i`'s operator claimed; `before`/`after` are the Fee Flow pool around the claim.
    pub fn claimed(&mut self, i: usize, before: Pool, after: Pool) {
        let calls = self
            .unclaimed_base_calls
            .get_mut(i)
            .map_or(0, std::mem::take);
        if after != before {
            self.pool_calls[self.group(i)] += calls;
        }
    }

    fn attribute(&mut self, burned: U256, prividium_part: U256) {
        self.shares.all.burned += burned;
        self.shares.prividium.burned += prividium_part.min(burned);
    }

    /// A settlement-fee sweep burned `burned`.
    pub fn swept(&mut self, burned: U256) {
        let [public, prividium] = std::mem::take(&mut self.vault_in);
        let total = public + prividium;
        // ⌊burned × 0 / total⌋ is 0: no division while no Prividium paid into the vault.
        let part = if total.is_zero() || prividium.is_zero() {
            U256::ZERO
        } else {
            burned * prividium / total
        };
        self.attribute(burned, part);
    }

    /// A Fee Flow claim burned `burned`.
    pub fn auctioned(&mut self, burned: U256) {
        let [public, prividium] = std::mem::take(&mut self.pool_calls);
        let part = if prividium == 0 {
            U256::ZERO
        } else {
            flywheel_protocol::units::mul_div_floor(burned, prividium, public + prividium)
                .unwrap_or_default()
        };
        self.attribute(burned, part);
    }
}
