//! The HTTP API of `flywheel serve`, every endpoint and every 4xx, in process (tower's
//! `oneshot` on the router), with the CLI's writer for stored runs' files.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "server")]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use flywheel_server::api::{self, AppState};
use flywheel_server::exec;
use flywheel_server::store::Store;
use flywheel_sim::presets;
use flywheel_sim::resolve::{self, Base};
use serde_json::{json, Value};
use tower::ServiceExt;

struct Api {
    app: axum::Router,
    dir: std::path::PathBuf,
}

impl Drop for Api {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Answer {
    status: StatusCode,
    content_type: String,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }

    /// A 4xx answer's JSON names the key, the limit and the value.
    fn error(&self, status: StatusCode, key: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.text);
        assert!(self.content_type.starts_with("application/json"));
        let v = self.json();
        assert_eq!(v["key"], json!(key), "{v}");
        for field in ["error", "limit", "value"] {
            assert!(v.get(field).is_some(), "{field} in {v}");
        }
        v
    }
}

impl Api {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("flywheel-api-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (store, _) = Store::open(&dir.join("runs.db")).expect("store");
        let app = api::router(AppState::new(store));
        Self { app, dir }
    }

    async fn call(&self, method: &str, uri: &str, body: Option<Vec<u8>>) -> Answer {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, Body::from))
            .expect("request");
        let res = self.app.clone().oneshot(req).await.expect("answer");
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = axum::body::to_bytes(res.into_body(), 64 << 20)
            .await
            .expect("body");
        Answer {
            status,
            content_type,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&self, uri: &str) -> Answer {
        self.call("GET", uri, None).await
    }

    async fn send(&self, method: &str, uri: &str, body: Value) -> Answer {
        self.call(method, uri, Some(body.to_string().into_bytes()))
            .await
    }

    async fn wait_done(&self, id: i64) -> Value {
        for _ in 0..600 {
            let r = self.get(&format!("/api/runs/{id}")).await.json();
            if r["status"] != json!("queued") && r["status"] != json!("running") {
                return r;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("run {id} never finished");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn presets_schema_and_the_openapi_document() {
    let api = Api::new("docs");
    let list = api.get("/api/presets").await.json();
    let names: Vec<&str> = list
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names.len(), flywheel_sim::presets::PRESETS.len());
    assert_eq!(list[0]["default"], json!(true));
    let seed = list
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["name"] == json!("seed-baseline"))
        .expect("seed-baseline");
    assert_eq!(seed["seed_row"], json!([50_000, 500_000, 182_500_000]));

    let p = api.get("/api/presets/seed-baseline").await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.json()["name"], json!("seed-baseline"));
    let t = api.get("/api/presets/seed-baseline/toml").await;
    assert!(t.content_type.starts_with("text/plain"));
    assert!(t.text.contains("name = \"seed-baseline\""));
    api.get("/api/presets/nope")
        .await
        .error(StatusCode::NOT_FOUND, "name");
    api.get("/api/presets/nope/toml")
        .await
        .error(StatusCode::NOT_FOUND, "name");

    let schema = api.get("/api/schema").await.json();
    assert!(schema["properties"]["protocol"].is_object());
    let keys = api.get("/api/schema/keys").await.json();
    assert!(keys
        .as_array()
        .expect("keys")
        .iter()
        .any(|k| k["key"] == json!("protocol.burn_bps")));

    let doc = api.get("/api/openapi.json").await.json();
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    assert!(doc["components"]["schemas"]["Scenario"]["properties"]["traffic"].is_object());
    // Every reference in the document resolves.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 20);
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected ref {r}"));
        assert!(schemas.contains_key(name), "{r} does not resolve");
    }
    assert!(doc["paths"]["/api/whatif"]["post"].is_object());
    let sse = &doc["paths"]["/api/runs/{id}/events"]["get"]["responses"]["200"]["content"]
        ["text/event-stream"]["schema"];
    assert_eq!(
        sse["properties"]["data"]["contentSchema"]["$ref"],
        json!("#/components/schemas/RunEvent")
    );
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r.clone());
            }
            m.values().for_each(|x| collect_refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn overrides_and_the_horizon_resolve_as_the_sims_resolver_resolves_them() {
    let api = Api::new("resolve");
    // An array element by index, either spelling, as the CLI and Python resolve it.
    let mut tomls = Vec::new();
    for key in ["chains.1.name", "chains[1].name"] {
        let a = api
            .send(
                "POST",
                "/api/whatif",
                json!({"runs": 1, "days": 30, "set": {key: "other"}}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{key}: {}", a.text);
        tomls.push(a.json()["toml"].as_str().expect("toml").to_string());
    }
    assert_eq!(tomls[0], tomls[1]);
    let mut r = resolve::Request::new(Base::Preset(presets::DEFAULT.into()));
    r.runs = Some(1);
    r.days = Some(30);
    r.set = vec![("chains[1].name".into(), json!("other"))];
    let v = resolve::resolve(&r)
        .expect("resolves")
        .validate()
        .expect("valid");
    assert_eq!(v.scenario.chains[1].name, "other");
    assert_eq!(exec::resolved(v).expect("toml").toml, tomls[0]);
    // Refused alike: the same key, the same problem.
    r.set = vec![("chains[9].name".into(), json!("x"))];
    let sim = resolve::resolve(&r).expect_err("no chain 9");
    let e = api
        .send(
            "POST",
            "/api/whatif",
            json!({"runs": 1, "days": 30, "set": {"chains[9].name": "x"}}),
        )
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "chains[9].name");
    assert_eq!(e["error"], json!(sim.problem));
    // What a shorter horizon leaves out is in the answer, as the CLI prints it.
    let want = json!([
        {"key": "governance.changes[0]", "day": 90},
        {"key": "governance.changes[1]", "day": 180},
        {"key": "staking.seasons[1]", "day": 90}
    ]);
    let input = json!({"preset": "fee-flow-share", "days": 30, "runs": 1});
    let w = api.send("POST", "/api/whatif", input.clone()).await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.text);
    assert_eq!(w.json()["left_out"], want);
    let c = api
        .send("POST", "/api/runs", json!({ "input": input }))
        .await;
    assert_eq!(c.status, StatusCode::ACCEPTED, "{}", c.text);
    assert_eq!(c.json()["left_out"], want);
    let none = api
        .send("POST", "/api/whatif", json!({"runs": 1}))
        .await
        .json();
    assert_eq!(
        none["left_out"],
        json!([]),
        "no horizon given, nothing left out"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn what_if_answers_and_refuses_with_key_limit_and_value() {
    let api = Api::new("whatif");
    let base = json!({"runs": 20, "days": 60});
    let full = api.send("POST", "/api/whatif", base.clone()).await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.text);
    let full = full.json();
    let half = api
        .send(
            "POST",
            "/api/whatif",
            json!({"runs": 20, "days": 60, "set": {"protocol.burn_bps": 5000}}),
        )
        .await
        .json();
    let last = |w: &Value| w["cumulative_burn"]["p50"][59].as_f64().expect("a number");
    assert!(
        last(&full) > last(&half),
        "{} vs {}",
        last(&full),
        last(&half)
    );
    assert_eq!(full["days"].as_array().expect("days").len(), 60);
    assert!(half["toml"]
        .as_str()
        .expect("toml")
        .contains("burn_bps = 5000"));

    let e = api
        .send(
            "POST",
            "/api/whatif",
            json!({"set": {"protocol.burn_bps": 20000}}),
        )
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "protocol.burn_bps");
    assert_eq!(e["value"], json!(20000));
    let e = api
        .send("POST", "/api/whatif", json!({"runs": 1001}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "runs");
    assert_eq!(e["value"], json!(1001));
    api.send(
        "POST",
        "/api/whatif",
        json!({"fidelity": "event", "runs": 1}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "fidelity");
    api.send("POST", "/api/whatif", json!({"preset": "nope"}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "preset");
    api.send("POST", "/api/whatif", json!({"preset": "a", "toml": "x"}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "preset");
    api.send("POST", "/api/whatif", json!({"bogus": 1}))
        .await
        .error(StatusCode::BAD_REQUEST, "body");
    api.call("POST", "/api/whatif", Some(b"{not json".to_vec()))
        .await
        .error(StatusCode::BAD_REQUEST, "body");
    let big = vec![b' '; flywheel_server::limits::MAX_BODY_BYTES + 1];
    api.call("POST", "/api/whatif", Some(big))
        .await
        .error(StatusCode::PAYLOAD_TOO_LARGE, "body");
}

#[tokio::test(flavor = "multi_thread")]
async fn stored_runs_from_start_to_delete() {
    let api = Api::new("runs");
    let start = |steps: bool, burn: u32| json!({"input": {"runs": 3, "days": 20, "set": {"protocol.burn_bps": burn}}, "steps": steps});
    let a = api.send("POST", "/api/runs", start(true, 10_000)).await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.text);
    let a = a.json()["id"].as_i64().expect("id");
    let b = api
        .send("POST", "/api/runs", start(false, 2_500))
        .await
        .json()["id"]
        .as_i64()
        .expect("id");
    assert_eq!(api.wait_done(a).await["status"], json!("done"));
    let info = api.wait_done(b).await;
    assert_eq!(info["status"], json!("done"));
    assert_eq!(info["has_steps"], json!(false));

    let summary = api.get(&format!("/api/runs/{a}/summary")).await;
    assert!(summary.content_type.starts_with("application/json"));
    assert_eq!(summary.json()["runs"], json!(3));
    let bands = api.get(&format!("/api/runs/{a}/bands")).await;
    assert!(bands.content_type.starts_with("text/csv"));
    assert!(bands.text.starts_with("day,metric,p5,p50,p95,rel_error\n"));
    let steps = api.get(&format!("/api/runs/{a}/steps")).await;
    assert_eq!(steps.text.lines().count(), 1 + 3 * 20);
    let report = api.get(&format!("/api/runs/{a}/report")).await;
    assert!(report.content_type.starts_with("text/html"));
    assert!(report.text.starts_with("<!DOCTYPE html>"));
    let toml = api.get(&format!("/api/runs/{b}/scenario")).await;
    assert!(toml.text.contains("burn_bps = 2500"));
    api.get(&format!("/api/runs/{b}/steps"))
        .await
        .error(StatusCode::CONFLICT, "id");

    let events = api.get(&format!("/api/runs/{a}/events")).await;
    assert!(events.content_type.starts_with("text/event-stream"));
    assert!(
        events.text.starts_with("data: {") && events.text.contains("\"status\":\"done\""),
        "{}",
        events.text
    );

    let list = api.get("/api/runs").await.json();
    assert_eq!(list.as_array().expect("list").len(), 2);
    let c = api.get(&format!("/api/compare?a={a}&b={b}")).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    let c = c.json();
    let burned = |s: &Value| s["zk"]["burned_wei"].as_str().expect("wei").to_string();
    assert_ne!(burned(&c["a_summary"]), burned(&c["b_summary"]));
    api.get(&format!("/api/compare?a={a}"))
        .await
        .error(StatusCode::BAD_REQUEST, "b");
    api.get(&format!("/api/compare?a={a}&b=999"))
        .await
        .error(StatusCode::NOT_FOUND, "id");
    api.get("/api/compare?a=x&b=1")
        .await
        .error(StatusCode::BAD_REQUEST, "id");

    // Refusals change nothing.
    api.send(
        "POST",
        "/api/runs",
        json!({"input": {"runs": 1000, "days": 3650}}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "runs");
    api.send("POST", "/api/runs", json!({"input": {"set": {"days": 0}}}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "days");
    api.send(
        "POST",
        "/api/runs",
        json!({"input": {"runs": 1000, "days": 365}, "steps": true}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "steps");
    api.send("POST", "/api/runs", json!({"stepz": true}))
        .await
        .error(StatusCode::BAD_REQUEST, "body");
    assert_eq!(
        api.get("/api/runs")
            .await
            .json()
            .as_array()
            .expect("l")
            .len(),
        2
    );

    api.get("/api/runs/abc")
        .await
        .error(StatusCode::BAD_REQUEST, "id");
    api.get("/api/runs/0")
        .await
        .error(StatusCode::BAD_REQUEST, "id");
    api.get("/api/runs/999")
        .await
        .error(StatusCode::NOT_FOUND, "id");
    api.get("/api/runs/999/report")
        .await
        .error(StatusCode::NOT_FOUND, "id");
    api.get("/api/runs/999/events")
        .await
        .error(StatusCode::NOT_FOUND, "id");
    let d = api.call("DELETE", &format!("/api/runs/{a}"), None).await;
    assert_eq!(d.status, StatusCode::NO_CONTENT);
    api.call("DELETE", &format!("/api/runs/{a}"), None)
        .await
        .error(StatusCode::NOT_FOUND, "id");
    api.get(&format!("/api/runs/{a}/summary"))
        .await
        .error(StatusCode::NOT_FOUND, "id");
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_scenarios_round_trip_and_feed_what_if_runs() {
    let api = Api::new("saved");
    let put = api
        .send(
            "PUT",
            "/api/scenarios/low-burn",
            json!({"preset": "seed-baseline", "set": {"protocol.burn_bps": 5000}}),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!(put.json()["name"], json!("low-burn"));
    let text = api.get("/api/scenarios/low-burn").await.text;
    assert!(text.contains("burn_bps = 5000") && text.contains("seed-baseline"));
    let list = api.get("/api/scenarios").await.json();
    assert_eq!(list[0]["name"], json!("low-burn"));
    let w = api
        .send(
            "POST",
            "/api/whatif",
            json!({"saved": "low-burn", "runs": 1, "days": 10}),
        )
        .await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.text);
    // seed-baseline burns 500,000 ZK a day; half of it is burned at 5,000 bps.
    let burned = w.json()["cumulative_burn"]["p50"][9]
        .as_f64()
        .expect("number");
    assert!(burned > 0.0 && burned < 10.0 * 500_000.0, "{burned}");

    api.send("PUT", "/api/scenarios/a%20b", json!({}))
        .await
        .error(StatusCode::BAD_REQUEST, "name");
    api.send(
        "PUT",
        "/api/scenarios/bad",
        json!({"set": {"protocol.burn_bps": -1}}),
    )
    .await
    .error(StatusCode::UNPROCESSABLE_ENTITY, "protocol.burn_bps");
    api.get("/api/scenarios/bad")
        .await
        .error(StatusCode::NOT_FOUND, "name");
    api.send("POST", "/api/whatif", json!({"saved": "bad"}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "saved");
    let d = api.call("DELETE", "/api/scenarios/low-burn", None).await;
    assert_eq!(d.status, StatusCode::NO_CONTENT);
    api.call("DELETE", "/api/scenarios/low-burn", None)
        .await
        .error(StatusCode::NOT_FOUND, "name");
    assert_eq!(api.get("/api/scenarios").await.json(), json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_is_served_offline() {
    let api = Api::new("web");
    let index = api.get("/").await;
    assert!(index.content_type.starts_with("text/html"));
    assert!(index.text.contains("/vendor/echarts.min.js"));
    // No external resources: every src/href is a local path.
    for attr in ["src=\"", "href=\""] {
        for part in index.text.split(attr).skip(1) {
            assert!(part.starts_with('/') || part.starts_with('#'), "{part:.40}");
        }
    }
    let lib = api.get("/vendor/echarts.min.js").await;
    assert_eq!(lib.status, StatusCode::OK);
    assert!(lib.text.len() > 100_000 && lib.text.contains("echarts"));
    let app = api.get("/app.js").await;
    assert!(app.text.contains("/api/whatif"));
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_streams_while_a_run_computes() {
    let api = Api::new("sse");
    let id = api
        .send(
            "POST",
            "/api/runs",
            json!({"input": {"runs": 200, "days": 50}}),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("id");
    // The stream ends by itself after the final status.
    let events = api.get(&format!("/api/runs/{id}/events")).await;
    let seen: Vec<Value> = events
        .text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).expect("a RunEvent"))
        .collect();
    assert!(seen.len() >= 2, "{}", events.text);
    let last = seen.last().expect("events");
    assert_eq!(last["status"], json!("done"));
    assert_eq!(last["runs_done"], json!(200));
    assert!(seen.iter().all(|e| e["runs_total"] == json!(200)));
    let done: Vec<u64> = seen
        .iter()
        .map(|e| e["runs_done"].as_u64().expect("count"))
        .collect();
    assert!(done.windows(2).all(|w| w[0] <= w[1]), "{done:?}");
    assert_eq!(
        seen.iter().filter(|e| e["status"] == json!("done")).count(),
        1,
        "one final event"
    );
}
