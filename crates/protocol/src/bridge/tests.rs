use super::*;
use crate::genesis::devnet::{ERA, ETH_CHAIN, GATEWAY, L1, ZK_CHAIN};
use crate::genesis::{self, Genesis};
use crate::network::{Action, Network};
use crate::settlement::{build_proof, L2Message};
use proptest::prelude::*;

const GWEI: u64 = 1_000_000_000;

fn alice() -> Address {
    genesis::account("alice")
}

fn bob() -> Address {
    genesis::account("bob")
}

fn eth() -> AssetId {
    genesis::eth()
}

fn vault() -> Address {
    addresses::l1_native_token_vault()
}

fn wei(n: u64) -> U256 {
    U256::from(n) * U256::from(GWEI)
}

/// The devnet network with alice funded on L1 and the L2s' genesis supply backed.
fn network() -> Network {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    net.apply(Action::Fund {
        chain: L1,
        asset: eth(),
        to: alice(),
        amount: wei(1_000_000),
    })
    .unwrap();
    net
}

fn bal(net: &Network, chain: ChainId, who: Address) -> U256 {
    net.state().chain(chain).unwrap().balance(eth(), who)
}

fn cost(net: &Network, chain: ChainId) -> U256 {
    mailbox::base_cost(
        net.state(),
        chain,
        U256::from(GWEI),
        U256::from(300_000u64),
        U256::from(800u64),
    )
    .unwrap()
    .1
}

fn deposit_action(net: &Network, chain: ChainId, value: U256, msg_value: Option<U256>) -> Action {
    // Every chain starts with the same fee parameters: Era's base cost prices them all.
    let mint = value + cost(net, ERA);
    Action::L1Bridge(BridgeAction::RequestDirect {
        sender: alice(),
        msg_value: msg_value.unwrap_or(mint),
        request: DirectRequest {
            chain,
            mint_value: mint,
            l2_contract: bob(),
            l2_value: value,
            l2_calldata: Bytes::new(),
            l2_gas_limit: U256::from(300_000u64),
            gas_per_pubdata: U256::from(800u64),
            refund_recipient: Address::ZERO,
        },
        l1_gas_price: U256::from(GWEI),
    })
}

fn requested(evs: &[crate::event::Event]) -> Deposit {
    evs.iter()
        .find_map(|e| match e {
            crate::event::Event::Bridge(BridgeEvent::DepositRequested { deposit }) => {
                Some(deposit.clone())
            }
            _ => None,
        })
        .unwrap()
}

#[test]
fn a_deposit_locks_its_mint_value_on_l1_and_mints_it_on_l2_when_executed_in_order() {
    let mut net = network();
    let before = bal(&net, L1, alice());
    let a = deposit_action(&net, ERA, wei(5), None);
    let first = requested(&net.apply(a).unwrap());
    let a = deposit_action(&net, ERA, wei(7), None);
    let second = requested(&net.apply(a).unwrap());
    let locked = first.mint_value + second.mint_value;
    assert_eq!(bal(&net, L1, alice()), before - locked);
    assert_eq!(bal(&net, L1, vault()), locked);
    assert_eq!(net.state().bridge.chain_balance(ERA, eth()), locked);
    assert_eq!(
        (first.id, second.id),
        (0, 1),
        "txIds follow the chain's queue"
    );
    assert_eq!(first.hash, first.canonical_hash());
    assert_ne!(first.hash, second.hash);
    // Nothing is minted on L2 before the sequencer executes the request.
    assert_eq!(bal(&net, ERA, bob()), U256::ZERO);
    let op = net.state().chain(ERA).unwrap().config.operator;
    let op_before = bal(&net, ERA, op);
    net.apply(Action::L1Bridge(BridgeAction::ExecuteDeposit {
        chain: ERA,
    }))
    .unwrap();
    assert_eq!(bal(&net, ERA, bob()), wei(5), "the oldest request first");
    assert_eq!(
        bal(&net, ERA, op) - op_before,
        first.mint_value - wei(5),
        "the fee (the whole base cost) goes to the operator"
    );
    net.apply(Action::L1Bridge(BridgeAction::ExecuteDeposit {
        chain: ERA,
    }))
    .unwrap();
    assert_eq!(bal(&net, ERA, bob()), wei(12));
    let err = net
        .apply(Action::L1Bridge(BridgeAction::ExecuteDeposit {
            chain: ERA,
        }))
        .unwrap_err();
    assert!(
        matches!(err, ProtocolError::Bridge(b) if matches!(*b, BridgeError::NoPendingRequest { .. }))
    );
}

#[test]
fn refused_requests_change_nothing() {
    let mut net = network();
    let state = net.state().clone();
    let mint = wei(5) + cost(&net, ERA);
    let cases = [
        (
            deposit_action(&net, ERA, wei(5), Some(mint - U256::from(1u8))),
            "MsgValueMismatch",
        ),
        (
            deposit_action(&net, ZK_CHAIN, wei(5), Some(U256::ZERO)),
            "BaseTokenNotOnL1",
        ),
        (
            deposit_action(&net, GATEWAY, wei(5), None),
            "ChainNotRegistered",
        ),
        (
            Action::L1Bridge(BridgeAction::RequestDirect {
                sender: bob(),
                msg_value: mint,
                request: DirectRequest {
                    chain: ETH_CHAIN,
                    mint_value: mint,
                    l2_contract: bob(),
                    l2_value: wei(5),
                    l2_calldata: Bytes::new(),
                    l2_gas_limit: U256::from(300_000u64),
                    gas_per_pubdata: U256::from(800u64),
                    refund_recipient: Address::ZERO,
                },
                l1_gas_price: U256::from(GWEI),
            }),
            "InsufficientBalance",
        ),
    ];
    for (action, name) in cases {
        let err = net.apply(action).unwrap_err();
        assert!(format!("{err:?}").contains(name), "{name}: {err:?}");
        assert_eq!(net.state(), &state, "{name} changed the state");
    }
    // A mint value below the base cost.
    let mut short = deposit_action(&net, ERA, U256::ZERO, None);
    if let Action::L1Bridge(BridgeAction::RequestDirect {
        msg_value, request, ..
    }) = &mut short
    {
        request.mint_value -= U256::from(1u8);
        *msg_value = request.mint_value;
    }
    let err = net.apply(short).unwrap_err();
    assert!(format!("{err:?}").contains("MsgValueTooLow"), "{err:?}");
    assert_eq!(net.state(), &state);
}

/// Alice deposits to herself on Era, withdraws `amount` to bob on L1, and the batches settle
/// (Era, then Gateway on L1). Returns the finalization parameters.
fn withdrawn(net: &mut Network, amount: U256) -> FinalizeParams {
    let a = deposit_action(net, ERA, amount, None);
    net.apply(a).unwrap();
    net.apply(Action::L1Bridge(BridgeAction::ExecuteDeposit {
        chain: ERA,
    }))
    .unwrap();
    let evs = net
        .apply(Action::L1Bridge(BridgeAction::WithdrawBase {
            chain: ERA,
            sender: bob(),
            l1_receiver: alice(),
            amount,
        }))
        .unwrap();
    let (location, message) = evs
        .iter()
        .find_map(|e| match e {
            crate::event::Event::Bridge(BridgeEvent::WithdrawalInitiated {
                location,
                message,
                ..
            }) => Some((*location, message.clone())),
            _ => None,
        })
        .unwrap();
    net.apply(Action::SettleBatch { chain: ERA }).unwrap();
    net.apply(Action::SettleBatch { chain: GATEWAY }).unwrap();
    let state = net.state();
    let proof = build_proof(
        &state.chains,
        ERA,
        location.batch,
        u64::from(location.index),
        L2Message {
            tx_number_in_batch: location.tx_number,
            sender: base_token::L2_BASE_TOKEN,
            data: message.clone(),
        },
        state.chain(L1).unwrap(),
    )
    .unwrap();
    FinalizeParams {
        chain: ERA,
        batch: location.batch,
        index: u64::from(location.index),
        l2_sender: base_token::L2_BASE_TOKEN,
        tx_number: location.tx_number,
        message,
        proof: proof.proof,
    }
}

fn finalize(params: FinalizeParams) -> Action {
    Action::L1Bridge(BridgeAction::FinalizeWithdrawal {
        caller: bob(),
        params,
    })
}

#[test]
fn a_withdrawal_is_released_on_l1_once_its_batch_settles_and_only_once() {
    let mut net = network();
    let params = withdrawn(&mut net, wei(3));
    assert_eq!(bal(&net, ERA, bob()), U256::ZERO, "burned on L2");
    let alice_l1 = bal(&net, L1, alice());
    let locked = bal(&net, L1, vault());
    net.apply(finalize(params.clone())).unwrap();
    assert_eq!(bal(&net, L1, alice()), alice_l1 + wei(3));
    assert_eq!(bal(&net, L1, vault()), locked - wei(3));
    assert!(net
        .state()
        .bridge
        .is_withdrawal_finalized(ERA, params.batch, params.index));
    let state = net.state().clone();
    let err = net.apply(finalize(params)).unwrap_err();
    assert!(
        format!("{err:?}").contains("WithdrawalAlreadyFinalized"),
        "{err:?}"
    );
    assert_eq!(net.state(), &state);
}

#[test]
fn a_finalization_with_a_wrong_message_sender_or_proof_is_refused() {
    let mut net = network();
    let params = withdrawn(&mut net, wei(3));
    let state = net.state().clone();
    let mut more = params.clone();
    more.message = base_token::withdrawal_message(alice(), wei(4));
    let mut sender = params.clone();
    sender.l2_sender = crate::chain::NATIVE_TOKEN_VAULT;
    let mut proof = params.clone();
    proof.proof[1] = B256::repeat_byte(7);
    let mut short = params.clone();
    short.message.truncate(55);
    let mut selector = params;
    selector.message = Bytes::from(vec![0u8; 56]);
    for (p, name) in [
        (more, "InvalidProof"),
        (sender, "WrongL2Sender"),
        (proof, "InvalidProof"),
        (short, "L2WithdrawalMessageWrongLength"),
        (selector, "InvalidSelector"),
    ] {
        let err = net.apply(finalize(p)).unwrap_err();
        assert!(format!("{err:?}").contains(name), "{name}: {err:?}");
        assert_eq!(net.state(), &state, "{name} changed the state");
    }
}

#[test]
fn an_unsettled_withdrawal_cannot_be_finalized() {
    let mut net = network();
    let a = deposit_action(&net, ERA, wei(2), None);
    net.apply(a).unwrap();
    net.apply(Action::L1Bridge(BridgeAction::ExecuteDeposit {
        chain: ERA,
    }))
    .unwrap();
    net.apply(Action::L1Bridge(BridgeAction::WithdrawBase {
        chain: ERA,
        sender: bob(),
        l1_receiver: alice(),
        amount: wei(2),
    }))
    .unwrap();
    let err = net
        .apply(finalize(FinalizeParams {
            chain: ERA,
            batch: 1,
            index: 0,
            l2_sender: base_token::L2_BASE_TOKEN,
            tx_number: 0,
            message: base_token::withdrawal_message(alice(), wei(2)),
            proof: vec![B256::ZERO; 16],
        }))
        .unwrap_err();
    assert!(format!("{err:?}").contains("InvalidProof"), "{err:?}");
}

#[test]
fn genesis_backing_locks_what_the_chain_holds_once() {
    let mut net = network();
    net.apply(Action::Fund {
        chain: ERA,
        asset: eth(),
        to: bob(),
        amount: wei(9),
    })
    .unwrap();
    for _ in 0..2 {
        net.apply(Action::L1Bridge(BridgeAction::BackGenesisSupply {
            chain: ERA,
        }))
        .unwrap();
    }
    let held = net
        .state()
        .chain(ERA)
        .unwrap()
        .balances
        .iter()
        .filter(|((a, _), _)| *a == eth())
        .fold(U256::ZERO, |s, (_, v)| s + *v);
    assert_eq!(net.state().bridge.chain_balance(ERA, eth()), held);
    assert_eq!(bal(&net, L1, vault()), held);
}

/// Per asset: everything held outside the L1 vault, on L1 and every L2, plus what is between
/// the chains (queued deposits, unfinalized withdrawals). The vault's balance is what backs
/// the L2s' bridged supply, so it is not counted again.
fn outside_vault(net: &Network) -> U256 {
    let s = net.state();
    s.total_balance(eth()) - bal(net, L1, vault()) + s.bridge.in_transit(eth())
}

#[derive(Debug, Clone)]
enum Op {
    Deposit {
        chain_zk: bool,
        value: u64,
        underpay: bool,
    },
    Execute,
    Withdraw {
        amount: u64,
    },
    Settle,
    Finalize {
        which: usize,
        tamper: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<bool>(), 0u64..5_000_000, prop::bool::weighted(0.2)).prop_map(
            |(chain_zk, value, underpay)| Op::Deposit {
                chain_zk,
                value,
                underpay
            }
        ),
        Just(Op::Execute),
        (0u64..9_000_000).prop_map(|amount| Op::Withdraw { amount }),
        Just(Op::Settle),
        (0usize..8, prop::bool::weighted(0.2))
            .prop_map(|(which, tamper)| Op::Finalize { which, tamper }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Over random deposits, executions, withdrawals, settlements and finalizations (some
    /// refused), the value of ETH outside the vault is constant, the vault holds exactly
    /// what it holds for each chain, and a refused action changes nothing.
    #[test]
    fn value_is_conserved_across_l1_and_the_l2s(ops in prop::collection::vec(op(), 1..40)) {
        let mut net = network();
        net.apply(Action::L1Bridge(BridgeAction::BackGenesisSupply { chain: ERA })).unwrap();
        let total = outside_vault(&net);
        let mut pending: Vec<(u16, u32, u64, Bytes)> = Vec::new();
        let mut finalizable: Vec<FinalizeParams> = Vec::new();
        for op in ops {
            let before = net.state().clone();
            let action = match op {
                Op::Deposit { chain_zk, value, underpay } => {
                    let chain = if chain_zk { ZK_CHAIN } else { ERA };
                    let mut a = deposit_action(&net, chain, wei(value) / U256::from(1000u16), None);
                    if let Action::L1Bridge(BridgeAction::RequestDirect { msg_value, .. }) = &mut a {
                        if underpay { *msg_value -= U256::from(1u8); }
                    }
                    a
                }
                Op::Execute => Action::L1Bridge(BridgeAction::ExecuteDeposit { chain: ERA }),
                Op::Withdraw { amount } => Action::L1Bridge(BridgeAction::WithdrawBase {
                    chain: ERA,
                    sender: bob(),
                    l1_receiver: alice(),
                    amount: wei(amount) / U256::from(1000u16),
                }),
                Op::Settle => Action::Batch(vec![
                    Action::SettleBatch { chain: ERA },
                    Action::SettleBatch { chain: GATEWAY },
                ]),
                Op::Finalize { which, tamper } => {
                    let Some(p) = finalizable.get(which % finalizable.len().max(1)).cloned() else { continue };
                    let mut p = p;
                    if tamper { p.message = base_token::withdrawal_message(bob(), U256::from(1u8)); }
                    finalize(p)
                }
            };
            let settle = matches!(action, Action::Batch(_));
            match net.apply(action) {
                Ok(evs) => {
                    for e in &evs {
                        if let crate::event::Event::Bridge(BridgeEvent::WithdrawalInitiated { location, message, .. }) = e {
                            pending.push((location.tx_number, location.index, location.batch, message.clone()));
                        }
                    }
                }
                Err(_) => prop_assert_eq!(net.state(), &before, "a refused action changed the state"),
            }
            if settle {
                let state = net.state();
                pending.retain(|(tx, index, batch, message)| {
                    let proof = build_proof(&state.chains, ERA, *batch, u64::from(*index), L2Message {
                        tx_number_in_batch: *tx,
                        sender: base_token::L2_BASE_TOKEN,
                        data: message.clone(),
                    }, state.chain(L1).unwrap());
                    match proof {
                        Ok(p) => {
                            finalizable.push(FinalizeParams {
                                chain: ERA, batch: *batch, index: u64::from(*index),
                                l2_sender: base_token::L2_BASE_TOKEN, tx_number: *tx,
                                message: message.clone(), proof: p.proof,
                            });
                            false
                        }
                        Err(_) => true,
                    }
                });
            }
            prop_assert_eq!(outside_vault(&net), total);
            let s = net.state();
            let held: U256 = s.bridge.chain_balance.values().fold(U256::ZERO, |a, v| a + *v);
            prop_assert_eq!(bal(&net, L1, vault()), held, "the vault holds what it holds for the chains");
            let issued = s.issued.get(&eth()).copied().unwrap_or_default();
            prop_assert_eq!(s.total_balance(eth()) + s.in_flight.get(&eth()).copied().unwrap_or_default(), issued);
        }
    }
}
