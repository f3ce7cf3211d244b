//! Where interop fees go after collection, and the governance-administered contracts that
//! turn protocol revenue into ZK demand and burn:
//!
//! - fee routes ([`routes`]): operators claim their accrued base-token and ZK fees; the
//!   protocol fee switch diverts a share of base-token claims to the Fee Flow pool; the Gateway
//!   settlement fee is charged per chargeable call when a batch settles on Gateway and sits in
//!   a vault only governance can sweep (to the splitter);
//! - the Fee Flow contract ([`auction`]): a fixed-price auction — anyone takes the whole pool
//!   of non-ZK assets by paying the ZK threshold, which goes to the splitter;
//! - the splitter ([`splitter`]): burns its burn share of incoming ZK and pays the rest to
//!   recipients by basis points.

pub mod auction;
pub mod routes;
pub mod splitter;

use crate::genesis::account;
use crate::ChainId;
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

pub use splitter::Splitter;

/// Basis points in a whole (100%).
pub const BPS: u16 = 10_000;

/// The GWAssetTracker's ZK vault on Gateway, where settlement fees collect. A model address:
/// the real contract's deployment address is not part of the model.
pub fn settlement_fee_vault() -> Address {
    account("gw-asset-tracker")
}

/// The Fee Flow contract (model address).
pub fn fee_flow_address() -> Address {
    account("fee-flow")
}

/// The splitter (model address).
pub fn splitter_address() -> Address {
    account("splitter")
}

/// Fee Flow's auction parameters and replay guard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeFlow {
    /// Chain the contract (and so its pool) lives on.
    pub chain: ChainId,
    /// ZK a claimer pays for the whole pool.
    pub threshold: U256,
    /// Must match in `claim`, then increments: a stale or front-run claim fails.
    pub nonce: u64,
    /// Set by the emergency admin.
    pub paused: bool,
}

/// Running totals of every ZK fee route, kept so the accounting identities can be checked
/// at any moment (see ARCHITECTURE.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeTotals {
    /// Fixed ZK interop fees paid by users.
    pub fixed_fees_paid: U256,
    /// Fixed ZK fees claimed by operators.
    pub fixed_fees_claimed: U256,
    /// Gateway settlement fees paid.
    pub settlement_fees_paid: U256,
    /// Settlement fees governance swept from the vault to the splitter.
    pub settlement_fees_swept: U256,
    /// ZK paid to Fee Flow claims.
    pub auction_paid: U256,
    /// Fee Flow claims made.
    pub auction_claims: u64,
    /// ZK that entered the splitter.
    pub splitter_inflow: U256,
    /// ZK the splitter burned.
    pub burned: U256,
    /// ZK the splitter paid to recipients.
    pub distributed: U256,
    /// Base-token fees operators claimed for themselves, by chain, summed in wei.
    pub base_fees_to_operators: U256,
    /// Base-token fees the fee switch sent to Fee Flow, summed in wei.
    pub base_fees_to_fee_flow: U256,
}

/// Governance-controlled fee parameters and contracts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Economy {
    /// Admin role of every contract here (the governance timelock).
    pub governance: Address,
    /// May pause Fee Flow (the Security Council in the forum's proposal).
    pub emergency_admin: Address,
    /// `GWAssetTracker.gatewaySettlementFee`: ZK per chargeable call at Gateway settlement.
    pub gateway_settlement_fee: U256,
    /// (chain, payer) pairs whose payer agreed to pay that chain's settlement fees
    /// (`setSettlementFeePayerAgreement(chainId, true)`,
    /// `era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol`).
    pub settlement_payers: imbl::OrdSet<(ChainId, Address)>,
    /// Protocol fee switch: share of operators' base-token fee claims sent to Fee Flow.
    pub fee_switch_bps: u16,
    /// The Fee Flow auction.
    pub fee_flow: FeeFlow,
    /// The splitter.
    pub splitter: Splitter,
    /// Route totals.
    pub totals: FeeTotals,
}
