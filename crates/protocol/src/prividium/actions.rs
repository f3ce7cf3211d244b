//! The Prividium behind the network's actions: the sequencer's admit and judge steps, the
//! admin panel, approvals, the L1 filterer and Mailbox, reads, and the batch commitment; plus
//! the state's read-side views and how its events apply.

use super::audit::{AuditEntry, Decision, Request, RuleRef};
use super::disclosure::{self, CommittedBatch, DisclosureProof, TxKind, TxRecord, TX_COMMITTER};
use super::events::{Change, PrividiumError, PrividiumEvent};
use super::filterer::{Decoded, L1Request, L2_ASSET_ROUTER};
use super::permissions::{
    balance_of_calldata, send_bundle_calldata, transfer_calldata, Access, CallView, Denial,
    Permissions, Selector, User, MAX_ARGUMENT_INDEX,
};
use super::{
    AdminChange, FiltererCall, PendingTransfer, Prividium, PrividiumAction, PrividiumOp,
    PrividiumTx, Query, QueryAnswer, Resolution, L2_BASE_TOKEN,
};
use crate::address::InteropAddress;
use crate::chain::{AssetId, Chain, ChainKind, INTEROP_CENTER};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::merkle::L2_TO_L1_LOGS_TREE_LEAVES;
use crate::network::{Action, Exec, State};
use crate::ChainId;
use alloy_primitives::{keccak256, Address, U256};

impl From<PrividiumError> for ProtocolError {
    fn from(e: PrividiumError) -> Self {
        Self::Prividium(Box::new(e))
    }
}

impl State {
    /// The Prividium of `chain`.
    pub fn prividium(&self, chain: ChainId) -> Result<&Prividium, ProtocolError> {
        self.prividiums
            .get(&chain)
            .ok_or_else(|| PrividiumError::NotAPrividium { chain }.into())
    }

    /// Whether `chain` is a Prividium (a validium whose contents stay with its institution).
    pub fn is_prividium(&self, chain: ChainId) -> bool {
        self.prividiums.contains_key(&chain)
    }

    /// Whether `chain` could ever become a permanent rollup, which priority mode's activation
    /// requires (`PriorityModeRequiresPermanentRollup`, `Admin.activatePriorityMode`,
    /// era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/Admin.sol).
    /// `false` for a Prividium: a validium's DA pair is not one the rollup DA manager allows,
    /// so `makePermanentRollup` reverts `InvalidDAForPermanentRollup`. A Prividium's chain config
    /// says `DataAvailability::Validium`, which is what priority mode's `makePermanentRollup`
    /// reads; arming (`permanentlyAllowPriorityMode`) does not check it.
    pub fn is_permanent_rollup_capable(&self, chain: ChainId) -> bool {
        !self.is_prividium(chain)
            && self
                .chain(chain)
                .is_ok_and(|c| c.config.data_availability == crate::chain::DataAvailability::Rollup)
    }

    /// The L1 chain: the public record disclosures are verified against.
    pub fn l1(&self) -> Option<&Chain> {
        self.chains
            .values()
            .find(|c| c.config.kind == ChainKind::L1)
    }

    /// The contract a transfer or balance query of `asset` is judged against on `chain`: the
    /// base-token system contract for the base token, the asset's token address otherwise.
    pub fn prividium_token_contract(
        &self,
        chain: ChainId,
        asset: AssetId,
    ) -> Result<Address, ProtocolError> {
        if self.chain(chain)?.config.base_token == asset {
            return Ok(L2_BASE_TOKEN);
        }
        self.assets
            .get(&asset)
            .map(|a| a.token)
            .ok_or(ProtocolError::UnknownAsset(asset))
    }

    /// Answers a read as the proxy would, without logging it: admitted, judged, filtered.
    /// [`PrividiumOp::Read`] is the same read through the network, logged.
    pub fn prividium_query(
        &self,
        chain: ChainId,
        caller: Address,
        query: &Query,
    ) -> Result<QueryAnswer, ProtocolError> {
        Ok(self.evaluate_query(chain, caller, query)?.0)
    }

    fn evaluate_query(
        &self,
        chain: ChainId,
        caller: Address,
        query: &Query,
    ) -> Result<Judged, ProtocolError> {
        let p = self.prividium(chain)?;
        let view = match query {
            Query::BalanceOf { asset, account } => Some(CallView::new(
                self.prividium_token_contract(chain, *asset)?,
                balance_of_calldata(*account),
                Access::Read,
            )),
            Query::Transactions => None,
        };
        let call = view.as_ref().map(|v| (v.contract, v.selector()));
        let user = match p.permissions.admit(caller) {
            Ok(u) => u,
            Err(d) => return Ok((QueryAnswer::Denied(d), call, RuleRef::Admission)),
        };
        match (query, view) {
            (Query::BalanceOf { asset, account }, Some(view)) => {
                let (rule, verdict) = p.permissions.judge(user, caller, &view);
                let rule = rule_ref(&view, rule);
                Ok(match verdict {
                    Err(d) => (QueryAnswer::Denied(d), call, rule),
                    Ok(()) => (
                        QueryAnswer::Balance(self.chain(chain)?.balance(*asset, *account)),
                        call,
                        rule,
                    ),
                })
            }
            _ => {
                let (mut visible, mut hidden) = (Vec::new(), 0u64);
                for r in p.history() {
                    if self.may_see(p, user, caller, r) {
                        visible.push(*r);
                    } else {
                        hidden += 1;
                    }
                }
                let rule = RuleRef::Visibility {
                    shown: visible.len() as u64,
                    hidden,
                };
                Ok((QueryAnswer::Transactions { visible, hidden }, None, rule))
            }
        }
    }

    /// Whether `caller` may see transaction `r`: it is a party to it, or a read rule on the
    /// function it called lets it (a model of the explorer filtering the permission API
    /// drives; L1 requests carry no function the model judges, so only parties see them).
    fn may_see(&self, p: &Prividium, user: &User, caller: Address, r: &TxRecord) -> bool {
        if r.involves(caller) {
            return true;
        }
        let view = match r.kind {
            TxKind::Transfer { asset, to, amount } => self
                .prividium_token_contract(r.chain, asset)
                .ok()
                .map(|c| CallView::new(c, transfer_calldata(to, amount), Access::Read)),
            TxKind::Bundle { .. } => Some(CallView::new(
                INTEROP_CENTER,
                super::permissions::send_bundle_selector().to_vec(),
                Access::Read,
            )),
            TxKind::L1Request { .. } => None,
        };
        view.is_some_and(|v| p.permissions.judge(user, caller, &v).1.is_ok())
    }

    /// Builds the selective-disclosure proof of transaction `seq` of Prividium `chain` against
    /// L1's public record (the batch must have settled, and for a chain on Gateway, a Gateway
    /// batch covering it must have settled on L1).
    pub fn disclose(&self, chain: ChainId, seq: u64) -> Result<DisclosureProof, ProtocolError> {
        let p = self.prividium(chain)?;
        let l1 = self
            .l1()
            .ok_or_else(|| ProtocolError::Genesis("no L1 chain".into()))?;
        Ok(disclosure::prove(&self.chains, p, seq, l1)?)
    }

    /// Applies a Prividium event.
    pub(crate) fn apply_prividium(&mut self, ev: &PrividiumEvent) -> Result<(), ProtocolError> {
        let chain = ev.chain;
        let Some(p) = self.prividiums.get_mut(&chain) else {
            return Ok(());
        };
        let perm = &mut p.permissions;
        match &ev.change {
            Change::Audited(entry) => p.audit.push_back(entry.clone()),
            Change::RoleCreated { role } => {
                perm.roles.insert(role.clone());
            }
            Change::UserRegistered { user, roles } => {
                perm.users.insert(
                    *user,
                    User {
                        roles: roles.iter().cloned().collect(),
                        active: true,
                    },
                );
            }
            Change::RoleAssigned { user, role } => {
                if let Some(u) = perm.users.get_mut(user) {
                    u.roles.insert(role.clone());
                }
            }
            Change::RoleRevoked { user, role } => {
                if let Some(u) = perm.users.get_mut(user) {
                    u.roles.remove(role);
                }
            }
            Change::UserDisabled { user } => {
                if let Some(u) = perm.users.get_mut(user) {
                    u.active = false;
                }
            }
            Change::RuleSet { key, rule } => match rule {
                Some(r) => {
                    perm.rules.insert(*key, r.clone());
                }
                None => {
                    perm.rules.remove(key);
                }
            },
            Change::RouteSet {
                role,
                destination,
                allowed,
            } => {
                let set = perm.routes.entry(role.clone()).or_default();
                if *allowed {
                    set.insert(*destination);
                } else {
                    set.remove(destination);
                    if set.is_empty() {
                        perm.routes.remove(role);
                    }
                }
            }
            Change::ApprovalPolicySet { asset, policy } => match policy {
                Some(policy) => {
                    p.approvals.insert(*asset, *policy);
                }
                None => {
                    p.approvals.remove(asset);
                }
            },
            Change::TransferHeld(t) => {
                p.pending.insert(t.id, *t);
                p.requests = p.requests.max(t.id);
            }
            Change::TransferResolved { request, .. } => {
                p.pending.remove(request);
            }
            Change::TransactionRecorded(r) => {
                p.open.push_back(*r);
                p.transactions = p.transactions.max(r.seq + 1);
            }
            Change::TransactionsCommitted { batch, root, .. } => {
                let Some(c) = self.chains.get_mut(&chain) else {
                    return Ok(());
                };
                let log_index = c.pending_logs.len() as u32; // invariant: < 16,384 (checked)
                let records = std::mem::take(&mut p.open);
                let committed =
                    CommittedBatch::build(&p.config.disclosure_seed, records, log_index);
                if committed.root() != *root {
                    return Err(PrividiumError::CommitmentMismatch {
                        batch: *batch,
                        logged: *root,
                        computed: committed.root(),
                    }
                    .into());
                }
                let data = disclosure::commitment_data(*batch, root);
                c.pending_logs
                    .push_back(crate::settlement::message_log_leaf(
                        log_index as u16,
                        TX_COMMITTER,
                        &keccak256(&data),
                    ));
                p.committed.insert(*batch, committed);
            }
            Change::WhitelistGranted { sender } => {
                p.filterer.whitelisted.insert(*sender);
            }
            Change::WhitelistRevoked { sender } => {
                p.filterer.whitelisted.remove(sender);
            }
            Change::DepositsPermissionChanged { allowed } => {
                p.filterer.deposits_allowed = *allowed;
            }
            Change::OwnershipTransferStarted { new_owner, .. } => {
                p.filterer.pending_owner = *new_owner;
            }
            Change::OwnershipTransferred { new_owner, .. } => {
                p.filterer.owner = *new_owner;
                p.filterer.pending_owner = Address::ZERO;
            }
        }
        Ok(())
    }
}

/// A read's answer, the call it judged, and the rule that decided.
type Judged = (QueryAnswer, Option<(Address, Selector)>, RuleRef);

/// The audit reference of a judged call.
fn rule_ref(view: &CallView, rule: Option<&super::RuleKind>) -> RuleRef {
    match rule {
        Some(r) => RuleRef::Rule {
            key: view.key(),
            rule: r.clone(),
        },
        None => RuleRef::DefaultDeny { key: view.key() },
    }
}

fn err(e: PrividiumError) -> ProtocolError {
    e.into()
}

impl Exec<'_> {
    /// Refuses a raw user transaction on a Prividium (`NotAdmitted`): its sequencer accepts
    /// only what went through [`PrividiumOp::Submit`]. Deposits from outside the model
    /// (`Fund`) and contract-level actions (settlement, interop execution, fee claims) pass.
    pub(crate) fn guard_prividium(&self, action: &Action) -> Result<(), ProtocolError> {
        let chain = match action {
            Action::Transfer { chain, .. }
            | Action::SendBundle { chain, .. }
            | Action::SendMessage { chain, .. }
            | Action::InteropTraffic { chain, .. } => *chain,
            _ => return Ok(()),
        };
        if self.state.is_prividium(chain) {
            return Err(err(PrividiumError::NotAdmitted { chain }));
        }
        Ok(())
    }

    /// Before a Prividium's batch is sealed: publishes the root of its transactions as an L2→L1
    /// message of that batch (nothing when it executed none). Other chains: nothing.
    pub(crate) fn commit_prividium_transactions(
        &mut self,
        chain: ChainId,
    ) -> Result<(), ProtocolError> {
        let Some(p) = self.state.prividiums.get(&chain) else {
            return Ok(());
        };
        if p.open.is_empty() {
            return Ok(());
        }
        let c = self.state.chain(chain)?;
        let logs = c.pending_logs.len();
        if logs >= L2_TO_L1_LOGS_TREE_LEAVES {
            return Err(ProtocolError::BatchFull {
                chain,
                batch: c.next_batch_number(),
                max: L2_TO_L1_LOGS_TREE_LEAVES,
            });
        }
        let committed = CommittedBatch::build(&p.config.disclosure_seed, p.open.clone(), 0);
        let change = Change::TransactionsCommitted {
            batch: c.next_batch_number(),
            root: committed.root(),
            count: p.open.len() as u64,
        };
        self.pv(chain, change);
        Ok(())
    }

    fn pv(&mut self, chain: ChainId, change: Change) {
        self.emit(Event::Prividium(Box::new(PrividiumEvent { chain, change })));
    }

    fn audit(
        &mut self,
        chain: ChainId,
        caller: Address,
        request: Request,
        call: Option<(Address, Selector)>,
        decision: Decision,
        rule: RuleRef,
    ) -> Result<(), ProtocolError> {
        let seq = self.state.prividium(chain)?.audit.len() as u64;
        let at = self.state.time;
        self.pv(
            chain,
            Change::Audited(AuditEntry {
                seq,
                at,
                caller,
                request,
                call,
                decision,
                rule,
            }),
        );
        Ok(())
    }

    fn record_tx(
        &mut self,
        chain: ChainId,
        from: Address,
        kind: TxKind,
    ) -> Result<(), ProtocolError> {
        let p = self.state.prividium(chain)?;
        let record = TxRecord {
            chain,
            seq: p.transactions,
            batch: self.state.chain(chain)?.next_batch_number(),
            index: p.open.len() as u32,
            at: self.state.time,
            from,
            kind,
        };
        self.pv(chain, Change::TransactionRecorded(record));
        Ok(())
    }

    /// Runs a Prividium action.
    pub(crate) fn prividium(&mut self, action: PrividiumAction) -> Result<(), ProtocolError> {
        let chain = action.chain;
        self.state.prividium(chain)?;
        match action.op {
            PrividiumOp::Admin { caller, change } => self.admin(chain, caller, change),
            PrividiumOp::Submit { caller, tx } => self.submit(chain, caller, tx),
            PrividiumOp::Read { caller, query } => {
                let (answer, call, rule) = self.state.evaluate_query(chain, caller, &query)?;
                let decision = match answer {
                    QueryAnswer::Denied(d) => Decision::Denied(d),
                    _ => Decision::Allowed,
                };
                self.audit(chain, caller, Request::Read(query), call, decision, rule)
            }
            PrividiumOp::Approve { caller, request } => self.decide(chain, caller, request, true),
            PrividiumOp::Reject { caller, request } => self.decide(chain, caller, request, false),
            PrividiumOp::ExpireTransfers { caller } => self.expire(chain, caller),
            PrividiumOp::Filterer { caller, call } => self.filterer_call(chain, caller, call),
            PrividiumOp::L1Request(r) => self.l1_request(chain, r),
        }
    }

    /// Admission: the user, or the logged denial (`Ok(None)`).
    fn admit(
        &mut self,
        chain: ChainId,
        caller: Address,
        request: &Request,
        call: Option<(Address, Selector)>,
    ) -> Result<Option<User>, ProtocolError> {
        match self.state.prividium(chain)?.permissions.admit(caller) {
            Ok(u) => Ok(Some(u.clone())),
            Err(d) => {
                self.audit(
                    chain,
                    caller,
                    request.clone(),
                    call,
                    Decision::Denied(d),
                    RuleRef::Admission,
                )?;
                Ok(None)
            }
        }
    }

    fn tx_view(&self, chain: ChainId, tx: &PrividiumTx) -> Result<CallView, ProtocolError> {
        Ok(match tx {
            PrividiumTx::Transfer { asset, to, amount } => CallView::new(
                self.state.prividium_token_contract(chain, *asset)?,
                transfer_calldata(*to, *amount),
                Access::Write,
            ),
            PrividiumTx::SendBundle {
                destination,
                starters,
                attributes,
                ..
            } => CallView::new(
                INTEROP_CENTER,
                send_bundle_calldata(destination, starters, attributes),
                Access::Write,
            ),
        })
    }

    fn submit(
        &mut self,
        chain: ChainId,
        caller: Address,
        tx: PrividiumTx,
    ) -> Result<(), ProtocolError> {
        let view = self.tx_view(chain, &tx)?;
        let call = Some((view.contract, view.selector()));
        let request = Request::Submit(tx.clone());
        let Some(user) = self.admit(chain, caller, &request, call)? else {
            return Ok(());
        };
        let p = self.state.prividium(chain)?;
        let (rule, verdict) = p.permissions.judge(&user, caller, &view);
        let rule = rule_ref(&view, rule);
        if let Err(d) = verdict {
            return self.audit(chain, caller, request, call, Decision::Denied(d), rule);
        }
        match tx {
            PrividiumTx::Transfer { asset, to, amount } => {
                let policy = p.approvals.get(&asset).copied();
                if let Some(policy) = policy.filter(|pol| amount > pol.limit) {
                    let now = self.state.time;
                    let pending = PendingTransfer {
                        id: p.requests + 1,
                        from: caller,
                        asset,
                        to,
                        amount,
                        approver: policy.approver,
                        requested_at: now,
                        expires_at: now.saturating_add(policy.window),
                    };
                    self.pv(chain, Change::TransferHeld(pending));
                    let rule = RuleRef::ApprovalPolicy {
                        asset,
                        limit: policy.limit,
                        approver: policy.approver,
                    };
                    let decision = Decision::Held {
                        request: pending.id,
                    };
                    return self.audit(chain, caller, request, call, decision, rule);
                }
                self.transfer(chain, asset, caller, to, amount)?;
                self.audit(chain, caller, request, call, Decision::Allowed, rule)
            }
            PrividiumTx::SendBundle {
                destination,
                starters,
                attributes,
                value,
            } => {
                let dest = InteropAddress::decode(&destination)?
                    .chain_id
                    .ok_or_else(|| {
                        ProtocolError::BadDestination("the destination must name a chain".into())
                    })?;
                let role = match p.permissions.route(&user, dest) {
                    Ok(role) => role,
                    Err(d) => {
                        let rule = RuleRef::Route {
                            destination: dest,
                            role: None,
                        };
                        return self.audit(chain, caller, request, call, Decision::Denied(d), rule);
                    }
                };
                // One log slot of every batch is kept for the transaction commitment.
                let c = self.state.chain(chain)?;
                if c.pending_logs.len() + 1 >= L2_TO_L1_LOGS_TREE_LEAVES {
                    return Err(ProtocolError::BatchFull {
                        chain,
                        batch: c.next_batch_number(),
                        max: L2_TO_L1_LOGS_TREE_LEAVES - 1,
                    });
                }
                let hash =
                    self.send_bundle(chain, caller, &destination, &starters, &attributes, value)?;
                let fixed_fee = self.out.iter().rev().find_map(|e| match e {
                    Event::InteropBundleSent {
                        bundle_hash,
                        bundle,
                        ..
                    } if *bundle_hash == hash => Some(bundle.bundleAttributes.useFixedFee),
                    _ => None,
                });
                let kind = TxKind::Bundle {
                    bundle_hash: hash,
                    destination: dest,
                    calls: starters.len() as u64,
                    fixed_fee: fixed_fee.unwrap_or(false),
                };
                self.record_tx(chain, caller, kind)?;
                let rule = RuleRef::Route {
                    destination: dest,
                    role: Some(role),
                };
                self.audit(chain, caller, request, call, Decision::Allowed, rule)
            }
        }
    }

    /// Executes a transfer and records it.
    fn transfer(
        &mut self,
        chain: ChainId,
        asset: AssetId,
        from: Address,
        to: Address,
        amount: U256,
    ) -> Result<(), ProtocolError> {
        self.require_balance(chain, asset, from, amount)?;
        self.emit(Event::Transferred {
            chain,
            asset,
            from,
            to,
            amount,
        });
        self.record_tx(chain, from, TxKind::Transfer { asset, to, amount })
    }

    fn decide(
        &mut self,
        chain: ChainId,
        caller: Address,
        request: u64,
        approve: bool,
    ) -> Result<(), ProtocolError> {
        let req = if approve {
            Request::Approve { request }
        } else {
            Request::Reject { request }
        };
        if self.admit(chain, caller, &req, None)?.is_none() {
            return Ok(());
        }
        let pending = self
            .state
            .prividium(chain)?
            .pending
            .get(&request)
            .copied()
            .ok_or(PrividiumError::UnknownTransferRequest { chain, request })?;
        let now = self.state.time;
        if now >= pending.expires_at {
            return Err(err(PrividiumError::ApprovalExpired {
                request,
                expires_at: pending.expires_at,
                now,
            }));
        }
        let rule = RuleRef::NamedApprover {
            approver: pending.approver,
        };
        if caller != pending.approver {
            let d = Denial::NotTheApprover {
                approver: pending.approver,
            };
            return self.audit(chain, caller, req, None, Decision::Denied(d), rule);
        }
        let (resolution, decision) = if approve {
            let p = pending;
            self.transfer(chain, p.asset, p.from, p.to, p.amount)?;
            (Resolution::Approved, Decision::Approved { request })
        } else {
            (Resolution::Rejected, Decision::Rejected { request })
        };
        self.pv(
            chain,
            Change::TransferResolved {
                request,
                resolution,
            },
        );
        self.audit(chain, caller, req, None, decision, rule)
    }

    fn expire(&mut self, chain: ChainId, caller: Address) -> Result<(), ProtocolError> {
        let now = self.state.time;
        let due: Vec<PendingTransfer> = self
            .state
            .prividium(chain)?
            .pending
            .values()
            .filter(|t| now >= t.expires_at)
            .copied()
            .collect();
        for t in due {
            self.pv(
                chain,
                Change::TransferResolved {
                    request: t.id,
                    resolution: Resolution::Expired,
                },
            );
            self.audit(
                chain,
                caller,
                Request::Expire { request: t.id },
                None,
                Decision::Expired { request: t.id },
                RuleRef::ApprovalWindow {
                    expires_at: t.expires_at,
                },
            )?;
        }
        Ok(())
    }

    fn admin(
        &mut self,
        chain: ChainId,
        caller: Address,
        change: AdminChange,
    ) -> Result<(), ProtocolError> {
        let request = Request::Admin(change.clone());
        let Some(user) = self.admit(chain, caller, &request, None)? else {
            return Ok(());
        };
        if !Permissions::is_admin(&user) {
            let d = Denial::NotAdmin { caller };
            return self.audit(
                chain,
                caller,
                request,
                None,
                Decision::Denied(d),
                RuleRef::AdminRole,
            );
        }
        let p = &self.state.prividium(chain)?.permissions;
        let role_exists = |role: &String| {
            if p.roles.contains(role) {
                Ok(())
            } else {
                Err(err(PrividiumError::UnknownRole { role: role.clone() }))
            }
        };
        let user_of = |user: &Address| {
            p.users
                .get(user)
                .ok_or(err(PrividiumError::UnknownUser { user: *user }))
        };
        let event = match change {
            AdminChange::CreateRole { role } => {
                if p.roles.contains(&role) {
                    return Err(err(PrividiumError::RoleAlreadyExists { role }));
                }
                Change::RoleCreated { role }
            }
            AdminChange::RegisterUser { user, roles } => {
                if user.is_zero() {
                    return Err(err(PrividiumError::ZeroAddress));
                }
                if p.users.contains_key(&user) {
                    return Err(err(PrividiumError::UserAlreadyRegistered { user }));
                }
                roles.iter().try_for_each(role_exists)?;
                Change::UserRegistered { user, roles }
            }
            AdminChange::AssignRole { user, role } => {
                let u = user_of(&user)?;
                role_exists(&role)?;
                if u.roles.contains(&role) {
                    return Err(err(PrividiumError::RoleAlreadyAssigned { user, role }));
                }
                Change::RoleAssigned { user, role }
            }
            AdminChange::RevokeRole { user, role } => {
                if !user_of(&user)?.roles.contains(&role) {
                    return Err(err(PrividiumError::RoleNotAssigned { user, role }));
                }
                Change::RoleRevoked { user, role }
            }
            AdminChange::DisableUser { user } => {
                if !user_of(&user)?.active {
                    return Err(err(PrividiumError::UserAlreadyDisabled { user }));
                }
                Change::UserDisabled { user }
            }
            AdminChange::SetRule { key, rule } => {
                match &rule {
                    Some(r) => {
                        if r.argument().is_some_and(|i| i > MAX_ARGUMENT_INDEX) {
                            return Err(err(PrividiumError::InvalidRule {
                                reason: "argument index past 31",
                            }));
                        }
                        let checks_role = !matches!(
                            r,
                            super::RuleKind::Public | super::RuleKind::RestrictArgument { .. }
                        );
                        if checks_role && r.roles().is_empty() {
                            return Err(err(PrividiumError::InvalidRule {
                                reason: "a role-checking rule needs at least one role",
                            }));
                        }
                        r.roles().iter().try_for_each(role_exists)?;
                    }
                    None => {
                        if !p.rules.contains_key(&key) {
                            return Err(err(PrividiumError::NoSuchRule { key }));
                        }
                    }
                }
                Change::RuleSet { key, rule }
            }
            AdminChange::SetRoute {
                role,
                destination,
                allowed,
            } => {
                role_exists(&role)?;
                self.state.chain(destination)?;
                Change::RouteSet {
                    role,
                    destination,
                    allowed,
                }
            }
            AdminChange::SetApprovalPolicy { asset, policy } => {
                if !self.state.assets.contains_key(&asset) {
                    return Err(ProtocolError::UnknownAsset(asset));
                }
                if let Some(pol) = &policy {
                    if pol.approver.is_zero() {
                        return Err(err(PrividiumError::InvalidApprovalPolicy {
                            reason: "the approver is the zero address",
                        }));
                    }
                    if pol.window == 0 {
                        return Err(err(PrividiumError::InvalidApprovalPolicy {
                            reason: "the window is zero seconds",
                        }));
                    }
                }
                Change::ApprovalPolicySet { asset, policy }
            }
        };
        self.pv(chain, event);
        self.audit(
            chain,
            caller,
            request,
            None,
            Decision::Allowed,
            RuleRef::AdminRole,
        )
    }

    /// An owner call to the filterer, in the contract's order of checks.
    fn filterer_call(
        &mut self,
        chain: ChainId,
        caller: Address,
        call: FiltererCall,
    ) -> Result<(), ProtocolError> {
        let f = &self.state.prividium(chain)?.filterer;
        let only_owner = || {
            if caller == f.owner {
                Ok(())
            } else {
                Err(err(PrividiumError::CallerNotOwner { caller }))
            }
        };
        let change = match call {
            FiltererCall::GrantWhitelist { sender } => {
                only_owner()?;
                if f.is_whitelisted(sender) {
                    return Err(err(PrividiumError::AlreadyWhitelisted(sender)));
                }
                if sender.is_zero() {
                    return Err(err(PrividiumError::ZeroAddress));
                }
                Change::WhitelistGranted { sender }
            }
            FiltererCall::RevokeWhitelist { sender } => {
                only_owner()?;
                if !f.is_whitelisted(sender) {
                    return Err(err(PrividiumError::NotWhitelisted(sender)));
                }
                Change::WhitelistRevoked { sender }
            }
            FiltererCall::SetDepositsAllowed { allowed } => {
                only_owner()?;
                if f.deposits_allowed == allowed {
                    return Ok(());
                }
                Change::DepositsPermissionChanged { allowed }
            }
            FiltererCall::TransferOwnership { new_owner } => {
                only_owner()?;
                Change::OwnershipTransferStarted {
                    previous_owner: f.owner,
                    new_owner,
                }
            }
            FiltererCall::AcceptOwnership => {
                if caller != f.pending_owner {
                    return Err(err(PrividiumError::CallerNotNewOwner { caller }));
                }
                Change::OwnershipTransferred {
                    previous_owner: f.owner,
                    new_owner: caller,
                }
            }
        };
        self.pv(chain, change);
        Ok(())
    }

    /// An L1 → L2 request: the Mailbox asks the filterer, then the request executes on the
    /// chain — base token minted (its L2 value to the target, the rest to the refund recipient;
    /// gas is not modelled) and a bridged deposit credited to its receiver. What an arbitrary
    /// call from a whitelisted sender does beyond its value is not modelled.
    fn l1_request(&mut self, chain: ChainId, r: L1Request) -> Result<(), ProtocolError> {
        let p = self.state.prividium(chain)?;
        let verdict = p
            .filterer
            .is_transaction_allowed(&r)
            .map_err(|e| err(PrividiumError::FiltererReverted(e)))?;
        if !verdict.allowed {
            return Err(err(PrividiumError::TransactionNotAllowed {
                chain,
                sender: r.sender,
                rule: Box::new(verdict.rule),
            }));
        }
        if r.l2_value > r.mint_value {
            return Err(err(PrividiumError::L2ValueExceedsMint {
                l2_value: r.l2_value,
                mint_value: r.mint_value,
            }));
        }
        let deposit = if r.sender == p.filterer.l1_asset_router && r.contract_l2 == L2_ASSET_ROUTER
        {
            match super::filterer::decode_deposit(&r.calldata) {
                Ok(Decoded::Deposit(d)) => Some(d),
                _ => None,
            }
        } else {
            None
        };
        let base = self.state.chain(chain)?.config.base_token;
        let refund = if r.refund_recipient.is_zero() {
            r.sender
        } else {
            r.refund_recipient
        };
        // The L1 side: the Bridgehub takes `mintValue` of the base token from the caller (the
        // depositor, for a token deposit through the asset router) into the L1 vault, and the
        // asset router's vault takes the deposited tokens (era-contracts@4859b6f:
        // l1-contracts/contracts/core/bridgehub/L1Bridgehub.sol `requestL2TransactionTwoBridges`,
        // `bridge/ntv/L1NativeTokenVault.sol`). Assets native elsewhere than L1 (ZK) are not
        // bridged in the model (MODEL.md), so they are minted as before.
        let payer = deposit.map_or(r.sender, |d| d.depositor);
        self.lock_on_l1(chain, base, payer, r.mint_value)?;
        let mut credits = vec![
            (base, r.contract_l2, r.l2_value),
            (base, refund, r.mint_value - r.l2_value),
        ];
        let mut deposited = None;
        if let Some(d) = deposit {
            let asset = match d.asset_id {
                Some(id) => AssetId(id),
                None => {
                    let l1 = self
                        .state
                        .l1()
                        .ok_or_else(|| ProtocolError::Genesis("no L1 chain".into()))?;
                    AssetId::native(l1.config.id, d.token)
                }
            };
            if !self.state.assets.contains_key(&asset) {
                return Err(ProtocolError::UnknownAsset(asset));
            }
            self.lock_on_l1(chain, asset, d.depositor, d.amount)?;
            credits.push((asset, d.receiver, d.amount));
            deposited = Some((asset, d.receiver, d.amount));
        }
        for (asset, to, amount) in credits {
            if !amount.is_zero() {
                self.emit(Event::Funded {
                    chain,
                    asset,
                    to,
                    amount,
                });
            }
        }
        let kind = TxKind::L1Request {
            contract_l2: r.contract_l2,
            mint_value: r.mint_value,
            l2_value: r.l2_value,
            deposit: deposited,
        };
        self.record_tx(chain, r.sender, kind)?;
        let sender = r.sender;
        self.audit(
            chain,
            sender,
            Request::L1(r),
            None,
            Decision::Allowed,
            RuleRef::Filterer(verdict.rule),
        )
    }
}
