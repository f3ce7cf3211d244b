//! Event fidelity's Stage 1 chain ([`EventPriority`]): the real diamond on the protocol's
//! `Network`: real deposits, batches, activation, permissionless settlement and ZIP.

use super::backend::protocol;
use super::*;
use crate::ledger::SimError;
use alloy_primitives::{Address, Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{ChainConfig, ChainKind, DataAvailability, ExecutionEnvironment};
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::genesis::{account, eth};
use flywheel_protocol::governance::ProposalAction;
use flywheel_protocol::interop::bundle::InteropCallStarter;
use flywheel_protocol::network::{Action, Network};
use flywheel_protocol::priority::fees::{self, ChainFeeParams};
use flywheel_protocol::priority::zip::{zip_timeline, ZipActors};
use flywheel_protocol::priority::{Diamond, PriorityAction, PriorityError};

/// Chain id of the Stage 1 chain in event fidelity.
pub const PRIORITY_CHAIN_ID: u64 = 400;

/// The Stage 1 chain's genesis entry: a ZKsync OS rollup on L1 with ETH as its base token.
pub fn chain_config(spec: &ValidatedPriority, l1: u64) -> ChainConfig {
    let name = &spec.spec.chain;
    ChainConfig {
        id: PRIORITY_CHAIN_ID,
        name: name.clone(),
        kind: ChainKind::ZkChain,
        base_token: eth(),
        settlement_layer: Some(l1),
        zk_token_available: true,
        operator: account(&format!("operator-{name}")),
        admin: account(&format!("admin-{name}")),
        execution: ExecutionEnvironment::ZksyncOs,
        data_availability: DataAvailability::Rollup,
    }
}

/// The depositors' account (funded on L1).
pub fn depositors() -> Address {
    account("depositors")
}

/// Who activates priority mode and runs the permissionless validator.
pub fn rescuer() -> Address {
    account("stage1-rescuer")
}

/// The accounts and plan of the Stage 1 chain in event fidelity.
#[derive(Debug, Clone)]
pub struct EventPriorityPlan {
    spec: ValidatedPriority,
    admin: Address,
    operator: Address,
    /// Who proposes and passes the deactivation ZIP.
    voter: Address,
    /// Where the chain's users try to send interop.
    interop_destination: u64,
    /// The deactivation ZIP's actions, once proposed.
    zip: Vec<Action>,
}

impl EventPriorityPlan {
    /// The plan for `spec`; `voter` holds the users' ZK, `interop_destination` is a Gateway
    /// chain.
    pub fn new(spec: ValidatedPriority, voter: Address, interop_destination: u64) -> Self {
        let name = spec.spec.chain.clone();
        Self {
            spec,
            admin: account(&format!("admin-{name}")),
            operator: account(&format!("operator-{name}")),
            voter,
            interop_destination,
            zip: Vec::new(),
        }
    }

    /// Actions that prepare the network at genesis: fund the depositors on L1 and let the
    /// voter delegate its votes to itself.
    pub fn setup_actions(&self, l1: u64) -> Vec<Action> {
        let mut v = vec![Action::Fund {
            chain: l1,
            asset: eth(),
            to: depositors(),
            amount: U256::from(10u8).pow(U256::from(40u8)),
        }];
        if self.spec.spec.deactivation_zip_after_days > 0 {
            v.push(Action::ZkDelegate {
                delegator: self.voter,
                delegatee: self.voter,
            });
        }
        v
    }
}

/// Event fidelity: the agent's calls as actions on the protocol's network.
pub struct EventPriority<'a> {
    /// The network.
    pub net: &'a mut Network,
    /// The plan.
    pub plan: &'a mut EventPriorityPlan,
}

impl EventPriority<'_> {
    fn apply(&mut self, what: &str, action: Action) -> Result<(), SimError> {
        self.net
            .apply(action)
            .map(|_| ())
            .map_err(|e| SimError::Protocol {
                what: what.to_string(),
                reason: e.to_string(),
            })
    }

    fn p(&mut self, what: &str, action: PriorityAction) -> Result<(), SimError> {
        self.apply(what, Action::Priority(action))
    }

    fn d(&self) -> Result<&Diamond, SimError> {
        self.net
            .state()
            .priority
            .get(PRIORITY_CHAIN_ID)
            .map_err(|e| SimError::Protocol {
                what: "the Stage 1 chain".into(),
                reason: e.to_string(),
            })
    }
}

impl PriorityBackend for EventPriority<'_> {
    fn now(&self) -> u64 {
        self.net.state().time
    }

    fn advance_to(&mut self, t: u64) -> Result<(), SimError> {
        let now = self.now();
        if t > now {
            self.apply("advance time", Action::AdvanceTime { seconds: t - now })?;
        }
        Ok(())
    }

    fn make_permanent_rollup(&mut self) -> Result<(), SimError> {
        let caller = self.plan.admin;
        self.p(
            "make permanent rollup",
            PriorityAction::MakePermanentRollup {
                chain: PRIORITY_CHAIN_ID,
                caller,
            },
        )
    }

    fn arm(&mut self) -> Result<(), SimError> {
        let caller = self.plan.admin;
        self.p(
            "arm priority mode",
            PriorityAction::PermanentlyAllowPriorityMode {
                chain: PRIORITY_CHAIN_ID,
                caller,
            },
        )
    }

    fn deposit(&mut self) -> Result<(), SimError> {
        let s = &self.plan.spec;
        let l1_gas_price = U256::from(s.spec.l1_gas_price_gwei) * U256::from(1_000_000_000u64);
        let (gas_limit, value) = (s.spec.l2_gas_limit, s.deposit_value);
        let d = self.d()?;
        let (_, cost) =
            fees::request_base_cost(&d.fee_params, d.multiplier, l1_gas_price, gas_limit)
                .map_err(protocol("deposit"))?;
        self.p(
            "deposit",
            PriorityAction::RequestL2Transaction {
                chain: PRIORITY_CHAIN_ID,
                sender: depositors(),
                contract_l2: depositors(),
                l2_value: value,
                calldata: Bytes::new(),
                l2_gas_limit: gas_limit,
                mint_value: value + cost,
                refund_recipient: Address::ZERO,
                l1_gas_price,
            },
        )
    }

    fn raise_fees(&mut self) -> Result<bool, SimError> {
        let d = self.d()?;
        let last = d.last_fee_params_update.max(d.last_multiplier_update);
        if last != 0 && self.now() < last + fees::PRICE_UPDATE_INTERVAL {
            return Ok(false);
        }
        let Some(minimal) =
            fees::max_minimal_gas_price_raise(&d.fee_params, d.multiplier, d.queue_size())
        else {
            return Ok(false);
        };
        let params = ChainFeeParams {
            minimal_l2_gas_price: minimal,
            ..d.fee_params
        };
        let caller = self.plan.admin;
        self.p(
            "raise fees",
            PriorityAction::ChangeFeeParams {
                chain: PRIORITY_CHAIN_ID,
                caller,
                params,
            },
        )?;
        Ok(true)
    }

    fn reference_price(&self) -> U256 {
        self.d()
            .ok()
            .and_then(|d| fees::reference_l2_gas_price(&d.fee_params, d.multiplier).ok())
            .unwrap_or_default()
    }

    fn activated(&self) -> bool {
        self.d().is_ok_and(|d| d.priority_mode.activated)
    }

    fn earliest_activation(&self) -> Option<u64> {
        self.d().ok().and_then(Diamond::earliest_activation)
    }

    fn activate(&mut self) -> Result<u64, SimError> {
        let d = self.d()?;
        let reverted = d.total_committed() - d.total_executed;
        self.p(
            "activate priority mode",
            PriorityAction::ActivatePriorityMode {
                chain: PRIORITY_CHAIN_ID,
                caller: rescuer(),
            },
        )?;
        Ok(reverted)
    }

    fn operator_turn(&mut self, censoring: bool) -> Result<bool, SimError> {
        let operator = self.plan.operator;
        let d = self.d()?;
        let chain = PRIORITY_CHAIN_ID;
        if !d.priority_mode.activated {
            let (to_prove, to_execute) = (
                d.total_committed() - d.total_verified,
                d.total_committed() - d.total_executed,
            );
            if to_prove > 0 {
                self.p(
                    "operator proves",
                    PriorityAction::ProveBatches {
                        chain,
                        caller: operator,
                        count: to_prove,
                    },
                )?;
            }
            if to_execute > 0 {
                self.p(
                    "operator executes",
                    PriorityAction::ExecuteBatches {
                        chain,
                        caller: operator,
                        count: to_execute,
                    },
                )?;
            }
        }
        let d = self.d()?;
        let skip = d.committed_l1_txs();
        let l1 = if censoring { 0 } else { d.queue_size() - skip };
        let hash = d.priority_operations_hash(skip, l1);
        let commit = Action::Priority(PriorityAction::CommitBatch {
            chain,
            caller: operator,
            l1_txs: l1,
            l2_txs: self.plan.spec.spec.l2_txs_per_batch,
            priority_operations_hash: hash,
        });
        match self.net.apply(commit) {
            Ok(_) => Ok(true),
            Err(ProtocolError::Priority(e))
                if *e
                    == PriorityError::Unauthorized {
                        chain,
                        caller: operator,
                    } =>
            {
                Ok(false)
            }
            Err(e) => Err(SimError::Protocol {
                what: "operator commits".into(),
                reason: e.to_string(),
            }),
        }
    }

    fn drain(&mut self, max: u64) -> Result<u64, SimError> {
        let mut batches = 0;
        loop {
            let d = self.d()?;
            let skip = d.committed_l1_txs();
            let waiting = d.queue_size() - skip;
            if waiting == 0 {
                return Ok(batches);
            }
            let n = waiting.min(max);
            let hash = d.priority_operations_hash(skip, n);
            self.p(
                "permissionless settlement",
                PriorityAction::SettlePermissionless {
                    chain: PRIORITY_CHAIN_ID,
                    caller: rescuer(),
                    l1_txs: n,
                    l2_txs: 0,
                    priority_operations_hash: hash,
                },
            )?;
            batches += 1;
        }
    }

    fn zip_step(&mut self, step: usize) -> Result<(), SimError> {
        if step == 0 {
            let state = self.net.state();
            let config = *state.governance.config();
            let actors = ZipActors {
                proposer: self.plan.voter,
                security_council: config.security_council,
            };
            let id = state.governance.next_proposal_id();
            let actions = vec![ProposalAction::DeactivatePriorityMode {
                chain: PRIORITY_CHAIN_ID,
            }];
            self.plan.zip = zip_timeline(&config, actors, id, actions, self.now())
                .into_iter()
                .map(|(_, a)| a)
                .collect();
        }
        let action = self
            .plan
            .zip
            .get(step)
            .cloned()
            .ok_or_else(|| SimError::Protocol {
                what: "deactivation ZIP".into(),
                reason: format!("no step {step}"),
            })?;
        self.apply("deactivation ZIP", action)
    }

    fn interop_attempt(&mut self) -> Result<bool, SimError> {
        let send = Action::SendBundle {
            chain: PRIORITY_CHAIN_ID,
            sender: depositors(),
            destination: InteropAddress::chain_only(self.plan.interop_destination).encode(),
            starters: vec![InteropCallStarter {
                to: InteropAddress::address_only(depositors()).encode(),
                data: Bytes::new(),
                call_attributes: vec![],
            }],
            attributes: vec![],
            value: U256::ZERO,
        };
        match self.net.apply(send) {
            Err(ProtocolError::NotInGatewayMode { chain }) if chain == PRIORITY_CHAIN_ID => {
                Ok(true)
            }
            Ok(_) => Ok(false),
            Err(e) => Err(SimError::Protocol {
                what: "interop from the Stage 1 chain".into(),
                reason: e.to_string(),
            }),
        }
    }

    fn requests(&self) -> Vec<RequestView> {
        self.d()
            .map(|d| {
                d.queue
                    .iter()
                    .map(|op| RequestView {
                        requested_at: op.requested_at,
                        processed_at: op.processed_at,
                        fee: op.fee(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn fee_split(&self) -> (U256, U256) {
        // The operator and the rescuer hold ETH on the chain only from the fees they earned.
        self.net
            .state()
            .chain(PRIORITY_CHAIN_ID)
            .map(|c| {
                (
                    c.balance(eth(), self.plan.operator),
                    c.balance(eth(), rescuer()),
                )
            })
            .unwrap_or_default()
    }
}
