//! The audit log: every request a Prividium's permission system decided on — its caller, what
//! was asked, the decision and the rule that decided — denials included, in order; and its
//! export for compliance review as JSON Lines and CSV (pure functions: the same log always
//! gives the same bytes).
//!
//! Requests that cannot be decided (an admin change naming an unknown role) and admitted
//! transactions that fail (an insufficient balance) are rejected as errors and leave no entry,
//! like every rejected action: they change nothing.

use super::filterer::{FilterRule, L1Request};
use super::permissions::{Denial, RoleName, RuleKey, RuleKind, Selector};
use super::{AdminChange, PrividiumTx, Query};
use crate::chain::AssetId;
use crate::ChainId;
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

/// What was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// An admin-panel change.
    Admin(AdminChange),
    /// A transaction.
    Submit(PrividiumTx),
    /// A read.
    Read(Query),
    /// Approve held transfer `request`.
    Approve {
        /// Request id.
        request: u64,
    },
    /// Reject held transfer `request`.
    Reject {
        /// Request id.
        request: u64,
    },
    /// Held transfer `request` passed its window.
    Expire {
        /// Request id.
        request: u64,
    },
    /// An L1 → L2 request the filterer let in.
    L1(L1Request),
}

/// What was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// Allowed (and done).
    Allowed,
    /// Refused.
    Denied(Denial),
    /// Allowed, but held for approval as request `request`.
    Held {
        /// Request id.
        request: u64,
    },
    /// Held request approved and executed.
    Approved {
        /// Request id.
        request: u64,
    },
    /// Held request rejected.
    Rejected {
        /// Request id.
        request: u64,
    },
    /// Held request expired unapproved.
    Expired {
        /// Request id.
        request: u64,
    },
}

/// The rule that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleRef {
    /// The user registry (admission).
    Admission,
    /// A function rule.
    Rule {
        /// The function.
        key: RuleKey,
        /// Its rule.
        rule: RuleKind,
    },
    /// No rule for the function: forbidden by default.
    DefaultDeny {
        /// The function.
        key: RuleKey,
    },
    /// An interop route (the role that has it, if any).
    Route {
        /// Destination chain.
        destination: ChainId,
        /// The caller's role that may send there.
        role: Option<RoleName>,
    },
    /// The admin role.
    AdminRole,
    /// An asset's approval policy.
    ApprovalPolicy {
        /// The asset.
        asset: AssetId,
        /// Its limit.
        limit: U256,
        /// Its approver.
        approver: Address,
    },
    /// The policy's named approver.
    NamedApprover {
        /// The approver.
        approver: Address,
    },
    /// The approval window.
    ApprovalWindow {
        /// When it closed.
        expires_at: u64,
    },
    /// Read filtering: what the caller may see of a listing.
    Visibility {
        /// Items shown.
        shown: u64,
        /// Items withheld.
        hidden: u64,
    },
    /// The L1 transaction filterer's branch.
    Filterer(FilterRule),
}

impl std::fmt::Display for RuleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Admission => f.write_str("admission (user registry)"),
            Self::Rule { key, rule } => write!(f, "{key}: {rule}"),
            Self::DefaultDeny { key } => write!(f, "{key}: no rule, forbidden by default"),
            Self::Route {
                destination,
                role: Some(r),
            } => write!(f, "route to chain {destination} (role {r})"),
            Self::Route {
                destination,
                role: None,
            } => write!(f, "route to chain {destination} (no role has it)"),
            Self::AdminRole => f.write_str("admin role"),
            Self::ApprovalPolicy {
                asset,
                limit,
                approver,
            } => write!(
                f,
                "approval policy of {asset}: above {limit} wei needs {approver}"
            ),
            Self::NamedApprover { approver } => write!(f, "named approver {approver}"),
            Self::ApprovalWindow { expires_at } => {
                write!(f, "approval window closed at {expires_at}")
            }
            Self::Visibility { shown, hidden } => {
                write!(f, "visibility filter: {shown} shown, {hidden} withheld")
            }
            Self::Filterer(rule) => write!(f, "transaction filterer: {rule}"),
        }
    }
}

/// One decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log (from 0).
    pub seq: u64,
    /// When (seconds).
    pub at: u64,
    /// Who asked (the L1 sender for an L1 request).
    pub caller: Address,
    /// What was asked.
    pub request: Request,
    /// The call judged (contract, selector), when the request is a call.
    pub call: Option<(Address, Selector)>,
    /// What was decided.
    pub decision: Decision,
    /// What decided it.
    pub rule: RuleRef,
}

/// The columns of both exports, in order.
pub const COLUMNS: [&str; 11] = [
    "seq", "time", "chain", "caller", "request", "contract", "selector", "detail", "decision",
    "reason", "rule",
];

impl AuditEntry {
    /// The entry as the exports' columns ([`COLUMNS`]), all text.
    pub fn row(&self, chain: ChainId) -> [String; 11] {
        let (kind, detail) = describe(&self.request);
        let (decision, reason) = match &self.decision {
            Decision::Allowed => ("allowed", String::new()),
            Decision::Denied(d) => ("denied", d.to_string()),
            Decision::Held { request } => ("held", format!("approval request {request}")),
            Decision::Approved { request } => ("approved", format!("approval request {request}")),
            Decision::Rejected { request } => ("rejected", format!("approval request {request}")),
            Decision::Expired { request } => ("expired", format!("approval request {request}")),
        };
        let (contract, selector) = self.call.map_or((String::new(), String::new()), |(c, s)| {
            (c.to_checksum(None), s.to_string())
        });
        [
            self.seq.to_string(),
            self.at.to_string(),
            chain.to_string(),
            self.caller.to_checksum(None),
            kind.to_string(),
            contract,
            selector,
            detail,
            decision.to_string(),
            reason,
            self.rule.to_string(),
        ]
    }
}

/// (request kind, one-line detail) of a request.
fn describe(r: &Request) -> (&'static str, String) {
    match r {
        Request::Admin(c) => match c {
            AdminChange::CreateRole { role } => ("admin.create_role", format!("role {role}")),
            AdminChange::RegisterUser { user, roles } => (
                "admin.register_user",
                format!("user {user} with roles [{}]", roles.join(" ")),
            ),
            AdminChange::AssignRole { user, role } => {
                ("admin.assign_role", format!("role {role} to {user}"))
            }
            AdminChange::RevokeRole { user, role } => {
                ("admin.revoke_role", format!("role {role} from {user}"))
            }
            AdminChange::DisableUser { user } => ("admin.disable_user", format!("user {user}")),
            AdminChange::SetRule { key, rule } => (
                "admin.set_rule",
                match rule {
                    Some(r) => format!("{key}: {r}"),
                    None => format!("{key}: removed"),
                },
            ),
            AdminChange::SetRoute {
                role,
                destination,
                allowed,
            } => (
                "admin.set_route",
                format!(
                    "role {role} {} send to chain {destination}",
                    if *allowed { "may" } else { "may not" }
                ),
            ),
            AdminChange::SetApprovalPolicy { asset, policy } => (
                "admin.set_approval_policy",
                match policy {
                    Some(p) => format!(
                        "{asset}: above {} wei needs {} within {} s",
                        p.limit, p.approver, p.window
                    ),
                    None => format!("{asset}: removed"),
                },
            ),
        },
        Request::Submit(PrividiumTx::Transfer { asset, to, amount }) => (
            "submit.transfer",
            format!("{amount} wei of {asset} to {to}"),
        ),
        Request::Submit(PrividiumTx::SendBundle {
            destination,
            starters,
            value,
            ..
        }) => (
            "submit.send_bundle",
            format!(
                "{} call(s) to {destination} with {value} wei",
                starters.len()
            ),
        ),
        Request::Read(Query::BalanceOf { asset, account }) => {
            ("read.balance_of", format!("{asset} of {account}"))
        }
        Request::Read(Query::Transactions) => ("read.transactions", String::new()),
        Request::Approve { request } => ("approval.approve", format!("request {request}")),
        Request::Reject { request } => ("approval.reject", format!("request {request}")),
        Request::Expire { request } => ("approval.expire", format!("request {request}")),
        Request::L1(r) => (
            "l1.request",
            format!(
                "from {} to {}: mint {} wei, L2 value {} wei, {} byte(s) of calldata",
                r.sender,
                r.contract_l2,
                r.mint_value,
                r.l2_value,
                r.calldata.len()
            ),
        ),
    }
}

/// A JSON string literal (RFC 8259 escaping).
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A CSV field (RFC 4180: quoted when it holds a comma, a quote or a line break).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The log as JSON Lines: one object per entry, keys in [`COLUMNS`] order, every value a
/// string (numbers too: wei amounts exceed JSON's safe integers).
pub fn to_jsonl<'a>(chain: ChainId, entries: impl IntoIterator<Item = &'a AuditEntry>) -> String {
    let mut out = String::new();
    for e in entries {
        let row = e.row(chain);
        out.push('{');
        for (i, (k, v)) in COLUMNS.iter().zip(row.iter()).enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&json_string(k));
            out.push(':');
            out.push_str(&json_string(v));
        }
        out.push_str("}\n");
    }
    out
}

/// The log as CSV with a header line (CRLF-free: lines end in `\n`).
pub fn to_csv<'a>(chain: ChainId, entries: impl IntoIterator<Item = &'a AuditEntry>) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for e in entries {
        let row = e.row(chain);
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}
