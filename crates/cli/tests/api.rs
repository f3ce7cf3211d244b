//! The HTTP API of `flywheel serve`, every endpoint and every 4xx, in process (tower's
//! `oneshot` on the router), with the CLI's writer for stored runs' files.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "server")]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use flywheel_server::api::{self, AppState};
use flywheel_server::exec;
use flywheel_server::guard::Guard;
use flywheel_server::store::Store;
use flywheel_sim::presets;
use flywheel_sim::resolve::{self, Base};
use serde_json::{json, Value};
use tower::ServiceExt;

/// The address the router under test believes it is bound to.
const HOST: &str = "127.0.0.1:8080";

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
    headers: axum::http::HeaderMap,
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

async fn answer(app: axum::Router, req: Request<Body>) -> Answer {
    let res = app.oneshot(req).await.expect("answer");

    let status = res.status();
    let headers = res.headers().clone();
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
        headers,
        content_type,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

impl Api {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("flywheel-api-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (store, _) = Store::open(&dir.join("runs.db")).expect("store");
        let guard = Guard::new(HOST.parse().expect("address"));
        let app = api::router(AppState::new(store), guard);
        Self { app, dir }
    }

    /// A request as the dashboard sends it: to its own Host, bodies declared JSON.
    async fn call(&self, method: &str, uri: &str, body: Option<Vec<u8>>) -> Answer {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", HOST)
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, Body::from))
            .expect("request");
        self.request(req).await
    }

    async fn request(&self, req: Request<Body>) -> Answer {
        answer(self.app.clone(), req).await
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
        .error(StatusCode::NOT_FOUND, "preset");
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
        .error(StatusCode::NOT_FOUND, "saved");
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

/// A request with the given headers (no others: no Host unless given).
fn raw(method: &str, uri: &str, headers: &[(&str, &str)], body: &[u8]) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.to_vec())).expect("request")
}

/// What a page of another site, or a DNS-rebinding page, can make the browser send: each is
/// refused with the JSON error shape naming the header and the value, and changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn what_other_sites_send_is_refused_and_stores_nothing() {
    let api = Api::new("guard");
    let run = br#"{"input": {"runs": 1, "days": 2}}"#;
    let saved = br#"{"preset": "seed-baseline"}"#;
    // One stored run and one saved scenario, the dashboard's way (same origin, JSON).
    let same = [
        ("host", HOST),
        ("origin", "http://127.0.0.1:8080"),
        ("sec-fetch-site", "same-origin"),
        ("content-type", "application/json"),
    ];
    let a = api.request(raw("POST", "/api/runs", &same, run)).await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.text);
    let id = a.json()["id"].as_i64().expect("id");
    api.wait_done(id).await;
    let p = api
        .request(raw("PUT", "/api/scenarios/mine", &same, saved))
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    // `localhost` is this server too.
    let w = api
        .request(raw(
            "POST",
            "/api/whatif",
            &[
                ("host", "localhost:8080"),
                ("origin", "http://localhost:8080"),
                ("content-type", "application/json; charset=utf-8"),
            ],
            br#"{"runs": 1, "days": 2}"#,
        ))
        .await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.text);
    let before = (
        api.get("/api/runs").await.text,
        api.get("/api/scenarios").await.text,
    );

    let evil_origin = ("origin", "http://evil.example");
    let cases: Vec<(Request<Body>, StatusCode, &str, Option<&str>)> = vec![
        // A cross-origin "simple" POST: text/plain, no preflight.
        (
            raw(
                "POST",
                "/api/runs",
                &[("host", HOST), evil_origin, ("content-type", "text/plain")],
                run,
            ),
            StatusCode::FORBIDDEN,
            "origin",
            Some("http://evil.example"),
        ),
        // The same as JSON, from another origin: still refused.
        (
            raw(
                "POST",
                "/api/runs",
                &[
                    ("host", HOST),
                    evil_origin,
                    ("content-type", "application/json"),
                ],
                run,
            ),
            StatusCode::FORBIDDEN,
            "origin",
            Some("http://evil.example"),
        ),
        // A sandboxed page's origin, and another port of localhost.
        (
            raw("DELETE", &format!("/api/runs/{id}"), &[("host", HOST), ("origin", "null")], b""),
            StatusCode::FORBIDDEN,
            "origin",
            Some("null"),
        ),
        (
            raw(
                "DELETE",
                "/api/scenarios/mine",
                &[("host", HOST), ("origin", "http://localhost:3000")],
                b"",
            ),
            StatusCode::FORBIDDEN,
            "origin",
            Some("http://localhost:3000"),
        ),
        (
            raw(
                "POST",
                "/api/runs",
                &[
                    ("host", HOST),
                    ("sec-fetch-site", "cross-site"),
                    ("content-type", "application/json"),
                ],
                run,
            ),
            StatusCode::FORBIDDEN,
            "sec-fetch-site",
            Some("cross-site"),
        ),
        // A form POST and a text/plain POST with no Origin (an old browser, a plain client).
        (
            raw(
                "POST",
                "/api/runs",
                &[
                    ("host", HOST),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                b"input=%7B%7D",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-type",
            Some("application/x-www-form-urlencoded"),
        ),
        (
            raw(
                "PUT",
                "/api/scenarios/other",
                &[("host", HOST), ("content-type", "text/plain;charset=UTF-8")],
                saved,
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-type",
            Some("text/plain;charset=UTF-8"),
        ),
        // No Content-Type at all, with and without a body.
        (
            raw("POST", "/api/runs", &[("host", HOST)], run),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-type",
            None,
        ),
        (
            raw("PUT", "/api/scenarios/other", &[("host", HOST)], b""),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-type",
            None,
        ),
        // DNS rebinding: the page's own name as Host, same-origin to the browser. Reads too.
        (
            raw(
                "DELETE",
                &format!("/api/runs/{id}"),
                &[("host", "rebind.evil.example:8080")],
                b"",
            ),
            StatusCode::MISDIRECTED_REQUEST,
            "host",
            Some("rebind.evil.example:8080"),
        ),
        (
            raw("GET", "/api/runs", &[("host", "rebind.evil.example:8080")], b""),
            StatusCode::MISDIRECTED_REQUEST,
            "host",
            Some("rebind.evil.example:8080"),
        ),
        (
            raw("GET", "/", &[("host", "127.0.0.1:9999")], b""),
            StatusCode::MISDIRECTED_REQUEST,
            "host",
            Some("127.0.0.1:9999"),
        ),
        // An absolute request target naming another host.
        (
            raw("GET", "http://evil.example:8080/api/runs", &[("host", HOST)], b""),
            StatusCode::MISDIRECTED_REQUEST,
            "request-target",
            Some("evil.example:8080"),
        ),
        (
            raw("GET", "/api/runs", &[], b""),
            StatusCode::BAD_REQUEST,
            "host",
            None,
        ),
        // A declared length over the limit: refused before the body is read.
        (
            raw(
                "POST",
                "/api/runs",
                &[
                    ("host", HOST),
                    ("content-type", "application/json"),
                    ("content-length", "1000000000000"),
                ],
                run,
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "content-length",
            Some("1000000000000"),
        ),
        // A key twice: serde would silently keep the last.
        (
            raw(
                "POST",
                "/api/runs",
                &[("host", HOST), ("content-type", "application/json")],
                br#"{"input": {"runs": 1, "days": 2, "set": {"protocol.burn_bps": 1, "protocol.burn_bps": 2}}}"#,
            ),
            StatusCode::BAD_REQUEST,
            "input.set.protocol.burn_bps",
            Some("protocol.burn_bps"),
        ),
        (
            raw(
                "PUT",
                "/api/scenarios/other",
                &[("host", HOST), ("content-type", "application/json")],
                br#"{"preset": "seed-baseline", "preset": "v31-baseline"}"#,
            ),
            StatusCode::BAD_REQUEST,
            "preset",
            Some("preset"),
        ),
    ];
    for (req, status, key, value) in cases {
        let what = format!("{} {} {:?}", req.method(), req.uri(), req.headers());
        let a = api.request(req).await;
        assert_eq!(a.status, status, "{what}: {}", a.text);
        let e = a.error(status, key);
        if let Some(v) = value {
            assert_eq!(e["value"], json!(v), "{what}: {e}");
        }
        assert!(e["limit"].is_string(), "{what}: {e}");
    }
    let after = (
        api.get("/api/runs").await.text,
        api.get("/api/scenarios").await.text,
    );
    assert_eq!(before, after, "a refused request changed the store");
    // A long header value comes back shortened.
    let long = format!("{}.example:8080", "x".repeat(500));
    let e = api
        .request(raw("GET", "/", &[("host", &long)], b""))
        .await
        .error(StatusCode::MISDIRECTED_REQUEST, "host");
    assert!(
        e["value"].as_str().expect("value").chars().count() <= 81,
        "{e}"
    );
}

/// Unknown routes, methods a route does not answer and axum's own rejections are JSON too.
#[tokio::test(flavor = "multi_thread")]
async fn every_refusal_is_json() {
    let api = Api::new("json404");
    let e = api
        .get("/api/nope")
        .await
        .error(StatusCode::NOT_FOUND, "path");
    assert_eq!(e["value"], json!("/api/nope"));
    api.get("/nope.html")
        .await
        .error(StatusCode::NOT_FOUND, "path");
    let a = api.call("PATCH", "/api/runs", None).await;
    assert_eq!(a.headers.get("allow").expect("Allow kept"), "GET,HEAD,POST");
    let e = a.error(StatusCode::METHOD_NOT_ALLOWED, "method");
    assert_eq!(e["value"], json!("PATCH"));
    api.call("DELETE", "/api/whatif", None)
        .await
        .error(StatusCode::METHOD_NOT_ALLOWED, "method");
    // A path segment that is not UTF-8 once decoded: axum's rejection, as JSON.
    let a = api.get("/api/runs/%FF").await;
    assert!(a.status.is_client_error(), "{}", a.text);
    a.error(a.status, "request");
}

/// What-if runs beyond the limit in flight are refused at once with 429, not queued.
#[tokio::test(flavor = "multi_thread")]
async fn what_ifs_beyond_the_limit_in_flight_get_429() {
    let api = Api::new("whatif-queue");
    let n = 3 * flywheel_server::limits::MAX_WHATIFS_IN_FLIGHT;
    let body = json!({"runs": 100, "days": 365});
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let req = raw(
                "POST",
                "/api/whatif",
                &[("host", HOST), ("content-type", "application/json")],
                body.to_string().as_bytes(),
            );
            tokio::spawn(answer(api.app.clone(), req))
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.expect("task"));
    }
    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    assert!(
        ok >= flywheel_server::limits::MAX_WHATIFS_IN_FLIGHT,
        "{ok} answered"
    );
    assert!(ok < n, "none refused");
    for a in answers.iter().filter(|a| a.status != StatusCode::OK) {
        let e = a.error(StatusCode::TOO_MANY_REQUESTS, "whatif");
        assert!(e["value"].as_u64().expect("count") >= 8, "{e}");
    }
    // Their places are given back.
    let a = api
        .send("POST", "/api/whatif", json!({"runs": 1, "days": 2}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
}

/// The OpenAPI document says what is accepted: the seed's range, /api/compare's query.
#[tokio::test(flavor = "multi_thread")]
async fn the_document_matches_what_is_accepted() {
    let api = Api::new("doc-match");
    let doc = api.get("/api/openapi.json").await.json();
    let max = &doc["components"]["schemas"]["ScenarioInput"]["properties"]["seed"]["maximum"];
    assert_eq!(max, &json!(i64::MAX));
    assert_eq!(
        max,
        &doc["components"]["schemas"]["Scenario"]["properties"]["seed"]["maximum"]
    );
    let ok = api
        .send(
            "POST",
            "/api/whatif",
            json!({"runs": 1, "days": 2, "seed": i64::MAX}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let past = i64::MAX as u64 + 1;
    for body in [
        json!({"runs": 1, "days": 2, "seed": past}),
        json!({"runs": 1, "days": 2, "set": {"seed": past}}),
    ] {
        let e = api
            .send("POST", "/api/whatif", body)
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY, "seed");
        assert_eq!(e["value"], json!(past));
    }
    let e = api
        .send("POST", "/api/runs", json!({"input": {"seed": past}}))
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "seed");
    assert_eq!(e["value"], json!(past));
    assert_eq!(api.get("/api/runs").await.json(), json!([]));

    let params = doc["paths"]["/api/compare"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    let names: Vec<_> = params
        .iter()
        .map(|p| (p["name"].clone(), p["in"].clone()))
        .collect();
    assert_eq!(
        names,
        vec![(json!("a"), json!("query")), (json!("b"), json!("query"))]
    );
    // Each body-taking operation documents 415, and the what-if 429 and 404.
    for (path, op) in [
        ("/api/runs", "post"),
        ("/api/whatif", "post"),
        ("/api/scenarios/{name}", "put"),
    ] {
        let r = &doc["paths"][path][op]["responses"];
        for code in ["404", "413", "415"] {
            assert!(r[code].is_object(), "{op} {path} {code}");
        }
    }
    assert!(doc["paths"]["/api/whatif"]["post"]["responses"]["429"].is_object());
}

#[tokio::test(flavor = "multi_thread")]
async fn proposals_draft_from_changes_and_refuse_with_key_limit_and_value() {
    let api = Api::new("proposals");
    let ok = api
        .send(
            "POST",
            "/api/proposals",
            json!({"preset": "v31-baseline", "runs": 4, "days": 30, "date": "2026-12-08",
                   "set": {"protocol.fee_flow_threshold": "400000 ZK", "traffic.calls_per_day": 60000}}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let d = ok.json();
    let p = &d["proposal"];
    let tpp = &p["proposals"][0];
    assert_eq!(tpp["type"], json!("TPP"));
    assert_eq!(
        tpp["targets"],
        json!(["0xF135fCd17733689462027bA7AfB210c2cB3C9803"])
    );
    assert_eq!(
        tpp["timeline"]
            .as_array()
            .expect("timeline")
            .last()
            .expect("a step")["utc"],
        json!("2026-12-18 00:00 UTC")
    );
    assert_eq!(p["impact"].as_array().expect("impact").len(), 3);
    let traffic = p["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["key"] == json!("traffic.calls_per_day"))
        .expect("the traffic change");
    assert_eq!(traffic["path"]["on_chain"], json!(false));
    assert!(d["markdown"]
        .as_str()
        .expect("markdown")
        .starts_with("# [TPP]"));
    // The same draft as the CLI's library gives (one implementation): the JSON's calldata.
    assert_eq!(
        tpp["calldatas"][0],
        json!("0x301bc3a60000000000000000000000000000000000000000000054b40b1f852bda000000")
    );

    for (body, status, key) in [
        (
            json!({"runs": 4, "days": 30}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "set",
        ),
        (
            json!({"set": {"protocol.burn_bps": 9000}, "runs": 4, "days": 30}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "protocol.burn_bps",
        ),
        (
            json!({"set": {"protocol.fee_flow_threshold": "1 ZK"}, "runs": 4, "days": 30}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "protocol.fee_flow_threshold",
        ),
        (
            json!({"set": {"protocol.burn_bps": 20000}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "protocol.burn_bps",
        ),
        (
            json!({"set": {"protocol.burn_bps": 5000}, "date": "2026-02-30"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "date",
        ),
        (
            json!({"set": {"protocol.burn_bps": 5000}, "distributor": "0x12"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "distributor",
        ),
        (
            json!({"set": {"protocol.burn_bps": 5000}, "runs": 501}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "runs",
        ),
        (
            json!({"set": {"protocol.burn_bps": 5000}, "runs": 400, "days": 365}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "runs",
        ),
        (
            json!({"preset": "nope", "set": {"protocol.burn_bps": 5000}}),
            StatusCode::NOT_FOUND,
            "preset",
        ),
        (json!({"bogus": 1}), StatusCode::BAD_REQUEST, "body"),
    ] {
        let e = api
            .send("POST", "/api/proposals", body.clone())
            .await
            .error(status, key);
        assert!(e["error"].is_string(), "{body}: {e}");
    }
    let e = api
        .send(
            "POST",
            "/api/proposals",
            json!({"set": {"protocol.burn_bps": 5000}, "runs": 501}),
        )
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "runs");
    assert_eq!(e["value"], json!(501));
    assert_eq!(e["limit"], json!("1 to 500"));
    // A refused or drafted proposal stores nothing.
    assert_eq!(api.get("/api/runs").await.json(), json!([]));
}
