//! The Prividium walk: an institution's permissioned validium on Gateway. Its admin sets roles,
//! users, rules and routes; its L1 filterer lets only deposits in; its sequencer admits and
//! judges every request — a denied call, an interop bundle on an allowed route and one on a
//! closed route, a transfer held until its named approver approves, filtered reads; its batch
//! settles publicly; its audit log is exported as JSON Lines and CSV; and one transaction is
//! disclosed to a third party with a Merkle proof that verifies against L1's public record and
//! fails once any byte is altered.

// `Walk::with_net` closures pass `ProtocolError` through unchanged (see `interop.rs`).
#![allow(clippy::result_large_err)]

use super::Walk;
use crate::error::CliError;
use alloy_primitives::{Address, Bytes, U256};
use clap::Args;
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::INTEROP_CENTER;
use flywheel_protocol::fee_flow::settlement_fee_vault;
use flywheel_protocol::genesis::{devnet, eth};
use flywheel_protocol::interop::bundle::{attr, InteropCallStarter, SealedBundle};
use flywheel_protocol::interop::recipient::Code;
use flywheel_protocol::network::Action;
use flywheel_protocol::prividium::audit::{self, Decision};
use flywheel_protocol::prividium::disclosure::{self, TxKind};
use flywheel_protocol::prividium::filterer::L1Request;
use flywheel_protocol::prividium::permissions::{send_bundle_selector, Selector};
use flywheel_protocol::prividium::{
    Access, AdminChange, ApprovalPolicy, Change, FiltererCall, PrividiumAction, PrividiumEvent,
    PrividiumOp, PrividiumTx, Query, QueryAnswer, RuleKey, RuleKind, DEVNET_PRIVIDIUM,
    L2_BASE_TOKEN,
};
use flywheel_protocol::relayer;
use flywheel_protocol::units::{format_amount, tokens};
use flywheel_report::out_dir as files;
use std::io::Write;
use std::path::PathBuf;

const P: u64 = DEVNET_PRIVIDIUM;
const DAY: u64 = 86_400;

/// `flywheel demo prividium` options.
#[derive(Debug, Args)]
pub struct PrividiumArgs {
    /// Print the walk's events as JSON lines (one serialised `Event` per line, replayable over
    /// `flywheel_protocol::prividium::devnet()`) instead of prose.
    #[arg(long)]
    pub json: bool,
    /// Also write the audit log's export, audit.jsonl and audit.csv, into DIR (created if
    /// missing; each file written atomically).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Runs the walk.
pub fn run(args: &PrividiumArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut w = Walk::new(
        flywheel_protocol::prividium::devnet(),
        Code::default(),
        args.json,
        out,
    )?;
    for n in [
        "prividium-admin",
        "prividium-owner",
        "l1-asset-router",
        "alice",
        "bob",
        "carol",
        "vic",
        "mallory",
        "bank-ops",
        "treasury",
        "governance",
        "relayer",
        "sink",
        "operator-prividium",
    ] {
        w.account(n);
    }
    w.name_account(L2_BASE_TOKEN, "L2BaseToken");
    w.name_account(
        flywheel_protocol::bridge::addresses::l1_native_token_vault(),
        "L1NativeTokenVault",
    );
    w.name_account(INTEROP_CENTER, "InteropCenter");
    w.name_account(settlement_fee_vault(), "settlement-fee-vault");
    introduce(&mut w)?;
    admin_panel(&mut w)?;
    l1_entry(&mut w)?;
    judged(&mut w)?;
    let sent = interop(&mut w)?;
    let request_seq = approval(&mut w)?;
    reads(&mut w)?;
    settle(&mut w, &sent)?;
    export(&mut w, args.out.as_deref())?;
    disclose(&mut w, request_seq)?;
    w.finish()
}

fn act(op: PrividiumOp) -> Action {
    Action::Prividium(Box::new(PrividiumAction { chain: P, op }))
}

fn admin(w: &mut Walk<'_>, step: &str, change: AdminChange) -> Result<(), CliError> {
    let caller = w.account("prividium-admin");
    w.apply(step, act(PrividiumOp::Admin { caller, change }))?;
    Ok(())
}

fn eth_transfer(w: &mut Walk<'_>, from: &str, to: &str, amount: u64) -> Action {
    let (caller, to) = (w.account(from), w.account(to));
    act(PrividiumOp::Submit {
        caller,
        tx: PrividiumTx::Transfer {
            asset: eth(),
            to,
            amount: tokens(amount),
        },
    })
}

fn bundle(w: &mut Walk<'_>, to: u64) -> PrividiumTx {
    PrividiumTx::SendBundle {
        destination: InteropAddress::chain_only(to).encode(),
        starters: vec![InteropCallStarter {
            to: InteropAddress::address_only(w.account("sink")).encode(),
            data: Bytes::new(),
            call_attributes: vec![],
        }],
        attributes: vec![attr::use_fixed_fee(true)],
        value: U256::ZERO,
    }
}

/// The decision the walk's last request got, as the audit log holds it.
fn last_decision(w: &Walk<'_>) -> Option<(Decision, String)> {
    let p = w.state().prividiums.get(&P)?;
    let e = p.audit.last()?;
    Some((e.decision.clone(), e.rule.to_string()))
}

fn expect_denied(w: &mut Walk<'_>, step: &str, action: Action) -> Result<(), CliError> {
    w.apply(step, action)?;
    match last_decision(w) {
        Some((Decision::Denied(d), rule)) => {
            let text = names(w, &d.to_string());
            let rule = names(w, &rule);
            w.say(format!("denied: {text} — decided by {rule}"))
        }
        other => Err(CliError::DemoCheck(format!(
            "{step}: expected a denial, the log holds {other:?}"
        ))),
    }
}

/// Replaces checksummed addresses in a protocol message by the walk's names.
fn names(w: &Walk<'_>, text: &str) -> String {
    let mut t = text.to_string();
    for who in [
        "prividium-admin",
        "prividium-owner",
        "l1-asset-router",
        "alice",
        "bob",
        "carol",
        "vic",
        "mallory",
        "bank-ops",
    ] {
        let addr = flywheel_protocol::genesis::account(who);
        t = t.replace(&addr.to_checksum(None), who);
    }
    t.replace(&L2_BASE_TOKEN.to_checksum(None), &w.name(L2_BASE_TOKEN))
        .replace(&INTEROP_CENTER.to_checksum(None), "InteropCenter")
        .replace(&eth().to_string(), "ETH")
}

fn introduce(w: &mut Walk<'_>) -> Result<(), CliError> {
    w.section("1. A Prividium on Gateway")?;
    let s = w.state();
    let (prividium, capable) = (s.is_prividium(P), s.is_permanent_rollup_capable(P));
    w.say(format!(
        "prividium (chain {P}, a Prividium: {prividium}) is an institution's validium: contents stay private, batches settle on {} and then L1",
        w.chain_name(devnet::GATEWAY)
    ))?;
    w.say(format!(
        "permanent-rollup capable: {capable}, so priority mode could be armed but never activated on it (PriorityModeRequiresPermanentRollup)"
    ))?;
    w.say("every request goes through the sequencer: admitted (a registered, active user), then judged (a rule for the function, forbidden by default)")
}

fn admin_panel(w: &mut Walk<'_>) -> Result<(), CliError> {
    w.section("2. The admin panel: roles, users, rules, routes, approvals")?;
    for role in ["trader", "compliance", "viewer"] {
        admin(
            w,
            &format!("the admin creates role {role}"),
            AdminChange::CreateRole { role: role.into() },
        )?;
    }
    for (user, role) in [
        ("alice", "trader"),
        ("bob", "trader"),
        ("carol", "compliance"),
        ("vic", "viewer"),
    ] {
        let addr = w.account(user);
        admin(
            w,
            &format!("the admin registers {user} as {role}"),
            AdminChange::RegisterUser {
                user: addr,
                roles: vec![role.into()],
            },
        )?;
    }
    let transfer = Selector::from([0xa9, 0x05, 0x9c, 0xbb]);
    let balance_of = Selector::from([0x70, 0xa0, 0x82, 0x31]);
    let rules = [
        (
            "traders may transfer ETH",
            RuleKey {
                contract: L2_BASE_TOKEN,
                selector: transfer,
                access: Access::Write,
            },
            RuleKind::CheckRole {
                roles: vec!["trader".into()],
            },
        ),
        (
            "traders may send interop bundles",
            RuleKey {
                contract: INTEROP_CENTER,
                selector: send_bundle_selector(),
                access: Access::Write,
            },
            RuleKind::CheckRole {
                roles: vec!["trader".into()],
            },
        ),
        (
            "compliance reads any balance, others only their own",
            RuleKey {
                contract: L2_BASE_TOKEN,
                selector: balance_of,
                access: Access::Read,
            },
            RuleKind::CheckRoleOrRestrictArgument {
                roles: vec!["compliance".into()],
                index: 0,
            },
        ),
        (
            "compliance sees every transfer in the history",
            RuleKey {
                contract: L2_BASE_TOKEN,
                selector: transfer,
                access: Access::Read,
            },
            RuleKind::CheckRole {
                roles: vec!["compliance".into()],
            },
        ),
    ];
    for (what, key, rule) in rules {
        admin(
            w,
            &format!("the admin sets a rule: {what}"),
            AdminChange::SetRule {
                key,
                rule: Some(rule),
            },
        )?;
    }
    admin(
        w,
        "the admin opens one interop route: traders may send to Era",
        AdminChange::SetRoute {
            role: "trader".into(),
            destination: devnet::ERA,
            allowed: true,
        },
    )?;
    let carol = w.account("carol");
    admin(
        w,
        "the admin sets an approval policy (a model choice): ETH transfers above 100 ETH wait for carol, one day at most",
        AdminChange::SetApprovalPolicy {
            asset: eth(),
            policy: Some(ApprovalPolicy {
                limit: tokens(100),
                approver: carol,
                window: DAY,
            }),
        },
    )
}

fn l1_request(w: &mut Walk<'_>, who: &str, to: &str, value: u64, calldata: Bytes) -> Action {
    let (sender, target) = (w.account(who), w.account(to));
    act(PrividiumOp::L1Request(L1Request {
        sender,
        contract_l2: target,
        mint_value: tokens(value),
        l2_value: tokens(value),
        calldata,
        refund_recipient: Address::ZERO,
    }))
}

fn filterer(w: &mut Walk<'_>, step: &str, call: FiltererCall) -> Result<(), CliError> {
    let caller = w.account("prividium-owner");
    w.apply(step, act(PrividiumOp::Filterer { caller, call }))?;
    Ok(())
}

fn l1_entry(w: &mut Walk<'_>) -> Result<(), CliError> {
    w.section("3. L1 entry: the PrividiumTransactionFilterer")?;
    w.say("L1 → L2 requests bypass the proxy; the chain's filterer lets non-whitelisted senders make deposits only")?;
    // The Bridgehub takes each request's mintValue from its sender on L1 into the L1 vault.
    let l1 = devnet::L1;
    let funds: Vec<Action> = ["alice", "bob", "bank-ops"]
        .into_iter()
        .map(|n| Action::Fund {
            chain: l1,
            asset: eth(),
            to: w.account(n),
            amount: tokens(1_000),
        })
        .collect();
    w.apply(
        "alice, bob and bank-ops hold ETH on L1: a request's mintValue is locked there in the L1 vault",
        Action::Batch(funds),
    )?;
    let deposit = l1_request(w, "alice", "alice", 500, Bytes::new());
    w.reject(
        "alice deposits 500 ETH to herself from L1 while deposits are off",
        deposit.clone(),
    )?;
    filterer(
        w,
        "the filterer's owner allows deposits",
        FiltererCall::SetDepositsAllowed { allowed: true },
    )?;
    w.apply(
        "alice deposits 500 ETH to herself from L1 (a plain base-token deposit)",
        deposit,
    )?;
    let deposit_bob = l1_request(w, "bob", "bob", 300, Bytes::new());
    w.apply("bob deposits 300 ETH to himself", deposit_bob)?;
    let call = l1_request(
        w,
        "mallory",
        "alice",
        1,
        Bytes::from_static(&[0xa9, 0x05, 0x9c, 0xbb]),
    );
    w.reject(
        "mallory forces a contract call from L1 (not a deposit, not whitelisted)",
        call,
    )?;
    let ops = w.account("bank-ops");
    filterer(
        w,
        "the owner whitelists bank-ops",
        FiltererCall::GrantWhitelist { sender: ops },
    )?;
    let call = l1_request(
        w,
        "bank-ops",
        "alice",
        1,
        Bytes::from_static(&[0xa9, 0x05, 0x9c, 0xbb]),
    );
    w.apply("bank-ops, whitelisted, may send any L1 request", call)?;
    let owner = w.account("prividium-owner");
    w.reject(
        "the owner whitelists bank-ops a second time",
        act(PrividiumOp::Filterer {
            caller: owner,
            call: FiltererCall::GrantWhitelist { sender: ops },
        }),
    )?;
    // ZK for the fixed interop fee (ZK is one ledger across chains).
    let (treasury, alice) = (w.account("treasury"), w.account("alice"));
    w.apply(
        "the treasury sends alice 1,000 ZK for fixed interop fees",
        Action::ZkTransfer {
            from: treasury,
            to: alice,
            amount: tokens(1_000),
        },
    )?;
    w.apply(
        "alice lets the InteropCenter take her fixed fees",
        Action::ZkApprove {
            owner: alice,
            spender: INTEROP_CENTER,
            amount: U256::MAX,
        },
    )?;
    Ok(())
}

fn judged(w: &mut Walk<'_>) -> Result<(), CliError> {
    w.section("4. Admit, then judge: a denied call")?;
    let a = eth_transfer(w, "vic", "bob", 1);
    expect_denied(w, "vic (viewer) asks to transfer 1 ETH to bob", a)?;
    let a = eth_transfer(w, "mallory", "bob", 1);
    expect_denied(w, "mallory, not a user, asks the same", a)?;
    let a = eth_transfer(w, "alice", "bob", 40);
    w.apply("alice (trader) transfers 40 ETH to bob", a)?;
    w.say("the denials changed nothing but the audit log; the raw transfer path is closed too:")?;
    let (alice, bob) = (w.account("alice"), w.account("bob"));
    w.reject(
        "a transfer that skips the sequencer's checks",
        Action::Transfer {
            chain: P,
            asset: eth(),
            from: alice,
            to: bob,
            amount: tokens(1),
        },
    )?;
    Ok(())
}

/// Returns the bundle sent (executed on Era once settled).
fn interop(w: &mut Walk<'_>) -> Result<Vec<SealedBundle>, CliError> {
    w.section("5. Interop on the Prividium's routes")?;
    let operator = w.account("operator-prividium");
    let (treasury, governance) = (w.account("treasury"), w.account("governance"));
    w.apply(
        "governance sets the Gateway settlement fee to 2 ZK per call",
        Action::SetGatewaySettlementFee {
            caller: governance,
            fee: tokens(2),
        },
    )?;
    w.apply(
        "the Prividium's operator takes 100 ZK for settlement fees",
        Action::ZkTransfer {
            from: treasury,
            to: operator,
            amount: tokens(100),
        },
    )?;
    w.apply(
        "the operator approves the settlement-fee vault",
        Action::ZkApprove {
            owner: operator,
            spender: settlement_fee_vault(),
            amount: U256::MAX,
        },
    )?;
    w.apply(
        "the operator agrees to pay its chain's settlement fees",
        Action::SetSettlementFeePayerAgreement {
            chain: P,
            payer: operator,
            agreed: true,
        },
    )?;
    let alice = w.account("alice");
    let tx = bundle(w, devnet::ERA);
    let events = w.apply(
        "alice sends an ordinary bundle to Era, on the fixed ZK fee",
        act(PrividiumOp::Submit { caller: alice, tx }),
    )?;
    let tx = bundle(w, devnet::ETH_CHAIN);
    expect_denied(
        w,
        "alice sends one to eth-chain, where no role of hers has a route",
        act(PrividiumOp::Submit { caller: alice, tx }),
    )?;
    Ok(relayer::sent_bundles(&events))
}

/// Returns the sequence number of the approved transfer (the one disclosed later).
fn approval(w: &mut Walk<'_>) -> Result<u64, CliError> {
    w.section("6. An approval (model choice: above 100 ETH, carol must approve within a day)")?;
    let a = eth_transfer(w, "alice", "bob", 250);
    w.apply("alice transfers 250 ETH to bob", a)?;
    let id = match last_decision(w) {
        Some((Decision::Held { request }, _)) => request,
        other => {
            return Err(CliError::DemoCheck(format!(
                "the large transfer should be held, the log holds {other:?}"
            )))
        }
    };
    w.say(format!(
        "held as request {id}: nothing moved; it expires unapproved after a day"
    ))?;
    let bob = w.account("bob");
    expect_denied(
        w,
        "bob approves it himself",
        act(PrividiumOp::Approve {
            caller: bob,
            request: id,
        }),
    )?;
    w.apply("six hours pass", Action::AdvanceTime { seconds: 6 * 3_600 })?;
    let carol = w.account("carol");
    w.apply(
        "carol, the named approver, approves: it executes",
        act(PrividiumOp::Approve {
            caller: carol,
            request: id,
        }),
    )?;
    let seq = w
        .state()
        .prividiums
        .get(&P)
        .and_then(|p| p.open.last())
        .map(|r| r.seq)
        .ok_or_else(|| CliError::DemoCheck("the approved transfer was not recorded".into()))?;
    Ok(seq)
}

fn reads(w: &mut Walk<'_>) -> Result<(), CliError> {
    w.section("7. Reads are filtered")?;
    let (alice, bob, carol) = (w.account("alice"), w.account("bob"), w.account("carol"));
    let balance = |caller, account| {
        act(PrividiumOp::Read {
            caller,
            query: Query::BalanceOf {
                asset: eth(),
                account,
            },
        })
    };
    expect_denied(w, "bob asks for alice's ETH balance", balance(bob, alice))?;
    w.apply("alice asks for her own", balance(alice, alice))?;
    let answer = w
        .state()
        .prividium_query(
            P,
            alice,
            &Query::BalanceOf {
                asset: eth(),
                account: alice,
            },
        )
        .map_err(|e| CliError::DemoCheck(e.to_string()))?;
    if let QueryAnswer::Balance(v) = answer {
        w.say(format!("answer: {} ETH", format_amount(v)))?;
    }
    for (who, addr) in [("bob", bob), ("carol", carol)] {
        w.apply(
            &format!("{who} lists the chain's transactions"),
            act(PrividiumOp::Read {
                caller: addr,
                query: Query::Transactions,
            }),
        )?;
        let answer = w
            .state()
            .prividium_query(P, addr, &Query::Transactions)
            .map_err(|e| CliError::DemoCheck(e.to_string()))?;
        if let QueryAnswer::Transactions { visible, hidden } = answer {
            let seqs: Vec<String> = visible.iter().map(|r| r.seq.to_string()).collect();
            w.say(format!(
                "{who} sees transactions [{}], {hidden} withheld (a party sees its own; compliance's read rule covers transfers, not deposits or bundles)",
                seqs.join(", ")
            ))?;
        }
    }
    Ok(())
}

fn settle(w: &mut Walk<'_>, sent: &[SealedBundle]) -> Result<(), CliError> {
    w.section("8. The batch settles publicly")?;
    let events = w.with_net(
        "the relayer settles the Prividium's batch, then Gateway's on L1; Era imports the root",
        |net| relayer::settle_for(net, P, devnet::ERA),
    )?;
    w.record(&events)?;
    let (logs, txs) = w
        .state()
        .chain(P)
        .ok()
        .and_then(|c| c.batch(1))
        .map(|b| (b.logs.len(), b.chargeable_calls))
        .unwrap_or_default();
    let committed = w
        .state()
        .prividiums
        .get(&P)
        .and_then(|p| p.committed.get(&1))
        .map_or(0, |b| b.records.len());
    w.say(format!(
        "public: the batch root over {logs} log(s) — the bundle's message and the root of {committed} transactions — and {txs} chargeable call(s); nothing else of the batch"
    ))?;
    let executor = w.account("relayer");
    for b in sent {
        let (_, events) = w.with_net(
            "the relayer proves the bundle and executes it on Era",
            |net| relayer::prove_and_execute(net, b, executor),
        )?;
        w.record(&events)?;
    }
    Ok(())
}

fn export(w: &mut Walk<'_>, dir: Option<&std::path::Path>) -> Result<(), CliError> {
    w.section("9. The audit log, exported for compliance review")?;
    let entries = w
        .state()
        .prividiums
        .get(&P)
        .map(|p| p.audit.clone())
        .unwrap_or_default();
    let jsonl = audit::to_jsonl(P, entries.iter());
    let csv = audit::to_csv(P, entries.iter());
    let denied = entries
        .iter()
        .filter(|e| matches!(e.decision, Decision::Denied(_)))
        .count();
    w.say(format!(
        "{} entries ({denied} denials): every request, its caller, the decision and the rule that decided",
        entries.len()
    ))?;
    if let Some(line) = csv
        .lines()
        .find(|l| l.contains(",denied,") && l.contains("submit.transfer"))
    {
        w.say(format!("CSV, a denial: {}", names(w, line)))?;
    }
    if let Some(line) = jsonl.lines().find(|l| l.contains("\"approved\"")) {
        w.say(format!("JSON Lines, the approval: {}", names(w, line)))?;
    }
    if let Some(dir) = dir {
        let mut set = files::OutDir::begin(dir, &["audit.jsonl", "audit.csv"])?;
        set.write("audit.jsonl", jsonl.as_bytes())?;
        set.write("audit.csv", csv.as_bytes())?;
        set.commit()?;
        w.say(format!(
            "wrote audit.jsonl and audit.csv to {}",
            dir.display()
        ))?;
    }
    Ok(())
}

fn disclose(w: &mut Walk<'_>, seq: u64) -> Result<(), CliError> {
    w.section("10. Selective disclosure to a third party")?;
    let proof = w
        .state()
        .disclose(P, seq)
        .map_err(|e| CliError::DemoCheck(format!("disclose: {e}")))?;
    let bytes = proof.to_bytes();
    let l1 = w
        .state()
        .l1()
        .ok_or_else(|| CliError::DemoCheck("no L1".into()))?
        .clone();
    let others = w
        .state()
        .prividiums
        .get(&P)
        .and_then(|p| p.committed.get(&proof.record.batch))
        .map_or(0, |b| b.records.len().saturating_sub(1));
    w.say(format!(
        "the institution discloses transaction {seq} (the approved 250 ETH transfer): {} bytes — the record, its salt, {} sibling hash(es) and the message proof",
        bytes.len(),
        proof.tx_path.len()
    ))?;
    w.say(format!(
        "the {others} other transaction(s) of batch {} appear only as blinded hashes",
        proof.record.batch
    ))?;
    match disclosure::verify_bytes(&l1, &bytes) {
        Ok(record) => w.say(format!(
            "the verifier, reading only L1's settled roots: verified — {} sent {} in batch {}",
            w.name(record.from),
            match record.kind {
                TxKind::Transfer { amount, to, .. } =>
                    format!("{} ETH to {}", format_amount(amount), w.name(to)),
                other => format!("{other:?}"),
            },
            record.batch
        ))?,
        Err(e) => {
            return Err(CliError::DemoCheck(format!(
                "the disclosure does not verify: {e}"
            )))
        }
    }
    // Claim one more wei: the last byte of the amount's word inside the record.
    let amount = match proof.record.kind {
        TxKind::Transfer { amount, .. } => amount,
        _ => U256::ZERO,
    };
    let word = amount.to_be_bytes::<32>();
    let at = bytes
        .windows(32)
        .position(|w| w == word)
        .map(|i| i + 31)
        .ok_or_else(|| CliError::DemoCheck("the amount is not in the proof".into()))?;
    let mut tampered = bytes.clone();
    tampered[at] ^= 0x01;
    match disclosure::verify_bytes(&l1, &tampered) {
        Ok(_) => return Err(CliError::DemoCheck("a tampered disclosure verified".into())),
        Err(e) => w.say(format!(
            "the same proof claiming 1 wei more (byte {at}): rejected — {e}"
        ))?,
    }
    let failing = (0..bytes.len())
        .filter(|i| {
            let mut t = bytes.clone();
            t[*i] ^= 0x01;
            disclosure::verify_bytes(&l1, &t).is_err()
        })
        .count();
    if failing != bytes.len() {
        return Err(CliError::DemoCheck(format!(
            "only {failing} of {} single-byte alterations were rejected",
            bytes.len()
        )));
    }
    w.say(format!(
        "each of the {failing} single-byte alterations is rejected"
    ))
}

/// One line about a Prividium event (for the walk's prose).
pub fn describe(w: &Walk<'_>, ev: &PrividiumEvent) -> String {
    let who = |a: &Address| w.name(*a);
    match &ev.change {
        Change::Audited(e) => {
            let decision = match &e.decision {
                Decision::Allowed => "allowed".to_string(),
                Decision::Denied(d) => format!("DENIED ({})", names(w, &d.to_string())),
                Decision::Held { request } => format!("held as request {request}"),
                Decision::Approved { request } => format!("request {request} approved"),
                Decision::Rejected { request } => format!("request {request} rejected"),
                Decision::Expired { request } => format!("request {request} expired"),
            };
            let kind = e.row(ev.chain)[4].clone();
            format!(
                "audit #{}: {} {kind}: {decision} — {}",
                e.seq,
                who(&e.caller),
                names(w, &e.rule.to_string())
            )
        }
        Change::RoleCreated { role } => format!("prividium: role {role} created"),
        Change::UserRegistered { user, roles } => {
            format!("prividium: {} registered [{}]", who(user), roles.join(" "))
        }
        Change::RoleAssigned { user, role } => format!("prividium: {} gets {role}", who(user)),
        Change::RoleRevoked { user, role } => format!("prividium: {} loses {role}", who(user)),
        Change::UserDisabled { user } => format!("prividium: {} disabled", who(user)),
        Change::RuleSet { key, rule } => format!(
            "prividium: rule {} → {}",
            names(w, &key.to_string()),
            rule.as_ref().map_or("removed".into(), |r| r.to_string())
        ),
        Change::RouteSet {
            role,
            destination,
            allowed,
        } => format!(
            "prividium: role {role} {} send to {}",
            if *allowed { "may" } else { "may not" },
            w.chain_name(*destination)
        ),
        Change::ApprovalPolicySet { policy, .. } => match policy {
            Some(p) => format!(
                "prividium: ETH transfers above {} ETH need {} within {} s",
                format_amount(p.limit),
                who(&p.approver),
                p.window
            ),
            None => "prividium: approval policy removed".into(),
        },
        Change::TransferHeld(t) => format!(
            "prividium: transfer of {} ETH from {} to {} held as request {} until {}",
            format_amount(t.amount),
            who(&t.from),
            who(&t.to),
            t.id,
            t.expires_at
        ),
        Change::TransferResolved {
            request,
            resolution,
        } => format!("prividium: request {request} {resolution:?}"),
        Change::TransactionRecorded(r) => format!(
            "prividium: transaction {} recorded in batch {} at position {}",
            r.seq, r.batch, r.index
        ),
        Change::TransactionsCommitted { batch, root, count } => format!(
            "prividium: batch {batch} publishes the root {} of its {count} transaction(s)",
            super::short(root)
        ),
        Change::WhitelistGranted { sender } => {
            format!("filterer: WhitelistGranted({})", who(sender))
        }
        Change::WhitelistRevoked { sender } => {
            format!("filterer: WhitelistRevoked({})", who(sender))
        }
        Change::DepositsPermissionChanged { allowed } => {
            format!("filterer: DepositsPermissionChanged({allowed})")
        }
        Change::OwnershipTransferStarted {
            previous_owner,
            new_owner,
        } => format!(
            "filterer: OwnershipTransferStarted({}, {})",
            who(previous_owner),
            who(new_owner)
        ),
        Change::OwnershipTransferred {
            previous_owner,
            new_owner,
        } => format!(
            "filterer: OwnershipTransferred({}, {})",
            who(previous_owner),
            who(new_owner)
        ),
    }
}
