//! The bridge's contracts, served like the system contracts: on L1 the Bridgehub, the L1
//! asset router, nullifier and native token vault, the chain type manager and each ZK
//! chain's diamond; on every ZK chain the L2 base token's `withdraw` and the reads clients
//! make of the L2 native token vault and asset router. Calldata is decoded with the
//! contracts' ABI ([`flywheel_protocol::bridge::abi`]); the work is the protocol's
//! (`Action::L1Bridge` through the dispatcher's working network) or a read of its state.
//! A refusal is the contract's custom error.

use crate::dispatch::{revert_data, SystemDispatch, SYSTEM_CALL_GAS, SYSTEM_VIEW_GAS};
use alloy_primitives::{Address, Bytes, Log, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
use flywheel_protocol::bridge::abi::{self as b, IBridgehub, IChainTypeManager, IL1AssetRouter};
use flywheel_protocol::bridge::abi::{
    IL1Nullifier, IL2AssetRouter, IL2BaseToken, INativeTokenVault, IZKChain,
};
use flywheel_protocol::bridge::{
    addresses, bridgehub, chain_type_manager, mailbox, native_token_vault as ntv, BridgeAction,
    BridgeError, BridgeEvent, DirectRequest, FinalizeParams,
};
use flywheel_protocol::chain::{AssetId, ChainKind, L1_MESSENGER, NATIVE_TOKEN_VAULT};
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::event::Event;
use flywheel_protocol::network::{Action, State};
use flywheel_protocol::ChainId;
use revm::context_interface::{Block, ContextTr, JournalTr, Transaction};
use revm::interpreter::CallInputs;

type Answer = Result<(Bytes, u64), Bytes>;

fn view(out: impl SolValue) -> Answer {
    Ok((out.abi_encode().into(), SYSTEM_VIEW_GAS))
}

/// The L2 base token system contract (`L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR`).
pub const L2_BASE_TOKEN: Address = flywheel_protocol::bridge::base_token::L2_BASE_TOKEN;
/// `L2_ASSET_ROUTER_ADDR` (era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol).
pub const L2_ASSET_ROUTER: Address = crate::system::ASSET_ROUTER;

/// A bridge refusal as the contract's custom error, else the protocol's usual revert data.
pub fn bridge_revert(e: &ProtocolError) -> Bytes {
    let ProtocolError::Bridge(be) = e else {
        return revert_data(e);
    };
    let enc: Vec<u8> = match &**be {
        BridgeError::MsgValueMismatch { expected, provided } => b::MsgValueMismatch {
            expectedMsgValue: *expected,
            providedMsgValue: *provided,
        }
        .abi_encode(),
        BridgeError::MsgValueTooLow { required, provided } => b::MsgValueTooLow {
            required: *required,
            provided: *provided,
        }
        .abi_encode(),
        BridgeError::ChainNotRegistered { chain } => b::ChainIdNotRegistered {
            chainId: U256::from(*chain),
        }
        .abi_encode(),
        BridgeError::WithdrawalAlreadyFinalized { .. } => {
            b::WithdrawalAlreadyFinalized {}.abi_encode()
        }
        BridgeError::InvalidProof { .. } => b::InvalidProof {}.abi_encode(),
        BridgeError::WrongL2Sender { provided } => b::WrongL2Sender {
            providedL2Sender: *provided,
        }
        .abi_encode(),
        BridgeError::InvalidSelector { selector } => {
            b::InvalidSelector { func: *selector }.abi_encode()
        }
        BridgeError::L2WithdrawalMessageWrongLength { len } => b::L2WithdrawalMessageWrongLength {
            messageLen: U256::from(*len),
        }
        .abi_encode(),
        BridgeError::InsufficientChainBalance {
            chain,
            asset,
            amount,
            ..
        } => b::InsufficientChainBalance {
            _chainId: U256::from(*chain),
            _assetId: asset.0,
            _amount: *amount,
        }
        .abi_encode(),
        _ => return revert_data(e),
    };
    enc.into()
}

/// The chain ids of ZK chains registered in the Bridgehub.
fn zk_chains(state: &State) -> impl Iterator<Item = ChainId> + '_ {
    state
        .chains
        .values()
        .filter(|c| c.config.kind == ChainKind::ZkChain)
        .map(|c| c.config.id)
}

/// A chain id argument as the model's (an id beyond 64 bits names no chain).
fn id(v: U256) -> ChainId {
    u64::try_from(v).unwrap_or(ChainId::MAX)
}

/// Whether chain `chain` serves the bridge contract at `to`.
pub(crate) fn serves(state: &State, chain: ChainId, to: Address) -> bool {
    let Some(c) = state.chains.get(&chain) else {
        return false;
    };
    match c.config.kind {
        ChainKind::L1 => {
            addresses::l1_contracts().iter().any(|(_, a)| *a == to)
                || zk_chains(state).any(|id| addresses::zk_chain(id) == to)
        }
        ChainKind::ZkChain => {
            to == L2_BASE_TOKEN || to == NATIVE_TOKEN_VAULT || to == L2_ASSET_ROUTER
        }
        ChainKind::Gateway => false,
    }
}

impl SystemDispatch {
    /// A call to a bridge contract this chain serves.
    pub(crate) fn bridge_call<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        sel: [u8; 4],
        data: &[u8],
    ) -> Answer {
        let to = inputs.bytecode_address;
        let payable = (to == addresses::bridgehub()
            && (sel == IBridgehub::requestL2TransactionDirectCall::SELECTOR))
            || (to == L2_BASE_TOKEN && sel == IL2BaseToken::withdrawCall::SELECTOR);
        if !payable && !inputs.value.get().is_zero() {
            return Err(Bytes::new());
        }
        let state = self.net.state();
        if to == addresses::bridgehub() {
            return self.bridgehub(ctx, inputs, sel, data);
        }
        if to == addresses::l1_asset_router() {
            return match sel {
                IL1AssetRouter::L1_NULLIFIERCall::SELECTOR => view(addresses::l1_nullifier()),
                IL1AssetRouter::nativeTokenVaultCall::SELECTOR => {
                    view(addresses::l1_native_token_vault())
                }
                IL1AssetRouter::BRIDGE_HUBCall::SELECTOR => view(addresses::bridgehub()),
                IL1AssetRouter::L1_CHAIN_IDCall::SELECTOR => view(U256::from(self.chain)),
                _ => Err(Bytes::new()),
            };
        }
        if to == addresses::l1_nullifier() {
            return self.nullifier(ctx, inputs, sel, data);
        }
        if to == addresses::l1_native_token_vault() {
            return vault_view(state, self.chain, None, sel, data);
        }
        if to == addresses::chain_type_manager() {
            return match sel {
                IChainTypeManager::getSemverProtocolVersionCall::SELECTOR => {
                    let (a, m, p) = chain_type_manager::PROTOCOL_VERSION;
                    view((a, m, p))
                }
                IChainTypeManager::protocolVersionCall::SELECTOR => {
                    view(U256::from(chain_type_manager::packed_protocol_version()))
                }
                IChainTypeManager::BRIDGE_HUBCall::SELECTOR => view(addresses::bridgehub()),
                _ => Err(Bytes::new()),
            };
        }
        if let Some(chain) = zk_chains(state).find(|id| addresses::zk_chain(*id) == to) {
            return diamond_view(state, chain, sel, data);
        }
        // On a ZK chain.
        if to == NATIVE_TOKEN_VAULT {
            let l1 = ntv::l1_chain(state).unwrap_or_default();
            return vault_view(state, l1, Some(self.chain), sel, data);
        }
        if to == L2_ASSET_ROUTER {
            return match sel {
                IL2AssetRouter::l1TokenAddressCall::SELECTOR => {
                    let c = IL2AssetRouter::l1TokenAddressCall::abi_decode(data)
                        .map_err(|_| Bytes::new())?;
                    let token = if c._l2Token == L2_BASE_TOKEN {
                        bridgehub::base_token(state, self.chain)
                    } else {
                        Address::ZERO
                    };
                    view(token)
                }
                IL2AssetRouter::L1_CHAIN_IDCall::SELECTOR => {
                    view(U256::from(ntv::l1_chain(state).unwrap_or_default()))
                }
                _ => Err(Bytes::new()),
            };
        }
        if to == L2_BASE_TOKEN && sel == IL2BaseToken::withdrawCall::SELECTOR {
            let c = IL2BaseToken::withdrawCall::abi_decode(data).map_err(|_| Bytes::new())?;
            if inputs.is_static {
                return Err(Bytes::new());
            }
            let action = Action::L1Bridge(BridgeAction::WithdrawBase {
                chain: self.chain,
                sender: inputs.caller,
                l1_receiver: c._l1Receiver,
                amount: inputs.value.get(),
            });
            let evs = self
                .apply_action(ctx, action)
                .map_err(|e| bridge_revert(&e))?;
            for ev in &evs {
                if let Event::Bridge(BridgeEvent::WithdrawalInitiated {
                    l2_sender,
                    message,
                    withdrawal,
                    ..
                }) = ev
                {
                    let sent = crate::system::abi::L1MessageSent {
                        _sender: *l2_sender,
                        _hash: alloy_primitives::keccak256(message),
                        _message: message.clone(),
                    };
                    log(ctx, L1_MESSENGER, sent.encode_log_data());
                    let w = IL2BaseToken::Withdrawal {
                        _l2Sender: inputs.caller,
                        _l1Receiver: withdrawal.l1_receiver,
                        _amount: withdrawal.amount,
                    };
                    log(ctx, L2_BASE_TOKEN, w.encode_log_data());
                }
            }
            return Ok((Bytes::new(), SYSTEM_CALL_GAS));
        }
        Err(Bytes::new())
    }

    /// The L1 Bridgehub: registry reads, the base cost, `requestL2TransactionDirect`.
    fn bridgehub<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        sel: [u8; 4],
        data: &[u8],
    ) -> Answer {
        let state = self.net.state();
        let registered = |c: U256| zk_chains(state).any(|z| z == id(c));
        match sel {
            IBridgehub::assetRouterCall::SELECTOR => view(addresses::l1_asset_router()),
            IBridgehub::L1_CHAIN_IDCall::SELECTOR => view(U256::from(self.chain)),
            IBridgehub::chainTypeManagerCall::SELECTOR => {
                let c =
                    IBridgehub::chainTypeManagerCall::abi_decode(data).map_err(|_| Bytes::new())?;
                view(if registered(c._chainId) {
                    addresses::chain_type_manager()
                } else {
                    Address::ZERO
                })
            }
            IBridgehub::getZKChainCall::SELECTOR => {
                let c = IBridgehub::getZKChainCall::abi_decode(data).map_err(|_| Bytes::new())?;
                view(if registered(c._chainId) {
                    addresses::zk_chain(id(c._chainId))
                } else {
                    Address::ZERO
                })
            }
            IBridgehub::baseTokenCall::SELECTOR => {
                let c = IBridgehub::baseTokenCall::abi_decode(data).map_err(|_| Bytes::new())?;
                view(bridgehub::base_token(state, id(c._chainId)))
            }
            IBridgehub::baseTokenAssetIdCall::SELECTOR => {
                let c =
                    IBridgehub::baseTokenAssetIdCall::abi_decode(data).map_err(|_| Bytes::new())?;
                view(
                    bridgehub::base_token_asset_id(state, id(c._chainId))
                        .map_or(B256::ZERO, |a| a.0),
                )
            }
            IBridgehub::getAllZKChainChainIDsCall::SELECTOR => {
                view(zk_chains(state).map(U256::from).collect::<Vec<_>>())
            }
            IBridgehub::l2TransactionBaseCostCall::SELECTOR => {
                let c = IBridgehub::l2TransactionBaseCostCall::abi_decode(data)
                    .map_err(|_| Bytes::new())?;
                let cost = mailbox::base_cost(
                    state,
                    id(c._chainId),
                    c._gasPrice,
                    c._l2GasLimit,
                    c._l2GasPerPubdataByteLimit,
                )
                .map_err(|e| bridge_revert(&e))?;
                view(cost.1)
            }
            IBridgehub::requestL2TransactionDirectCall::SELECTOR => {
                if inputs.is_static {
                    return Err(Bytes::new());
                }
                let c = IBridgehub::requestL2TransactionDirectCall::abi_decode(data)
                    .map_err(|_| Bytes::new())?;
                let r = c._request;
                let request = DirectRequest {
                    chain: id(r.chainId),
                    mint_value: r.mintValue,
                    l2_contract: r.l2Contract,
                    l2_value: r.l2Value,
                    l2_calldata: r.l2Calldata,
                    l2_gas_limit: r.l2GasLimit,
                    gas_per_pubdata: r.l2GasPerPubdataByteLimit,
                    refund_recipient: r.refundRecipient,
                };
                let basefee = u128::from(ctx.block().basefee());
                let l1_gas_price = U256::from(ctx.tx().effective_gas_price(basefee));
                let action = Action::L1Bridge(BridgeAction::RequestDirect {
                    sender: inputs.caller,
                    msg_value: inputs.value.get(),
                    request,
                    l1_gas_price,
                });
                let evs = self
                    .apply_action(ctx, action)
                    .map_err(|e| bridge_revert(&e))?;
                let hash = log_requests(ctx, &evs);
                Ok((hash.abi_encode().into(), SYSTEM_CALL_GAS))
            }
            _ => Err(Bytes::new()),
        }
    }

    /// The L1 nullifier: `finalizeDeposit`, `isWithdrawalFinalized` and its getters.
    fn nullifier<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        sel: [u8; 4],
        data: &[u8],
    ) -> Answer {
        let state = self.net.state();
        match sel {
            IL1Nullifier::l1NativeTokenVaultCall::SELECTOR => {
                view(addresses::l1_native_token_vault())
            }
            IL1Nullifier::l1AssetRouterCall::SELECTOR => view(addresses::l1_asset_router()),
            IL1Nullifier::BRIDGE_HUBCall::SELECTOR => view(addresses::bridgehub()),
            IL1Nullifier::isWithdrawalFinalizedCall::SELECTOR => {
                let c = IL1Nullifier::isWithdrawalFinalizedCall::abi_decode(data)
                    .map_err(|_| Bytes::new())?;
                let (Ok(batch), Ok(index)) = (
                    u64::try_from(c._l2BatchNumber),
                    u64::try_from(c._l2MessageIndex),
                ) else {
                    return view(false);
                };
                view(
                    state
                        .bridge
                        .is_withdrawal_finalized(id(c._chainId), batch, index),
                )
            }
            IL1Nullifier::chainBalanceCall::SELECTOR => {
                let c =
                    IL1Nullifier::chainBalanceCall::abi_decode(data).map_err(|_| Bytes::new())?;
                let held = ntv::asset_id(state, c._token).map_or(U256::ZERO, |a| {
                    state.bridge.chain_balance(id(c._chainId), a)
                });
                view(held)
            }
            IL1Nullifier::finalizeDepositCall::SELECTOR => {
                if inputs.is_static {
                    return Err(Bytes::new());
                }
                let c = IL1Nullifier::finalizeDepositCall::abi_decode(data)
                    .map_err(|_| Bytes::new())?;
                let p = c._finalizeWithdrawalParams;
                let (Ok(batch), Ok(index)) = (
                    u64::try_from(p.l2BatchNumber),
                    u64::try_from(p.l2MessageIndex),
                ) else {
                    return Err(b::InvalidProof {}.abi_encode().into());
                };
                let action = Action::L1Bridge(BridgeAction::FinalizeWithdrawal {
                    caller: inputs.caller,
                    params: FinalizeParams {
                        chain: id(p.chainId),
                        batch,
                        index,
                        l2_sender: p.l2Sender,
                        tx_number: p.l2TxNumberInBatch,
                        message: p.message,
                        proof: p.merkleProof,
                    },
                });
                let evs = self
                    .apply_action(ctx, action)
                    .map_err(|e| bridge_revert(&e))?;
                for ev in &evs {
                    if let Event::Bridge(BridgeEvent::WithdrawalFinalized {
                        chain,
                        asset,
                        amount,
                        receiver,
                        ..
                    }) = ev
                    {
                        let mint = INativeTokenVault::BridgeMint {
                            chainId: U256::from(*chain),
                            assetId: asset.0,
                            receiver: *receiver,
                            amount: *amount,
                        };
                        log(
                            ctx,
                            addresses::l1_native_token_vault(),
                            mint.encode_log_data(),
                        );
                    }
                }
                Ok((Bytes::new(), SYSTEM_CALL_GAS))
            }
            _ => Err(Bytes::new()),
        }
    }
}

fn log<CTX: ContextTr>(ctx: &mut CTX, address: Address, data: alloy_primitives::LogData) {
    ctx.journal_mut().log(Log { address, data });
}

/// Logs a request's L1 events (the asset router's `BridgehubDepositBaseTokenInitiated`, the
/// diamond's `NewPriorityRequest` and `NewPriorityRequestId`) and returns its canonical hash.
fn log_requests<CTX: ContextTr>(ctx: &mut CTX, evs: &[Event]) -> B256 {
    let mut hash = B256::ZERO;
    for ev in evs {
        let Event::Bridge(BridgeEvent::DepositRequested { deposit: d }) = ev else {
            continue;
        };
        hash = d.hash;
        let init = IL1AssetRouter::BridgehubDepositBaseTokenInitiated {
            chainId: U256::from(d.chain),
            from: d.sender,
            assetId: d.asset.0,
            amount: d.mint_value,
        };
        log(ctx, addresses::l1_asset_router(), init.encode_log_data());
        let word = |a: Address| U256::from_be_slice(a.as_slice());
        let tx = b::L2CanonicalTransaction {
            txType: U256::from(if d.zksync_os {
                flywheel_protocol::priority::queue::ZKSYNC_OS_PRIORITY_OPERATION_L2_TX_TYPE
            } else {
                flywheel_protocol::priority::queue::PRIORITY_OPERATION_L2_TX_TYPE
            }),
            from: word(d.sender),
            to: word(d.contract_l2),
            gasLimit: U256::from(d.l2_gas_limit),
            gasPerPubdataByteLimit: d.gas_per_pubdata,
            maxFeePerGas: d.l2_gas_price,
            maxPriorityFeePerGas: U256::ZERO,
            paymaster: U256::ZERO,
            nonce: U256::from(d.id),
            value: d.l2_value,
            reserved: [
                d.mint_value,
                word(d.refund_recipient),
                U256::ZERO,
                U256::ZERO,
            ],
            data: d.calldata.clone(),
            signature: Bytes::new(),
            factoryDeps: Vec::new(),
            paymasterInput: Bytes::new(),
            reservedDynamic: Bytes::new(),
        };
        let diamond = addresses::zk_chain(d.chain);
        let full = IZKChain::NewPriorityRequest {
            txId: U256::from(d.id),
            txHash: d.hash,
            expirationTimestamp: 0,
            transaction: tx,
            factoryDeps: Vec::new(),
        };
        log(ctx, diamond, full.encode_log_data());
        let short = IZKChain::NewPriorityRequestId {
            txId: U256::from(d.id),
            txHash: d.hash,
        };
        log(ctx, diamond, short.encode_log_data());
    }
    hash
}

/// A chain's diamond: `l2TransactionBaseCost` and the getters clients read.
fn diamond_view(state: &State, chain: ChainId, sel: [u8; 4], data: &[u8]) -> Answer {
    match sel {
        IZKChain::l2TransactionBaseCostCall::SELECTOR => {
            let c =
                IZKChain::l2TransactionBaseCostCall::abi_decode(data).map_err(|_| Bytes::new())?;
            let cost = mailbox::base_cost(
                state,
                chain,
                c._gasPrice,
                c._l2GasLimit,
                c._l2GasPerPubdataByteLimit,
            )
            .map_err(|e| bridge_revert(&e))?;
            view(cost.1)
        }
        IZKChain::getChainIdCall::SELECTOR => view(U256::from(chain)),
        IZKChain::getTotalPriorityTxsCall::SELECTOR => view(U256::from(
            state
                .bridge
                .total_priority_txs
                .get(&chain)
                .copied()
                .unwrap_or(0),
        )),
        IZKChain::getBaseTokenAssetIdCall::SELECTOR => {
            view(bridgehub::base_token_asset_id(state, chain).map_or(B256::ZERO, |a| a.0))
        }
        IZKChain::getBridgehubCall::SELECTOR => view(addresses::bridgehub()),
        IZKChain::getChainTypeManagerCall::SELECTOR => view(addresses::chain_type_manager()),
        _ => Err(Bytes::new()),
    }
}

/// A native token vault's reads: on L1 (`l2` = None) or on ZK chain `l2`, where the chain's
/// base token is known at the L2 base token system contract's address.
fn vault_view(
    state: &State,
    l1: ChainId,
    l2: Option<ChainId>,
    sel: [u8; 4],
    data: &[u8],
) -> Answer {
    let base = l2.and_then(|c| bridgehub::base_token_asset_id(state, c));
    let local = |asset: AssetId| -> Address {
        if Some(asset) == base {
            L2_BASE_TOKEN
        } else if l2.is_none() {
            ntv::token_address(state, asset)
        } else {
            Address::ZERO
        }
    };
    let asset_of = |token: Address| -> Option<AssetId> {
        if l2.is_some() && token == L2_BASE_TOKEN {
            return base;
        }
        ntv::asset_id(state, token).filter(|a| l2.is_none() || Some(*a) == base)
    };
    match sel {
        INativeTokenVault::assetIdCall::SELECTOR => {
            let c = INativeTokenVault::assetIdCall::abi_decode(data).map_err(|_| Bytes::new())?;
            view(asset_of(c.token).map_or(B256::ZERO, |a| a.0))
        }
        INativeTokenVault::tokenAddressCall::SELECTOR => {
            let c =
                INativeTokenVault::tokenAddressCall::abi_decode(data).map_err(|_| Bytes::new())?;
            let asset = AssetId(c.assetId);
            view(if state.assets.contains_key(&asset) {
                local(asset)
            } else {
                Address::ZERO
            })
        }
        INativeTokenVault::originChainIdCall::SELECTOR => {
            let c =
                INativeTokenVault::originChainIdCall::abi_decode(data).map_err(|_| Bytes::new())?;
            view(U256::from(ntv::origin_chain_id(state, AssetId(c.assetId))))
        }
        // Model: no wrapped ETH contract is deployed.
        INativeTokenVault::WETH_TOKENCall::SELECTOR => view(Address::ZERO),
        INativeTokenVault::L1_CHAIN_IDCall::SELECTOR => view(U256::from(l1)),
        INativeTokenVault::ASSET_ROUTERCall::SELECTOR => view(if l2.is_some() {
            L2_ASSET_ROUTER
        } else {
            addresses::l1_asset_router()
        }),
        INativeTokenVault::BASE_TOKEN_ASSET_IDCall::SELECTOR if l2.is_some() => {
            view(base.map_or(B256::ZERO, |a| a.0))
        }
        INativeTokenVault::l2TokenAddressCall::SELECTOR if l2.is_some() => {
            let c = INativeTokenVault::l2TokenAddressCall::abi_decode(data)
                .map_err(|_| Bytes::new())?;
            let asset = ntv::asset_id(state, c._l1Token);
            view(asset.map_or(Address::ZERO, local))
        }
        INativeTokenVault::chainBalanceCall::SELECTOR if l2.is_none() => {
            let c =
                INativeTokenVault::chainBalanceCall::abi_decode(data).map_err(|_| Bytes::new())?;
            view(
                state
                    .bridge
                    .chain_balance(id(c._chainId), AssetId(c._assetId)),
            )
        }
        _ => Err(Bytes::new()),
    }
}
