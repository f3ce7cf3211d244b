//! The Stage 1 priority-mode walk on the devnet's l1-chain (a ZKsync OS rollup settling on
//! L1): a deposit processed normally; the admin arms priority mode and what that forbids; the
//! operator censors deposits while the admin raises fees as far as the bound lets it; an
//! activation one second too early is refused with `PriorityModeActivationTooEarly`; at
//! exactly 4 days anyone activates, reverting the unexecuted batch; the operator is shut out
//! and a rescuer drains the queue through the permissionless validator; governance ends
//! priority mode with a ZIP after its delays.

#![allow(clippy::result_large_err)]

use super::governance::date;
use super::Walk;
use crate::error::CliError;
use alloy_primitives::{Address, Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::genesis::{account, devnet, eth, Genesis};
use flywheel_protocol::governance::ProposalAction;
use flywheel_protocol::interop::bundle::InteropCallStarter;
use flywheel_protocol::interop::recipient::Code;
use flywheel_protocol::network::Action;
use flywheel_protocol::priority::fees::{self, ChainFeeParams};
use flywheel_protocol::priority::zip::{zip_timeline, ZipActors};
use flywheel_protocol::priority::{
    permissionless_validator, Diamond, PriorityAction, PriorityError, PriorityEvent,
    PRIORITY_EXPIRATION,
};
use flywheel_protocol::units::{format_amount, tokens};
use std::io::Write;

const CHAIN: u64 = devnet::L1_CHAIN;
const DAY: u64 = 86_400;
const GWEI: u64 = 1_000_000_000;
const GAS: u64 = 300_000;

/// Runs the walk on the devnet.
pub fn run(json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let mut w = Walk::new(Genesis::devnet(), Code::default(), json, out)?;
    for n in [
        "alice",
        "bob",
        "rescuer",
        "treasury",
        "security-council",
        "admin-l1-chain",
    ] {
        w.account(n);
    }
    w.name_account(permissionless_validator(), "PermissionlessValidator");
    w.say("flywheel priority-mode demo: Stage 1 on the devnet's l1-chain (ZKsync OS rollup, settles on L1)")?;
    normal(&mut w)?;
    arm(&mut w)?;
    censor(&mut w)?;
    activate(&mut w)?;
    drain(&mut w)?;
    deactivate(&mut w)?;
    w.finish()
}

fn diamond<'a>(w: &'a Walk<'_>) -> Result<&'a Diamond, CliError> {
    w.state()
        .priority
        .get(CHAIN)
        .map_err(|e| CliError::DemoCheck(e.to_string()))
}

fn now(w: &Walk<'_>) -> String {
    date(w.state().time)
}

fn advance(w: &mut Walk<'_>, seconds: u64) -> Result<(), CliError> {
    w.apply(
        &format!("{} pass", crate::priority_report::duration(seconds)),
        Action::AdvanceTime { seconds },
    )?;
    w.say(format!("now {}", now(w)))
}

/// A deposit of `eth` ETH from alice to bob, minting exactly the value plus the base cost.
fn deposit(w: &mut Walk<'_>, value: U256) -> Result<(), CliError> {
    let d = diamond(w)?;
    let l1_gas_price = U256::from(20 * GWEI);
    let (_, cost) = fees::request_base_cost(&d.fee_params, d.multiplier, l1_gas_price, GAS)
        .map_err(|e| CliError::DemoCheck(e.to_string()))?;
    let (alice, bob) = (account("alice"), account("bob"));
    w.apply(
        &format!(
            "alice deposits {} ETH to bob on l1-chain from L1 (L2 fee {} ETH at 20 gwei)",
            format_amount(value),
            format_amount(cost)
        ),
        Action::Priority(PriorityAction::RequestL2Transaction {
            chain: CHAIN,
            sender: alice,
            contract_l2: bob,
            l2_value: value,
            calldata: Bytes::new(),
            l2_gas_limit: GAS,
            mint_value: value + cost,
            refund_recipient: Address::ZERO,
            l1_gas_price,
        }),
    )?;
    Ok(())
}

/// The operator's turn: prove and execute what it committed, then commit a batch with
/// `l1_txs` of the waiting deposits and some L2 transactions.
fn operator_turn(w: &mut Walk<'_>, l1_txs: u64) -> Result<(), CliError> {
    let operator = w.operator(CHAIN);
    let d = diamond(w)?;
    let (to_prove, to_execute) = (
        d.total_committed() - d.total_verified,
        d.total_committed() - d.total_executed,
    );
    if to_prove > 0 {
        w.apply(
            "the operator proves its committed batch",
            Action::Priority(PriorityAction::ProveBatches {
                chain: CHAIN,
                caller: operator,
                count: to_prove,
            }),
        )?;
    }
    if to_execute > 0 {
        w.apply(
            "the operator executes it on L1",
            Action::Priority(PriorityAction::ExecuteBatches {
                chain: CHAIN,
                caller: operator,
                count: to_execute,
            }),
        )?;
    }
    let d = diamond(w)?;
    let skip = d.committed_l1_txs();
    let hash = d.priority_operations_hash(skip, l1_txs);
    w.apply(
        &format!("the operator commits a batch of 500 L2 transactions and {l1_txs} deposit(s)"),
        Action::Priority(PriorityAction::CommitBatch {
            chain: CHAIN,
            caller: operator,
            l1_txs,
            l2_txs: 500,
            priority_operations_hash: hash,
        }),
    )?;
    Ok(())
}

fn queue_line(w: &mut Walk<'_>) -> Result<(), CliError> {
    let d = diamond(w)?;
    let oldest = d
        .first_unprocessed()
        .map_or_else(|| "none".to_string(), |op| date(op.requested_at));
    let line = format!(
        "queue: {} request(s), {} processed, {} waiting (oldest requested {oldest})",
        d.queue.len(),
        d.unprocessed,
        d.queue_size()
    );
    w.say(line)
}

fn expect(err: ProtocolError, expected: PriorityError) -> Result<(), CliError> {
    if err != expected.clone().into() {
        return Err(CliError::DemoCheck(format!(
            "expected {expected}, got {err}"
        )));
    }
    Ok(())
}

fn normal(w: &mut Walk<'_>) -> Result<(), CliError> {
    w.section("1. A deposit from L1, processed normally")?;
    w.apply(
        "fund alice with 100 ETH on L1",
        Action::Fund {
            chain: devnet::L1,
            asset: eth(),
            to: account("alice"),
            amount: tokens(100),
        },
    )?;
    deposit(w, tokens(1))?;
    queue_line(w)?;
    advance(w, 2 * 3_600)?;
    operator_turn(w, 1)?;
    advance(w, 3_600)?;
    operator_turn(w, 0)?;
    let d = diamond(w)?;
    let delay = d.queue.front().and_then(|op| op.delay()).unwrap_or(0);
    let line = w.balance(CHAIN, account("bob"));
    w.say(format!(
        "processed after {}: {line}",
        crate::priority_report::duration(delay)
    ))
}

fn arm(w: &mut Walk<'_>) -> Result<(), CliError> {
    let admin = account("admin-l1-chain");
    w.section("2. The chain admin arms priority mode (one way)")?;
    w.apply(
        "the admin makes l1-chain a permanent rollup",
        Action::Priority(PriorityAction::MakePermanentRollup {
            chain: CHAIN,
            caller: admin,
        }),
    )?;
    let e = w.reject(
        "the admin tries to arm with no deposit waiting",
        Action::Priority(PriorityAction::PermanentlyAllowPriorityMode {
            chain: CHAIN,
            caller: admin,
        }),
    )?;
    expect(
        e,
        PriorityError::PriorityOpsRequestTimestampMissing {
            first_unprocessed_tx: 1,
        },
    )?;
    deposit(w, tokens(2))?;
    w.apply(
        "the admin arms priority mode (permanentlyAllowPriorityMode)",
        Action::Priority(PriorityAction::PermanentlyAllowPriorityMode {
            chain: CHAIN,
            caller: admin,
        }),
    )?;
    w.say("armed, the chain may no longer change its filterer, pricing mode or capacity, nor leave L1:")?;
    let e = w.reject(
        "the admin tries to install a transaction filterer",
        Action::Priority(PriorityAction::SetTransactionFilterer {
            chain: CHAIN,
            caller: admin,
            filterer: account("censoring-filterer"),
        }),
    )?;
    expect(
        e,
        PriorityError::NotCompatibleWithPriorityMode { chain: CHAIN },
    )?;
    let e = w.reject(
        "the admin tries to move l1-chain's settlement to Gateway",
        Action::Priority(PriorityAction::MigrateToGateway {
            chain: CHAIN,
            caller: admin,
            gateway: devnet::GATEWAY,
        }),
    )?;
    expect(
        e,
        PriorityError::NotCompatibleWithPriorityMode { chain: CHAIN },
    )?;
    w.apply(
        "fund alice with 1 ETH on l1-chain",
        Action::Fund {
            chain: CHAIN,
            asset: eth(),
            to: account("alice"),
            amount: tokens(1),
        },
    )?;
    let e = w.reject(
        "so alice's interop bundle to Era is refused for good",
        Action::SendBundle {
            chain: CHAIN,
            sender: account("alice"),
            destination: InteropAddress::chain_only(devnet::ERA).encode(),
            starters: vec![InteropCallStarter {
                to: InteropAddress::address_only(account("bob")).encode(),
                data: Bytes::new(),
                call_attributes: vec![],
            }],
            attributes: vec![],
            value: U256::ZERO,
        },
    )?;
    if e != (ProtocolError::NotInGatewayMode { chain: CHAIN }) {
        return Err(CliError::DemoCheck(format!(
            "expected NotInGatewayMode, got {e}"
        )));
    }
    let d = diamond(w)?;
    let p = d.fee_params;
    let price = fees::reference_l2_gas_price(&p, d.multiplier)
        .map_err(|e| CliError::DemoCheck(e.to_string()))?;
    let too_much = ChainFeeParams {
        minimal_l2_gas_price: p.minimal_l2_gas_price * 2,
        ..p
    };
    let e = w.reject(
        &format!(
            "the admin tries to double the minimal L2 gas price (reference price {} wei)",
            price
        ),
        Action::Priority(PriorityAction::ChangeFeeParams {
            chain: CHAIN,
            caller: admin,
            params: too_much,
        }),
    )?;
    if !matches!(&e, ProtocolError::Priority(p) if matches!(**p, PriorityError::FeeParamsChangeTooLarge { .. }))
    {
        return Err(CliError::DemoCheck(format!(
            "expected FeeParamsChangeTooLarge, got {e}"
        )));
    }
    Ok(())
}

/// The admin raises the minimal L2 gas price by the most the bound allows.
fn raise_fees(w: &mut Walk<'_>) -> Result<(), CliError> {
    let admin = account("admin-l1-chain");
    let d = diamond(w)?;
    let Some(minimal) =
        fees::max_minimal_gas_price_raise(&d.fee_params, d.multiplier, d.queue_size())
    else {
        return Ok(());
    };
    let params = ChainFeeParams {
        minimal_l2_gas_price: minimal,
        ..d.fee_params
    };
    w.apply(
        "the admin raises the L2 gas price by the most the bound allows (×13/10)",
        Action::Priority(PriorityAction::ChangeFeeParams {
            chain: CHAIN,
            caller: admin,
            params,
        }),
    )?;
    let d = diamond(w)?;
    let price = fees::reference_l2_gas_price(&d.fee_params, d.multiplier)
        .map_err(|e| CliError::DemoCheck(e.to_string()))?;
    w.say(format!("reference L2 gas price now {price} wei"))
}

fn censor(w: &mut Walk<'_>) -> Result<(), CliError> {
    w.section("3. The operator censors: its batches leave the deposits out")?;
    operator_turn(w, 0)?;
    for day in 1..=3 {
        advance(w, DAY)?;
        deposit(w, tokens(day))?;
        raise_fees(w)?;
        operator_turn(w, 0)?;
        queue_line(w)?;
    }
    Ok(())
}

fn activate(w: &mut Walk<'_>) -> Result<(), CliError> {
    let bob = account("bob");
    w.section("4. Activation: refused one second early, allowed at exactly 4 days")?;
    let d = diamond(w)?;
    let earliest = d
        .earliest_activation()
        .ok_or_else(|| CliError::DemoCheck("no deposit is waiting".into()))?;
    w.say(format!(
        "the oldest waiting deposit allows activation from {} (its request time + PRIORITY_EXPIRATION = {})",
        date(earliest),
        crate::priority_report::duration(PRIORITY_EXPIRATION)
    ))?;
    let wait = earliest - 1 - w.state().time;
    advance(w, wait)?;
    let activate = Action::Priority(PriorityAction::ActivatePriorityMode {
        chain: CHAIN,
        caller: bob,
    });
    let e = w.reject("bob tries to activate priority mode", activate.clone())?;
    expect(
        e,
        PriorityError::PriorityModeActivationTooEarly {
            earliest_activation_timestamp: earliest,
            current_timestamp: earliest - 1,
        },
    )?;
    advance(w, 1)?;
    let d = diamond(w)?;
    let unexecuted = d.total_committed() - d.total_executed;
    w.apply("bob activates priority mode (anyone may)", activate)?;
    w.say(format!(
        "{unexecuted} committed batch(es) not yet executed were reverted"
    ))?;
    let e = w.reject(
        "the operator tries to settle a batch",
        Action::SettleBatch { chain: CHAIN },
    )?;
    expect(
        e,
        PriorityError::Unauthorized {
            chain: CHAIN,
            caller: w.operator(CHAIN),
        },
    )
}

fn drain(w: &mut Walk<'_>) -> Result<(), CliError> {
    let rescuer = account("rescuer");
    w.section("5. The rescuer drains the queue through the permissionless validator")?;
    let d = diamond(w)?;
    let hash = d.priority_operations_hash(0, 1);
    let e = w.reject(
        "the rescuer tries a batch with an L2 transaction in it",
        Action::Priority(PriorityAction::SettlePermissionless {
            chain: CHAIN,
            caller: rescuer,
            l1_txs: 1,
            l2_txs: 1,
            priority_operations_hash: hash,
        }),
    )?;
    expect(
        e,
        PriorityError::InvalidTxCountInPriorityMode {
            l2_tx_count: 1,
            l1_tx_count: 1,
        },
    )?;
    loop {
        let d = diamond(w)?;
        let waiting = d.queue_size();
        if waiting == 0 {
            break;
        }
        let n = waiting.min(2);
        let hash = d.priority_operations_hash(0, n);
        w.apply(
            &format!(
                "the rescuer commits, proves and executes a batch of {n} deposit(s) in one call"
            ),
            Action::Priority(PriorityAction::SettlePermissionless {
                chain: CHAIN,
                caller: rescuer,
                l1_txs: n,
                l2_txs: 0,
                priority_operations_hash: hash,
            }),
        )?;
    }
    let d = diamond(w)?;
    let lines: Vec<String> = d
        .queue
        .iter()
        .map(|op| {
            format!(
                "request {}: {} ETH, waited {}",
                op.id,
                format_amount(op.l2_value),
                op.delay()
                    .map_or_else(|| "-".into(), crate::priority_report::duration)
            )
        })
        .collect();
    for l in lines {
        w.say(l)?;
    }
    let (bob_line, rescuer_line) = (w.balance(CHAIN, account("bob")), w.balance(CHAIN, rescuer));
    w.say(format!(
        "{bob_line}; {rescuer_line} (the fees of the batches it produced)"
    ))
}

fn deactivate(w: &mut Walk<'_>) -> Result<(), CliError> {
    let treasury = account("treasury");
    w.section("6. Governance deactivates priority mode with a ZIP")?;
    w.apply(
        "the treasury delegates its 1B ZK to itself",
        Action::ZkDelegate {
            delegator: treasury,
            delegatee: treasury,
        },
    )?;
    advance(w, 1)?;
    let state = w.state();
    let config = *state.governance.config();
    let id = state.governance.next_proposal_id();
    let actors = ZipActors {
        proposer: treasury,
        security_council: config.security_council,
    };
    let steps = zip_timeline(
        &config,
        actors,
        id,
        vec![ProposalAction::DeactivatePriorityMode { chain: CHAIN }],
        state.time,
    );
    let labels = [
        "the treasury proposes the ZIP (DeactivatePriorityMode)",
        "the treasury votes For",
        "the ZIP is queued after the vote",
        "the ZIP executes on Era and leaves for L1",
        "the Security Council approves after the legal veto period",
        "the upgrade executes on L1: the chain type manager deactivates priority mode",
    ];
    let start = w.state().time;
    for ((t, action), label) in steps.into_iter().zip(labels) {
        let wait = t - w.state().time;
        if wait > 0 {
            advance(w, wait)?;
        }
        w.apply(label, action)?;
    }
    let d = diamond(w)?;
    if d.priority_mode.activated {
        return Err(CliError::DemoCheck("priority mode is still active".into()));
    }
    let took = w.state().time - start;
    w.say(format!(
        "priority mode ended {} after the proposal; the chain stays armed",
        crate::priority_report::duration(took)
    ))?;
    w.apply(
        "the operator settles again",
        Action::SettleBatch { chain: CHAIN },
    )?;
    Ok(())
}

/// One line about a diamond event.
pub fn describe(w: &Walk<'_>, event: &PriorityEvent) -> String {
    let on = |c: &u64| w.chain_name(*c);
    let addr = |a: &Address| {
        if *a == Address::ZERO {
            "none".to_string()
        } else {
            w.name(*a)
        }
    };
    match event {
        PriorityEvent::L2TransactionRequested { op } => format!(
            "{}: priority request {} queued at {} — {} → {} with {} (mint {})",
            on(&op.chain),
            op.id,
            date(op.requested_at),
            w.name(op.sender),
            w.name(op.contract_l2),
            w.base_amount(op.chain, op.l2_value),
            w.base_amount(op.chain, op.mint_value)
        ),
        PriorityEvent::BatchCommitted { chain, batch } => format!(
            "{}: batch {} committed by {} ({} L1 tx(s), {} L2 tx(s))",
            on(chain),
            batch.number,
            w.name(batch.producer),
            batch.l1_txs,
            batch.l2_txs
        ),
        PriorityEvent::BatchesVerified {
            chain,
            previous,
            current,
        } => format!("{}: batches {}–{current} proven", on(chain), previous + 1),
        PriorityEvent::BatchExecuted {
            chain,
            number,
            l1_txs,
            ..
        } => format!(
            "{}: batch {number} executed on L1, {l1_txs} priority request(s) processed",
            on(chain)
        ),
        PriorityEvent::BatchesReverted {
            chain,
            committed,
            verified,
            executed,
        } => format!(
            "{}: batches reverted to committed {committed}, proven {verified}, executed {executed}",
            on(chain)
        ),
        PriorityEvent::PriorityModeAllowed { chain } => {
            format!("{}: PriorityModeAllowed (armed, for good)", on(chain))
        }
        PriorityEvent::PriorityModeActivated { chain, by } => {
            format!("{}: PriorityModeActivated by {}", on(chain), w.name(*by))
        }
        PriorityEvent::PriorityModeDeactivated { chain } => {
            format!("{}: PriorityModeDeactivated", on(chain))
        }
        PriorityEvent::TransactionFiltererSet { chain, old, new } => format!(
            "{}: transaction filterer {} → {}",
            on(chain),
            addr(old),
            addr(new)
        ),
        PriorityEvent::PriorityModeTransactionFiltererSet { chain, old, new } => format!(
            "{}: priority-mode filterer {} → {}",
            on(chain),
            addr(old),
            addr(new)
        ),
        PriorityEvent::FeeParamsChanged {
            chain, old, new, ..
        } => format!(
            "{}: minimal L2 gas price {} → {} wei",
            on(chain),
            old.minimal_l2_gas_price,
            new.minimal_l2_gas_price
        ),
        PriorityEvent::TokenMultiplierChanged { chain, new, .. } => format!(
            "{}: base-token multiplier {}/{}",
            on(chain),
            new.nominator,
            new.denominator
        ),
        PriorityEvent::PubdataPricingModeChanged { chain, mode } => {
            format!("{}: pubdata pricing mode {mode:?}", on(chain))
        }
        PriorityEvent::PermanentRollupSet { chain } => {
            format!("{}: now a permanent rollup", on(chain))
        }
        PriorityEvent::DepositsPaused { chain, timestamp } => {
            format!("{}: deposits paused from {}", on(chain), date(*timestamp))
        }
        PriorityEvent::DepositsUnpaused { chain } => format!("{}: deposits unpaused", on(chain)),
        PriorityEvent::ChainMigrated {
            chain,
            settlement_layer,
        } => format!("{}: now settles on {}", on(chain), on(settlement_layer)),
    }
}
