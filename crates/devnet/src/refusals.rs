//! InteropHandler's refusals as the contract reports them — its custom errors
//! (era-contracts@4859b6f:l1-contracts/contracts/interop/InteropErrors.sol, raised in
//! `InteropHandler.sol`) — and, for the message tracer, each in plain words.
//!
//! The protocol crate refuses with a typed [`ProtocolError`]; [`handler_revert`] encodes it as
//! the error the contract raises for the same check (so clients decoding the contract's ABI,
//! as zksync-js does with `IInteropErrors`, read the real name), and [`explain`] reads any
//! revert data back into the error's name and what it means.

use crate::system::abi as sys;
use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolError};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::CallStatus;
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::interop::bundle::SealedBundle;
use flywheel_protocol::ChainId;

sol! {
    /// era-contracts@4859b6f:l1-contracts/contracts/interop/InteropErrors.sol.
    error MessageNotIncluded();
    error BundleAlreadyProcessed(bytes32 bundleHash);
    error CallAlreadyExecuted(bytes32 bundleHash, uint256 callIndex);
    error CallNotExecutable(bytes32 bundleHash, uint256 callIndex);
    error CannotClaimInteropOnL1Settlement();
    error CanNotUnbundle(bytes32 bundleHash);
    error ExecutingNotAllowed(bytes32 bundleHash, bytes callerAddress, bytes executionAddress);
    error UnbundlingNotAllowed(bytes32 bundleHash, bytes callerAddress, bytes unbundlerAddress);
    error WrongCallStatusLength(uint256 bundleCallsLength, uint256 providedCallStatusLength);
    error WrongDestinationBaseTokenAssetId(bytes32 bundleHash, bytes32 expected, bytes32 actual);
    error WrongDestinationChainId(bytes32 bundleHash, uint256 expected, uint256 actual);
    error WrongSourceChainId(bytes32 bundleHash, uint256 expected, uint256 actual);
    error UnauthorizedMessageSender(address expected, address actual);
}

/// The bundle (and, for `executeBundle` / `verifyBundle`, the proof's chain id) a handler call
/// names.
fn named_bundle(calldata: &[u8]) -> Option<(SealedBundle, Option<u64>)> {
    let selector = calldata.get(..4)?;
    let (bundle, proof_chain) = if selector == sys::executeBundleCall::SELECTOR {
        let c = sys::executeBundleCall::abi_decode(calldata).ok()?;
        (c._bundle, u64::try_from(c._proof.chainId).ok())
    } else if selector == sys::verifyBundleCall::SELECTOR {
        let c = sys::verifyBundleCall::abi_decode(calldata).ok()?;
        (c._bundle, u64::try_from(c._proof.chainId).ok())
    } else if selector == sys::unbundleBundleCall::SELECTOR {
        let c = sys::unbundleBundleCall::abi_decode(calldata).ok()?;
        (c._bundle, None)
    } else {
        return None;
    };
    Some((SealedBundle::from_encoded(&bundle).ok()?, proof_chain))
}

/// `calldata`'s bundle and proof chain, if it is a handler call naming a readable bundle.
pub fn bundle_of_call(calldata: &[u8]) -> Option<SealedBundle> {
    named_bundle(calldata).map(|(b, _)| b)
}

/// Revert data for a handler call (`calldata`, sent by `caller` on `chain`) that the protocol
/// refused with `e`: the contract's custom error for the same check; refusals the contract
/// reports otherwise (a call's own revert, a malformed bundle) keep
/// [`crate::dispatch::revert_data`]'s encoding.
pub fn handler_revert(
    e: &ProtocolError,
    calldata: &[u8],
    caller: Address,
    chain: ChainId,
) -> Bytes {
    let named = named_bundle(calldata);
    let hash = named.as_ref().map_or(B256::ZERO, |(b, _)| b.hash);
    let me = || InteropAddress::new(chain, caller).encode();
    let encoded: Vec<u8> = match e {
        ProtocolError::Proof(
            flywheel_protocol::settlement::ProofError::UnauthorizedMessageSender(actual),
        ) => UnauthorizedMessageSender {
            expected: flywheel_protocol::chain::INTEROP_CENTER,
            actual: *actual,
        }
        .abi_encode(),
        ProtocolError::Proof(_) | ProtocolError::Merkle(_) => MessageNotIncluded {}.abi_encode(),
        ProtocolError::ContextMismatch(_) => match &named {
            Some((b, _)) if b.bundle.destinationChainId != U256::from(chain) => {
                WrongDestinationChainId {
                    bundleHash: hash,
                    expected: b.bundle.destinationChainId,
                    actual: U256::from(chain),
                }
                .abi_encode()
            }
            Some((b, Some(proof_chain))) if b.bundle.sourceChainId != U256::from(*proof_chain) => {
                WrongSourceChainId {
                    bundleHash: hash,
                    expected: b.bundle.sourceChainId,
                    actual: U256::from(*proof_chain),
                }
                .abi_encode()
            }
            // The contract proves the bundle's own message: another message's proof fails.
            _ => MessageNotIncluded {}.abi_encode(),
        },
        ProtocolError::BundleAlreadyProcessed { hash, .. } => {
            BundleAlreadyProcessed { bundleHash: *hash }.abi_encode()
        }
        ProtocolError::BundleNotVerified(hash) => CanNotUnbundle { bundleHash: *hash }.abi_encode(),
        ProtocolError::CannotClaimInteropOnL1Settlement { .. } => {
            CannotClaimInteropOnL1Settlement {}.abi_encode()
        }
        ProtocolError::WrongDestinationBaseTokenAssetId {
            hash,
            expected,
            actual,
        } => WrongDestinationBaseTokenAssetId {
            bundleHash: *hash,
            expected: *expected,
            actual: *actual,
        }
        .abi_encode(),
        ProtocolError::StatusCountMismatch { given, calls } => WrongCallStatusLength {
            bundleCallsLength: U256::from(*calls),
            providedCallStatusLength: U256::from(*given),
        }
        .abi_encode(),
        ProtocolError::BadCallTransition {
            hash, index, from, ..
        } => {
            let call_index = U256::from(*index);
            if *from == CallStatus::Executed {
                CallAlreadyExecuted {
                    bundleHash: *hash,
                    callIndex: call_index,
                }
                .abi_encode()
            } else {
                CallNotExecutable {
                    bundleHash: *hash,
                    callIndex: call_index,
                }
                .abi_encode()
            }
        }
        ProtocolError::Unauthorized { action, hash, .. } => {
            let attrs = named.as_ref().map(|(b, _)| &b.bundle.bundleAttributes);
            if *action == "unbundle" {
                UnbundlingNotAllowed {
                    bundleHash: *hash,
                    callerAddress: me(),
                    unbundlerAddress: attrs
                        .map(|a| a.unbundlerAddress.clone())
                        .unwrap_or_default(),
                }
                .abi_encode()
            } else {
                ExecutingNotAllowed {
                    bundleHash: *hash,
                    callerAddress: me(),
                    executionAddress: attrs
                        .map(|a| a.executionAddress.clone())
                        .unwrap_or_default(),
                }
                .abi_encode()
            }
        }
        other => return crate::dispatch::revert_data(other),
    };
    encoded.into()
}

/// A refusal read back: the contract's error name and what it means.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Explained {
    /// The contract's error name (`Error` for a revert string, `unknown` for data no served
    /// contract raises).
    pub error: String,
    /// Why, in plain words.
    pub why: String,
}

/// Reads revert data into the error's name and an explanation.
pub fn explain(output: &[u8]) -> Explained {
    let e = |error: &str, why: String| Explained {
        error: error.into(),
        why,
    };
    if let Ok(x) = sys::Error::abi_decode(output) {
        return e("Error", x.message);
    }
    if MessageNotIncluded::abi_decode(output).is_ok() {
        return e(
            "MessageNotIncluded",
            "the proof does not show the bundle's message in an interop root this chain has \
             imported: a wrong proof, or one for a batch whose root is not imported yet"
                .into(),
        );
    }
    if let Ok(x) = BundleAlreadyProcessed::abi_decode(output) {
        return e(
            "BundleAlreadyProcessed",
            format!(
                "bundle {} was already executed or unbundled here: a bundle runs once",
                x.bundleHash
            ),
        );
    }
    if let Ok(x) = ExecutingNotAllowed::abi_decode(output) {
        return e(
            "ExecutingNotAllowed",
            format!(
                "the bundle names executor {} and the caller was {}: only it may execute",
                x.executionAddress, x.callerAddress
            ),
        );
    }
    if let Ok(x) = UnbundlingNotAllowed::abi_decode(output) {
        return e(
            "UnbundlingNotAllowed",
            format!(
                "the bundle names unbundler {} and the caller was {}: only it may unbundle",
                x.unbundlerAddress, x.callerAddress
            ),
        );
    }
    if let Ok(x) = CanNotUnbundle::abi_decode(output) {
        return e(
            "CanNotUnbundle",
            format!(
                "bundle {} is not verified on this chain: verify it (verifyBundle) first",
                x.bundleHash
            ),
        );
    }
    if let Ok(x) = WrongCallStatusLength::abi_decode(output) {
        return e(
            "WrongCallStatusLength",
            format!(
                "the bundle has {} calls and {} statuses were given",
                x.bundleCallsLength, x.providedCallStatusLength
            ),
        );
    }
    if let Ok(x) = CallAlreadyExecuted::abi_decode(output) {
        return e(
            "CallAlreadyExecuted",
            format!("call {} was already executed", x.callIndex),
        );
    }
    if let Ok(x) = CallNotExecutable::abi_decode(output) {
        return e(
            "CallNotExecutable",
            format!(
                "call {} is no longer unprocessed (cancelled or executed) and cannot run",
                x.callIndex
            ),
        );
    }
    if CannotClaimInteropOnL1Settlement::abi_decode(output).is_ok() {
        return e(
            "CannotClaimInteropOnL1Settlement",
            "this chain settles on L1: bundles are executed only on chains settling on Gateway"
                .into(),
        );
    }
    if let Ok(x) = WrongDestinationChainId::abi_decode(output) {
        return e(
            "WrongDestinationChainId",
            format!(
                "the bundle is for chain {}, this is chain {}",
                x.expected, x.actual
            ),
        );
    }
    if let Ok(x) = WrongSourceChainId::abi_decode(output) {
        return e(
            "WrongSourceChainId",
            format!(
                "the bundle comes from chain {}, the proof is for chain {}",
                x.expected, x.actual
            ),
        );
    }
    if let Ok(x) = WrongDestinationBaseTokenAssetId::abi_decode(output) {
        return e(
            "WrongDestinationBaseTokenAssetId",
            format!(
                "the bundle names base token asset {}, this chain's is {}",
                x.actual, x.expected
            ),
        );
    }
    if let Ok(x) = UnauthorizedMessageSender::abi_decode(output) {
        return e(
            "UnauthorizedMessageSender",
            format!(
                "the proven message was sent by {}, not the InteropCenter",
                x.actual
            ),
        );
    }
    if output.is_empty() {
        return e("unknown", "reverted without data".into());
    }
    e(
        "unknown",
        format!(
            "revert data {} is no error of the served contracts",
            Bytes::copy_from_slice(output)
        ),
    )
}
