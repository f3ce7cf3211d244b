//! Institutional Prividium chains in the simulator: the preset and a mixed scenario give the
//! same figures, day by day, in flow and event fidelity; the Prividiums' and the public chains'
//! calls, fees and burn add up to the run's totals; the section is off by default, and its keys
//! are validated by name.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_primitives::U256;
use flywheel_sim::engine::{run_path, StepRecord};
use flywheel_sim::event_ledger::{chain_id, EventLedger};
use flywheel_sim::ledger::{FlowLedger, Totals};
use flywheel_sim::monte_carlo::{simulate, Options};
use flywheel_sim::presets::preset;
use flywheel_sim::prividium::Shares;
use flywheel_sim::scenario::{Fidelity, Scenario, Validated};
use flywheel_sim::summary::summary;

fn both(v: &Validated) -> (Totals, Vec<StepRecord>, EventLedger) {
    let mut flow_steps = Vec::new();
    let flow = run_path(v, &mut FlowLedger::new(v), 0, |s| flow_steps.push(*s)).unwrap();
    let mut event_steps = Vec::new();
    let mut ledger = EventLedger::new(v).unwrap();
    let event = run_path(v, &mut ledger, 0, |s| event_steps.push(*s)).unwrap();
    assert_eq!(flow, event, "closing totals agree to the wei");
    assert_eq!(
        flow_steps, event_steps,
        "every day's record agrees, shares included"
    );
    (flow, flow_steps, ledger)
}

/// The book's two groups add up to the ledger's own totals.
fn check_sums(totals: &Totals, steps: &[StepRecord]) -> Shares {
    let last = steps.last().unwrap().prividium;
    let all = last.all;
    assert_eq!(all.fixed_fees, totals.fixed_fees);
    assert_eq!(all.settlement_fees, totals.settlement_fees);
    assert_eq!(all.burned, totals.burned);
    assert_eq!(all.calls, steps.iter().map(|s| s.calls).sum::<u64>());
    assert_eq!(all.bundles, steps.iter().map(|s| s.bundles).sum::<u64>());
    assert_eq!(
        all.fixed_calls,
        steps.iter().map(|s| s.fixed_calls).sum::<u64>()
    );
    let (p, q) = (last.prividium, last.public());
    assert_eq!(p.calls + q.calls, all.calls);
    assert_eq!(p.burned + q.burned, all.burned);
    assert_eq!(p.fixed_fees + q.fixed_fees, all.fixed_fees);
    last
}

#[test]
fn the_preset_agrees_in_both_fidelities_on_a_short_horizon() {
    let mut s = preset("prividium-institutions").unwrap();
    s.days = 2;
    let v = s.validate().unwrap();
    let (totals, steps, ledger) = both(&v);
    let shares = check_sums(&totals, &steps);
    let p = shares.prividium;
    assert!(p.calls > 0 && p.calls < shares.all.calls, "{p:?}");
    // 100% burn, swept daily: the Prividiums' burn is exactly their settlement fees.
    assert_eq!(p.burned, p.settlement_fees);
    assert!(
        p.fixed_calls * 10 >= p.calls * 7,
        "bank-a pays mostly the fixed fee"
    );
    // In event mode every institution bundle passed bank-a's sequencer: one allowed audit entry
    // and one committed transaction each.
    let state = ledger.network().state();
    let bank_a = chain_id(v.scenario.chains.len());
    let pv = &state.prividiums[&bank_a];
    let allowed = pv
        .audit
        .iter()
        .filter(|e| matches!(e.decision, flywheel_protocol::prividium::Decision::Allowed))
        .count() as u64;
    // Setup: a role, a rule, a route, then one registration per user.
    let setup = 3 + u64::from(v.scenario.prividium.institutions[0].users);
    assert_eq!(
        allowed,
        p.bundles + setup,
        "setup changes, then one entry per bundle"
    );
    assert_eq!(pv.history().count() as u64, p.bundles);
    assert!(
        !pv.committed.is_empty(),
        "its batches published their transaction roots"
    );
}

const MIXED: &str = r#"
name = "mixed-prividium"
days = 5
seed = 3

[traffic]
model = "poisson"
calls_per_day = 120

[users]
calls_per_bundle = 3
always_fixed_share = 0.1

[protocol]
gateway_settlement_fee = "2 ZK"
fee_flow_threshold = "0.5 ZK"
fee_flow_min_threshold = "0.5 ZK"
fee_flow_revenue_share_bps = 5000
burn_bps = 6000
sweep_every_days = 2

[claimer]
gas_usd = 0.0

[[prividium.institutions]]
name = "bank-a"
join_day = 0
destination = "era"
fixed_fee_share = 0.5
users = 3
traffic = { model = "constant", calls_per_day = 40 }

[[prividium.institutions]]
name = "fund-b"
base_token = "ZK"
join_day = 2
destination = "bank-a"
fixed_fee_share = 0.25
users = 2
traffic = { model = "poisson", calls_per_day = 30, growth_per_year = 2.0 }

[[prividium.institutions]]
name = "late"
join_day = 400
destination = "fund-b"
fixed_fee_share = 1.0
traffic = { model = "constant", calls_per_day = 1000 }
"#;

#[test]
fn institutions_joining_over_time_agree_in_both_fidelities_and_add_up() {
    let v = Scenario::from_toml(MIXED).unwrap().validate().unwrap();
    let (totals, steps, ledger) = both(&v);
    let shares = check_sums(&totals, &steps);
    // Fee switch and claimer: auctions ran, so both attribution routes were used.
    assert!(totals.auction_claims > 0, "{totals:?}");
    assert!(shares.prividium.burned > U256::ZERO);
    assert!(
        shares.prividium.base_fees_eth > U256::ZERO && shares.prividium.base_fees_zk > U256::ZERO
    );
    // Institutions join on their day: nothing from fund-b before day 2, nothing ever from late.
    let p_calls: Vec<u64> = steps.iter().map(|s| s.prividium.prividium.calls).collect();
    assert_eq!(p_calls[0], 40);
    assert_eq!(p_calls[1], 80);
    assert!(p_calls[2] > 120, "fund-b joined on day 2: {p_calls:?}");
    let state = ledger.network().state();
    let late = chain_id(v.scenario.chains.len() + 2);
    assert!(state.prividiums[&late].history().next().is_none());
    // fund-b's bundles went to bank-a, a Prividium, and executed there.
    let bank_a = chain_id(v.scenario.chains.len());
    assert!(!state.chain(bank_a).unwrap().bundle_status.is_empty());
}

#[test]
fn without_institutions_nothing_changes() {
    // An institution that never joins leaves every public figure as it was: the public chains
    // draw the same random numbers.
    let base = MIXED.split("[[prividium.institutions]]").next().unwrap();
    let without = Scenario::from_toml(base).unwrap().validate().unwrap();
    let never = format!(
        "{base}[[prividium.institutions]]\nname = \"later\"\njoin_day = 99\ndestination = \"era\"\nfixed_fee_share = 1.0\ntraffic = {{ model = \"poisson\", calls_per_day = 50 }}\n"
    );
    let with = Scenario::from_toml(&never).unwrap().validate().unwrap();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let ta = run_path(&without, &mut FlowLedger::new(&without), 0, |s| a.push(*s)).unwrap();
    let tb = run_path(&with, &mut FlowLedger::new(&with), 0, |s| b.push(*s)).unwrap();
    assert_eq!(ta.burned, tb.burned);
    assert_eq!(ta.fixed_fees, tb.fixed_fees);
    assert_eq!(ta.settlement_fees, tb.settlement_fees);
    assert_eq!(
        a.iter().map(|s| s.calls).collect::<Vec<_>>(),
        b.iter().map(|s| s.calls).collect::<Vec<_>>()
    );
    // Only the later institution's operator treasury is new supply held at genesis.
    assert_eq!(ta.supply, tb.supply);
    // The summary has a `prividium` object only with institutions.
    let opts = Options {
        runs: 3,
        fidelity: Fidelity::Flow,
    };
    let out = simulate(&without, opts, false, |_, _| {}, &|_| {}).unwrap();
    assert!(summary(&without, Fidelity::Flow, &out)
        .get("prividium")
        .is_none());
    let out = simulate(&with, opts, false, |_, _| {}, &|_| {}).unwrap();
    let s = summary(&with, Fidelity::Flow, &out);
    assert_eq!(s["prividium"]["institutions"][0], "later");
    assert_eq!(s["prividium"]["figures"]["calls"]["prividium"], "0");
}

#[test]
fn the_summary_reports_exact_shares_that_add_up() {
    let v = Scenario::from_toml(MIXED).unwrap().validate().unwrap();
    let opts = Options {
        runs: 5,
        fidelity: Fidelity::Flow,
    };
    let out = simulate(&v, opts, false, |_, _| {}, &|_| {}).unwrap();
    let s = summary(&v, Fidelity::Flow, &out);
    let figures = s["prividium"]["figures"].as_object().unwrap();
    for (name, f) in figures {
        let n = |k: &str| f[k].as_str().unwrap().parse::<U256>().unwrap();
        assert_eq!(n("prividium") + n("public"), n("total"), "{name}");
        let bps = f["prividium_share_bps"].as_u64().unwrap();
        if !n("total").is_zero() {
            assert_eq!(
                U256::from(bps),
                n("prividium") * U256::from(10_000u64) / n("total")
            );
        }
    }
    // The figures are one run's: the median-burn run's totals.
    let run = s["prividium"]["run"].as_u64().unwrap() as usize;
    let r = &out.runs[run];
    assert_eq!(figures["zk_burned"]["total"], r.totals.burned.to_string());
}

#[test]
fn prividium_keys_are_validated_by_name() {
    let err = |text: &str| {
        Scenario::from_toml(text)
            .and_then(Scenario::validate)
            .map(|_| ())
            .unwrap_err()
    };
    let e = err(&MIXED.replace("destination = \"era\"", "destination = \"mars\""));
    assert_eq!(e.key, "prividium.institutions[0].destination");
    assert!(
        e.problem.contains("`mars`") && e.problem.contains("bank-a"),
        "{e}"
    );
    let e = err(&MIXED.replace("fixed_fee_share = 0.5", "fixed_fee_share = 1.5"));
    assert_eq!(e.key, "prividium.institutions[0].fixed_fee_share");
    assert!(
        e.problem.contains("between 0 and 1") && e.problem.contains("1.5"),
        "{e}"
    );
    let e = err(&MIXED.replace("users = 3", "users = 0"));
    assert_eq!(e.key, "prividium.institutions[0].users");
    let e = err(&MIXED.replace("name = \"fund-b\"", "name = \"era\""));
    assert_eq!(e.key, "prividium.institutions[1].name");
    let e = err(&MIXED.replace("calls_per_day = 40", "calls_per_day = -4"));
    assert_eq!(e.key, "prividium.institutions[0].traffic.calls_per_day");
    let e = err(&MIXED.replace("users = 3", "users = 3\ncolour = \"red\""));
    assert!(e.to_string().contains("colour"), "{e}");
    let e = err(&MIXED.replace(
        "[claimer]",
        "[operators]\nzk_treasury = \"4000000000 ZK\"\n\n[claimer]\nzk_treasury = \"0 ZK\"",
    ));
    assert_eq!(e.key, "operators.zk_treasury");
    assert!(e.problem.contains("6 operators"), "{e}");
}
