//! The system contracts beyond interop's send and receive paths, served like them: calldata
//! decoded with the contract's ABI, the work done by the protocol's `Network::apply` (or read
//! from its state for views) on the dispatcher's working network, revert-safe through the
//! frame journal. Nothing here re-implements a rule; a refusal is the protocol's error,
//! returned as the contract's custom error or revert string where the model names one.
//!
//! - L2MessageVerification (`proveL2MessageInclusionShared`) on every L2 and Gateway;
//! - the ZK token as an ERC-20 with burn and votes, on every chain where ZK is bridged;
//! - InteropCenter's fee claims (`claimProtocolFees`, `claimZKFees`);
//! - GWAssetTracker's settlement-fee functions, on Gateway;
//! - Fee Flow and the Splitter, on the chain that hosts them.

use crate::dispatch::{revert_data, SystemDispatch, SYSTEM_CALL_GAS, SYSTEM_VIEW_GAS};
use crate::system::abi;
use alloy_primitives::{Address, Bytes, Log, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
use flywheel_protocol::chain::{AssetId, INTEROP_CENTER};
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::event::Event;
use flywheel_protocol::fee_flow::{
    fee_flow_address, splitter_address, ClaimRequest, FeeFlowError, SplitterError, BPS,
};
use flywheel_protocol::genesis::ZK_TOKEN_ADDRESS;
use flywheel_protocol::network::Action;
use flywheel_protocol::settlement::{verify_proof, ProofError};
use flywheel_protocol::token::{TokenError, TokenEvent};
use revm::context_interface::{ContextTr, JournalTr};
use revm::interpreter::CallInputs;

/// The ZK token's ERC-20 and ERC20Votes surface as ZkTokenV3 has it
/// (zk-governance@b501cc8:l2-contracts/src/ZkTokenV3.sol over ZkTokenV1's OpenZeppelin 4.9
/// `ERC20VotesUpgradeable`; name and symbol from `ZkTokenV1.initialize`).
#[allow(missing_docs)]
pub mod zk_abi {
    alloy_sol_types::sol! {
        function name() external view returns (string);
        function symbol() external view returns (string);
        function decimals() external view returns (uint8);
        function totalSupply() external view returns (uint256);
        function balanceOf(address account) external view returns (uint256);
        function allowance(address owner, address spender) external view returns (uint256);
        function transfer(address to, uint256 amount) external returns (bool);
        function approve(address spender, uint256 amount) external returns (bool);
        function transferFrom(address from, address to, uint256 amount) external returns (bool);
        function burn(uint256 _amount) external;
        function delegate(address delegatee) external;
        function delegates(address account) external view returns (address);
        function getVotes(address account) external view returns (uint256);
        function getPastVotes(address account, uint256 timepoint) external view returns (uint256);
        function getPastTotalSupply(uint256 timepoint) external view returns (uint256);
        event Transfer(address indexed from, address indexed to, uint256 value);
        event Approval(address indexed owner, address indexed spender, uint256 value);
        event DelegateChanged(address indexed delegator, address indexed fromDelegate, address indexed toDelegate);
        event DelegateVotesChanged(address indexed delegate, uint256 previousBalance, uint256 newBalance);
    }
}

/// GWAssetTracker's settlement-fee functions and events
/// (era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/IGWAssetTracker.sol).
#[allow(missing_docs)]
pub mod gw_abi {
    alloy_sol_types::sol! {
        function gatewaySettlementFee() external view returns (uint256);
        function wrappedZKToken() external view returns (address);
        function setGatewaySettlementFee(uint256 _fee) external;
        function withdrawGatewayFees(address _recipient) external;
        function settlementFeePayerAgreement(address _payer, uint256 _chainId) external view returns (bool);
        function setSettlementFeePayerAgreement(uint256 _chainId, bool _agreed) external;
        event GatewaySettlementFeeUpdated(uint256 indexed oldFee, uint256 indexed newFee);
        event SettlementFeePayerAgreementUpdated(address indexed payer, uint256 indexed chainId, bool agreed);
    }
}

/// Fee Flow and the Splitter (zk-token-fee-flow@69e8d9a:src/FeeFlow.sol, src/Splitter.sol).
#[allow(missing_docs)]
pub mod fee_flow_abi {
    alloy_sol_types::sol! {
        struct ClaimRequest {
            address token;
            uint256 minAmountRequested;
        }
        struct DistributorConfig {
            address recipient;
            uint96 weight;
        }
        function bidToken() external view returns (address);
        function bidThreshold() external view returns (uint256);
        function minBidThreshold() external view returns (uint256);
        function destination() external view returns (address);
        function claimPaused() external view returns (bool);
        function isClaimableToken(address _token) external view returns (bool);
        function claim(ClaimRequest[] _claimRequests) external;
        function setBidThreshold(uint256 _newThreshold) external;
        function setClaimPaused(bool _paused) external;
        event Claimed(address indexed claimer, ClaimRequest[] claimRequests, uint256 bidAmount);
        event BidThresholdSet(uint256 oldThreshold, uint256 newThreshold);
        event ClaimPausedSet(bool paused);
        error FeeFlow_InvalidAddress();
        error FeeFlow_Unauthorized();
        error FeeFlow_InvalidFeeToken();
        error FeeFlow_InsufficientBalance();
        error FeeFlow_ClaimPaused();
        error FeeFlow_ThresholdBelowMin();
        error FeeFlow_TokenNotClaimable();

        function splitToken() external view returns (address);
        function burnPercentage() external view returns (uint256);
        function distributedPercentage() external view returns (uint256);
        function totalDistributorWeight() external view returns (uint256);
        function distributors() external view returns (DistributorConfig[]);
        function split() external;
        function setBurnPercentage(uint256 _newBurnBps) external;
        event Split(uint256 amount, uint256 burned, uint256 distributed);
        event BurnPercentageSet(uint256 oldBurnBps, uint256 newBurnBps);
        error Splitter_InvalidAddress();
        error Splitter_Unauthorized();
        error Splitter_InvalidWeight();
        error Splitter_InvalidBurnPercentage();
    }
}

type Answer = Result<(Bytes, u64), Bytes>;

fn view(out: impl SolValue) -> Answer {
    Ok((out.abi_encode().into(), SYSTEM_VIEW_GAS))
}

fn done(out: Bytes) -> Answer {
    Ok((out, SYSTEM_CALL_GAS))
}

fn bad() -> Bytes {
    Bytes::new()
}

/// `Error(string)` revert data.
fn revert_string(msg: &str) -> Bytes {
    abi::Error {
        message: msg.into(),
    }
    .abi_encode()
    .into()
}

/// A token refusal as OpenZeppelin 4.9's ERC-20 revert strings (the token's base), else the
/// protocol's message.
pub(crate) fn token_revert(e: &ProtocolError, burning: bool) -> Bytes {
    let ProtocolError::Token(t) = e else {
        return revert_data(e);
    };
    let other = || revert_string(&e.to_string());
    let msg = match t {
        TokenError::InsufficientBalance { .. } if burning => "ERC20: burn amount exceeds balance",
        TokenError::InsufficientBalance { .. } => "ERC20: transfer amount exceeds balance",
        TokenError::InsufficientAllowance { .. } => "ERC20: insufficient allowance",
        TokenError::ZeroAddress { what } => match *what {
            "approver" => "ERC20: approve from the zero address",
            "spender" => "ERC20: approve to the zero address",
            "transfer sender" => "ERC20: transfer from the zero address",
            "transfer recipient" => "ERC20: transfer to the zero address",
            "burn holder" => "ERC20: burn from the zero address",
            _ => return other(),
        },
        TokenError::FutureLookup { .. } => "ERC20Votes: future lookup",
        _ => return other(),
    };
    revert_string(msg)
}

/// Fee Flow's and the Splitter's refusals as their custom errors.
fn fee_revert(e: &ProtocolError) -> Bytes {
    use fee_flow_abi as f;
    let data = match e {
        ProtocolError::FeeFlow(b) => match **b {
            FeeFlowError::InvalidAddress { .. } => f::FeeFlow_InvalidAddress {}.abi_encode(),
            FeeFlowError::Unauthorized { .. } => f::FeeFlow_Unauthorized {}.abi_encode(),
            FeeFlowError::InvalidFeeToken { .. } => f::FeeFlow_InvalidFeeToken {}.abi_encode(),
            FeeFlowError::InsufficientBalance { .. } => {
                f::FeeFlow_InsufficientBalance {}.abi_encode()
            }
            FeeFlowError::ClaimPaused => f::FeeFlow_ClaimPaused {}.abi_encode(),
            FeeFlowError::ThresholdBelowMin { .. } => f::FeeFlow_ThresholdBelowMin {}.abi_encode(),
            FeeFlowError::TokenNotClaimable { .. } => f::FeeFlow_TokenNotClaimable {}.abi_encode(),
            _ => return revert_data(e),
        },
        ProtocolError::Splitter(s) => match s {
            SplitterError::InvalidAddress { .. } => f::Splitter_InvalidAddress {}.abi_encode(),
            SplitterError::Unauthorized { .. } => f::Splitter_Unauthorized {}.abi_encode(),
            SplitterError::InvalidWeight { .. } => f::Splitter_InvalidWeight {}.abi_encode(),
            SplitterError::InvalidBurnPercentage { .. } => {
                f::Splitter_InvalidBurnPercentage {}.abi_encode()
            }
        },
        ProtocolError::Token(_) => return token_revert(e, false),
        _ => return revert_data(e),
    };
    data.into()
}

impl SystemDispatch {
    /// Whether `to` is a contract this dispatcher serves on its chain beyond the interop
    /// trio: L2MessageVerification, the ZK token where ZK is bridged, GWAssetTracker on
    /// Gateway, Fee Flow and the Splitter on their chain.
    pub(crate) fn serves_more(&self, to: Address) -> bool {
        let state = self.net.state();
        let Some(chain) = state.chains.get(&self.chain) else {
            return false;
        };
        (to == crate::system::MESSAGE_VERIFICATION)
            || (to == ZK_TOKEN_ADDRESS && chain.config.zk_token_available)
            || (to == crate::system::GW_ASSET_TRACKER
                && chain.config.kind == flywheel_protocol::chain::ChainKind::Gateway)
            || ((to == fee_flow_address() || to == splitter_address())
                && state.economy.fee_flow.chain == self.chain)
    }

    /// Logs the ZK token's ERC-20 and votes events of `evs` at the token's address, when ZK
    /// is bridged to this chain (one ledger: the log goes to the chain the call ran on).
    pub(crate) fn log_token_events<CTX: ContextTr>(&self, ctx: &mut CTX, evs: &[Event]) {
        let available = self
            .net
            .state()
            .chains
            .get(&self.chain)
            .is_some_and(|c| c.config.zk_token_available);
        if !available {
            return;
        }
        for ev in evs {
            let Event::Token(t) = ev else { continue };
            let data = match t {
                TokenEvent::Transfer {
                    from, to, amount, ..
                } => zk_abi::Transfer {
                    from: *from,
                    to: *to,
                    value: *amount,
                }
                .encode_log_data(),
                TokenEvent::Approval {
                    owner,
                    spender,
                    amount,
                } => zk_abi::Approval {
                    owner: *owner,
                    spender: *spender,
                    value: *amount,
                }
                .encode_log_data(),
                TokenEvent::DelegateChanged {
                    delegator,
                    from_delegate,
                    to_delegate,
                    ..
                } => zk_abi::DelegateChanged {
                    delegator: *delegator,
                    fromDelegate: *from_delegate,
                    toDelegate: *to_delegate,
                }
                .encode_log_data(),
                TokenEvent::DelegateVotesChanged {
                    delegate,
                    previous,
                    new,
                    ..
                } => zk_abi::DelegateVotesChanged {
                    delegate: *delegate,
                    previousBalance: *previous,
                    newBalance: *new,
                }
                .encode_log_data(),
                _ => continue,
            };
            ctx.journal_mut().log(Log {
                address: ZK_TOKEN_ADDRESS,
                data,
            });
        }
    }

    /// A call to one of the contracts [`Self::serves_more`] lists.
    pub(crate) fn more_call<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        sel: [u8; 4],
        data: &[u8],
    ) -> Answer {
        let to = inputs.bytecode_address;
        // None of these functions is payable.
        if !inputs.value.get().is_zero() {
            return Err(revert_string("non-payable function called with value"));
        }
        if to == crate::system::MESSAGE_VERIFICATION {
            return self.message_verification(sel, data);
        }
        if to == ZK_TOKEN_ADDRESS {
            return self.zk_token(ctx, inputs, sel, data);
        }
        if to == crate::system::GW_ASSET_TRACKER {
            return self.gw_asset_tracker(ctx, inputs, sel, data);
        }
        if to == fee_flow_address() {
            return self.fee_flow(ctx, inputs, sel, data);
        }
        if to == splitter_address() {
            return self.splitter(ctx, inputs, sel, data);
        }
        Err(bad())
    }

    /// Applies a state-changing call (refused in a static context).
    fn change<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        action: Action,
    ) -> Result<Vec<Event>, ProtocolError> {
        if inputs.is_static {
            return Err(ProtocolError::Genesis(
                "state change in a static call".into(),
            ));
        }
        self.apply_action(ctx, action)
    }

    /// L2MessageVerification `proveL2MessageInclusionShared`: the protocol's proof check
    /// against this chain's imported roots. A root that is missing or differs is `false`, as
    /// the contract's comparison with `interopRoots` gives; a malformed proof reverts
    /// (era-contracts@4859b6f:l1-contracts/contracts/common/MessageVerification.sol,
    /// `interop/L2MessageVerification.sol`).
    fn message_verification(&self, sel: [u8; 4], data: &[u8]) -> Answer {
        if sel != abi::proveL2MessageInclusionSharedCall::SELECTOR {
            return Err(bad());
        }
        let c = abi::proveL2MessageInclusionSharedCall::abi_decode(data).map_err(|_| bad())?;
        let small = |v: U256| u64::try_from(v).ok();
        let (Some(chain_id), Some(batch), Some(index)) = (
            small(c._chainId),
            small(c._blockOrBatchNumber),
            small(c._index),
        ) else {
            // No chain, batch or leaf of that number exists: nothing is proven.
            return view(false);
        };
        let proof = flywheel_protocol::settlement::MessageInclusionProof {
            chain_id,
            l1_batch_number: batch,
            l2_message_index: index,
            message: flywheel_protocol::settlement::L2Message {
                tx_number_in_batch: c._message.txNumberInBatch,
                sender: c._message.sender,
                data: c._message.data,
            },
            proof: c._proof,
        };
        let here = self
            .net
            .state()
            .chain(self.chain)
            .map_err(|e| revert_data(&e))?;
        match verify_proof(here, &proof) {
            Ok(()) => view(true),
            Err(ProofError::RootNotImported { .. } | ProofError::RootMismatch { .. }) => {
                view(false)
            }
            Err(ProofError::HashedLogIsDefault) => {
                Err(abi::HashedLogIsDefault {}.abi_encode().into())
            }
            Err(ProofError::DepthMoreThanOneForRecursiveMerkleProof) => {
                Err(abi::DepthMoreThanOneForRecursiveMerkleProof {}
                    .abi_encode()
                    .into())
            }
            Err(e) => Err(revert_string(&e.to_string())),
        }
    }

    /// The ZK token: ERC-20, `burn`, and ERC20Votes' delegation and reads.
    fn zk_token<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        sel: [u8; 4],
        data: &[u8],
    ) -> Answer {
        use zk_abi as z;
        let caller = inputs.caller;
        let token = &self.net.state().token;
        let now = self.net.state().time;
        match sel {
            z::nameCall::SELECTOR => return view("ZKsync".to_string()),
            z::symbolCall::SELECTOR => return view("ZK".to_string()),
            z::decimalsCall::SELECTOR => return view(U256::from(18u8)),
            z::totalSupplyCall::SELECTOR => return view(token.total_supply()),
            z::balanceOfCall::SELECTOR => {
                let c = z::balanceOfCall::abi_decode(data).map_err(|_| bad())?;
                return view(token.balance_of(c.account));
            }
            z::allowanceCall::SELECTOR => {
                let c = z::allowanceCall::abi_decode(data).map_err(|_| bad())?;
                return view(token.allowance(c.owner, c.spender));
            }
            z::delegatesCall::SELECTOR => {
                let c = z::delegatesCall::abi_decode(data).map_err(|_| bad())?;
                return view(token.delegates(c.account).unwrap_or(Address::ZERO));
            }
            z::getVotesCall::SELECTOR => {
                let c = z::getVotesCall::abi_decode(data).map_err(|_| bad())?;
                return view(token.get_votes(c.account));
            }
            z::getPastVotesCall::SELECTOR => {
                let c = z::getPastVotesCall::abi_decode(data).map_err(|_| bad())?;
                let t = u64::try_from(c.timepoint).unwrap_or(u64::MAX);
                let v = token
                    .get_past_votes(c.account, t, now)
                    .map_err(|e| token_revert(&e.into(), false))?;
                return view(v);
            }
            z::getPastTotalSupplyCall::SELECTOR => {
                let c = z::getPastTotalSupplyCall::abi_decode(data).map_err(|_| bad())?;
                let t = u64::try_from(c.timepoint).unwrap_or(u64::MAX);
                let v = token
                    .get_past_total_supply(t, now)
                    .map_err(|e| token_revert(&e.into(), false))?;
                return view(v);
            }
            _ => {}
        }
        let (action, returns_true, burning) = match sel {
            z::transferCall::SELECTOR => {
                let c = z::transferCall::abi_decode(data).map_err(|_| bad())?;
                let a = Action::ZkTransfer {
                    from: caller,
                    to: c.to,
                    amount: c.amount,
                };
                (a, true, false)
            }
            z::approveCall::SELECTOR => {
                let c = z::approveCall::abi_decode(data).map_err(|_| bad())?;
                let a = Action::ZkApprove {
                    owner: caller,
                    spender: c.spender,
                    amount: c.amount,
                };
                (a, true, false)
            }
            z::transferFromCall::SELECTOR => {
                let c = z::transferFromCall::abi_decode(data).map_err(|_| bad())?;
                let a = Action::ZkTransferFrom {
                    spender: caller,
                    from: c.from,
                    to: c.to,
                    amount: c.amount,
                };
                (a, true, false)
            }
            z::burnCall::SELECTOR => {
                let c = z::burnCall::abi_decode(data).map_err(|_| bad())?;
                let a = Action::ZkBurn {
                    holder: caller,
                    amount: c._amount,
                };
                (a, false, true)
            }
            z::delegateCall::SELECTOR => {
                let c = z::delegateCall::abi_decode(data).map_err(|_| bad())?;
                let a = Action::ZkDelegate {
                    delegator: caller,
                    delegatee: c.delegatee,
                };
                (a, false, false)
            }
            _ => return Err(bad()),
        };
        self.change(ctx, inputs, action)
            .map_err(|e| token_revert(&e, burning))?;
        done(if returns_true {
            true.abi_encode().into()
        } else {
            Bytes::new()
        })
    }

    /// InteropCenter's `setInteropFee`: the contract takes it from the bootloader only, i.e.
    /// from the operator through its sequencer; the devnet has no bootloader, so it takes it
    /// from the chain's operator (the devnet admin) and refuses anyone else with the contract's
    /// `Unauthorized(caller)` (MODEL.md). Logs `InteropFeeUpdated(old, new)`.
    pub(crate) fn set_interop_fee<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        data: &[u8],
    ) -> Answer {
        if !inputs.value.get().is_zero() {
            return Err(revert_string("non-payable function called with value"));
        }
        let c = abi::setInteropFeeCall::abi_decode(data).map_err(|_| bad())?;
        let old = self
            .net
            .state()
            .chain(self.chain)
            .map(|c| c.interop_protocol_fee)
            .map_err(|e| revert_data(&e))?;
        let action = Action::SetInteropProtocolFee {
            chain: self.chain,
            caller: inputs.caller,
            fee: c._fee,
        };
        self.change(ctx, inputs, action).map_err(|e| match e {
            ProtocolError::NotOperator { caller, .. } => {
                abi::Unauthorized { caller }.abi_encode().into()
            }
            other => revert_data(&other),
        })?;
        ctx.journal_mut().log(Log {
            address: INTEROP_CENTER,
            data: abi::InteropFeeUpdated {
                oldFee: old,
                newFee: c._fee,
            }
            .encode_log_data(),
        });
        done(Bytes::new())
    }

    /// InteropCenter's fee claims: the caller (a coinbase) takes its whole accrual; nothing
    /// accrued is a no-op without a log, as in the contract.
    pub(crate) fn claim_fees<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        sel: [u8; 4],
        data: &[u8],
    ) -> Answer {
        if !inputs.value.get().is_zero() {
            return Err(revert_string("non-payable function called with value"));
        }
        let (action, zk) = match sel {
            abi::claimProtocolFeesCall::SELECTOR => {
                let c = abi::claimProtocolFeesCall::abi_decode(data).map_err(|_| bad())?;
                let a = Action::ClaimProtocolFees {
                    chain: self.chain,
                    operator: inputs.caller,
                    receiver: c._receiver,
                };
                (a, false)
            }
            abi::claimZKFeesCall::SELECTOR => {
                let c = abi::claimZKFeesCall::abi_decode(data).map_err(|_| bad())?;
                let a = Action::ClaimZkFees {
                    chain: self.chain,
                    operator: inputs.caller,
                    receiver: c._receiver,
                };
                (a, true)
            }
            _ => return Err(bad()),
        };
        let evs = self
            .change(ctx, inputs, action)
            .map_err(|e| token_revert(&e, false))?;
        for ev in &evs {
            let data = match ev {
                Event::ProtocolFeesClaimed {
                    operator,
                    receiver,
                    amount,
                    ..
                } if !zk => abi::ProtocolFeesClaimed {
                    coinbase: *operator,
                    receiver: *receiver,
                    amount: *amount,
                }
                .encode_log_data(),
                Event::ZkFeesClaimed {
                    operator,
                    receiver,
                    amount,
                    ..
                } if zk => abi::ZKFeesClaimed {
                    coinbase: *operator,
                    receiver: *receiver,
                    amount: *amount,
                }
                .encode_log_data(),
                _ => continue,
            };
            ctx.journal_mut().log(Log {
                address: INTEROP_CENTER,
                data,
            });
        }
        done(Bytes::new())
    }

    /// GWAssetTracker on Gateway: the fee, the payers' agreements, the owner's setter and
    /// withdrawal (the owner is governance; others are refused).
    fn gw_asset_tracker<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        sel: [u8; 4],
        data: &[u8],
    ) -> Answer {
        use gw_abi as g;
        let economy = &self.net.state().economy;
        match sel {
            g::gatewaySettlementFeeCall::SELECTOR => return view(economy.gateway_settlement_fee),
            g::wrappedZKTokenCall::SELECTOR => return view(ZK_TOKEN_ADDRESS),
            g::settlementFeePayerAgreementCall::SELECTOR => {
                let c = g::settlementFeePayerAgreementCall::abi_decode(data).map_err(|_| bad())?;
                let agreed = u64::try_from(c._chainId)
                    .is_ok_and(|id| economy.settlement_payers.contains(&(id, c._payer)));
                return view(agreed);
            }
            _ => {}
        }
        let old_fee = economy.gateway_settlement_fee;
        let action = match sel {
            g::setSettlementFeePayerAgreementCall::SELECTOR => {
                let c =
                    g::setSettlementFeePayerAgreementCall::abi_decode(data).map_err(|_| bad())?;
                let Ok(chain) = u64::try_from(c._chainId) else {
                    return Err(revert_string("chain id out of range"));
                };
                Action::SetSettlementFeePayerAgreement {
                    chain,
                    payer: inputs.caller,
                    agreed: c._agreed,
                }
            }
            g::setGatewaySettlementFeeCall::SELECTOR => {
                let c = g::setGatewaySettlementFeeCall::abi_decode(data).map_err(|_| bad())?;
                Action::SetGatewaySettlementFee {
                    caller: inputs.caller,
                    fee: c._fee,
                }
            }
            g::withdrawGatewayFeesCall::SELECTOR => {
                let c = g::withdrawGatewayFeesCall::abi_decode(data).map_err(|_| bad())?;
                Action::WithdrawGatewayFees {
                    caller: inputs.caller,
                    recipient: c._recipient,
                }
            }
            _ => return Err(bad()),
        };
        let evs = self
            .change(ctx, inputs, action)
            .map_err(|e| token_revert(&e, false))?;
        for ev in &evs {
            let data = match ev {
                Event::SettlementFeePayerAgreementUpdated {
                    payer,
                    chain,
                    agreed,
                } => g::SettlementFeePayerAgreementUpdated {
                    payer: *payer,
                    chainId: U256::from(*chain),
                    agreed: *agreed,
                }
                .encode_log_data(),
                Event::GatewaySettlementFeeSet { fee } => g::GatewaySettlementFeeUpdated {
                    oldFee: old_fee,
                    newFee: *fee,
                }
                .encode_log_data(),
                _ => continue,
            };
            ctx.journal_mut().log(Log {
                address: crate::system::GW_ASSET_TRACKER,
                data,
            });
        }
        done(Bytes::new())
    }

    /// The asset a Fee Flow token address names: the known asset with that token address
    /// (ETH's `address(1)` for the model's stand-in of WETH, the ZK token for the bid token),
    /// else the fee-flow chain's own token at that address (never claimable here).
    fn fee_token(&self, token: Address) -> AssetId {
        let state = self.net.state();
        state
            .assets
            .iter()
            .find(|(_, a)| a.token == token)
            .map(|(id, _)| *id)
            .unwrap_or_else(|| AssetId::native(state.economy.fee_flow.chain, token))
    }

    /// The token address an asset id stands for (its token address if known).
    fn token_address(&self, asset: AssetId) -> Address {
        self.net
            .state()
            .assets
            .get(&asset)
            .map_or(Address::ZERO, |a| a.token)
    }

    /// Fee Flow: views, `claim` (the bid goes to the Splitter, which splits it), and the
    /// admins' setters.
    fn fee_flow<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        sel: [u8; 4],
        data: &[u8],
    ) -> Answer {
        use fee_flow_abi as f;
        let ff = self.net.state().economy.fee_flow.clone();
        match sel {
            f::bidTokenCall::SELECTOR => return view(self.token_address(ff.bid_token)),
            f::bidThresholdCall::SELECTOR => return view(ff.bid_threshold),
            f::minBidThresholdCall::SELECTOR => return view(ff.min_bid_threshold),
            f::destinationCall::SELECTOR => return view(ff.destination),
            f::claimPausedCall::SELECTOR => return view(ff.claim_paused),
            f::isClaimableTokenCall::SELECTOR => {
                let c = f::isClaimableTokenCall::abi_decode(data).map_err(|_| bad())?;
                return view(ff.claimable.contains(&self.fee_token(c._token)));
            }
            _ => {}
        }
        let action = match sel {
            f::claimCall::SELECTOR => {
                let c = f::claimCall::abi_decode(data).map_err(|_| bad())?;
                let requests = c
                    ._claimRequests
                    .iter()
                    .map(|r| ClaimRequest {
                        token: self.fee_token(r.token),
                        min_amount_requested: r.minAmountRequested,
                    })
                    .collect();
                let evs = self
                    .change(
                        ctx,
                        inputs,
                        Action::ClaimFeeFlow {
                            caller: inputs.caller,
                            requests,
                        },
                    )
                    .map_err(|e| fee_revert(&e))?;
                self.log_splits(ctx, &evs);
                let claimed = f::Claimed {
                    claimer: inputs.caller,
                    claimRequests: c._claimRequests,
                    bidAmount: ff.bid_threshold,
                };
                ctx.journal_mut().log(Log {
                    address: fee_flow_address(),
                    data: claimed.encode_log_data(),
                });
                return done(Bytes::new());
            }
            f::setBidThresholdCall::SELECTOR => {
                let c = f::setBidThresholdCall::abi_decode(data).map_err(|_| bad())?;
                Action::SetBidThreshold {
                    caller: inputs.caller,
                    threshold: c._newThreshold,
                }
            }
            f::setClaimPausedCall::SELECTOR => {
                let c = f::setClaimPausedCall::abi_decode(data).map_err(|_| bad())?;
                Action::SetClaimPaused {
                    caller: inputs.caller,
                    paused: c._paused,
                }
            }
            _ => return Err(bad()),
        };
        let evs = self
            .change(ctx, inputs, action)
            .map_err(|e| fee_revert(&e))?;
        for ev in &evs {
            let data = match ev {
                Event::BidThresholdSet { old, new } => f::BidThresholdSet {
                    oldThreshold: *old,
                    newThreshold: *new,
                }
                .encode_log_data(),
                Event::ClaimPausedSet { paused } => {
                    f::ClaimPausedSet { paused: *paused }.encode_log_data()
                }
                _ => continue,
            };
            ctx.journal_mut().log(Log {
                address: fee_flow_address(),
                data,
            });
        }
        done(Bytes::new())
    }

    /// Logs the Splitter's `Split` events among `evs` at its address.
    fn log_splits<CTX: ContextTr>(&self, ctx: &mut CTX, evs: &[Event]) {
        for ev in evs {
            if let Event::Split {
                amount,
                burned,
                distributed,
                ..
            } = ev
            {
                let split = fee_flow_abi::Split {
                    amount: *amount,
                    burned: *burned,
                    distributed: *distributed,
                };
                ctx.journal_mut().log(Log {
                    address: splitter_address(),
                    data: split.encode_log_data(),
                });
            }
        }
    }

    /// The Splitter: views, `split()` (anyone), and the admins' burn share.
    fn splitter<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        sel: [u8; 4],
        data: &[u8],
    ) -> Answer {
        use fee_flow_abi as f;
        let shares = self.net.state().economy.splitter.shares.clone();
        match sel {
            f::splitTokenCall::SELECTOR => return view(ZK_TOKEN_ADDRESS),
            f::burnPercentageCall::SELECTOR => return view(U256::from(shares.burn_bps)),
            f::distributedPercentageCall::SELECTOR => {
                return view(U256::from(BPS.saturating_sub(shares.burn_bps)))
            }
            f::totalDistributorWeightCall::SELECTOR => return view(shares.total_weight),
            f::distributorsCall::SELECTOR => {
                let list: Vec<f::DistributorConfig> = shares
                    .distributors
                    .iter()
                    .map(|d| f::DistributorConfig {
                        recipient: d.recipient,
                        weight: d.weight,
                    })
                    .collect();
                return view(list);
            }
            _ => {}
        }
        let action = match sel {
            f::splitCall::SELECTOR => Action::Split,
            f::setBurnPercentageCall::SELECTOR => {
                let c = f::setBurnPercentageCall::abi_decode(data).map_err(|_| bad())?;
                Action::SetBurnPercentage {
                    caller: inputs.caller,
                    burn_bps: c._newBurnBps,
                }
            }
            _ => return Err(bad()),
        };
        let evs = self
            .change(ctx, inputs, action)
            .map_err(|e| fee_revert(&e))?;
        self.log_splits(ctx, &evs);
        for ev in &evs {
            if let Event::BurnPercentageSet { old, new } = ev {
                let e = f::BurnPercentageSet {
                    oldBurnBps: U256::from(*old),
                    newBurnBps: U256::from(*new),
                };
                ctx.journal_mut().log(Log {
                    address: splitter_address(),
                    data: e.encode_log_data(),
                });
            }
        }
        done(Bytes::new())
    }
}
