//! Event fidelity's Prividiums: their genesis, their admins' setup (users, roles, rules) and
//! each day's bundles, every one submitted through the Prividium's sequencer.

use super::scenario::destination_index;
use crate::scenario::{BaseToken, Validated};
use alloy_primitives::{Address, Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{ChainConfig, ChainKind, INTEROP_CENTER};
use flywheel_protocol::genesis::account;
use flywheel_protocol::interop::bundle::{attr, InteropCallStarter};
use flywheel_protocol::network::Action;
use flywheel_protocol::prividium::permissions::send_bundle_selector;
use flywheel_protocol::prividium::{
    Access, AdminChange, PrividiumAction, PrividiumConfig, PrividiumOp, PrividiumTx, RuleKey,
    RuleKind,
};

/// The chain id of ledger chain `i` in event mode.
fn chain_id(i: usize) -> u64 {
    crate::event_ledger::chain_id(i)
}

/// Institution `j`'s user `u` (event mode).
pub fn user(name: &str, u: u32) -> Address {
    account(&format!("{name}-user-{u}"))
}

/// Event mode: the institutions' chains (ordinary ZK chains on Gateway) and their Prividium
/// configurations.
pub fn genesis_chains(v: &Validated, gateway: u64) -> (Vec<ChainConfig>, Vec<PrividiumConfig>) {
    let s = &v.scenario;
    let n = s.chains.len();
    let mut chains = Vec::new();
    let mut configs = Vec::new();
    for (j, inst) in s.prividium.institutions.iter().enumerate() {
        let id = chain_id(n + j);
        chains.push(ChainConfig {
            id,
            name: inst.name.clone(),
            kind: ChainKind::ZkChain,
            base_token: match inst.base_token {
                BaseToken::Eth => flywheel_protocol::genesis::eth(),
                BaseToken::Zk => flywheel_protocol::genesis::zk(),
            },
            settlement_layer: Some(gateway),
            zk_token_available: true,
            operator: account(&format!("operator-{}", inst.name)),
            admin: account(&format!("admin-{}", inst.name)),
            execution: flywheel_protocol::chain::ExecutionEnvironment::ZksyncOs,
            data_availability: flywheel_protocol::chain::DataAvailability::Validium,
        });
        configs.push(PrividiumConfig {
            chain: id,
            admin: account(&format!("{}-admin", inst.name)),
            filterer_owner: account(&format!("{}-owner", inst.name)),
            l1_asset_router: account("l1-asset-router"),
            disclosure_seed: alloy_primitives::keccak256(format!("flywheel:{}", inst.name)),
        });
    }
    (chains, configs)
}

fn admin(id: u64, name: &str, change: AdminChange) -> Action {
    Action::Prividium(Box::new(PrividiumAction {
        chain: id,
        op: PrividiumOp::Admin {
            caller: account(&format!("{name}-admin")),
            change,
        },
    }))
}

/// Event mode: what each institution's admin sets up — a `trader` role held by every user, a
/// rule letting traders call `sendBundle`, a route to the institution's destination — and
/// what its users need: base token for fees and the InteropCenter's allowance on their ZK.
pub fn setup_actions(v: &Validated) -> Vec<Action> {
    let s = &v.scenario;
    let n = s.chains.len();
    let mut out = Vec::new();
    for (j, inst) in s.prividium.institutions.iter().enumerate() {
        let id = chain_id(n + j);
        let name = inst.name.as_str();
        out.push(admin(
            id,
            name,
            AdminChange::CreateRole {
                role: "trader".into(),
            },
        ));
        out.push(admin(
            id,
            name,
            AdminChange::SetRule {
                key: RuleKey {
                    contract: INTEROP_CENTER,
                    selector: send_bundle_selector(),
                    access: Access::Write,
                },
                rule: Some(RuleKind::CheckRole {
                    roles: vec!["trader".into()],
                }),
            },
        ));
        let dest = destination_index(s, &inst.destination).unwrap_or(n + j);
        out.push(admin(
            id,
            name,
            AdminChange::SetRoute {
                role: "trader".into(),
                destination: chain_id(dest),
                allowed: true,
            },
        ));
        let asset = match inst.base_token {
            BaseToken::Eth => flywheel_protocol::genesis::eth(),
            BaseToken::Zk => flywheel_protocol::genesis::zk(),
        };
        for u in 0..inst.users {
            let who = user(name, u);
            out.push(admin(
                id,
                name,
                AdminChange::RegisterUser {
                    user: who,
                    roles: vec!["trader".into()],
                },
            ));
            out.push(Action::Fund {
                chain: id,
                asset,
                to: who,
                amount: U256::from(10u8).pow(U256::from(40u8)),
            });
            out.push(Action::ZkApprove {
                owner: who,
                spender: INTEROP_CENTER,
                amount: U256::MAX,
            });
        }
    }
    out
}

/// Event mode: institution `j`'s bundles of one flush: each user in turn submits a bundle of
/// up to `per_bundle` calls through the Prividium's sequencer; before that, the market
/// (`market`, the users' aggregate) sells each user the ZK its fixed-fee bundles need.
/// `sizes` lists (calls, fixed) per bundle; `first` is the day's bundle count so far (the
/// rotation continues across flushes).
#[allow(clippy::too_many_arguments)]
pub fn bundle_actions(
    v: &Validated,
    j: usize,
    destination: usize,
    market: Address,
    fixed_fee: U256,
    protocol_fee: U256,
    sizes: &[(u64, bool)],
    first: u64,
) -> Vec<Action> {
    let s = &v.scenario;
    let Some(inst) = s.prividium.institutions.get(j) else {
        return Vec::new();
    };
    let id = chain_id(s.chains.len() + j);
    let users = u64::from(inst.users.max(1));
    let mut zk_needed = vec![U256::ZERO; users as usize];
    let mut submits = Vec::with_capacity(sizes.len());
    for (k, (calls, fixed)) in sizes.iter().enumerate() {
        let u = (first + k as u64) % users;
        let sender = user(&inst.name, u as u32);
        if *fixed {
            zk_needed[u as usize] += fixed_fee * U256::from(*calls);
        }
        let starter = InteropCallStarter {
            to: InteropAddress::address_only(account("interop-sink")).encode(),
            data: Bytes::new(),
            call_attributes: vec![],
        };
        submits.push(Action::Prividium(Box::new(PrividiumAction {
            chain: id,
            op: PrividiumOp::Submit {
                caller: sender,
                tx: PrividiumTx::SendBundle {
                    destination: InteropAddress::chain_only(chain_id(destination)).encode(),
                    starters: vec![starter; *calls as usize],
                    attributes: if *fixed {
                        vec![attr::use_fixed_fee(true)]
                    } else {
                        vec![]
                    },
                    value: if *fixed {
                        U256::ZERO
                    } else {
                        protocol_fee * U256::from(*calls)
                    },
                },
            },
        })));
    }
    let mut out: Vec<Action> = zk_needed
        .into_iter()
        .enumerate()
        .filter(|(_, a)| !a.is_zero())
        .map(|(u, amount)| Action::ZkTransfer {
            from: market,
            to: user(&inst.name, u as u32),
            amount,
        })
        .collect();
    out.extend(submits);
    out
}
