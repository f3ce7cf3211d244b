//! `POST /api/proposals`: a governance proposal drafted from a base scenario and dotted
//! changes — the same draft as `flywheel propose` (`flywheel_report::proposal` and
//! `proposal_doc`): governance paths, calldata, timelines, the impact on the same seeds at
//! three elasticities, the Markdown draft and `proposal.json`. It shares the what-if runs'
//! places in flight and computing slots, and has limits of its own ([`limits`]).

use crate::api::ApiError;
use crate::api::{body, resolve, unprocessable, ApiResult, AppState, WhatIfSlot};
use crate::exec::{InputError, ScenarioInput};
use crate::limits;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use flywheel_protocol::governance::calldata::Inputs;
use flywheel_protocol::governance::timeline::parse_date;
use flywheel_report::proposal::{changes, draft, simulate_pairs};
use flywheel_report::proposal_doc;
use flywheel_report::ReportError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;

/// A proposal request: a base (as `POST /api/whatif` takes it), the changes as dotted keys, the
/// proposal date and, to lower the burn share, the Splitter's distributor.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalInput {
    /// A built-in scenario's name (`GET /api/presets`) as the base.
    #[serde(default)]
    pub preset: Option<String>,
    /// A saved scenario's name as the base.
    #[serde(default)]
    pub saved: Option<String>,
    /// Scenario TOML text as the base.
    #[serde(default)]
    pub toml: Option<String>,
    /// A scenario JSON object as the base.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub scenario: Option<Value>,
    /// The changes: dotted keys and their new values, e.g.
    /// `{"protocol.fee_flow_threshold": "500000 ZK"}`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub set: Option<Map<String, Value>>,
    /// Horizon in days of the impact.
    #[serde(default)]
    pub days: Option<u32>,
    /// Paths of each scenario (the same seeds for both).
    #[serde(default)]
    pub runs: Option<u32>,
    /// Base seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// The day the proposal is made, `YYYY-MM-DD` (UTC); default today.
    #[serde(default)]
    pub date: Option<String>,
    /// The recipient of the Splitter's non-burned share (0x and 40 hex digits): needed to lower
    /// `protocol.burn_bps` below 10000.
    #[serde(default)]
    pub distributor: Option<String>,
}

/// A drafted proposal.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProposalDraft {
    /// `proposal.json`: per governor Tally's `targets`, `values`, `calldatas`, `description`,
    /// with the calls, timeline, changes and their paths, and the impact.
    #[schema(value_type = Object)]
    pub proposal: Value,
    /// The forum-ready Markdown draft (`proposal.md`).
    pub markdown: String,
}

fn report_err(e: ReportError) -> ApiError {
    match e {
        ReportError::Field { field, message } => {
            unprocessable(InputError::new(&field, message, None, None))
        }
        other => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "proposal",
            other.to_string(),
        ),
    }
}

/// The proposal's size: runs at most [`limits::MAX_PROPOSAL_RUNS`], days at most
/// [`limits::MAX_WHATIF_DAYS`], runs × days at most [`limits::MAX_PROPOSAL_PATH_DAYS`].
pub fn check(runs: u32, days: u32) -> Result<(), InputError> {
    if runs > limits::MAX_PROPOSAL_RUNS {
        return Err(InputError::new(
            "runs",
            "too many paths for a proposal's impact",
            Some(format!("1 to {}", limits::MAX_PROPOSAL_RUNS)),
            Some(Value::from(runs)),
        ));
    }
    if days > limits::MAX_WHATIF_DAYS {
        return Err(InputError::new(
            "days",
            "too long for a proposal's impact",
            Some(format!("1 to {}", limits::MAX_WHATIF_DAYS)),
            Some(Value::from(days)),
        ));
    }
    let work = u64::from(runs) * u64::from(days);
    if work > limits::MAX_PROPOSAL_PATH_DAYS {
        return Err(InputError::new(
            "runs",
            "runs × days is too large for a proposal's impact (it runs both scenarios at three elasticities)",
            Some(format!("runs × days at most {}", limits::MAX_PROPOSAL_PATH_DAYS)),
            Some(Value::from(work)),
        ));
    }
    Ok(())
}

fn today() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    now - now % 86_400
}

#[utoipa::path(post, path = "/api/proposals", tag = "runs", request_body = ProposalInput,
    responses(
        (status = 200, description = "The drafted proposal: paths, calldata, timelines, impact, Markdown", body = ProposalDraft),
        (status = 400, description = "Malformed request, or a key twice in an object", body = InputError),
        (status = 404, description = "No such preset or saved scenario", body = InputError),
        (status = 413, description = "Body too large", body = InputError),
        (status = 415, description = "Body not declared application/json", body = InputError),
        (status = 422, description = "A value out of range, no change, a value the target contract refuses, a bad date or distributor, or beyond the proposal limits (runs ≤ 500, days ≤ 3,650, runs × days ≤ 100,000)", body = InputError),
        (status = 429, description = "Too many what-if or proposal runs in flight", body = InputError)))]
pub(crate) async fn create_proposal(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ProposalDraft>> {
    let input: ProposalInput = body(&headers, raw, &[])?;
    let _place = WhatIfSlot::take(&st.what_ifs_in_flight)?;
    let base_in = ScenarioInput {
        preset: input.preset.clone(),
        saved: input.saved.clone(),
        toml: input.toml.clone(),
        scenario: input.scenario.clone(),
        set: None,
        days: input.days,
        runs: input.runs,
        seed: input.seed,
        fidelity: Some("flow".into()),
    };
    let changed_in = ScenarioInput {
        set: input.set.clone(),
        ..base_in.clone()
    };
    let base = resolve(&st, &base_in)?;
    let changed = resolve(&st, &changed_in)?;
    check(base.v.scenario.runs, base.v.scenario.days).map_err(unprocessable)?;
    let proposed_at = match &input.date {
        Some(d) => parse_date(d).map_err(|why| {
            unprocessable(InputError::new(
                "date",
                why,
                Some("YYYY-MM-DD, 1970 to 9999".into()),
                Some(Value::String(d.chars().take(40).collect())),
            ))
        })?,
        None => today(),
    };
    let distributor = match &input.distributor {
        Some(a) => Some(a.parse::<alloy_primitives::Address>().map_err(|_| {
            unprocessable(InputError::new(
                "distributor",
                "not an address",
                Some("0x and 40 hex digits".into()),
                Some(Value::String(a.chars().take(50).collect())),
            ))
        })?),
        None => None,
    };
    let inputs = Inputs {
        distributor,
        gateway_leg: None,
    };
    changes(&base.v, &changed.v, &inputs).map_err(report_err)?;
    let _slot =
        st.what_ifs.acquire().await.map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "proposal", e.to_string())
        })?;
    let label = match (&input.preset, &input.saved, &input.toml, &input.scenario) {
        (_, Some(n), _, _) => format!("saved scenario {n}"),
        (_, _, Some(_), _) => "a scenario given as TOML".to_string(),
        (_, _, _, Some(_)) => "a scenario given as JSON".to_string(),
        (p, _, _, _) => format!(
            "preset {}",
            p.as_deref().unwrap_or(flywheel_sim::presets::DEFAULT)
        ),
    };
    let mut command = match (&input.preset, &input.saved, &input.toml, &input.scenario) {
        (_, None, None, None) => format!(
            "flywheel propose --base {}",
            input
                .preset
                .as_deref()
                .unwrap_or(flywheel_sim::presets::DEFAULT)
        ),
        _ => "flywheel propose --base FILE (the base as given to the API)".to_string(),
    };
    for (k, v) in input.set.iter().flatten() {
        let v = match v {
            Value::String(s) => s.clone(),
            o => o.to_string(),
        };
        command.push_str(&format!(" --set '{k}={}'", v.replace('\'', "'\\''")));
    }
    let out = tokio::task::spawn_blocking(move || -> Result<ProposalDraft, ApiError> {
        let runs = base.v.scenario.runs;
        let pairs = simulate_pairs(&base.v, &changed.v, runs, &|_| {}).map_err(report_err)?;
        let d =
            draft(&label, &base.v, &changed.v, &pairs, proposed_at, inputs).map_err(report_err)?;
        let command = format!(
            "{command} --runs {} --days {} --seed {} --date {}",
            d.runs,
            d.days,
            d.seed,
            &flywheel_protocol::governance::timeline::utc(proposed_at)[..10]
        );
        let command = match distributor {
            Some(a) => format!("{command} --distributor {a}"),
            None => command,
        };
        let markdown =
            proposal_doc::markdown(&d, &command, &proposal_doc::assumptions(&base.v.scenario));
        Ok(ProposalDraft {
            proposal: proposal_doc::json(&d, &command),
            markdown,
        })
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "proposal", e.to_string()))??;
    Ok(Json(out))
}
