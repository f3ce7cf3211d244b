//! The diamond's entry points behind the network's actions, each with the contract's checks in
//! its order; a refused call returns the contract's error and (through `Network::apply`'s
//! snapshot) changes nothing.

use super::fees::{self, ChainFeeParams, PubdataPricingMode, TokenMultiplier};
use super::filterer::FilterRequest;
use super::queue::{canonical_tx_hash, CanonicalFields, PriorityOp};
use super::{
    Diamond, PriorityError, PriorityEvent, StoredBatch, CHAIN_MIGRATION_TIME_WINDOW_START,
    PAUSE_DEPOSITS_TIME_WINDOW_START,
};
use crate::chain::{ChainKind, DataAvailability};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::network::Exec;
use crate::ChainId;
use alloy_primitives::{Address, Bytes, B256, U256};
use serde::{Deserialize, Serialize};

/// A call to a ZK chain's contract on L1, by its caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PriorityAction {
    /// `Bridgehub.requestL2TransactionDirect` → `Mailbox`: an L1 → L2 request (a deposit of
    /// `mint_value` base token, `l2_value` of it to `contract_l2` with `calldata`), queued with
    /// its request time. The sender pays `mint_value` on L1; it must cover the base cost at
    /// `l1_gas_price`.
    RequestL2Transaction {
        /// Destination chain.
        chain: ChainId,
        /// L1 sender (pays `mint_value` of the chain's base token on L1).
        sender: Address,
        /// L2 target.
        contract_l2: Address,
        /// Value to the target, wei.
        l2_value: U256,
        /// L2 calldata.
        calldata: Bytes,
        /// L2 gas limit.
        l2_gas_limit: u64,
        /// Base token minted on L2 (value + fee + refund), wei.
        mint_value: U256,
        /// Who gets the refund (zero: the sender).
        refund_recipient: Address,
        /// The sender's L1 gas price (`tx.gasprice`), wei.
        l1_gas_price: U256,
    },
    /// `commitBatchesSharedBridge` of one batch processing the next `l1_txs` requests (by their
    /// rolling hash) and `l2_txs` L2 transactions.
    CommitBatch {
        /// Chain.
        chain: ChainId,
        /// A validator (or, in priority mode, the permissionless validator).
        caller: Address,
        /// Requests processed.
        l1_txs: u64,
        /// L2 transactions.
        l2_txs: u64,
        /// Rolling hash of the requests processed ([`Diamond::priority_operations_hash`]).
        priority_operations_hash: B256,
    },
    /// `proveBatchesSharedBridge` of the next `count` committed batches (the proof itself is
    /// not modelled).
    ProveBatches {
        /// Chain.
        chain: ChainId,
        /// A validator (or, in priority mode, the permissionless validator).
        caller: Address,
        /// Batches.
        count: u64,
    },
    /// `executeBatchesSharedBridge` of the next `count` proven batches: their requests are
    /// processed in queue order and their roots settle on L1.
    ExecuteBatches {
        /// Chain.
        chain: ChainId,
        /// A validator (or, in priority mode, the permissionless validator).
        caller: Address,
        /// Batches.
        count: u64,
    },
    /// `revertBatchesSharedBridge`: forget the committed batches after `new_last_batch`.
    RevertBatches {
        /// Chain.
        chain: ChainId,
        /// A validator.
        caller: Address,
        /// The last batch kept.
        new_last_batch: u64,
    },
    /// `PermissionlessValidator.settleBatchesSharedBridge`: anyone commits, proves and executes
    /// one batch in one step, through the permissionless validator.
    SettlePermissionless {
        /// Chain.
        chain: ChainId,
        /// Who calls the permissionless validator (and produced the batch).
        caller: Address,
        /// Requests processed.
        l1_txs: u64,
        /// L2 transactions (zero in priority mode).
        l2_txs: u64,
        /// Rolling hash of the requests processed.
        priority_operations_hash: B256,
    },
    /// `permanentlyAllowPriorityMode` by the chain admin: arms the chain, one way.
    PermanentlyAllowPriorityMode {
        /// Chain.
        chain: ChainId,
        /// The chain admin.
        caller: Address,
    },
    /// `activatePriorityMode` by anyone, once the oldest waiting request is 4 days old.
    ActivatePriorityMode {
        /// Chain.
        chain: ChainId,
        /// Anyone.
        caller: Address,
    },
    /// `changeFeeParams` by the chain admin.
    ChangeFeeParams {
        /// Chain.
        chain: ChainId,
        /// The chain admin.
        caller: Address,
        /// New parameters.
        params: ChainFeeParams,
    },
    /// `setTokenMultiplier` by the chain admin.
    SetTokenMultiplier {
        /// Chain.
        chain: ChainId,
        /// The chain admin.
        caller: Address,
        /// New multiplier.
        multiplier: TokenMultiplier,
    },
    /// `setPubdataPricingMode` by the chain admin.
    SetPubdataPricingMode {
        /// Chain.
        chain: ChainId,
        /// The chain admin.
        caller: Address,
        /// New mode.
        mode: PubdataPricingMode,
    },
    /// `setTransactionFilterer` by the chain admin (zero: none).
    SetTransactionFilterer {
        /// Chain.
        chain: ChainId,
        /// The chain admin.
        caller: Address,
        /// The filterer's address.
        filterer: Address,
    },
    /// `makePermanentRollup` by the chain admin: one way.
    MakePermanentRollup {
        /// Chain.
        chain: ChainId,
        /// The chain admin.
        caller: Address,
    },
    /// `pauseDepositsBeforeInitiatingMigration` by the chain admin.
    PauseDepositsBeforeMigration {
        /// Chain.
        chain: ChainId,
        /// The chain admin.
        caller: Address,
    },
    /// `unpauseDeposits` by the chain admin.
    UnpauseDeposits {
        /// Chain.
        chain: ChainId,
        /// The chain admin.
        caller: Address,
    },
    /// The chain admin moves the chain's settlement to Gateway (Bridgehub's migration through
    /// the chain asset handler, `Migrator.forwardedBridgeBurn` on L1, in one step).
    MigrateToGateway {
        /// Chain.
        chain: ChainId,
        /// The chain admin (the migration's original caller).
        caller: Address,
        /// The Gateway to settle on.
        gateway: ChainId,
    },
}

impl Exec<'_> {
    /// Records a diamond event.
    fn emit_priority(&mut self, event: PriorityEvent) {
        self.emit(Event::Priority(event));
    }

    fn diamond(&self, chain: ChainId) -> Result<&Diamond, ProtocolError> {
        self.state.chain(chain)?;
        self.state.priority.get(chain)
    }

    /// `onlySettlementLayer`.
    fn only_settlement_layer(&self, chain: ChainId) -> Result<(), ProtocolError> {
        if !Diamond::settles_here(&self.state, chain) {
            return Err(PriorityError::NotSettlementLayer { chain }.into());
        }
        Ok(())
    }

    /// `onlyAdmin`.
    fn only_admin(&self, chain: ChainId, caller: Address) -> Result<&Diamond, ProtocolError> {
        let d = self.diamond(chain)?;
        if caller != d.admin {
            return Err(PriorityError::Unauthorized { chain, caller }.into());
        }
        Ok(d)
    }

    /// `onlyValidatorOrPriorityMode`: the permissionless validator while priority mode is
    /// active, a validator otherwise.
    fn only_validator_or_priority_mode(
        &self,
        chain: ChainId,
        caller: Address,
    ) -> Result<(), ProtocolError> {
        let d = self.diamond(chain)?;
        let allowed = if d.priority_mode.activated {
            caller == d.priority_mode.permissionless_validator
        } else {
            d.validators.contains(&caller)
        };
        if !allowed {
            return Err(PriorityError::Unauthorized { chain, caller }.into());
        }
        Ok(())
    }

    /// `_enforceMinUpdateInterval`: one fee-parameter or multiplier update per day.
    fn enforce_min_update_interval(&self, d: &Diamond) -> Result<(), ProtocolError> {
        let last = d.last_fee_params_update.max(d.last_multiplier_update);
        let next = last.saturating_add(fees::PRICE_UPDATE_INTERVAL);
        if last != 0 && self.state.time < next {
            return Err(PriorityError::TokenMultiplierChangeTooFrequent {
                next_allowed_timestamp: next,
            }
            .into());
        }
        Ok(())
    }

    /// Dispatches a diamond call.
    pub(crate) fn priority(&mut self, action: PriorityAction) -> Result<(), ProtocolError> {
        match action {
            PriorityAction::RequestL2Transaction {
                chain,
                sender,
                contract_l2,
                l2_value,
                calldata,
                l2_gas_limit,
                mint_value,
                refund_recipient,
                l1_gas_price,
            } => self.request_l2_transaction(
                chain,
                sender,
                contract_l2,
                l2_value,
                calldata,
                l2_gas_limit,
                mint_value,
                refund_recipient,
                l1_gas_price,
            ),
            PriorityAction::CommitBatch {
                chain,
                caller,
                l1_txs,
                l2_txs,
                priority_operations_hash,
            } => self.commit_batch(
                chain,
                caller,
                caller,
                l1_txs,
                l2_txs,
                priority_operations_hash,
            ),
            PriorityAction::ProveBatches {
                chain,
                caller,
                count,
            } => self.prove_batches(chain, caller, count),
            PriorityAction::ExecuteBatches {
                chain,
                caller,
                count,
            } => self.execute_batches(chain, caller, count),
            PriorityAction::RevertBatches {
                chain,
                caller,
                new_last_batch,
            } => self.revert_batches(chain, caller, new_last_batch),
            PriorityAction::SettlePermissionless {
                chain,
                caller,
                l1_txs,
                l2_txs,
                priority_operations_hash,
            } => {
                // The diamond sees the permissionless validator as the caller of each step.
                let pv = super::permissionless_validator();
                self.commit_batch(chain, pv, caller, l1_txs, l2_txs, priority_operations_hash)?;
                self.prove_batches(chain, pv, 1)?;
                self.execute_batches(chain, pv, 1)
            }
            PriorityAction::PermanentlyAllowPriorityMode { chain, caller } => {
                self.permanently_allow_priority_mode(chain, caller)
            }
            PriorityAction::ActivatePriorityMode { chain, caller } => {
                self.activate_priority_mode(chain, caller)
            }
            PriorityAction::ChangeFeeParams {
                chain,
                caller,
                params,
            } => self.change_fee_params(chain, caller, params),
            PriorityAction::SetTokenMultiplier {
                chain,
                caller,
                multiplier,
            } => self.set_token_multiplier(chain, caller, multiplier),
            PriorityAction::SetPubdataPricingMode {
                chain,
                caller,
                mode,
            } => {
                let d = self.only_admin(chain, caller)?;
                if d.priority_mode.can_be_activated {
                    return Err(PriorityError::NotCompatibleWithPriorityMode { chain }.into());
                }
                self.emit_priority(PriorityEvent::PubdataPricingModeChanged { chain, mode });
                Ok(())
            }
            PriorityAction::SetTransactionFilterer {
                chain,
                caller,
                filterer,
            } => {
                let d = self.only_admin(chain, caller)?;
                if d.priority_mode.can_be_activated {
                    return Err(PriorityError::NotCompatibleWithPriorityMode { chain }.into());
                }
                let old = d.transaction_filterer;
                self.emit_priority(PriorityEvent::TransactionFiltererSet {
                    chain,
                    old,
                    new: filterer,
                });
                Ok(())
            }
            PriorityAction::MakePermanentRollup { chain, caller } => {
                self.only_admin(chain, caller)?;
                self.only_settlement_layer(chain)?;
                let d = self.diamond(chain)?;
                if d.permanent_rollup {
                    return Err(PriorityError::AlreadyPermanentRollup { chain }.into());
                }
                if d.data_availability != DataAvailability::Rollup {
                    return Err(PriorityError::InvalidDAForPermanentRollup { chain }.into());
                }
                self.emit_priority(PriorityEvent::PermanentRollupSet { chain });
                Ok(())
            }
            PriorityAction::PauseDepositsBeforeMigration { chain, caller } => {
                self.pause_deposits(chain, caller)
            }
            PriorityAction::UnpauseDeposits { chain, caller } => {
                let d = self.only_admin(chain, caller)?;
                if d.paused_deposits_timestamp == 0 {
                    return Err(PriorityError::DepositsNotPaused { chain }.into());
                }
                self.emit_priority(PriorityEvent::DepositsUnpaused { chain });
                Ok(())
            }
            PriorityAction::MigrateToGateway {
                chain,
                caller,
                gateway,
            } => self.migrate_to_gateway(chain, caller, gateway),
        }
    }

    /// The Mailbox's checks in order: the filterer (`TransactionNotAllowed`), the base cost
    /// (`MsgValueTooLow`), then paused deposits (`DepositsPaused`); then the request joins the
    /// queue with `block.timestamp` and its value leaves the sender on L1 (in flight until the
    /// request is processed on L2).
    #[allow(clippy::too_many_arguments)]
    fn request_l2_transaction(
        &mut self,
        chain: ChainId,
        sender: Address,
        contract_l2: Address,
        l2_value: U256,
        calldata: Bytes,
        l2_gas_limit: u64,
        mint_value: U256,
        refund_recipient: Address,
        l1_gas_price: U256,
    ) -> Result<(), ProtocolError> {
        let now = self.state.time;
        let d = self.diamond(chain)?;
        if !Diamond::settles_here(&self.state, chain) {
            return Err(PriorityError::GatewayQueueNotModelled { chain }.into());
        }
        if d.transaction_filterer != Address::ZERO {
            let request = FilterRequest {
                sender,
                contract_l2,
                mint_value,
                l2_value,
                l2_calldata: &calldata,
                refund_recipient,
            };
            // Calling an address without filterer code reverts (its empty return data does
            // not decode as a bool).
            let allowed = self
                .code
                .filterer(d.transaction_filterer)
                .is_some_and(|f| f.is_transaction_allowed(&self.state, &request));
            if !allowed {
                return Err(PriorityError::TransactionNotAllowed { chain }.into());
            }
        }
        let (l2_gas_price, base_cost) =
            fees::request_base_cost(&d.fee_params, d.multiplier, l1_gas_price, l2_gas_limit)?;
        if mint_value < base_cost {
            return Err(PriorityError::MsgValueTooLow {
                required: base_cost,
                provided: mint_value,
            }
            .into());
        }
        // `AddressAliasHelper.actualRefundRecipientMailbox`: no recipient means the sender.
        let refund_recipient = if refund_recipient == Address::ZERO {
            sender
        } else {
            refund_recipient
        };
        let id = d.queue.len() as u64;
        let hash = canonical_tx_hash(&CanonicalFields {
            zksync_os: d.zksync_os,
            sender,
            contract_l2,
            l2_gas_limit,
            l2_gas_price,
            id,
            l2_value,
            mint_value,
            refund_recipient,
            calldata: &calldata,
            gas_per_pubdata: U256::from(fees::REQUIRED_L2_GAS_PRICE_PER_PUBDATA),
        });
        let paused = d.paused_deposits_timestamp;
        if paused != 0 && paused.saturating_add(PAUSE_DEPOSITS_TIME_WINDOW_START) <= now {
            return Err(PriorityError::DepositsPaused { chain }.into());
        }
        let c = self.state.chain(chain)?;
        let asset = c.config.base_token;
        // invariant: `settles_here` found the settlement layer.
        let l1 = c.config.settlement_layer.unwrap_or_default();
        self.require_balance(l1, asset, sender, mint_value)?;
        self.emit(Event::ValueBurned {
            chain: l1,
            asset,
            from: sender,
            amount: mint_value,
        });
        self.emit_priority(PriorityEvent::L2TransactionRequested {
            op: PriorityOp {
                chain,
                id,
                hash,
                requested_at: now,
                sender,
                contract_l2,
                l2_value,
                mint_value,
                l2_gas_price,
                l2_gas_limit,
                refund_recipient,
                calldata,
                processed_at: None,
            },
        });
        Ok(())
    }

    /// The Committer's checks: the caller (`Unauthorized`), the settlement layer, and in
    /// priority mode a batch of L1 transactions only, at least one
    /// (`InvalidTxCountInPriorityMode`). `caller` is who the diamond sees; `producer` who made
    /// the batch (its requests' fees go there).
    fn commit_batch(
        &mut self,
        chain: ChainId,
        caller: Address,
        producer: Address,
        l1_txs: u64,
        l2_txs: u64,
        priority_operations_hash: B256,
    ) -> Result<(), ProtocolError> {
        self.only_validator_or_priority_mode(chain, caller)?;
        self.only_settlement_layer(chain)?;
        let d = self.diamond(chain)?;
        if d.priority_mode.activated && (l2_txs != 0 || l1_txs == 0) {
            return Err(PriorityError::InvalidTxCountInPriorityMode {
                l2_tx_count: l2_txs,
                l1_tx_count: l1_txs,
            }
            .into());
        }
        let batch = StoredBatch {
            number: d.total_committed() + 1,
            l1_txs,
            l2_txs,
            priority_operations_hash,
            committed_at: self.state.time,
            producer,
        };
        self.emit_priority(PriorityEvent::BatchCommitted { chain, batch });
        Ok(())
    }

    /// `proveBatchesSharedBridge`: the next `count` committed batches become verified.
    fn prove_batches(
        &mut self,
        chain: ChainId,
        caller: Address,
        count: u64,
    ) -> Result<(), ProtocolError> {
        self.only_validator_or_priority_mode(chain, caller)?;
        self.only_settlement_layer(chain)?;
        if count == 0 {
            return Err(PriorityError::EmptyData.into());
        }
        let d = self.diamond(chain)?;
        let previous = d.total_verified;
        let current = previous.saturating_add(count);
        if current > d.total_committed() {
            return Err(PriorityError::VerifiedBatchesExceedsCommittedBatches.into());
        }
        self.emit_priority(PriorityEvent::BatchesVerified {
            chain,
            previous,
            current,
        });
        Ok(())
    }

    /// `executeBatchesSharedBridge`: each batch's root settles on L1 (`_appendMessageRoot`),
    /// then its requests — the next ones in the queue, checked against its rolling hash
    /// (`MismatchNumberOfLayer1Txs`, `PriorityOperationsRollingHashMismatch`) — are processed:
    /// their value is minted on L2 (to the target, the fee to the batch's producer, the rest to
    /// the refund recipient).
    fn execute_batches(
        &mut self,
        chain: ChainId,
        caller: Address,
        count: u64,
    ) -> Result<(), ProtocolError> {
        self.only_validator_or_priority_mode(chain, caller)?;
        self.only_settlement_layer(chain)?;
        if count == 0 {
            return Err(PriorityError::EmptyData.into());
        }
        let d = self.diamond(chain)?;
        if d.total_executed.saturating_add(count) > d.total_verified {
            return Err(PriorityError::CantExecuteUnprovenBatches.into());
        }
        for _ in 0..count {
            let d = self.diamond(chain)?;
            let index = usize::try_from(d.total_executed).unwrap_or(usize::MAX);
            let Some(batch) = d.batches.get(index).cloned() else {
                return Err(PriorityError::CantExecuteUnprovenBatches.into());
            };
            let supplied = batch.l1_txs.min(d.queue_size());
            if supplied != batch.l1_txs {
                return Err(PriorityError::MismatchNumberOfLayer1Txs {
                    number_of_layer1_txs: batch.l1_txs,
                    expected_length: supplied,
                }
                .into());
            }
            if d.priority_operations_hash(0, batch.l1_txs) != batch.priority_operations_hash {
                return Err(PriorityError::PriorityOperationsRollingHashMismatch.into());
            }
            let ops: Vec<PriorityOp> = d.next_requests(0, batch.l1_txs).cloned().collect();
            self.settle_batch(chain)?;
            let asset = self.state.chain(chain)?.config.base_token;
            for op in &ops {
                let (to_target, fee, refund) = op.settlement();
                for (to, amount) in [
                    (op.contract_l2, to_target),
                    (batch.producer, fee),
                    (op.refund_recipient, refund),
                ] {
                    if !amount.is_zero() {
                        self.emit(Event::ValueMinted {
                            chain,
                            asset,
                            to,
                            amount,
                        });
                    }
                }
            }
            self.emit_priority(PriorityEvent::BatchExecuted {
                chain,
                number: batch.number,
                l1_txs: batch.l1_txs,
                at: self.state.time,
            });
        }
        Ok(())
    }

    /// `revertBatchesSharedBridge` (validators; the chain type manager's route is not
    /// modelled): not in priority mode (`OnlyNormalMode`), and only unexecuted batches.
    fn revert_batches(
        &mut self,
        chain: ChainId,
        caller: Address,
        new_last_batch: u64,
    ) -> Result<(), ProtocolError> {
        let d = self.diamond(chain)?;
        if !d.validators.contains(&caller) {
            return Err(PriorityError::Unauthorized { chain, caller }.into());
        }
        if d.priority_mode.activated {
            return Err(PriorityError::OnlyNormalMode { chain }.into());
        }
        self.only_settlement_layer(chain)?;
        self.revert_to(chain, new_last_batch)
    }

    /// `_revertBatches`.
    fn revert_to(&mut self, chain: ChainId, new_last_batch: u64) -> Result<(), ProtocolError> {
        let d = self.diamond(chain)?;
        if d.total_committed() < new_last_batch {
            return Err(PriorityError::RevertedBatchNotAfterNewLastBatch.into());
        }
        if new_last_batch < d.total_executed {
            return Err(PriorityError::CantRevertExecutedBatch.into());
        }
        let event = PriorityEvent::BatchesReverted {
            chain,
            committed: new_last_batch,
            verified: d.total_verified.min(new_last_batch),
            executed: d.total_executed,
        };
        self.emit_priority(event);
        Ok(())
    }

    /// `permanentlyAllowPriorityMode`: the admin, on the settlement layer, a ZKsync OS chain,
    /// not yet armed, with a request waiting whose time is recorded; installs governance's
    /// priority-mode filterer, then arms.
    fn permanently_allow_priority_mode(
        &mut self,
        chain: ChainId,
        caller: Address,
    ) -> Result<(), ProtocolError> {
        self.only_admin(chain, caller)?;
        self.only_settlement_layer(chain)?;
        let d = self.diamond(chain)?;
        if !d.zksync_os {
            return Err(PriorityError::NotZKsyncOS { chain }.into());
        }
        if d.priority_mode.can_be_activated {
            return Err(PriorityError::PriorityModeAlreadyAllowed { chain }.into());
        }
        if d.queue_size() == 0 {
            return Err(PriorityError::PriorityOpsRequestTimestampMissing {
                first_unprocessed_tx: d.unprocessed,
            }
            .into());
        }
        let (old, new) = (d.transaction_filterer, d.priority_mode.transaction_filterer);
        self.emit_priority(PriorityEvent::TransactionFiltererSet { chain, old, new });
        self.emit_priority(PriorityEvent::PriorityModeAllowed { chain });
        Ok(())
    }

    /// `activatePriorityMode` (anyone): on the settlement layer, not already active, armed, a
    /// permanent rollup, a request waiting, and `now ≥ its request time + 4 days`; reverts
    /// every batch not yet executed, then activates.
    fn activate_priority_mode(
        &mut self,
        chain: ChainId,
        caller: Address,
    ) -> Result<(), ProtocolError> {
        let now = self.state.time;
        self.diamond(chain)?;
        self.only_settlement_layer(chain)?;
        let d = self.diamond(chain)?;
        if d.priority_mode.activated {
            return Err(PriorityError::OnlyNormalMode { chain }.into());
        }
        if !d.priority_mode.can_be_activated {
            return Err(PriorityError::PriorityModeIsNotAllowed { chain }.into());
        }
        if !d.permanent_rollup {
            return Err(PriorityError::PriorityModeRequiresPermanentRollup { chain }.into());
        }
        let Some(earliest) = d.earliest_activation() else {
            return Err(PriorityError::PriorityOpsRequestTimestampMissing {
                first_unprocessed_tx: d.unprocessed,
            }
            .into());
        };
        if now < earliest {
            return Err(PriorityError::PriorityModeActivationTooEarly {
                earliest_activation_timestamp: earliest,
                current_timestamp: now,
            }
            .into());
        }
        let executed = d.total_executed;
        self.revert_to(chain, executed)?;
        self.emit_priority(PriorityEvent::PriorityModeActivated { chain, by: caller });
        Ok(())
    }

    /// `deactivatePriorityMode`, with the chain type manager's authority (a ZIP): only while
    /// active (`OnlyPriorityMode`), on the settlement layer.
    pub(crate) fn deactivate_priority_mode(&mut self, chain: ChainId) -> Result<(), ProtocolError> {
        let d = self.diamond(chain)?;
        if !d.priority_mode.activated {
            return Err(PriorityError::OnlyPriorityMode { chain }.into());
        }
        self.only_settlement_layer(chain)?;
        self.emit_priority(PriorityEvent::PriorityModeDeactivated { chain });
        Ok(())
    }

    /// `setPriorityModeTransactionFilterer`, with the chain type manager's authority (a ZIP):
    /// the filterer priority mode installs; an armed chain switches to it at once.
    pub(crate) fn set_priority_mode_transaction_filterer(
        &mut self,
        chain: ChainId,
        filterer: Address,
    ) -> Result<(), ProtocolError> {
        self.diamond(chain)?;
        self.only_settlement_layer(chain)?;
        let d = self.diamond(chain)?;
        let (armed, active_old, mode_old) = (
            d.priority_mode.can_be_activated,
            d.transaction_filterer,
            d.priority_mode.transaction_filterer,
        );
        if armed {
            self.emit_priority(PriorityEvent::TransactionFiltererSet {
                chain,
                old: active_old,
                new: filterer,
            });
        }
        self.emit_priority(PriorityEvent::PriorityModeTransactionFiltererSet {
            chain,
            old: mode_old,
            new: filterer,
        });
        Ok(())
    }

    /// `changeFeeParams` (the admin; the chain type manager's route is not modelled): one
    /// update a day, a batch's pubdata at least a request's, the same pricing mode, and while
    /// armed the price bound and frozen capacity.
    fn change_fee_params(
        &mut self,
        chain: ChainId,
        caller: Address,
        params: ChainFeeParams,
    ) -> Result<(), ProtocolError> {
        let d = self.only_admin(chain, caller)?;
        self.enforce_min_update_interval(d)?;
        if params.max_pubdata_per_batch < params.priority_tx_max_pubdata {
            return Err(PriorityError::PriorityTxPubdataExceedsMaxPubDataPerBatch.into());
        }
        let old = d.fee_params;
        if params.pubdata_pricing_mode != old.pubdata_pricing_mode {
            return Err(PriorityError::InvalidPubdataPricingMode.into());
        }
        if d.priority_mode.can_be_activated {
            fees::enforce_price_change_bound(
                (&old, d.multiplier),
                (&params, d.multiplier),
                d.queue_size(),
            )?;
            if !params.same_capacity(&old) {
                return Err(PriorityError::NotCompatibleWithPriorityMode { chain }.into());
            }
        }
        let at = self.state.time;
        self.emit_priority(PriorityEvent::FeeParamsChanged {
            chain,
            old,
            new: params,
            at,
        });
        Ok(())
    }

    /// `setTokenMultiplier` (the admin): a non-zero denominator, one update a day, and the
    /// price bound — armed or not.
    fn set_token_multiplier(
        &mut self,
        chain: ChainId,
        caller: Address,
        multiplier: TokenMultiplier,
    ) -> Result<(), ProtocolError> {
        let d = self.only_admin(chain, caller)?;
        if multiplier.denominator == 0 {
            return Err(PriorityError::DenominatorIsZero.into());
        }
        self.enforce_min_update_interval(d)?;
        fees::enforce_price_change_bound(
            (&d.fee_params, d.multiplier),
            (&d.fee_params, multiplier),
            d.queue_size(),
        )?;
        let (old, at) = (d.multiplier, self.state.time);
        self.emit_priority(PriorityEvent::TokenMultiplierChanged {
            chain,
            old,
            new: multiplier,
            at,
        });
        Ok(())
    }

    /// `pauseDepositsBeforeInitiatingMigration` (the admin; the chain type manager's route is
    /// not modelled): not armed, not already paused; a chain that never had a request pauses
    /// from `now − window`, others from `now`.
    fn pause_deposits(&mut self, chain: ChainId, caller: Address) -> Result<(), ProtocolError> {
        let d = self.only_admin(chain, caller)?;
        if d.priority_mode.can_be_activated {
            return Err(PriorityError::NotCompatibleWithPriorityMode { chain }.into());
        }
        if d.paused_deposits_timestamp != 0 {
            return Err(PriorityError::DepositsAlreadyPaused { chain }.into());
        }
        if !Diamond::settles_here(&self.state, chain) {
            // Pausing a chain on Gateway also pauses Gateway's copy of its queue.
            return Err(PriorityError::GatewayQueueNotModelled { chain }.into());
        }
        let now = self.state.time;
        let timestamp = if d.queue.is_empty() {
            now.saturating_sub(PAUSE_DEPOSITS_TIME_WINDOW_START)
        } else {
            now
        };
        self.emit_priority(PriorityEvent::DepositsPaused { chain, timestamp });
        Ok(())
    }

    /// The migration's checks on L1 (`Migrator.forwardedBridgeBurn`): not armed
    /// (`NotCompatibleWithPriorityMode`), still on L1 (`AlreadyMigrated`), the admin
    /// (`NotChainAdmin`), an empty queue, deposits paused long enough, a real settlement layer
    /// (`NotAZKChain`), every batch executed. Model choice: the Gateway side completes in the
    /// same step and deposits reopen.
    fn migrate_to_gateway(
        &mut self,
        chain: ChainId,
        caller: Address,
        gateway: ChainId,
    ) -> Result<(), ProtocolError> {
        let now = self.state.time;
        let d = self.diamond(chain)?;
        if d.priority_mode.can_be_activated {
            return Err(PriorityError::NotCompatibleWithPriorityMode { chain }.into());
        }
        if !Diamond::settles_here(&self.state, chain) {
            return Err(PriorityError::AlreadyMigrated { chain }.into());
        }
        if caller != d.admin {
            return Err(PriorityError::NotChainAdmin {
                prev_msg_sender: caller,
                admin: d.admin,
            }
            .into());
        }
        if d.queue_size() != 0 {
            return Err(PriorityError::PriorityQueueNotFullyProcessed { chain }.into());
        }
        let paused = d.paused_deposits_timestamp;
        if paused == 0 || paused.saturating_add(CHAIN_MIGRATION_TIME_WINDOW_START) > now {
            return Err(PriorityError::DepositsNotPaused { chain }.into());
        }
        let is_gateway = self
            .state
            .chains
            .get(&gateway)
            .is_some_and(|g| g.config.kind == ChainKind::Gateway);
        if !is_gateway {
            return Err(PriorityError::NotAZKChain {
                settlement_layer: gateway,
            }
            .into());
        }
        if d.total_committed() != d.total_executed {
            return Err(PriorityError::NotAllBatchesExecuted { chain }.into());
        }
        self.emit_priority(PriorityEvent::ChainMigrated {
            chain,
            settlement_layer: gateway,
        });
        Ok(())
    }

    /// `Action::SettleBatch` on a chain whose diamond settles it on L1: its operator (a
    /// validator) commits the open batch without requests, then proves and executes every
    /// batch up to it — so all of the chain's L1 settlement goes through the diamond, and in
    /// priority mode the operator is refused (`Unauthorized`).
    pub(crate) fn operator_settles(&mut self, chain: ChainId) -> Result<(), ProtocolError> {
        let operator = self.state.chain(chain)?.config.operator;
        let empty = super::queue::rolling_hash(&[]);
        self.commit_batch(chain, operator, operator, 0, 0, empty)?;
        let d = self.diamond(chain)?;
        let to_prove = d.total_committed() - d.total_verified;
        self.prove_batches(chain, operator, to_prove)?;
        let d = self.diamond(chain)?;
        let to_execute = d.total_verified - d.total_executed;
        self.execute_batches(chain, operator, to_execute)
    }

    /// Whether `Action::SettleBatch` on `chain` goes through its L1 diamond.
    pub(crate) fn settles_through_diamond(&self, chain: ChainId) -> bool {
        self.state.priority.chains.contains_key(&chain) && Diamond::settles_here(&self.state, chain)
    }
}
