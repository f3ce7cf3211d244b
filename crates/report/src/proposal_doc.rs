//! A [`Draft`]'s documents: the forum-ready Markdown draft, `proposal.json` (Tally's fields —
//! targets, values, calldatas, description — per governor, with the paths, timelines and
//! impact for tools), and the charts of both scenarios; [`write`] puts them in a folder all or
//! nothing.

use crate::charts::{line_chart, Series};
use crate::number::{count, zk};
use crate::out_dir::OutDir;
use crate::proposal::{Band, Draft, Impact};
use crate::ReportError;
use alloy_primitives::{I256, U256};
use flywheel_protocol::governance::calldata::no_calldata_reason;
use flywheel_protocol::governance::proposal_path::{Path, Route};
use flywheel_protocol::governance::timeline::utc;
use flywheel_protocol::governance::{GovernanceConfig, GovernorKind};
use flywheel_sim::monte_carlo::{Outcome, BANDED};
use serde_json::{json, Value};
use std::path::Path as FsPath;

/// The charts of both scenarios: (banded metric, file stem, title, y caption).
pub const CHARTS: [(&str, &str, &str, &str); 4] = [
    (
        "cumulative_burn_zk",
        "cumulative_burn",
        "Cumulative ZK burned",
        "cumulative burn (ZK)",
    ),
    ("supply_zk", "supply", "ZK supply", "supply (ZK)"),
    (
        "auction_claims",
        "auction_claims",
        "Fee Flow auction claims",
        "claims (cumulative)",
    ),
    (
        "staking_rewards_zk",
        "staking_rewards",
        "Staking rewards (cumulative)",
        "staking rewards (ZK)",
    ),
];

/// Every file [`write`] puts in the folder.
pub fn files() -> Vec<String> {
    let mut v = vec!["proposal.md".to_string(), "proposal.json".to_string()];
    for side in ["base", "changed"] {
        for c in CHARTS {
            v.push(format!("{side}_{}.svg", c.1));
        }
    }
    v
}

fn governor_name(k: GovernorKind) -> &'static str {
    match k {
        GovernorKind::Protocol => "ZkProtocolGovernor",
        GovernorKind::Token => "ZkTokenGovernor",
        GovernorKind::GovOps => "ZkGovOpsGovernor",
    }
}

fn signed_zk(x: I256) -> String {
    let (neg, abs) = (x.is_negative(), x.unsigned_abs());
    format!("{}{}", if neg { "−" } else { "" }, zk(abs))
}

fn signed_count(x: I256) -> String {
    let (neg, abs) = (x.is_negative(), x.unsigned_abs());
    let n = u64::try_from(abs)
        .map(count)
        .unwrap_or_else(|_| abs.to_string());
    format!("{}{}", if neg { "−" } else { "" }, n)
}

fn cell(b: &Band, unit: &str, sign: bool) -> String {
    let f = |x: I256| {
        let s = if unit == "ZK" {
            signed_zk(x)
        } else {
            signed_count(x)
        };
        if sign && !x.is_negative() && !x.is_zero() {
            format!("+{s}")
        } else {
            s
        }
    };
    format!("{} ({} – {})", f(b.p50), f(b.p5), f(b.p95))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "(absent)".into(),
        o => o.to_string(),
    }
}

fn path_cell(p: &Path) -> String {
    match p {
        Path::OnChain(o) => {
            let calldata = match o.no_calldata {
                Some(n) => format!(" — no calldata: {}", no_calldata_reason(n)),
                None => String::new(),
            };
            format!(
                "{} ({}) · `{}` on {} `{}` · admin: {}{}",
                o.governor.proposal_type(),
                governor_name(o.governor),
                o.function,
                o.chain.name(),
                o.address.address,
                o.admin,
                calldata
            )
        }
        Path::NotOnChain { kind, why } => format!("{} — {why}", kind.label()),
    }
}

fn impact_table(md: &mut String, imp: &Impact) {
    md.push_str(&format!(
        "\n### Elasticity {}{}\n\n| figure | base: median (p5 – p95) | changed: median (p5 – p95) | difference, same seeds: median (p5 – p95) |\n|---|---:|---:|---:|\n",
        imp.elasticity,
        if imp.scenario_own { " (the scenario's own)" } else { " (stated)" }
    ));
    for r in &imp.rows {
        let unit = if r.unit == "ZK" { " (ZK)" } else { "" };
        md.push_str(&format!(
            "| {}{unit} | {} | {} | {} |\n",
            r.figure,
            cell(&r.base, r.unit, false),
            cell(&r.changed, r.unit, false),
            cell(&r.difference, r.unit, true)
        ));
    }
}

/// The Markdown draft. `command` is the command line that reproduces it; `assumptions` the
/// lines of the assumptions section (key, value, source).
pub fn markdown(d: &Draft, command: &str, assumptions: &[(String, String, String)]) -> String {
    let cfg = GovernanceConfig::zk_nation(
        alloy_primitives::Address::ZERO,
        alloy_primitives::Address::ZERO,
    );
    let title = d
        .proposals
        .iter()
        .map(|p| p.title.clone())
        .collect::<Vec<_>>()
        .join(" + ");
    let title = if title.is_empty() {
        "Scenario changes (nothing on chain)".to_string()
    } else {
        title
    };
    let mut md = format!("# {title}\n\n");
    md.push_str(&format!(
        "_Drafted by flywheel {} against {}; proposal date {}. Everything but the motivation is generated: check it before posting._\n\n",
        env!("CARGO_PKG_VERSION"),
        d.base_label,
        utc(d.proposed_at)
    ));
    md.push_str("## Motivation\n\n_To be written by the author: the problem, why this change solves it, and why now._\n\n");
    md.push_str(
        "## Specification\n\n| change | from | to | governance path |\n|---|---|---|---|\n",
    );
    for c in &d.changes {
        md.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.key,
            text(&c.from),
            text(&c.to),
            path_cell(&c.path)
        ));
    }
    let off: Vec<_> = d.changes.iter().filter(|c| c.encoded.is_none()).collect();
    if !off.is_empty() {
        md.push_str("\nNo calldata is produced for: ");
        md.push_str(
            &off.iter()
                .map(|c| format!("`{}`", c.key))
                .collect::<Vec<_>>()
                .join(", "),
        );
        md.push_str(" (see the path column).\n");
    }
    if d.proposals.len() > 1 {
        md.push_str(&format!(
            "\nThese changes need different governors, so they are **{} separate proposals**: {}.\n",
            d.proposals.len(),
            d.proposals
                .iter()
                .map(|p| format!("a {} to the {}", p.proposal.governor.proposal_type(), governor_name(p.proposal.governor)))
                .collect::<Vec<_>>()
                .join(" and ")
        ));
    }
    for (i, p) in d.proposals.iter().enumerate() {
        let g = p.proposal.governor;
        md.push_str(&format!(
            "\n## Proposal {}: {} to the {}\n\n",
            i + 1,
            g.proposal_type(),
            governor_name(g)
        ));
        md.push_str("What each call does where it executes:\n\n| # | chain | target | function | arguments | calldata |\n|---|---|---|---|---|---|\n");
        for (j, c) in p.proposal.calls.iter().enumerate() {
            md.push_str(&format!(
                "| {} | {} | `{}` | `{}` | {} | `{}` |\n",
                j + 1,
                c.chain.name(),
                c.target,
                c.function,
                c.args.join(", "),
                c.data
            ));
        }
        for c in &d.changes {
            if let (Path::OnChain(o), Some(e)) = (&c.path, &c.encoded) {
                if e.governor == g {
                    md.push_str(&format!(
                        "\n`{}`'s address: {}. Admin: {} ({}).",
                        o.address.address, o.address.source, o.admin, o.admin_source
                    ));
                    if !o.note.is_empty() {
                        md.push_str(&format!(" Note: {}.", o.note));
                    }
                    md.push('\n');
                }
            }
        }
        if matches!(p.proposal.governor, GovernorKind::Protocol) {
            md.push_str("\nA ZIP's only call on Era sends the upgrade proposal to Ethereum; after the vote the ProtocolUpgradeHandler (`0xE30Dca3047B37dc7d88849dE4A4Dc07937ad5Ab3`) executes these calls:\n\n| # | target on Ethereum | function | arguments |\n|---|---|---|---|\n");
            for (j, c) in p.proposal.l1_calls.iter().enumerate() {
                md.push_str(&format!(
                    "| {} | `{}` | `{}` | {} |\n",
                    j + 1,
                    c.target,
                    c.function,
                    c.args.join(", ")
                ));
            }
            if let Some(salt) = p.proposal.salt {
                md.push_str(&format!(
                    "\nUpgrade salt: `{salt}` (keccak256 of the description).\n"
                ));
            }
            let leg = d.inputs.gateway_leg.unwrap_or_default();
            if p.proposal
                .calls
                .iter()
                .any(|c| c.chain == flywheel_protocol::governance::proposal_path::Chain::Gateway)
            {
                md.push_str(&format!(
                    "\n**Set before submitting:** the L1 → Gateway transaction's `l2GasLimit` ({}) and `mintValue` ({} ZK wei) are placeholders; `mintValue` must cover the base cost at execution, paid in ZK (Gateway's base token) by the handler.\n",
                    leg.l2_gas_limit, leg.mint_value
                ));
            }
        }
        md.push_str(&format!("\n`propose` arguments (Tally's fields; also in `proposal.json`):\n\n- targets: {}\n- values: {}\n- calldatas:\n",
            p.proposal.targets.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "),
            p.proposal.values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")));
        for c in &p.proposal.calldatas {
            md.push_str(&format!("  - `{c}`\n"));
        }
        md.push_str(&format!(
            "- description:\n\n```text\n{}```\n",
            p.proposal.description
        ));
        let gp = cfg.params(g);
        md.push_str(&format!(
            "\n### Timeline, if proposed on {}\n\nProposal threshold {} ZK; quorum {} ZK of For votes; late quorum extends voting by {} days.\n\n| step | earliest (UTC) | from |\n|---|---|---|\n",
            utc(d.proposed_at),
            zk(gp.proposal_threshold),
            zk(gp.quorum),
            gp.late_quorum_extension / 86_400
        ));
        for m in &p.timeline {
            md.push_str(&format!("| {} | {} | {} |\n", m.what, utc(m.at), m.source));
        }
        if let Some(last) = p.timeline.last() {
            md.push_str(&format!(
                "\nEarliest effect: **{}** ({} days after the proposal).{}\n",
                utc(last.at),
                (last.at - d.proposed_at) / 86_400,
                if g.goes_through_l1() {
                    " The Security Council approves at the end of the legal veto; without it the Guardians' approval adds 30 days, and the upgrade expires if neither approves."
                } else {
                    " The Guardians may veto while the proposal is pending or active."
                }
            ));
        }
    }
    md.push_str(&format!(
        "\n## Projected impact\n\nThe base and the changed scenario on the same {} seeded paths of {} days (seed {}, flow fidelity): each figure's median and p5–p95 across runs, and the difference of each run's figure from the same seed's base run. The changes apply from day 0 (the timeline above says when they could really take effect).\n",
        d.runs, d.days, d.seed
    ));
    md.push_str(&format!(
        "At the stated elasticities both scenarios' daily traffic answers the all-in cost of a call (USD), `calls × (cost / {:.6})^(−elasticity)`, around the base's cost on day 0 ({:.6} USD), so a dearer call loses traffic; at elasticity 0 traffic ignores cost.\n",
        d.stated_reference_cost_usd, d.stated_reference_cost_usd
    ));
    for imp in &d.impact {
        impact_table(&mut md, imp);
    }
    md.push_str("\nCharts (in the draft's folder): ");
    md.push_str(
        &CHARTS
            .iter()
            .map(|c| format!("`base_{0}.svg` / `changed_{0}.svg`", c.1))
            .collect::<Vec<_>>()
            .join(", "),
    );
    md.push_str(".\n\n## Assumptions and their sources\n\n| assumption | value in the base | source |\n|---|---|---|\n");
    for (k, v, s) in assumptions {
        md.push_str(&format!("| `{k}` | {v} | {s} |\n"));
    }
    md.push_str(&format!(
        "| elasticities of the impact | the scenario's own, then {} | assumption: illustrative values, not estimates |\n| governors' settings | voting delay, period, quorum, threshold, timelock | docs.zknation.io \"Schedule 1: Standard Governance Procedures\", \"ZKsync Proposal Guidelines\"; ZIP-5, TPP-14, GAP-4 |\n| contracts, addresses and functions | as cited above | zk-token-fee-flow@69e8d9a, era-contracts@4859b6f, zk-governance@58df93f |\n",
        crate::proposal::STATED_ELASTICITIES.map(|e| e.to_string()).join(" and ")
    ));
    md.push_str(&format!("\n## Reproduce\n\n```sh\n{command}\n```\n"));
    md
}

fn wei(x: I256) -> String {
    x.to_string()
}

fn band_json(b: &Band) -> Value {
    json!({"p5": wei(b.p5), "p50": wei(b.p50), "p95": wei(b.p95)})
}

/// `proposal.json`: per proposal, Tally's `targets`, `values`, `calldatas` and `description`
/// (hex and decimal strings), beside the governor, the calls at their targets, the timeline,
/// the changes with their paths, and the impact (wei and counts as decimal strings).
pub fn json(d: &Draft, command: &str) -> Value {
    let proposals: Vec<Value> = d
        .proposals
        .iter()
        .map(|p| {
            let g = p.proposal.governor;
            let calls = |cs: &[flywheel_protocol::governance::calldata::TargetCall]| -> Vec<Value> {
                cs.iter()
                    .map(|c| json!({"key": c.key, "chain": c.chain.name(), "chain_id": c.chain.id(), "target": c.target.to_string(), "value": c.value.to_string(), "function": c.function, "args": c.args, "data": c.data.to_string()}))
                    .collect()
            };
            json!({
                "title": p.title,
                "type": g.proposal_type(),
                "governor": governor_name(g),
                "chain_id": 324,
                "targets": p.proposal.targets.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                "values": p.proposal.values.iter().map(U256::to_string).collect::<Vec<_>>(),
                "calldatas": p.proposal.calldatas.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                "description": p.proposal.description,
                "propose_calldata": p.proposal.propose_calldata.to_string(),
                "calls": calls(&p.proposal.calls),
                "l1_calls": calls(&p.proposal.l1_calls),
                "upgrade_salt": p.proposal.salt.map(|s| s.to_string()),
                "route": if g.goes_through_l1() { "era -> ethereum (ProtocolUpgradeHandler)" } else { "era" },
                "timeline": p.timeline.iter().map(|m| json!({"what": m.what, "at": m.at, "utc": utc(m.at), "source": m.source})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let changes: Vec<Value> = d
        .changes
        .iter()
        .map(|c| {
            let path = match c.path {
                Path::OnChain(o) => json!({
                    "on_chain": true, "contract": o.contract, "chain": o.chain.name(), "chain_id": o.chain.id(),
                    "address": o.address.address.to_string(), "address_source": o.address.source,
                    "function": o.function, "argument": o.argument, "admin": o.admin, "admin_source": o.admin_source,
                    "governor": governor_name(o.governor), "type": o.governor.proposal_type(),
                    "route": match o.route { Route::Era => "era", Route::L1Upgrade => "l1-upgrade" },
                    "calldata": o.no_calldata.is_none(),
                    "no_calldata_reason": o.no_calldata.map(no_calldata_reason), "note": o.note,
                }),
                Path::NotOnChain { kind, why } => json!({"on_chain": false, "kind": kind.label(), "why": why}),
            };
            json!({"key": c.key, "from": c.from, "to": c.to, "contract_value": c.contract_value.map(|v| v.to_string()), "path": path})
        })
        .collect();
    let impact: Vec<Value> = d
        .impact
        .iter()
        .map(|i| {
            json!({
                "elasticity": i.elasticity,
                "scenario_own": i.scenario_own,
                "rows": i.rows.iter().map(|r| json!({"figure": r.figure, "unit": if r.unit == "ZK" { "wei" } else { "count" }, "base": band_json(&r.base), "changed": band_json(&r.changed), "difference": band_json(&r.difference)})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "flywheel": env!("CARGO_PKG_VERSION"),
        "base": d.base_label,
        "proposed_at": d.proposed_at,
        "proposed_utc": utc(d.proposed_at),
        "runs": d.runs, "days": d.days, "seed": d.seed, "fidelity": "flow",
        "stated_elasticities_reference_cost_usd": d.stated_reference_cost_usd,
        "changes": changes,
        "proposals": proposals,
        "impact": impact,
        "command": command,
    })
}

fn chart(
    outcome: &Outcome,
    metric: &str,
    title: &str,
    y: &str,
    file: &str,
) -> Result<String, ReportError> {
    let i = BANDED.iter().position(|m| *m == metric).unwrap_or(0);
    let days: Vec<u32> = outcome.bands.iter().map(|b| b.day).collect();
    let pick = |q: usize| -> Vec<f64> {
        outcome
            .bands
            .iter()
            .map(|b| [b.p5[i], b.p50[i], b.p95[i]][q])
            .collect()
    };
    let (p5, p50, p95) = (pick(0), pick(1), pick(2));
    let many = outcome.runs.len() > 1;
    line_chart(
        file,
        &Series {
            title,
            y_desc: y,
            days: &days,
            p50: &p50,
            band: many.then_some((p5.as_slice(), p95.as_slice())),
        },
    )
}

/// Writes the draft into `target` all or nothing: `proposal.md`, `proposal.json` and the
/// charts of the base and changed scenarios at the scenario's own elasticity.
pub fn write(
    target: &FsPath,
    md: &str,
    json_text: &str,
    base: &Outcome,
    changed: &Outcome,
) -> Result<(), ReportError> {
    let names = files();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut dir = OutDir::begin(target, &refs)?;
    dir.write("proposal.md", md.as_bytes())?;
    dir.write("proposal.json", json_text.as_bytes())?;
    for (side, o, label) in [("base", base, "base"), ("changed", changed, "changed")] {
        for (metric, stem, title, y) in CHARTS {
            let file = format!("{side}_{stem}.svg");
            let t = format!("{title} — {label}");
            let svg = chart(o, metric, &t, y, &file)?;
            dir.write(&file, svg.as_bytes())?;
        }
    }
    dir.commit()
}

/// The keys whose values the impact rests on without being proposed: traffic, prices, users'
/// and operators' behaviour, the revenue sent to Fee Flow and demand's response.
pub const ASSUMPTION_KEYS: [&str; 12] = [
    "traffic.model",
    "traffic.calls_per_day",
    "traffic.drift_per_year",
    "prices.zk.initial_usd",
    "prices.zk.volatility_per_year",
    "prices.eth.initial_usd",
    "users.fee_mode",
    "users.always_fixed_share",
    "operators.margin",
    "protocol.fee_flow_revenue_share_bps",
    "demand.elasticity",
    "demand.reference_cost_usd",
];

/// The assumptions section's rows for a scenario: each key's value in it (as written; the
/// default where it is left out) and its source from the scenario schema.
pub fn assumptions(s: &flywheel_sim::scenario::Scenario) -> Vec<(String, String, String)> {
    let keys = flywheel_sim::schema::keys();
    let doc = s.to_json().unwrap_or(Value::Null);
    ASSUMPTION_KEYS
        .iter()
        .filter_map(|k| {
            let info = keys.iter().find(|i| i.key == *k);
            let value = flywheel_sim::resolve::lookup(&doc, k)
                .cloned()
                .or_else(|| info.and_then(|i| i.default.clone()))?;
            let source = info
                .and_then(|i| i.source.clone())
                .unwrap_or_else(|| "assumption".into());
            Some((k.to_string(), text(&value), source))
        })
        .collect()
}
