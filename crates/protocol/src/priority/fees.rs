//! The L1→L2 fee parameters of a chain and the arithmetic the Admin facet bounds them with: the
//! derived L2 gas price (what a priority transaction pays per unit of gas) and the
//! ×13/10 up / ×10/13 down bound an armed chain's updates must stay within. Pure functions, so
//! the contract model and the simulator's flow fidelity share one rule.

use super::PriorityError;
use alloy_primitives::U256;
use serde::{Deserialize, Serialize};

/// `MAX_PRICE_CHANGE_NUMERATOR` = 13: a price may grow to at most 13/10 of itself per update
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const MAX_PRICE_CHANGE_NUMERATOR: u64 = 13;
/// `MAX_PRICE_CHANGE_DENOMINATOR` = 10: and shrink to at least 10/13 of itself
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const MAX_PRICE_CHANGE_DENOMINATOR: u64 = 10;
/// `PRICE_UPDATE_INTERVAL` = 1 day between fee-parameter or token-multiplier updates
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const PRICE_UPDATE_INTERVAL: u64 = 86_400;
/// `PRICE_REFERENCE_L1_GAS` = 1 gwei: the L1 gas price the bound compares prices at
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const PRICE_REFERENCE_L1_GAS: u64 = 1_000_000_000;
/// `REQUIRED_L2_GAS_PRICE_PER_PUBDATA` = 800: the gas-per-pubdata every L1→L2 request must use
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const REQUIRED_L2_GAS_PRICE_PER_PUBDATA: u64 = 800;
/// `L1_GAS_PER_PUBDATA_BYTE` = 17 (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const L1_GAS_PER_PUBDATA_BYTE: u64 = 17;

/// `PubdataPricingMode`: whether L1→L2 requests pay for pubdata posted to L1
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PubdataPricingMode {
    /// Pubdata goes to L1 and is priced at 17 L1 gas per byte.
    Rollup,
    /// Pubdata stays off L1 and costs nothing on it.
    Validium,
}

/// `FeeParams` of a chain's diamond: how its L1→L2 requests are priced, and its batch capacity
/// (`era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/ZKChainStorage.sol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainFeeParams {
    /// `pubdataPricingMode`.
    pub pubdata_pricing_mode: PubdataPricingMode,
    /// `batchOverheadL1Gas`: L1 gas to process one batch, besides its pubdata.
    pub batch_overhead_l1_gas: u32,
    /// `maxPubdataPerBatch` (a capacity field, frozen while armed).
    pub max_pubdata_per_batch: u32,
    /// `maxL2GasPerBatch` (a capacity field, frozen while armed).
    pub max_l2_gas_per_batch: u32,
    /// `priorityTxMaxPubdata` (a capacity field, frozen while armed).
    pub priority_tx_max_pubdata: u32,
    /// `minimalL2GasPrice`, base-token wei per gas.
    pub minimal_l2_gas_price: u64,
}

impl ChainFeeParams {
    /// The values a new chain starts with (`DiamondInit` sets `DEFAULT_BATCH_OVERHEAD_L1_GAS`
    /// 1,000,000, `DEFAULT_MAX_PUBDATA_PER_BATCH` 120,000, `DEFAULT_MAX_L2_GAS_PER_BATCH`
    /// 80,000,000, `DEFAULT_PRIORITY_TX_MAX_PUBDATA` 99,000 and `DEFAULT_MINIMAL_L2_GAS_PRICE`
    /// 0.25 gwei, `era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`,
    /// `state-transition/chain-deps/DiamondInit.sol`). The pricing mode is Rollup there
    /// (`DEFAULT_PUBDATA_PRICING_MODE`); a validium passes `Validium` (model choice: the one
    /// setting its admin would make at once with `setPubdataPricingMode`).
    pub fn defaults(pubdata_pricing_mode: PubdataPricingMode) -> Self {
        Self {
            pubdata_pricing_mode,
            batch_overhead_l1_gas: 1_000_000,
            max_pubdata_per_batch: 120_000,
            max_l2_gas_per_batch: 80_000_000,
            priority_tx_max_pubdata: 99_000,
            minimal_l2_gas_price: 250_000_000,
        }
    }

    /// Whether the three capacity fields (`priorityTxMaxPubdata`, `maxPubdataPerBatch`,
    /// `maxL2GasPerBatch`) equal `other`'s: an armed chain may not change them.
    pub fn same_capacity(&self, other: &Self) -> bool {
        self.priority_tx_max_pubdata == other.priority_tx_max_pubdata
            && self.max_pubdata_per_batch == other.max_pubdata_per_batch
            && self.max_l2_gas_per_batch == other.max_l2_gas_per_batch
    }
}

/// The base token's price relative to ETH as the diamond stores it
/// (`baseTokenGasPriceMultiplierNominator` / `Denominator`); 1/1 for an ETH-based chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenMultiplier {
    /// Nominator.
    pub nominator: u128,
    /// Denominator (never 0 once set: `DenominatorIsZero`).
    pub denominator: u128,
}

impl TokenMultiplier {
    /// ETH priced in ETH.
    pub const ONE: Self = Self {
        nominator: 1,
        denominator: 1,
    };
}

fn overflow() -> PriorityError {
    PriorityError::ArithmeticOverflow
}

/// `_deriveL2GasPriceFromParams`: the L2 gas price in base-token wei for an L1 gas price and a
/// gas-per-pubdata, the larger of the compute price (minimal price plus the batch overhead per
/// gas) and the pubdata price per gas, rounded up
/// (`era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/ZKChainBase.sol`).
/// Solidity reverts on division by zero and on overflow; both are errors here.
pub fn derive_l2_gas_price(
    params: &ChainFeeParams,
    multiplier: TokenMultiplier,
    l1_gas_price: U256,
    gas_per_pubdata: U256,
) -> Result<U256, PriorityError> {
    if multiplier.denominator == 0
        || params.max_pubdata_per_batch == 0
        || params.max_l2_gas_per_batch == 0
        || gas_per_pubdata.is_zero()
    {
        return Err(PriorityError::DivisionByZero);
    }
    let converted = l1_gas_price
        .checked_mul(U256::from(multiplier.nominator))
        .ok_or_else(overflow)?
        / U256::from(multiplier.denominator);
    let pubdata_price = match params.pubdata_pricing_mode {
        PubdataPricingMode::Rollup => U256::from(L1_GAS_PER_PUBDATA_BYTE)
            .checked_mul(converted)
            .ok_or_else(overflow)?,
        PubdataPricingMode::Validium => U256::ZERO,
    };
    let overhead = U256::from(params.batch_overhead_l1_gas)
        .checked_mul(converted)
        .ok_or_else(overflow)?;
    let full_pubdata_price = pubdata_price
        .checked_add(overhead / U256::from(params.max_pubdata_per_batch))
        .ok_or_else(overflow)?;
    let l2_gas_price = U256::from(params.minimal_l2_gas_price)
        .checked_add(overhead / U256::from(params.max_l2_gas_per_batch))
        .ok_or_else(overflow)?;
    let min_by_pubdata = full_pubdata_price
        .checked_add(gas_per_pubdata - U256::from(1u8))
        .ok_or_else(overflow)?
        / gas_per_pubdata;
    Ok(l2_gas_price.max(min_by_pubdata))
}

/// `_safeDerivedL2GasPrice`: the derived price at the reference L1 gas price (1 gwei) and the
/// required gas-per-pubdata (800), or 0 when the parameters cannot price anything (a zero
/// denominator or capacity) — the price the bound compares
/// (`era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/Admin.sol`).
pub fn reference_l2_gas_price(
    params: &ChainFeeParams,
    multiplier: TokenMultiplier,
) -> Result<U256, PriorityError> {
    if multiplier.denominator == 0
        || params.max_pubdata_per_batch == 0
        || params.max_l2_gas_per_batch == 0
    {
        return Ok(U256::ZERO);
    }
    derive_l2_gas_price(
        params,
        multiplier,
        U256::from(PRICE_REFERENCE_L1_GAS),
        U256::from(REQUIRED_L2_GAS_PRICE_PER_PUBDATA),
    )
}

/// The highest and lowest reference prices one update may move `old_price` to:
/// `old × 13 / 10` and `old × 10 / 13`, floored as Solidity does.
pub fn price_change_window(old_price: U256) -> Result<(U256, U256), PriorityError> {
    let up = old_price
        .checked_mul(U256::from(MAX_PRICE_CHANGE_NUMERATOR))
        .ok_or_else(overflow)?
        / U256::from(MAX_PRICE_CHANGE_DENOMINATOR);
    let down = old_price
        .checked_mul(U256::from(MAX_PRICE_CHANGE_DENOMINATOR))
        .ok_or_else(overflow)?
        / U256::from(MAX_PRICE_CHANGE_NUMERATOR);
    Ok((up, down))
}

/// `_enforcePriceChangeBound`: the reference price after the update may be at most 13/10 and
/// at least 10/13 of the price before (`FeeParamsChangeTooLarge(old, new, bound)`), except that
/// a chain with no price yet and an empty priority queue may set any
/// (`era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/Admin.sol`).
pub fn enforce_price_change_bound(
    old: (&ChainFeeParams, TokenMultiplier),
    new: (&ChainFeeParams, TokenMultiplier),
    queue_size: u64,
) -> Result<(), PriorityError> {
    let old_price = reference_l2_gas_price(old.0, old.1)?;
    let new_price = reference_l2_gas_price(new.0, new.1)?;
    if old_price.is_zero() && queue_size == 0 {
        return Ok(());
    }
    let (max_allowed, min_allowed) = price_change_window(old_price)?;
    if new_price > max_allowed {
        return Err(PriorityError::FeeParamsChangeTooLarge {
            old_price,
            new_price,
            max_allowed_price: max_allowed,
        });
    }
    if new_price < min_allowed {
        return Err(PriorityError::FeeParamsChangeTooLarge {
            old_price,
            new_price,
            max_allowed_price: min_allowed,
        });
    }
    Ok(())
}

/// The base cost of an L1→L2 request, `l2GasPrice × l2GasLimit`, where the gas price is derived
/// at the sender's L1 gas price (`tx.gasprice`) and the required gas-per-pubdata
/// (`Mailbox._requestL2Transaction`,
/// `era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/Mailbox.sol`).
/// Returns (gas price, base cost).
pub fn request_base_cost(
    params: &ChainFeeParams,
    multiplier: TokenMultiplier,
    l1_gas_price: U256,
    l2_gas_limit: u64,
) -> Result<(U256, U256), PriorityError> {
    if multiplier.denominator == 0 {
        return Err(PriorityError::BaseTokenGasPriceDenominatorNotSet);
    }
    let price = derive_l2_gas_price(
        params,
        multiplier,
        l1_gas_price,
        U256::from(REQUIRED_L2_GAS_PRICE_PER_PUBDATA),
    )?;
    let cost = price
        .checked_mul(U256::from(l2_gas_limit))
        .ok_or_else(overflow)?;
    Ok((price, cost))
}

/// The highest `minimalL2GasPrice` an admin can move to in one update within the bound, given
/// the current parameters: the model's censoring operator raises prices this way. `None` when
/// no raise fits (a zero price with a non-empty queue, or a price the pubdata term dominates).
/// A policy helper, not a contract rule: the answer is checked with
/// [`enforce_price_change_bound`] before it is returned.
pub fn max_minimal_gas_price_raise(
    params: &ChainFeeParams,
    multiplier: TokenMultiplier,
    queue_size: u64,
) -> Option<u64> {
    let old_price = reference_l2_gas_price(params, multiplier).ok()?;
    let (max_allowed, _) = price_change_window(old_price).ok()?;
    let converted = U256::from(PRICE_REFERENCE_L1_GAS) * U256::from(multiplier.nominator)
        / U256::from(multiplier.denominator.max(1));
    let overhead_per_gas = U256::from(params.batch_overhead_l1_gas) * converted
        / U256::from(params.max_l2_gas_per_batch.max(1));
    let target = max_allowed.checked_sub(overhead_per_gas)?;
    let minimal = u64::try_from(target).ok()?;
    if minimal <= params.minimal_l2_gas_price {
        return None;
    }
    let new = ChainFeeParams {
        minimal_l2_gas_price: minimal,
        ..*params
    };
    enforce_price_change_bound((params, multiplier), (&new, multiplier), queue_size)
        .ok()
        .map(|()| minimal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defaults at 1 gwei: overhead 1e6 × 1e9 = 1e15 wei; per gas 1e15 / 8e7 = 12,500,000;
    /// compute price 250,000,000 + 12,500,000 = 262,500,000. Pubdata: 17 gwei + 1e15 / 120,000
    /// = 17e9 + 8,333,333,333 = 25,333,333,333, over 800 rounded up = 31,666,667. The larger
    /// is the compute price.
    #[test]
    fn the_default_reference_price_is_computed_as_the_contract_does() {
        let p = ChainFeeParams::defaults(PubdataPricingMode::Rollup);
        let price = reference_l2_gas_price(&p, TokenMultiplier::ONE).unwrap();
        assert_eq!(price, U256::from(262_500_000u64));
        // With a pubdata-heavy setting the pubdata term wins.
        let heavy = ChainFeeParams {
            minimal_l2_gas_price: 0,
            batch_overhead_l1_gas: 0,
            ..p
        };
        // 17 gwei / 800 = 21,250,000 exactly.
        assert_eq!(
            reference_l2_gas_price(&heavy, TokenMultiplier::ONE).unwrap(),
            U256::from(21_250_000u64)
        );
        let validium = ChainFeeParams {
            pubdata_pricing_mode: PubdataPricingMode::Validium,
            ..heavy
        };
        assert_eq!(
            reference_l2_gas_price(&validium, TokenMultiplier::ONE).unwrap(),
            U256::ZERO
        );
    }

    #[test]
    fn the_bound_allows_exactly_thirteen_tenths_up_and_ten_thirteenths_down() {
        let p = ChainFeeParams::defaults(PubdataPricingMode::Rollup);
        let m = TokenMultiplier::ONE;
        // Reference price 262,500,000 = minimal + 12,500,000.
        let with_min = |minimal: u64| ChainFeeParams {
            minimal_l2_gas_price: minimal,
            ..p
        };
        // Up: 262,500,000 × 13 / 10 = 341,250,000 → minimal 328,750,000 is the edge.
        enforce_price_change_bound((&p, m), (&with_min(328_750_000), m), 1).unwrap();
        assert_eq!(
            enforce_price_change_bound((&p, m), (&with_min(328_750_001), m), 1),
            Err(PriorityError::FeeParamsChangeTooLarge {
                old_price: U256::from(262_500_000u64),
                new_price: U256::from(341_250_001u64),
                max_allowed_price: U256::from(341_250_000u64),
            })
        );
        // Down: 262,500,000 × 10 / 13 = 201,923,076 (floored) → minimal 189,423,076.
        enforce_price_change_bound((&p, m), (&with_min(189_423_076), m), 1).unwrap();
        assert_eq!(
            enforce_price_change_bound((&p, m), (&with_min(189_423_075), m), 1),
            Err(PriorityError::FeeParamsChangeTooLarge {
                old_price: U256::from(262_500_000u64),
                new_price: U256::from(201_923_075u64),
                max_allowed_price: U256::from(201_923_076u64),
            })
        );
        // The policy helper finds the upper edge.
        assert_eq!(max_minimal_gas_price_raise(&p, m, 1), Some(328_750_000));
    }

    #[test]
    fn a_chain_without_a_price_and_without_requests_may_set_any_price() {
        let zero = ChainFeeParams {
            max_l2_gas_per_batch: 0,
            ..ChainFeeParams::defaults(PubdataPricingMode::Rollup)
        };
        let any = ChainFeeParams::defaults(PubdataPricingMode::Rollup);
        let m = TokenMultiplier::ONE;
        enforce_price_change_bound((&zero, m), (&any, m), 0).unwrap();
        // With a request waiting, the zero price bounds every new price to zero.
        assert!(matches!(
            enforce_price_change_bound((&zero, m), (&any, m), 1),
            Err(PriorityError::FeeParamsChangeTooLarge { .. })
        ));
    }

    #[test]
    fn the_base_cost_is_the_derived_price_times_the_gas_limit() {
        let p = ChainFeeParams::defaults(PubdataPricingMode::Rollup);
        // At 20 gwei: overhead per gas 1e6 × 2e10 / 8e7 = 250,000,000 → compute 500,000,000;
        // pubdata 17 × 2e10 + 2e16 / 120,000 = 3.4e11 + 166,666,666,666 = 506,666,666,666,
        // / 800 rounded up = 633,333,334. The pubdata term wins.
        let (price, cost) = request_base_cost(
            &p,
            TokenMultiplier::ONE,
            U256::from(20_000_000_000u64),
            300_000,
        )
        .unwrap();
        assert_eq!(price, U256::from(633_333_334u64));
        assert_eq!(cost, U256::from(633_333_334u64 * 300_000));
        let unset = TokenMultiplier {
            nominator: 1,
            denominator: 0,
        };
        assert_eq!(
            request_base_cost(&p, unset, U256::from(1u8), 1),
            Err(PriorityError::BaseTokenGasPriceDenominatorNotSet)
        );
    }
}
