//! The router: an [`Action`] to its handler, on the action in progress ([`Exec`]), with the
//! handlers that belong to no other module (batches, settlement, root imports).

use super::state::aggregated_root_of;
use super::{Action, Exec};
use crate::chain::{AssetId, ChainKind};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::merkle::{self, LogsTree};
use crate::ChainId;
use alloy_primitives::{Address, B256, U256};

impl Exec<'_> {
    /// Applies a batch's actions one by one, in order. A batch of many bundles is pipelined
    /// ([`handler::pipelined`](crate::interop::handler)): the decoding, hashing and proof
    /// climbing of later steps run on the other threads while this thread applies the current
    /// one, so the state changes stay on one thread and in order while the pure work spreads
    /// over every core.
    fn dispatch_batch(&mut self, actions: Vec<Action>) -> Result<(), ProtocolError> {
        use crate::interop::handler;
        let Some((plan, keys)) = handler::plan(&actions, &self.state) else {
            for a in actions {
                self.dispatch(a)?;
            }
            return Ok(());
        };
        handler::pipelined(actions, plan, keys, |a, pre| {
            self.ahead = pre;
            let r = self.dispatch(a);
            self.ahead = Default::default();
            r
        })
    }

    pub(crate) fn dispatch(&mut self, action: Action) -> Result<(), ProtocolError> {
        let now = self.state.time;
        self.guard_prividium(&action)?;
        match action {
            Action::Batch(actions) => self.dispatch_batch(actions)?,
            Action::AdvanceTime { seconds } => {
                let to = now
                    .checked_add(seconds)
                    .ok_or(ProtocolError::Overflow("time"))?;
                self.emit(Event::TimeAdvanced { now: to });
            }
            Action::Fund {
                chain,
                asset,
                to,
                amount,
            } => {
                self.state.chain(chain)?;
                if !self.state.assets.contains_key(&asset) {
                    return Err(ProtocolError::UnknownAsset(asset));
                }
                self.emit(Event::Funded {
                    chain,
                    asset,
                    to,
                    amount,
                });
            }
            Action::Defund {
                chain,
                asset,
                from,
                amount,
            } => {
                self.require_balance(chain, asset, from, amount)?;
                self.emit(Event::Defunded {
                    chain,
                    asset,
                    from,
                    amount,
                });
            }
            Action::Transfer {
                chain,
                asset,
                from,
                to,
                amount,
            } => {
                self.require_balance(chain, asset, from, amount)?;
                self.emit(Event::Transferred {
                    chain,
                    asset,
                    from,
                    to,
                    amount,
                });
            }
            Action::ZkTransfer { from, to, amount } => {
                let evs = self.state.token_mut().transfer(from, to, amount, now)?;
                self.token_events(evs);
            }
            Action::ZkApprove {
                owner,
                spender,
                amount,
            } => {
                let evs = self.state.token_mut().approve(owner, spender, amount)?;
                self.token_events(evs);
            }
            Action::ZkDelegate {
                delegator,
                delegatee,
            } => {
                let evs = self.state.token_mut().delegate(delegator, delegatee, now)?;
                self.token_events(evs);
            }
            Action::CreateMinter {
                minter,
                admin,
                cap,
                start,
                expiry,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .create_minter(minter, admin, cap, start, expiry, now)?;
                self.token_events(evs);
            }
            Action::MinterMint {
                caller,
                minter,
                to,
                amount,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .minter_mint(caller, minter, to, amount, now)?;
                self.token_events(evs);
            }
            Action::MinterGrantRole {
                caller,
                minter,
                role,
                account,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .minter_grant_role(caller, minter, role, account)?;
                self.token_events(evs);
            }
            Action::MinterRevokeRole {
                caller,
                minter,
                role,
                account,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .minter_revoke_role(caller, minter, role, account)?;
                self.token_events(evs);
            }
            Action::MinterRenounceRole {
                caller,
                minter,
                role,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .minter_renounce_role(caller, minter, role)?;
                self.token_events(evs);
            }
            Action::PauseMinter { caller, minter } => {
                let evs = self.state.token_mut().pause_minter(caller, minter)?;
                self.token_events(evs);
            }
            Action::UnpauseMinter { caller, minter } => {
                let evs = self.state.token_mut().unpause_minter(caller, minter)?;
                self.token_events(evs);
            }
            Action::CloseMinter { caller, minter } => {
                let evs = self.state.token_mut().close_minter(caller, minter)?;
                self.token_events(evs);
            }
            Action::ZkGrantRole {
                caller,
                role,
                account,
            } => {
                let evs = self.state.token_mut().grant_role(caller, role, account)?;
                self.token_events(evs);
            }
            Action::ZkRevokeRole {
                caller,
                role,
                account,
            } => {
                let evs = self.state.token_mut().revoke_role(caller, role, account)?;
                self.token_events(evs);
            }
            Action::ZkBurn { holder, amount } => {
                let evs = self.state.token_mut().burn(holder, amount, now)?;
                self.token_events(evs);
            }
            Action::SetInteropProtocolFee { chain, caller, fee } => {
                let c = self.state.chain(chain)?;
                if c.config.operator != caller {
                    return Err(ProtocolError::NotOperator { chain, caller });
                }
                self.emit(Event::InteropProtocolFeeSet { chain, fee });
            }
            Action::SendBundle {
                chain,
                sender,
                destination,
                starters,
                attributes,
                value,
            } => {
                self.send_bundle(chain, sender, &destination, &starters, &attributes, value)?;
            }
            Action::SendMessage {
                chain,
                sender,
                recipient,
                payload,
                attributes,
                value,
            } => {
                self.send_message(chain, sender, &recipient, payload, &attributes, value)?;
            }
            Action::SettleBatch { chain } => {
                if self.settles_through_diamond(chain) {
                    self.operator_settles(chain)?
                } else {
                    self.settle_batch(chain)?
                }
            }
            Action::Stake {
                owner,
                amount,
                delegatee,
                claimer,
            } => self.stake(owner, amount, delegatee, claimer)?,
            Action::StakeMore {
                caller,
                deposit,
                amount,
            } => self.with_staker(|s, t, now| s.stake_more(t, caller, deposit, amount, now))?,
            Action::Withdraw {
                caller,
                deposit,
                amount,
            } => self.with_staker(|s, t, now| s.withdraw(t, caller, deposit, amount, now))?,
            Action::AlterDelegatee {
                caller,
                deposit,
                delegatee,
            } => {
                self.with_staker(|s, t, now| s.alter_delegatee(t, caller, deposit, delegatee, now))?
            }
            Action::AlterClaimer {
                caller,
                deposit,
                claimer,
            } => self.with_staker(|s, _, now| s.alter_claimer(caller, deposit, claimer, now))?,
            Action::ClaimReward { caller, deposit } => {
                self.with_staker(|s, t, now| s.claim_reward(t, caller, deposit, now))?
            }
            Action::BumpEarningPower {
                bumper,
                deposit,
                tip_receiver,
                tip,
            } => self.with_staker(|s, t, now| {
                s.bump_earning_power(t, bumper, deposit, tip_receiver, tip, now)
            })?,
            Action::RefreshDelegateScores { caller } => self.refresh_delegate_scores(caller)?,
            Action::NotifyReward { notifier, amount } => {
                self.with_staker(|s, t, now| s.notify_reward_amount(t, notifier, amount, now))?
            }
            Action::SetRewardNotifier {
                caller,
                notifier,
                enabled,
            } => self.with_staker(|s, _, _| s.set_reward_notifier(caller, notifier, enabled))?,
            Action::SetStakerParam { caller, param } => {
                self.with_staker(|s, _, _| s.set_param(caller, param))?
            }
            Action::SetOraclePaused { caller, paused } => {
                self.with_staker(|s, _, _| s.set_oracle_paused(caller, paused))?
            }
            Action::Propose {
                governor,
                proposer,
                actions,
            } => {
                let (gov, token) = self.state.governance_mut();
                let evs = gov.propose(token, governor, proposer, actions, now)?;
                self.governance_events(evs);
            }
            Action::CastVote { id, voter, support } => {
                let (gov, token) = self.state.governance_mut();
                let evs = gov.cast_vote(token, id, voter, support, now)?;
                self.governance_events(evs);
            }
            Action::CastVoteFractional { id, voter, ballot } => {
                let (gov, token) = self.state.governance_mut();
                let evs = gov.cast_vote_fractional(token, id, voter, ballot, now)?;
                self.governance_events(evs);
            }
            Action::CancelProposal { caller, id } => {
                let evs = self.state.governance_mut().0.cancel(caller, id, now)?;
                self.governance_events(evs);
            }
            Action::VetoProposal { caller, id } => {
                let evs = self.state.governance_mut().0.veto(caller, id, now)?;
                self.governance_events(evs);
            }
            Action::QueueProposal { id } => {
                let evs = self.state.governance_mut().0.queue(id, now)?;
                self.governance_events(evs);
            }
            Action::ExecuteProposal { id } => {
                let outcome = self.state.governance_mut().0.execute(id, now)?;
                self.take_effect(outcome)?;
            }
            Action::ExtendLegalVeto { caller, id } => {
                let evs = self
                    .state
                    .governance_mut()
                    .0
                    .extend_legal_veto(caller, id, now)?;
                self.governance_events(evs);
            }
            Action::ApproveUpgrade { caller, id, by } => {
                let evs = match by {
                    crate::governance::UpgradeApproval::SecurityCouncil => self
                        .state
                        .governance_mut()
                        .0
                        .approve_by_security_council(caller, id, now)?,
                    crate::governance::UpgradeApproval::Guardians => self
                        .state
                        .governance_mut()
                        .0
                        .approve_by_guardians(caller, id, now)?,
                };
                self.governance_events(evs);
            }
            Action::ExecuteUpgrade { id } => {
                let outcome = self.state.governance_mut().0.execute_upgrade(id, now)?;
                self.take_effect(outcome)?;
            }
            Action::InteropTraffic {
                chain,
                payer,
                destination,
                calls,
                use_fixed_fee,
            } => self.record_traffic(chain, payer, destination, calls, use_fixed_fee)?,
            Action::ClaimProtocolFees {
                chain,
                operator,
                receiver,
            } => self.claim_protocol_fees(chain, operator, receiver)?,
            Action::ClaimZkFees {
                chain,
                operator,
                receiver,
            } => self.claim_zk_fees(chain, operator, receiver)?,
            Action::SetSettlementFeePayerAgreement {
                chain,
                payer,
                agreed,
            } => self.set_settlement_fee_payer_agreement(chain, payer, agreed)?,
            Action::WithdrawGatewayFees { caller, recipient } => {
                self.withdraw_gateway_fees(caller, recipient)?
            }
            Action::SetGatewaySettlementFee { caller, fee } => {
                self.set_settlement_fee(caller, fee)?
            }
            Action::ClaimFeeFlow { caller, requests } => self.claim_fee_flow(caller, &requests)?,
            Action::SetBidThreshold { caller, threshold } => {
                self.set_bid_threshold(caller, threshold)?
            }
            Action::SetFeeFlowDestination {
                caller,
                destination,
            } => self.set_fee_flow_destination(caller, destination)?,
            Action::SetClaimPaused { caller, paused } => self.set_claim_paused(caller, paused)?,
            Action::SetClaimableToken {
                caller,
                token,
                claimable,
            } => self.set_claimable_token(caller, token, claimable)?,
            Action::RecoverFeeFlow {
                caller,
                token,
                to,
                amount,
            } => self.recover_fee_flow(caller, token, to, amount)?,
            Action::Split => self.split()?,
            Action::SetBurnPercentage { caller, burn_bps } => {
                self.set_burn_percentage(caller, burn_bps)?
            }
            Action::SetDistributors {
                caller,
                distributors,
            } => self.set_distributors(caller, distributors)?,
            Action::RecoverSplitter {
                caller,
                token,
                to,
                amount,
            } => self.recover_splitter(caller, token, to, amount)?,
            Action::Bridge {
                asset,
                from_chain,
                from,
                to_chain,
                to,
                amount,
            } => self.bridge(asset, from_chain, from, to_chain, to, amount)?,
            Action::ImportInteropRoot {
                chain,
                source,
                batch,
            } => self.import_root(chain, source, batch)?,
            Action::VerifyBundle {
                chain,
                bundle,
                proof,
            } => {
                self.verify_bundle(chain, &bundle, &proof)?;
            }
            Action::ExecuteBundle {
                chain,
                caller,
                bundle,
                proof,
            } => {
                self.execute_bundle(chain, caller, &bundle, proof.as_ref())?;
            }
            Action::UnbundleBundle {
                chain,
                caller_chain,
                caller,
                bundle,
                statuses,
            } => {
                self.unbundle_bundle(chain, caller_chain, caller, &bundle, &statuses)?;
            }
            Action::Priority(action) => self.priority(action)?,
            Action::L1Bridge(action) => self.l1_bridge(action)?,
            Action::Prividium(a) => self.prividium(*a)?,
            Action::ZkTransferFrom {
                spender,
                from,
                to,
                amount,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .transfer_from(spender, from, to, amount, now)?;
                self.token_events(evs);
            }
        }
        Ok(())
    }

    /// [`Action::Bridge`]: the payer's balance leaves the source chain and arrives on the
    /// destination in one step, through the in-flight ledger like interop value.
    fn bridge(
        &mut self,
        asset: AssetId,
        from_chain: ChainId,
        from: Address,
        to_chain: ChainId,
        to: Address,
        amount: U256,
    ) -> Result<(), ProtocolError> {
        self.state.chain(to_chain)?;
        if from_chain == to_chain {
            return Err(ProtocolError::ContextMismatch(format!(
                "a bridge needs two chains, got {from_chain} twice"
            )));
        }
        self.require_balance(from_chain, asset, from, amount)?;
        self.emit(Event::ValueBurned {
            chain: from_chain,
            asset,
            from,
            amount,
        });
        self.emit(Event::ValueMinted {
            chain: to_chain,
            asset,
            to,
            amount,
        });
        Ok(())
    }

    /// Seals the chain's open batch and settles its root on its settlement layer (charging
    /// Gateway's settlement fee there).
    pub(crate) fn settle_batch(&mut self, chain: ChainId) -> Result<(), ProtocolError> {
        self.commit_prividium_transactions(chain)?;
        let c = self.state.chain(chain)?;
        let Some(layer) = c.config.settlement_layer else {
            return Err(ProtocolError::NotASettlementLayer {
                chain,
                layer: chain,
            });
        };
        if self.state.chain(layer)?.config.kind == ChainKind::Gateway {
            let calls = c.pending_chargeable_calls;
            self.charge_settlement_fee(chain, calls)?;
        }
        let c = self.state.chain(chain)?;
        let leaves: Vec<B256> = c.pending_logs.iter().copied().collect();
        let tree = LogsTree::new(&leaves)?;
        let aggregated = aggregated_root_of(c);
        let chain_batch_root = merkle::chain_batch_root(&tree.root(), &aggregated);
        let number = c.next_batch_number();
        let sealed = Event::BatchSealed {
            chain,
            number,
            logs: leaves.len() as u64,
            chain_batch_root,
        };
        self.state.apply_with(&sealed, Some(tree))?;
        self.out.push(sealed);
        self.emit(Event::BatchSettled {
            chain,
            batch: number,
            settlement_layer: layer,
            chain_batch_root,
        });
        Ok(())
    }

    fn import_root(
        &mut self,
        chain: ChainId,
        source: ChainId,
        batch: u64,
    ) -> Result<(), ProtocolError> {
        let dest = self.state.chain(chain)?;
        if dest.interop_roots.contains_key(&(source, batch)) {
            return Err(ProtocolError::RootAlreadyImported {
                on: chain,
                chain: source,
                batch,
            });
        }
        let root = self
            .state
            .chain(source)?
            .batch(batch)
            .map(|b| b.chain_batch_root)
            .ok_or(ProtocolError::BatchNotSealed {
                chain: source,
                batch,
            })?;
        if root.is_zero() {
            return Err(ProtocolError::ZeroRoot {
                chain: source,
                batch,
            });
        }
        self.emit(Event::InteropRootImported {
            chain,
            source,
            batch,
            root,
        });
        Ok(())
    }
}
