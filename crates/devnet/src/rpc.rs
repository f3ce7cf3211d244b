//! The JSON-RPC 2.0 envelope: parsing a request body (one call or a batch), the error codes of
//! the specification and of Ethereum nodes, and the response. Method handling is in
//! [`crate::node`]; nothing here knows about chains.

pub use crate::limits::{MAX_BATCH, MAX_BODY_BYTES};
use serde_json::{json, Map, Value};

/// `-32700`: the body is not JSON.
pub const PARSE_ERROR: i64 = -32700;
/// `-32600`: JSON, but not a request (or a batch too large, or an oversized body).
pub const INVALID_REQUEST: i64 = -32600;
/// `-32601`: no such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// `-32602`: wrong parameters.
pub const INVALID_PARAMS: i64 = -32602;
/// `-32603`: the server failed (a bug, never a user's fault).
pub const INTERNAL_ERROR: i64 = -32603;
/// `-32000`: the request was understood and refused (unknown block, bad transaction…), the
/// code Ethereum nodes use for such errors.
pub const SERVER_ERROR: i64 = -32000;

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// The code (see the constants above).
    pub code: i64,
    /// A one-line message for a person.
    pub message: String,
    /// Extra data (revert data, for example).
    pub data: Option<Value>,
}

impl RpcError {
    /// An error with a code and message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// `-32601` for `method`.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            METHOD_NOT_FOUND,
            format!("the method {method} does not exist/is not available"),
        )
    }

    /// `-32602` with a reason.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(INVALID_PARAMS, message)
    }

    /// `-32000` with a reason.
    pub fn server(message: impl Into<String>) -> Self {
        Self::new(SERVER_ERROR, message)
    }

    fn to_json(&self) -> Value {
        let mut e = json!({ "code": self.code, "message": self.message });
        if let (Some(data), Some(obj)) = (&self.data, e.as_object_mut()) {
            obj.insert("data".into(), data.clone());
        }
        e
    }
}

/// One parsed call: its id (absent for a notification), method and positional parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// `None` for a notification (no response is sent).
    pub id: Option<Value>,
    /// The method name.
    pub method: String,
    /// Positional parameters (`[]` when absent). Named parameters are refused by
    /// [`Call::positional`].
    pub params: Value,
}

impl Call {
    /// The parameters as a list: absent or `null` is empty, an object is `-32602` (every
    /// Ethereum method takes positional parameters).
    pub fn positional(&self) -> Result<&[Value], RpcError> {
        match &self.params {
            Value::Array(a) => Ok(a),
            Value::Null => Ok(&[]),
            _ => Err(RpcError::invalid_params(
                "params must be an array (positional parameters)",
            )),
        }
    }
}

/// One element of a request: a call, or an element that is not a valid request (answered
/// with `-32600` and the id if one could be read).
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A valid call.
    Call(Call),
    /// Not a request object.
    Invalid {
        /// Its id, when readable.
        id: Value,
        /// Why.
        error: RpcError,
    },
}

/// A parsed body.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// One call (or invalid element): answered with one object.
    Single(Entry),
    /// A batch: answered with an array of the non-notification answers.
    Batch(Vec<Entry>),
    /// The whole body is refused (not JSON, an empty or oversized batch): one error object.
    Refused(RpcError),
}

/// Parses a request body.
pub fn parse(body: &[u8]) -> Request {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Request::Refused(RpcError::new(PARSE_ERROR, format!("parse error: {e}"))),
    };
    match value {
        Value::Array(items) => {
            if items.is_empty() {
                return Request::Refused(RpcError::new(INVALID_REQUEST, "empty batch"));
            }
            if items.len() > MAX_BATCH {
                return Request::Refused(RpcError::new(
                    INVALID_REQUEST,
                    format!(
                        "batch of {} calls exceeds the limit of {MAX_BATCH}",
                        items.len()
                    ),
                ));
            }
            Request::Batch(items.into_iter().map(entry).collect())
        }
        other => Request::Single(entry(other)),
    }
}

fn entry(value: Value) -> Entry {
    let invalid = |id: Value, why: &str| Entry::Invalid {
        id,
        error: RpcError::new(INVALID_REQUEST, format!("invalid request: {why}")),
    };
    let Value::Object(mut obj) = value else {
        return invalid(Value::Null, "not an object");
    };
    let id = obj.remove("id");
    let shown_id = id.clone().unwrap_or(Value::Null);
    if id
        .as_ref()
        .is_some_and(|v| !(v.is_string() || v.is_number() || v.is_null()))
    {
        return invalid(Value::Null, "id must be a string, a number or null");
    }
    if obj.get("jsonrpc") != Some(&Value::String("2.0".into())) {
        return invalid(shown_id, "jsonrpc must be \"2.0\"");
    }
    let method = match obj.remove("method") {
        Some(Value::String(m)) => m,
        _ => return invalid(shown_id, "method must be a string"),
    };
    let params = obj.remove("params").unwrap_or(Value::Null);
    if !(params.is_array() || params.is_object() || params.is_null()) {
        return invalid(shown_id, "params must be an array or an object");
    }
    Entry::Call(Call { id, method, params })
}

/// The response object of one answered call.
pub fn response(id: Value, result: Result<Value, RpcError>) -> Value {
    let mut obj = Map::new();
    obj.insert("jsonrpc".into(), Value::String("2.0".into()));
    obj.insert("id".into(), id);
    match result {
        Ok(v) => obj.insert("result".into(), v),
        Err(e) => obj.insert("error".into(), e.to_json()),
    };
    Value::Object(obj)
}

/// Answers a parsed request with `handle` for each call; `None` when nothing is to be sent
/// back (only notifications).
pub fn answer(
    request: Request,
    mut handle: impl FnMut(&Call) -> Result<Value, RpcError>,
) -> Option<Value> {
    let mut one = |e: Entry| -> Option<Value> {
        match e {
            Entry::Call(call) => {
                let result = handle(&call);
                call.id.map(|id| response(id, result))
            }
            Entry::Invalid { id, error } => Some(response(id, Err(error))),
        }
    };
    match request {
        Request::Refused(e) => Some(response(Value::Null, Err(e))),
        Request::Single(e) => one(e),
        Request::Batch(entries) => {
            let out: Vec<Value> = entries.into_iter().filter_map(one).collect();
            (!out.is_empty()).then_some(Value::Array(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo(call: &Call) -> Result<Value, RpcError> {
        match call.method.as_str() {
            "echo" => Ok(call.params.clone()),
            m => Err(RpcError::method_not_found(m)),
        }
    }

    fn run(body: &str) -> Option<Value> {
        answer(parse(body.as_bytes()), echo)
    }

    fn code(v: &Value) -> i64 {
        v["error"]["code"].as_i64().unwrap()
    }

    #[test]
    fn single_calls_answer_with_their_id() {
        let r = run(r#"{"jsonrpc":"2.0","id":7,"method":"echo","params":[1]}"#).unwrap();
        assert_eq!(r, json!({"jsonrpc":"2.0","id":7,"result":[1]}));
        let r = run(r#"{"jsonrpc":"2.0","id":"x","method":"nope"}"#).unwrap();
        assert_eq!(code(&r), METHOD_NOT_FOUND);
        assert_eq!(r["id"], "x");
    }

    #[test]
    fn malformed_bodies_get_the_specified_codes() {
        assert_eq!(code(&run("{not json").unwrap()), PARSE_ERROR);
        assert_eq!(code(&run("[]").unwrap()), INVALID_REQUEST);
        assert_eq!(code(&run("3").unwrap()), INVALID_REQUEST);
        let r = run(r#"{"id":1,"method":"echo"}"#).unwrap();
        assert_eq!((code(&r), r["id"].clone()), (INVALID_REQUEST, json!(1)));
        let r = run(r#"{"jsonrpc":"2.0","id":1,"method":5}"#).unwrap();
        assert_eq!(code(&r), INVALID_REQUEST);
        let r = run(r#"{"jsonrpc":"2.0","id":[1],"method":"echo"}"#).unwrap();
        assert_eq!(code(&r), INVALID_REQUEST);
        let r = run(r#"{"jsonrpc":"2.0","id":1,"method":"echo","params":3}"#).unwrap();
        assert_eq!(code(&r), INVALID_REQUEST);
    }

    #[test]
    fn batches_keep_order_skip_notifications_and_have_a_limit() {
        let body = r#"[{"jsonrpc":"2.0","id":1,"method":"echo","params":[]},
                      {"jsonrpc":"2.0","method":"echo"},
                      5,
                      {"jsonrpc":"2.0","id":2,"method":"nope"}]"#;
        let r = run(body).unwrap();
        let arr = r.as_array().unwrap();
        assert_eq!(arr.len(), 3);
        assert_eq!(arr[0]["id"], 1);
        assert_eq!(code(&arr[1]), INVALID_REQUEST);
        assert_eq!(
            (arr[2]["id"].clone(), code(&arr[2])),
            (json!(2), METHOD_NOT_FOUND)
        );
        assert!(run(r#"[{"jsonrpc":"2.0","method":"echo"}]"#).is_none());
        let many = format!(
            "[{}]",
            vec![r#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#; MAX_BATCH + 1].join(",")
        );
        assert_eq!(code(&run(&many).unwrap()), INVALID_REQUEST);
        let max = format!(
            "[{}]",
            vec![r#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#; MAX_BATCH].join(",")
        );
        assert_eq!(run(&max).unwrap().as_array().unwrap().len(), MAX_BATCH);
    }

    #[test]
    fn named_params_are_invalid_params() {
        let call = Call {
            id: Some(json!(1)),
            method: "m".into(),
            params: json!({"a": 1}),
        };
        assert_eq!(call.positional().unwrap_err().code, INVALID_PARAMS);
    }
}
