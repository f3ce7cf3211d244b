//! The Prividium's door from L1: `PrividiumTransactionFilterer`
//! (era-contracts@4859b6f:l1-contracts/contracts/transactionFilterer/PrividiumTransactionFilterer.sol).
//! An L1 → L2 request reaches a chain through its Mailbox, which asks the chain's transaction
//! filterer first and reverts `TransactionNotAllowed` on `false`
//! (`Mailbox._requestL2TransactionSender`,
//! era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/Mailbox.sol).
//! L1 requests bypass the Prividium's RPC proxy, so this filter is what keeps arbitrary calls
//! out: whitelisted senders may send anything; everyone else only deposits.

use alloy_primitives::{address, Address, Bytes, FixedBytes, B256, U256};
use alloy_sol_types::{SolCall, SolValue};
use imbl::OrdSet;
use serde::{Deserialize, Serialize};

/// `L2_ASSET_ROUTER_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x03`
/// (era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol): the
/// only L2 target of an asset-router deposit the filter lets through.
pub const L2_ASSET_ROUTER: Address = address!("0000000000000000000000000000000000010003");

/// `AssetRouterBase.finalizeDeposit(uint256,bytes32,bytes)`, selector `0x9c884fd1`
/// (era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-router/AssetRouterBase.sol;
/// era-contracts@4859b6f:l1-contracts/selectors).
pub mod asset_router {
    alloy_sol_types::sol! {
        /// The new-format deposit finalisation on L2.
        function finalizeDeposit(uint256 chainId, bytes32 assetId, bytes transferData);
    }
}

/// `IL2SharedBridgeLegacyFunctions.finalizeDeposit(address,address,address,uint256,bytes)`,
/// selector `0xcfe7af7c`
/// (era-contracts@4859b6f:l1-contracts/contracts/bridge/interfaces/IL2SharedBridgeLegacyFunctions.sol;
/// era-contracts@4859b6f:l1-contracts/selectors).
pub mod legacy_bridge {
    alloy_sol_types::sol! {
        /// The legacy deposit finalisation on L2.
        function finalizeDeposit(address l1Sender, address l2Receiver, address l1Token, uint256 amount, bytes data);
    }
}

/// An L1 → L2 request as the Mailbox hands it to the filter (`BridgehubL2TransactionRequest`,
/// the fields `isTransactionAllowed` receives; gas fields are not modelled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct L1Request {
    /// `msg.sender` on L1 (the L1 asset router for token deposits), before aliasing.
    pub sender: Address,
    /// The L2 target.
    pub contract_l2: Address,
    /// Base token minted on L2 for this request.
    pub mint_value: U256,
    /// `msg.value` of the L2 transaction.
    pub l2_value: U256,
    /// L2 calldata.
    pub calldata: Bytes,
    /// Who gets what is left of `mint_value` (the zero address: the sender).
    pub refund_recipient: Address,
}

/// A deposit the filter decoded from asset-router calldata
/// (`DataEncoding.decodeBridgeMintData`,
/// era-contracts@4859b6f:l1-contracts/contracts/common/libraries/DataEncoding.sol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgedDeposit {
    /// `finalizeDeposit` in the legacy format (the shared bridge's), not the asset router's.
    pub legacy: bool,
    /// The asset id (new format), or `None` for the legacy format, which names the L1 token.
    pub asset_id: Option<B256>,
    /// The origin token (the legacy format's `l1Token`; the new format's third field).
    pub token: Address,
    /// `originalCaller`: who deposited on L1.
    pub depositor: Address,
    /// `remoteReceiver`: who receives on L2.
    pub receiver: Address,
    /// Amount.
    pub amount: U256,
}

/// Which branch of `isTransactionAllowed` decided, with what it saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FilterRule {
    /// The sender is whitelisted: anything goes.
    WhitelistedSender,
    /// From the L1 asset router, but with L2 value or to another target than the L2 asset
    /// router: refused.
    AssetRouterWrongTarget {
        /// L2 value asked for.
        l2_value: U256,
        /// L2 target asked for.
        contract_l2: Address,
    },
    /// From the L1 asset router with a selector other than either `finalizeDeposit`: refused.
    AssetRouterUnknownSelector {
        /// The selector found.
        selector: FixedBytes<4>,
    },
    /// From the L1 asset router, a `finalizeDeposit`: allowed when the depositor deposits to
    /// itself a positive amount while deposits are allowed, or when the depositor is
    /// whitelisted.
    AssetRouterDeposit(BridgedDeposit),
    /// From anyone else: only a plain base-token deposit to oneself (target = sender, L2 value
    /// > 0, empty calldata) while deposits are allowed.
    BaseTokenDeposit,
}

impl std::fmt::Display for FilterRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::WhitelistedSender => f.write_str("whitelisted sender"),
            Self::AssetRouterWrongTarget {
                l2_value,
                contract_l2,
            } => write!(
                f,
                "asset-router request to {contract_l2} with {l2_value} wei of L2 value"
            ),
            Self::AssetRouterUnknownSelector { selector } => {
                write!(f, "asset-router call of unknown selector {selector}")
            }
            Self::AssetRouterDeposit(d) => write!(
                f,
                "asset-router {}deposit of {} from {} to {}",
                if d.legacy { "legacy " } else { "" },
                d.amount,
                d.depositor,
                d.receiver
            ),
            Self::BaseTokenDeposit => f.write_str(
                "base-token deposit rule: value to oneself, no calldata, deposits allowed",
            ),
        }
    }
}

/// Where `isTransactionAllowed` itself reverts (the Mailbox then reverts with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum FilterRevert {
    /// `bytes4(_l2Calldata[:4])` on calldata shorter than 4 bytes: an out-of-range slice.
    #[error("asset-router calldata of {len} bytes has no selector")]
    CalldataTooShort {
        /// Calldata length.
        len: usize,
    },
    /// `abi.decode` of the deposit arguments failed.
    #[error("asset-router deposit calldata does not ABI-decode")]
    MalformedDeposit,
}

/// The filter's verdict and the branch that gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterVerdict {
    /// `isTransactionAllowed`'s return value.
    pub allowed: bool,
    /// The branch that decided.
    pub rule: FilterRule,
}

/// `PrividiumTransactionFilterer`'s storage (behind its proxy) and its immutable asset router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionFilterer {
    /// `owner()` (`Ownable2StepUpgradeable`).
    pub owner: Address,
    /// `pendingOwner()`: zero when no transfer is under way.
    pub pending_owner: Address,
    /// `L1_ASSET_ROUTER` (immutable).
    pub l1_asset_router: Address,
    /// `whitelistedSenders`.
    pub whitelisted: OrdSet<Address>,
    /// `depositsAllowed`: `false` after `initialize`, as in the contract.
    pub deposits_allowed: bool,
}

impl TransactionFilterer {
    /// `initialize(owner)` on a proxy of an implementation built with `l1_asset_router`.
    pub fn new(owner: Address, l1_asset_router: Address) -> Self {
        Self {
            owner,
            pending_owner: Address::ZERO,
            l1_asset_router,
            whitelisted: OrdSet::new(),
            deposits_allowed: false,
        }
    }

    /// Whether `sender` is whitelisted.
    pub fn is_whitelisted(&self, sender: Address) -> bool {
        self.whitelisted.contains(&sender)
    }

    /// `isTransactionAllowed(sender, contractL2, mintValue, l2Value, l2Calldata,
    /// refundRecipient)`, branch by branch in the contract's order. `mintValue` and
    /// `refundRecipient` play no part, as in the contract.
    pub fn is_transaction_allowed(&self, r: &L1Request) -> Result<FilterVerdict, FilterRevert> {
        if self.is_whitelisted(r.sender) {
            return Ok(FilterVerdict {
                allowed: true,
                rule: FilterRule::WhitelistedSender,
            });
        }
        if r.sender == self.l1_asset_router {
            if !r.l2_value.is_zero() || r.contract_l2 != L2_ASSET_ROUTER {
                return Ok(FilterVerdict {
                    allowed: false,
                    rule: FilterRule::AssetRouterWrongTarget {
                        l2_value: r.l2_value,
                        contract_l2: r.contract_l2,
                    },
                });
            }
            let d = match decode_deposit(&r.calldata)? {
                Decoded::Deposit(d) => d,
                Decoded::Other(selector) => {
                    return Ok(FilterVerdict {
                        allowed: false,
                        rule: FilterRule::AssetRouterUnknownSelector { selector },
                    })
                }
            };
            let allowed =
                (d.depositor == d.receiver && !d.amount.is_zero() && self.deposits_allowed)
                    || self.is_whitelisted(d.depositor);
            return Ok(FilterVerdict {
                allowed,
                rule: FilterRule::AssetRouterDeposit(d),
            });
        }
        let allowed = r.contract_l2 == r.sender
            && !r.l2_value.is_zero()
            && r.calldata.is_empty()
            && self.deposits_allowed;
        Ok(FilterVerdict {
            allowed,
            rule: FilterRule::BaseTokenDeposit,
        })
    }
}

/// What asset-router calldata holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded {
    /// Either `finalizeDeposit`.
    Deposit(BridgedDeposit),
    /// Any other function.
    Other(FixedBytes<4>),
}

/// Decodes asset-router calldata: a deposit for either `finalizeDeposit`, the selector of any
/// other function, a revert for calldata the contract's slicing or `abi.decode` rejects
/// (`abi.decode` checks types, such as clean address words, but not canonical layout: the
/// `validate` decoder does the same).
pub fn decode_deposit(calldata: &[u8]) -> Result<Decoded, FilterRevert> {
    let (Some(selector), Some(args)) = (calldata.get(..4), calldata.get(4..)) else {
        return Err(FilterRevert::CalldataTooShort {
            len: calldata.len(),
        });
    };
    let mint = |data: &[u8]| {
        <(Address, Address, Address, U256, Bytes)>::abi_decode_params_validate(data)
            .map_err(|_| FilterRevert::MalformedDeposit)
    };
    if selector == asset_router::finalizeDepositCall::SELECTOR {
        let call = asset_router::finalizeDepositCall::abi_decode_raw_validate(args)
            .map_err(|_| FilterRevert::MalformedDeposit)?;
        let (depositor, receiver, token, amount, _) = mint(&call.transferData)?;
        return Ok(Decoded::Deposit(BridgedDeposit {
            legacy: false,
            asset_id: Some(call.assetId),
            token,
            depositor,
            receiver,
            amount,
        }));
    }
    if selector == legacy_bridge::finalizeDepositCall::SELECTOR {
        let (depositor, receiver, token, amount, _) = mint(args)?;
        return Ok(Decoded::Deposit(BridgedDeposit {
            legacy: true,
            asset_id: None,
            token,
            depositor,
            receiver,
            amount,
        }));
    }
    Ok(Decoded::Other(FixedBytes::from_slice(selector)))
}

/// New-format `finalizeDeposit` calldata for a deposit (what the L1 asset router sends).
pub fn finalize_deposit_calldata(
    origin_chain: U256,
    asset_id: B256,
    depositor: Address,
    receiver: Address,
    token: Address,
    amount: U256,
) -> Bytes {
    let transfer = (depositor, receiver, token, amount, Bytes::new()).abi_encode_params();
    asset_router::finalizeDepositCall {
        chainId: origin_chain,
        assetId: asset_id,
        transferData: transfer.into(),
    }
    .abi_encode()
    .into()
}

/// Legacy-format `finalizeDeposit` calldata.
pub fn legacy_finalize_deposit_calldata(
    depositor: Address,
    receiver: Address,
    l1_token: Address,
    amount: U256,
) -> Bytes {
    legacy_bridge::finalizeDepositCall {
        l1Sender: depositor,
        l2Receiver: receiver,
        l1Token: l1_token,
        amount,
        data: Bytes::new(),
    }
    .abi_encode()
    .into()
}
