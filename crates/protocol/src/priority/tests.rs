//! Priority mode through `Network::apply`: every refusal returns the contract's error and
//! leaves the state as it was; every accepted path replays from its events.

use super::fees::{ChainFeeParams, PubdataPricingMode, TokenMultiplier};
use super::filterer::SenderWhitelist;
use super::zip::{zip_timeline, ZipActors};
use super::*;
use crate::chain::{DataAvailability, ExecutionEnvironment};
use crate::event::Event;
use crate::genesis::{account, devnet, eth, Genesis};
use crate::governance::{GovernanceError, GovernorKind, ProposalAction, UpgradeApproval};
use crate::interop::recipient::Code;
use crate::network::{Action, Network};
use crate::units::tokens;
use alloy_primitives::{Bytes, U256};
use std::sync::Arc;

const CHAIN: ChainId = devnet::L1_CHAIN;
const DAY: u64 = 86_400;
const GWEI: u64 = 1_000_000_000;

fn admin() -> Address {
    account("admin-l1-chain")
}
fn operator() -> Address {
    account("operator-l1-chain")
}
fn alice() -> Address {
    account("alice")
}
fn bob() -> Address {
    account("bob")
}

/// A network plus the log of every event it emitted, so each test can end by replaying it.
struct Harness {
    genesis: Genesis,
    code: Code,
    net: Network,
    log: Vec<Event>,
}

impl Harness {
    fn new() -> Self {
        Self::with(Genesis::devnet(), Code::default())
    }

    fn with(genesis: Genesis, code: Code) -> Self {
        let net = Network::with_code(&genesis, code.clone()).unwrap();
        let mut h = Self {
            genesis,
            code,
            net,
            log: Vec::new(),
        };
        for who in [alice(), bob()] {
            h.ok(Action::Fund {
                chain: devnet::L1,
                asset: eth(),
                to: who,
                amount: tokens(1_000),
            });
        }
        h
    }

    fn ok(&mut self, action: Action) -> Vec<Event> {
        let events = self
            .net
            .apply(action.clone())
            .unwrap_or_else(|e| panic!("{action:?} refused: {e}"));
        self.log.extend(events.clone());
        events
    }

    fn p(&mut self, action: PriorityAction) -> Vec<Event> {
        self.ok(Action::Priority(action))
    }

    /// Applies an action that must be refused with `expected`, and checks nothing changed.
    fn refused(&mut self, action: Action, expected: impl Into<ProtocolError>) {
        let before = self.net.state().clone();
        let err = self.net.apply(action).unwrap_err();
        assert_eq!(err, expected.into());
        assert_eq!(self.net.state(), &before, "a refusal changed the state");
    }

    fn refused_p(&mut self, action: PriorityAction, expected: PriorityError) {
        self.refused(Action::Priority(action), expected);
    }

    fn advance(&mut self, seconds: u64) {
        self.ok(Action::AdvanceTime { seconds });
    }

    fn advance_to(&mut self, t: u64) {
        let now = self.net.state().time;
        assert!(t >= now, "cannot go back from {now} to {t}");
        if t > now {
            self.advance(t - now);
        }
    }

    fn now(&self) -> u64 {
        self.net.state().time
    }

    fn d(&self) -> &Diamond {
        self.net.state().priority.get(CHAIN).unwrap()
    }

    /// The base cost of the standard request (300,000 gas at 20 gwei) at today's parameters.
    fn base_cost(&self) -> U256 {
        let d = self.d();
        fees::request_base_cost(&d.fee_params, d.multiplier, U256::from(20 * GWEI), 300_000)
            .unwrap()
            .1
    }

    fn request_action(&self, sender: Address, value: U256) -> PriorityAction {
        PriorityAction::RequestL2Transaction {
            chain: CHAIN,
            sender,
            contract_l2: bob(),
            l2_value: value,
            calldata: Bytes::new(),
            l2_gas_limit: 300_000,
            mint_value: value + self.base_cost(),
            refund_recipient: Address::ZERO,
            l1_gas_price: U256::from(20 * GWEI),
        }
    }

    /// Alice deposits `value` to bob on l1-chain.
    fn request(&mut self, value: U256) {
        let a = self.request_action(alice(), value);
        self.p(a);
    }

    fn hash(&self, count: u64) -> B256 {
        let skip = self.d().committed_l1_txs();
        self.d().priority_operations_hash(skip, count)
    }

    /// The operator commits a batch processing the next `l1` requests and `l2` L2 txs.
    fn commit(&mut self, l1: u64, l2: u64) {
        let h = self.hash(l1);
        self.p(PriorityAction::CommitBatch {
            chain: CHAIN,
            caller: operator(),
            l1_txs: l1,
            l2_txs: l2,
            priority_operations_hash: h,
        });
    }

    fn prove_execute(&mut self, count: u64) {
        for a in [
            PriorityAction::ProveBatches {
                chain: CHAIN,
                caller: operator(),
                count,
            },
            PriorityAction::ExecuteBatches {
                chain: CHAIN,
                caller: operator(),
                count,
            },
        ] {
            self.p(a);
        }
    }

    fn arm(&mut self) {
        self.p(PriorityAction::PermanentlyAllowPriorityMode {
            chain: CHAIN,
            caller: admin(),
        });
    }

    fn make_permanent(&mut self) {
        self.p(PriorityAction::MakePermanentRollup {
            chain: CHAIN,
            caller: admin(),
        });
    }

    fn activate(&mut self) {
        self.p(PriorityAction::ActivatePriorityMode {
            chain: CHAIN,
            caller: bob(),
        });
    }

    /// Ends with the replay check: the log alone rebuilds the state.
    fn finish(self) {
        let replayed = Network::replay(&self.genesis, self.code, &self.log).unwrap();
        assert_eq!(replayed.state(), self.net.state(), "replay diverged");
    }
}

/// The standard setup of the activation tests: one waiting request, armed, permanent rollup.
fn armed_with_request() -> Harness {
    let mut h = Harness::new();
    h.request(tokens(1));
    h.make_permanent();
    h.arm();
    h
}

#[test]
fn a_request_queues_with_its_time_and_the_operator_processes_it_in_order() {
    let mut h = Harness::new();
    let t0 = h.now();
    let cost = h.base_cost();
    h.request(tokens(2));
    h.advance(100);
    h.request(tokens(3));
    let d = h.d();
    assert_eq!(d.queue.len(), 2);
    assert_eq!(d.queue[0].requested_at, t0);
    assert_eq!(d.queue[1].requested_at, t0 + 100);
    assert_eq!(d.earliest_activation(), Some(t0 + PRIORITY_EXPIRATION));
    assert_ne!(d.queue[0].hash, d.queue[1].hash);
    // The value left alice on L1 and is in flight.
    let l1 = h.net.state().chain(devnet::L1).unwrap();
    assert_eq!(
        l1.balance(eth(), alice()),
        tokens(1_000) - tokens(5) - cost * U256::from(2u8)
    );
    assert_eq!(
        h.net.state().in_flight.get(&eth()).copied(),
        Some(tokens(5) + cost * U256::from(2u8))
    );
    // The operator processes the first one only.
    h.advance(DAY);
    h.commit(1, 10);
    h.prove_execute(1);
    let d = h.d();
    assert_eq!(d.unprocessed, 1);
    assert_eq!(d.queue[0].delay(), Some(DAY + 100));
    assert_eq!(d.queue[1].processed_at, None);
    assert_eq!(
        d.earliest_activation(),
        Some(t0 + 100 + PRIORITY_EXPIRATION)
    );
    let c = h.net.state().chain(CHAIN).unwrap();
    assert_eq!(c.balance(eth(), bob()), tokens(2));
    assert_eq!(
        c.balance(eth(), operator()),
        cost,
        "the fee went to the producer"
    );
    assert_eq!(
        c.batches.len(),
        1,
        "the executed batch sealed and settled on L1"
    );
    let root = c.batches[0].chain_batch_root;
    assert_eq!(
        h.net
            .state()
            .chain(devnet::L1)
            .unwrap()
            .interop_roots
            .get(&(CHAIN, 1)),
        Some(&root)
    );
    // `SettleBatch` is the operator committing, proving and executing through the diamond.
    h.ok(Action::SettleBatch { chain: CHAIN });
    assert_eq!(h.d().total_executed, 2);
    assert_eq!(h.net.state().chain(CHAIN).unwrap().batches.len(), 2);
    h.finish();
}

#[test]
fn requests_are_refused_with_the_mailbox_errors() {
    let mut h = Harness::new();
    let cost = h.base_cost();
    // One wei short of the base cost.
    let mut short = h.request_action(alice(), U256::ZERO);
    if let PriorityAction::RequestL2Transaction { mint_value, .. } = &mut short {
        *mint_value = cost - U256::from(1u8);
    }
    h.refused_p(
        short,
        PriorityError::MsgValueTooLow {
            required: cost,
            provided: cost - U256::from(1u8),
        },
    );
    // Exactly the base cost is enough.
    let exact = h.request_action(alice(), U256::ZERO);
    h.p(exact);
    // A chain settling on Gateway: its relayed queue is not modelled.
    let mut era = h.request_action(alice(), U256::ZERO);
    if let PriorityAction::RequestL2Transaction { chain, .. } = &mut era {
        *chain = devnet::ERA;
    }
    h.refused_p(
        era,
        PriorityError::GatewayQueueNotModelled { chain: devnet::ERA },
    );
    // L1 has no ZK chain contract.
    let mut l1 = h.request_action(alice(), U256::ZERO);
    if let PriorityAction::RequestL2Transaction { chain, .. } = &mut l1 {
        *chain = devnet::L1;
    }
    h.refused_p(l1, PriorityError::NoDiamond { chain: devnet::L1 });
    // A sender without the value.
    let carol = account("carol");
    let poor = h.request_action(carol, tokens(1));
    let before = h.net.state().clone();
    assert!(matches!(
        h.net.apply(Action::Priority(poor)),
        Err(ProtocolError::InsufficientBalance(_))
    ));
    assert_eq!(h.net.state(), &before);
    // Paused deposits refuse new requests.
    h.ok(Action::SettleBatch { chain: CHAIN });
    h.p(PriorityAction::PauseDepositsBeforeMigration {
        chain: CHAIN,
        caller: admin(),
    });
    let again = h.request_action(alice(), U256::ZERO);
    h.refused_p(again, PriorityError::DepositsPaused { chain: CHAIN });
    h.finish();
}

#[test]
fn the_transaction_filterer_decides_which_senders_may_request() {
    let filterer = account("whitelist-filterer");
    let mut code = Code::default();
    code.deploy_filterer(filterer, Arc::new(SenderWhitelist::new([alice()])));
    let mut h = Harness::with(Genesis::devnet(), code);
    // Only the admin sets it.
    h.refused_p(
        PriorityAction::SetTransactionFilterer {
            chain: CHAIN,
            caller: alice(),
            filterer,
        },
        PriorityError::Unauthorized {
            chain: CHAIN,
            caller: alice(),
        },
    );
    h.p(PriorityAction::SetTransactionFilterer {
        chain: CHAIN,
        caller: admin(),
        filterer,
    });
    let a = h.request_action(alice(), tokens(1));
    h.p(a);
    let b = h.request_action(bob(), tokens(1));
    h.refused_p(b, PriorityError::TransactionNotAllowed { chain: CHAIN });
    // An address without filterer code refuses everything.
    h.p(PriorityAction::SetTransactionFilterer {
        chain: CHAIN,
        caller: admin(),
        filterer: account("no-code"),
    });
    let a = h.request_action(alice(), tokens(1));
    h.refused_p(a, PriorityError::TransactionNotAllowed { chain: CHAIN });
    // Arming installs governance's priority-mode filterer (none by default): bob may request.
    h.make_permanent();
    h.arm();
    assert_eq!(h.d().transaction_filterer, Address::ZERO);
    let b = h.request_action(bob(), tokens(1));
    h.p(b);
    h.finish();
}

#[test]
fn the_executor_refuses_what_it_cannot_settle() {
    let mut h = Harness::new();
    h.request(tokens(1));
    h.request(tokens(1));
    let commit = |caller, l1, hash| PriorityAction::CommitBatch {
        chain: CHAIN,
        caller,
        l1_txs: l1,
        l2_txs: 0,
        priority_operations_hash: hash,
    };
    let h1 = h.hash(1);
    h.refused_p(
        commit(alice(), 1, h1),
        PriorityError::Unauthorized {
            chain: CHAIN,
            caller: alice(),
        },
    );
    // Era's diamond on L1 does not settle Era (it settles on Gateway).
    let era_operator = account("operator-era");
    h.refused_p(
        PriorityAction::CommitBatch {
            chain: devnet::ERA,
            caller: era_operator,
            l1_txs: 0,
            l2_txs: 1,
            priority_operations_hash: h1,
        },
        PriorityError::NotSettlementLayer { chain: devnet::ERA },
    );
    let prove = |count| PriorityAction::ProveBatches {
        chain: CHAIN,
        caller: operator(),
        count,
    };
    let execute = |count| PriorityAction::ExecuteBatches {
        chain: CHAIN,
        caller: operator(),
        count,
    };
    h.refused_p(
        prove(1),
        PriorityError::VerifiedBatchesExceedsCommittedBatches,
    );
    h.refused_p(prove(0), PriorityError::EmptyData);
    h.refused_p(execute(0), PriorityError::EmptyData);
    // Batch 1 claims three requests (only two wait); batch 2 commits to the wrong request.
    let three = h.d().priority_operations_hash(0, 3);
    h.p(commit(operator(), 3, three));
    h.refused_p(execute(1), PriorityError::CantExecuteUnprovenBatches);
    h.p(prove(1));
    h.refused_p(
        execute(1),
        PriorityError::MismatchNumberOfLayer1Txs {
            number_of_layer1_txs: 3,
            expected_length: 2,
        },
    );
    // Revert it: only validators, only unexecuted batches, never past the last committed.
    let revert = |caller, new_last_batch| PriorityAction::RevertBatches {
        chain: CHAIN,
        caller,
        new_last_batch,
    };
    h.refused_p(
        revert(alice(), 0),
        PriorityError::Unauthorized {
            chain: CHAIN,
            caller: alice(),
        },
    );
    h.refused_p(
        revert(operator(), 2),
        PriorityError::RevertedBatchNotAfterNewLastBatch,
    );
    h.p(revert(operator(), 0));
    assert_eq!((h.d().total_committed(), h.d().total_verified), (0, 0));
    let second = h.d().priority_operations_hash(1, 1);
    h.p(commit(operator(), 1, second));
    h.p(prove(1));
    h.refused_p(
        execute(1),
        PriorityError::PriorityOperationsRollingHashMismatch,
    );
    h.p(revert(operator(), 0));
    h.commit(2, 5);
    h.prove_execute(1);
    h.refused_p(
        revert(operator(), 0),
        PriorityError::CantRevertExecutedBatch,
    );
    assert_eq!(h.d().queue_size(), 0);
    h.finish();
}

#[test]
fn arming_needs_the_admin_a_zksync_os_chain_on_l1_and_a_waiting_request() {
    let mut h = Harness::new();
    let arm = |chain, caller| PriorityAction::PermanentlyAllowPriorityMode { chain, caller };
    h.refused_p(
        arm(CHAIN, alice()),
        PriorityError::Unauthorized {
            chain: CHAIN,
            caller: alice(),
        },
    );
    h.refused_p(
        arm(devnet::ETH_CHAIN, account("admin-eth-chain")),
        PriorityError::NotSettlementLayer {
            chain: devnet::ETH_CHAIN,
        },
    );
    h.refused_p(
        arm(CHAIN, admin()),
        PriorityError::PriorityOpsRequestTimestampMissing {
            first_unprocessed_tx: 0,
        },
    );
    h.request(tokens(1));
    h.arm();
    assert!(h.d().priority_mode.can_be_activated);
    h.refused_p(
        arm(CHAIN, admin()),
        PriorityError::PriorityModeAlreadyAllowed { chain: CHAIN },
    );
    h.finish();

    // An EraVM chain on L1 cannot be armed.
    let mut g = Genesis::devnet();
    for c in &mut g.chains {
        if c.id == CHAIN {
            c.execution = ExecutionEnvironment::EraVm;
        }
    }
    let mut h = Harness::with(g, Code::default());
    h.request(tokens(1));
    h.refused_p(
        arm(CHAIN, admin()),
        PriorityError::NotZKsyncOS { chain: CHAIN },
    );
    h.finish();
}

#[test]
fn an_armed_chain_keeps_its_filterer_pricing_mode_capacity_and_settlement() {
    let mut h = armed_with_request();
    h.refused_p(
        PriorityAction::SetTransactionFilterer {
            chain: CHAIN,
            caller: admin(),
            filterer: account("censor"),
        },
        PriorityError::NotCompatibleWithPriorityMode { chain: CHAIN },
    );
    h.refused_p(
        PriorityAction::SetPubdataPricingMode {
            chain: CHAIN,
            caller: admin(),
            mode: PubdataPricingMode::Validium,
        },
        PriorityError::NotCompatibleWithPriorityMode { chain: CHAIN },
    );
    let p = h.d().fee_params;
    let more_capacity = ChainFeeParams {
        max_pubdata_per_batch: p.max_pubdata_per_batch + 1,
        ..p
    };
    h.refused_p(
        PriorityAction::ChangeFeeParams {
            chain: CHAIN,
            caller: admin(),
            params: more_capacity,
        },
        PriorityError::NotCompatibleWithPriorityMode { chain: CHAIN },
    );
    h.refused_p(
        PriorityAction::PauseDepositsBeforeMigration {
            chain: CHAIN,
            caller: admin(),
        },
        PriorityError::NotCompatibleWithPriorityMode { chain: CHAIN },
    );
    h.refused_p(
        PriorityAction::MigrateToGateway {
            chain: CHAIN,
            caller: admin(),
            gateway: devnet::GATEWAY,
        },
        PriorityError::NotCompatibleWithPriorityMode { chain: CHAIN },
    );
    // So it stays on L1, and interop stays closed to it — the refusal says why.
    let send = Action::SendBundle {
        chain: CHAIN,
        sender: alice(),
        destination: crate::address::InteropAddress::chain_only(devnet::ERA).encode(),
        starters: vec![],
        attributes: vec![],
        value: U256::ZERO,
    };
    let before = h.net.state().clone();
    let err = h.net.apply(send).unwrap_err();
    assert_eq!(err, ProtocolError::NotInGatewayMode { chain: CHAIN });
    assert!(err.to_string().contains("armed for priority mode"), "{err}");
    assert_eq!(h.net.state(), &before);
    h.finish();
}

#[test]
fn an_armed_chain_moves_its_price_by_at_most_thirteen_tenths_a_day() {
    let mut h = armed_with_request();
    let p = h.d().fee_params;
    let m = h.d().multiplier;
    let price = fees::reference_l2_gas_price(&p, m).unwrap();
    assert_eq!(price, U256::from(262_500_000u64));
    let with_min = |minimal| ChainFeeParams {
        minimal_l2_gas_price: minimal,
        ..p
    };
    let change = |params| PriorityAction::ChangeFeeParams {
        chain: CHAIN,
        caller: admin(),
        params,
    };
    h.refused_p(
        change(with_min(328_750_001)),
        PriorityError::FeeParamsChangeTooLarge {
            old_price: price,
            new_price: U256::from(341_250_001u64),
            max_allowed_price: U256::from(341_250_000u64),
        },
    );
    h.refused_p(
        change(ChainFeeParams {
            pubdata_pricing_mode: PubdataPricingMode::Validium,
            ..p
        }),
        PriorityError::InvalidPubdataPricingMode,
    );
    h.refused_p(
        change(ChainFeeParams {
            priority_tx_max_pubdata: p.max_pubdata_per_batch + 1,
            ..p
        }),
        PriorityError::PriorityTxPubdataExceedsMaxPubDataPerBatch,
    );
    h.refused_p(
        PriorityAction::ChangeFeeParams {
            chain: CHAIN,
            caller: alice(),
            params: p,
        },
        PriorityError::Unauthorized {
            chain: CHAIN,
            caller: alice(),
        },
    );
    h.p(change(with_min(328_750_000)));
    let t = h.now();
    // Not again within a day; exactly a day later, from the new price.
    h.advance(DAY - 1);
    h.refused_p(
        change(with_min(328_750_000)),
        PriorityError::TokenMultiplierChangeTooFrequent {
            next_allowed_timestamp: t + DAY,
        },
    );
    h.advance(1);
    let raised = fees::max_minimal_gas_price_raise(&h.d().fee_params, m, 1).unwrap();
    h.p(change(with_min(raised)));
    assert_eq!(
        fees::reference_l2_gas_price(&h.d().fee_params, m).unwrap(),
        U256::from(443_625_000u64),
        "341,250,000 × 13 / 10"
    );
    h.finish();
}

#[test]
fn an_unarmed_chain_changes_fees_freely_but_its_multiplier_is_bounded() {
    let mut h = Harness::new();
    h.request(tokens(1));
    let p = h.d().fee_params;
    let wild = ChainFeeParams {
        minimal_l2_gas_price: p.minimal_l2_gas_price * 100,
        max_pubdata_per_batch: p.max_pubdata_per_batch * 2,
        ..p
    };
    h.p(PriorityAction::ChangeFeeParams {
        chain: CHAIN,
        caller: admin(),
        params: wild,
    });
    h.advance(DAY);
    let set = |nominator, denominator| PriorityAction::SetTokenMultiplier {
        chain: CHAIN,
        caller: admin(),
        multiplier: TokenMultiplier {
            nominator,
            denominator,
        },
    };
    h.refused_p(set(1, 0), PriorityError::DenominatorIsZero);
    let price = fees::reference_l2_gas_price(&wild, TokenMultiplier::ONE).unwrap();
    // The multiplier scales the L1 gas part of the price: ×1000 moves it by about half.
    let scaled = fees::reference_l2_gas_price(
        &wild,
        TokenMultiplier {
            nominator: 1_000,
            denominator: 1,
        },
    )
    .unwrap();
    h.refused_p(
        set(1_000, 1),
        PriorityError::FeeParamsChangeTooLarge {
            old_price: price,
            new_price: scaled,
            max_allowed_price: price * U256::from(13u8) / U256::from(10u8),
        },
    );
    h.p(set(6, 5));
    h.finish();
}

#[test]
fn activation_is_refused_at_four_days_minus_one_second_and_allowed_at_four_days() {
    let mut h = Harness::new();
    let t0 = h.now();
    h.request(tokens(1));
    let activate = PriorityAction::ActivatePriorityMode {
        chain: CHAIN,
        caller: bob(),
    };
    // Not armed.
    h.refused_p(
        activate.clone(),
        PriorityError::PriorityModeIsNotAllowed { chain: CHAIN },
    );
    h.arm();
    // Armed, but not a permanent rollup.
    h.refused_p(
        activate.clone(),
        PriorityError::PriorityModeRequiresPermanentRollup { chain: CHAIN },
    );
    h.refused_p(
        PriorityAction::MakePermanentRollup {
            chain: CHAIN,
            caller: alice(),
        },
        PriorityError::Unauthorized {
            chain: CHAIN,
            caller: alice(),
        },
    );
    h.make_permanent();
    h.refused_p(
        PriorityAction::MakePermanentRollup {
            chain: CHAIN,
            caller: admin(),
        },
        PriorityError::AlreadyPermanentRollup { chain: CHAIN },
    );
    // The operator commits two batches and executes neither.
    h.commit(0, 3);
    h.commit(0, 4);
    h.p(PriorityAction::ProveBatches {
        chain: CHAIN,
        caller: operator(),
        count: 1,
    });
    h.advance_to(t0 + PRIORITY_EXPIRATION - 1);
    h.refused_p(
        activate.clone(),
        PriorityError::PriorityModeActivationTooEarly {
            earliest_activation_timestamp: t0 + PRIORITY_EXPIRATION,
            current_timestamp: t0 + PRIORITY_EXPIRATION - 1,
        },
    );
    h.advance(1);
    let events = h.p(activate.clone());
    assert!(
        events.contains(&Event::Priority(PriorityEvent::BatchesReverted {
            chain: CHAIN,
            committed: 0,
            verified: 0,
            executed: 0,
        }))
    );
    let d = h.d();
    assert!(d.priority_mode.activated);
    assert_eq!(
        d.total_committed(),
        0,
        "the unexecuted batches were reverted"
    );
    h.refused_p(activate, PriorityError::OnlyNormalMode { chain: CHAIN });
    h.finish();
}

#[test]
fn a_validium_can_never_activate_priority_mode() {
    let mut g = Genesis::devnet();
    for c in &mut g.chains {
        if c.id == CHAIN {
            c.data_availability = DataAvailability::Validium;
        }
    }
    let mut h = Harness::with(g, Code::default());
    assert_eq!(
        h.d().fee_params.pubdata_pricing_mode,
        PubdataPricingMode::Validium
    );
    h.request(tokens(1));
    h.arm();
    h.refused_p(
        PriorityAction::MakePermanentRollup {
            chain: CHAIN,
            caller: admin(),
        },
        PriorityError::InvalidDAForPermanentRollup { chain: CHAIN },
    );
    h.advance(PRIORITY_EXPIRATION);
    h.refused_p(
        PriorityAction::ActivatePriorityMode {
            chain: CHAIN,
            caller: bob(),
        },
        PriorityError::PriorityModeRequiresPermanentRollup { chain: CHAIN },
    );
    h.finish();
}

#[test]
fn the_activation_clock_runs_from_the_oldest_unprocessed_request() {
    let mut h = Harness::new();
    h.request(tokens(1));
    h.make_permanent();
    h.arm();
    h.advance(3 * DAY);
    h.request(tokens(1));
    let second = h.now();
    // The operator processes the first request only: the clock restarts from the second.
    h.commit(1, 0);
    h.prove_execute(1);
    h.advance_to(second + PRIORITY_EXPIRATION - 1);
    h.refused_p(
        PriorityAction::ActivatePriorityMode {
            chain: CHAIN,
            caller: bob(),
        },
        PriorityError::PriorityModeActivationTooEarly {
            earliest_activation_timestamp: second + PRIORITY_EXPIRATION,
            current_timestamp: second + PRIORITY_EXPIRATION - 1,
        },
    );
    // Everything processed: no request time to go by.
    h.commit(1, 0);
    h.prove_execute(1);
    h.advance(DAY);
    h.refused_p(
        PriorityAction::ActivatePriorityMode {
            chain: CHAIN,
            caller: bob(),
        },
        PriorityError::PriorityOpsRequestTimestampMissing {
            first_unprocessed_tx: 2,
        },
    );
    h.finish();
}

#[test]
fn in_priority_mode_only_the_permissionless_validator_settles_l1_transactions_in_order() {
    let mut h = armed_with_request();
    h.request(tokens(2));
    h.request(tokens(3));
    // Outside priority mode the permissionless validator is not a validator.
    let pv = permissionless_validator();
    let settle = |caller, l1_txs, l2_txs, hash| PriorityAction::SettlePermissionless {
        chain: CHAIN,
        caller,
        l1_txs,
        l2_txs,
        priority_operations_hash: hash,
    };
    let h1 = h.hash(1);
    h.refused_p(
        settle(bob(), 1, 0, h1),
        PriorityError::Unauthorized {
            chain: CHAIN,
            caller: pv,
        },
    );
    h.advance(PRIORITY_EXPIRATION);
    h.activate();
    // The operator may no longer settle, by any route.
    h.refused(
        Action::SettleBatch { chain: CHAIN },
        PriorityError::Unauthorized {
            chain: CHAIN,
            caller: operator(),
        },
    );
    h.refused_p(
        PriorityAction::CommitBatch {
            chain: CHAIN,
            caller: operator(),
            l1_txs: 1,
            l2_txs: 0,
            priority_operations_hash: h1,
        },
        PriorityError::Unauthorized {
            chain: CHAIN,
            caller: operator(),
        },
    );
    h.refused_p(
        PriorityAction::RevertBatches {
            chain: CHAIN,
            caller: operator(),
            new_last_batch: 0,
        },
        PriorityError::OnlyNormalMode { chain: CHAIN },
    );
    // Batches hold L1 transactions only, at least one.
    h.refused_p(
        settle(bob(), 1, 1, h1),
        PriorityError::InvalidTxCountInPriorityMode {
            l2_tx_count: 1,
            l1_tx_count: 1,
        },
    );
    h.refused_p(
        settle(bob(), 0, 0, h.hash(0)),
        PriorityError::InvalidTxCountInPriorityMode {
            l2_tx_count: 0,
            l1_tx_count: 0,
        },
    );
    // Skipping the first request is caught by the rolling hash.
    let skip = h.d().priority_operations_hash(1, 1);
    h.refused_p(
        settle(bob(), 1, 0, skip),
        PriorityError::PriorityOperationsRollingHashMismatch,
    );
    let t = h.now();
    h.p(settle(bob(), 2, 0, h.hash(2)));
    h.p(settle(bob(), 1, 0, h.hash(1)));
    let d = h.d();
    assert_eq!(d.queue_size(), 0);
    assert!(d.queue.iter().all(|op| op.processed_at == Some(t)));
    let c = h.net.state().chain(CHAIN).unwrap();
    assert_eq!(
        c.balance(eth(), bob()),
        tokens(1 + 2 + 3) + {
            // bob produced both batches: every request's fee is his.
            d.queue.iter().map(|op| op.fee()).sum::<U256>()
        }
    );
    assert_eq!(c.balance(eth(), operator()), U256::ZERO);
    assert_eq!(
        h.net
            .state()
            .in_flight
            .get(&eth())
            .copied()
            .unwrap_or_default(),
        U256::ZERO,
        "every locked deposit reached L2"
    );
    h.finish();
}

/// Delegates the treasury's 1B ZK to itself and lets a second pass (the threshold is read at
/// the previous second).
fn with_voter(h: &mut Harness) -> ZipActors {
    let treasury = account("treasury");
    h.ok(Action::ZkDelegate {
        delegator: treasury,
        delegatee: treasury,
    });
    h.advance(1);
    ZipActors {
        proposer: treasury,
        security_council: account("security-council"),
    }
}

/// Runs a ZIP's timeline up to (not including) its last step; returns that step.
fn run_zip_but_last(h: &mut Harness, actions: Vec<ProposalAction>) -> (u64, Action) {
    let actors = with_voter(h);
    let id = h.net.state().governance.next_proposal_id();
    let config = *h.net.state().governance.config();
    let mut steps = zip_timeline(&config, actors, id, actions, h.now());
    let last = steps.pop().unwrap();
    for (t, action) in steps {
        h.advance_to(t);
        h.ok(action);
    }
    (last.0, last.1)
}

#[test]
fn governance_deactivates_priority_mode_with_a_zip_after_its_delays() {
    let mut h = armed_with_request();
    h.advance(PRIORITY_EXPIRATION);
    h.activate();
    // Only the Protocol Governor carries it.
    let deactivate = ProposalAction::DeactivatePriorityMode { chain: CHAIN };
    h.refused(
        Action::Propose {
            governor: GovernorKind::Token,
            proposer: account("treasury"),
            actions: vec![deactivate.clone()],
        },
        GovernanceError::ActionNotAllowed {
            governor: GovernorKind::Token,
            action: "DeactivatePriorityMode",
        },
    );
    let proposed = h.now() + 1;
    let (t, last) = run_zip_but_last(&mut h, vec![deactivate]);
    let latency = h
        .net
        .state()
        .governance
        .config()
        .min_latency(GovernorKind::Protocol, UpgradeApproval::SecurityCouncil);
    assert_eq!(
        t,
        proposed + latency,
        "15 days and 1 second after the proposal"
    );
    h.advance_to(t - 1);
    h.refused(
        last.clone(),
        ProtocolError::Governance(Box::new(GovernanceError::WrongState {
            id: 0,
            state: crate::governance::ProposalState::Upgrade(
                crate::governance::UpgradeState::ExecutionPending,
            ),
            needed: "Ready on L1",
        })),
    );
    assert!(
        h.d().priority_mode.activated,
        "still active a second before"
    );
    h.advance(1);
    h.ok(last);
    assert!(!h.d().priority_mode.activated);
    assert!(h.d().priority_mode.can_be_activated, "arming stays");
    // The operator settles again.
    h.ok(Action::SettleBatch { chain: CHAIN });
    h.finish();
}

#[test]
fn a_deactivation_zip_for_a_chain_not_in_priority_mode_cannot_execute() {
    let mut h = armed_with_request();
    let (t, last) = run_zip_but_last(
        &mut h,
        vec![ProposalAction::DeactivatePriorityMode { chain: CHAIN }],
    );
    h.advance_to(t);
    h.refused(last, PriorityError::OnlyPriorityMode { chain: CHAIN });
    h.finish();
}

#[test]
fn governance_chooses_the_filterer_priority_mode_installs() {
    let filterer = account("gov-filterer");
    let mut code = Code::default();
    code.deploy_filterer(filterer, Arc::new(SenderWhitelist::new([alice()])));
    let mut h = Harness::with(Genesis::devnet(), code);
    let (t, last) = run_zip_but_last(
        &mut h,
        vec![ProposalAction::SetPriorityModeTransactionFilterer {
            chain: CHAIN,
            filterer,
        }],
    );
    h.advance_to(t);
    let events = h.ok(last);
    // Not armed: only the choice is recorded; the active filterer is unchanged.
    assert!(events.iter().all(|e| !matches!(
        e,
        Event::Priority(PriorityEvent::TransactionFiltererSet { .. })
    )));
    assert_eq!(h.d().priority_mode.transaction_filterer, filterer);
    assert_eq!(h.d().transaction_filterer, Address::ZERO);
    h.request(tokens(1));
    h.arm();
    assert_eq!(h.d().transaction_filterer, filterer, "arming installs it");
    let b = h.request_action(bob(), tokens(1));
    h.refused_p(b, PriorityError::TransactionNotAllowed { chain: CHAIN });
    h.finish();
}

#[test]
fn an_unarmed_chain_migrates_to_gateway_and_may_then_use_interop() {
    let mut h = Harness::new();
    h.request(tokens(1));
    let migrate = |caller, gateway| PriorityAction::MigrateToGateway {
        chain: CHAIN,
        caller,
        gateway,
    };
    h.refused_p(
        migrate(alice(), devnet::GATEWAY),
        PriorityError::NotChainAdmin {
            prev_msg_sender: alice(),
            admin: admin(),
        },
    );
    h.refused_p(
        migrate(admin(), devnet::GATEWAY),
        PriorityError::PriorityQueueNotFullyProcessed { chain: CHAIN },
    );
    h.commit(1, 0);
    h.prove_execute(1);
    h.refused_p(
        migrate(admin(), devnet::GATEWAY),
        PriorityError::DepositsNotPaused { chain: CHAIN },
    );
    let unpause = PriorityAction::UnpauseDeposits {
        chain: CHAIN,
        caller: admin(),
    };
    h.refused_p(
        unpause.clone(),
        PriorityError::DepositsNotPaused { chain: CHAIN },
    );
    let pause = PriorityAction::PauseDepositsBeforeMigration {
        chain: CHAIN,
        caller: admin(),
    };
    h.refused_p(
        PriorityAction::PauseDepositsBeforeMigration {
            chain: CHAIN,
            caller: alice(),
        },
        PriorityError::Unauthorized {
            chain: CHAIN,
            caller: alice(),
        },
    );
    h.p(pause.clone());
    h.refused_p(pause, PriorityError::DepositsAlreadyPaused { chain: CHAIN });
    h.refused_p(
        migrate(admin(), devnet::ERA),
        PriorityError::NotAZKChain {
            settlement_layer: devnet::ERA,
        },
    );
    h.commit(0, 1);
    h.refused_p(
        migrate(admin(), devnet::GATEWAY),
        PriorityError::NotAllBatchesExecuted { chain: CHAIN },
    );
    h.prove_execute(1);
    h.p(migrate(admin(), devnet::GATEWAY));
    assert_eq!(
        h.net.state().chain(CHAIN).unwrap().config.settlement_layer,
        Some(devnet::GATEWAY)
    );
    h.refused_p(
        migrate(admin(), devnet::GATEWAY),
        PriorityError::AlreadyMigrated { chain: CHAIN },
    );
    // Now it settles on Gateway: it may send interop.
    h.ok(Action::Fund {
        chain: CHAIN,
        asset: eth(),
        to: alice(),
        amount: tokens(1),
    });
    h.ok(Action::SendBundle {
        chain: CHAIN,
        sender: alice(),
        destination: crate::address::InteropAddress::chain_only(devnet::ERA).encode(),
        starters: vec![],
        attributes: vec![],
        value: U256::ZERO,
    });
    h.finish();
}

#[test]
fn every_other_entry_point_checks_its_caller_and_its_settlement_layer() {
    let mut h = Harness::new();
    let other = devnet::ETH_CHAIN;
    let other_admin = account("admin-eth-chain");
    let unauthorized = PriorityError::Unauthorized {
        chain: CHAIN,
        caller: alice(),
    };
    h.refused_p(
        PriorityAction::SetPubdataPricingMode {
            chain: CHAIN,
            caller: alice(),
            mode: PubdataPricingMode::Validium,
        },
        unauthorized.clone(),
    );
    h.refused_p(
        PriorityAction::SetTokenMultiplier {
            chain: CHAIN,
            caller: alice(),
            multiplier: TokenMultiplier::ONE,
        },
        unauthorized.clone(),
    );
    h.refused_p(
        PriorityAction::UnpauseDeposits {
            chain: CHAIN,
            caller: alice(),
        },
        unauthorized,
    );
    // A chain settling on Gateway: its L1 contract neither activates, nor becomes a permanent
    // rollup, and the model does not pause its relayed queue.
    h.refused_p(
        PriorityAction::ActivatePriorityMode {
            chain: other,
            caller: bob(),
        },
        PriorityError::NotSettlementLayer { chain: other },
    );
    h.refused_p(
        PriorityAction::MakePermanentRollup {
            chain: other,
            caller: other_admin,
        },
        PriorityError::NotSettlementLayer { chain: other },
    );
    h.refused_p(
        PriorityAction::PauseDepositsBeforeMigration {
            chain: other,
            caller: other_admin,
        },
        PriorityError::GatewayQueueNotModelled { chain: other },
    );
    // Gateway has no ZK chain contract in the model.
    h.refused_p(
        PriorityAction::ActivatePriorityMode {
            chain: devnet::GATEWAY,
            caller: bob(),
        },
        PriorityError::NoDiamond {
            chain: devnet::GATEWAY,
        },
    );
    // The admin may change the pricing mode of an unarmed chain.
    h.p(PriorityAction::SetPubdataPricingMode {
        chain: CHAIN,
        caller: admin(),
        mode: PubdataPricingMode::Validium,
    });
    // Paused deposits reopen.
    h.p(PriorityAction::PauseDepositsBeforeMigration {
        chain: CHAIN,
        caller: admin(),
    });
    h.p(PriorityAction::UnpauseDeposits {
        chain: CHAIN,
        caller: admin(),
    });
    h.request(tokens(1));
    h.finish();
}

#[test]
fn governance_cannot_set_the_priority_mode_filterer_of_a_chain_on_gateway() {
    let mut h = Harness::new();
    let (t, last) = run_zip_but_last(
        &mut h,
        vec![ProposalAction::SetPriorityModeTransactionFilterer {
            chain: devnet::ETH_CHAIN,
            filterer: account("any"),
        }],
    );
    h.advance_to(t);
    h.refused(
        last,
        PriorityError::NotSettlementLayer {
            chain: devnet::ETH_CHAIN,
        },
    );
    h.finish();
}
