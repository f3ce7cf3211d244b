//! A minimal JSON-RPC client over plain HTTP/1.1, for `flywheel devnet trace --rpc URL`
//! (a devnet on loopback: no TLS, no redirects). One request per connection; the answer is
//! read up to [`crate::limits::MAX_BODY_BYTES`] within [`crate::limits::CLIENT_TIMEOUT`].

use crate::error::DevnetError;
use crate::limits::{CLIENT_TIMEOUT, MAX_BODY_BYTES};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};

fn err(url: &str, message: impl Into<String>) -> DevnetError {
    DevnetError::Rpc {
        url: url.to_string(),
        message: message.into(),
    }
}

/// Calls `method` with `params` at `url` (`http://host:port[/path]`) and returns its
/// `result`, or its JSON-RPC error as the message.
pub fn call(url: &str, method: &str, params: Value) -> Result<Value, DevnetError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| err(url, "only http:// URLs are served by the devnet"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return Err(err(url, "expected http://host:port"));
    }
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = with_port
        .to_socket_addrs()
        .map_err(|e| err(url, e.to_string()))?
        .next()
        .ok_or_else(|| err(url, "the host has no address"))?;
    let mut s = TcpStream::connect_timeout(&addr, CLIENT_TIMEOUT)
        .map_err(|e| err(url, format!("cannot connect: {e}")))?;
    s.set_read_timeout(Some(CLIENT_TIMEOUT))
        .and_then(|()| s.set_write_timeout(Some(CLIENT_TIMEOUT)))
        .map_err(|e| err(url, e.to_string()))?;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| err(url, e.to_string()))?;
    let mut raw = Vec::new();
    let limit = MAX_BODY_BYTES as u64 + 64 * 1024;
    s.take(limit + 1)
        .read_to_end(&mut raw)
        .map_err(|e| err(url, e.to_string()))?;
    if raw.len() as u64 > limit {
        return Err(err(
            url,
            format!("the answer exceeds the limit of {MAX_BODY_BYTES} bytes"),
        ));
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| err(url, "not an HTTP answer"))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head.lines().next().unwrap_or_default();
    if !status.contains(" 200 ") {
        return Err(err(url, format!("HTTP answer {status:?}")));
    }
    let v: Value = serde_json::from_slice(&raw[split + 4..])
        .map_err(|e| err(url, format!("the answer is not JSON: {e}")))?;
    if let Some(e) = v.get("error") {
        let message = e["message"].as_str().unwrap_or("error without a message");
        return Err(err(url, format!("{method}: {message}")));
    }
    Ok(v.get("result").cloned().unwrap_or(Value::Null))
}
