//! InteropCenter, the send side: validates a bundle request, charges its fees, moves its value
//! and publishes its message as an L2→L1 log.

use super::bundle::{
    self, parse_attributes, parse_call_target, split_levels, AttributeError, BundleAttributes,
    CallAttributes, InteropBundle, InteropCall, InteropCallStarter, SealedBundle, INTEROP_VERSION,
};
use crate::address::InteropAddress;
use crate::chain::{AssetId, ChainKind, INTEROP_CENTER};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::interop::recipient::IndirectContext;
use crate::merkle::L2_TO_L1_LOGS_TREE_LEAVES;
use crate::network::Exec;
use crate::ChainId;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};

/// One call after its starter was resolved on the source chain.
struct ResolvedCall {
    call: InteropCall,
    indirect_value: U256,
    /// ERC-7930 recipient for the `MessageSent` event.
    recipient: Bytes,
}

use super::fees::{self, FeeSchedule, InteropFee};

/// A send's bundle sealed ahead by a batch's pre-pass: its encoding and hash, the hash of its
/// L2→L1 message and its calls' send ids — all of a send's hashing, a pure function of the
/// bundle, used only for a bundle equal to it.
#[derive(Debug)]
pub(crate) struct PreparedSend {
    inputs: BundleInputs,
    sealed: SealedBundle,
    message_hash: B256,
    send_ids: Vec<B256>,
}

/// What [`direct_bundle`] builds a bundle from besides its calls: equal inputs and equal calls
/// build equal bundles, so a send can recognise its predicted bundle by these alone, without
/// building (and salting) its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BundleInputs {
    chain: ChainId,
    dest_id: ChainId,
    dest_base: AssetId,
    sender: Address,
    count: u64,
    options: bundle::BundleOptions,
}

impl BundleInputs {
    fn build(&self, calls: Vec<InteropCall>) -> InteropBundle {
        direct_bundle(
            (self.chain, self.dest_id, self.dest_base),
            self.sender,
            self.count,
            calls,
            &self.options,
        )
    }
}

/// A send's predicted bundle and what it was built from.
pub(crate) type Predicted = (BundleInputs, InteropBundle);

impl PreparedSend {
    /// Seals a predicted bundle (`None` if it cannot be: the send then fails in place, as it
    /// would).
    pub(crate) fn seal((inputs, bundle): Predicted) -> Option<Self> {
        let sealed = SealedBundle::new(bundle).ok()?;
        let message_hash = keccak256(sealed.message());
        let send_ids = (0..sealed.bundle.calls.len())
            .map(|i| bundle::send_id(&sealed.hash, i))
            .collect();
        Some(Self {
            inputs,
            sealed,
            message_hash,
            send_ids,
        })
    }
}

/// What a send's predicted bundle needs from the state: the sender's bundle count (after
/// `earlier` sends of the same batch) and the destination's base token. Read in order, on the
/// thread that applies the batch; the rest of a prediction ([`predict`]) reads only the action.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SendKey {
    count: u64,
    dest_id: ChainId,
    dest_base: AssetId,
}

/// The [`SendKey`] of a `SendBundle` from `state`, after `earlier` sends of the same batch by
/// the same sender on the same chain (which this counts). `None` when the action is no send or
/// names no chain-only destination that the state knows.
pub(crate) fn send_key(
    state: &crate::network::State,
    action: &crate::network::Action,
    earlier: &mut std::collections::HashMap<(ChainId, Address), u64>,
) -> Option<SendKey> {
    let crate::network::Action::SendBundle {
        chain,
        sender,
        destination,
        ..
    } = action
    else {
        return None;
    };
    let before = earlier.entry((*chain, *sender)).or_default();
    let count = state
        .chains
        .get(chain)?
        .bundle_count
        .get(sender)
        .copied()
        .unwrap_or(0)
        .checked_add(*before)?;
    *before += 1;
    let dest = InteropAddress::decode(destination).ok()?;
    let (Some(dest_id), None) = (dest.chain_id, dest.address) else {
        return None;
    };
    let dest_base = state.base_token_asset_id(dest_id)?;
    Some(SendKey {
        count,
        dest_id,
        dest_base,
    })
}

/// The bundle a `SendBundle` with `key` would send: the same construction as
/// `Exec::send_bundle` for direct calls, from the action alone (so on any thread). `None` when
/// the action is no send, calls an indirect target (its source-side code decides the call) or
/// would be refused.
pub(crate) fn predict(action: &crate::network::Action, key: SendKey) -> Option<Predicted> {
    let crate::network::Action::SendBundle {
        chain,
        sender,
        starters,
        attributes,
        ..
    } = action
    else {
        return None;
    };
    let mut calls = Vec::with_capacity(starters.len());
    for s in starters {
        let to = parse_call_target(&s.to).ok()?;
        let (attrs, _) = parse_attributes(&s.call_attributes, true, false).ok()?;
        if attrs.indirect_value.is_some() {
            return None;
        }
        calls.push(InteropCall {
            version: INTEROP_VERSION,
            shadowAccount: false,
            to,
            from: *sender,
            value: attrs.value,
            data: s.data.clone(),
        });
    }
    let (_, options) = parse_attributes(attributes, false, true).ok()?;
    let inputs = BundleInputs {
        chain: *chain,
        dest_id: key.dest_id,
        dest_base: key.dest_base,
        sender: *sender,
        count: key.count,
        options,
    };
    Some((inputs, inputs.build(calls)))
}

/// [`send_key`] then [`predict`]: the bundle a `SendBundle` would send from `state`.
#[cfg(test)]
fn predict_send(
    state: &crate::network::State,
    action: &crate::network::Action,
    earlier: &mut std::collections::HashMap<(ChainId, Address), u64>,
) -> Option<Predicted> {
    predict(action, send_key(state, action, earlier)?)
}

/// The bundle `sendBundle` builds from its resolved calls (one construction for the handler
/// and its prediction).
fn direct_bundle(
    (chain, dest_id, dest_base): (ChainId, ChainId, AssetId),
    sender: Address,
    count: u64,
    calls: Vec<InteropCall>,
    options: &bundle::BundleOptions,
) -> InteropBundle {
    let unbundler = options
        .unbundler_address
        .unwrap_or(InteropAddress::new(chain, sender));
    InteropBundle {
        version: INTEROP_VERSION,
        sourceChainId: U256::from(chain),
        destinationChainId: U256::from(dest_id),
        destinationBaseTokenAssetId: dest_base.0,
        interopBundleSalt: bundle::bundle_salt(sender, count),
        calls,
        bundleAttributes: BundleAttributes {
            executionAddress: options
                .execution_address
                .map(|a| a.encode())
                .unwrap_or_default(),
            unbundlerAddress: unbundler.encode(),
            useFixedFee: options.use_fixed_fee,
        },
    }
}

impl crate::network::State {
    /// The L2 Bridgehub's `baseTokenAssetId(chain)`: the base-token asset id of a registered
    /// ZK chain, `None` for an unknown chain or L1 (not a ZK chain). The InteropCenter writes it
    /// into every bundle as `destinationBaseTokenAssetId`
    /// (`era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol`).
    pub fn base_token_asset_id(&self, chain: ChainId) -> Option<AssetId> {
        self.chains
            .get(&chain)
            .filter(|c| c.config.kind != ChainKind::L1)
            .map(|c| c.config.base_token)
    }

    /// Whether `chain` settles on Gateway (a settlement layer other than L1): only such chains
    /// may send interop (`NotInGatewayMode`) or execute it
    /// (`CannotClaimInteropOnL1Settlement`), because Gateway's asset tracker must see both
    /// ends (`era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol`,
    /// `InteropHandler.sol`).
    pub fn settles_on_gateway(&self, chain: ChainId) -> bool {
        self.chains
            .get(&chain)
            .and_then(|c| c.config.settlement_layer)
            .and_then(|sl| self.chains.get(&sl))
            .is_some_and(|sl| sl.config.kind != ChainKind::L1)
    }

    /// `InteropCenter.zkToken()` on `chain`: the address `_getZKToken()` cached at the chain's
    /// first fixed-fee send, zero before it (the public storage variable; `initL2` leaves it
    /// unset) and on a chain the model does not know
    /// (era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol).
    pub fn interop_zk_token(&self, chain: ChainId) -> Address {
        match self.chains.get(&chain) {
            Some(c) if c.config.kind != ChainKind::L1 && c.zk_token_cached => {
                crate::genesis::ZK_TOKEN_ADDRESS
            }
            _ => Address::ZERO,
        }
    }

    /// `InteropCenter.getZKTokenAddress()` on `chain`: the cached token, else what the native
    /// token vault holds for `ZK_TOKEN_ASSET_ID` — the ZK token where ZK is bridged, zero where
    /// it is not (`tokenAddress` of an unknown asset id)
    /// (era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol).
    pub fn interop_zk_token_address(&self, chain: ChainId) -> Address {
        match self.chains.get(&chain) {
            Some(c)
                if c.config.kind != ChainKind::L1
                    && (c.zk_token_cached || c.config.zk_token_available) =>
            {
                crate::genesis::ZK_TOKEN_ADDRESS
            }
            _ => Address::ZERO,
        }
    }
}

impl Exec<'_> {
    /// The fee of `calls` calls sent from `chain` under its current schedule.
    pub(crate) fn interop_fee(
        &self,
        chain: ChainId,
        calls: u64,
        use_fixed_fee: bool,
    ) -> Result<InteropFee, ProtocolError> {
        let c = self.state.chain(chain)?;
        let schedule = FeeSchedule {
            protocol_fee: c.interop_protocol_fee,
            zk_fee: c.zk_interop_fee,
            zk_available: c.config.zk_token_available,
        };
        fees::interop_fee(&schedule, calls, use_fixed_fee).map_err(|e| match e {
            fees::FeeError::ZkNotAvailable => ProtocolError::ZkTokenNotAvailable(chain),
            fees::FeeError::Overflow => ProtocolError::Overflow("interop fee"),
        })
    }

    /// `_ensureL2ToL2`: neither end of a bundle may be L1
    /// (`era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol`). The source
    /// must be a chain of the model; an unknown destination is left to the registration check.
    fn ensure_l2_to_l2(&self, source: ChainId, destination: ChainId) -> Result<(), ProtocolError> {
        let is_l1 = |id| {
            self.state
                .chains
                .get(&id)
                .is_some_and(|c| c.config.kind == ChainKind::L1)
        };
        self.state.chain(source)?;
        if is_l1(source) || is_l1(destination) {
            return Err(ProtocolError::NotL2ToL2 {
                source_chain_id: source,
                destination_chain_id: destination,
            });
        }
        Ok(())
    }

    /// The checks at the top of `_sendBundle`: the source settles on Gateway
    /// (`NotInGatewayMode`), then the destination is registered
    /// (`DestinationChainNotRegistered`). Returns the destination's base-token asset id.
    fn ensure_can_send(
        &self,
        source: ChainId,
        destination: ChainId,
    ) -> Result<AssetId, ProtocolError> {
        if !self.state.settles_on_gateway(source) {
            return Err(ProtocolError::NotInGatewayMode { chain: source });
        }
        self.state
            .base_token_asset_id(destination)
            .ok_or(ProtocolError::DestinationChainNotRegistered(destination))
    }

    /// Collects a computed fee from `payer` and accrues it to the chain's operator: ZK through
    /// `transferFrom` (the payer approved the InteropCenter), base token out of msg.value.
    pub(crate) fn collect_interop_fee(
        &mut self,
        chain: ChainId,
        payer: Address,
        calls: u64,
        fee: InteropFee,
    ) -> Result<(), ProtocolError> {
        let c = self.state.chain(chain)?;
        let (operator, base_token) = (c.config.operator, c.config.base_token);
        let amount = if fee.fixed {
            // `_getZKToken()` resolves the token through the native token vault and caches it
            // before `safeTransferFrom` (InteropCenter.sol `_sendBundle`); a failed transfer
            // reverts the send and the cache with it.
            if !c.zk_token_cached {
                self.emit(Event::ZkTokenCached { chain });
            }
            let now = self.state.time;
            let evs = self.state.token_mut().transfer_from(
                INTEROP_CENTER,
                payer,
                INTEROP_CENTER,
                fee.zk,
                now,
            )?;
            self.token_events(evs);
            fee.zk
        } else {
            self.require_balance(chain, base_token, payer, fee.base)?;
            fee.base
        };
        if !amount.is_zero() {
            self.emit(Event::InteropFeeCollected {
                chain,
                operator,
                payer,
                fixed_zk: fee.fixed,
                calls,
                amount,
            });
        }
        Ok(())
    }

    /// Flow-mode traffic: `calls` interop calls from `chain` paid by `payer`, applied as one
    /// aggregate through the same send checks, fee rule and settlement accounting as real
    /// bundles, without building, hashing or proving them. Like `sendBundle`, it accepts a
    /// destination equal to the source and zero calls.
    pub(crate) fn record_traffic(
        &mut self,
        chain: ChainId,
        payer: Address,
        destination: ChainId,
        calls: u64,
        use_fixed_fee: bool,
    ) -> Result<(), ProtocolError> {
        self.ensure_l2_to_l2(chain, destination)?;
        self.ensure_can_send(chain, destination)?;
        let fee = self.interop_fee(chain, calls, use_fixed_fee)?;
        self.collect_interop_fee(chain, payer, calls, fee)?;
        self.emit(Event::InteropTrafficRecorded {
            chain,
            destination,
            calls,
        });
        Ok(())
    }

    /// `sendMessage`: one call, attributes of both levels in one list. The recipient must name
    /// a chain and an address; the L2→L2 rule is checked before the attributes, as the
    /// contract does.
    pub(crate) fn send_message(
        &mut self,
        chain: ChainId,
        sender: Address,
        recipient: &[u8],
        payload: Bytes,
        attributes: &[Bytes],
        value: U256,
    ) -> Result<B256, ProtocolError> {
        let to = InteropAddress::decode(recipient)?;
        let (Some(dest), Some(target)) = (to.chain_id, to.address) else {
            return Err(ProtocolError::BadDestination(
                "sendMessage needs a recipient with both chain and address".into(),
            ));
        };
        self.ensure_l2_to_l2(chain, dest)?;
        let (call_level, bundle_attrs) = split_levels(attributes)?;
        let starter = InteropCallStarter {
            to: InteropAddress::address_only(target).encode(),
            data: payload,
            call_attributes: call_level,
        };
        let destination = InteropAddress::chain_only(dest).encode();
        self.send_bundle(
            chain,
            sender,
            &destination,
            &[starter],
            &bundle_attrs,
            value,
        )
    }

    /// `sendBundle`: returns the bundle hash. The checks run in the contract's order
    /// (`sendBundle` then `_sendBundle`,
    /// `era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol`): destination
    /// shape, `NotL2ToL2`, each starter and its attributes, the bundle attributes,
    /// `NotInGatewayMode`, `DestinationChainNotRegistered`; then the calls are resolved, the
    /// fixed ZK fee is pulled, and msg.value must be exact. As in the contract, a bundle may go
    /// to its own source chain and may have no calls.
    pub(crate) fn send_bundle(
        &mut self,
        chain: ChainId,
        sender: Address,
        destination: &[u8],
        starters: &[InteropCallStarter],
        attributes: &[Bytes],
        value: U256,
    ) -> Result<B256, ProtocolError> {
        let dest_addr = InteropAddress::decode(destination)?;
        let dest_id = match (dest_addr.chain_id, dest_addr.address) {
            (Some(id), None) => id,
            _ => {
                return Err(ProtocolError::BadDestination(
                    "the destination must name a chain and no address".into(),
                ))
            }
        };
        self.ensure_l2_to_l2(chain, dest_id)?;
        // Parse every starter before touching any state.
        let mut parsed: Vec<(Address, CallAttributes, &InteropCallStarter)> =
            Vec::with_capacity(starters.len());
        for s in starters {
            let target = parse_call_target(&s.to)?;
            let (call_attrs, _) = parse_attributes(&s.call_attributes, true, false)?;
            parsed.push((target, call_attrs, s));
        }
        let (_, options) = parse_attributes(attributes, false, true)?;
        let dest_base = self.ensure_can_send(chain, dest_id)?;
        let source = self.state.chain(chain)?;
        // Model limit: one batch's logs tree holds 16,384 messages.
        if source.pending_logs.len() >= L2_TO_L1_LOGS_TREE_LEAVES {
            return Err(ProtocolError::BatchFull {
                chain,
                batch: source.next_batch_number(),
                max: L2_TO_L1_LOGS_TREE_LEAVES,
            });
        }
        let src_base = source.config.base_token;
        let same_base = src_base == dest_base;
        let count = source.bundle_count.get(&sender).copied().unwrap_or(0);
        let calls = starters.len() as u64;
        let fee = self.interop_fee(chain, calls, options.use_fixed_fee)?;
        let base_fee = fee.base;
        // Resolve calls: direct ones as given, indirect ones through their source-side target
        // (which receives the indirect value first).
        let mut resolved = Vec::with_capacity(parsed.len());
        for (target, attrs, starter) in parsed {
            let r = match attrs.indirect_value {
                None => ResolvedCall {
                    call: InteropCall {
                        version: INTEROP_VERSION,
                        shadowAccount: false,
                        to: target,
                        from: sender,
                        value: attrs.value,
                        data: starter.data.clone(),
                    },
                    indirect_value: U256::ZERO,
                    recipient: InteropAddress::new(dest_id, target).encode(),
                },
                Some(_) => self.resolve_indirect(chain, dest_id, sender, target, starter, attrs)?,
            };
            resolved.push(r);
        }
        // The fixed ZK fee is pulled before msg.value is checked, as in the contract.
        if fee.fixed {
            self.collect_interop_fee(chain, sender, calls, fee)?;
        }
        let total = |f: fn(&ResolvedCall) -> U256| -> Result<U256, ProtocolError> {
            resolved.iter().try_fold(U256::ZERO, |acc, r| {
                acc.checked_add(f(r))
                    .ok_or(ProtocolError::Overflow("call values"))
            })
        };
        let call_values = total(|r| r.call.value)?;
        let indirect_values = total(|r| r.indirect_value)?;
        // msg.value must be exact: indirect values + base-token fees, plus the call values
        // when both chains share a base token (they are burned here and minted there).
        let mut needed = indirect_values
            .checked_add(base_fee)
            .ok_or(ProtocolError::Overflow("msg.value"))?;
        if same_base {
            needed = needed
                .checked_add(call_values)
                .ok_or(ProtocolError::Overflow("msg.value"))?;
        }
        if value != needed {
            return Err(ProtocolError::MsgValueMismatch {
                sent: value,
                needed,
            });
        }

        // Call values leave the source (burned; the destination's base token when it differs,
        // which the sender must hold here as a bridged asset).
        if !call_values.is_zero() {
            self.require_balance(chain, dest_base, sender, call_values)?;
            self.emit(Event::ValueBurned {
                chain,
                asset: dest_base,
                from: sender,
                amount: call_values,
            });
        }
        if !fee.fixed {
            self.collect_interop_fee(chain, sender, calls, fee)?;
        }

        let inputs = BundleInputs {
            chain,
            dest_id,
            dest_base,
            sender,
            count,
            options,
        };
        // Sealed ahead by the batch's pre-pass when it predicted this very bundle: the same
        // inputs and the same calls.
        let (sealed, message_hash, send_ids) = match std::mem::take(&mut self.ahead) {
            crate::interop::handler::Ahead::Send(p)
                if p.inputs == inputs
                    && p.sealed.bundle.calls.len() == resolved.len()
                    && p.sealed
                        .bundle
                        .calls
                        .iter()
                        .zip(&resolved)
                        .all(|(c, r)| *c == r.call) =>
            {
                (p.sealed, p.message_hash, p.send_ids)
            }
            _ => {
                let bundle = inputs.build(resolved.iter().map(|r| r.call.clone()).collect());
                let sealed = SealedBundle::new(bundle)?;
                let message_hash = keccak256(sealed.message());
                (sealed, message_hash, Vec::new())
            }
        };
        for (i, r) in resolved.iter().enumerate() {
            self.emit(Event::MessageSent {
                chain,
                send_id: send_ids
                    .get(i)
                    .copied()
                    .unwrap_or_else(|| bundle::send_id(&sealed.hash, i)),
                sender: InteropAddress::new(chain, r.call.from).encode(),
                recipient: r.recipient.clone(),
                payload: r.call.data.clone(),
                value: r.call.value,
            });
        }
        let hash = sealed.hash;
        self.emit(Event::InteropBundleSent {
            chain,
            sender,
            message_hash,
            bundle_hash: hash,
            bundle: sealed.bundle,
            tx_number: self.tx_number,
        });
        Ok(hash)
    }

    /// An indirect call: the indirect value goes to the source-side target as msg.value, with
    /// the starter's `interopCallValue` as an argument; the target returns the call to make on
    /// the destination, whose `from` is the target. The returned starter may carry only an
    /// `interopCallValue` attribute, equal to the starter's (`IndirectCallValueMismatch`); the
    /// call's value is the starter's (`InteropCenter._processCallStarter`,
    /// `era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol`).
    fn resolve_indirect(
        &mut self,
        chain: ChainId,
        dest_id: ChainId,
        sender: Address,
        target: Address,
        starter: &InteropCallStarter,
        attrs: CallAttributes,
    ) -> Result<ResolvedCall, ProtocolError> {
        let (call_value, indirect_value) = (attrs.value, attrs.indirect_value.unwrap_or_default());
        let code = self.code;
        let Some(contract) = code.indirect(chain, target) else {
            return Err(ProtocolError::CallReverted {
                chain,
                index: 0,
                target,
                reason: "no indirect-call target deployed there".into(),
            });
        };
        let base = self.state.chain(chain)?.config.base_token;
        if !indirect_value.is_zero() {
            self.require_balance(chain, base, sender, indirect_value)?;
            self.emit(Event::Transferred {
                chain,
                asset: base,
                from: sender,
                to: target,
                amount: indirect_value,
            });
        }
        let returned = {
            let mut ctx = IndirectContext {
                exec: self,
                chain,
                this: target,
            };
            contract
                .initiate_indirect_call(
                    &mut ctx,
                    dest_id,
                    sender,
                    call_value,
                    &starter.data,
                    indirect_value,
                )
                .map_err(|reason| ProtocolError::CallReverted {
                    chain,
                    index: 0,
                    target,
                    reason,
                })?
        };
        let to = parse_call_target(&returned.to)?;
        let (attrs, _) = parse_attributes(&returned.call_attributes, true, false)?;
        if attrs.indirect_value.is_some() {
            // `OnlyInteropCallValue`: the returned starter may not ask for another indirect
            // call (`AttributeViolatesRestriction`).
            return Err(AttributeError::WrongLevel {
                name: "indirectCall",
                level: "indirect-call result",
            }
            .into());
        }
        if attrs.value != call_value {
            return Err(ProtocolError::IndirectCallValueMismatch {
                expected: call_value,
                actual: attrs.value,
            });
        }
        Ok(ResolvedCall {
            call: InteropCall {
                version: INTEROP_VERSION,
                shadowAccount: false,
                to,
                from: target,
                value: call_value,
                data: returned.data,
            },
            indirect_value,
            recipient: InteropAddress::new(dest_id, to).encode(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesis::{account, devnet, eth, Genesis};
    use crate::network::{Action, Network};

    /// The pre-pass predicts exactly the bundles the sends then build, counting the earlier
    /// sends of the batch; an indirect call is not predicted.
    #[test]
    fn predicted_bundles_are_the_sent_ones() {
        let mut net = Network::new(&Genesis::devnet()).unwrap();
        let sender = account("a");
        net.apply(Action::Fund {
            chain: devnet::ERA,
            asset: eth(),
            to: sender,
            amount: crate::units::tokens(10),
        })
        .unwrap();
        let send = |to: &str, attrs: Vec<Bytes>| Action::SendBundle {
            chain: devnet::ERA,
            sender,
            destination: InteropAddress::chain_only(devnet::ETH_CHAIN).encode(),
            starters: vec![InteropCallStarter {
                to: InteropAddress::address_only(account(to)).encode(),
                data: Bytes::new(),
                call_attributes: attrs,
            }],
            attributes: vec![],
            value: U256::ZERO,
        };
        let actions = [send("x", vec![]), send("y", vec![])];
        let mut earlier = std::collections::HashMap::new();
        let predicted: Vec<_> = actions
            .iter()
            .map(|a| predict_send(net.state(), a, &mut earlier).unwrap())
            .collect();
        for (a, p) in actions.into_iter().zip(predicted) {
            let events = net.apply(a).unwrap();
            let sent = crate::relayer::sent_bundles(&events);
            assert_eq!(sent[0].bundle, p.1);
            assert_eq!(PreparedSend::seal(p).unwrap().sealed.hash, sent[0].hash);
        }
        let indirect = send("z", vec![bundle::attr::indirect_call(U256::from(1u8))]);
        assert!(predict_send(net.state(), &indirect, &mut earlier).is_none());
    }
}
