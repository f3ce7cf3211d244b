//! The Prividium through `Network::apply`: every permission rule allowed and denied, every
//! error with the state unchanged, approvals at their window's edge, the filterer branch by
//! branch, the audit export, selective disclosure (and tampering with any byte of a proof),
//! and replay.

use super::audit::{self, Decision, Request, RuleRef, COLUMNS};
use super::disclosure::{self, DisclosureError, DisclosureProof};
use super::filterer::{
    asset_router, finalize_deposit_calldata, legacy_bridge, legacy_finalize_deposit_calldata,
    FilterRevert, FilterRule, L1Request, L2_ASSET_ROUTER,
};
use super::permissions::{send_bundle_selector, ADMIN_ROLE};
use super::*;
use crate::address::InteropAddress;
use crate::chain::INTEROP_CENTER;
use crate::error::ProtocolError;
use crate::event::Event;
use crate::genesis::{account, devnet as ids, eth, zk, Genesis};
use crate::interop::bundle::attr;
use crate::interop::recipient::Code;
use crate::network::{Action, Network};
use crate::units::tokens;
use alloy_primitives::{b256, Bytes, FixedBytes};
use alloy_sol_types::SolCall;

const P: ChainId = DEVNET_PRIVIDIUM;
const DAY: u64 = 86_400;

fn name(n: &str) -> Address {
    account(n)
}

fn act(op: PrividiumOp) -> Action {
    Action::Prividium(Box::new(PrividiumAction { chain: P, op }))
}

fn admin(change: AdminChange) -> Action {
    act(PrividiumOp::Admin {
        caller: name("prividium-admin"),
        change,
    })
}

fn submit(caller: &str, tx: PrividiumTx) -> Action {
    act(PrividiumOp::Submit {
        caller: name(caller),
        tx,
    })
}

fn transfer(caller: &str, to: &str, amount: U256) -> Action {
    submit(
        caller,
        PrividiumTx::Transfer {
            asset: eth(),
            to: name(to),
            amount,
        },
    )
}

fn bundle_to(chain: ChainId, fixed: bool) -> PrividiumTx {
    PrividiumTx::SendBundle {
        destination: InteropAddress::chain_only(chain).encode(),
        starters: vec![crate::interop::bundle::InteropCallStarter {
            to: InteropAddress::address_only(name("sink")).encode(),
            data: Bytes::new(),
            call_attributes: vec![],
        }],
        attributes: if fixed {
            vec![attr::use_fixed_fee(true)]
        } else {
            vec![]
        },
        value: U256::ZERO,
    }
}

fn key(contract: Address, selector: [u8; 4], access: Access) -> RuleKey {
    RuleKey {
        contract,
        selector: FixedBytes(selector),
        access,
    }
}

fn transfer_key() -> RuleKey {
    key(L2_BASE_TOKEN, [0xa9, 0x05, 0x9c, 0xbb], Access::Write)
}

fn balance_key() -> RuleKey {
    key(L2_BASE_TOKEN, [0x70, 0xa0, 0x82, 0x31], Access::Read)
}

fn send_key() -> RuleKey {
    RuleKey {
        contract: INTEROP_CENTER,
        selector: send_bundle_selector(),
        access: Access::Write,
    }
}

fn ok(net: &mut Network, a: Action) -> Vec<Event> {
    match net.apply(a.clone()) {
        Ok(e) => e,
        Err(e) => panic!("{a:?} failed: {e}"),
    }
}

/// The action is refused with exactly `expected`, and nothing changed.
fn rejects(net: &mut Network, a: Action, expected: ProtocolError) {
    let before = net.state().clone();
    let got = net.apply(a).expect_err("the action must be refused");
    assert_eq!(got, expected);
    assert_eq!(net.state(), &before, "a rejected action changes nothing");
}

fn pv(net: &Network) -> &Prividium {
    net.state()
        .prividiums
        .get(&P)
        .expect("the devnet has its Prividium")
}

fn last_entry(net: &Network) -> AuditEntry {
    pv(net).audit.last().cloned().expect("an audit entry")
}

/// A denied request logs exactly one entry and changes nothing else.
fn denied(net: &mut Network, a: Action) -> (Denial, RuleRef) {
    let before = net.state().clone();
    let events = ok(net, a);
    assert_eq!(events.len(), 1, "only the audit entry: {events:?}");
    let entry = last_entry(net);
    let Decision::Denied(d) = entry.decision.clone() else {
        panic!("not denied: {entry:?}");
    };
    let mut rolled = net.state().clone();
    if let Some(p) = rolled.prividiums.get_mut(&P) {
        p.audit.pop_back();
    }
    assert_eq!(&rolled, &before, "a denial changes nothing but the log");
    (d, entry.rule)
}

fn allowed(net: &mut Network, a: Action) -> Vec<Event> {
    let events = ok(net, a);
    let entry = last_entry(net);
    assert_eq!(entry.decision, Decision::Allowed, "{entry:?}");
    events
}

fn eth_of(net: &Network, who: &str) -> U256 {
    net.state().chain(P).unwrap().balance(eth(), name(who))
}

/// The devnet Prividium with roles trader, auditor and viewer; users alice and bob (traders),
/// carol (auditor), vic (viewer); traders may transfer the base token and send to Era; alice
/// and bob hold 1,000 ETH and ZK for fixed fees.
fn setup() -> Network {
    let mut net = Network::new(&devnet()).unwrap();
    for role in ["trader", "auditor", "viewer"] {
        ok(
            &mut net,
            admin(AdminChange::CreateRole { role: role.into() }),
        );
    }
    for (user, roles) in [
        ("alice", vec!["trader"]),
        ("bob", vec!["trader"]),
        ("carol", vec!["auditor"]),
        ("vic", vec!["viewer"]),
    ] {
        ok(
            &mut net,
            admin(AdminChange::RegisterUser {
                user: name(user),
                roles: roles.into_iter().map(String::from).collect(),
            }),
        );
    }
    ok(
        &mut net,
        admin(AdminChange::SetRule {
            key: transfer_key(),
            rule: Some(RuleKind::CheckRole {
                roles: vec!["trader".into()],
            }),
        }),
    );
    ok(
        &mut net,
        admin(AdminChange::SetRule {
            key: send_key(),
            rule: Some(RuleKind::CheckRole {
                roles: vec!["trader".into()],
            }),
        }),
    );
    ok(
        &mut net,
        admin(AdminChange::SetRoute {
            role: "trader".into(),
            destination: ids::ERA,
            allowed: true,
        }),
    );
    for who in ["alice", "bob"] {
        ok(
            &mut net,
            Action::Fund {
                chain: P,
                asset: eth(),
                to: name(who),
                amount: tokens(1_000),
            },
        );
        ok(
            &mut net,
            Action::ZkTransfer {
                from: name("treasury"),
                to: name(who),
                amount: tokens(1_000),
            },
        );
        ok(
            &mut net,
            Action::ZkApprove {
                owner: name(who),
                spender: INTEROP_CENTER,
                amount: U256::MAX,
            },
        );
    }
    net
}

#[test]
fn a_prividium_is_a_validium_that_can_never_be_a_permanent_rollup() {
    let net = setup();
    let s = net.state();
    assert!(s.is_prividium(P));
    assert!(!s.is_permanent_rollup_capable(P));
    assert!(!s.is_prividium(ids::ERA));
    assert!(s.is_permanent_rollup_capable(ids::ERA));
    let p = pv(&net);
    assert_eq!(p.config.chain, P);
    assert!(p.permissions.users[&name("prividium-admin")]
        .roles
        .contains(ADMIN_ROLE));
    assert!(
        !p.filterer.deposits_allowed,
        "initialize leaves deposits off"
    );
    // A Prividium settles publicly like any chain on Gateway.
    assert!(s.settles_on_gateway(P));
}

#[test]
fn genesis_refuses_misplaced_prividiums() {
    let with = |f: &dyn Fn(&mut Genesis)| {
        let mut g = devnet();
        f(&mut g);
        Network::new(&g).map(|_| ()).unwrap_err()
    };
    assert!(matches!(
        with(&|g| g.prividiums[0].chain = ids::L1),
        ProtocolError::Genesis(m) if m.contains("ordinary ZK chain")
    ));
    assert!(matches!(
        with(&|g| g.prividiums[0].chain = ids::GATEWAY),
        ProtocolError::Genesis(_)
    ));
    assert!(matches!(
        with(&|g| g.prividiums[0].chain = 999),
        ProtocolError::Genesis(m) if m.contains("not listed")
    ));
    assert!(matches!(
        with(&|g| {
            let again = g.prividiums[0].clone();
            g.prividiums.push(again)
        }),
        ProtocolError::Genesis(m) if m.contains("twice")
    ));
    assert_eq!(
        with(&|g| g.prividiums[0].filterer_owner = Address::ZERO),
        PrividiumError::ZeroAddress.into()
    );
    assert_eq!(
        with(&|g| g.prividiums[0].admin = Address::ZERO),
        PrividiumError::ZeroAddress.into()
    );
}

#[test]
fn raw_transactions_on_a_prividium_are_not_admitted() {
    let mut net = setup();
    let not = || ProtocolError::from(PrividiumError::NotAdmitted { chain: P });
    rejects(
        &mut net,
        Action::Transfer {
            chain: P,
            asset: eth(),
            from: name("alice"),
            to: name("bob"),
            amount: tokens(1),
        },
        not(),
    );
    let PrividiumTx::SendBundle {
        destination,
        starters,
        attributes,
        value,
    } = bundle_to(ids::ERA, false)
    else {
        unreachable!()
    };
    rejects(
        &mut net,
        Action::SendBundle {
            chain: P,
            sender: name("alice"),
            destination,
            starters,
            attributes,
            value,
        },
        not(),
    );
    rejects(
        &mut net,
        Action::SendMessage {
            chain: P,
            sender: name("alice"),
            recipient: InteropAddress::new(ids::ERA, name("sink")).encode(),
            payload: Bytes::new(),
            attributes: vec![],
            value: U256::ZERO,
        },
        not(),
    );
    rejects(
        &mut net,
        Action::InteropTraffic {
            chain: P,
            payer: name("alice"),
            destination: ids::ERA,
            calls: 1,
            use_fixed_fee: true,
        },
        not(),
    );
    // Inside a batch too, after a step that would have succeeded.
    rejects(
        &mut net,
        Action::Batch(vec![
            transfer("alice", "bob", tokens(1)),
            Action::Transfer {
                chain: P,
                asset: eth(),
                from: name("alice"),
                to: name("bob"),
                amount: tokens(1),
            },
        ]),
        not(),
    );
    // An ordinary chain is untouched by the rule.
    ok(
        &mut net,
        Action::Fund {
            chain: ids::ERA,
            asset: eth(),
            to: name("alice"),
            amount: tokens(1),
        },
    );
    ok(
        &mut net,
        Action::Transfer {
            chain: ids::ERA,
            asset: eth(),
            from: name("alice"),
            to: name("bob"),
            amount: tokens(1),
        },
    );
}

#[test]
fn admission_refuses_strangers_and_disabled_users_and_logs_it() {
    let mut net = setup();
    let (d, rule) = denied(&mut net, transfer("mallory", "bob", tokens(1)));
    assert_eq!(
        d,
        Denial::NotAUser {
            caller: name("mallory")
        }
    );
    assert_eq!(rule, RuleRef::Admission);
    let e = last_entry(&net);
    assert_eq!(e.caller, name("mallory"));
    assert_eq!(e.call, Some((L2_BASE_TOKEN, transfer_key().selector)));
    assert!(matches!(
        e.request,
        Request::Submit(PrividiumTx::Transfer { .. })
    ));
    // Bob is admitted until an admin disables him.
    allowed(&mut net, transfer("bob", "alice", tokens(1)));
    ok(
        &mut net,
        admin(AdminChange::DisableUser { user: name("bob") }),
    );
    let (d, rule) = denied(&mut net, transfer("bob", "alice", tokens(1)));
    assert_eq!(
        d,
        Denial::UserDisabled {
            caller: name("bob")
        }
    );
    assert_eq!(rule, RuleRef::Admission);
    // Reads and admin changes are admitted the same way.
    let (d, _) = denied(
        &mut net,
        act(PrividiumOp::Read {
            caller: name("bob"),
            query: Query::Transactions,
        }),
    );
    assert_eq!(
        d,
        Denial::UserDisabled {
            caller: name("bob")
        }
    );
}

#[test]
fn functions_without_a_rule_are_forbidden_by_default() {
    let mut net = setup();
    ok(
        &mut net,
        admin(AdminChange::SetRule {
            key: transfer_key(),
            rule: None,
        }),
    );
    let (d, rule) = denied(&mut net, transfer("alice", "bob", tokens(1)));
    assert_eq!(
        d,
        Denial::NoRule {
            key: transfer_key()
        }
    );
    assert_eq!(
        rule,
        RuleRef::DefaultDeny {
            key: transfer_key()
        }
    );
    // A write rule does not open reads of the same function, nor other assets' transfers.
    let (d, _) = denied(
        &mut net,
        act(PrividiumOp::Read {
            caller: name("alice"),
            query: Query::BalanceOf {
                asset: eth(),
                account: name("alice"),
            },
        }),
    );
    assert_eq!(d, Denial::NoRule { key: balance_key() });
    let zk_transfer = submit(
        "alice",
        PrividiumTx::Transfer {
            asset: zk(),
            to: name("bob"),
            amount: U256::from(1u8),
        },
    );
    let (d, _) = denied(&mut net, zk_transfer);
    assert_eq!(
        d,
        Denial::NoRule {
            key: key(
                crate::genesis::ZK_TOKEN_ADDRESS,
                [0xa9, 0x05, 0x9c, 0xbb],
                Access::Write
            )
        }
    );
}

fn set_transfer_rule(net: &mut Network, rule: RuleKind) {
    ok(
        net,
        admin(AdminChange::SetRule {
            key: transfer_key(),
            rule: Some(rule),
        }),
    );
}

#[test]
fn public_and_check_role_rules_allow_and_deny() {
    let mut net = setup();
    // Check Role: traders yes, a viewer no.
    allowed(&mut net, transfer("alice", "bob", tokens(2)));
    assert_eq!(eth_of(&net, "bob"), tokens(1_002));
    ok(
        &mut net,
        Action::Fund {
            chain: P,
            asset: eth(),
            to: name("vic"),
            amount: tokens(5),
        },
    );
    let (d, rule) = denied(&mut net, transfer("vic", "bob", tokens(1)));
    assert_eq!(
        d,
        Denial::MissingRole {
            required: vec!["trader".into()]
        }
    );
    assert_eq!(
        rule,
        RuleRef::Rule {
            key: transfer_key(),
            rule: RuleKind::CheckRole {
                roles: vec!["trader".into()]
            }
        }
    );
    // Public: anyone admitted, the viewer included — but not a stranger.
    set_transfer_rule(&mut net, RuleKind::Public);
    allowed(&mut net, transfer("vic", "bob", tokens(1)));
    let (d, _) = denied(&mut net, transfer("mallory", "bob", tokens(1)));
    assert!(matches!(d, Denial::NotAUser { .. }));
}

#[test]
fn restrict_argument_rules_allow_and_deny() {
    let mut net = setup();
    // Restrict Argument 0 of transfer: one may only pay oneself.
    set_transfer_rule(&mut net, RuleKind::RestrictArgument { index: 0 });
    allowed(&mut net, transfer("alice", "alice", tokens(1)));
    let (d, _) = denied(&mut net, transfer("alice", "bob", tokens(1)));
    assert_eq!(
        d,
        Denial::ArgumentMismatch {
            index: 0,
            expected: name("alice"),
            found: Some(name("bob").into_word()),
        }
    );
    // An index past the calldata's words never matches.
    set_transfer_rule(&mut net, RuleKind::RestrictArgument { index: 5 });
    let (d, _) = denied(&mut net, transfer("alice", "alice", tokens(1)));
    assert_eq!(
        d,
        Denial::ArgumentMismatch {
            index: 5,
            expected: name("alice"),
            found: None,
        }
    );
    // Reads: a user may read its own balance only.
    ok(
        &mut net,
        admin(AdminChange::SetRule {
            key: balance_key(),
            rule: Some(RuleKind::RestrictArgument { index: 0 }),
        }),
    );
    let read = |who: &str, of: &str| {
        act(PrividiumOp::Read {
            caller: name(who),
            query: Query::BalanceOf {
                asset: eth(),
                account: name(of),
            },
        })
    };
    allowed(&mut net, read("alice", "alice"));
    assert_eq!(
        net.state()
            .prividium_query(
                P,
                name("alice"),
                &Query::BalanceOf {
                    asset: eth(),
                    account: name("alice")
                }
            )
            .unwrap(),
        QueryAnswer::Balance(eth_of(&net, "alice"))
    );
    let (d, _) = denied(&mut net, read("alice", "bob"));
    assert!(matches!(d, Denial::ArgumentMismatch { index: 0, .. }));
    assert!(matches!(
        net.state()
            .prividium_query(
                P,
                name("alice"),
                &Query::BalanceOf {
                    asset: eth(),
                    account: name("bob")
                }
            )
            .unwrap(),
        QueryAnswer::Denied(Denial::ArgumentMismatch { .. })
    ));
}

#[test]
fn combined_rules_allow_and_deny() {
    let mut net = setup();
    let roles = vec!["trader".to_string()];
    // Check Role And Restrict Argument: a trader paying itself only.
    set_transfer_rule(
        &mut net,
        RuleKind::CheckRoleAndRestrictArgument {
            roles: roles.clone(),
            index: 0,
        },
    );
    allowed(&mut net, transfer("alice", "alice", tokens(1)));
    let (d, _) = denied(&mut net, transfer("alice", "bob", tokens(1)));
    assert!(matches!(d, Denial::ArgumentMismatch { index: 0, .. }));
    ok(
        &mut net,
        Action::Fund {
            chain: P,
            asset: eth(),
            to: name("vic"),
            amount: tokens(5),
        },
    );
    let (d, _) = denied(&mut net, transfer("vic", "vic", tokens(1)));
    assert_eq!(
        d,
        Denial::MissingRole {
            required: roles.clone()
        }
    );
    // Check Role Or Restrict Argument: a trader to anyone, anyone to itself.
    set_transfer_rule(
        &mut net,
        RuleKind::CheckRoleOrRestrictArgument {
            roles: roles.clone(),
            index: 0,
        },
    );
    allowed(&mut net, transfer("alice", "bob", tokens(1)));
    allowed(&mut net, transfer("vic", "vic", tokens(1)));
    let (d, _) = denied(&mut net, transfer("vic", "bob", tokens(1)));
    assert_eq!(
        d,
        Denial::NeitherRoleNorArgument {
            required: roles,
            index: 0
        }
    );
}

#[test]
fn a_prividium_sends_ordinary_bundles_on_its_routes_and_pays_fees_like_any_chain() {
    let mut net = setup();
    // The operator charges a base-token fee; the settlement fee applies at Gateway.
    ok(
        &mut net,
        Action::SetGatewaySettlementFee {
            caller: name("governance"),
            fee: tokens(2),
        },
    );
    let operator = name("operator-prividium");
    ok(
        &mut net,
        Action::ZkTransfer {
            from: name("treasury"),
            to: operator,
            amount: tokens(100),
        },
    );
    ok(
        &mut net,
        Action::ZkApprove {
            owner: operator,
            spender: crate::fee_flow::settlement_fee_vault(),
            amount: U256::MAX,
        },
    );
    ok(
        &mut net,
        Action::SetSettlementFeePayerAgreement {
            chain: P,
            payer: operator,
            agreed: true,
        },
    );
    let zk_before = net.state().token.balance_of(name("alice"));
    let sent = allowed(&mut net, submit("alice", bundle_to(ids::ERA, true)));
    let fee = sent.iter().find_map(|e| match e {
        Event::InteropFeeCollected {
            chain,
            fixed_zk: true,
            amount,
            ..
        } if *chain == P => Some(*amount),
        _ => None,
    });
    assert_eq!(fee, Some(tokens(10)), "the fixed ZK fee, as on any chain");
    assert_eq!(
        net.state().token.balance_of(name("alice")),
        zk_before - tokens(10)
    );
    let hash = crate::relayer::first_bundle_hash(&sent).expect("a bundle was sent");
    assert_eq!(
        last_entry(&net).rule,
        RuleRef::Route {
            destination: ids::ERA,
            role: Some("trader".into())
        }
    );
    let record = pv(&net).open.last().copied().unwrap();
    assert_eq!(
        record.kind,
        TxKind::Bundle {
            bundle_hash: hash,
            destination: ids::ERA,
            calls: 1,
            fixed_fee: true
        }
    );
    // No route to eth-chain: denied, no bundle.
    let (d, rule) = denied(&mut net, submit("alice", bundle_to(ids::ETH_CHAIN, true)));
    assert_eq!(
        d,
        Denial::DestinationNotAllowed {
            destination: ids::ETH_CHAIN
        }
    );
    assert_eq!(
        rule,
        RuleRef::Route {
            destination: ids::ETH_CHAIN,
            role: None
        }
    );
    // A viewer may not call sendBundle at all.
    let (d, _) = denied(&mut net, submit("vic", bundle_to(ids::ERA, true)));
    assert!(matches!(d, Denial::MissingRole { .. }));
    // Settlement: Gateway charges the Prividium's calls like any chain's.
    let settled = crate::relayer::settle_for(&mut net, P, ids::ERA).unwrap();
    let charged = settled.iter().find_map(|e| match e {
        Event::GatewaySettlementFeesCollected {
            chain,
            amount,
            calls,
            ..
        } if *chain == P => Some((*amount, *calls)),
        _ => None,
    });
    assert_eq!(charged, Some((tokens(2), 1)));
    // The batch published its transaction root as one more log; chargeable calls are the
    // bundle's only.
    let batch = net.state().chain(P).unwrap().batch(1).unwrap();
    assert_eq!(
        batch.logs.len(),
        2,
        "the bundle's message and the commitment"
    );
    assert_eq!(batch.chargeable_calls, 1);
    // And the bundle executes on Era like any other.
    let bundle = crate::relayer::sent_bundles(&sent).remove(0);
    let (_, executed) =
        crate::relayer::prove_and_execute(&mut net, &bundle, name("relayer")).unwrap();
    assert!(executed
        .iter()
        .any(|e| matches!(e, Event::BundleExecuted { chain, .. } if *chain == ids::ERA)));
}

#[test]
fn reads_answer_only_what_the_caller_may_see() {
    let mut net = setup();
    allowed(&mut net, transfer("alice", "bob", tokens(3)));
    allowed(&mut net, transfer("bob", "bob", tokens(1)));
    allowed(&mut net, submit("bob", bundle_to(ids::ERA, true)));
    let history = |net: &Network, who: &str| match net
        .state()
        .prividium_query(P, name(who), &Query::Transactions)
        .unwrap()
    {
        QueryAnswer::Transactions { visible, hidden } => (visible, hidden),
        other => panic!("{other:?}"),
    };
    // Alice is a party to the first transfer only.
    let (seen, hidden) = history(&net, "alice");
    assert_eq!(seen.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![0]);
    assert_eq!(hidden, 2);
    // Bob to all three.
    let (seen, hidden) = history(&net, "bob");
    assert_eq!(seen.len(), 3);
    assert_eq!(hidden, 0);
    // Carol is a party to none until a read rule on transfers lets auditors see them; the
    // bundle stays hidden until sendBundle has a read rule too.
    let (seen, hidden) = history(&net, "carol");
    assert!(seen.is_empty());
    assert_eq!(hidden, 3);
    let auditors = || RuleKind::CheckRole {
        roles: vec!["auditor".into()],
    };
    ok(
        &mut net,
        admin(AdminChange::SetRule {
            key: RuleKey {
                access: Access::Read,
                ..transfer_key()
            },
            rule: Some(auditors()),
        }),
    );
    let (seen, hidden) = history(&net, "carol");
    assert_eq!(seen.len(), 2);
    assert_eq!(hidden, 1);
    ok(
        &mut net,
        admin(AdminChange::SetRule {
            key: RuleKey {
                access: Access::Read,
                ..send_key()
            },
            rule: Some(auditors()),
        }),
    );
    assert_eq!(
        history(&net, "carol"),
        (pv(&net).history().copied().collect(), 0)
    );
    // The logged read names the filter's counts.
    ok(
        &mut net,
        act(PrividiumOp::Read {
            caller: name("alice"),
            query: Query::Transactions,
        }),
    );
    let e = last_entry(&net);
    assert_eq!(e.decision, Decision::Allowed);
    assert_eq!(
        e.rule,
        RuleRef::Visibility {
            shown: 1,
            hidden: 2
        }
    );
}

fn policy(net: &mut Network) {
    ok(
        net,
        admin(AdminChange::SetApprovalPolicy {
            asset: eth(),
            policy: Some(ApprovalPolicy {
                limit: tokens(100),
                approver: name("carol"),
                window: DAY,
            }),
        }),
    );
}

fn approve(who: &str, request: u64) -> Action {
    act(PrividiumOp::Approve {
        caller: name(who),
        request,
    })
}

#[test]
fn transfers_above_the_limit_wait_for_the_named_approver() {
    let mut net = setup();
    policy(&mut net);
    // At the limit: executes at once.
    allowed(&mut net, transfer("alice", "bob", tokens(100)));
    // Above: held, nothing moves.
    let before = eth_of(&net, "bob");
    let events = ok(&mut net, transfer("alice", "bob", tokens(101)));
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::Transferred { .. })));
    assert_eq!(eth_of(&net, "bob"), before);
    let e = last_entry(&net);
    assert_eq!(e.decision, Decision::Held { request: 1 });
    assert_eq!(
        e.rule,
        RuleRef::ApprovalPolicy {
            asset: eth(),
            limit: tokens(100),
            approver: name("carol")
        }
    );
    let held = pv(&net).pending[&1];
    assert_eq!(held.expires_at, held.requested_at + DAY);
    // Someone else may not approve (logged, still pending).
    let (d, rule) = denied(&mut net, approve("bob", 1));
    assert_eq!(
        d,
        Denial::NotTheApprover {
            approver: name("carol")
        }
    );
    assert_eq!(
        rule,
        RuleRef::NamedApprover {
            approver: name("carol")
        }
    );
    // One second before the window closes, the approver approves: it executes.
    ok(&mut net, Action::AdvanceTime { seconds: DAY - 1 });
    let events = ok(&mut net, approve("carol", 1));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Transferred { amount, .. } if *amount == tokens(101)
    )));
    assert_eq!(eth_of(&net, "bob"), before + tokens(101));
    assert_eq!(last_entry(&net).decision, Decision::Approved { request: 1 });
    assert!(pv(&net).pending.is_empty());
    let record = pv(&net).open.last().copied().unwrap();
    assert_eq!(record.from, name("alice"), "the requester sent it");
    // Decided once: approving again is an unknown request.
    rejects(
        &mut net,
        approve("carol", 1),
        PrividiumError::UnknownTransferRequest {
            chain: P,
            request: 1,
        }
        .into(),
    );
}

#[test]
fn unapproved_transfers_expire_exactly_at_the_end_of_their_window() {
    let mut net = setup();
    policy(&mut net);
    ok(&mut net, transfer("alice", "bob", tokens(150)));
    let held = pv(&net).pending[&1];
    ok(&mut net, Action::AdvanceTime { seconds: DAY });
    assert_eq!(net.state().time, held.expires_at);
    rejects(
        &mut net,
        approve("carol", 1),
        PrividiumError::ApprovalExpired {
            request: 1,
            expires_at: held.expires_at,
            now: held.expires_at,
        }
        .into(),
    );
    let events = ok(
        &mut net,
        act(PrividiumOp::ExpireTransfers {
            caller: name("sequencer"),
        }),
    );
    assert_eq!(events.len(), 2, "resolution and its audit entry");
    let e = last_entry(&net);
    assert_eq!(e.decision, Decision::Expired { request: 1 });
    assert_eq!(
        e.rule,
        RuleRef::ApprovalWindow {
            expires_at: held.expires_at
        }
    );
    assert!(pv(&net).pending.is_empty());
    // Housekeeping with nothing due does nothing.
    assert!(ok(
        &mut net,
        act(PrividiumOp::ExpireTransfers {
            caller: name("sequencer"),
        })
    )
    .is_empty());
}

#[test]
fn the_approver_may_reject_and_an_approval_needs_the_funds() {
    let mut net = setup();
    policy(&mut net);
    ok(&mut net, transfer("alice", "bob", tokens(200)));
    ok(
        &mut net,
        act(PrividiumOp::Reject {
            caller: name("carol"),
            request: 1,
        }),
    );
    assert_eq!(last_entry(&net).decision, Decision::Rejected { request: 1 });
    assert!(pv(&net).pending.is_empty());
    // The balance is checked when the transfer executes, not when it is asked for.
    ok(&mut net, transfer("alice", "bob", tokens(900)));
    allowed(&mut net, transfer("alice", "carol", tokens(100)));
    allowed(&mut net, transfer("alice", "carol", tokens(100)));
    rejects(
        &mut net,
        approve("carol", 2),
        ProtocolError::InsufficientBalance(Box::new(crate::error::Shortfall {
            chain: P,
            asset: eth(),
            account: name("alice"),
            balance: tokens(800),
            needed: tokens(900),
        })),
    );
    // A stranger is refused at admission (logged) before the request is even looked up.
    let (d, _) = denied(&mut net, approve("mallory", 99));
    assert!(matches!(d, Denial::NotAUser { .. }));
}

#[test]
fn only_admins_change_permissions_and_every_bad_change_is_refused() {
    let mut net = setup();
    let (d, rule) = denied(
        &mut net,
        act(PrividiumOp::Admin {
            caller: name("alice"),
            change: AdminChange::CreateRole { role: "ops".into() },
        }),
    );
    assert_eq!(
        d,
        Denial::NotAdmin {
            caller: name("alice")
        }
    );
    assert_eq!(rule, RuleRef::AdminRole);
    let e = |x: PrividiumError| ProtocolError::from(x);
    let cases: Vec<(AdminChange, ProtocolError)> = vec![
        (
            AdminChange::CreateRole {
                role: "trader".into(),
            },
            e(PrividiumError::RoleAlreadyExists {
                role: "trader".into(),
            }),
        ),
        (
            AdminChange::RegisterUser {
                user: name("dan"),
                roles: vec!["ghost".into()],
            },
            e(PrividiumError::UnknownRole {
                role: "ghost".into(),
            }),
        ),
        (
            AdminChange::RegisterUser {
                user: name("alice"),
                roles: vec![],
            },
            e(PrividiumError::UserAlreadyRegistered {
                user: name("alice"),
            }),
        ),
        (
            AdminChange::RegisterUser {
                user: Address::ZERO,
                roles: vec![],
            },
            e(PrividiumError::ZeroAddress),
        ),
        (
            AdminChange::AssignRole {
                user: name("dan"),
                role: "trader".into(),
            },
            e(PrividiumError::UnknownUser { user: name("dan") }),
        ),
        (
            AdminChange::AssignRole {
                user: name("alice"),
                role: "ghost".into(),
            },
            e(PrividiumError::UnknownRole {
                role: "ghost".into(),
            }),
        ),
        (
            AdminChange::AssignRole {
                user: name("alice"),
                role: "trader".into(),
            },
            e(PrividiumError::RoleAlreadyAssigned {
                user: name("alice"),
                role: "trader".into(),
            }),
        ),
        (
            AdminChange::RevokeRole {
                user: name("alice"),
                role: "auditor".into(),
            },
            e(PrividiumError::RoleNotAssigned {
                user: name("alice"),
                role: "auditor".into(),
            }),
        ),
        (
            AdminChange::RevokeRole {
                user: name("dan"),
                role: "auditor".into(),
            },
            e(PrividiumError::UnknownUser { user: name("dan") }),
        ),
        (
            AdminChange::DisableUser { user: name("dan") },
            e(PrividiumError::UnknownUser { user: name("dan") }),
        ),
        (
            AdminChange::SetRule {
                key: balance_key(),
                rule: None,
            },
            e(PrividiumError::NoSuchRule { key: balance_key() }),
        ),
        (
            AdminChange::SetRule {
                key: balance_key(),
                rule: Some(RuleKind::RestrictArgument { index: 32 }),
            },
            e(PrividiumError::InvalidRule {
                reason: "argument index past 31",
            }),
        ),
        (
            AdminChange::SetRule {
                key: balance_key(),
                rule: Some(RuleKind::CheckRole { roles: vec![] }),
            },
            e(PrividiumError::InvalidRule {
                reason: "a role-checking rule needs at least one role",
            }),
        ),
        (
            AdminChange::SetRule {
                key: balance_key(),
                rule: Some(RuleKind::CheckRoleOrRestrictArgument {
                    roles: vec!["ghost".into()],
                    index: 0,
                }),
            },
            e(PrividiumError::UnknownRole {
                role: "ghost".into(),
            }),
        ),
        (
            AdminChange::SetRoute {
                role: "ghost".into(),
                destination: ids::ERA,
                allowed: true,
            },
            e(PrividiumError::UnknownRole {
                role: "ghost".into(),
            }),
        ),
        (
            AdminChange::SetRoute {
                role: "trader".into(),
                destination: 999,
                allowed: true,
            },
            ProtocolError::UnknownChain(999),
        ),
        (
            AdminChange::SetApprovalPolicy {
                asset: eth(),
                policy: Some(ApprovalPolicy {
                    limit: U256::ZERO,
                    approver: Address::ZERO,
                    window: DAY,
                }),
            },
            e(PrividiumError::InvalidApprovalPolicy {
                reason: "the approver is the zero address",
            }),
        ),
        (
            AdminChange::SetApprovalPolicy {
                asset: eth(),
                policy: Some(ApprovalPolicy {
                    limit: U256::ZERO,
                    approver: name("carol"),
                    window: 0,
                }),
            },
            e(PrividiumError::InvalidApprovalPolicy {
                reason: "the window is zero seconds",
            }),
        ),
        (
            AdminChange::SetApprovalPolicy {
                asset: crate::chain::AssetId(B256::repeat_byte(7)),
                policy: None,
            },
            ProtocolError::UnknownAsset(crate::chain::AssetId(B256::repeat_byte(7))),
        ),
    ];
    for (change, expected) in cases {
        rejects(&mut net, admin(change), expected);
    }
    ok(
        &mut net,
        admin(AdminChange::DisableUser { user: name("vic") }),
    );
    rejects(
        &mut net,
        admin(AdminChange::DisableUser { user: name("vic") }),
        e(PrividiumError::UserAlreadyDisabled { user: name("vic") }),
    );
    // Each accepted change is logged as allowed by the admin role.
    assert_eq!(last_entry(&net).rule, RuleRef::AdminRole);
    // Role changes take effect: bob loses trader, then may not transfer.
    ok(
        &mut net,
        admin(AdminChange::RevokeRole {
            user: name("bob"),
            role: "trader".into(),
        }),
    );
    let (d, _) = denied(&mut net, transfer("bob", "alice", tokens(1)));
    assert!(matches!(d, Denial::MissingRole { .. }));
    ok(
        &mut net,
        admin(AdminChange::AssignRole {
            user: name("bob"),
            role: "trader".into(),
        }),
    );
    allowed(&mut net, transfer("bob", "alice", tokens(1)));
    // Closing a route closes it.
    ok(
        &mut net,
        admin(AdminChange::SetRoute {
            role: "trader".into(),
            destination: ids::ERA,
            allowed: false,
        }),
    );
    let (d, _) = denied(&mut net, submit("bob", bundle_to(ids::ERA, true)));
    assert!(matches!(d, Denial::DestinationNotAllowed { .. }));
}

#[test]
fn a_rejected_transaction_leaves_no_trace_not_even_in_the_log() {
    let mut net = setup();
    let before = net.state().clone();
    let got = net
        .apply(transfer("alice", "bob", tokens(5_000)))
        .unwrap_err();
    assert!(matches!(got, ProtocolError::InsufficientBalance(_)));
    assert_eq!(net.state(), &before);
}

fn owner_call(caller: &str, call: FiltererCall) -> Action {
    act(PrividiumOp::Filterer {
        caller: name(caller),
        call,
    })
}

#[test]
fn the_filterers_owner_manages_its_whitelist_and_deposits() {
    let mut net = setup();
    let grant = |s: Address| FiltererCall::GrantWhitelist { sender: s };
    rejects(
        &mut net,
        owner_call("alice", grant(name("bank"))),
        PrividiumError::CallerNotOwner {
            caller: name("alice"),
        }
        .into(),
    );
    ok(&mut net, owner_call("prividium-owner", grant(name("bank"))));
    assert!(pv(&net).filterer.is_whitelisted(name("bank")));
    rejects(
        &mut net,
        owner_call("prividium-owner", grant(name("bank"))),
        PrividiumError::AlreadyWhitelisted(name("bank")).into(),
    );
    rejects(
        &mut net,
        owner_call("prividium-owner", grant(Address::ZERO)),
        PrividiumError::ZeroAddress.into(),
    );
    rejects(
        &mut net,
        owner_call(
            "prividium-owner",
            FiltererCall::RevokeWhitelist {
                sender: name("other"),
            },
        ),
        PrividiumError::NotWhitelisted(name("other")).into(),
    );
    rejects(
        &mut net,
        owner_call(
            "bob",
            FiltererCall::RevokeWhitelist {
                sender: name("bank"),
            },
        ),
        PrividiumError::CallerNotOwner {
            caller: name("bob"),
        }
        .into(),
    );
    ok(
        &mut net,
        owner_call(
            "prividium-owner",
            FiltererCall::RevokeWhitelist {
                sender: name("bank"),
            },
        ),
    );
    assert!(!pv(&net).filterer.is_whitelisted(name("bank")));
    // setDepositsAllowed: a no-op (no event) when unchanged.
    let set = |allowed| FiltererCall::SetDepositsAllowed { allowed };
    assert!(ok(&mut net, owner_call("prividium-owner", set(false))).is_empty());
    rejects(
        &mut net,
        owner_call("alice", set(true)),
        PrividiumError::CallerNotOwner {
            caller: name("alice"),
        }
        .into(),
    );
    assert_eq!(
        ok(&mut net, owner_call("prividium-owner", set(true))).len(),
        1
    );
    assert!(pv(&net).filterer.deposits_allowed);
    // Ownership moves in two steps.
    ok(
        &mut net,
        owner_call(
            "prividium-owner",
            FiltererCall::TransferOwnership {
                new_owner: name("new-owner"),
            },
        ),
    );
    rejects(
        &mut net,
        owner_call("alice", FiltererCall::AcceptOwnership),
        PrividiumError::CallerNotNewOwner {
            caller: name("alice"),
        }
        .into(),
    );
    ok(
        &mut net,
        owner_call("new-owner", FiltererCall::AcceptOwnership),
    );
    let f = &pv(&net).filterer;
    assert_eq!(
        (f.owner, f.pending_owner),
        (name("new-owner"), Address::ZERO)
    );
    rejects(
        &mut net,
        owner_call("prividium-owner", set(false)),
        PrividiumError::CallerNotOwner {
            caller: name("prividium-owner"),
        }
        .into(),
    );
}

/// An L1 request, its sender first funded on L1 with the `mintValue` the Bridgehub takes
/// from it (all or nothing: a refused request undoes the funding too).
fn l1(r: L1Request) -> Action {
    let fund = Action::Fund {
        chain: crate::genesis::devnet::L1,
        asset: eth(),
        to: r.sender,
        amount: r.mint_value,
    };
    Action::Batch(vec![fund, act(PrividiumOp::L1Request(r))])
}

fn base_deposit(who: &str, value: U256) -> L1Request {
    L1Request {
        sender: name(who),
        contract_l2: name(who),
        mint_value: value,
        l2_value: value,
        calldata: Bytes::new(),
        refund_recipient: Address::ZERO,
    }
}

fn router_request(calldata: Bytes) -> L1Request {
    L1Request {
        sender: name("l1-asset-router"),
        contract_l2: L2_ASSET_ROUTER,
        mint_value: U256::ZERO,
        l2_value: U256::ZERO,
        calldata,
        refund_recipient: Address::ZERO,
    }
}

fn not_allowed(who: Address, rule: FilterRule) -> ProtocolError {
    PrividiumError::TransactionNotAllowed {
        chain: P,
        sender: who,
        rule: Box::new(rule),
    }
    .into()
}

fn allow_deposits(net: &mut Network, allowed: bool) {
    ok(
        net,
        owner_call(
            "prividium-owner",
            FiltererCall::SetDepositsAllowed { allowed },
        ),
    );
}

#[test]
fn non_whitelisted_senders_may_only_deposit_base_token_to_themselves() {
    let mut net = setup();
    let dave = name("dave");
    // Deposits start disallowed.
    rejects(
        &mut net,
        l1(base_deposit("dave", tokens(1))),
        not_allowed(dave, FilterRule::BaseTokenDeposit),
    );
    allow_deposits(&mut net, true);
    let events = ok(&mut net, l1(base_deposit("dave", tokens(1))));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Funded { chain, to, amount, .. } if *chain == P && *to == dave && *amount == tokens(1)
    )));
    assert_eq!(eth_of(&net, "dave"), tokens(1));
    let e = last_entry(&net);
    assert_eq!(e.rule, RuleRef::Filterer(FilterRule::BaseTokenDeposit));
    assert!(matches!(e.request, Request::L1(_)));
    // Not to oneself, no value, or with calldata: refused.
    let mut to_other = base_deposit("dave", tokens(1));
    to_other.contract_l2 = name("bob");
    rejects(
        &mut net,
        l1(to_other),
        not_allowed(dave, FilterRule::BaseTokenDeposit),
    );
    rejects(
        &mut net,
        l1(base_deposit("dave", U256::ZERO)),
        not_allowed(dave, FilterRule::BaseTokenDeposit),
    );
    let mut with_data = base_deposit("dave", tokens(1));
    with_data.calldata = Bytes::from(vec![0xa9, 0x05, 0x9c, 0xbb]);
    rejects(
        &mut net,
        l1(with_data.clone()),
        not_allowed(dave, FilterRule::BaseTokenDeposit),
    );
    // A whitelisted sender may send anything.
    ok(
        &mut net,
        owner_call(
            "prividium-owner",
            FiltererCall::GrantWhitelist { sender: dave },
        ),
    );
    ok(&mut net, l1(with_data));
    assert_eq!(
        last_entry(&net).rule,
        RuleRef::Filterer(FilterRule::WhitelistedSender)
    );
    // The rest of the minted value goes to the refund recipient (the sender when zero).
    let mut refund = base_deposit("dave", tokens(3));
    refund.l2_value = tokens(1);
    refund.refund_recipient = name("refunds");
    ok(&mut net, l1(refund));
    assert_eq!(eth_of(&net, "refunds"), tokens(2));
    let mut over = base_deposit("dave", tokens(1));
    over.l2_value = tokens(2);
    rejects(
        &mut net,
        l1(over),
        PrividiumError::L2ValueExceedsMint {
            l2_value: tokens(2),
            mint_value: tokens(1),
        }
        .into(),
    );
}

#[test]
fn asset_router_deposits_follow_the_filterers_rules() {
    let mut net = setup();
    let router = name("l1-asset-router");
    let (dave, erin) = (name("dave"), name("erin"));
    let zk_id = zk().0;
    let new = |from: Address, to: Address, amount: U256| {
        finalize_deposit_calldata(U256::from(1u8), zk_id, from, to, Address::ZERO, amount)
    };
    let deposit_rule = |legacy: bool, from: Address, to: Address, amount: U256, asset| {
        FilterRule::AssetRouterDeposit(super::filterer::BridgedDeposit {
            legacy,
            asset_id: asset,
            token: if legacy {
                crate::genesis::ZK_L1_ADDRESS
            } else {
                Address::ZERO
            },
            depositor: from,
            receiver: to,
            amount,
        })
    };
    // Deposits off: even a self-deposit is refused.
    rejects(
        &mut net,
        l1(router_request(new(dave, dave, tokens(5)))),
        not_allowed(
            router,
            deposit_rule(false, dave, dave, tokens(5), Some(zk_id)),
        ),
    );
    allow_deposits(&mut net, true);
    ok(&mut net, l1(router_request(new(dave, dave, tokens(5)))));
    assert_eq!(net.state().chain(P).unwrap().balance(zk(), dave), tokens(5));
    let record = pv(&net).open.last().copied().unwrap();
    assert_eq!(
        record.kind,
        TxKind::L1Request {
            contract_l2: L2_ASSET_ROUTER,
            mint_value: U256::ZERO,
            l2_value: U256::ZERO,
            deposit: Some((zk(), dave, tokens(5))),
        }
    );
    // To someone else, or nothing: refused — unless the depositor is whitelisted.
    rejects(
        &mut net,
        l1(router_request(new(dave, erin, tokens(5)))),
        not_allowed(
            router,
            deposit_rule(false, dave, erin, tokens(5), Some(zk_id)),
        ),
    );
    rejects(
        &mut net,
        l1(router_request(new(dave, dave, U256::ZERO))),
        not_allowed(
            router,
            deposit_rule(false, dave, dave, U256::ZERO, Some(zk_id)),
        ),
    );
    ok(
        &mut net,
        owner_call(
            "prividium-owner",
            FiltererCall::GrantWhitelist { sender: dave },
        ),
    );
    ok(&mut net, l1(router_request(new(dave, erin, tokens(5)))));
    allow_deposits(&mut net, false);
    ok(&mut net, l1(router_request(new(dave, erin, tokens(1)))));
    assert_eq!(net.state().chain(P).unwrap().balance(zk(), erin), tokens(6));
    // The legacy selector decodes the same way; its token is the L1 token of the asset.
    allow_deposits(&mut net, true);
    let legacy =
        legacy_finalize_deposit_calldata(erin, erin, crate::genesis::ZK_L1_ADDRESS, tokens(2));
    let expected_asset = crate::chain::AssetId::native(ids::L1, crate::genesis::ZK_L1_ADDRESS);
    // ZK's L1 copy is not a registered asset in its own right (its id is Era's): refused.
    rejects(
        &mut net,
        l1(router_request(legacy.clone())),
        ProtocolError::UnknownAsset(expected_asset),
    );
    allow_deposits(&mut net, false);
    rejects(
        &mut net,
        l1(router_request(legacy)),
        not_allowed(router, deposit_rule(true, erin, erin, tokens(2), None)),
    );
    // L2 value, or another target: refused before the calldata is read.
    let mut valued = router_request(Bytes::new());
    valued.l2_value = U256::from(1u8);
    valued.mint_value = U256::from(1u8);
    rejects(
        &mut net,
        l1(valued),
        not_allowed(
            router,
            FilterRule::AssetRouterWrongTarget {
                l2_value: U256::from(1u8),
                contract_l2: L2_ASSET_ROUTER,
            },
        ),
    );
    let mut elsewhere = router_request(new(dave, dave, tokens(1)));
    elsewhere.contract_l2 = name("elsewhere");
    rejects(
        &mut net,
        l1(elsewhere),
        not_allowed(
            router,
            FilterRule::AssetRouterWrongTarget {
                l2_value: U256::ZERO,
                contract_l2: name("elsewhere"),
            },
        ),
    );
    // Short calldata reverts in the filterer; an unknown selector is refused; a dirty
    // address word does not decode.
    rejects(
        &mut net,
        l1(router_request(Bytes::from(vec![0x9c, 0x88, 0x4f]))),
        PrividiumError::FiltererReverted(FilterRevert::CalldataTooShort { len: 3 }).into(),
    );
    rejects(
        &mut net,
        l1(router_request(Bytes::from(vec![1, 2, 3, 4]))),
        not_allowed(
            router,
            FilterRule::AssetRouterUnknownSelector {
                selector: FixedBytes([1, 2, 3, 4]),
            },
        ),
    );
    let mut dirty = legacy_finalize_deposit_calldata(dave, dave, Address::ZERO, tokens(1)).to_vec();
    dirty[4] = 0xff; // the upper bytes of the first address word
    rejects(
        &mut net,
        l1(router_request(Bytes::from(dirty))),
        PrividiumError::FiltererReverted(FilterRevert::MalformedDeposit).into(),
    );
}

#[test]
fn the_deposit_selectors_are_the_contracts() {
    // era-contracts@4859b6f:l1-contracts/selectors.
    assert_eq!(
        asset_router::finalizeDepositCall::SELECTOR,
        [0x9c, 0x88, 0x4f, 0xd1]
    );
    assert_eq!(
        legacy_bridge::finalizeDepositCall::SELECTOR,
        [0xcf, 0xe7, 0xaf, 0x7c]
    );
    assert_eq!(send_bundle_selector().0, [0x5e, 0xf7, 0xe1, 0x04]);
    assert_eq!(
        transfer_key().selector.0,
        super::permissions::transferCall::SELECTOR
    );
    assert_eq!(
        balance_key().selector.0,
        super::permissions::balanceOfCall::SELECTOR
    );
}

/// Runs a batch of mixed transactions and settles it through Gateway to L1.
fn settled_batch() -> Network {
    let mut net = setup();
    allow_deposits(&mut net, true);
    allowed(&mut net, transfer("alice", "bob", tokens(7)));
    allowed(&mut net, submit("bob", bundle_to(ids::ERA, true)));
    ok(&mut net, l1(base_deposit("dave", tokens(2))));
    allowed(&mut net, transfer("bob", "alice", tokens(1)));
    crate::relayer::settle_for(&mut net, P, ids::ERA).unwrap();
    net
}

#[test]
fn a_disclosed_transaction_verifies_against_l1_with_public_data_only() {
    let net = settled_batch();
    let s = net.state();
    let l1 = s.chain(ids::L1).unwrap();
    let batch = &pv(&net).committed[&1];
    assert_eq!(batch.records.len(), 4);
    for seq in 0..4 {
        let proof = s.disclose(P, seq).unwrap();
        assert_eq!(proof.record.seq, seq);
        disclosure::verify(l1, &proof).unwrap();
        let bytes = proof.to_bytes();
        assert_eq!(disclosure::verify_bytes(l1, &bytes).unwrap(), proof.record);
        // The proof holds nothing of the other transactions: neither their bytes, their
        // salts, nor their unsalted hashes.
        let hex = alloy_primitives::hex::encode(&bytes);
        for other in batch.records.iter().filter(|r| r.seq != seq) {
            let salt = disclosure::salt(&pv(&net).config.disclosure_seed, P, other.seq);
            assert!(!hex.contains(&alloy_primitives::hex::encode(other.encode())));
            assert!(!hex.contains(&alloy_primitives::hex::encode(salt)));
            let plain = alloy_primitives::keccak256(other.encode());
            assert!(!hex.contains(&alloy_primitives::hex::encode(plain)));
        }
    }
    // Only L1's record counts: Gateway's state is not the verifier's input.
    let proof = s.disclose(P, 0).unwrap();
    assert_eq!(
        disclosure::verify(s.chain(ids::GATEWAY).unwrap(), &proof),
        Err(DisclosureError::NotL1(ids::GATEWAY))
    );
}

#[test]
fn tampering_with_any_byte_of_a_disclosure_proof_fails_it() {
    let net = settled_batch();
    let s = net.state();
    let l1 = s.chain(ids::L1).unwrap();
    let bytes = s.disclose(P, 1).unwrap().to_bytes();
    disclosure::verify_bytes(l1, &bytes).unwrap();
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut t = bytes.clone();
            t[i] ^= flip;
            assert!(
                disclosure::verify_bytes(l1, &t).is_err(),
                "byte {i} ^ {flip:#04x} still verifies"
            );
        }
    }
    // Truncated or extended, it fails too.
    assert!(disclosure::verify_bytes(l1, &bytes[..bytes.len() - 1]).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(disclosure::verify_bytes(l1, &longer).is_err());
    // A proof whose record was swapped for another of the batch fails.
    let mut proof = DisclosureProof::from_bytes(&bytes).unwrap();
    proof.record = s.disclose(P, 2).unwrap().record;
    assert!(disclosure::verify(l1, &proof).is_err());
}

#[test]
fn only_settled_transactions_can_be_disclosed() {
    let mut net = settled_batch();
    allowed(&mut net, transfer("alice", "bob", tokens(1)));
    // Seq 4 is in the open batch.
    assert_eq!(
        net.state().disclose(P, 4).unwrap_err(),
        PrividiumError::TransactionNotCommitted { chain: P, seq: 4 }.into()
    );
    assert_eq!(
        net.state().disclose(P, 40).unwrap_err(),
        PrividiumError::TransactionNotCommitted { chain: P, seq: 40 }.into()
    );
    // Sealed on the Prividium but not yet covered by a Gateway batch on L1: no root to prove to.
    ok(&mut net, Action::SettleBatch { chain: P });
    assert!(matches!(
        net.state().disclose(P, 4).unwrap_err(),
        ProtocolError::Prividium(e) if matches!(*e, PrividiumError::Disclosure(DisclosureError::Proof(_)))
    ));
    ok(
        &mut net,
        Action::SettleBatch {
            chain: ids::GATEWAY,
        },
    );
    let l1 = net.state().chain(ids::L1).unwrap();
    disclosure::verify(l1, &net.state().disclose(P, 4).unwrap()).unwrap();
    assert_eq!(
        net.state().disclose(ids::ERA, 0).unwrap_err(),
        PrividiumError::NotAPrividium { chain: ids::ERA }.into()
    );
}

#[test]
fn the_audit_log_exports_as_json_lines_and_csv() {
    let mut net = settled_batch();
    denied(&mut net, transfer("mallory", "bob", tokens(1)));
    let entries = &pv(&net).audit;
    let jsonl = audit::to_jsonl(P, entries.iter());
    let lines: Vec<&str> = jsonl.lines().collect();
    assert_eq!(lines.len(), entries.len());
    for (line, entry) in lines.iter().zip(entries.iter()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let obj = v.as_object().unwrap();
        assert_eq!(obj.keys().count(), COLUMNS.len());
        for (k, cell) in COLUMNS.iter().zip(entry.row(P)) {
            assert_eq!(obj[*k].as_str(), Some(cell.as_str()), "{k}");
        }
    }
    let last: serde_json::Value = serde_json::from_str(lines[lines.len() - 1]).unwrap();
    assert_eq!(last["decision"], "denied");
    assert_eq!(last["rule"], "admission (user registry)");
    // CSV: a header, then one record per entry that an RFC 4180 reader gives back exactly.
    let csv = audit::to_csv(P, entries.iter());
    let rows = parse_csv(&csv);
    assert_eq!(rows[0], COLUMNS.map(String::from).to_vec());
    assert_eq!(rows.len(), entries.len() + 1);
    for (row, entry) in rows[1..].iter().zip(entries.iter()) {
        assert_eq!(row, &entry.row(P).to_vec());
    }
    assert!(
        csv.contains("\"from "),
        "a field with commas (the L1 request's detail) is quoted"
    );
    // The same log gives the same bytes.
    assert_eq!(audit::to_csv(P, entries.iter()), csv);
}

/// A minimal RFC 4180 reader for the test.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn the_event_log_replays_to_the_same_state() {
    let genesis = devnet();
    let mut net = Network::new(&genesis).unwrap();
    let mut log = Vec::new();
    let mut run = |net: &mut Network, a: Action| {
        if let Ok(events) = net.apply(a) {
            log.extend(events);
        }
    };
    // Admin changes, transfers (one held and approved, one expiring), a denial, an L1
    // deposit, a read, and a settled batch with its commitment.
    for a in [
        admin(AdminChange::CreateRole {
            role: "trader".into(),
        }),
        admin(AdminChange::RegisterUser {
            user: name("alice"),
            roles: vec!["trader".into()],
        }),
        admin(AdminChange::RegisterUser {
            user: name("carol"),
            roles: vec![],
        }),
        admin(AdminChange::SetRule {
            key: transfer_key(),
            rule: Some(RuleKind::CheckRole {
                roles: vec!["trader".into()],
            }),
        }),
        admin(AdminChange::SetApprovalPolicy {
            asset: eth(),
            policy: Some(ApprovalPolicy {
                limit: tokens(10),
                approver: name("carol"),
                window: DAY,
            }),
        }),
        Action::Fund {
            chain: P,
            asset: eth(),
            to: name("alice"),
            amount: tokens(100),
        },
        transfer("alice", "bob", tokens(1)),
        transfer("alice", "bob", tokens(20)),
        transfer("mallory", "bob", tokens(1)),
        approve("carol", 1),
        transfer("alice", "bob", tokens(30)),
        Action::AdvanceTime { seconds: DAY },
        act(PrividiumOp::ExpireTransfers {
            caller: name("sequencer"),
        }),
        owner_call(
            "prividium-owner",
            FiltererCall::SetDepositsAllowed { allowed: true },
        ),
        l1(base_deposit("dave", tokens(3))),
        act(PrividiumOp::Read {
            caller: name("alice"),
            query: Query::Transactions,
        }),
        Action::SettleBatch { chain: P },
        Action::SettleBatch {
            chain: ids::GATEWAY,
        },
    ] {
        run(&mut net, a);
    }
    assert!(pv(&net).committed.contains_key(&1));
    assert!(pv(&net).audit.len() >= 10);
    let replayed = Network::replay(&genesis, Code::default(), &log).unwrap();
    assert_eq!(replayed.state(), net.state());
    // A log whose commitment names another root is refused on replay.
    let mut bad = log.clone();
    for e in &mut bad {
        if let Event::Prividium(p) = e {
            if let Change::TransactionsCommitted { root, .. } = &mut p.change {
                *root = b256!("00000000000000000000000000000000000000000000000000000000000000aa");
            }
        }
    }
    assert!(matches!(
        Network::replay(&genesis, Code::default(), &bad).map(|_| ()),
        Err(ProtocolError::Prividium(e)) if matches!(*e, PrividiumError::CommitmentMismatch { .. })
    ));
}

#[test]
fn prividium_actions_on_an_ordinary_chain_are_refused() {
    let mut net = setup();
    rejects(
        &mut net,
        Action::Prividium(Box::new(PrividiumAction {
            chain: ids::ERA,
            op: PrividiumOp::ExpireTransfers {
                caller: name("sequencer"),
            },
        })),
        PrividiumError::NotAPrividium { chain: ids::ERA }.into(),
    );
    rejects(
        &mut net,
        Action::Prividium(Box::new(PrividiumAction {
            chain: 999,
            op: PrividiumOp::Read {
                caller: name("alice"),
                query: Query::Transactions,
            },
        })),
        PrividiumError::NotAPrividium { chain: 999 }.into(),
    );
}

#[test]
fn an_l1_request_takes_its_mint_value_on_l1_into_the_vault() {
    let mut net = setup();
    allow_deposits(&mut net, true);
    let l1_chain = crate::genesis::devnet::L1;
    let vault = crate::bridge::addresses::l1_native_token_vault();
    let l1_of =
        |net: &Network, who: Address| net.state().chain(l1_chain).unwrap().balance(eth(), who);
    let dave = name("dave");
    ok(
        &mut net,
        Action::Fund {
            chain: l1_chain,
            asset: eth(),
            to: dave,
            amount: tokens(5),
        },
    );
    let vault_before = l1_of(&net, vault);
    ok(
        &mut net,
        act(PrividiumOp::L1Request(base_deposit("dave", tokens(2)))),
    );
    assert_eq!(l1_of(&net, dave), tokens(3), "debited on L1");
    assert_eq!(
        l1_of(&net, vault) - vault_before,
        tokens(2),
        "locked in the vault"
    );
    assert_eq!(net.state().bridge.chain_balance(P, eth()), tokens(2));
    assert_eq!(eth_of(&net, "dave"), tokens(2), "credited on the Prividium");
    // Without the funds on L1, refused, and nothing changed.
    let before = net.state().clone();
    let err = net
        .apply(act(PrividiumOp::L1Request(base_deposit("dave", tokens(4)))))
        .unwrap_err();
    assert!(
        matches!(err, ProtocolError::InsufficientBalance(_)),
        "{err:?}"
    );
    assert_eq!(net.state(), &before);
}
