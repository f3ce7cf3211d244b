//! The HTTP API of `flywheel serve` (axum, JSON) and its OpenAPI 3 document. Every handler is
//! a thin layer: scenarios resolve through [`crate::exec::resolve`] (the sim's reader and
//! validation), runs are [`crate::exec::execute`] on a blocking thread (the server keeps
//! answering while they compute), and results come from the [`Store`].
//!
//! Errors are JSON `{error, key, limit, value}` with a 4xx status for the caller's faults:
//! 400 a malformed request (not JSON, a wrong type, a bad id), 404 an unknown run, preset or
//! saved scenario, 409 a run not finished (or deleting one still running), 413 a body over
//! [`limits::MAX_BODY_BYTES`], 422 a scenario value out of range (the key, its range and the
//! value), 429 too many runs at once; 500 only for the server's own failures. Before any
//! handler, [`crate::guard`] refuses what a browser sends on another site's behalf (a foreign
//! Host: 421; a cross-origin write: 403; a body not declared JSON: 415; a declared length over
//! the limit: 413, before reading) and makes axum's own 4xx (no route, 405) JSON too.

use crate::error::{RequestError, StoreError};
use crate::exec::{self, InputError, ProgressEvent, Resolved, ScenarioInput, WhatIf};
use crate::guard::{self, Guard};
use crate::limits;
use crate::store::{Part, RunInfo, SavedInfo, Status, Store};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use flywheel_sim::presets;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Semaphore};
use utoipa::{OpenApi, ToSchema};

/// What every handler shares.
pub struct AppState {
    /// The run store (locked only for a query or an update, never while simulating).
    pub store: Arc<Mutex<Store>>,
    /// Progress of the runs this server has queued or is running, by id.
    active: Mutex<HashMap<i64, watch::Sender<RunEvent>>>,
    /// One stored run computes at a time (each is already parallel across cores).
    run_gate: Arc<Mutex<()>>,
    /// What-if runs computing at once.
    pub(crate) what_ifs: Semaphore,
    /// What-if runs computing or waiting for a slot.
    pub(crate) what_ifs_in_flight: AtomicUsize,
}

impl AppState {
    /// A server's state over an open store.
    pub fn new(store: Store) -> Arc<Self> {
        Arc::new(Self {
            store: Arc::new(Mutex::new(store)),
            active: Mutex::new(HashMap::new()),
            run_gate: Arc::new(Mutex::new(())),
            what_ifs: Semaphore::new(limits::MAX_WHATIFS_COMPUTING),
            what_ifs_in_flight: AtomicUsize::new(0),
        })
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn active(&self) -> std::sync::MutexGuard<'_, HashMap<i64, watch::Sender<RunEvent>>> {
        self.active
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A run's state as the event stream reports it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct RunEvent {
    /// Where the run is.
    pub status: Status,
    /// Runs finished and runs in all.
    #[serde(flatten)]
    pub progress: ProgressEvent,
}

/// An error answer: a status and the JSON body.
pub struct ApiError(StatusCode, InputError);

impl ApiError {
    pub(crate) fn new(status: StatusCode, key: &str, error: impl Into<String>) -> Self {
        Self(status, InputError::new(key, error, None, None))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let status = match &e {
            StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
            StoreError::NotReady { .. } | StoreError::Busy { .. } => StatusCode::CONFLICT,
            StoreError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            StoreError::Open { .. } | StoreError::Sql(_) | StoreError::Corrupt(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let key = match &e {
            StoreError::NotFound { what, .. } if what.contains("scenario") => "name",
            StoreError::NotFound { .. } | StoreError::NotReady { .. } | StoreError::Busy { .. } => {
                "id"
            }
            StoreError::Invalid { field, .. } => field,
            _ => "store",
        };
        let mut body = InputError::from(e);
        body.key = key.to_string();
        Self(status, body)
    }
}

impl From<RequestError> for ApiError {
    fn from(e: RequestError) -> Self {
        Self(e.status(), e.into())
    }
}

/// A what-if run's place in flight, given back when its answer is sent (or its client leaves).
pub(crate) struct WhatIfSlot<'a>(&'a AtomicUsize);

impl<'a> WhatIfSlot<'a> {
    /// A place, or 429 when [`limits::MAX_WHATIFS_IN_FLIGHT`] are already in flight.
    pub(crate) fn take(count: &'a AtomicUsize) -> Result<Self, RequestError> {
        count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limits::MAX_WHATIFS_IN_FLIGHT).then_some(n + 1)
            })
            .map(|_| Self(count))
            .map_err(|in_flight| RequestError::WhatIfsBusy {
                limit: limits::MAX_WHATIFS_IN_FLIGHT,
                in_flight,
            })
    }
}

impl Drop for WhatIfSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

pub(crate) fn unprocessable(e: InputError) -> ApiError {
    ApiError(StatusCode::UNPROCESSABLE_ENTITY, e)
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// A run id from the path: a positive whole number.
fn run_id(text: &str) -> ApiResult<i64> {
    match text.parse::<i64>() {
        Ok(id) if id >= 1 => Ok(id),
        _ => Err(ApiError(
            StatusCode::BAD_REQUEST,
            InputError::new(
                "id",
                "must be a run id",
                Some(format!("a whole number from 1 to {}", i64::MAX)),
                Some(Value::String(text.chars().take(40).collect())),
            ),
        )),
    }
}

/// A JSON body of type `T`, its type, size and shape checked, errors as JSON. It must be
/// declared `application/json` (even when empty: the guard checks only bodies that come) and
/// have no key twice in an object. The body, and each member named in `objects` when present,
/// must be a JSON object (serde would also read a struct from an array, which the documented
/// schema does not allow).
pub(crate) fn body<T: for<'de> Deserialize<'de>>(
    headers: &HeaderMap,
    raw: Result<Bytes, BytesRejection>,
    objects: &[&str],
) -> ApiResult<T> {
    guard::json_media_type(headers)?;
    let bytes = raw.map_err(|e| {
        let status = e.status();
        let status = if status == StatusCode::PAYLOAD_TOO_LARGE {
            status
        } else {
            StatusCode::BAD_REQUEST
        };
        ApiError(
            status,
            InputError::new(
                "body",
                e.body_text(),
                Some(format!("at most {} bytes", limits::MAX_BODY_BYTES)),
                None,
            ),
        )
    })?;
    let bad = |what: String| {
        ApiError(
            StatusCode::BAD_REQUEST,
            InputError::new(
                "body",
                format!("not a valid request: {what}"),
                Some("a JSON object as documented at /api/openapi.json".into()),
                None,
            ),
        )
    };
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    guard::unique_keys(&bytes)?;
    let obj = value
        .as_object()
        .ok_or_else(|| bad("the body must be a JSON object".into()))?;
    for key in objects {
        if obj
            .get(*key)
            .is_some_and(|v| !v.is_object() && !v.is_null())
        {
            return Err(bad(format!("`{key}` must be an object")));
        }
    }
    serde_json::from_value(value).map_err(|e| bad(e.to_string()))
}

/// A built-in scenario in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresetInfo {
    /// Its name.
    pub name: String,
    /// What it is about.
    pub description: String,
    /// Horizon, days.
    pub days: u32,
    /// Monte Carlo paths.
    pub runs: u32,
    /// Whether `flywheel run` uses it by default.
    pub default: bool,
    /// The seed's table row it reproduces: (calls per day, ZK burned per day, per year).
    pub seed_row: Option<[u64; 3]>,
}

#[utoipa::path(get, path = "/api/presets", tag = "scenarios",
    responses((status = 200, description = "The built-in scenarios", body = [PresetInfo])))]
async fn list_presets() -> ApiResult<Json<Vec<PresetInfo>>> {
    let mut out = Vec::new();
    for (name, _) in presets::PRESETS {
        let s = presets::preset(name).map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "preset", e.to_string())
        })?;
        let seed_row = presets::SEED_TABLE
            .iter()
            .find(|r| r.0 == name)
            .map(|r| [r.1, r.2, r.3]);
        out.push(PresetInfo {
            name: s.name.clone(),
            description: s.description.clone(),
            days: s.days,
            runs: s.runs,
            default: name == presets::DEFAULT,
            seed_row,
        });
    }
    Ok(Json(out))
}

fn preset_text(name: &str) -> ApiResult<&'static str> {
    presets::PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            ApiError(
                StatusCode::NOT_FOUND,
                InputError::new(
                    "name",
                    "no such preset (GET /api/presets lists them)",
                    None,
                    Some(Value::String(name.chars().take(80).collect())),
                ),
            )
        })
}

/// Resolves a request's scenario: an unknown preset or saved scenario is 404 (as a path naming
/// one is), a value out of range 422, and a seed beyond what the schema documents (and TOML
/// can store) 422.
pub(crate) fn resolve(st: &AppState, input: &ScenarioInput) -> ApiResult<Resolved> {
    let store = st.store();
    let bases = [
        input.preset.is_some(),
        input.saved.is_some(),
        input.toml.is_some(),
        input.scenario.is_some(),
    ];
    // Two bases are one 422 (exec::resolve's), whatever their names.
    let one_base = bases.iter().filter(|b| **b).count() <= 1;
    if let Some(name) = input.preset.as_ref().filter(|_| one_base) {
        preset_text(name).map_err(|ApiError(status, mut e)| {
            e.key = "preset".into();
            ApiError(status, e)
        })?;
    }
    if let Some(name) = input.saved.as_ref().filter(|_| one_base) {
        store.scenario(name).map_err(|e| match e {
            StoreError::NotFound { .. } | StoreError::Invalid { .. } => ApiError(
                StatusCode::NOT_FOUND,
                InputError::new(
                    "saved",
                    "no such saved scenario (GET /api/scenarios lists them)",
                    None,
                    Some(Value::String(guard::quoted(name.as_bytes()))),
                ),
            ),
            other => other.into(),
        })?;
    }
    let r = exec::resolve(input, Some(&store)).map_err(unprocessable)?;
    let seed = r.v.scenario.seed;
    if seed > limits::MAX_SEED {
        return Err(unprocessable(InputError::new(
            "seed",
            "out of range",
            Some(format!("0 to {}", limits::MAX_SEED)),
            Some(Value::from(seed)),
        )));
    }
    Ok(r)
}

#[utoipa::path(get, path = "/api/presets/{name}", tag = "scenarios",
    params(("name" = String, Path, description = "Preset name")),
    responses(
        (status = 200, description = "The preset as a scenario object", body = Object),
        (status = 404, description = "No such preset", body = InputError)))]
async fn get_preset(Path(name): Path<String>) -> ApiResult<Json<Value>> {
    preset_text(&name)?;
    let s = presets::preset(&name)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "preset", e.to_string()))?;
    let v = serde_json::to_value(&s)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "preset", e.to_string()))?;
    Ok(Json(v))
}

#[utoipa::path(get, path = "/api/presets/{name}/toml", tag = "scenarios",
    params(("name" = String, Path, description = "Preset name")),
    responses(
        (status = 200, description = "The preset's TOML file, comments and all", body = String, content_type = "text/plain"),
        (status = 404, description = "No such preset", body = InputError)))]
async fn get_preset_toml(Path(name): Path<String>) -> ApiResult<Response> {
    Ok(text(
        preset_text(&name)?.to_string(),
        "text/plain; charset=utf-8",
    ))
}

fn text(body: String, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

#[utoipa::path(get, path = "/api/schema", tag = "scenarios",
    responses((status = 200, description = "The JSON Schema of a scenario (from the Rust types)", body = Object)))]
async fn get_schema() -> Json<Value> {
    Json(flywheel_sim::schema::scenario_schema())
}

/// One scenario key, flattened out of the schema (see `flywheel_sim::schema::KeyInfo`).
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyDoc {
    /// Dotted path.
    pub key: String,
    /// What it means.
    pub description: String,
    /// JSON type or `enum`.
    pub kind: String,
    /// An enum's values.
    pub values: Option<Vec<String>>,
    /// The tagged variants it belongs to.
    pub variants: Option<Vec<String>>,
    /// Default value.
    pub default: Option<Value>,
    /// Inclusive lower bound.
    pub minimum: Option<f64>,
    /// Inclusive upper bound.
    pub maximum: Option<f64>,
    /// Unit.
    pub unit: Option<String>,
    /// A control's increment.
    pub step: Option<f64>,
    /// Where the rule or default comes from.
    pub source: Option<String>,
}

#[utoipa::path(get, path = "/api/schema/keys", tag = "scenarios",
    responses((status = 200, description = "Every scenario key with its meaning, unit, range, step and source", body = [KeyDoc])))]
async fn get_keys() -> Json<Value> {
    Json(serde_json::to_value(flywheel_sim::schema::keys()).unwrap_or(Value::Array(vec![])))
}

/// A stored run request: the scenario, and whether to keep its per-step CSV.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The scenario.
    #[serde(default)]
    pub input: ScenarioInput,
    /// Keep `steps.csv` (every run's days).
    #[serde(default)]
    pub steps: bool,
}

/// A run accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// Its id.
    pub id: i64,
    /// What a shorter `days` left out of the scenario (empty when nothing was).
    pub left_out: Vec<exec::LeftOut>,
}

#[utoipa::path(post, path = "/api/runs", tag = "runs", request_body = RunRequest,
    responses(
        (status = 202, description = "Queued; follow it at /api/runs/{id}/events", body = Created),
        (status = 400, description = "Malformed request, or a key twice in an object", body = InputError),
        (status = 404, description = "No such preset or saved scenario", body = InputError),
        (status = 413, description = "Body too large", body = InputError),
        (status = 415, description = "Body not declared application/json", body = InputError),
        (status = 422, description = "A scenario value out of range, or a run too large", body = InputError),
        (status = 429, description = "Too many runs queued or running", body = InputError)))]
async fn start_run(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let req: RunRequest = body(&headers, raw, &["input"])?;
    let r = resolve(&st, &req.input)?;
    exec::check_stored_size(&r.v, req.steps).map_err(unprocessable)?;
    let left_out = r.left_out.clone();
    let id = {
        let mut active = st.active();
        if active.len() >= limits::MAX_ACTIVE_RUNS {
            return Err(ApiError(
                StatusCode::TOO_MANY_REQUESTS,
                InputError::new(
                    "runs",
                    "too many runs queued or running; try again when one finishes",
                    Some(format!("{} at once", limits::MAX_ACTIVE_RUNS)),
                    Some(Value::from(active.len())),
                ),
            ));
        }
        let id = st.store().create_run(&exec::new_run(&r))?;
        let (tx, _) = watch::channel(RunEvent {
            status: Status::Queued,
            progress: exec::progress_at(0, &r.v),
        });
        active.insert(id, tx);
        id
    };
    let state = st.clone();
    tokio::task::spawn_blocking(move || {
        let gate = state.run_gate.clone();
        let _turn = gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let tx = state.active().get(&id).cloned();
        let send = |status: Status, progress: exec::ProgressEvent| {
            if let Some(tx) = &tx {
                tx.send_replace(RunEvent { status, progress });
            }
        };
        send(Status::Running, exec::progress_at(0, &r.v));
        let result = exec::execute(&state.store, id, &r.v, req.steps, &|p| {
            send(Status::Running, exec::progress_event(p))
        });
        match result {
            Ok(o) => send(Status::Done, exec::progress_at(o.runs.len() as u64, &r.v)),
            Err(_) => send(Status::Failed, exec::progress_at(0, &r.v)),
        }
        state.active().remove(&id);
    });
    Ok((StatusCode::ACCEPTED, Json(Created { id, left_out })).into_response())
}

#[utoipa::path(get, path = "/api/runs", tag = "runs",
    responses((status = 200, description = "Stored runs, newest first", body = [RunInfo])))]
async fn list_runs(State(st): State<Arc<AppState>>) -> ApiResult<Json<Vec<RunInfo>>> {
    Ok(Json(st.store().list_runs()?))
}

#[utoipa::path(get, path = "/api/runs/{id}", tag = "runs",
    params(("id" = String, Path, description = "Run id")),
    responses(
        (status = 200, description = "The run's status", body = RunInfo),
        (status = 400, description = "Not a run id", body = InputError),
        (status = 404, description = "No such run", body = InputError)))]
async fn get_run(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult<Json<RunInfo>> {
    let id = run_id(&id)?;
    Ok(Json(st.store().run(id)?))
}

#[utoipa::path(delete, path = "/api/runs/{id}", tag = "runs",
    params(("id" = String, Path, description = "Run id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Not a run id", body = InputError),
        (status = 404, description = "No such run", body = InputError),
        (status = 409, description = "Still queued or running", body = InputError)))]
async fn delete_run(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = run_id(&id)?;
    st.store().delete_run(id)?;
    Ok(StatusCode::NO_CONTENT)
}

fn part(st: &AppState, id: &str, p: Part) -> ApiResult<String> {
    let id = run_id(id)?;
    Ok(st.store().part(id, p)?)
}

macro_rules! part_handler {
    ($name:ident, $path:literal, $part:expr, $ct:literal, $desc:literal) => {
        #[utoipa::path(get, path = $path, tag = "runs",
            params(("id" = String, Path, description = "Run id")),
            responses(
                (status = 200, description = $desc, body = String, content_type = $ct),
                (status = 400, description = "Not a run id", body = InputError),
                (status = 404, description = "No such run", body = InputError),
                (status = 409, description = "Not finished, or its steps were not kept", body = InputError)))]
        async fn $name(
            State(st): State<Arc<AppState>>,
            Path(id): Path<String>,
        ) -> ApiResult<Response> {
            Ok(text(part(&st, &id, $part)?, $ct))
        }
    };
}

part_handler!(
    get_bands,
    "/api/runs/{id}/bands",
    Part::Bands,
    "text/csv",
    "bands.csv: day, metric, p5, p50, p95, rel_error"
);
part_handler!(
    get_steps,
    "/api/runs/{id}/steps",
    Part::Steps,
    "text/csv",
    "steps.csv: every run's days"
);
part_handler!(
    get_report,
    "/api/runs/{id}/report",
    Part::Report,
    "text/html",
    "report.html, self-contained"
);
part_handler!(
    get_run_scenario,
    "/api/runs/{id}/scenario",
    Part::Scenario,
    "text/plain",
    "The resolved scenario, TOML"
);

#[utoipa::path(get, path = "/api/runs/{id}/summary", tag = "runs",
    params(("id" = String, Path, description = "Run id")),
    responses(
        (status = 200, description = "summary.json", body = Object),
        (status = 400, description = "Not a run id", body = InputError),
        (status = 404, description = "No such run", body = InputError),
        (status = 409, description = "Not finished", body = InputError)))]
async fn get_summary(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(text(part(&st, &id, Part::Summary)?, "application/json"))
}

#[utoipa::path(get, path = "/api/runs/{id}/events", tag = "runs",
    params(("id" = String, Path, description = "Run id")),
    responses(
        (status = 200, description = "Server-Sent Events (default `message` type), each a RunEvent, ending with the final status", body = RunEvent, content_type = "text/event-stream"),
        (status = 400, description = "Not a run id", body = InputError),
        (status = 404, description = "No such run", body = InputError)))]
async fn run_events(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = run_id(&id)?;
    // Subscribe first: a run that is not active here has its final status in the store (or
    // is another process's, whose progress this server cannot see).
    let rx = st.active().get(&id).map(watch::Sender::subscribe);
    let info = st.store().run(id)?;
    let final_event = RunEvent {
        status: info.status,
        progress: {
            let runs_done = if info.status == Status::Done {
                u64::from(info.runs)
            } else {
                0
            };
            let days = u64::from(info.days);
            ProgressEvent {
                runs_done,
                runs_total: u64::from(info.runs),
                days_done: runs_done * days,
                days_total: u64::from(info.runs) * days,
            }
        },
    };
    let event = |e: &RunEvent| {
        Ok::<_, std::convert::Infallible>(
            Event::default().data(serde_json::to_string(e).unwrap_or_default()),
        )
    };
    let terminal = |e: &RunEvent| !matches!(e.status, Status::Queued | Status::Running);
    let stream: futures_util::stream::BoxStream<'static, _> = match rx {
        None => Box::pin(futures_util::stream::iter([event(&final_event)])),
        // The current state at once, then every change, ending after a final status.
        Some(rx) => Box::pin(futures_util::stream::unfold(
            (Some(rx), true),
            move |(rx, first)| async move {
                let mut rx = rx?;
                let e = if first {
                    *rx.borrow_and_update()
                } else {
                    // A change not yet seen is delivered even after the sender is gone.
                    rx.changed().await.ok()?;
                    *rx.borrow_and_update()
                };
                let next = if terminal(&e) { None } else { Some(rx) };
                Some((event(&e), (next, false)))
            },
        )),
    };
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// `?a=ID&b=ID` (both required; a missing one is a 400 naming it, so they are optional here).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// First run id.
    #[param(required = true, value_type = String)]
    pub a: Option<String>,
    /// Second run id.
    #[param(required = true, value_type = String)]
    pub b: Option<String>,
}

/// Two runs side by side.
#[derive(Debug, Serialize, ToSchema)]
pub struct Comparison {
    /// The first run.
    pub a: RunInfo,
    /// The second run.
    pub b: RunInfo,
    /// The first run's summary.json.
    pub a_summary: Value,
    /// The second run's summary.json.
    pub b_summary: Value,
    /// The first run's scenario (TOML).
    pub a_scenario: String,
    /// The second run's scenario (TOML).
    pub b_scenario: String,
}

#[utoipa::path(get, path = "/api/compare", tag = "runs", params(CompareQuery),
    responses(
        (status = 200, description = "Both runs, their summaries and scenarios", body = Comparison),
        (status = 400, description = "A missing or malformed id", body = InputError),
        (status = 404, description = "No such run", body = InputError),
        (status = 409, description = "A run not finished", body = InputError)))]
async fn compare(
    State(st): State<Arc<AppState>>,
    q: Result<Query<CompareQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Comparison>> {
    let q = q
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "query", e.body_text()))?
        .0;
    let id = |x: &Option<String>, key: &str| {
        x.as_deref()
            .map(run_id)
            .unwrap_or_else(|| Err(ApiError::new(StatusCode::BAD_REQUEST, key, "missing")))
    };
    let (a, b) = (id(&q.a, "a")?, id(&q.b, "b")?);
    let store = st.store();
    let summary = |id: i64| -> ApiResult<Value> {
        let text = store.part(id, Part::Summary)?;
        serde_json::from_str(&text)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "summary", e.to_string()))
    };
    Ok(Json(Comparison {
        a: store.run(a)?,
        b: store.run(b)?,
        a_summary: summary(a)?,
        b_summary: summary(b)?,
        a_scenario: store.part(a, Part::Scenario)?,
        b_scenario: store.part(b, Part::Scenario)?,
    }))
}

#[utoipa::path(post, path = "/api/whatif", tag = "runs", request_body = ScenarioInput,
    responses(
        (status = 200, description = "A small flow-mode run's summary, exact bands and flows", body = WhatIf),
        (status = 400, description = "Malformed request, or a key twice in an object", body = InputError),
        (status = 404, description = "No such preset or saved scenario", body = InputError),
        (status = 413, description = "Body too large", body = InputError),
        (status = 415, description = "Body not declared application/json", body = InputError),
        (status = 422, description = "A scenario value out of range, or beyond the what-if limits (flow only, runs ≤ 1,000, days ≤ 3,650, runs × days ≤ 400,000)", body = InputError),
        (status = 429, description = "Too many what-if runs in flight", body = InputError)))]
async fn what_if(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<WhatIf>> {
    let input: ScenarioInput = body(&headers, raw, &[])?;
    let _place = WhatIfSlot::take(&st.what_ifs_in_flight)?;
    let r = resolve(&st, &input)?;
    exec::check_whatif(&r.v).map_err(unprocessable)?;
    let _slot =
        st.what_ifs.acquire().await.map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "whatif", e.to_string())
        })?;
    let out = tokio::task::spawn_blocking(move || exec::what_if(&r))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "whatif", e.to_string()))?
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "whatif", e))?;
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/scenarios", tag = "scenarios",
    responses((status = 200, description = "Saved scenarios", body = [SavedInfo])))]
async fn list_saved(State(st): State<Arc<AppState>>) -> ApiResult<Json<Vec<SavedInfo>>> {
    Ok(Json(st.store().list_scenarios()?))
}

fn name_err(e: StoreError) -> ApiError {
    match e {
        StoreError::Invalid { .. } => {
            let ApiError(_, body) = ApiError::from(e);
            ApiError(StatusCode::BAD_REQUEST, body)
        }
        other => other.into(),
    }
}

#[utoipa::path(get, path = "/api/scenarios/{name}", tag = "scenarios",
    params(("name" = String, Path, description = "Saved scenario name")),
    responses(
        (status = 200, description = "The saved scenario, TOML", body = String, content_type = "text/plain"),
        (status = 400, description = "Not a valid name", body = InputError),
        (status = 404, description = "No such saved scenario", body = InputError)))]
async fn get_saved(
    State(st): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let t = st.store().scenario(&name).map_err(name_err)?;
    Ok(text(t, "text/plain; charset=utf-8"))
}

#[utoipa::path(put, path = "/api/scenarios/{name}", tag = "scenarios",
    params(("name" = String, Path, description = "Name to save under (1 to 64 of A-Z a-z 0-9 - _ .)")),
    request_body = ScenarioInput,
    responses(
        (status = 200, description = "Saved: the resolved, validated scenario", body = SavedInfo),
        (status = 400, description = "Malformed request or name, or a key twice in an object", body = InputError),
        (status = 404, description = "No such preset or saved scenario", body = InputError),
        (status = 413, description = "Body too large", body = InputError),
        (status = 415, description = "Body not declared application/json", body = InputError),
        (status = 422, description = "A scenario value out of range", body = InputError)))]
async fn put_saved(
    State(st): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<SavedInfo>> {
    crate::store::check_name(&name).map_err(name_err)?;
    let input: ScenarioInput = body(&headers, raw, &[])?;
    let r = resolve(&st, &input)?;
    let store = st.store();
    store.save_scenario(&name, &r.toml)?;
    let saved = store
        .list_scenarios()?
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "name", "not saved"))?;
    Ok(Json(saved))
}

#[utoipa::path(delete, path = "/api/scenarios/{name}", tag = "scenarios",
    params(("name" = String, Path, description = "Saved scenario name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Not a valid name", body = InputError),
        (status = 404, description = "No such saved scenario", body = InputError)))]
async fn delete_saved(
    State(st): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    st.store().delete_scenario(&name).map_err(name_err)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "flywheel",
        description = "Scenarios, stored runs and what-if runs of the flywheel model of ZKsync V31's token economy."
    ),
    paths(
        list_presets,
        get_preset,
        get_preset_toml,
        get_schema,
        get_keys,
        start_run,
        list_runs,
        get_run,
        delete_run,
        get_summary,
        get_bands,
        get_steps,
        get_report,
        get_run_scenario,
        run_events,
        compare,
        what_if,
        crate::proposals::create_proposal,
        list_saved,
        get_saved,
        put_saved,
        delete_saved
    ),
    components(schemas(
        InputError,
        PresetInfo,
        KeyDoc,
        RunRequest,
        ScenarioInput,
        Created,
        RunInfo,
        Status,
        RunEvent,
        ProgressEvent,
        Comparison,
        WhatIf,
        crate::proposals::ProposalInput,
        crate::proposals::ProposalDraft,
        exec::LeftOut,
        SavedInfo
    ))
)]
struct ApiDoc;

/// The OpenAPI 3 document: utoipa's, from the handlers, with the scenario schema (schemars,
/// from the sim's types) as `components.schemas.Scenario` and `ScenarioInput.scenario`
/// pointing at it.
pub fn openapi() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    let mut scenario = flywheel_sim::schema::scenario_schema();
    let defs = scenario
        .as_object_mut()
        .and_then(|o| {
            o.remove("$schema");
            o.remove("$defs")
        })
        .unwrap_or_else(|| json!({}));
    let mut text = serde_json::to_string(&scenario).unwrap_or_default();
    let mut defs_text = serde_json::to_string(&defs).unwrap_or_default();
    for t in [&mut text, &mut defs_text] {
        *t = t.replace("\"#/$defs/", "\"#/components/schemas/Scenario_");
    }
    let scenario: Value = serde_json::from_str(&text).unwrap_or_default();
    let defs: Value = serde_json::from_str(&defs_text).unwrap_or_default();
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.insert("Scenario".into(), scenario);
        if let Some(d) = defs.as_object() {
            for (k, v) in d {
                schemas.insert(format!("Scenario_{k}"), v.clone());
            }
        }
    }
    // Each Server-Sent Event, as OpenAPI describes a stream's items: an event whose `data` is
    // a RunEvent in JSON.
    if let Some(p) = doc.pointer_mut(
        "/paths/~1api~1runs~1{id}~1events/get/responses/200/content/text~1event-stream/schema",
    ) {
        *p = json!({
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {"type": "string", "contentMediaType": "application/json",
                         "contentSchema": {"$ref": "#/components/schemas/RunEvent"}},
                "event": {"type": "string"},
                "id": {"type": "string"},
                "retry": {"type": "integer"}
            }
        });
    }
    // The seed the scenario schema allows (and TOML stores); utoipa gives a u64 no maximum.
    if let Some(p) = doc
        .pointer_mut("/components/schemas/ScenarioInput/properties/seed")
        .and_then(Value::as_object_mut)
    {
        p.insert("maximum".into(), Value::from(limits::MAX_SEED));
    }
    if let Some(p) = doc
        .pointer_mut("/components/schemas/ProposalInput/properties/seed")
        .and_then(Value::as_object_mut)
    {
        p.insert("maximum".into(), Value::from(limits::MAX_SEED));
    }
    if let Some(p) = doc.pointer_mut("/components/schemas/ScenarioInput/properties/scenario") {
        *p = json!({"oneOf": [{"$ref": "#/components/schemas/Scenario"}, {"type": "null"}],
                    "description": "A scenario as a JSON object (the schema at /api/schema)."});
    }
    doc
}

async fn openapi_json() -> Json<Value> {
    Json(openapi())
}

/// The API's routes and the dashboard's files, behind the [`Guard`] of the address the server
/// is bound to.
pub fn router(state: Arc<AppState>, guard: Guard) -> Router {
    Router::new()
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/presets", get(list_presets))
        .route("/api/presets/{name}", get(get_preset))
        .route("/api/presets/{name}/toml", get(get_preset_toml))
        .route("/api/schema", get(get_schema))
        .route("/api/schema/keys", get(get_keys))
        .route("/api/runs", get(list_runs).post(start_run))
        .route("/api/runs/{id}", get(get_run).delete(delete_run))
        .route("/api/runs/{id}/summary", get(get_summary))
        .route("/api/runs/{id}/bands", get(get_bands))
        .route("/api/runs/{id}/steps", get(get_steps))
        .route("/api/runs/{id}/report", get(get_report))
        .route("/api/runs/{id}/scenario", get(get_run_scenario))
        .route("/api/runs/{id}/events", get(run_events))
        .route("/api/compare", get(compare))
        .route("/api/whatif", axum::routing::post(what_if))
        .route(
            "/api/proposals",
            axum::routing::post(crate::proposals::create_proposal),
        )
        .route("/api/scenarios", get(list_saved))
        .route(
            "/api/scenarios/{name}",
            get(get_saved).put(put_saved).delete(delete_saved),
        )
        .merge(crate::web::routes())
        .layer(DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(guard),
            guard::check,
        ))
        .with_state(state)
}

/// Serves the API and the dashboard on `addr` until Ctrl-C (or SIGTERM): binds first, tells
/// `ready` the bound address (port 0 picks a free one), then answers, with the default
/// [`limits::Timeouts`].
pub fn serve(
    addr: std::net::SocketAddr,
    state: Arc<AppState>,
    ready: impl FnOnce(std::net::SocketAddr),
) -> std::io::Result<()> {
    serve_with(addr, state, limits::Timeouts::default(), ready)
}

/// [`serve`] with other timeouts (tests shorten them to watch idle connections close).
pub fn serve_with(
    addr: std::net::SocketAddr,
    state: Arc<AppState>,
    timeouts: limits::Timeouts,
    ready: impl FnOnce(std::net::SocketAddr),
) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        ready(bound);
        let app = router(state, Guard::new(bound).with_body_timeout(timeouts.body));
        accept(listener, app, timeouts.header).await;
        Ok(())
    });
    // Stop without waiting for a stored run still computing (or queued behind it): they stay
    // queued or running in the store, and the next open marks them interrupted.
    rt.shutdown_timeout(std::time::Duration::from_millis(500));
    result
}

/// Accepts connections until Ctrl-C or SIGTERM, at most [`limits::MAX_CONNECTIONS`] open,
/// each HTTP/1 with a header read timeout (hyper's, which also closes a kept-alive connection
/// idle that long); then lets the open ones finish their requests. This is `axum::serve` with
/// the timeout it does not expose.
async fn accept(listener: tokio::net::TcpListener, app: Router, header_timeout: Duration) {
    let open = Arc::new(Semaphore::new(limits::MAX_CONNECTIONS));
    let (stop, stopping) = watch::channel(());
    let mut signal = std::pin::pin!(shutdown());
    loop {
        let place = tokio::select! {
            p = open.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut signal => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                // Out of file descriptors, or a connection gone before it was taken: as
                // axum::serve, wait a little and go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let _place = place;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout);
            let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stopping.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    let _ = stop.send(());
    // Every connection's place back: all have finished.
    let _ = open.acquire_many(limits::MAX_CONNECTIONS as u32).await;
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
