//! The two fidelities behind one interface. The engine decides; a ledger carries decisions
//! out and reports balances. [`FlowLedger`] applies a day's calls as aggregates through the
//! protocol's fee arithmetic; [`crate::event_ledger::EventLedger`] sends, settles, proves and
//! executes every bundle on the protocol's `Network`.

use crate::scenario::{BaseToken, Validated, ValidatedChange};
use alloy_primitives::U256;
use flywheel_protocol::fee_flow::splitter::Splitter;
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
}

/// Cumulative figures of a run (wei), identical in meaning across fidelities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
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

/// Assets pooled in Fee Flow, wei.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pool {
    /// ETH.
    pub eth: U256,
    /// ZK-chain base token (bridged ZK).
    pub zk_asset: U256,
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
    /// The operator claims its base-token fees (fee switch applies) and its ZK fees.
    fn claim_operator_fees(&mut self, chain: usize) -> Result<(), SimError>;
    /// Moves the ledger's clock to the next day.
    fn advance_day(&mut self) -> Result<(), SimError>;
    /// Season `season`'s capped minter mints `amount` ZK of staking rewards.
    fn mint_staking_rewards(&mut self, season: usize, amount: U256) -> Result<(), SimError>;
    /// Governance sweeps the settlement-fee vault into the splitter.
    fn sweep(&mut self) -> Result<(), SimError>;
    /// The Fee Flow pool.
    fn pool(&self) -> Pool;
    /// ZK the claimer holds.
    fn claimer_zk(&self) -> U256;
    /// ZK users hold for fixed fees.
    fn users_zk(&self) -> U256;
    /// Claims the whole pool at the current threshold.
    fn claim_pool(&mut self) -> Result<(), SimError>;
    /// Applies a governance change.
    fn apply_change(&mut self, change: &ValidatedChange) -> Result<(), SimError>;
    /// Current parameters: (fixed fee, settlement fee, threshold).
    fn params(&self) -> (U256, U256, U256);
    /// Cumulative figures.
    fn totals(&self) -> Totals;
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
/// arithmetic the protocol's contracts use (`interop::fees`, `Splitter::divide`).
#[derive(Debug, Clone)]
pub struct FlowLedger {
    chains: Vec<FlowChain>,
    fixed_fee: U256,
    settlement_fee: U256,
    fee_switch_bps: u16,
    threshold: U256,
    splitter: Splitter,
    vault: U256,
    splitter_balance: U256,
    pool: Pool,
    users_zk: U256,
    claimer_zk: U256,
    totals: Totals,
}

/// The splitter for a burn share (the rest to staking rewards).
pub fn splitter_for(burn_bps: u16) -> Splitter {
    if burn_bps >= 10_000 {
        Splitter::default()
    } else {
        Splitter {
            burn_bps,
            recipients: vec![(crate::staking_rewards_address(), 10_000 - burn_bps)],
        }
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
        Self {
            chains,
            fixed_fee: v.fixed_interop_fee,
            settlement_fee: v.gateway_settlement_fee,
            fee_switch_bps: s.protocol.fee_switch_bps,
            threshold: v.fee_flow_threshold,
            splitter: splitter_for(s.protocol.burn_bps),
            vault: U256::ZERO,
            splitter_balance: U256::ZERO,
            pool: Pool::default(),
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

    fn distribute(&mut self) {
        let d = self.splitter.divide(self.splitter_balance);
        let paid: U256 = d.payouts.iter().fold(U256::ZERO, |a, (_, v)| a + *v);
        self.totals.burned += d.burn;
        self.totals.supply -= d.burn;
        self.totals.distributed += paid;
        self.totals.staking_rewards += paid;
        self.splitter_balance = d.retained;
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
        let (_, to_pool) = fees::fee_switch_split(c.accrued_base, self.fee_switch_bps);
        match c.base {
            BaseToken::Eth => self.pool.eth += to_pool,
            BaseToken::Zk => self.pool.zk_asset += to_pool,
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
        self.distribute();
        Ok(())
    }

    fn pool(&self) -> Pool {
        self.pool
    }

    fn claimer_zk(&self) -> U256 {
        self.claimer_zk
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
        self.distribute();
        Ok(())
    }

    fn apply_change(&mut self, ch: &ValidatedChange) -> Result<(), SimError> {
        if let Some(v) = ch.gateway_settlement_fee {
            self.settlement_fee = v;
        }
        if let Some(v) = ch.fee_switch_bps {
            self.fee_switch_bps = v;
        }
        if let Some(v) = ch.burn_bps {
            self.splitter = splitter_for(v);
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
}
