//! Where interop fees go after collection, and the contracts that turn protocol revenue into
//! ZK demand and burn:
//!
//! - fee routes ([`routes`]): operators claim their whole base-token and ZK accruals
//!   (InteropCenter `claimProtocolFees` / `claimZKFees`; there is no on-chain fee switch); the
//!   Gateway settlement fee is charged per chargeable call when a batch settles on Gateway and
//!   sits in GWAssetTracker until its owner withdraws it (`withdrawGatewayFees`);
//! - Fee Flow v1.0 ([`auction`]): a fixed-price auction — anyone takes the whole balance of
//!   whitelisted non-ZK tokens by paying `bidThreshold` ZK to the Splitter, which splits at once;
//! - the Splitter ([`splitter`]): burns its burn share of its ZK, pays the rest to distributors
//!   by relative weight, burns the rounding dust.
//!
//! Fee Flow and the Splitter are zk-token-fee-flow@69e8d9a:src/FeeFlow.sol and src/Splitter.sol;
//! their Era configuration is script/EraFeeFlowDeploy.sol. Revenue reaches Fee Flow only because
//! someone sends it there; that choice is the simulator's lever, not a protocol rule.

pub mod auction;
pub mod routes;
pub mod splitter;

use crate::genesis::account;
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

pub use auction::{ClaimRequest, FeeFlow, FeeFlowError};
pub use splitter::{Distributor, Shares, Splitter, SplitterError};

/// Basis points in a whole (100%): the `10_000` divisor and ceiling of `burnBps`
/// (zk-token-fee-flow@69e8d9a:src/Splitter.sol).
pub const BPS: u16 = 10_000;

/// The GWAssetTracker's ZK vault on Gateway, where settlement fees collect. A model address:
/// the real contract's deployment address is not part of the model.
pub fn settlement_fee_vault() -> Address {
    named("gw-asset-tracker", &VAULT)
}

static VAULT: OnceLock<Address> = OnceLock::new();
static FEE_FLOW: OnceLock<Address> = OnceLock::new();
static SPLITTER: OnceLock<Address> = OnceLock::new();

/// A model address, hashed once: these are read on every simulated day (flow mode's split
/// once spent a third of its time hashing the Splitter's name).
fn named(name: &str, cell: &'static OnceLock<Address>) -> Address {
    *cell.get_or_init(|| account(name))
}

/// The Fee Flow contract (model address).
pub fn fee_flow_address() -> Address {
    named("fee-flow", &FEE_FLOW)
}

/// The Splitter (model address); Fee Flow's destination at initialisation, as deployed.
pub fn splitter_address() -> Address {
    named("splitter", &SPLITTER)
}

/// Running totals of every ZK fee route, kept so the accounting identities can be checked
/// at any moment (see ARCHITECTURE.md, "Fees are accounted for").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeTotals {
    /// Fixed ZK interop fees paid by users.
    pub fixed_fees_paid: U256,
    /// Fixed ZK fees claimed by operators.
    pub fixed_fees_claimed: U256,
    /// Gateway settlement fees paid.
    pub settlement_fees_paid: U256,
    /// Settlement fees GWAssetTracker's owner withdrew, to any recipient.
    pub settlement_fees_withdrawn: U256,
    /// Of those, withdrawn to the Splitter.
    pub settlement_fees_to_splitter: U256,
    /// ZK paid as Fee Flow bids.
    pub auction_paid: U256,
    /// Fee Flow claims made.
    pub auction_claims: u64,
    /// ZK the fee routes put into the Splitter: bids plus settlement-fee withdrawals to it.
    pub splitter_inflow: U256,
    /// ZK the Splitter burned (burn shares and dust).
    pub burned: U256,
    /// ZK the Splitter paid to distributors (as its `Split` events report, self-payments
    /// included).
    pub distributed: U256,
    /// Of `distributed`, paid to the Splitter's own address (so still in its balance).
    pub splitter_paid_to_self: U256,
    /// ZK the Splitter's admin recovered out of it.
    pub splitter_recovered: U256,
    /// Base-token fees operators claimed (whole accruals), summed in wei over chains.
    pub base_fees_claimed: U256,
}

/// Fee parameters and contracts, with the roles that administer them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Economy {
    /// GWAssetTracker's owner: sets `gatewaySettlementFee`, withdraws the settlement fees
    /// (protocol governance: the model routes its changes through ZIPs).
    pub governance: Address,
    /// The Token Governor's timelock: the address a passed TPP acts as, and the admin of Fee
    /// Flow and the Splitter on Era (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol).
    pub token_governor_timelock: Address,
    /// `GWAssetTracker.gatewaySettlementFee`: ZK per chargeable call at Gateway settlement.
    pub gateway_settlement_fee: U256,
    /// (chain, payer) pairs whose payer agreed to pay that chain's settlement fees
    /// (`setSettlementFeePayerAgreement(chainId, true)`,
    /// `era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol`).
    pub settlement_payers: imbl::OrdSet<(crate::ChainId, Address)>,
    /// Fee Flow.
    pub fee_flow: FeeFlow,
    /// The Splitter.
    pub splitter: Splitter,
    /// Route totals.
    pub totals: FeeTotals,
}
