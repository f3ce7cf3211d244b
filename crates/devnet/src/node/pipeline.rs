//! The transaction pipeline: a signed transaction (or a call) runs in revm over the protocol
//! state with the system contracts dispatched to the protocol, is committed all or nothing,
//! and joins the chain's pending block; blocks are sealed here too.

use super::{wall_clock, Devnet, Role};
use crate::chain::TxRecord;
use crate::dispatch::SystemDispatch;
use crate::evm::{plan_commit, BlockCtx, ChainDb, EvmState, Mode, BASE_FEE, BLOCK_GAS_LIMIT};
use crate::overrides::CallOverrides;
use crate::rpc::RpcError;
use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::{Transaction as _, TxEnvelope, TxType};
use alloy_eips::eip2718::Typed2718;
use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, TxKind, B256};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::SolValue;
use flywheel_protocol::event::Event;
use flywheel_protocol::interop::bundle::SealedBundle;
use flywheel_protocol::network::{Action, State};
use flywheel_protocol::ChainId;
use revm::context::result::{EVMError, ExecutionResult, InvalidTransaction};
use revm::context::TxEnv;
use serde_json::json;

/// A `TxEnv` for a signed transaction from `from`.
pub(super) fn tx_env(env: &TxEnvelope, from: Address) -> TxEnv {
    TxEnv {
        tx_type: env.ty(),
        caller: from,
        gas_limit: env.gas_limit(),
        gas_price: env.max_fee_per_gas(),
        kind: env.kind(),
        value: env.value(),
        data: env.input().clone(),
        nonce: env.nonce(),
        chain_id: env.chain_id(),
        access_list: env.access_list().cloned().unwrap_or_default(),
        gas_priority_fee: env.max_priority_fee_per_gas(),
        ..TxEnv::default()
    }
}

/// A `TxEnv` for `eth_call` / `eth_estimateGas` from a request.
pub(super) fn call_env(req: &TransactionRequest, chain_id: ChainId, gas: u64) -> TxEnv {
    let eip1559 = req.max_fee_per_gas.is_some() || req.max_priority_fee_per_gas.is_some();
    TxEnv {
        tx_type: if eip1559 { 2 } else { 0 },
        caller: req.from.unwrap_or_default(),
        gas_limit: gas,
        gas_price: req.max_fee_per_gas.or(req.gas_price).unwrap_or(0),
        kind: req.to.unwrap_or(TxKind::Create),
        value: req.value.unwrap_or_default(),
        data: req.input.input().cloned().unwrap_or_default(),
        nonce: req.nonce.unwrap_or(0),
        chain_id: Some(chain_id),
        access_list: req.access_list.clone().unwrap_or_default(),
        gas_priority_fee: req.max_priority_fee_per_gas,
        ..TxEnv::default()
    }
}

/// A refused transaction's JSON-RPC error, in geth's words where clients match on them.
pub(super) fn invalid_tx(e: &InvalidTransaction) -> RpcError {
    use InvalidTransaction as I;
    let msg = match e {
        I::LackOfFundForMaxFee { fee, balance } => {
            format!("insufficient funds for gas * price + value: have {balance} want {fee}")
        }
        I::NonceTooLow { tx, state } => format!("nonce too low: next nonce {state}, tx nonce {tx}"),
        I::NonceTooHigh { tx, state } => {
            format!("nonce too high: next nonce {state}, tx nonce {tx}")
        }
        I::CallerGasLimitMoreThanBlock => "exceeds block gas limit".into(),
        I::GasPriceLessThanBasefee => "max fee per gas less than block base fee".into(),
        I::CallGasCostMoreThanGasLimit { .. } | I::GasFloorMoreThanGasLimit { .. } => {
            "intrinsic gas too low".into()
        }
        I::InvalidChainId | I::MissingChainId => "invalid chain id".into(),
        other => other.to_string(),
    };
    RpcError::server(msg)
}

/// `eth_call`'s error for a reverted or halted execution (code 3 with the revert data, as
/// geth answers, so clients decode custom errors).
pub(super) fn execution_error(result: &ExecutionResult) -> Option<RpcError> {
    match result {
        ExecutionResult::Success { .. } => None,
        ExecutionResult::Revert { output, .. } => Some(RpcError {
            code: 3,
            message: "execution reverted".into(),
            data: Some(json!(output)),
        }),
        ExecutionResult::Halt { reason, .. } => {
            Some(RpcError::server(format!("execution halted: {reason:?}")))
        }
    }
}

impl Devnet {
    /// Seconds now: the wall clock plus `evm_increaseTime`, never before chain `c`'s head.
    pub(super) fn now(&self, c: usize) -> u64 {
        let head = self.nodes[c].head().record.timestamp;
        wall_clock().saturating_add(self.time_offset).max(head)
    }

    /// Seals chain `c`'s pending block, moving the protocol clock to its timestamp first.
    pub fn seal(&mut self, c: usize, timestamp: Option<u64>) -> Result<(), RpcError> {
        let ts = timestamp
            .or(self.nodes[c].pending_timestamp)
            .unwrap_or_else(|| self.now(c));
        let now = self.net.state().time;
        if ts > now {
            self.apply(Action::AdvanceTime { seconds: ts - now })?;
        }
        let coinbase = self.coinbase(self.nodes[c].info.id);
        let state = self.net.state().clone();
        let end = self.log.len();
        self.nodes[c].seal(ts, end, state, coinbase);
        Ok(())
    }

    /// Seals every chain that has pending transactions (the `--block-time` tick).
    pub fn tick(&mut self) {
        for c in 0..self.nodes.len() {
            if !self.nodes[c].pending.is_empty() {
                // A clock step cannot fail: AdvanceTime has no checks.
                let _ = self.seal(c, None);
            }
        }
    }

    /// The protocol state and EVM accounts a block parameter names on chain `c`.
    pub(super) fn at(
        &self,
        c: usize,
        id: Option<BlockId>,
    ) -> Result<(&State, &EvmState), RpcError> {
        let node = &self.nodes[c];
        let n = match id.unwrap_or(BlockId::latest()) {
            BlockId::Hash(h) => *node
                .by_hash
                .get(&h.block_hash)
                .ok_or_else(|| RpcError::server("header not found"))?,
            BlockId::Number(BlockNumberOrTag::Number(n)) => n,
            BlockId::Number(BlockNumberOrTag::Earliest) => 0,
            BlockId::Number(t @ (BlockNumberOrTag::Finalized | BlockNumberOrTag::Safe)) => {
                crate::filters::resolve(node, t)
            }
            BlockId::Number(_) => return Ok((self.net.state(), &node.evm)),
        };
        let head = node.head().record.number;
        if n == head {
            return Ok((self.net.state(), &node.evm));
        }
        let b = usize::try_from(n)
            .ok()
            .and_then(|i| node.blocks.get(i))
            .ok_or_else(|| RpcError::server("header not found"))?;
        Ok((&b.state, &b.evm))
    }

    /// The next block's context on chain `c`.
    pub(super) fn next_block(&self, c: usize) -> BlockCtx {
        let node = &self.nodes[c];
        BlockCtx {
            chain_id: node.info.id,
            number: node.head().record.number + 1,
            timestamp: node.pending_timestamp.unwrap_or_else(|| self.now(c)),
            coinbase: self.coinbase(node.info.id),
        }
    }

    /// Runs a call on chain `c` at a block, changing nothing; also says whether a system
    /// call inside ran out of gas.
    pub(super) fn simulate(
        &self,
        c: usize,
        req: &TransactionRequest,
        id: Option<BlockId>,
        gas: u64,
        overrides: Option<&CallOverrides>,
    ) -> Result<(ExecutionResult, bool), RpcError> {
        let chain = self.nodes[c].info.id;
        let (state, evm) = self.at(c, id)?;
        let hashes = self.nodes[c].hashes();
        let db = ChainDb {
            protocol: state,
            chain,
            asset: self.asset(chain)?,
            evm,
            hashes,
            overrides,
        };
        let block = self.next_block(c);
        let dispatch = SystemDispatch::new(
            &self.net,
            chain,
            db.asset,
            self.nodes[c].info.role != Role::L1,
        );
        let (out, dispatch) =
            crate::evm::run(db, &block, call_env(req, chain, gas), Mode::Call, dispatch);
        match out {
            Ok(r) => Ok((r.result, dispatch.starved)),
            Err(EVMError::Transaction(e)) => Err(invalid_tx(&e)),
            Err(e) => Err(RpcError::server(e.to_string())),
        }
    }

    /// `eth_estimateGas`: the least gas limit with which the call succeeds (binary search
    /// from the gas it used, because of the 63/64 rule and refunds).
    pub(super) fn estimate(
        &self,
        c: usize,
        req: &TransactionRequest,
        id: Option<BlockId>,
        overrides: Option<&CallOverrides>,
    ) -> Result<u64, RpcError> {
        let cap = req.gas.unwrap_or(BLOCK_GAS_LIMIT).min(BLOCK_GAS_LIMIT);
        let (first, _) = self.simulate(c, req, id, cap, overrides)?;
        if let Some(e) = execution_error(&first) {
            return Err(e);
        }
        let fits = |gas: u64| {
            self.simulate(c, req, id, gas, overrides)
                .is_ok_and(|(r, starved)| r.is_success() && !starved)
        };
        let used = first.tx_gas_used();
        if fits(used) {
            return Ok(used);
        }
        let (mut lo, mut hi) = (used, cap);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hi)
    }

    /// Validates, executes and records a signed transaction on chain `c`; a refused one
    /// changes nothing.
    pub fn submit(&mut self, c: usize, envelope: TxEnvelope) -> Result<B256, RpcError> {
        let chain = self.nodes[c].info.id;
        if matches!(envelope.tx_type(), TxType::Eip4844 | TxType::Eip7702) {
            return Err(RpcError::server("transaction type not supported"));
        }
        match envelope.chain_id() {
            None => {
                return Err(RpcError::server(
                    "only replay-protected (EIP-155) transactions allowed over RPC",
                ))
            }
            Some(id) if id != chain => return Err(RpcError::server("invalid chain id")),
            Some(_) => {}
        }
        let hash = *envelope.tx_hash();
        let node = &self.nodes[c];
        if node.txs.contains_key(&hash) || node.pending.iter().any(|t| t.hash == hash) {
            return Err(RpcError::server("already known"));
        }
        let from = envelope
            .recover_signer()
            .map_err(|_| RpcError::server("invalid sender: bad signature"))?;
        if envelope.gas_limit() > BLOCK_GAS_LIMIT {
            return Err(RpcError::server("exceeds block gas limit"));
        }
        let next = node.evm.nonce(from);
        if envelope.nonce() < next {
            return Err(invalid_tx(&InvalidTransaction::NonceTooLow {
                tx: envelope.nonce(),
                state: next,
            }));
        }
        if envelope.nonce() > next {
            return Err(invalid_tx(&InvalidTransaction::NonceTooHigh {
                tx: envelope.nonce(),
                state: next,
            }));
        }
        // A full block is sealed first (with --block-time), so the transaction fits the next.
        if !self.automine && node.pending_gas() + envelope.gas_limit() > BLOCK_GAS_LIMIT {
            self.seal(c, None)?;
        }
        let block = self.next_block(c);
        let node = &self.nodes[c];
        let hashes = node.hashes();
        let asset = self.asset(chain)?;
        let db = ChainDb {
            protocol: self.net.state(),
            chain,
            asset,
            evm: &node.evm,
            hashes,
            overrides: None,
        };
        // The block's transactions are numbered from 0; the block gas limit keeps them far
        // below u16::MAX (at least 21,000 gas each).
        let tx_number = u16::try_from(node.pending.len())
            .map_err(|_| RpcError::server("block holds too many transactions"))?;
        let dispatch = SystemDispatch::new(&self.net, chain, asset, node.info.role != Role::L1)
            .in_transaction(tx_number);
        let (out, dispatch) = crate::evm::run(
            db,
            &block,
            tx_env(&envelope, from),
            Mode::Transact,
            dispatch,
        );
        let out = match out {
            Ok(out) => out,
            Err(EVMError::Transaction(e)) => return Err(invalid_tx(&e)),
            Err(e) => return Err(RpcError::server(e.to_string())),
        };
        let SystemDispatch {
            mut net,
            mut events,
            ..
        } = dispatch;
        let commit = plan_commit(db, net.state(), block.coinbase, &out.state)
            .map_err(|e| RpcError::new(crate::rpc::INTERNAL_ERROR, e.to_string()))?;
        if !commit.transfers.is_empty() {
            let evs = net
                .apply(Action::Batch(commit.transfers))
                .map_err(|e| RpcError::new(crate::rpc::INTERNAL_ERROR, e.to_string()))?;
            events.extend(evs);
        }
        // Nothing has changed until here: the working network becomes the network.
        self.net = net;
        for ev in &events {
            if let Event::InteropBundleSent { chain, bundle, .. } = ev {
                if let Ok(sealed) = SealedBundle::from_encoded(&bundle.abi_encode()) {
                    self.relay_queue.push((*chain, sealed));
                }
            }
        }
        let deposits = Self::requests_deposit(&events);
        self.log.extend(events);
        let node = &mut self.nodes[c];
        node.evm = commit.evm;
        node.pending_timestamp.get_or_insert(block.timestamp);
        let result = out.result;
        let contract_address = match &result {
            ExecutionResult::Success {
                output: revm::context::result::Output::Create(_, addr),
                ..
            } => *addr,
            _ => None,
        };
        let gas_used = result.tx_gas_used();
        let first_log_index = node.pending.iter().map(|t| t.logs.len() as u64).sum();
        let record = TxRecord {
            hash,
            from,
            block_number: block.number,
            index: node.pending.len() as u64,
            status: result.is_success(),
            gas_used,
            cumulative_gas_used: node.pending_gas() + gas_used,
            effective_gas_price: envelope.effective_gas_price(Some(BASE_FEE)),
            contract_address,
            logs: result.logs().to_vec(),
            first_log_index,
            output: result.output().cloned().unwrap_or_default(),
            envelope,
        };
        node.pending.push(record);
        if self.automine {
            self.seal(c, None)?;
        }
        if deposits {
            // The L2s' sequencers pick the new requests up at once.
            self.execute_deposits()?;
        }
        Ok(hash)
    }

    /// Signs a request for a dev account, filling nonce, gas and fees.
    pub(super) fn sign_for_dev(
        &self,
        c: usize,
        req: TransactionRequest,
    ) -> Result<TxEnvelope, RpcError> {
        let from = req
            .from
            .ok_or_else(|| RpcError::invalid_params("from is required"))?;
        let signer = self
            .accounts
            .iter()
            .find(|a| a.address == from)
            .map(|a| a.signer.clone())
            .ok_or_else(|| RpcError::server(format!("unknown account {from}")))?;
        self.sign_with(c, req, &signer)
    }

    /// Signs a request with `signer`, filling nonce, gas and fees.
    pub(super) fn sign_with(
        &self,
        c: usize,
        mut req: TransactionRequest,
        signer: &alloy_signer_local::PrivateKeySigner,
    ) -> Result<TxEnvelope, RpcError> {
        let from = signer.address();
        req.from = Some(from);
        let chain = self.nodes[c].info.id;
        req.chain_id = Some(chain);
        if req.nonce.is_none() {
            req.nonce = Some(self.nodes[c].evm.nonce(from));
        }
        if req.gas_price.is_none() {
            req.max_fee_per_gas.get_or_insert(u128::from(BASE_FEE) * 2);
            req.max_priority_fee_per_gas.get_or_insert(0);
        }
        if req.gas.is_none() {
            req.gas = Some(self.estimate(c, &req, None, None)?);
        }
        if req.to.is_none() {
            req.to = Some(TxKind::Create);
        }
        let mut tx = req
            .build_typed_tx()
            .map_err(|_| RpcError::invalid_params("cannot build a transaction from the request"))?;
        let sig = alloy_network::TxSignerSync::sign_transaction_sync(signer, &mut tx)
            .map_err(|e| RpcError::server(e.to_string()))?;
        Ok(tx.into_envelope(sig))
    }
}
