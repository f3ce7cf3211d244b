//! Event fidelity: every bundle is built, ABI-encoded, hashed, published as an L2→L1 log,
//! settled through Gateway, proven against an imported root and executed on the protocol's
//! `Network` — the same code the CLI demos and tests drive.

use crate::ledger::{revenue_share, splitter_for, Ledger, Pool, SimError, Totals};
use crate::scenario::{BaseToken, Validated, ValidatedChange};
use alloy_primitives::{Address, Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{
    AssetInfo, ChainConfig, ChainKind, ETH_TOKEN_ADDRESS, INTEROP_CENTER,
};
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::fee_flow::{
    fee_flow_address, settlement_fee_vault, splitter_address, ClaimRequest,
};
use flywheel_protocol::genesis::{account, eth, zk, zk_asset, FeeParams, Genesis, Retention};
use flywheel_protocol::governance::GovernanceConfig;
use flywheel_protocol::interop::bundle::{attr, InteropCallStarter, SealedBundle};
use flywheel_protocol::merkle::L2_TO_L1_LOGS_TREE_LEAVES;
use flywheel_protocol::network::{Action, Network};
use flywheel_protocol::relayer;
use flywheel_protocol::staking::StakerConfig;
use rayon::prelude::*;

const DAY: u64 = 86_400;

/// The network's clock at genesis (both fidelities count the Stage 1 chain's times from it).
pub const START_TIME: u64 = 1_780_000_000;

/// The capped minter of the scenario's staking season `i`.
pub fn season_minter(i: usize) -> Address {
    account(&format!("sim-staking-season-{i}"))
}

/// Where the revenue sent towards Fee Flow waits on the Fee Flow chain until it arrives in the
/// pool over the day (see `engine::fee_flow_day`).
pub fn revenue_in_transit() -> Address {
    account("sim-fee-flow-revenue")
}

/// Chain id of the simulated L1.
pub const L1_ID: u64 = 1;
/// Chain id of the simulated Gateway.
pub const GATEWAY_ID: u64 = 9075;
/// Chain id of the scenario's chain `i`.
pub fn chain_id(i: usize) -> u64 {
    300 + i as u64
}

fn protocol_err(what: &str) -> impl Fn(ProtocolError) -> SimError + '_ {
    move |e| SimError::Protocol {
        what: what.to_string(),
        reason: e.to_string(),
    }
}

/// A path on the full protocol model.
pub struct EventLedger {
    net: Network,
    users: Address,
    sink: Address,
    claimer: Address,
    governance: Address,
    /// Fee Flow's and the Splitter's admin (a passed TPP acts as it).
    timelock: Address,
    /// The `fee_flow_revenue_share_bps` lever, currently.
    revenue_share_bps: u16,
    pending: Vec<Vec<SealedBundle>>,
    failed_settlements: u64,
    buy_zk: bool,
    season_minted: U256,
    /// Days advanced since genesis: each day starts at `START_TIME + day × DAY`, whatever the
    /// Stage 1 chain did within the previous one.
    day: u32,
    priority: Option<(
        crate::priority_mode::PriorityAgent,
        crate::priority_mode::EventPriorityPlan,
    )>,
    /// Ledger chains before the institutions' (the engine's lone-chain destination is this
    /// index).
    public: usize,
    /// The scenario (the institutions' users and routes).
    scenario: Validated,
}

/// The protocol genesis a scenario describes: L1, Gateway, and the scenario's chains on
/// Gateway; operators, claimer and users share the genesis supply.
pub fn genesis(v: &Validated) -> Genesis {
    let s = &v.scenario;
    let mut chains = vec![
        ChainConfig {
            id: L1_ID,
            name: "ethereum".into(),
            kind: ChainKind::L1,
            base_token: eth(),
            settlement_layer: None,
            zk_token_available: false,
            operator: account("operator-ethereum"),
            admin: account("admin-ethereum"),
            execution: Default::default(),
            data_availability: Default::default(),
        },
        ChainConfig {
            id: GATEWAY_ID,
            name: "gateway".into(),
            kind: ChainKind::Gateway,
            base_token: zk(),
            settlement_layer: Some(L1_ID),
            zk_token_available: true,
            operator: account("operator-gateway"),
            admin: account("admin-gateway"),
            execution: Default::default(),
            data_availability: Default::default(),
        },
    ];
    let mut allocations = Vec::new();
    for (i, c) in s.chains.iter().enumerate() {
        let operator = account(&format!("operator-{}", c.name));
        chains.push(ChainConfig {
            id: chain_id(i),
            name: c.name.clone(),
            kind: ChainKind::ZkChain,
            base_token: match c.base_token {
                BaseToken::Eth => eth(),
                BaseToken::Zk => zk(),
            },
            settlement_layer: Some(GATEWAY_ID),
            zk_token_available: true,
            operator,
            admin: account(&format!("admin-{}", c.name)),
            execution: Default::default(),
            data_availability: Default::default(),
        });
        allocations.push((operator, v.operator_zk));
    }
    if let Some(p) = &v.priority_mode {
        chains.push(crate::priority_mode::chain_config(p, L1_ID));
    }
    let (institutions, prividiums) = crate::prividium::genesis_chains(v, GATEWAY_ID);
    for c in institutions {
        allocations.push((c.operator, v.operator_zk));
        chains.push(c);
    }
    // Every operator funded so far holds the operators' treasury.
    let held = v.operator_zk * U256::from(allocations.len()) + v.claimer_zk;
    allocations.push((account("claimer"), v.claimer_zk));
    allocations.push((account("users"), v.genesis_supply - held));
    let mut fees = FeeParams::launch(
        account("governance"),
        account("token-governor-timelock"),
        account("emergency-admin"),
        chain_id(0),
    );
    fees.gateway_settlement_fee = v.gateway_settlement_fee;
    fees.bid_threshold = v.fee_flow_threshold;
    fees.min_bid_threshold = v.fee_flow_min_threshold;
    (fees.burn_bps, fees.distributors) = splitter_for(s.protocol.burn_bps);
    Genesis {
        start_time: START_TIME,
        zk_interop_fee: v.fixed_interop_fee,
        token_admin: account("token-admin"),
        assets: vec![
            AssetInfo {
                symbol: "ETH".into(),
                origin_chain: L1_ID,
                token: ETH_TOKEN_ADDRESS,
            },
            zk_asset(),
        ],
        chains,
        zk_allocations: allocations,
        fees,
        staking: StakerConfig::zk_staker(account("tally-safe"), account("score-oracle")),
        governance: GovernanceConfig::zk_nation(account("security-council"), account("guardians")),
        prividiums,
        // A year of bundles keeps only their statuses (BENCHMARKS.md).
        retention: Retention::Compact,
    }
}

impl EventLedger {
    /// Builds the network and the standing approvals every agent needs.
    pub fn new(v: &Validated) -> Result<Self, SimError> {
        let g = genesis(v);
        let mut net = Network::new(&g).map_err(protocol_err("genesis"))?;
        let users = account("users");
        let claimer = account("claimer");
        let mut setup = vec![
            Action::ZkApprove {
                owner: users,
                spender: INTEROP_CENTER,
                amount: U256::MAX,
            },
            Action::ZkApprove {
                owner: claimer,
                spender: fee_flow_address(),
                amount: U256::MAX,
            },
        ];
        let institutions = v.scenario.prividium.institutions.iter();
        let names = v.scenario.chains.iter().map(|c| &c.name);
        for (i, (name, base)) in names
            .chain(institutions.map(|c| &c.name))
            .zip(crate::prividium::bases(&v.scenario))
            .enumerate()
        {
            let id = chain_id(i);
            let asset = match base {
                BaseToken::Eth => eth(),
                BaseToken::Zk => zk(),
            };
            setup.push(Action::Fund {
                chain: id,
                asset,
                to: users,
                amount: U256::from(10u8).pow(U256::from(40u8)),
            });
            let operator = account(&format!("operator-{name}"));
            setup.push(Action::SetSettlementFeePayerAgreement {
                chain: id,
                payer: operator,
                agreed: true,
            });
            setup.push(Action::ZkApprove {
                owner: operator,
                spender: settlement_fee_vault(),
                amount: U256::MAX,
            });
        }
        if v.scenario.staking.enabled {
            // What a season's TPP does: deploy the capped minter (its admin: the token's role
            // admin), grant it the token's MINTER_ROLE, and grant its MINTER_ROLE to the reward
            // script's signer. Its window covers days [start, start + days): the expiry is
            // inclusive.
            let t0 = net.state().time;
            let admin = g.token_admin;
            for (i, (cap, start_day, days)) in v.seasons.iter().enumerate() {
                let start = t0 + u64::from(*start_day) * DAY;
                let minter = season_minter(i);
                setup.push(Action::CreateMinter {
                    minter,
                    admin,
                    cap: *cap,
                    start,
                    expiry: start + u64::from(*days) * DAY - 1,
                });
                setup.push(Action::ZkGrantRole {
                    caller: admin,
                    role: flywheel_protocol::token::Role::Minter,
                    account: minter,
                });
                setup.push(Action::MinterGrantRole {
                    caller: admin,
                    minter,
                    role: flywheel_protocol::token::MinterRole::Minter,
                    account: crate::reward_script_signer(),
                });
            }
        }
        let mut priority = v.priority_mode.as_ref().map(|p| {
            let plan = crate::priority_mode::EventPriorityPlan::new(p.clone(), users, chain_id(0));
            setup.extend(plan.setup_actions(L1_ID));
            (
                crate::priority_mode::PriorityAgent::new(p.clone(), START_TIME),
                plan,
            )
        });
        setup.extend(crate::prividium::setup_actions(v));
        for a in setup {
            net.apply(a).map_err(protocol_err("setup"))?;
        }
        if let Some((agent, plan)) = &mut priority {
            agent.setup(&mut crate::priority_mode::EventPriority {
                net: &mut net,
                plan,
            })?;
        }
        Ok(Self {
            day: 0,
            priority,
            net,
            users,
            sink: account("interop-sink"),
            claimer,
            governance: account("governance"),
            timelock: account("token-governor-timelock"),
            revenue_share_bps: v.scenario.protocol.fee_flow_revenue_share_bps,
            pending: vec![Vec::new(); crate::prividium::bases(&v.scenario).len()],
            public: v.scenario.chains.len(),
            scenario: v.clone(),
            failed_settlements: 0,
            buy_zk: v.scenario.operators.buy_zk,
            season_minted: U256::ZERO,
        })
    }

    /// The network (for inspection).
    pub fn network(&self) -> &Network {
        &self.net
    }

    fn chain(&self, i: usize) -> Result<&flywheel_protocol::chain::Chain, SimError> {
        self.net
            .state()
            .chain(chain_id(i))
            .map_err(protocol_err("lookup"))
    }

    /// A full batch must settle before more bundles fit: the operator buys any ZK it lacks
    /// first when the scenario lets operators buy (the same rule the engine applies daily, so
    /// the total bought is the same as in flow mode).
    fn settle_full_batch(&mut self, chain: usize, destination: usize) -> Result<bool, SimError> {
        let buy = self.buy_zk;
        self.settle_buying(chain, destination, buy)
    }

    /// The `SendBundle` action for one bundle of `calls` calls from the users.
    fn send_action(
        &self,
        chain: usize,
        destination: usize,
        calls: u64,
        fixed: bool,
    ) -> Result<Action, SimError> {
        let fee = self.chain(chain)?.interop_protocol_fee;
        let starter = InteropCallStarter {
            to: InteropAddress::address_only(self.sink).encode(),
            data: Bytes::new(),
            call_attributes: vec![],
        };
        Ok(Action::SendBundle {
            chain: chain_id(chain),
            sender: self.users,
            destination: InteropAddress::chain_only(dest_id(chain, destination, self.public))
                .encode(),
            starters: vec![starter; calls as usize],
            attributes: if fixed {
                vec![attr::use_fixed_fee(true)]
            } else {
                vec![]
            },
            value: if fixed {
                U256::ZERO
            } else {
                fee * U256::from(calls)
            },
        })
    }

    /// An institution's calls: its users submit the bundles through its Prividium's sequencer
    /// (built by `crate::prividium::bundle_actions`), every one of which must be admitted.
    fn institution_traffic(
        &mut self,
        chain: usize,
        destination: usize,
        calls: u64,
        fixed: u64,
        per_bundle: u32,
    ) -> Result<u64, SimError> {
        let per = u64::from(per_bundle);
        let mut sizes = Vec::new();
        for (mut left, is_fixed) in [(fixed, true), (calls - fixed, false)] {
            while left > 0 {
                let n = left.min(per);
                sizes.push((n, is_fixed));
                left -= n;
            }
        }
        // One log slot of every Prividium batch is kept for its transaction commitment.
        let room = L2_TO_L1_LOGS_TREE_LEAVES - 1;
        let mut done = 0usize;
        while done < sizes.len() {
            if self.chain(chain)?.pending_logs.len() >= room
                && !self.settle_full_batch(chain, destination)?
            {
                return Err(SimError::Protocol {
                    what: format!("chain {} batch is full", chain_id(chain)),
                    reason: "its operator cannot pay the settlement fee".into(),
                });
            }
            let c = self.chain(chain)?;
            let take = (room - c.pending_logs.len()).min(sizes.len() - done);
            let actions = crate::prividium::bundle_actions(
                &self.scenario,
                chain - self.public,
                destination,
                self.users,
                c.zk_interop_fee,
                c.interop_protocol_fee,
                &sizes[done..done + take],
                done as u64,
            );
            let events = self
                .net
                .apply(Action::Batch(actions))
                .map_err(protocol_err("institution bundles"))?;
            let sent = relayer::sent_bundles(&events);
            if sent.len() != take {
                return Err(SimError::Protocol {
                    what: format!("chain {} institution bundles", chain_id(chain)),
                    reason: format!("{} of {take} were admitted", sent.len()),
                });
            }
            self.pending[chain].extend(sent);
            done += take;
        }
        Ok(sizes.len() as u64)
    }

    /// Sends queued bundles as one batch (the users' transactions of the day, or of one batch).
    fn flush(&mut self, chain: usize, queued: &mut Vec<Action>) -> Result<(), SimError> {
        if queued.is_empty() {
            return Ok(());
        }
        let events = self
            .net
            .apply(Action::Batch(std::mem::take(queued)))
            .map_err(protocol_err("send bundles"))?;
        self.pending[chain].extend(relayer::sent_bundles(&events));
        Ok(())
    }
}

/// The destination chain id of traffic from `source`: a scenario chain, or (an index past the
/// scenario's chains, as the engine gives a lone chain) the source itself. Gateway cannot be a
/// destination: it settles on L1, so it cannot execute interop
/// (`CannotClaimInteropOnL1Settlement`), while a chain may send to itself. Institutions'
/// Prividiums (indices from `public` on) name their destinations exactly.
fn dest_id(source: usize, destination: usize, public: usize) -> u64 {
    if source < public && destination >= public {
        chain_id(source)
    } else {
        chain_id(destination)
    }
}

impl Ledger for EventLedger {
    fn set_operator_fee(&mut self, chain: usize, fee: U256) -> Result<(), SimError> {
        if self.chain(chain)?.interop_protocol_fee == fee {
            return Ok(());
        }
        let caller = self.chain(chain)?.config.operator;
        self.net
            .apply(Action::SetInteropProtocolFee {
                chain: chain_id(chain),
                caller,
                fee,
            })
            .map_err(protocol_err("set fee"))?;
        Ok(())
    }

    fn traffic(
        &mut self,
        chain: usize,
        destination: usize,
        calls: u64,
        fixed: u64,
        per_bundle: u32,
    ) -> Result<u64, SimError> {
        if chain >= self.public {
            return self.institution_traffic(chain, destination, calls, fixed, per_bundle);
        }
        let per = u64::from(per_bundle);
        let mut bundles = 0;
        let mut queued = Vec::new();
        for (mut left, is_fixed) in [(fixed, true), (calls - fixed, false)] {
            while left > 0 {
                // A full batch must settle before more bundles fit.
                let open = self.chain(chain)?.pending_logs.len() + queued.len();
                if open >= L2_TO_L1_LOGS_TREE_LEAVES {
                    self.flush(chain, &mut queued)?;
                    if !self.settle_full_batch(chain, destination)? {
                        return Err(SimError::Protocol {
                            what: format!("chain {} batch is full", chain_id(chain)),
                            reason: "its operator cannot pay the settlement fee".into(),
                        });
                    }
                }
                let n = left.min(per);
                queued.push(self.send_action(chain, destination, n, is_fixed)?);
                left -= n;
                bundles += 1;
            }
        }
        self.flush(chain, &mut queued)?;
        Ok(bundles)
    }

    fn settlement_due(&self, chain: usize) -> U256 {
        let s = self.net.state();
        let calls = s
            .chain(chain_id(chain))
            .map(|c| c.pending_chargeable_calls)
            .unwrap_or(0);
        flywheel_protocol::interop::fees::settlement_fee(s.economy.gateway_settlement_fee, calls)
            .unwrap_or(U256::MAX)
    }

    fn operator_zk(&self, chain: usize) -> U256 {
        self.chain(chain)
            .map(|c| self.net.state().token.balance_of(c.config.operator))
            .unwrap_or_default()
    }

    fn buy_zk(&mut self, chain: usize, amount: U256) -> Result<(), SimError> {
        let to = self.chain(chain)?.config.operator;
        self.net
            .apply(Action::ZkTransfer {
                from: self.users,
                to,
                amount,
            })
            .map_err(protocol_err("buy ZK"))?;
        Ok(())
    }

    fn settle(&mut self, chain: usize, destination: usize) -> Result<bool, SimError> {
        let dest = dest_id(chain, destination, self.public);
        match relayer::settle_for(&mut self.net, chain_id(chain), dest) {
            Ok(_) => {}
            Err(ProtocolError::SettlementFeePayerNotAgreed { .. } | ProtocolError::Token(_)) => {
                self.failed_settlements += 1;
                return Ok(false);
            }
            Err(e) => return Err(protocol_err("settle")(e)),
        }
        // The relayer proves every pending bundle (each proof reads the settled state only, so
        // they are built on several threads, in order), then executes them as one batch.
        let executor = self.users;
        let net = &self.net;
        let executions = std::mem::take(&mut self.pending[chain])
            .into_par_iter()
            .with_min_len(256)
            .map(|b| {
                let destination = b.destination().map_err(|e| SimError::Protocol {
                    what: "bundle".into(),
                    reason: e.to_string(),
                })?;
                let proof = net
                    .prove_bundle(b.source(), &b, destination)
                    .map_err(protocol_err("prove"))?;
                Ok(Action::ExecuteBundle {
                    chain: destination,
                    caller: executor,
                    bundle: b.encoded,
                    proof: Some(proof),
                })
            })
            .collect::<Vec<Result<Action, SimError>>>()
            .into_iter()
            .collect::<Result<Vec<_>, SimError>>()?;
        if !executions.is_empty() {
            self.net
                .apply(Action::Batch(executions))
                .map_err(protocol_err("execute bundles"))?;
        }
        Ok(true)
    }

    fn claim_operator_fees(&mut self, chain: usize) -> Result<(), SimError> {
        let c = self.chain(chain)?;
        let operator = c.config.operator;
        let base = c
            .accrued_base_fees
            .get(&operator)
            .copied()
            .unwrap_or_default();
        let zk = c
            .accrued_zk_fees
            .get(&operator)
            .is_some_and(|v| !v.is_zero());
        let eth_based = c.config.base_token == eth();
        let id = chain_id(chain);
        if !base.is_zero() {
            self.net
                .apply(Action::ClaimProtocolFees {
                    chain: id,
                    operator,
                    receiver: operator,
                })
                .map_err(protocol_err("claim fees"))?;
            // The lever: the operator sends its share towards the Fee Flow pool (on chain 0),
            // with an ordinary transfer there or a bridge from elsewhere; it waits in transit
            // and reaches the pool evenly over the day (`engine::fee_flow_day`).
            let share = revenue_share(base, self.revenue_share_bps);
            if eth_based && !share.is_zero() {
                let pool = chain_id(0);
                let send = if id == pool {
                    Action::Transfer {
                        chain: id,
                        asset: eth(),
                        from: operator,
                        to: revenue_in_transit(),
                        amount: share,
                    }
                } else {
                    Action::Bridge {
                        asset: eth(),
                        from_chain: id,
                        from: operator,
                        to_chain: pool,
                        to: revenue_in_transit(),
                        amount: share,
                    }
                };
                self.net
                    .apply(send)
                    .map_err(protocol_err("send revenue to Fee Flow"))?;
            }
        }
        if zk {
            self.net
                .apply(Action::ClaimZkFees {
                    chain: id,
                    operator,
                    receiver: operator,
                })
                .map_err(protocol_err("claim ZK fees"))?;
        }
        Ok(())
    }

    fn advance_day(&mut self) -> Result<(), SimError> {
        self.day += 1;
        let target = START_TIME + u64::from(self.day) * DAY;
        let seconds = target.saturating_sub(self.net.state().time);
        self.net
            .apply(Action::AdvanceTime { seconds })
            .map_err(protocol_err("advance time"))?;
        Ok(())
    }

    fn mint_staking_rewards(&mut self, season: usize, amount: U256) -> Result<(), SimError> {
        self.net
            .apply(Action::MinterMint {
                caller: crate::reward_script_signer(),
                minter: season_minter(season),
                to: crate::staking_rewards_address(),
                amount,
            })
            .map_err(protocol_err("season mint"))?;
        self.season_minted += amount;
        Ok(())
    }

    fn sweep(&mut self) -> Result<(), SimError> {
        if self
            .net
            .state()
            .token
            .balance_of(settlement_fee_vault())
            .is_zero()
        {
            return Ok(());
        }
        self.net
            .apply(Action::Batch(vec![
                Action::WithdrawGatewayFees {
                    caller: self.governance,
                    recipient: splitter_address(),
                },
                Action::Split,
            ]))
            .map_err(protocol_err("sweep"))?;
        Ok(())
    }

    fn pool(&self) -> Pool {
        let s = self.net.state();
        let ff = &s.economy.fee_flow;
        s.chain(ff.chain)
            .map(|c| Pool {
                eth: c.balance(eth(), fee_flow_address()),
            })
            .unwrap_or_default()
    }

    fn inflow_pending(&self) -> Pool {
        let s = self.net.state();
        s.chain(s.economy.fee_flow.chain)
            .map(|c| Pool {
                eth: c.balance(eth(), revenue_in_transit()),
            })
            .unwrap_or_default()
    }

    fn deliver_inflow(&mut self, amount: Pool) -> Result<(), SimError> {
        let chain = self.net.state().economy.fee_flow.chain;
        if !amount.eth.is_zero() {
            self.net
                .apply(Action::Transfer {
                    chain,
                    asset: eth(),
                    from: revenue_in_transit(),
                    to: fee_flow_address(),
                    amount: amount.eth,
                })
                .map_err(protocol_err("deliver Fee Flow inflow"))?;
        }
        Ok(())
    }

    fn claimer_zk(&self) -> U256 {
        self.net.state().token.balance_of(self.claimer)
    }

    fn claimer_buy_zk(&mut self, amount: U256) -> Result<(), SimError> {
        self.net
            .apply(Action::ZkTransfer {
                from: self.users,
                to: self.claimer,
                amount,
            })
            .map_err(protocol_err("claimer buys ZK"))?;
        Ok(())
    }

    fn users_zk(&self) -> U256 {
        self.net.state().token.balance_of(self.users)
    }

    fn claim_pool(&mut self) -> Result<(), SimError> {
        let s = self.net.state();
        let ff = &s.economy.fee_flow;
        let pool = s.chain(ff.chain).map_err(protocol_err("lookup"))?;
        let requests = ff
            .claimable
            .iter()
            .map(|t| ClaimRequest {
                token: *t,
                min_amount_requested: pool.balance(*t, fee_flow_address()),
            })
            .filter(|r| !r.min_amount_requested.is_zero() && r.token != ff.bid_token)
            .collect();
        self.net
            .apply(Action::ClaimFeeFlow {
                caller: self.claimer,
                requests,
            })
            .map_err(protocol_err("claim Fee Flow"))?;
        Ok(())
    }

    fn apply_change(&mut self, ch: &ValidatedChange) -> Result<(), SimError> {
        // Each setting is made by the role that owns it: GWAssetTracker's owner, and for Fee
        // Flow and the Splitter their admin, the Token Governor's timelock (which a TPP acts
        // as; their emergency admin could make the same calls directly).
        let (owner, admin) = (self.governance, self.timelock);
        let mut actions = Vec::new();
        if let Some(fee) = ch.gateway_settlement_fee {
            actions.push(Action::SetGatewaySettlementFee { caller: owner, fee });
        }
        if let Some(bps) = ch.fee_flow_revenue_share_bps {
            self.revenue_share_bps = bps;
        }
        if let Some(burn) = ch.burn_bps {
            let (burn_bps, distributors) = splitter_for(burn);
            actions.push(Action::SetDistributors {
                caller: admin,
                distributors,
            });
            actions.push(Action::SetBurnPercentage {
                caller: admin,
                burn_bps: U256::from(burn_bps),
            });
        }
        if let Some(threshold) = ch.fee_flow_threshold {
            actions.push(Action::SetBidThreshold {
                caller: admin,
                threshold,
            });
        }
        for a in actions {
            self.net
                .apply(a)
                .map_err(protocol_err("governance change"))?;
        }
        Ok(())
    }

    fn params(&self) -> (U256, U256, U256) {
        let s = self.net.state();
        let fixed = s
            .chain(chain_id(0))
            .map(|c| c.zk_interop_fee)
            .unwrap_or_default();
        (
            fixed,
            s.economy.gateway_settlement_fee,
            s.economy.fee_flow.bid_threshold,
        )
    }

    fn totals(&self) -> Totals {
        let s = self.net.state();
        let t = &s.economy.totals;
        Totals {
            supply: s.token.total_supply(),
            minted: s.token.minted_total(),
            burned: t.burned,
            distributed: t.distributed,
            fixed_fees: t.fixed_fees_paid,
            settlement_fees: t.settlement_fees_paid,
            auction_paid: t.auction_paid,
            auction_claims: t.auction_claims,
            staking_rewards: t.distributed + self.season_minted,
            failed_settlements: self.failed_settlements,
        }
    }

    fn priority_day(&mut self, day: u32) -> Result<(), SimError> {
        match &mut self.priority {
            Some((agent, plan)) => agent.day(
                day,
                &mut crate::priority_mode::EventPriority {
                    net: &mut self.net,
                    plan,
                },
            ),
            None => Ok(()),
        }
    }

    fn priority_report(&self) -> Option<crate::priority_mode::PriorityReport> {
        let (agent, plan) = self.priority.as_ref()?;
        // The report only reads; the backend needs `&mut` for its calls.
        let mut net = self.net.clone();
        let mut plan = plan.clone();
        let backend = crate::priority_mode::EventPriority {
            net: &mut net,
            plan: &mut plan,
        };
        Some(agent.report(&backend))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::run_path;
    use crate::ledger::FlowLedger;
    use crate::scenario::Scenario;

    /// A scenario with one chain sends its traffic to itself (Gateway, settling on L1, cannot
    /// execute interop). Both fidelities agree, every bundle executes on the chain, and Gateway
    /// charges every call, the fixed-fee ones included.
    #[test]
    fn a_lone_chain_sends_to_itself_and_the_fidelities_agree() {
        let text = r#"
name = "lone"
days = 4
seed = 5
[traffic]
model = "poisson"
calls_per_day = 40
[users]
calls_per_bundle = 2
always_fixed_share = 0.25
[protocol]
gateway_settlement_fee = "1 ZK"
[claimer]
gas_usd = 0.0
[[chains]]
name = "era"
base_token = "ETH"
traffic_share = 1.0
"#;
        let v = Scenario::from_toml(text).unwrap().validate().unwrap();
        let (mut calls, mut fixed, mut bundles) = (0u64, 0u64, 0u64);
        let flow = run_path(&v, &mut FlowLedger::new(&v), 0, |s| {
            calls += s.calls;
            fixed += s.fixed_calls;
            bundles += s.bundles;
        })
        .unwrap();
        let mut ledger = EventLedger::new(&v).unwrap();
        let event = run_path(&v, &mut ledger, 0, |_| {}).unwrap();
        assert_eq!(flow, event);
        assert!(fixed > 0 && fixed < calls, "both fee modes ran");
        assert_eq!(
            flow.settlement_fees,
            U256::from(calls) * U256::from(10u8).pow(U256::from(18u8))
        );
        let s = ledger.network().state();
        let executed = s.chain(chain_id(0)).unwrap().bundle_status.len() as u64;
        assert_eq!(
            executed, bundles,
            "every bundle executed on the chain itself"
        );
        assert!(s.chain(GATEWAY_ID).unwrap().bundle_status.is_empty());
    }
}
