//! `eth_call` / `eth_estimateGas` state overrides, the third parameter as geth and anvil take
//! it: per address `balance`, `nonce`, `code`, and either `state` (all storage replaced) or
//! `stateDiff` (slots patched). They exist only in the call's view of the chain
//! ([`crate::evm::ChainDb`] reads them before the chain's accounts), so nothing persists and a
//! balance override never touches the protocol state. Anything else (`movePrecompileToAddress`,
//! unknown keys) is refused, never ignored.

use crate::limits::MAX_OVERRIDE_ACCOUNTS;
use crate::rpc::RpcError;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256, U64};
use revm::bytecode::Bytecode;
use revm::primitives::KECCAK_EMPTY;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One account's overrides as sent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Sent {
    balance: Option<U256>,
    nonce: Option<U64>,
    code: Option<Bytes>,
    state: Option<BTreeMap<B256, B256>>,
    state_diff: Option<BTreeMap<B256, B256>>,
}

/// An account's storage in the call's view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// `state`: these slots, every other one zero.
    Replace(BTreeMap<U256, U256>),
    /// `stateDiff`: these slots, the others as on the chain.
    Patch(BTreeMap<U256, U256>),
}

/// One account's overrides, checked.
#[derive(Debug, Clone, Default)]
pub struct AccountOverride {
    /// Balance in the chain's base token.
    pub balance: Option<U256>,
    /// Nonce.
    pub nonce: Option<u64>,
    /// Code with its hash (`None` inside: no code).
    pub code: Option<(B256, Option<Bytecode>)>,
    /// Storage.
    pub storage: Option<Storage>,
}

/// Every account's overrides for one call.
#[derive(Debug, Clone, Default)]
pub struct CallOverrides(BTreeMap<Address, AccountOverride>);

fn bad(message: impl std::fmt::Display) -> RpcError {
    RpcError::invalid_params(format!("parameter 2 (stateOverrides): {message}"))
}

fn slots(m: BTreeMap<B256, B256>) -> BTreeMap<U256, U256> {
    m.into_iter()
        .map(|(k, v)| (U256::from_be_bytes(k.0), U256::from_be_bytes(v.0)))
        .collect()
}

impl CallOverrides {
    /// Parameter 2 of `eth_call` / `eth_estimateGas` (absent or null: none).
    pub fn from_param(params: &[Value]) -> Result<Option<Self>, RpcError> {
        let v = match params.get(2) {
            None | Some(Value::Null) => return Ok(None),
            Some(v) => v,
        };
        let sent: BTreeMap<Address, Sent> = serde_json::from_value(v.clone()).map_err(bad)?;
        if sent.len() > MAX_OVERRIDE_ACCOUNTS {
            return Err(bad(format!(
                "at most {MAX_OVERRIDE_ACCOUNTS} accounts, got {}",
                sent.len()
            )));
        }
        let mut out = BTreeMap::new();
        for (addr, s) in sent {
            let storage = match (s.state, s.state_diff) {
                (Some(_), Some(_)) => {
                    return Err(bad(format!("account {addr} has both state and stateDiff")))
                }
                (Some(m), None) => Some(Storage::Replace(slots(m))),
                (None, Some(m)) => Some(Storage::Patch(slots(m))),
                (None, None) => None,
            };
            let code = match s.code {
                None => None,
                Some(c) if c.is_empty() => Some((KECCAK_EMPTY, None)),
                Some(c) => {
                    let hash = keccak256(&c);
                    let code = Bytecode::new_raw_checked(c)
                        .map_err(|e| bad(format!("code of {addr}: {e}")))?;
                    Some((hash, Some(code)))
                }
            };
            let nonce = s.nonce.map(|n| n.saturating_to::<u64>());
            out.insert(
                addr,
                AccountOverride {
                    balance: s.balance,
                    nonce,
                    code,
                    storage,
                },
            );
        }
        Ok(Some(Self(out)))
    }

    /// The overrides of `who`, if any.
    pub fn account(&self, who: Address) -> Option<&AccountOverride> {
        self.0.get(&who)
    }

    /// Override code with this hash, if any.
    pub fn code_by_hash(&self, hash: B256) -> Option<Bytecode> {
        self.0
            .values()
            .filter_map(|a| a.code.as_ref())
            .find(|(h, _)| *h == hash)
            .and_then(|(_, c)| c.clone())
    }
}

impl AccountOverride {
    /// A storage slot in the call's view, `None` where the chain's value stands.
    pub fn slot(&self, key: U256) -> Option<U256> {
        match &self.storage {
            None => None,
            Some(Storage::Replace(m)) => Some(m.get(&key).copied().unwrap_or_default()),
            Some(Storage::Patch(m)) => m.get(&key).copied(),
        }
    }
}
