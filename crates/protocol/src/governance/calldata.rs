//! The calldata of a governance proposal that carries parameter changes to the real
//! contracts: each change's call to its target ([`encode`]), grouped into one proposal per
//! governor ([`build`]) with the arrays of OpenZeppelin's
//! `propose(address[] targets, uint256[] values, bytes[] calldatas, string description)`.
//!
//! A TPP's calls go from the Token Governor's timelock straight to Fee Flow or the Splitter on
//! Era. A ZIP's only call on Era is the L2 → L1 messenger's `sendToL1` of an ABI-encoded
//! `UpgradeProposal` (zk-governance@58df93f:l1-contracts/src/interfaces/IProtocolUpgradeHandler.sol),
//! which the ProtocolUpgradeHandler proves (`startUpgrade`, checking the message's sender is
//! the Protocol Governor) and, after its legal veto and approval, executes on Ethereum; a
//! Gateway target is reached from there by an L1 → Gateway transaction through the Bridgehub.
//! Signatures are the pinned sources' (cited on each declaration below).

use super::params::GovernorKind;
use super::proposal_path::{
    self, Chain, NoCalldata, Path, Route, BRIDGEHUB, L1_MESSENGER, PROTOCOL_UPGRADE_HANDLER,
};
// The Bridgehub's request and its call: one declaration, the bridge's.
use crate::bridge::abi::{IBridgehub::requestL2TransactionDirectCall, L2TransactionRequestDirect};
use alloy_primitives::{keccak256, Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolValue};
use serde::Serialize;

alloy_sol_types::sol! {
    /// Fee Flow's `setBidThreshold` (zk-token-fee-flow@69e8d9a:src/FeeFlow.sol).
    function setBidThreshold(uint256 _newThreshold) external;

    /// The Splitter's distributor entry (zk-token-fee-flow@69e8d9a:src/Splitter.sol).
    #[derive(Debug, PartialEq, Eq)]
    struct DistributorConfig {
        address recipient;
        uint96 weight;
    }
    /// The Splitter's `setDistributors` (zk-token-fee-flow@69e8d9a:src/Splitter.sol).
    function setDistributors(DistributorConfig[] _newDistributors) external;
    /// The Splitter's `setBurnPercentage` (zk-token-fee-flow@69e8d9a:src/Splitter.sol).
    function setBurnPercentage(uint256 _newBurnBps) external;

    /// GWAssetTracker's `setGatewaySettlementFee`
    /// (era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol).
    function setGatewaySettlementFee(uint256 _fee) external;

    /// The L2 → L1 messenger's `sendToL1`
    /// (era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/IL2ToL1Messenger.sol).
    function sendToL1(bytes _message) external returns (bytes32);

    /// One call of an upgrade (zk-governance@58df93f:l1-contracts/src/interfaces/IProtocolUpgradeHandler.sol).
    #[derive(Debug, PartialEq, Eq)]
    struct Call {
        address target;
        uint256 value;
        bytes data;
    }
    /// An upgrade the ProtocolUpgradeHandler executes (same file).
    #[derive(Debug, PartialEq, Eq)]
    struct UpgradeProposal {
        Call[] calls;
        address executor;
        bytes32 salt;
    }

    /// OpenZeppelin Governor's `propose`, which the three governors inherit
    /// (zk-governance@58df93f:l2-contracts/src/ZkTokenGovernor.sol and its siblings).
    function propose(address[] targets, uint256[] values, bytes[] calldatas, string description) external returns (uint256);
}

/// `REQUIRED_L2_GAS_PRICE_PER_PUBDATA` = 800
/// (era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol).
pub const REQUIRED_L2_GAS_PRICE_PER_PUBDATA: u64 = 800;

/// Fee Flow's `minBidThreshold` on Era, 100,000 ZK
/// (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol): a lower threshold reverts.
pub fn era_min_bid_threshold() -> U256 {
    crate::units::tokens(100_000)
}

/// What the caller supplies beyond the scenario's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
pub struct Inputs {
    /// The recipient of the Splitter's non-burned share, needed to lower the burn share below
    /// 100% (Era's Splitter has no distributors, and names none).
    pub distributor: Option<Address>,
    /// The L1 → Gateway leg of a ZIP that targets Gateway: its L2 gas limit and the base-token
    /// (ZK) value minted on Gateway to pay for it. Both depend on gas prices at execution, so
    /// they are the author's choice; `None` uses [`GatewayLeg::default`].
    pub gateway_leg: Option<GatewayLeg>,
}

/// The fee fields of the L1 → Gateway transaction a ZIP sends to reach GWAssetTracker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct GatewayLeg {
    /// `l2GasLimit`.
    pub l2_gas_limit: u64,
    /// `mintValue`, ZK wei (Gateway's base token) the handler provides for the base cost.
    pub mint_value: U256,
}

impl Default for GatewayLeg {
    /// 1,000,000 gas and 0 ZK: stated placeholders of the draft, printed beside the calldata
    /// for the author to set — a `mintValue` below the base cost at execution reverts.
    fn default() -> Self {
        Self {
            l2_gas_limit: 1_000_000,
            mint_value: U256::ZERO,
        }
    }
}

/// Why a change cannot become calldata.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalldataError {
    /// A value the target contract would refuse.
    #[error("{key}: {value} is out of range for {function} (limit {limit}): {why}")]
    OutOfRange {
        /// The scenario key.
        key: String,
        /// The value (wei or bps).
        value: U256,
        /// The bound.
        limit: String,
        /// The function.
        function: &'static str,
        /// The contract's own reason.
        why: &'static str,
    },
    /// A burn share below 100% with no distributor given.
    #[error("{key}: {value} bps needs a distributor (limit 10000 bps without one): Era's Splitter has no distributors, so setBurnPercentage below 10000 reverts with Splitter_InvalidBurnPercentage; give the recipient of the rest")]
    NeedsDistributor {
        /// The scenario key.
        key: String,
        /// The burn share asked for, bps.
        value: U256,
    },
}

/// One call a proposal makes, on the chain where it executes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetCall {
    /// The scenario key it carries.
    pub key: String,
    /// Where it executes.
    pub chain: Chain,
    /// The contract called.
    pub target: Address,
    /// Value sent with it, wei.
    pub value: U256,
    /// The function's signature.
    pub function: &'static str,
    /// Its ABI-encoded calldata (selector and arguments).
    pub data: Bytes,
    /// Its arguments for people.
    pub args: Vec<String>,
}

/// One change's calls at their targets, and the governor that carries them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Encoded {
    /// The governor.
    pub governor: GovernorKind,
    /// How the proposal reaches the targets.
    pub route: Route,
    /// The calls at their targets, in order.
    pub calls: Vec<TargetCall>,
}

fn call(
    key: &str,
    chain: Chain,
    target: Address,
    function: &'static str,
    data: Vec<u8>,
    args: Vec<String>,
) -> TargetCall {
    TargetCall {
        key: key.to_string(),
        chain,
        target,
        value: U256::ZERO,
        function,
        data: data.into(),
        args,
    }
}

/// The calls that set `key` to `value` (ZK wei for amounts, bps for shares), or `Ok(None)` when
/// the key has no calldata (not on chain, or on chain without a setter: see its
/// [`proposal_path::path`]). Values the target would refuse are errors naming the key.
pub fn encode(key: &str, value: U256, inputs: &Inputs) -> Result<Option<Encoded>, CalldataError> {
    let on = match proposal_path::path(key) {
        Path::OnChain(o) if o.no_calldata.is_none() => o,
        _ => return Ok(None),
    };
    let target = on.address.address;
    let calls = match on.function {
        "setBidThreshold(uint256)" => {
            let min = era_min_bid_threshold();
            if value < min {
                return Err(CalldataError::OutOfRange {
                    key: key.into(),
                    value,
                    limit: format!(">= {min} wei (minBidThreshold)"),
                    function: on.function,
                    why: "FeeFlow_ThresholdBelowMin",
                });
            }
            let data = setBidThresholdCall {
                _newThreshold: value,
            }
            .abi_encode();
            vec![call(
                key,
                on.chain,
                target,
                on.function,
                data,
                vec![format!("{value}")],
            )]
        }
        "setBurnPercentage(uint256)" => {
            let max = U256::from(crate::fee_flow::BPS);
            if value > max {
                return Err(CalldataError::OutOfRange {
                    key: key.into(),
                    value,
                    limit: "<= 10000 bps".into(),
                    function: on.function,
                    why: "Splitter_InvalidBurnPercentage",
                });
            }
            let mut calls = Vec::new();
            if value < max {
                let recipient =
                    inputs
                        .distributor
                        .ok_or_else(|| CalldataError::NeedsDistributor {
                            key: key.into(),
                            value,
                        })?;
                let list = vec![DistributorConfig {
                    recipient,
                    weight: alloy_primitives::Uint::<96, 2>::from(1u64),
                }];
                let data = setDistributorsCall {
                    _newDistributors: list,
                }
                .abi_encode();
                calls.push(call(
                    key,
                    on.chain,
                    target,
                    "setDistributors((address,uint96)[])",
                    data,
                    vec![format!("[({recipient}, 1)]")],
                ));
            }
            let data = setBurnPercentageCall { _newBurnBps: value }.abi_encode();
            calls.push(call(
                key,
                on.chain,
                target,
                on.function,
                data,
                vec![format!("{value}")],
            ));
            calls
        }
        "setGatewaySettlementFee(uint256)" => {
            let data = setGatewaySettlementFeeCall { _fee: value }.abi_encode();
            vec![call(
                key,
                on.chain,
                target,
                on.function,
                data,
                vec![format!("{value}")],
            )]
        }
        _ => return Ok(None),
    };
    Ok(Some(Encoded {
        governor: on.governor,
        route: on.route,
        calls,
    }))
}

/// The L1 call that delivers a Gateway call: `Bridgehub.requestL2TransactionDirect` for chain
/// 9075, from the ProtocolUpgradeHandler (refunds to it).
pub fn gateway_request(inner: &TargetCall, leg: GatewayLeg) -> TargetCall {
    let req = L2TransactionRequestDirect {
        chainId: U256::from(Chain::Gateway.id()),
        mintValue: leg.mint_value,
        l2Contract: inner.target,
        l2Value: inner.value,
        l2Calldata: inner.data.clone(),
        l2GasLimit: U256::from(leg.l2_gas_limit),
        l2GasPerPubdataByteLimit: U256::from(REQUIRED_L2_GAS_PRICE_PER_PUBDATA),
        factoryDeps: Vec::new(),
        refundRecipient: PROTOCOL_UPGRADE_HANDLER.address,
    };
    let data = requestL2TransactionDirectCall { _request: req }.abi_encode();
    TargetCall {
        key: inner.key.clone(),
        chain: Chain::Ethereum,
        target: BRIDGEHUB.address,
        value: U256::ZERO,
        function: "requestL2TransactionDirect((uint256,uint256,address,uint256,bytes,uint256,uint256,bytes[],address))",
        data: data.into(),
        args: vec![format!(
            "chainId 9075, mintValue {} ZK wei, l2Contract {}, l2Calldata {} , l2GasLimit {}, l2GasPerPubdataByteLimit {REQUIRED_L2_GAS_PRICE_PER_PUBDATA}, refundRecipient {}",
            leg.mint_value, inner.target, inner.function, leg.l2_gas_limit, PROTOCOL_UPGRADE_HANDLER.address
        )],
    }
}

/// One governor's proposal: the arrays `propose` takes, and what they carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GovernorProposal {
    /// The governor.
    pub governor: GovernorKind,
    /// `targets`.
    pub targets: Vec<Address>,
    /// `values`.
    pub values: Vec<U256>,
    /// `calldatas`.
    pub calldatas: Vec<Bytes>,
    /// `description`.
    pub description: String,
    /// The calls at their final targets (on Era, or on Ethereum and Gateway for a ZIP).
    pub calls: Vec<TargetCall>,
    /// For a ZIP: the L1 calls the ProtocolUpgradeHandler executes (Gateway calls wrapped in
    /// Bridgehub requests).
    pub l1_calls: Vec<TargetCall>,
    /// For a ZIP: the upgrade proposal's salt (keccak256 of the description, so two drafts
    /// with different descriptions never share an upgrade id).
    pub salt: Option<alloy_primitives::B256>,
    /// The whole `propose(...)` call's calldata, for submitting without Tally.
    pub propose_calldata: Bytes,
}

/// Groups encoded changes into one proposal per governor (in ZIP, TPP, GAP order), each
/// with `description`. A ZIP puts all its L1 calls into one upgrade proposal sent to L1 in one
/// `sendToL1`.
pub fn build(changes: &[Encoded], description: &str, inputs: &Inputs) -> Vec<GovernorProposal> {
    let mut out = Vec::new();
    for governor in GovernorKind::ALL {
        let mine: Vec<&Encoded> = changes.iter().filter(|e| e.governor == governor).collect();
        if mine.is_empty() {
            continue;
        }
        let calls: Vec<TargetCall> = mine.iter().flat_map(|e| e.calls.iter().cloned()).collect();
        let (targets, values, calldatas, l1_calls, salt) = if governor.goes_through_l1() {
            let leg = inputs.gateway_leg.unwrap_or_default();
            let l1_calls: Vec<TargetCall> = calls
                .iter()
                .map(|c| match c.chain {
                    Chain::Gateway => gateway_request(c, leg),
                    _ => c.clone(),
                })
                .collect();
            let salt = keccak256(description.as_bytes());
            let proposal = UpgradeProposal {
                calls: l1_calls
                    .iter()
                    .map(|c| Call {
                        target: c.target,
                        value: c.value,
                        data: c.data.clone(),
                    })
                    .collect(),
                executor: Address::ZERO,
                salt,
            };
            // `abi.encode(_proposal)`, as `startUpgrade` rebuilds the message: a dynamic struct
            // is encoded behind its offset.
            let message = proposal.abi_encode();
            let data = sendToL1Call {
                _message: message.into(),
            }
            .abi_encode();
            (
                vec![L1_MESSENGER.address],
                vec![U256::ZERO],
                vec![Bytes::from(data)],
                l1_calls,
                Some(salt),
            )
        } else {
            (
                calls.iter().map(|c| c.target).collect(),
                calls.iter().map(|c| c.value).collect(),
                calls.iter().map(|c| c.data.clone()).collect(),
                Vec::new(),
                None,
            )
        };
        let propose_calldata = proposeCall {
            targets: targets.clone(),
            values: values.clone(),
            calldatas: calldatas.clone(),
            description: description.to_string(),
        }
        .abi_encode();
        out.push(GovernorProposal {
            governor,
            targets,
            values,
            calldatas,
            description: description.to_string(),
            calls,
            l1_calls,
            salt,
            propose_calldata: propose_calldata.into(),
        });
    }
    out
}

/// Decodes a ZIP's Era calldata back into its upgrade proposal (what the
/// ProtocolUpgradeHandler will see), or `None` if it is not a `sendToL1` of one.
pub fn decode_zip(calldata: &[u8]) -> Option<UpgradeProposal> {
    let m = sendToL1Call::abi_decode(calldata).ok()?;
    UpgradeProposal::abi_decode(&m._message).ok()
}

/// Why a lever has no calldata, for people.
pub fn no_calldata_reason(n: NoCalldata) -> &'static str {
    match n {
        NoCalldata::NeedsNewCode => {
            "needs new contract code (a protocol upgrade), not a parameter call"
        }
        NoCalldata::NeedsDeployment => {
            "needs a contract deployed first; its address is not known before"
        }
        NoCalldata::NoSetter => "no function sets it after deployment",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::tokens;
    use alloy_primitives::address;

    fn one(key: &str, value: U256, inputs: &Inputs) -> GovernorProposal {
        let e = encode(key, value, inputs).unwrap().unwrap();
        let mut p = build(&[e], "# test", inputs);
        assert_eq!(p.len(), 1);
        p.remove(0)
    }

    #[test]
    fn a_threshold_change_is_a_tpp_calling_fee_flow_at_its_era_address() {
        let p = one(
            "protocol.fee_flow_threshold",
            tokens(500_000),
            &Inputs::default(),
        );
        assert_eq!(p.governor, GovernorKind::Token);
        assert_eq!(p.targets, vec![proposal_path::FEE_FLOW.address]);
        let c = setBidThresholdCall::abi_decode(&p.calldatas[0]).unwrap();
        assert_eq!(c._newThreshold, tokens(500_000));
        // The propose calldata carries the same arrays.
        let pr = proposeCall::abi_decode(&p.propose_calldata).unwrap();
        assert_eq!(pr.targets, p.targets);
        assert_eq!(pr.calldatas, p.calldatas);
        assert_eq!(pr.description, "# test");
    }

    #[test]
    fn values_the_contracts_refuse_are_errors_naming_the_key() {
        let e = encode(
            "protocol.fee_flow_threshold",
            tokens(99_999),
            &Inputs::default(),
        );
        assert!(
            matches!(e, Err(CalldataError::OutOfRange { ref key, .. }) if key == "protocol.fee_flow_threshold")
        );
        let e = encode("protocol.burn_bps", U256::from(10_001), &Inputs::default());
        assert!(matches!(e, Err(CalldataError::OutOfRange { .. })));
        let e = encode("protocol.burn_bps", U256::from(8_000), &Inputs::default());
        assert!(matches!(e, Err(CalldataError::NeedsDistributor { .. })));
    }

    #[test]
    fn a_lower_burn_share_sets_the_distributor_first() {
        let d = address!("00000000000000000000000000000000000000aa");
        let inputs = Inputs {
            distributor: Some(d),
            ..Inputs::default()
        };
        let p = one("protocol.burn_bps", U256::from(8_000), &inputs);
        assert_eq!(p.targets, vec![proposal_path::SPLITTER.address; 2]);
        let set = setDistributorsCall::abi_decode(&p.calldatas[0]).unwrap();
        assert_eq!(set._newDistributors[0].recipient, d);
        let burn = setBurnPercentageCall::abi_decode(&p.calldatas[1]).unwrap();
        assert_eq!(burn._newBurnBps, U256::from(8_000));
        // 100% needs no distributor.
        let p = one("protocol.burn_bps", U256::from(10_000), &Inputs::default());
        assert_eq!(p.calldatas.len(), 1);
    }

    #[test]
    fn a_settlement_fee_change_is_a_zip_reaching_gateway_through_l1() {
        let p = one(
            "protocol.gateway_settlement_fee",
            tokens(7),
            &Inputs::default(),
        );
        assert_eq!(p.governor, GovernorKind::Protocol);
        assert_eq!(p.targets, vec![L1_MESSENGER.address]);
        let up = decode_zip(&p.calldatas[0]).unwrap();
        // `abi.encode(struct)` puts the struct behind its offset (one word, 0x20).
        let message = sendToL1Call::abi_decode(&p.calldatas[0]).unwrap()._message;
        assert_eq!(U256::from_be_slice(&message[..32]), U256::from(32));
        assert_eq!(up.executor, Address::ZERO);
        assert_eq!(up.salt, keccak256(b"# test"));
        assert_eq!(up.calls.len(), 1);
        assert_eq!(up.calls[0].target, BRIDGEHUB.address);
        let req = requestL2TransactionDirectCall::abi_decode(&up.calls[0].data)
            .unwrap()
            ._request;
        assert_eq!(req.chainId, U256::from(9075));
        assert_eq!(req.l2Contract, proposal_path::GW_ASSET_TRACKER.address);
        assert_eq!(req.refundRecipient, PROTOCOL_UPGRADE_HANDLER.address);
        let fee = setGatewaySettlementFeeCall::abi_decode(&req.l2Calldata).unwrap();
        assert_eq!(fee._fee, tokens(7));
    }

    #[test]
    fn changes_for_two_governors_become_two_proposals() {
        let inputs = Inputs::default();
        let a = encode("protocol.gateway_settlement_fee", tokens(7), &inputs)
            .unwrap()
            .unwrap();
        let b = encode("protocol.fee_flow_threshold", tokens(200_000), &inputs)
            .unwrap()
            .unwrap();
        let p = build(&[b, a], "d", &inputs);
        let kinds: Vec<_> = p.iter().map(|p| p.governor).collect();
        assert_eq!(kinds, vec![GovernorKind::Protocol, GovernorKind::Token]);
    }

    #[test]
    fn levers_without_a_setter_or_off_chain_have_no_calldata() {
        for key in [
            "protocol.fixed_interop_fee",
            "protocol.fee_flow_min_threshold",
            "staking.seasons.0.cap",
            "protocol.fee_flow_revenue_share_bps",
            "traffic.calls_per_day",
        ] {
            assert_eq!(
                encode(key, tokens(1), &Inputs::default()),
                Ok(None),
                "{key}"
            );
        }
    }
}
