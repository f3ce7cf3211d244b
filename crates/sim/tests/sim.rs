//! The simulator against the seed's table, the two fidelities against each other, and
//! reproducibility by seed.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_primitives::U256;
use flywheel_protocol::units::tokens;
use flywheel_sim::engine::run_path;
use flywheel_sim::event_ledger::EventLedger;
use flywheel_sim::ledger::FlowLedger;
use flywheel_sim::monte_carlo::{simulate, Options};
use flywheel_sim::presets::{preset, SEED_TABLE};
use flywheel_sim::scenario::{Fidelity, Scenario};
use flywheel_sim::summary::summary;

#[test]
fn seed_presets_reproduce_the_seed_table() {
    for (name, calls, per_day, per_year) in SEED_TABLE {
        let v = preset(name).unwrap().validate().unwrap();
        let mut daily = Vec::new();
        let mut prev = U256::ZERO;
        let totals = run_path(&v, &mut FlowLedger::new(&v), 0, |s| {
            assert_eq!(s.calls, calls);
            daily.push(s.totals.burned - prev);
            prev = s.totals.burned;
        })
        .unwrap();
        assert!(
            daily.iter().all(|d| *d == tokens(per_day)),
            "{name}: every day burns {per_day} ZK"
        );
        assert_eq!(totals.burned, tokens(per_year), "{name}");
        assert_eq!(totals.supply, v.genesis_supply - tokens(per_year));
    }
}

const MIXED: &str = r#"
name = "mixed"
days = 6
seed = 5

[traffic]
model = "constant"
calls_per_day = 301

[users]
calls_per_bundle = 3
fee_mode = "cheapest"
always_fixed_share = 0.2

[prices.zk]
model = "constant"
initial_usd = 0.05

[prices.eth]
model = "constant"
initial_usd = 2500.0

[protocol]
genesis_supply = "20999999990 ZK"
gateway_settlement_fee = "3 ZK"
fee_flow_threshold = "0.5 ZK"
fee_flow_min_threshold = "0.5 ZK"
fee_flow_revenue_share_bps = 3000
burn_bps = 7000
sweep_every_days = 2

[operators]
margin = 0.25
zk_treasury = "100 ZK"

[claimer]
gas_usd = 0.0

[[governance.changes]]
day = 3
via = "direct"
gateway_settlement_fee = "4 ZK"
burn_bps = 5000

[staking]
enabled = true
initial_stake = "2000 ZK"
delegate_vote_probability = 0.9
elasticity = 3.0
seasons = [{ cap = "90 ZK", start_day = 0, days = 5 }, { cap = "7 ZK", start_day = 1, days = 30 }]
"#;

#[test]
fn flow_and_event_fidelities_agree_to_the_wei() {
    let v = Scenario::from_toml(MIXED).unwrap().validate().unwrap();
    let mut flow_steps = Vec::new();
    let flow = run_path(&v, &mut FlowLedger::new(&v), 0, |s| flow_steps.push(*s)).unwrap();
    let mut event_steps = Vec::new();
    let mut ledger = EventLedger::new(&v).unwrap();
    let event = run_path(&v, &mut ledger, 0, |s| event_steps.push(*s)).unwrap();
    assert_eq!(flow, event);
    assert_eq!(flow_steps, event_steps, "every day's figures agree");
    // The scenario exercised every route.
    assert!(flow.fixed_fees > U256::ZERO && flow.settlement_fees > U256::ZERO);
    assert!(flow.auction_claims > 0 && flow.distributed > U256::ZERO && flow.burned > U256::ZERO);
    // The day's inflow reaches Fee Flow over the day and the auction clears whenever the pool
    // is worth the threshold: several claims on one day, in both fidelities alike.
    let claims_per_day: Vec<u64> = flow_steps
        .iter()
        .scan(0, |prev, s| {
            let today = s.totals.auction_claims - *prev;
            *prev = s.totals.auction_claims;
            Some(today)
        })
        .collect();
    assert!(
        claims_per_day.iter().any(|c| *c > 1),
        "some day saw several claims: {claims_per_day:?}"
    );
    // Seasons minted (room under the cap: 10 ZK at genesis, then whatever was burned).
    assert!(
        flow.minted > v.genesis_supply,
        "season emissions were minted"
    );
    assert!(flow.supply <= flywheel_protocol::token::MAX_SUPPLY);
    // The revenue-share lever filled the pool (Era's share by transfer, eth-chain's bridged in)
    // and the claims took it; the ZK-based chain's revenue was never sent.
    let state = ledger.network().state();
    let claimer = flywheel_protocol::genesis::account("claimer");
    let era = state
        .chain(flywheel_sim::event_ledger::chain_id(0))
        .unwrap();
    assert!(era.balance(flywheel_protocol::genesis::eth(), claimer) > U256::ZERO);
    let era_eth = era
        .balances
        .iter()
        .filter(|((a, _), _)| *a == flywheel_protocol::genesis::eth())
        .fold(U256::ZERO, |t, (_, v)| t + *v);
    let funded = U256::from(10u8).pow(U256::from(40u8));
    assert!(era_eth > funded, "eth-chain's share was bridged to Era");
    let pool = flywheel_protocol::fee_flow::fee_flow_address();
    assert!(state
        .chains
        .values()
        .all(|c| c.balance(flywheel_protocol::genesis::zk(), pool).is_zero()));
    // And the event ledger really proved and executed bundles.
    let executed: usize = ledger
        .network()
        .state()
        .chains
        .values()
        .map(|c| c.bundle_status.len())
        .sum();
    assert_eq!(
        executed as u64,
        flow_steps.iter().map(|s| s.bundles).sum::<u64>()
    );
}

#[test]
fn same_seed_same_output_other_seed_other_output() {
    let v = preset("v31-baseline").unwrap().validate().unwrap();
    let opts = Options {
        runs: 40,
        fidelity: Fidelity::Flow,
    };
    let run =
        |v| serde_json::to_string(&simulate(v, opts, false, |_, _| {}, &|_| {}).unwrap()).unwrap();
    let a = run(&v);
    assert_eq!(a, run(&v));
    let mut other = v.clone();
    other.scenario.seed += 1;
    assert_ne!(a, run(&other));
    let out = simulate(&v, opts, false, |_, _| {}, &|_| {}).unwrap();
    let s = summary(&v, Fidelity::Flow, &out);
    assert_eq!(s["runs"], 40);
    assert!(s["bands"]["zk.burned_wei"]["p5"].as_str().is_some());
    let p = |k: &str| {
        s["bands"]["zk.burned_wei"][k]
            .as_str()
            .unwrap()
            .parse::<U256>()
            .unwrap()
    };
    assert!(p("p5") <= p("p50") && p("p50") <= p("p95"));
}

#[test]
fn malformed_scenarios_name_the_key() {
    let unknown = MIXED.replace("seed = 5", "seed = 5\ncolour = \"red\"");
    let e = Scenario::from_toml(&unknown).unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
    let unit = MIXED.replace("\"3 ZK\"", "\"3 ETH\"");
    let e = Scenario::from_toml(&unit).unwrap().validate().unwrap_err();
    assert_eq!(e.key, "protocol.gateway_settlement_fee");
    let range = MIXED.replace("burn_bps = 7000", "burn_bps = 12000");
    let e = Scenario::from_toml(&range).unwrap().validate().unwrap_err();
    assert_eq!(e.key, "protocol.burn_bps");
    assert!(e.problem.contains("between 0 and 10000"), "{e}");
    let shares =
        format!("{MIXED}\n[[chains]]\nname = \"a\"\nbase_token = \"ETH\"\ntraffic_share = 0.5\n");
    let e = Scenario::from_toml(&shares)
        .unwrap()
        .validate()
        .unwrap_err();
    assert_eq!(e.key, "chains.traffic_share");
    let model = MIXED.replace(
        "model = \"constant\"\ncalls_per_day = 301",
        "model = \"sideways\"",
    );
    assert!(Scenario::from_toml(&model).is_err());
}

#[test]
fn proposed_changes_wait_for_their_governors_latency() {
    let change = |day: u32, body: &str| format!("\n[[governance.changes]]\nday = {day}\n{body}\n");
    let text = format!(
        "{MIXED}{}{}{}",
        change(1, "burn_bps = 2500"),
        change(2, "gateway_settlement_fee = \"1 ZK\""),
        change(4, "fee_flow_revenue_share_bps = 100"),
    );
    let v = Scenario::from_toml(&text).unwrap().validate().unwrap();
    let days: Vec<(u32, u32)> = v.changes.iter().map(|c| (c.proposed_day, c.day)).collect();
    // Direct on day 3; a TPP (the Splitter's admin is the Token Governor's timelock) needs
    // 10 days + 1 s, a ZIP (the settlement fee) 15 days + 1 s, so they take effect on the 11th
    // and 16th day after the proposal; the revenue share is no governance act: its own day.
    assert_eq!(days, vec![(3, 3), (4, 4), (1, 12), (2, 18)]);
    // One proposal goes to one governor, and the revenue share is not a governed setting.
    let mixed = format!(
        "{MIXED}{}",
        change(1, "burn_bps = 2500\ngateway_settlement_fee = \"1 ZK\"")
    );
    let e = Scenario::from_toml(&mixed).unwrap().validate().unwrap_err();
    assert_eq!(e.key, "governance.changes[1].via", "{e}");
    let share = format!(
        "{MIXED}{}",
        change(1, "burn_bps = 2500\nfee_flow_revenue_share_bps = 100")
    );
    let e = Scenario::from_toml(&share).unwrap().validate().unwrap_err();
    assert_eq!(
        e.key, "governance.changes[1].fee_flow_revenue_share_bps",
        "{e}"
    );
}

#[test]
fn thresholds_below_fee_flows_minimum_are_refused() {
    let low = MIXED.replace("fee_flow_min_threshold = \"0.5 ZK\"\n", "");
    let e = Scenario::from_toml(&low).unwrap().validate().unwrap_err();
    assert_eq!(e.key, "protocol.fee_flow_threshold", "{e}");
    assert!(e.problem.contains("FeeFlow_ThresholdBelowMin"), "{e}");
    let change =
        format!("{MIXED}\n[[governance.changes]]\nday = 1\nfee_flow_threshold = \"0.25 ZK\"\n");
    let e = Scenario::from_toml(&change)
        .unwrap()
        .validate()
        .unwrap_err();
    assert_eq!(e.key, "governance.changes[1].fee_flow_threshold", "{e}");
}

#[test]
fn value_errors_name_their_dotted_key() {
    let text = MIXED.replace("burn_bps = 7000", "burn_bps = 70000");
    let e = Scenario::from_toml(&text).unwrap_err();
    assert_eq!(e.key, "protocol.burn_bps", "{e}");
    let text = MIXED.replace("calls_per_bundle = 3", "calls_per_bundle = \"three\"");
    let e = Scenario::from_toml(&text).unwrap_err();
    assert_eq!(e.key, "users.calls_per_bundle", "{e}");
}

#[test]
fn the_reward_scripts_rate_is_an_off_chain_key_not_a_ceiling() {
    // Staker.sol has no APR ceiling: the old key is gone, and the script's rate is validated.
    let old = MIXED.replace(
        "elasticity = 3.0",
        "elasticity = 3.0\napr_ceiling_bps = 1000",
    );
    let e = Scenario::from_toml(&old).unwrap_err();
    assert!(e.to_string().contains("apr_ceiling_bps"), "{e}");
    let high = MIXED.replace(
        "elasticity = 3.0",
        "elasticity = 3.0\ntarget_rate_bps = 10001",
    );
    let e = Scenario::from_toml(&high).unwrap().validate().unwrap_err();
    assert_eq!(e.key, "staking.target_rate_bps");
    // A higher target mints more; 0 means the script never runs, so only the splitter pays.
    let minted = |rate: u32| {
        let text = MIXED.replace(
            "elasticity = 3.0",
            &format!("elasticity = 3.0\ntarget_rate_bps = {rate}"),
        );
        let v = Scenario::from_toml(&text).unwrap().validate().unwrap();
        let t = run_path(&v, &mut FlowLedger::new(&v), 0, |_| {}).unwrap();
        t.minted - v.genesis_supply
    };
    assert_eq!(minted(0), U256::ZERO);
    assert!(minted(300) > U256::ZERO);
    assert!(minted(3_000) > minted(300));
}

/// The censorship preset on a 60-day horizon: both fidelities give the same totals, daily
/// records and Stage 1 report, and the report tells the story — deposits censored from day 20
/// waited at most 4 days, priority mode activated at the second it was allowed, reverted the
/// operator's unexecuted batch, the rescuer drained the queue, a ZIP deactivated it 15 days and
/// 1 second after its proposal, and every interop attempt was refused.
#[test]
fn the_priority_mode_preset_agrees_in_both_fidelities_and_drains_the_queue() {
    use flywheel_sim::ledger::Ledger;
    let mut s = preset("priority-mode-censorship").unwrap();
    s.days = 60;
    let v = s.validate().unwrap();
    let mut flow_steps = Vec::new();
    let mut flow_ledger = FlowLedger::new(&v);
    let flow = run_path(&v, &mut flow_ledger, 0, |s| flow_steps.push(*s)).unwrap();
    let mut event_steps = Vec::new();
    let mut event_ledger = EventLedger::new(&v).unwrap();
    let event = run_path(&v, &mut event_ledger, 0, |s| event_steps.push(*s)).unwrap();
    assert_eq!(flow, event);
    assert_eq!(flow_steps, event_steps);
    let r = flow_ledger.priority_report().unwrap();
    assert_eq!(Some(r), event_ledger.priority_report());

    const DAY: u64 = 86_400;
    assert_eq!(r.requests, 60 * 48);
    // The first deposit the operator left out was made on day 19 at 12:30 (after its day-19
    // batch at noon); priority mode activated exactly 4 days later.
    let first_censored = 19 * DAY + 12 * 3_600 + 1_800;
    assert_eq!(r.first_activation_s, Some(first_censored + 4 * DAY));
    assert_eq!(
        r.delay_max_s,
        4 * DAY,
        "nobody waited longer than PRIORITY_EXPIRATION"
    );
    // Deactivated by the ZIP proposed 7 days after activation (15 days + 1 s of governance),
    // then activated again 4 days later because the operator still censored until day 49.
    assert_eq!(r.activations, 2);
    assert_eq!(r.deactivations, 1);
    assert_eq!(
        r.reverted_batches, 2,
        "each activation reverted that noon's batch"
    );
    assert!(r.validator_batches >= 2 && r.operator_refusals > 0);
    assert_eq!(r.interop_refused, 60 * 2);
    // Fees rose by at most ×13/10 a day while the admin raised them.
    assert!(r.gas_price_max_wei > r.gas_price_start_wei);
    let days_raised = 30u32;
    let mut bound = r.gas_price_start_wei;
    for _ in 0..days_raised {
        bound = bound * U256::from(13u8) / U256::from(10u8);
    }
    assert!(r.gas_price_max_wei <= bound);
    assert_eq!(
        r.fees_to_operator_wei + r.fees_to_rescuer_wei,
        r.deposit_fees_wei
            - event_ledger
                .network()
                .state()
                .priority
                .get(flywheel_sim::priority_mode::PRIORITY_CHAIN_ID)
                .unwrap()
                .queue
                .iter()
                .filter(|op| op.processed_at.is_none())
                .map(|op| op.fee())
                .sum::<U256>(),
        "every processed deposit's fee went to whoever produced its batch"
    );
    assert!(r.fees_to_rescuer_wei > U256::ZERO);
}

#[test]
fn priority_mode_keys_are_validated_with_their_dotted_key() {
    let base = preset("priority-mode-censorship").unwrap();
    let mut s = base.clone();
    s.priority_mode.as_mut().unwrap().operator_hour = 24;
    let e = s.validate().unwrap_err();
    assert_eq!(e.key, "priority_mode.operator_hour");
    assert!(
        e.problem.contains("between 0 and 23") && e.problem.contains("24"),
        "{e}"
    );
    let mut s = base.clone();
    s.priority_mode.as_mut().unwrap().chain = "era".into();
    assert_eq!(s.validate().unwrap_err().key, "priority_mode.chain");
    let mut s = base.clone();
    s.priority_mode.as_mut().unwrap().deposit_value = "3 ZK".into();
    assert_eq!(s.validate().unwrap_err().key, "priority_mode.deposit_value");
    let text = include_str!("../../../scenarios/priority-mode-censorship.toml").replace(
        "censor_days = 30",
        "censor_days = 30\ncensor_forever = true",
    );
    let e = Scenario::from_toml(&text).unwrap_err();
    assert!(e.to_string().contains("censor_forever"), "{e}");
}

/// Demand that answers price (`[demand]`) goes through the same engine in both fidelities:
/// with an elasticity the totals and every day still agree to the wei, and the traffic is not
/// the exogenous draw (the response did something).
#[test]
fn an_elastic_demand_keeps_the_fidelities_agreeing_to_the_wei() {
    let toml = format!("{MIXED}\n[demand]\nelasticity = 0.8\nreference_cost_usd = 0.02\n");
    let v = Scenario::from_toml(&toml).unwrap().validate().unwrap();
    let mut flow_steps = Vec::new();
    let flow = run_path(&v, &mut FlowLedger::new(&v), 0, |s| flow_steps.push(*s)).unwrap();
    let mut event_steps = Vec::new();
    let event = run_path(&v, &mut EventLedger::new(&v).unwrap(), 0, |s| {
        event_steps.push(*s)
    })
    .unwrap();
    assert_eq!(flow, event);
    assert_eq!(flow_steps, event_steps, "every day's figures agree");
    let exogenous = Scenario::from_toml(MIXED).unwrap().validate().unwrap();
    let mut base_steps = Vec::new();
    run_path(&exogenous, &mut FlowLedger::new(&exogenous), 0, |s| {
        base_steps.push(*s)
    })
    .unwrap();
    let calls =
        |steps: &[flywheel_sim::engine::StepRecord]| -> u64 { steps.iter().map(|s| s.calls).sum() };
    assert_ne!(calls(&flow_steps), calls(&base_steps));
}
