//! User transactions in revm, over the protocol state.
//!
//! One source of truth per chain: revm reads an account's balance from the protocol
//! [`State`] (the chain's base-token ledger) and everything else (nonce, code, storage) from
//! [`EvmState`]; after a transaction, the balance changes revm computed go back to the
//! protocol as ordinary `Transfer` actions, applied all or nothing. There is no second copy
//! of any balance that could drift.

use crate::dispatch::SystemDispatch;
use crate::overrides::{AccountOverride, CallOverrides};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use flywheel_protocol::chain::AssetId;
use flywheel_protocol::network::{Action, State};
use flywheel_protocol::ChainId;
use imbl::OrdMap;
use revm::bytecode::Bytecode;
use revm::context::result::{EVMError, ExecResultAndState, ExecutionResult};
use revm::context::{BlockEnv, TxEnv};
use revm::database_interface::{DatabaseRef, WrapDatabaseRef};
use revm::primitives::hardfork::SpecId;
use revm::primitives::KECCAK_EMPTY;
use revm::state::{Account, AccountInfo};
use revm::{Context, InspectEvm, MainBuilder, MainContext};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

/// The hardfork user transactions run under: Prague (what current compilers target by
/// default; no Osaka per-transaction gas cap).
pub const SPEC: SpecId = SpecId::PRAGUE;

/// Every block's gas limit (30M, Ethereum's long-standing value; a transaction asking for
/// more is refused: "exceeds block gas limit").
pub const BLOCK_GAS_LIMIT: u64 = 30_000_000;

/// Base fee per gas, in the chain's base-token wei, fixed on every chain. Model choice: ZK
/// chains price gas by the operator's setting rather than EIP-1559's adjustment, and a
/// devnet's load says nothing about real prices; the whole fee (base and priority) goes to
/// the chain's operator, as on ZK chains (no burn).
pub const BASE_FEE: u64 = 1_000_000_000;

/// A chain's accounts apart from balances: nonces, code and storage. Persistent maps, so a
/// block's snapshot is an O(1) clone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvmState {
    /// Nonce and code hash of every account that has either.
    pub accounts: OrdMap<Address, EvmAccount>,
    /// Code by hash.
    pub code: OrdMap<B256, Bytes>,
    /// Storage slots that are not zero.
    pub storage: OrdMap<(Address, U256), U256>,
}

/// Nonce and code of one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvmAccount {
    /// Transaction count (or contract creation count).
    pub nonce: u64,
    /// Hash of its code (`KECCAK_EMPTY` for none).
    pub code_hash: B256,
}

impl EvmState {
    /// The account's nonce.
    pub fn nonce(&self, who: Address) -> u64 {
        self.accounts.get(&who).map_or(0, |a| a.nonce)
    }

    /// The account's code (empty for none).
    pub fn code_of(&self, who: Address) -> Bytes {
        self.accounts
            .get(&who)
            .and_then(|a| self.code.get(&a.code_hash))
            .cloned()
            .unwrap_or_default()
    }

    /// One storage slot.
    pub fn slot(&self, who: Address, key: U256) -> U256 {
        self.storage.get(&(who, key)).copied().unwrap_or_default()
    }
}

/// What revm reads: the protocol's balances and the chain's [`EvmState`].
#[derive(Debug, Clone, Copy)]
pub struct ChainDb<'a> {
    /// The protocol state (balances).
    pub protocol: &'a State,
    /// Which chain.
    pub chain: ChainId,
    /// Its base token.
    pub asset: AssetId,
    /// Its nonces, code and storage.
    pub evm: &'a EvmState,
    /// Hashes of its blocks by number (for `BLOCKHASH`).
    pub hashes: &'a [B256],
    /// An `eth_call`'s state overrides, read before all of the above.
    pub overrides: Option<&'a CallOverrides>,
}

impl ChainDb<'_> {
    fn overridden(&self, who: Address) -> Option<&AccountOverride> {
        self.overrides.and_then(|o| o.account(who))
    }

    fn balance(&self, who: Address) -> U256 {
        self.protocol
            .chains
            .get(&self.chain)
            .map_or(U256::ZERO, |c| c.balance(self.asset, who))
    }
}

impl DatabaseRef for ChainDb<'_> {
    type Error = Infallible;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, Infallible> {
        let over = self.overridden(address);
        let balance = over
            .and_then(|o| o.balance)
            .unwrap_or_else(|| self.balance(address));
        let acct = self.evm.accounts.get(&address).copied();
        if balance.is_zero() && acct.is_none() && over.is_none() {
            return Ok(None);
        }
        let mut acct = acct.unwrap_or(EvmAccount {
            nonce: 0,
            code_hash: KECCAK_EMPTY,
        });
        let mut code = self
            .evm
            .code
            .get(&acct.code_hash)
            .map(|c| Bytecode::new_raw(c.clone()));
        if let Some(o) = over {
            acct.nonce = o.nonce.unwrap_or(acct.nonce);
            if let Some((hash, c)) = &o.code {
                acct.code_hash = *hash;
                code = c.clone();
            }
        }
        Ok(Some(AccountInfo {
            balance,
            nonce: acct.nonce,
            code_hash: acct.code_hash,
            code,
            ..AccountInfo::default()
        }))
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, Infallible> {
        if let Some(c) = self.overrides.and_then(|o| o.code_by_hash(code_hash)) {
            return Ok(c);
        }
        Ok(self
            .evm
            .code
            .get(&code_hash)
            .map(|c| Bytecode::new_raw(c.clone()))
            .unwrap_or_default())
    }

    fn storage_ref(&self, address: Address, index: U256) -> Result<U256, Infallible> {
        Ok(self
            .overridden(address)
            .and_then(|o| o.slot(index))
            .unwrap_or_else(|| self.evm.slot(address, index)))
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, Infallible> {
        Ok(usize::try_from(number)
            .ok()
            .and_then(|n| self.hashes.get(n))
            .copied()
            .unwrap_or_default())
    }
}

/// The block a transaction runs in.
#[derive(Debug, Clone, Copy)]
pub struct BlockCtx {
    /// Chain id (EIP-155).
    pub chain_id: ChainId,
    /// Block number.
    pub number: u64,
    /// Unix seconds.
    pub timestamp: u64,
    /// Fee recipient: the chain's operator.
    pub coinbase: Address,
}

/// How a transaction is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A real transaction: every check (nonce, balance, fees).
    Transact,
    /// `eth_call` / `eth_estimateGas`: no nonce check, and no fee when none is asked for.
    Call,
}

/// Changes revm made, per account.
pub type Changes = revm::state::EvmState;

/// What one run produced: revm's outcome, and the dispatcher holding the protocol effects of
/// the system calls that were not reverted.
pub type RunOutput = (
    Result<ExecResultAndState<ExecutionResult, Changes>, EVMError<Infallible>>,
    SystemDispatch,
);

/// Runs `tx` on `db` without changing anything; system-contract calls go to `dispatch`'s
/// working network. Returns revm's result and changes, and the dispatcher.
pub fn run(
    db: ChainDb<'_>,
    block: &BlockCtx,
    tx: TxEnv,
    mode: Mode,
    dispatch: SystemDispatch,
) -> RunOutput {
    let call = mode == Mode::Call;
    let free = call && tx.gas_price == 0;
    let mut evm = Context::mainnet()
        .with_db(WrapDatabaseRef(db))
        .modify_cfg_chained(|cfg| {
            cfg.chain_id = block.chain_id;
            cfg.spec = SPEC;
            cfg.disable_nonce_check = call;
            cfg.disable_base_fee = free;
        })
        .modify_block_chained(|b: &mut BlockEnv| {
            b.number = U256::from(block.number);
            b.timestamp = U256::from(block.timestamp);
            b.beneficiary = block.coinbase;
            b.gas_limit = BLOCK_GAS_LIMIT;
            b.basefee = if free { 0 } else { BASE_FEE };
            b.prevrandao = Some(keccak256(block.number.to_be_bytes()));
        })
        .build_mainnet_with_inspector(dispatch);
    let out = evm.inspect_tx(tx);
    (out, evm.inspector)
}

/// What committing a transaction's changes means: the balance moves as protocol actions (all
/// or nothing), and the chain's new nonces, code and storage.
#[derive(Debug, Clone)]
pub struct Commit {
    /// `Transfer`s on the chain's base token that reproduce revm's balance changes; any value
    /// that left the accounts without arriving anywhere (the base fee revm burns) goes to the
    /// coinbase, the operator.
    pub transfers: Vec<Action>,
    /// The chain's accounts after the transaction.
    pub evm: EvmState,
}

/// Why a commit cannot be planned: revm's balances do not fit the protocol's (never expected:
/// the EVM does not create value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the EVM's balance changes do not balance: {0}")]
pub struct CommitError(String);

/// Turns revm's changes into a [`Commit`]. `after_system` is the protocol state once the
/// transaction's system calls are applied: revm's journal already holds their balance
/// changes, so what is left to commit is the difference from it.
pub fn plan_commit(
    db: ChainDb<'_>,
    after_system: &State,
    coinbase: Address,
    changes: &Changes,
) -> Result<Commit, CommitError> {
    let base = ChainDb {
        protocol: after_system,
        ..db
    };
    let mut evm = db.evm.clone();
    let mut payers: Vec<(Address, U256)> = Vec::new();
    let mut payees: Vec<(Address, U256)> = Vec::new();
    let mut touched: Vec<(&Address, &Account)> =
        changes.iter().filter(|(_, a)| a.is_touched()).collect();
    // Deterministic order (HashMap iteration is not).
    touched.sort_by_key(|(a, _)| **a);
    for (addr, acct) in touched {
        let before = base.balance(*addr);
        let after = acct.info.balance;
        if after < before {
            payers.push((*addr, before - after));
        } else if after > before {
            payees.push((*addr, after - before));
        }
        if acct.is_selfdestructed() {
            evm.accounts.remove(addr);
            let keys: Vec<_> = evm
                .storage
                .range((*addr, U256::ZERO)..=(*addr, U256::MAX))
                .map(|(k, _)| *k)
                .collect();
            for k in keys {
                evm.storage.remove(&k);
            }
            continue;
        }
        let code_hash = acct.info.code_hash;
        if code_hash != KECCAK_EMPTY && !evm.code.contains_key(&code_hash) {
            if let Some(code) = &acct.info.code {
                evm.code.insert(code_hash, code.original_bytes());
            }
        }
        let entry = EvmAccount {
            nonce: acct.info.nonce,
            code_hash,
        };
        if entry.nonce == 0 && code_hash == KECCAK_EMPTY {
            evm.accounts.remove(addr);
        } else {
            evm.accounts.insert(*addr, entry);
        }
        for (key, slot) in acct.storage.iter().filter(|(_, s)| s.is_changed()) {
            if slot.present_value.is_zero() {
                evm.storage.remove(&(*addr, *key));
            } else {
                evm.storage.insert((*addr, *key), slot.present_value);
            }
        }
    }
    let paid: U256 = payers.iter().map(|p| p.1).fold(U256::ZERO, |a, b| a + b);
    let received: U256 = payees.iter().map(|p| p.1).fold(U256::ZERO, |a, b| a + b);
    if received > paid {
        return Err(CommitError(format!("{received} received for {paid} paid")));
    }
    if paid > received {
        match payees.iter_mut().find(|p| p.0 == coinbase) {
            Some(p) => p.1 += paid - received,
            None => payees.push((coinbase, paid - received)),
        }
    }
    // Match payers to payees in order: every transfer moves value one payer actually lost to
    // one payee that actually gained it.
    let mut transfers = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < payers.len() && j < payees.len() {
        let amount = payers[i].1.min(payees[j].1);
        transfers.push(Action::Transfer {
            chain: db.chain,
            asset: db.asset,
            from: payers[i].0,
            to: payees[j].0,
            amount,
        });
        payers[i].1 -= amount;
        payees[j].1 -= amount;
        if payers[i].1.is_zero() {
            i += 1;
        }
        if payees[j].1.is_zero() {
            j += 1;
        }
    }
    Ok(Commit { transfers, evm })
}
