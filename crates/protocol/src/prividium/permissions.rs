//! Who may do what on a Prividium: roles and users, rules per (contract, function selector,
//! access) that forbid whatever no rule allows, the interop routes each role may send on, and
//! the two checks the sequencer runs on every request — *admit* (is the caller an
//! authenticated, active user?) then *judge* (does a rule allow this call for this user?).
//!
//! The rule types are the Prividium permission API's (docs.zksync.io, "Prividium: Manage
//! Permissions"): `Public`, `Check Role`, `Restrict Argument`, `Check Role And Restrict
//! Argument`, `Check Role Or Restrict Argument`; "if a function has no rule, access is denied by
//! default", for reads (`eth_call`) as for writes. The permission API is off-chain software,
//! not a contract: its exact code is not public, so the checks below are a model of its
//! documented behaviour.

use crate::ChainId;
use alloy_primitives::{Address, Bytes, FixedBytes, B256};
use alloy_sol_types::{sol, SolCall};
use imbl::{OrdMap, OrdSet};
use serde::{Deserialize, Serialize};

/// A 4-byte function selector.
pub type Selector = FixedBytes<4>;

/// A role's name, as the admin panel shows it.
pub type RoleName = String;

/// The built-in role of the admin panel: "the admin status is itself a role"
/// (docs.zksync.io, "Prividium: Permissions Overview"). Its holders change users, roles, rules,
/// routes and approval policies.
pub const ADMIN_ROLE: &str = "admin";

/// Highest argument index a `Restrict Argument` rule may name (model bound: 32 head words).
pub const MAX_ARGUMENT_INDEX: u8 = 31;

sol! {
    /// ERC-20 `transfer`: how the judge sees a transfer of any asset (selector `0xa9059cbb`,
    /// era-contracts@4859b6f:l1-contracts/selectors).
    function transfer(address to, uint256 amount);
    /// ERC-20 `balanceOf`: how the judge sees a balance query (selector `0x70a08231`,
    /// era-contracts@4859b6f:l1-contracts/selectors).
    function balanceOf(address account);
    /// `InteropCallStarter` as the InteropCenter's ABI takes it
    /// (era-contracts@4859b6f:l1-contracts/contracts/common/Messaging.sol).
    struct CallStarter {
        bytes to;
        bytes data;
        bytes[] callAttributes;
    }
    /// `InteropCenter.sendBundle` (selector `0x5ef7e104`,
    /// era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol).
    function sendBundle(bytes destinationChainId, CallStarter[] callStarters, bytes[] bundleAttributes);
}

/// Read (`eth_call`, history) or write (a transaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Access {
    /// A query: checked on `eth_call` and on every item a listing would show.
    Read,
    /// A transaction: checked before the sequencer accepts it.
    Write,
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Read => "read",
            Self::Write => "write",
        })
    }
}

/// What a rule requires (the permission API's five rule types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleKind {
    /// Anyone admitted may call.
    Public,
    /// The caller must hold one of `roles`.
    CheckRole {
        /// Any one of these suffices.
        roles: Vec<RoleName>,
    },
    /// Argument `index` (a static ABI word of the calldata) must be the caller's address.
    RestrictArgument {
        /// Word index after the selector.
        index: u8,
    },
    /// Both: a role and the argument.
    CheckRoleAndRestrictArgument {
        /// Any one of these.
        roles: Vec<RoleName>,
        /// Word index after the selector.
        index: u8,
    },
    /// Either: a role or the argument.
    CheckRoleOrRestrictArgument {
        /// Any one of these.
        roles: Vec<RoleName>,
        /// Word index after the selector.
        index: u8,
    },
}

impl RuleKind {
    /// The roles the rule names (none for `Public` and `RestrictArgument`).
    pub fn roles(&self) -> &[RoleName] {
        match self {
            Self::CheckRole { roles }
            | Self::CheckRoleAndRestrictArgument { roles, .. }
            | Self::CheckRoleOrRestrictArgument { roles, .. } => roles,
            Self::Public | Self::RestrictArgument { .. } => &[],
        }
    }

    /// The argument index the rule restricts, if any.
    pub fn argument(&self) -> Option<u8> {
        match self {
            Self::RestrictArgument { index }
            | Self::CheckRoleAndRestrictArgument { index, .. }
            | Self::CheckRoleOrRestrictArgument { index, .. } => Some(*index),
            Self::Public | Self::CheckRole { .. } => None,
        }
    }
}

impl std::fmt::Display for RuleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Public => f.write_str("public"),
            Self::CheckRole { roles } => write!(f, "check role [{}]", roles.join(" ")),
            Self::RestrictArgument { index } => write!(f, "restrict argument {index}"),
            Self::CheckRoleAndRestrictArgument { roles, index } => {
                write!(
                    f,
                    "check role [{}] and restrict argument {index}",
                    roles.join(" ")
                )
            }
            Self::CheckRoleOrRestrictArgument { roles, index } => {
                write!(
                    f,
                    "check role [{}] or restrict argument {index}",
                    roles.join(" ")
                )
            }
        }
    }
}

/// What a rule applies to: one function of one contract, for reads or for writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RuleKey {
    /// The contract.
    pub contract: Address,
    /// The function.
    pub selector: Selector,
    /// Read or write.
    pub access: Access,
}

impl std::fmt::Display for RuleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}.{}", self.access, self.contract, self.selector)
    }
}

/// A registered user: its roles, and whether it may still sign in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct User {
    /// Roles held.
    pub roles: OrdSet<RoleName>,
    /// `false` once an admin disabled the user: every request is then refused at admission.
    pub active: bool,
}

/// Why the permission system refused a request. A denial is a decision, not an error: it is
/// recorded in the audit log and changes nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Denial {
    /// Admission: the caller is not a registered user (unauthenticated, HTTP 401).
    #[error("{caller} is not a registered user")]
    NotAUser {
        /// Who asked.
        caller: Address,
    },
    /// Admission: the user was disabled.
    #[error("{caller} is disabled")]
    UserDisabled {
        /// Who asked.
        caller: Address,
    },
    /// Judge: no rule for this function: forbidden by default.
    #[error("no {key} rule: forbidden by default")]
    NoRule {
        /// The function asked for.
        key: RuleKey,
    },
    /// Judge: the rule needs one of these roles.
    #[error("needs one of the roles [{}]", required.join(" "))]
    MissingRole {
        /// Roles the rule accepts.
        required: Vec<RoleName>,
    },
    /// Judge: argument `index` is not the caller's address (`found` is `None` when the
    /// calldata has no such word).
    #[error("argument {index} must be the caller {expected}")]
    ArgumentMismatch {
        /// Word index.
        index: u8,
        /// The caller.
        expected: Address,
        /// The word found.
        found: Option<B256>,
    },
    /// Judge: a `Check Role Or Restrict Argument` rule saw neither.
    #[error("needs one of the roles [{}] or argument {index} equal to the caller", required.join(" "))]
    NeitherRoleNorArgument {
        /// Roles the rule accepts.
        required: Vec<RoleName>,
        /// Word index.
        index: u8,
    },
    /// Interop: none of the caller's roles may send to this chain.
    #[error("no role of the caller may send interop to chain {destination}")]
    DestinationNotAllowed {
        /// The destination chain.
        destination: ChainId,
    },
    /// Admin panel: the caller does not hold the admin role.
    #[error("{caller} does not hold the admin role")]
    NotAdmin {
        /// Who asked.
        caller: Address,
    },
    /// Approvals: only the policy's named approver may approve or reject.
    #[error("only {approver} may decide this transfer")]
    NotTheApprover {
        /// The named approver.
        approver: Address,
    },
}

/// A call as the judge sees it: contract, calldata (selector and ABI words) and access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallView {
    /// The contract called.
    pub contract: Address,
    /// Full calldata, selector first.
    pub calldata: Bytes,
    /// Read or write.
    pub access: Access,
}

impl CallView {
    /// A call of `contract` with ABI-encoded `calldata`.
    pub fn new(contract: Address, calldata: Vec<u8>, access: Access) -> Self {
        Self {
            contract,
            calldata: calldata.into(),
            access,
        }
    }

    /// The selector (zero when the calldata is shorter than 4 bytes).
    pub fn selector(&self) -> Selector {
        self.calldata
            .get(..4)
            .map(Selector::from_slice)
            .unwrap_or_default()
    }

    /// The rule key this call is judged under.
    pub fn key(&self) -> RuleKey {
        RuleKey {
            contract: self.contract,
            selector: self.selector(),
            access: self.access,
        }
    }

    /// ABI word `index` after the selector (for dynamic arguments: their offset).
    pub fn word(&self, index: u8) -> Option<B256> {
        let start = 4 + 32 * usize::from(index);
        self.calldata.get(start..start + 32).map(B256::from_slice)
    }
}

/// `transfer(to, amount)` calldata.
pub fn transfer_calldata(to: Address, amount: alloy_primitives::U256) -> Vec<u8> {
    transferCall { to, amount }.abi_encode()
}

/// `balanceOf(account)` calldata.
pub fn balance_of_calldata(account: Address) -> Vec<u8> {
    balanceOfCall { account }.abi_encode()
}

/// The selector of `sendBundle`.
pub fn send_bundle_selector() -> Selector {
    Selector::from(sendBundleCall::SELECTOR)
}

/// `sendBundle(destination, starters, attributes)` calldata.
pub fn send_bundle_calldata(
    destination: &Bytes,
    starters: &[crate::interop::bundle::InteropCallStarter],
    attributes: &[Bytes],
) -> Vec<u8> {
    sendBundleCall {
        destinationChainId: destination.clone(),
        callStarters: starters
            .iter()
            .map(|s| CallStarter {
                to: s.to.clone(),
                data: s.data.clone(),
                callAttributes: s.call_attributes.clone(),
            })
            .collect(),
        bundleAttributes: attributes.to_vec(),
    }
    .abi_encode()
}

/// Users, roles, rules and interop routes of one Prividium.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Permissions {
    /// Roles that exist (always includes [`ADMIN_ROLE`]).
    pub roles: OrdSet<RoleName>,
    /// Registered users.
    pub users: OrdMap<Address, User>,
    /// Rules; a function without one is forbidden.
    pub rules: OrdMap<RuleKey, RuleKind>,
    /// Destination chains each role may send interop bundles to.
    pub routes: OrdMap<RoleName, OrdSet<ChainId>>,
}

impl Permissions {
    /// A fresh permission set whose only user is the first admin.
    pub fn new(admin: Address) -> Self {
        let mut p = Self::default();
        p.roles.insert(ADMIN_ROLE.to_string());
        p.users.insert(
            admin,
            User {
                roles: std::iter::once(ADMIN_ROLE.to_string()).collect(),
                active: true,
            },
        );
        p
    }

    /// Admission: the caller must be a registered, active user.
    pub fn admit(&self, caller: Address) -> Result<&User, Denial> {
        match self.users.get(&caller) {
            None => Err(Denial::NotAUser { caller }),
            Some(u) if !u.active => Err(Denial::UserDisabled { caller }),
            Some(u) => Ok(u),
        }
    }

    /// The judge: evaluates the rule for `call`. Returns the rule found (if any) with the
    /// verdict, so that the audit log can name what decided.
    pub fn judge(
        &self,
        user: &User,
        caller: Address,
        call: &CallView,
    ) -> (Option<&RuleKind>, Result<(), Denial>) {
        let key = call.key();
        let Some(rule) = self.rules.get(&key) else {
            return (None, Err(Denial::NoRule { key }));
        };
        let has_role = || rule.roles().iter().any(|r| user.roles.contains(r));
        let argument = |index: u8| {
            let found = call.word(index);
            if found == Some(caller.into_word()) {
                Ok(())
            } else {
                Err(Denial::ArgumentMismatch {
                    index,
                    expected: caller,
                    found,
                })
            }
        };
        let missing = || Denial::MissingRole {
            required: rule.roles().to_vec(),
        };
        let verdict = match rule {
            RuleKind::Public => Ok(()),
            RuleKind::CheckRole { .. } => {
                if has_role() {
                    Ok(())
                } else {
                    Err(missing())
                }
            }
            RuleKind::RestrictArgument { index } => argument(*index),
            RuleKind::CheckRoleAndRestrictArgument { index, .. } => {
                if has_role() {
                    argument(*index)
                } else {
                    Err(missing())
                }
            }
            RuleKind::CheckRoleOrRestrictArgument { roles, index } => {
                if has_role() || argument(*index).is_ok() {
                    Ok(())
                } else {
                    Err(Denial::NeitherRoleNorArgument {
                        required: roles.clone(),
                        index: *index,
                    })
                }
            }
        };
        (Some(rule), verdict)
    }

    /// The first of the user's roles (in name order) that may send interop to `destination`.
    pub fn route(&self, user: &User, destination: ChainId) -> Result<RoleName, Denial> {
        user.roles
            .iter()
            .find(|r| {
                self.routes
                    .get(*r)
                    .is_some_and(|set| set.contains(&destination))
            })
            .cloned()
            .ok_or(Denial::DestinationNotAllowed { destination })
    }

    /// Whether the user holds the admin role.
    pub fn is_admin(user: &User) -> bool {
        user.roles.contains(ADMIN_ROLE)
    }
}
