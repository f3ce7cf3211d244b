//! Institutional Prividium chains in the simulator: an optional `[prividium]` section lists
//! institutions, each a Prividium on Gateway that joins on a given day, whose permissioned users
//! send interop traffic to a named chain, a share of it on the fixed ZK fee. Without the section
//! nothing changes: the public chains draw the same random numbers and give the same figures.
//!
//! Both fidelities carry the institutions' traffic: flow mode as aggregates, event mode through
//! each Prividium's sequencer (every bundle admitted and judged against its users' roles and
//! routes, and logged). The [`Book`] attributes the run's calls, fees and burn to the
//! Prividium chains and to the public ones from what the engine decided and what the ledger
//! reported, identically in both fidelities, with integer arithmetic; the two groups always sum
//! to the run's totals.
//!
//! Burn attribution is a **model choice** (the contracts burn pooled ZK, not per-chain ZK):
//! - a settlement-fee sweep's burn goes to the groups in proportion to the settlement fees each
//!   paid into the vault since the previous sweep (the Prividiums' part rounded down, the
//!   public chains' the rest);
//! - a Fee Flow claim buys the whole pool for one price, so its burn goes to the groups in
//!   proportion to the calls whose base-token fees reached the pool since the previous claim
//!   (a chain's calls count when its operator's claim moved fees into the pool).

use crate::agents;
use crate::ledger::{Ledger, Pool, SimError};
use crate::process::{TrafficModel, TrafficPath};
use crate::scenario::{range, BaseToken, FeeModeChoice, Scenario, ScenarioError, Validated};
use alloy_primitives::{Address, Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{ChainConfig, ChainKind, INTEROP_CENTER};
use flywheel_protocol::genesis::account;
use flywheel_protocol::interop::bundle::{attr, InteropCallStarter};
use flywheel_protocol::interop::fees::{self, FeeSchedule};
use flywheel_protocol::network::Action;
use flywheel_protocol::prividium::permissions::send_bundle_selector;
use flywheel_protocol::prividium::{
    Access, AdminChange, PrividiumAction, PrividiumConfig, PrividiumOp, PrividiumTx, RuleKey,
    RuleKind,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Institutions running Prividium chains (none by default: the section is off).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PrividiumSpec {
    /// The institutions, each with its own Prividium chain.
    pub institutions: Vec<InstitutionSpec>,
}

fn default_users() -> u32 {
    10
}

fn default_base() -> BaseToken {
    BaseToken::Eth
}

/// One institution and its Prividium.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstitutionSpec {
    /// Display name (also its chain's name; unique among chains and institutions).
    #[schemars(extend("x-source" = "assumption"))]
    pub name: String,
    /// The Prividium's base token (default ETH).
    #[serde(default = "default_base")]
    #[schemars(extend("x-source" = "assumption"))]
    pub base_token: BaseToken,
    /// Day (from 0) the institution joins; it sends nothing before (never, past the horizon).
    #[schemars(range(min = 0, max = crate::scenario::MAX_DAYS), extend("x-unit" = "day", "x-step" = 1, "x-source" = "assumption"))]
    pub join_day: u32,
    /// Its interop calls per day, counted from its join day.
    pub traffic: TrafficModel,
    /// Share of its calls on the fixed ZK fee (institutions holding ZK); the rest pay the
    /// base-token fee.
    #[schemars(range(min = 0, max = 1), extend("x-unit" = "fraction", "x-step" = 0.05, "x-source" = "assumption"))]
    pub fixed_fee_share: f64,
    /// Where its bundles go: a scenario chain's or another institution's name.
    #[schemars(extend("x-source" = "assumption"))]
    pub destination: String,
    /// Its permissioned users; bundles are sent by each in turn (default 10).
    #[serde(default = "default_users")]
    #[schemars(range(min = 1, max = MAX_USERS), extend("x-unit" = "users", "x-step" = 1, "x-source" = "assumption"))]
    pub users: u32,
}

/// Most permissioned users of an institution.
pub const MAX_USERS: u32 = 1_000;

/// At most this many institutions.
pub const MAX_INSTITUTIONS: usize = 64;

/// Checks the section (dotted keys: `prividium.institutions[i].field`) and that the operators'
/// treasuries, institutions' operators included, fit the genesis supply.
pub fn validate(s: &Scenario, operator_zk: U256, claimer_zk: U256) -> Result<(), ScenarioError> {
    let list = &s.prividium.institutions;
    if list.len() > MAX_INSTITUTIONS {
        return Err(ScenarioError::new(
            "prividium.institutions",
            format!(
                "at most {MAX_INSTITUTIONS} institutions, got {}",
                list.len()
            ),
        ));
    }
    if s.chains.len() + list.len() > MAX_INSTITUTIONS {
        return Err(ScenarioError::new(
            "prividium.institutions",
            format!(
                "at most 64 chains with the institutions', got {} + {}",
                s.chains.len(),
                list.len()
            ),
        ));
    }
    for (i, inst) in list.iter().enumerate() {
        let k = |f: &str| format!("prividium.institutions[{i}].{f}");
        if inst.name.trim().is_empty() {
            return Err(ScenarioError::new(k("name"), "must not be empty"));
        }
        let taken = s.chains.iter().any(|c| c.name == inst.name)
            || list[..i].iter().any(|o| o.name == inst.name);
        if taken {
            return Err(ScenarioError::new(
                k("name"),
                format!(
                    "`{}` is already a chain's or an institution's name",
                    inst.name
                ),
            ));
        }
        // A join day past the horizon is allowed: the institution never joins (so a shorter
        // `--days` keeps a preset valid).
        range(
            &k("join_day"),
            f64::from(inst.join_day),
            0.0,
            f64::from(crate::scenario::MAX_DAYS),
        )?;
        inst.traffic.validate(&k("traffic"))?;
        range(&k("fixed_fee_share"), inst.fixed_fee_share, 0.0, 1.0)?;
        range(
            &k("users"),
            f64::from(inst.users),
            1.0,
            f64::from(MAX_USERS),
        )?;
        if destination_index(s, &inst.destination).is_none() {
            let names: Vec<&str> = s
                .chains
                .iter()
                .map(|c| c.name.as_str())
                .chain(list.iter().map(|o| o.name.as_str()))
                .collect();
            return Err(ScenarioError::new(
                k("destination"),
                format!(
                    "`{}` is not a chain or institution; known: {}",
                    inst.destination,
                    names.join(", ")
                ),
            ));
        }
    }
    let chains = s.chains.len() + list.len();
    let held = operator_zk
        .checked_mul(U256::from(chains))
        .and_then(|v| v.checked_add(claimer_zk))
        .unwrap_or(U256::MAX);
    let supply =
        crate::scenario::amount("protocol.genesis_supply", &s.protocol.genesis_supply, "ZK")?;
    if held > supply {
        return Err(ScenarioError::new(
            "operators.zk_treasury",
            format!(
                "`operators.zk_treasury` for each of {chains} operators plus `claimer.zk_treasury` exceed `protocol.genesis_supply`"
            ),
        ));
    }
    Ok(())
}

/// Loads the CSV traffic sources of the institutions, relative to `base`.
pub fn load_files(s: &mut Scenario, base: &std::path::Path) -> Result<(), ScenarioError> {
    for (i, inst) in s.prividium.institutions.iter_mut().enumerate() {
        inst.traffic
            .load(&format!("prividium.institutions[{i}].traffic"), base)?;
    }
    Ok(())
}

/// The ledger index of a chain or institution by name: public chains first, then
/// institutions.
fn destination_index(s: &Scenario, name: &str) -> Option<usize> {
    s.chains.iter().position(|c| c.name == name).or_else(|| {
        s.prividium
            .institutions
            .iter()
            .position(|o| o.name == name)
            .map(|j| s.chains.len() + j)
    })
}

/// Base tokens of every ledger chain: the scenario's chains, then the institutions'.
pub fn bases(s: &Scenario) -> Vec<BaseToken> {
    s.chains
        .iter()
        .map(|c| c.base_token)
        .chain(s.prividium.institutions.iter().map(|i| i.base_token))
        .collect()
}

/// A group's figures: cumulative, wei for amounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupFigures {
    /// Interop calls sent.
    pub calls: u64,
    /// Of them, on the fixed ZK fee.
    pub fixed_calls: u64,
    /// Bundles sent.
    pub bundles: u64,
    /// Fixed ZK fees paid.
    pub fixed_fees: U256,
    /// Gateway settlement fees paid (ZK).
    pub settlement_fees: U256,
    /// Base-token fees paid by ETH-based chains (ETH wei).
    pub base_fees_eth: U256,
    /// Base-token fees paid by ZK-based chains (bridged-ZK wei).
    pub base_fees_zk: U256,
    /// ZK burn attributed to the group (see the module docs).
    pub burned: U256,
}

/// The Prividiums' figures and those of all chains (the public chains' are the difference).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shares {
    /// Prividium chains.
    pub prividium: GroupFigures,
    /// Every chain, Prividiums included.
    pub all: GroupFigures,
}

impl Shares {
    /// The public chains' figures: all minus the Prividiums'.
    pub fn public(&self) -> GroupFigures {
        let (a, p) = (&self.all, &self.prividium);
        GroupFigures {
            calls: a.calls - p.calls,
            fixed_calls: a.fixed_calls - p.fixed_calls,
            bundles: a.bundles - p.bundles,
            fixed_fees: a.fixed_fees - p.fixed_fees,
            settlement_fees: a.settlement_fees - p.settlement_fees,
            base_fees_eth: a.base_fees_eth - p.base_fees_eth,
            base_fees_zk: a.base_fees_zk - p.base_fees_zk,
            burned: a.burned - p.burned,
        }
    }
}

struct Institution {
    join_day: u32,
    share: f64,
    destination: usize,
    path: TrafficPath,
    rng: ChaCha8Rng,
}

/// The institutions' traffic and the attribution of a path's figures (see the module docs).
pub struct Book {
    public: usize,
    bases: Vec<BaseToken>,
    fees: Vec<U256>,
    pending: Vec<u64>,
    unclaimed_base_calls: Vec<u64>,
    pool_calls: [u64; 2],
    vault_in: [U256; 2],
    institutions: Vec<Institution>,
    shares: Shares,
}

/// The random stream of institution `j` on run `run`: a seed of its own, so the public
/// chains' traffic and prices draw exactly what they draw without institutions.
fn stream(seed: u64, run: u32, j: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7072_6976_6964_6975); // "prividiu"
    rng.set_stream((u64::from(run) << 8) | j as u64);
    rng
}

impl Book {
    /// The book of run `run`.
    pub fn new(v: &Validated, run: u32) -> Self {
        let s = &v.scenario;
        let bases = bases(s);
        let n = bases.len();
        let institutions = s
            .prividium
            .institutions
            .iter()
            .enumerate()
            .map(|(j, inst)| Institution {
                join_day: inst.join_day,
                share: inst.fixed_fee_share,
                destination: destination_index(s, &inst.destination).unwrap_or(s.chains.len() + j),
                path: TrafficPath::new(&inst.traffic),
                rng: stream(s.seed, run, j),
            })
            .collect();
        Self {
            public: s.chains.len(),
            bases,
            fees: vec![U256::ZERO; n],
            pending: vec![0; n],
            unclaimed_base_calls: vec![0; n],
            pool_calls: [0; 2],
            vault_in: [U256::ZERO; 2],
            institutions,
            shares: Shares::default(),
        }
    }

    /// Ledger chains: the public ones, then one per institution.
    pub fn chains(&self) -> usize {
        self.bases.len()
    }

    /// Where chain `i` sends: `public_dest` for a public chain, its destination for an
    /// institution's.
    pub fn destination(&self, i: usize, public_dest: usize) -> usize {
        i.checked_sub(self.public)
            .and_then(|j| self.institutions.get(j))
            .map_or(public_dest, |inst| inst.destination)
    }

    /// The figures so far.
    pub fn shares(&self) -> Shares {
        self.shares
    }

    fn group(&self, i: usize) -> usize {
        usize::from(i >= self.public)
    }

    fn groups(&mut self, i: usize) -> impl Iterator<Item = &mut GroupFigures> {
        let prividium = i >= self.public;
        let Shares { prividium: p, all } = &mut self.shares;
        std::iter::once(all).chain(prividium.then_some(p))
    }

    /// Chain `i`'s operator fee for today (the engine sets public chains').
    pub fn note_fee(&mut self, i: usize, fee: U256) {
        if let Some(f) = self.fees.get_mut(i) {
            *f = fee;
        }
    }

    /// Sets the institutions' operator fees: the same policy as every operator, by base token.
    pub fn set_institution_fees<L: Ledger>(
        &mut self,
        ledger: &mut L,
        eth_fee: U256,
        zk_fee: U256,
    ) -> Result<(), SimError> {
        for i in self.public..self.chains() {
            let fee = match self.bases[i] {
                BaseToken::Eth => eth_fee,
                BaseToken::Zk => zk_fee,
            };
            ledger.set_operator_fee(i, fee)?;
            self.note_fee(i, fee);
        }
        Ok(())
    }

    /// Records `calls` calls sent from chain `i` in `bundles` bundles, `fixed` on the fixed fee
    /// of `fixed_fee` ZK wei per call.
    pub fn sent(&mut self, i: usize, calls: u64, fixed: u64, bundles: u64, fixed_fee: U256) {
        let base_calls = calls - fixed;
        let schedule = FeeSchedule {
            protocol_fee: self.fees.get(i).copied().unwrap_or_default(),
            zk_fee: fixed_fee,
            zk_available: true,
        };
        // invariant: the ledger charged the same products without overflow.
        let zk = fees::interop_fee(&schedule, fixed, true).map_or(U256::ZERO, |f| f.zk);
        let base = fees::interop_fee(&schedule, base_calls, false).map_or(U256::ZERO, |f| f.base);
        let eth_based = self.bases.get(i) == Some(&BaseToken::Eth);
        if let Some(p) = self.pending.get_mut(i) {
            *p += calls;
        }
        if let Some(u) = self.unclaimed_base_calls.get_mut(i) {
            *u += base_calls;
        }
        for g in self.groups(i) {
            g.calls += calls;
            g.fixed_calls += fixed;
            g.bundles += bundles;
            g.fixed_fees += zk;
            if eth_based {
                g.base_fees_eth += base;
            } else {
                g.base_fees_zk += base;
            }
        }
    }

    /// Sends the day's traffic of every institution that has joined; returns (calls, bundles,
    /// fixed calls). Users who cannot afford the fixed fee fall back to the base-token fee, as
    /// on the public chains (`users_zk`: what the market still holds).
    pub fn send_institutions<L: Ledger>(
        &mut self,
        day: u32,
        ledger: &mut L,
        users_zk: &mut U256,
        fixed_fee: U256,
        per_bundle: u32,
    ) -> Result<(u64, u64, u64), SimError> {
        let (mut calls, mut bundles, mut fixed_total) = (0, 0, 0);
        for j in 0..self.institutions.len() {
            let i = self.public + j;
            let inst = &mut self.institutions[j];
            if day < inst.join_day {
                continue;
            }
            let n = inst.path.next(&mut inst.rng);
            let mut fixed = agents::fixed_calls(FeeModeChoice::Dynamic, inst.share, n, 0.0, 0.0);
            if fixed > 0 && !fixed_fee.is_zero() {
                let mut cost = fixed_fee.saturating_mul(U256::from(fixed));
                if cost > *users_zk {
                    fixed = u64::try_from(*users_zk / fixed_fee)
                        .unwrap_or(u64::MAX)
                        .min(fixed);
                    cost = fixed_fee * U256::from(fixed);
                }
                *users_zk -= cost;
            }
            let destination = inst.destination;
            let b = if n > 0 {
                ledger.traffic(i, destination, n, fixed, per_bundle)?
            } else {
                0
            };
            self.sent(i, n, fixed, b, fixed_fee);
            calls += n;
            bundles += b;
            fixed_total += fixed;
        }
        Ok((calls, bundles, fixed_total))
    }

    /// Chain `i`'s settlement succeeded (`ok`) or failed at a fee of `fee` ZK wei per call.
    pub fn settled(&mut self, i: usize, ok: bool, fee: U256) {
        if !ok {
            return;
        }
        let calls = self.pending.get_mut(i).map_or(0, std::mem::take);
        // invariant: the ledger computed the same product.
        let paid = fees::settlement_fee(fee, calls).unwrap_or_default();
        self.vault_in[self.group(i)] += paid;
        for g in self.groups(i) {
            g.settlement_fees += paid;
        }
    }

    /// Chain `i`'s operator claimed; `before`/`after` are the Fee Flow pool around the claim.
    pub fn claimed(&mut self, i: usize, before: Pool, after: Pool) {
        let calls = self
            .unclaimed_base_calls
            .get_mut(i)
            .map_or(0, std::mem::take);
        if after != before {
            self.pool_calls[self.group(i)] += calls;
        }
    }

    fn attribute(&mut self, burned: U256, prividium_part: U256) {
        self.shares.all.burned += burned;
        self.shares.prividium.burned += prividium_part.min(burned);
    }

    /// A settlement-fee sweep burned `burned`.
    pub fn swept(&mut self, burned: U256) {
        let [public, prividium] = std::mem::take(&mut self.vault_in);
        let total = public + prividium;
        let part = if total.is_zero() {
            U256::ZERO
        } else {
            burned * prividium / total
        };
        self.attribute(burned, part);
    }

    /// A Fee Flow claim burned `burned`.
    pub fn auctioned(&mut self, burned: U256) {
        let [public, prividium] = std::mem::take(&mut self.pool_calls);
        let part = flywheel_protocol::units::mul_div_floor(burned, prividium, public + prividium)
            .unwrap_or_default();
        self.attribute(burned, part);
    }
}

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

/// Every figure's name, the Prividiums' value, the public chains' and the total, for reports.
pub fn rows(s: &Shares) -> Vec<(&'static str, U256, U256, U256)> {
    let (p, q, a) = (s.prividium, s.public(), s.all);
    vec![
        (
            "calls",
            U256::from(p.calls),
            U256::from(q.calls),
            U256::from(a.calls),
        ),
        (
            "fixed-fee calls",
            U256::from(p.fixed_calls),
            U256::from(q.fixed_calls),
            U256::from(a.fixed_calls),
        ),
        (
            "bundles",
            U256::from(p.bundles),
            U256::from(q.bundles),
            U256::from(a.bundles),
        ),
        ("fixed ZK fees", p.fixed_fees, q.fixed_fees, a.fixed_fees),
        (
            "settlement fees",
            p.settlement_fees,
            q.settlement_fees,
            a.settlement_fees,
        ),
        (
            "ZK fees",
            p.fixed_fees + p.settlement_fees,
            q.fixed_fees + q.settlement_fees,
            a.fixed_fees + a.settlement_fees,
        ),
        (
            "ETH fees",
            p.base_fees_eth,
            q.base_fees_eth,
            a.base_fees_eth,
        ),
        (
            "bridged-ZK fees",
            p.base_fees_zk,
            q.base_fees_zk,
            a.base_fees_zk,
        ),
        ("ZK burned", p.burned, q.burned, a.burned),
    ]
}

/// `part / total` in basis points, rounded down (0 when the total is 0).
pub fn share_bps(part: U256, total: U256) -> u64 {
    if total.is_zero() {
        return 0;
    }
    u64::try_from(part * U256::from(10_000u64) / total).unwrap_or(10_000)
}

/// The run whose reported figures stand for the runs: the nearest-rank median of total burn
/// (the earliest run on ties), so all its figures come from one run and add up.
pub fn representative(
    runs: &[crate::monte_carlo::RunTotals],
) -> Option<&crate::monte_carlo::RunTotals> {
    crate::summary::median_run(runs)
}

/// The summary's `prividium` object, when the scenario has institutions.
pub fn summary(v: &Validated, runs: &[crate::monte_carlo::RunTotals]) -> Option<serde_json::Value> {
    if v.scenario.prividium.institutions.is_empty() {
        return None;
    }
    let r = representative(runs)?;
    let mut figures = serde_json::Map::new();
    for (name, p, q, a) in rows(&r.prividium) {
        figures.insert(
            name.to_lowercase().replace([' ', '-'], "_"),
            serde_json::json!({
                "prividium": p.to_string(),
                "public": q.to_string(),
                "total": a.to_string(),
                "prividium_share_bps": share_bps(p, a),
            }),
        );
    }
    let names: Vec<&str> = v
        .scenario
        .prividium
        .institutions
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    Some(serde_json::json!({
        "institutions": names,
        "run": r.run,
        "figures": figures,
    }))
}
