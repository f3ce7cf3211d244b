//! What `flywheel serve` refuses before any handler runs. The API has no authentication (it is
//! meant for loopback), so it must refuse what a browser sends to it on behalf of another site:
//!
//! - a `Host` that is not this server's (a DNS-rebinding page's name): only `localhost`, the
//!   loopback addresses (`127.x.y.z`, `[::1]`) and the bound address, with the bound port (no
//!   port only when that is 80, HTTP's default, as browsers then omit it). Bound to an
//!   unspecified address (`0.0.0.0`, `[::]`), any IP literal is this server: rebinding needs a
//!   name, so names other than `localhost` stay refused. → 421 (400 without one Host).
//! - a write (any method but GET, HEAD and OPTIONS) from another origin: an `Origin` that is
//!   not `http://HOST[:PORT]` for an allowed host (`null` included), or a `Sec-Fetch-Site`
//!   other than `same-origin` or `none`. → 403. Reads stay open (the dashboard's GETs, links).
//! - a write with a body not declared `application/json` (the form and text/plain POSTs a
//!   page sends without a preflight). → 415.
//! - a declared `Content-Length` over [`limits::MAX_BODY_BYTES`], answered before reading
//!   (so a client waiting on `Expect: 100-continue` gets 413, not 100); a chunked body is
//!   counted while read. → 413. A body slower than the body timeout → 408.
//!
//! It also turns every other 4xx that is not JSON (unknown routes, methods a route does not
//! answer, axum's extractor rejections) into the API's `{error, key, limit, value}`.

use crate::error::RequestError;
use crate::exec::InputError;
use crate::limits;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The address the server is bound to, which decides the Hosts and Origins it answers, and
/// how long it waits for a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    addr: SocketAddr,
    body_timeout: Duration,
}

impl Guard {
    /// The guard of a server bound to `addr` (after binding: port 0 is not a port).
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            body_timeout: limits::BODY_READ_TIMEOUT,
        }
    }

    /// The same guard with another body read timeout (tests shorten it).
    #[must_use]
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// The Hosts accepted, in words, for errors.
    fn allowed(&self) -> String {
        let port = self.addr.port();
        let ip = self.addr.ip();
        let own = if ip.is_unspecified() {
            ", or any IP address".to_string()
        } else if ip.is_loopback() {
            String::new()
        } else {
            format!(", {}", ip.to_bracketed())
        };
        let default = if port == 80 { " (or none)" } else { "" };
        format!("localhost, 127.x.y.z, [::1]{own} with port {port}{default}")
    }

    /// Whether an authority (`host[:port]`, as in a Host header) names this server.
    pub fn host_ok(&self, authority: &str) -> bool {
        let Some((host, port)) = split_authority(authority) else {
            return false;
        };
        let port_ok = match port {
            Some(p) => p == self.addr.port(),
            None => self.addr.port() == 80,
        };
        let bound = self.addr.ip();
        let host_ok = match host {
            HostName::Name(n) => n.eq_ignore_ascii_case("localhost"),
            HostName::Ip(ip) => ip.is_loopback() || ip == bound || bound.is_unspecified(),
        };
        port_ok && host_ok
    }

    /// Whether an Origin header is this server's own origin.
    fn origin_ok(&self, origin: &str) -> bool {
        origin
            .get(..7)
            .filter(|s| s.eq_ignore_ascii_case("http://"))
            .and_then(|_| origin.get(7..))
            .is_some_and(|authority| !authority.contains('/') && self.host_ok(authority))
    }

    /// Checks a request's headers and reads its body (bounded in size and time).
    async fn admit(&self, req: Request) -> Result<Request, RequestError> {
        let headers = req.headers();
        let hosts: Vec<&HeaderValue> = headers.get_all(header::HOST).iter().collect();
        let [host] = hosts.as_slice() else {
            return Err(RequestError::HostCount {
                allowed: self.allowed(),
                count: hosts.len(),
            });
        };
        if !host.to_str().is_ok_and(|h| self.host_ok(h)) {
            return Err(RequestError::Host {
                header: "host",
                allowed: self.allowed(),
                value: quoted(host.as_bytes()),
            });
        }
        if let Some(a) = req.uri().authority() {
            if !self.host_ok(a.as_str()) {
                return Err(RequestError::Host {
                    header: "request-target",
                    allowed: self.allowed(),
                    value: quoted(a.as_str().as_bytes()),
                });
            }
        }
        let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if write {
            if let Some(o) = headers.get(header::ORIGIN) {
                if !o.to_str().is_ok_and(|o| self.origin_ok(o)) {
                    return Err(RequestError::CrossOrigin {
                        header: "origin",
                        allowed: format!("http:// and an allowed host: {}", self.allowed()),
                        value: quoted(o.as_bytes()),
                    });
                }
            }
            if let Some(s) = headers.get("sec-fetch-site") {
                if !matches!(s.as_bytes(), b"same-origin" | b"none") {
                    return Err(RequestError::CrossOrigin {
                        header: "sec-fetch-site",
                        allowed: "same-origin (or none)".into(),
                        value: quoted(s.as_bytes()),
                    });
                }
            }
        }
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(n) = declared.filter(|n| *n > limits::MAX_BODY_BYTES as u64) {
            return Err(RequestError::TooLarge {
                header: "content-length",
                limit: limits::MAX_BODY_BYTES,
                value: n.to_string(),
            });
        }
        let has_body =
            declared.is_some_and(|n| n > 0) || headers.contains_key(header::TRANSFER_ENCODING);
        if !has_body {
            return Ok(req);
        }
        if write {
            json_media_type(headers)?;
        }
        let (parts, body) = req.into_parts();
        let bytes = tokio::time::timeout(self.body_timeout, read_body(body))
            .await
            .map_err(|_| RequestError::BodyTimeout {
                seconds: self.body_timeout.as_secs_f64(),
            })??;
        Ok(Request::from_parts(parts, Body::from(bytes)))
    }
}

/// A body, at most [`limits::MAX_BODY_BYTES`].
async fn read_body(body: Body) -> Result<Vec<u8>, RequestError> {
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| RequestError::BodyRead {
            reason: e.to_string(),
        })?;
        if out.len() + chunk.len() > limits::MAX_BODY_BYTES {
            return Err(RequestError::TooLarge {
                header: "body",
                limit: limits::MAX_BODY_BYTES,
                value: "more".into(),
            });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// A Host's name part.
enum HostName<'a> {
    Name(&'a str),
    Ip(IpAddr),
}

/// `host[:port]` or `[v6][:port]`; None when malformed (an empty or non-numeric port, an
/// unclosed bracket).
fn split_authority(a: &str) -> Option<(HostName<'_>, Option<u16>)> {
    let port = |p: &str| {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            p.parse::<u16>().ok()
        }
    };
    if let Some(rest) = a.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = ip.parse().ok()?;
        let p = match after {
            "" => None,
            s => Some(port(s.strip_prefix(':')?)?),
        };
        return Some((HostName::Ip(IpAddr::V6(ip)), p));
    }
    let (host, p) = match a.rsplit_once(':') {
        Some((h, p)) => (h, Some(port(p)?)),
        None => (a, None),
    };
    let name = match host.parse::<Ipv4Addr>() {
        Ok(ip) => HostName::Ip(IpAddr::V4(ip)),
        Err(_) => HostName::Name(host),
    };
    Some((name, p))
}

/// An IP as it appears in a Host: IPv6 in brackets.
trait Bracketed {
    fn to_bracketed(&self) -> String;
}

impl Bracketed for IpAddr {
    fn to_bracketed(&self) -> String {
        match self {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        }
    }
}

/// Checks that a request declares a JSON body: `application/json`, parameters allowed, a
/// charset only if UTF-8 (the body is read as UTF-8).
pub fn json_media_type(headers: &HeaderMap) -> Result<(), RequestError> {
    let refuse = |v: Option<&HeaderValue>| RequestError::MediaType {
        value: v.map(|v| quoted(v.as_bytes())),
    };
    let v = headers.get(header::CONTENT_TYPE);
    let text = v.and_then(|v| v.to_str().ok()).ok_or_else(|| refuse(v))?;
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(refuse(v));
    }
    for param in parts {
        if let Some((name, value)) = param.split_once('=') {
            let value = value.trim().trim_matches('"');
            if name.trim().eq_ignore_ascii_case("charset")
                && !value.eq_ignore_ascii_case("utf-8")
                && !value.eq_ignore_ascii_case("utf8")
            {
                return Err(refuse(v));
            }
        }
    }
    Ok(())
}

/// A header value or path for an error: lossy UTF-8, at most [`limits::MAX_QUOTED_CHARS`]
/// characters (JSON escapes the rest).
pub fn quoted(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.chars().take(limits::MAX_QUOTED_CHARS).collect();
    if text.chars().nth(limits::MAX_QUOTED_CHARS).is_some() {
        out.push('…');
    }
    out
}

impl RequestError {
    /// The HTTP status it is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::HostCount { .. } | Self::BodyRead { .. } | Self::DuplicateKey { .. } => {
                StatusCode::BAD_REQUEST
            }
            Self::Host { .. } => StatusCode::MISDIRECTED_REQUEST,
            Self::CrossOrigin { .. } => StatusCode::FORBIDDEN,
            Self::MediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::NoRoute { .. } => StatusCode::NOT_FOUND,
            Self::Method { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::WhatIfsBusy { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

impl From<RequestError> for InputError {
    fn from(e: RequestError) -> Self {
        let error = e.to_string();
        let (key, limit, value): (&str, Option<String>, Option<Value>) = match e {
            RequestError::HostCount { allowed, count } => {
                ("host", Some(allowed), Some(Value::from(count)))
            }
            RequestError::Host {
                header,
                allowed,
                value,
            }
            | RequestError::CrossOrigin {
                header,
                allowed,
                value,
            } => (header, Some(allowed), Some(Value::String(value))),
            RequestError::MediaType { value } => (
                "content-type",
                Some("application/json (charset utf-8 if any)".into()),
                value.map(Value::String),
            ),
            RequestError::TooLarge {
                header,
                limit,
                value,
            } => (
                header,
                Some(format!("at most {limit} bytes")),
                Some(Value::String(value)),
            ),
            RequestError::BodyTimeout { seconds } => (
                "body",
                Some(format!("the whole body within {seconds} s")),
                None,
            ),
            RequestError::BodyRead { .. } => ("body", None, None),
            RequestError::DuplicateKey { path, key } => {
                return InputError::new(
                    &path,
                    error,
                    Some("each key at most once in a JSON object".into()),
                    Some(Value::String(key)),
                );
            }
            RequestError::NoRoute { path } => (
                "path",
                Some("a route of /api/openapi.json, or the dashboard's files".into()),
                Some(Value::String(path)),
            ),
            RequestError::Method { allow, method, .. } => {
                ("method", Some(allow), Some(Value::String(method)))
            }
            RequestError::WhatIfsBusy { limit, in_flight } => (
                "whatif",
                Some(format!("{limit} at once")),
                Some(Value::from(in_flight)),
            ),
        };
        InputError::new(key, error, limit, value)
    }
}

/// The JSON answer to a refusal.
pub fn refusal(e: RequestError) -> Response {
    (e.status(), Json(InputError::from(e))).into_response()
}

/// The middleware: [`Guard::admit`], then the handler, then any non-JSON 4xx made JSON.
pub async fn check(State(guard): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = quoted(req.uri().path().as_bytes());
    match guard.admit(req).await {
        Err(e) => refusal(e),
        Ok(req) => json_errors(next.run(req).await, method, path).await,
    }
}

/// A 4xx that is not JSON (axum's own: no route, a method not answered, an extractor's
/// rejection) as the API's error shape, its other headers (`Allow`) kept.
async fn json_errors(res: Response, method: String, path: String) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !status.is_client_error() || is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let body = match status {
        StatusCode::NOT_FOUND => InputError::from(RequestError::NoRoute { path }),
        StatusCode::METHOD_NOT_ALLOWED => InputError::from(RequestError::Method {
            path,
            allow: parts
                .headers
                .get(header::ALLOW)
                .map(|v| quoted(v.as_bytes()))
                .unwrap_or_default(),
            method,
        }),
        _ => {
            let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
            InputError::new("request", quoted(&text), None, Some(Value::String(path)))
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let json = serde_json::to_vec(&body).unwrap_or_default();
    Response::from_parts(parts, Body::from(json))
}

/// Refuses a JSON text with a key twice in one object (serde_json keeps the last silently, so
/// a request could say two things), naming the first repeated key by its path. Text that is
/// not JSON passes: the parser that follows reports it.
pub fn unique_keys(bytes: &[u8]) -> Result<(), RequestError> {
    let found = Cell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let seed = Unique {
        path: String::new(),
        found: &found,
    };
    match seed.deserialize(&mut de) {
        Ok(()) => Ok(()),
        Err(_) => found.take().map_or(Ok(()), Err),
    }
}

/// A JSON value walked for repeated keys; `path` is where it sits.
struct Unique<'a> {
    path: String,
    found: &'a Cell<Option<RequestError>>,
}

impl Unique<'_> {
    fn child(&self, step: &str) -> String {
        if self.path.is_empty() {
            step.to_string()
        } else {
            format!("{}.{step}", self.path)
        }
    }
}

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while seq
            .next_element_seed(Unique {
                path: self.child(&i.to_string()),
                found: self.found,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = self.child(&key);
            if seen.contains(&key) {
                self.found.set(Some(RequestError::DuplicateKey {
                    path: quoted(path.as_bytes()),
                    key: quoted(key.as_bytes()),
                }));
                return Err(de::Error::custom("a key given twice"));
            }
            map.next_value_seed(Unique {
                path,
                found: self.found,
            })?;
            seen.insert(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(addr: &str) -> Guard {
        Guard::new(addr.parse().unwrap())
    }

    #[test]
    fn hosts_of_a_loopback_server() {
        let g = guard("127.0.0.1:8080");
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LocalHost:8080",
            "127.1.2.3:8080",
            "[::1]:8080",
        ] {
            assert!(g.host_ok(ok), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "localhost.evil.example:8080",
            "127.0.0.1:8081",
            "127.0.0.1",
            "localhost",
            "127.0.0.1:",
            "127.0.0.1:+8080",
            "192.168.1.5:8080",
            "[::1",
            "[::2]:8080",
            "user@localhost:8080",
            "",
        ] {
            assert!(!g.host_ok(bad), "{bad}");
        }
        // Port 80 may be left out, as browsers do.
        let g = guard("127.0.0.1:80");
        assert!(g.host_ok("localhost") && g.host_ok("127.0.0.1:80"));
        assert!(!g.host_ok("evil.example"));
    }

    #[test]
    fn hosts_of_a_server_on_the_network() {
        let g = guard("192.168.1.5:8080");
        assert!(g.host_ok("192.168.1.5:8080") && g.host_ok("localhost:8080"));
        assert!(!g.host_ok("192.168.1.6:8080") && !g.host_ok("my-box.lan:8080"));
        // Bound to every address: any IP literal, still no other name.
        let g = guard("0.0.0.0:8080");
        assert!(g.host_ok("10.1.2.3:8080") && g.host_ok("[fe80::1]:8080"));
        assert!(!g.host_ok("evil.example:8080"));
        let g = guard("[::1]:9000");
        assert!(g.host_ok("[::1]:9000") && !g.host_ok("[::1]:9001"));
    }

    #[test]
    fn origins() {
        let g = guard("127.0.0.1:8080");
        assert!(g.origin_ok("http://127.0.0.1:8080") && g.origin_ok("http://localhost:8080"));
        for bad in [
            "null",
            "https://127.0.0.1:8080",
            "http://evil.example",
            "http://localhost:3000",
            "http://127.0.0.1:8080/x",
            "http://",
        ] {
            assert!(!g.origin_ok(bad), "{bad}");
        }
    }

    #[test]
    fn media_types() {
        let mut h = HeaderMap::new();
        for (ct, ok) in [
            ("application/json", true),
            ("Application/JSON; charset=UTF-8", true),
            ("application/json;charset=\"utf-8\"", true),
            ("application/json; charset=utf-16", false),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
            ("multipart/form-data; boundary=x", false),
            ("application/jsonx", false),
        ] {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            assert_eq!(json_media_type(&h).is_ok(), ok, "{ct}");
        }
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        let e = json_media_type(&h).unwrap_err().to_string();
        assert_eq!(
            e,
            "content-type: must be application/json; got \"text/plain\""
        );
        h.remove(header::CONTENT_TYPE);
        let e = json_media_type(&h).unwrap_err().to_string();
        assert_eq!(e, "content-type: must be application/json; got none");
    }

    #[test]
    fn repeated_keys_are_found_at_any_depth() {
        assert_eq!(
            unique_keys(br#"{"a": 1, "b": {"a": [1, {"a": 2}]}}"#),
            Ok(())
        );
        assert_eq!(
            unique_keys(br#"{"runs": 1, "runs": 2}"#),
            Err(RequestError::DuplicateKey {
                path: "runs".into(),
                key: "runs".into()
            })
        );
        // An escaped spelling is the same key.
        let e = unique_keys(br#"{"set": {"x": 1}, "input": [{}, {"k": 1, "\u006b": 2}]}"#);
        assert_eq!(
            e,
            Err(RequestError::DuplicateKey {
                path: "input.1.k".into(),
                key: "k".into()
            })
        );
        // Not JSON: left to the parser.
        assert_eq!(unique_keys(b"{not json"), Ok(()));
    }

    #[test]
    fn quoted_values_are_shortened() {
        let long = "x".repeat(500);
        let q = quoted(long.as_bytes());
        assert_eq!(q.chars().count(), limits::MAX_QUOTED_CHARS + 1);
        assert_eq!(quoted(b"\xffok"), "\u{fffd}ok");
    }
}
