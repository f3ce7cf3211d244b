//! The two fidelities behind one interface. The engine decides; a ledger carries decisions
//! out and reports balances. [`FlowLedger`] applies a day's calls as aggregates through the
//! protocol's fee arithmetic; [`crate::event_ledger::EventLedger`] sends, settles, proves and
//! executes every bundle on the protocol's `Network`.

use crate::scenario::{BaseToken, Validated, ValidatedChange};
use alloy_primitives::U256;
use flywheel_protocol::fee_flow::{splitter_address, Distributor, Shares};
use flywheel_protocol::interop::fees::{self, FeeSchedule};

/// Why a simulation step could not proceed (a bug or an impossible configuration, never an
/// ordinary protocol rejection, which the ledgers handle as outcomes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// The protocol rejected an action the simulator expected to succeed.
    #[error("protocol rejected {what}: {reason}")]
    Protocol {
        /// What the simulator was doing.
        what: String,
        /// The protocol's error.
        reason: String,
    },
    /// A scenario problem found while building the run.
    #[error(transparent)]
    Scenario(#[from] crate::scenario::ScenarioError),
    /// Parts of a Monte Carlo that do not belong together (a different horizon).
    #[error("shards do not merge: {0}")]
    Shard(String),
}

/// Cumulative figures of a run (wei), identical in meaning across fidelities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Totals {
    /// ZK total supply now.
    pub supply: U256,
    /// ZK minted since genesis.
    pub minted: U256,
    /// ZK burned since genesis.
    pub burned: U256,
    /// ZK the splitter paid to recipients.
    pub distributed: U256,
    /// Fixed ZK interop fees paid.
    pub fixed_fees: U256,
    /// Gateway settlement fees paid.
    pub settlement_fees: U256,
    /// ZK paid for Fee Flow claims.
    pub auction_paid: U256,
    /// Fee Flow claims.
    pub auction_claims: u64,
    /// Staking rewards paid out.
    pub staking_rewards: U256,
    /// Settlements that failed for lack of ZK.
    pub failed_settlements: u64,
}

/// Assets pooled in Fee Flow (or on their way to it), wei. Only ETH: the revenue-share lever
/// never sends ZK-denominated revenue (see [`revenue_share`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pool {
    /// ETH (the model's stand-in for Fee Flow's whitelisted WETH).
    pub eth: U256,
}

/// The scenario lever `fee_flow_revenue_share_bps`: of `claimed` base-token fee revenue, what
/// its operator (or Era) sends to the Fee Flow pool — `floor(claimed × bps / 10,000)`. An
/// assumption, not a contract rule: InteropCenter pays operators their whole accrual. Both
/// fidelities call this after each claim, so they send the same wei. Model choice: revenue in
/// a ZK-based chain's base token is not sent at all, since Fee Flow refuses to auction its own
/// bid token (`FeeFlow_InvalidFeeToken`) and the model keeps that bridged ZK apart from the
/// canonical ZK ledger the Splitter burns.
pub fn revenue_share(claimed: U256, bps: u16) -> U256 {
    // floor(c × b / 10⁴) = ⌊c / 10⁴⌋ × b + ⌊(c mod 10⁴) × b / 10⁴⌋, exactly, and with b ≤ 10⁴
    // neither term can overflow whatever `claimed` is.
    if bps == 0 || claimed.is_zero() {
        return U256::ZERO;
    }
    if let Ok(c) = u128::try_from(claimed) {
        // The same two terms in 128 bits (each at most `c`): flow mode runs this daily.
        let b = u128::from(bps.min(10_000));
        return U256::from(c / 10_000 * b + c % 10_000 * b / 10_000);
    }
    let (b, d) = (U256::from(bps.min(10_000)), U256::from(10_000u16));
    claimed / d * b + claimed % d * b / d
}

impl Pool {
    /// The part of a day's inflow `self` that has arrived by `tick` of
    /// [`crate::agents::DAY_TICKS`]: `floor(amount × tick / DAY_TICKS)`, so the whole inflow
    /// has arrived at the last tick and both fidelities agree to the wei.
    pub fn arrived_by(&self, tick: u32) -> Pool {
        // invariant: tick ≤ DAY_TICKS, so the share never exceeds the amount.
        let eth = flywheel_protocol::units::mul_div_floor(
            self.eth,
            u64::from(tick),
            u64::from(crate::agents::DAY_TICKS),
        )
        .unwrap_or(self.eth);
        Pool { eth }
    }

    /// `self − other`, saturating at zero.
    pub fn minus(&self, other: &Pool) -> Pool {
        Pool {
            eth: self.eth.saturating_sub(other.eth),
        }
    }

    /// `self + other`.
    pub fn plus(&self, other: &Pool) -> Pool {
        Pool {
            eth: self.eth.saturating_add(other.eth),
        }
    }

    /// Market value in USD at the given ETH price.
    pub fn usd(&self, eth_usd: f64) -> f64 {
        crate::agents::wei_to_tokens(self.eth) * eth_usd
    }
}

/// What the engine asks of a fidelity.
pub trait Ledger {
    /// Sets chain `chain`'s `interopProtocolFee` (base-token wei per call).
    fn set_operator_fee(&mut self, chain: usize, fee: U256) -> Result<(), SimError>;
    /// Sends `calls` calls from `chain` to `destination` (`fixed` of them with the fixed ZK
    /// fee) in bundles of `per_bundle` calls. Returns the number of bundles.
    fn traffic(
        &mut self,
        chain: usize,
        destination: usize,
        calls: u64,
        fixed: u64,
        per_bundle: u32,
    ) -> Result<u64, SimError>;
    /// ZK the chain's open batch will owe Gateway at settlement.
    fn settlement_due(&self, chain: usize) -> U256;
    /// ZK the chain's operator holds.
    fn operator_zk(&self, chain: usize) -> U256;
    /// The operator buys `amount` ZK from the market (the users' holdings), to pay settlement
    /// fees. Only the ZK leg is modelled.
    fn buy_zk(&mut self, chain: usize, amount: U256) -> Result<(), SimError>;
    /// Settles the chain's open batch on Gateway; `false` when its operator could not pay the
    /// settlement fee (nothing changed, the calls stay pending).
    fn settle(&mut self, chain: usize, destination: usize) -> Result<bool, SimError>;
    /// Settles like [`Ledger::settle`], the operator first buying the ZK it lacks when `buy`
    /// is set (and the market holds enough).
    fn settle_buying(
        &mut self,
        chain: usize,
        destination: usize,
        buy: bool,
    ) -> Result<bool, SimError> {
        if buy {
            let (due, held) = (self.settlement_due(chain), self.operator_zk(chain));
            if due > held && due - held <= self.users_zk() {
                self.buy_zk(chain, due - held)?;
            }
        }
        self.settle(chain, destination)
    }
    /// Staking rewards paid so far (season mints + the splitter's staking share).
    fn staking_rewards(&self) -> U256 {
        self.totals().staking_rewards
    }
    /// The operator claims its whole base-token and ZK fee accruals, then sends the scenario's
    /// revenue share of the base-token part to the Fee Flow pool ([`revenue_share`]).
    fn claim_operator_fees(&mut self, chain: usize) -> Result<(), SimError>;
    /// Moves the ledger's clock to the next day.
    fn advance_day(&mut self) -> Result<(), SimError>;
    /// Season `season`'s capped minter mints `amount` ZK of staking rewards.
    fn mint_staking_rewards(&mut self, season: usize, amount: U256) -> Result<(), SimError>;
    /// GWAssetTracker's owner withdraws the settlement-fee vault to the Splitter, and the
    /// sweeper calls `split()` (the protocol never splits on its own).
    fn sweep(&mut self) -> Result<(), SimError>;
    /// The Fee Flow pool.
    fn pool(&self) -> Pool;
    /// Revenue sent towards Fee Flow that has not reached the pool yet (the day's inflow).
    fn inflow_pending(&self) -> Pool;
    /// Moves `amount` of the pending inflow into the pool.
    fn deliver_inflow(&mut self, amount: Pool) -> Result<(), SimError>;
    /// ZK the claimer holds.
    fn claimer_zk(&self) -> U256;
    /// The claimer buys `amount` ZK from the market (the users' holdings) to pay a claim. Only
    /// the ZK leg is modelled, as for operators.
    fn claimer_buy_zk(&mut self, amount: U256) -> Result<(), SimError>;
    /// ZK users hold for fixed fees.
    fn users_zk(&self) -> U256;
    /// Fee Flow `claim` at the current threshold, requesting every non-zero whitelisted
    /// balance at least at its current amount (the bid is split at once).
    fn claim_pool(&mut self) -> Result<(), SimError>;
    /// Applies a governance change.
    fn apply_change(&mut self, change: &ValidatedChange) -> Result<(), SimError>;
    /// Current parameters: (fixed fee, settlement fee, threshold).
    fn params(&self) -> (U256, U256, U256);
    /// Cumulative figures.
    fn totals(&self) -> Totals;
    /// ZK burned and distributed by the Splitter so far (`totals().burned`, `.distributed`),
    /// read around each sweep and each day's claims without copying every total.
    fn burned_distributed(&self) -> (U256, U256) {
        let t = self.totals();
        (t.burned, t.distributed)
    }
    /// ZK total supply now (`totals().supply`).
    fn supply(&self) -> U256 {
        self.totals().supply
    }
    /// Runs day `day` of the scenario's Stage 1 chain, if it has one
    /// ([`crate::priority_mode`]); the last thing of the day.
    fn priority_day(&mut self, day: u32) -> Result<(), SimError>;
    /// The Stage 1 chain's report so far, if the scenario has one.
    fn priority_report(&self) -> Option<crate::priority_mode::PriorityReport>;
}

#[derive(Debug, Clone)]
struct FlowChain {
    base: BaseToken,
    protocol_fee: U256,
    accrued_base: U256,
    accrued_zk: U256,
    pending_chargeable: u64,
    operator_zk: U256,
}

/// Flow fidelity: a path's economic state as a handful of integers, advanced by the same fee
/// arithmetic the protocol's contracts use (`interop::fees`, `Shares::split`).
#[derive(Debug, Clone)]
pub struct FlowLedger {
    chains: Vec<FlowChain>,
    fixed_fee: U256,
    settlement_fee: U256,
    revenue_share_bps: u16,
    threshold: U256,
    shares: Shares,
    vault: U256,
    splitter_balance: U256,
    pool: Pool,
    inflow: Pool,
    users_zk: U256,
    claimer_zk: U256,
    totals: Totals,
    priority: Option<(
        crate::priority_mode::PriorityAgent,
        crate::priority_mode::FlowPriority,
    )>,
}

/// The Splitter configuration for a burn share: (burn bps, distributors) — the rest to the
/// staking-rewards pot alone, none at 100% burn (as the Era deployment starts).
pub fn splitter_for(burn_bps: u16) -> (u16, Vec<Distributor>) {
    if burn_bps >= 10_000 {
        (10_000, Vec::new())
    } else {
        let pot = Distributor::new(crate::staking_rewards_address(), 1);
        (burn_bps, vec![pot])
    }
}

/// [`splitter_for`] as the Splitter's shares (what `setDistributors` then `setBurnPercentage`
/// leave).
pub fn shares_for(burn_bps: u16) -> Shares {
    let (burn, list) = splitter_for(burn_bps);
    let total = list
        .iter()
        .fold(U256::ZERO, |a, d| a + U256::from(d.weight));
    Shares {
        burn_bps: burn,
        distributors: list,
        total_weight: total,
    }
}

impl FlowLedger {
    /// Genesis of a flow path.
    pub fn new(v: &Validated) -> Self {
        let s = &v.scenario;
        let chains = crate::prividium::bases(s)
            .into_iter()
            .map(|base| FlowChain {
                base,
                protocol_fee: U256::ZERO,
                accrued_base: U256::ZERO,
                accrued_zk: U256::ZERO,
                pending_chargeable: 0,
                operator_zk: v.operator_zk,
            })
            .collect::<Vec<_>>();
        let held = v.operator_zk * U256::from(chains.len()) + v.claimer_zk;
        let priority = v.priority_mode.as_ref().map(|p| {
            let t0 = crate::event_ledger::START_TIME;
            let mut agent = crate::priority_mode::PriorityAgent::new(p.clone(), t0);
            let mut backend = crate::priority_mode::FlowPriority::new(p, t0);
            // invariant: flow set-up cannot fail (it only flips flags).
            let _ = agent.setup(&mut backend);
            (agent, backend)
        });
        Self {
            priority,
            chains,
            fixed_fee: v.fixed_interop_fee,
            settlement_fee: v.gateway_settlement_fee,
            revenue_share_bps: s.protocol.fee_flow_revenue_share_bps,
            threshold: v.fee_flow_threshold,
            shares: shares_for(s.protocol.burn_bps),
            vault: U256::ZERO,
            splitter_balance: U256::ZERO,
            pool: Pool::default(),
            inflow: Pool::default(),
            users_zk: v.genesis_supply - held,
            claimer_zk: v.claimer_zk,
            totals: Totals {
                supply: v.genesis_supply,
                minted: v.genesis_supply,
                ..Totals::default()
            },
        }
    }

    /// The operator pays `owed` for its open batch, or the settlement fails (nothing changes).
    fn pay_settlement(&mut self, chain: usize, owed: U256) -> bool {
        let c = &mut self.chains[chain];
        if owed > c.operator_zk {
            self.totals.failed_settlements += 1;
            return false;
        }
        c.operator_zk -= owed;
        c.pending_chargeable = 0;
        self.vault += owed;
        self.totals.settlement_fees += owed;
        true
    }

    /// `split()`: the Splitter's arithmetic on its balance (a no-op on zero).
    fn split(&mut self) -> Result<(), SimError> {
        if self.splitter_balance.is_zero() {
            return Ok(());
        }
        let out = self
            .shares
            .split(self.splitter_balance, splitter_address())
            .ok_or_else(|| SimError::Protocol {
                what: "split".into(),
                reason: "amount overflow".into(),
            })?;
        self.totals.burned += out.burned;
        self.totals.supply -= out.burned;
        self.totals.distributed += out.distributed;
        self.totals.staking_rewards += out.distributed;
        self.splitter_balance = out.to_self;
        Ok(())
    }
}

impl Ledger for FlowLedger {
    fn set_operator_fee(&mut self, chain: usize, fee: U256) -> Result<(), SimError> {
        self.chains[chain].protocol_fee = fee;
        Ok(())
    }

    fn traffic(
        &mut self,
        chain: usize,
        _destination: usize,
        calls: u64,
        fixed: u64,
        per_bundle: u32,
    ) -> Result<u64, SimError> {
        let c = &mut self.chains[chain];
        let schedule = FeeSchedule {
            protocol_fee: c.protocol_fee,
            zk_fee: self.fixed_fee,
            zk_available: true,
        };
        let err = |e: fees::FeeError| SimError::Protocol {
            what: "flow traffic".into(),
            reason: e.to_string(),
        };
        let dynamic = calls - fixed;
        let per = u64::from(per_bundle);
        if fixed > 0 {
            let f = fees::interop_fee(&schedule, fixed, true).map_err(err)?;
            self.users_zk -= f.zk;
            c.accrued_zk += f.zk;
            self.totals.fixed_fees += f.zk;
        }
        if dynamic > 0 {
            let f = fees::interop_fee(&schedule, dynamic, false).map_err(err)?;
            c.accrued_base += f.base;
        }
        // Gateway charges its settlement fee on every call, in both fee modes.
        c.pending_chargeable += calls;
        Ok(fixed.div_ceil(per) + dynamic.div_ceil(per))
    }

    fn settlement_due(&self, chain: usize) -> U256 {
        let c = &self.chains[chain];
        fees::settlement_fee(self.settlement_fee, c.pending_chargeable).unwrap_or(U256::MAX)
    }

    fn operator_zk(&self, chain: usize) -> U256 {
        self.chains[chain].operator_zk
    }

    fn buy_zk(&mut self, chain: usize, amount: U256) -> Result<(), SimError> {
        if amount > self.users_zk {
            return Err(SimError::Protocol {
                what: "buy ZK".into(),
                reason: "the market holds too little ZK".into(),
            });
        }
        self.users_zk -= amount;
        self.chains[chain].operator_zk += amount;
        Ok(())
    }

    fn staking_rewards(&self) -> U256 {
        self.totals.staking_rewards
    }

    fn settle_buying(
        &mut self,
        chain: usize,
        destination: usize,
        buy: bool,
    ) -> Result<bool, SimError> {
        let _ = destination;
        if self.chains[chain].pending_chargeable == 0 {
            return Ok(true);
        }
        let due = self.settlement_due(chain);
        let c = &mut self.chains[chain];
        if buy && due > c.operator_zk && due - c.operator_zk <= self.users_zk {
            let lack = due - c.operator_zk;
            self.users_zk -= lack;
            c.operator_zk += lack;
        }
        Ok(self.pay_settlement(chain, due))
    }

    fn settle(&mut self, chain: usize, _destination: usize) -> Result<bool, SimError> {
        if self.chains[chain].pending_chargeable == 0 {
            return Ok(true);
        }
        let due = self.settlement_due(chain);
        Ok(self.pay_settlement(chain, due))
    }

    fn claim_operator_fees(&mut self, chain: usize) -> Result<(), SimError> {
        let c = &mut self.chains[chain];
        if c.base == BaseToken::Eth {
            self.inflow.eth += revenue_share(c.accrued_base, self.revenue_share_bps);
        }
        c.accrued_base = U256::ZERO;
        c.operator_zk += c.accrued_zk;
        c.accrued_zk = U256::ZERO;
        Ok(())
    }

    fn advance_day(&mut self) -> Result<(), SimError> {
        Ok(())
    }

    fn mint_staking_rewards(&mut self, _season: usize, amount: U256) -> Result<(), SimError> {
        self.totals.supply += amount;
        self.totals.minted += amount;
        self.totals.staking_rewards += amount;
        Ok(())
    }

    fn sweep(&mut self) -> Result<(), SimError> {
        if self.vault.is_zero() {
            return Ok(());
        }
        self.splitter_balance += self.vault;
        self.vault = U256::ZERO;
        self.split()
    }

    fn pool(&self) -> Pool {
        self.pool
    }

    fn inflow_pending(&self) -> Pool {
        self.inflow
    }

    fn deliver_inflow(&mut self, amount: Pool) -> Result<(), SimError> {
        if amount.eth > self.inflow.eth {
            return Err(SimError::Protocol {
                what: "deliver Fee Flow inflow".into(),
                reason: "more than is pending".into(),
            });
        }
        self.inflow = self.inflow.minus(&amount);
        self.pool = self.pool.plus(&amount);
        Ok(())
    }

    fn claimer_zk(&self) -> U256 {
        self.claimer_zk
    }

    fn claimer_buy_zk(&mut self, amount: U256) -> Result<(), SimError> {
        if amount > self.users_zk {
            return Err(SimError::Protocol {
                what: "claimer buys ZK".into(),
                reason: "the market holds too little ZK".into(),
            });
        }
        self.users_zk -= amount;
        self.claimer_zk += amount;
        Ok(())
    }

    fn users_zk(&self) -> U256 {
        self.users_zk
    }

    fn claim_pool(&mut self) -> Result<(), SimError> {
        self.claimer_zk -= self.threshold;
        self.pool = Pool::default();
        self.totals.auction_paid += self.threshold;
        self.totals.auction_claims += 1;
        self.splitter_balance += self.threshold;
        self.split()
    }

    fn apply_change(&mut self, ch: &ValidatedChange) -> Result<(), SimError> {
        if let Some(v) = ch.gateway_settlement_fee {
            self.settlement_fee = v;
        }
        if let Some(v) = ch.fee_flow_revenue_share_bps {
            self.revenue_share_bps = v;
        }
        if let Some(v) = ch.burn_bps {
            self.shares = shares_for(v);
        }
        if let Some(v) = ch.fee_flow_threshold {
            self.threshold = v;
        }
        Ok(())
    }

    fn params(&self) -> (U256, U256, U256) {
        (self.fixed_fee, self.settlement_fee, self.threshold)
    }

    fn totals(&self) -> Totals {
        self.totals
    }

    fn burned_distributed(&self) -> (U256, U256) {
        (self.totals.burned, self.totals.distributed)
    }

    fn supply(&self) -> U256 {
        self.totals.supply
    }

    fn priority_day(&mut self, day: u32) -> Result<(), SimError> {
        match &mut self.priority {
            Some((agent, backend)) => agent.day(day, backend),
            None => Ok(()),
        }
    }

    fn priority_report(&self) -> Option<crate::priority_mode::PriorityReport> {
        self.priority.as_ref().map(|(agent, b)| agent.report(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_revenue_share_is_floored_and_bounded() {
        assert_eq!(revenue_share(U256::from(101u8), 2_500), U256::from(25u8));
        assert_eq!(revenue_share(U256::from(101u8), 0), U256::ZERO);
        assert_eq!(revenue_share(U256::from(101u8), 10_000), U256::from(101u8));
        assert_eq!(revenue_share(U256::MAX, 10_000), U256::MAX);
    }

    proptest::proptest! {
        /// The 128-bit fast path gives exactly ⌊claimed × bps / 10⁴⌋, at and past its edge.
        #[test]
        fn the_fast_revenue_share_is_exact(
            c in proptest::prelude::any::<u128>(),
            hi in 0u64..4,
            bps in 0u16..=10_000,
        ) {
            let claimed = U256::from(c) + (U256::from(hi) << 128);
            let exact = claimed * U256::from(bps) / U256::from(10_000u16);
            proptest::prop_assert_eq!(revenue_share(claimed, bps), exact);
        }
    }

    #[test]
    fn the_simulated_splitter_is_what_set_distributors_then_set_burn_percentage_leave() {
        assert_eq!(shares_for(10_000), Shares::default());
        let half = shares_for(5_000);
        assert_eq!(half.burn_bps, 5_000);
        assert_eq!(half.distributors.len(), 1);
        let (checked, _) = Shares::default()
            .with_distributors(&half.distributors)
            .unwrap();
        assert_eq!(checked.total_weight, half.total_weight);
        assert_eq!(
            checked.check_burn_percentage(U256::from(5_000u16)),
            Ok(5_000)
        );
    }
}
