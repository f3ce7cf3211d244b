//! The dashboard's files, compiled into the binary: the page, its script and styles from
//! `web/`, and the chart library `build.rs` copied from the pinned npm package.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const INDEX: &str = include_str!("../web/index.html");
const APP: &str = include_str!("../web/app.js");
const STYLE: &str = include_str!("../web/style.css");
const ECHARTS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/echarts.min.js"));

fn file(body: &'static [u8], content_type: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

/// `/`, `/app.js`, `/style.css`, `/vendor/echarts.min.js`.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/",
            get(|| async { file(INDEX.as_bytes(), "text/html; charset=utf-8") }),
        )
        .route(
            "/app.js",
            get(|| async { file(APP.as_bytes(), "text/javascript; charset=utf-8") }),
        )
        .route(
            "/style.css",
            get(|| async { file(STYLE.as_bytes(), "text/css; charset=utf-8") }),
        )
        .route(
            "/vendor/echarts.min.js",
            get(|| async { file(ECHARTS, "text/javascript; charset=utf-8") }),
        )
}
