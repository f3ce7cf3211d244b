//! Which governance path carries a change of each scenario lever: who administers the
//! parameter on chain (the contract, its chain and mainnet address, the function, the admin),
//! so which governor and proposal type — or that the lever is not on chain at all (a scenario
//! assumption or an off-chain policy), in which case no calldata exists for it.
//!
//! The table is keyed by the simulator's dotted scenario keys (the levers people move), so
//! every front end asks one place. Addresses and functions come from the pinned sources
//! (SOURCES.md): zk-token-fee-flow@69e8d9a for Fee Flow and the Splitter on Era,
//! era-contracts@4859b6f for the interop contracts and L1 addresses, zk-governance@58df93f
//! for the governors and the ZIP's L1 path. The calldata itself is built in
//! [`super::calldata`].

use super::params::GovernorKind;
use alloy_primitives::{address, Address};
use serde::Serialize;

/// A chain a target contract lives on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Chain {
    /// ZKsync Era (chain 324), where the three governors, Fee Flow and the Splitter live.
    Era,
    /// ZKsync Gateway (chain 9075), the settlement layer whose GWAssetTracker charges the
    /// settlement fee.
    Gateway,
    /// Ethereum (chain 1), where the ProtocolUpgradeHandler executes ZIPs.
    Ethereum,
}

impl Chain {
    /// The chain id: 324, 9075 and 1
    /// (era-contracts@4859b6f:l1-contracts/upgrade-envs/v0.31.0-interopB/output/mainnet/v29.2-ecosystem.toml:
    /// `era_chain_id`, `gateway_chain_id`, `l1_chain_id`).
    pub fn id(self) -> u64 {
        match self {
            Self::Era => 324,
            Self::Gateway => 9075,
            Self::Ethereum => 1,
        }
    }

    /// The chain's name for people.
    pub fn name(self) -> &'static str {
        match self {
            Self::Era => "ZKsync Era",
            Self::Gateway => "ZKsync Gateway",
            Self::Ethereum => "Ethereum",
        }
    }
}

/// An address with where it is recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cited {
    /// The address.
    pub address: Address,
    /// `repo@commit:path` (and the field) that records it.
    pub source: &'static str,
}

/// Fee Flow's ERC-1967 proxy on Era: the fourth field (`feeFlowProxy`) of the deployment's
/// returned `DeploymentResult`.
pub const FEE_FLOW: Cited = Cited {
    address: address!("F135fCd17733689462027bA7AfB210c2cB3C9803"),
    source: "zk-token-fee-flow@69e8d9a:broadcast/EraFeeFlowDeploy.sol/324/run-latest.json (returns: DeploymentResult.feeFlowProxy)",
};

/// The Splitter's ERC-1967 proxy on Era: the second field (`splitterProxy`) of the same
/// `DeploymentResult`.
pub const SPLITTER: Cited = Cited {
    address: address!("17a78994EfC487577Cd372c966D5b3D1cD67A933"),
    source: "zk-token-fee-flow@69e8d9a:broadcast/EraFeeFlowDeploy.sol/324/run-latest.json (returns: DeploymentResult.splitterProxy)",
};

/// The Token Governor's timelock on Era: Fee Flow's and the Splitter's admin.
pub const TOKEN_GOVERNOR_TIMELOCK: Cited = Cited {
    address: address!("e5d21A9179CA2E1F0F327d598D464CcF60d89c3d"),
    source: "zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol (TOKEN_GOVERNOR_TIMELOCK)",
};

/// The ZK token on Era.
pub const ZK_TOKEN: Cited = Cited {
    address: address!("5A7d6b2F92C77FAD6CCaBd7EE0624E64907Eaf3E"),
    source: "zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol (ZK_TOKEN)",
};

/// The L2 → L1 messenger system contract (`SYSTEM_CONTRACTS_OFFSET + 0x08` = 0x…8008): a ZIP's
/// only call on Era is `sendToL1` of its upgrade proposal.
pub const L1_MESSENGER: Cited = Cited {
    address: address!("0000000000000000000000000000000000008008"),
    source: "era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol (L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR)",
};

/// The ProtocolUpgradeHandler's proxy on Ethereum: L1 governance, which executes ZIPs.
pub const PROTOCOL_UPGRADE_HANDLER: Cited = Cited {
    address: address!("E30Dca3047B37dc7d88849dE4A4Dc07937ad5Ab3"),
    source: "era-contracts@4859b6f:l1-contracts/upgrade-envs/v0.31.0-interopB/mainnet.toml (protocol_upgrade_handler_proxy_address)",
};

/// The Bridgehub's proxy on Ethereum: L1 → L2 (here L1 → Gateway) transactions.
pub const BRIDGEHUB: Cited = Cited {
    address: address!("303a465B659cBB0ab36eE643eA362c509EEb5213"),
    source: "era-contracts@4859b6f:l1-contracts/upgrade-envs/v0.31.0-interopB/mainnet.toml (bridgehub_proxy_address)",
};

/// GWAssetTracker on Gateway (`BUILT_IN_CONTRACTS_OFFSET + 0x10` = 0x…10010).
pub const GW_ASSET_TRACKER: Cited = Cited {
    address: address!("0000000000000000000000000000000000010010"),
    source: "era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol (GW_ASSET_TRACKER_ADDR)",
};

/// `AddressAliasHelper`'s offset: an L1 contract's L1 → L2 transactions arrive from its
/// address plus this (era-contracts@4859b6f:l1-contracts/contracts/vendor/AddressAliasHelper.sol).
pub const ALIAS_OFFSET: Address = address!("1111000000000000000000000000000000001111");

/// `address + ALIAS_OFFSET` modulo 2^160, as `AddressAliasHelper.applyL1ToL2Alias`.
pub fn l1_to_l2_alias(a: Address) -> Address {
    let x = alloy_primitives::U160::from_be_slice(a.as_slice());
    let o = alloy_primitives::U160::from_be_slice(ALIAS_OFFSET.as_slice());
    Address::from(x.wrapping_add(o).to_be_bytes::<20>())
}

/// Why a lever has no calldata although its parameter is on chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum NoCalldata {
    /// The value is written only when the contract is (re)initialised by a protocol upgrade
    /// (`onlyUpgrader`), from a compile-time constant: changing it means new contract code.
    NeedsNewCode,
    /// The proposal names a contract that must be deployed first (its address is unknown
    /// until then).
    NeedsDeployment,
    /// No function sets it after deployment.
    NoSetter,
}

/// How a governor's proposal reaches the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Route {
    /// The governor's timelock calls the target on Era directly.
    Era,
    /// A ZIP: the Protocol Governor's execution sends the upgrade proposal to L1
    /// (`sendToL1`), the ProtocolUpgradeHandler executes its calls on Ethereum after the legal
    /// veto and approval; a Gateway target is reached by an L1 → Gateway transaction through
    /// the Bridgehub, sent by the handler (so it arrives from the handler's alias).
    L1Upgrade,
}

/// An on-chain parameter's governance path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OnChain {
    /// The contract.
    pub contract: &'static str,
    /// Its chain.
    pub chain: Chain,
    /// Its mainnet address, cited.
    pub address: Cited,
    /// The function a proposal calls (its Solidity signature), or the one that writes the value.
    pub function: &'static str,
    /// How the scenario value becomes the argument.
    pub argument: &'static str,
    /// Who may call the function.
    pub admin: &'static str,
    /// Where the admin and the function are recorded.
    pub admin_source: &'static str,
    /// The governor whose proposals act as that admin.
    pub governor: GovernorKind,
    /// How the proposal reaches the target.
    pub route: Route,
    /// `Some` when no calldata can be produced, and why.
    pub no_calldata: Option<NoCalldata>,
    /// What a reader must know (revert conditions, companions).
    pub note: &'static str,
}

/// Why a lever is not on chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum OffChain {
    /// An assumption about the world the scenario describes (traffic, prices, users,
    /// operators' choices): no one sets it by proposal.
    ScenarioAssumption,
    /// An off-chain program's policy (a script's setting).
    OffChainPolicy,
    /// A setting of the simulation itself (horizon, runs, seed, fidelity, names).
    RunSetting,
}

impl OffChain {
    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Self::ScenarioAssumption => "not on chain: scenario assumption",
            Self::OffChainPolicy => "not on chain: off-chain policy",
            Self::RunSetting => "not on chain: simulation setting",
        }
    }
}

/// The governance path of one lever.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Path {
    /// A parameter some contract holds.
    OnChain(OnChain),
    /// Not a contract's parameter.
    NotOnChain {
        /// Which kind.
        kind: OffChain,
        /// Why, in a sentence.
        why: &'static str,
    },
}

const FEE_FLOW_ADMIN: &str =
    "DEFAULT_ADMIN_ROLE (the Token Governor's timelock) or EMERGENCY_ADMIN_ROLE";
const FEE_FLOW_ADMIN_SOURCE: &str = "zk-token-fee-flow@69e8d9a:src/FeeFlow.sol (_revertIfNotAdmin), script/EraFeeFlowDeploy.sol (admin: TOKEN_GOVERNOR_TIMELOCK)";
const SPLITTER_ADMIN_SOURCE: &str = "zk-token-fee-flow@69e8d9a:src/Splitter.sol (_revertIfNotAdmin), script/EraFeeFlowDeploy.sol (admin: TOKEN_GOVERNOR_TIMELOCK)";

/// The fixed ZK interop fee: `ZK_INTEROP_FEE` is assigned only in `initL2` (`onlyUpgrader`)
/// from the constant `DEFAULT_ZK_INTEROP_FEE`; no setter exists (`setInteropFee` sets the
/// base-token `interopProtocolFee`, and only the bootloader may call it).
const FIXED_FEE: OnChain = OnChain {
    contract: "InteropCenter",
    chain: Chain::Era,
    address: Cited {
        address: address!("000000000000000000000000000000000001000d"),
        source: "era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol (L2_INTEROP_CENTER_ADDR)",
    },
    function: "initL2(uint256,address,bytes32)",
    argument: "none: ZK_INTEROP_FEE = DEFAULT_ZK_INTEROP_FEE (10e18), a constant of the contract's code",
    admin: "the L2 complex upgrader, during a protocol upgrade (onlyUpgrader)",
    admin_source: "era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol (initL2, DEFAULT_ZK_INTEROP_FEE)",
    governor: GovernorKind::Protocol,
    route: Route::L1Upgrade,
    no_calldata: Some(NoCalldata::NeedsNewCode),
    note: "a protocol upgrade (ZIP) shipping InteropCenter code with another DEFAULT_ZK_INTEROP_FEE; no setter takes a value",
};

const SETTLEMENT_FEE: OnChain = OnChain {
    contract: "GWAssetTracker",
    chain: Chain::Gateway,
    address: GW_ASSET_TRACKER,
    function: "setGatewaySettlementFee(uint256)",
    argument: "ZK wei per chargeable interop call",
    admin: "owner: L1 governance's alias (the ProtocolUpgradeHandler + 0x1111…1111)",
    admin_source: "era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol (onlyOwner), l1-contracts/contracts/l2-upgrades/L2GenesisForceDeploymentsHelper.sol (initL2 owner: aliasedL1Governance)",
    governor: GovernorKind::Protocol,
    route: Route::L1Upgrade,
    no_calldata: None,
    note: "the ProtocolUpgradeHandler reaches Gateway with Bridgehub.requestL2TransactionDirect; Gateway's base token is ZK, so the L1 leg's mintValue is paid in ZK",
};

const THRESHOLD: OnChain = OnChain {
    contract: "FeeFlow",
    chain: Chain::Era,
    address: FEE_FLOW,
    function: "setBidThreshold(uint256)",
    argument: "ZK wei",
    admin: FEE_FLOW_ADMIN,
    admin_source: FEE_FLOW_ADMIN_SOURCE,
    governor: GovernorKind::Token,
    route: Route::Era,
    no_calldata: None,
    note: "reverts with FeeFlow_ThresholdBelowMin below minBidThreshold (100,000 ZK on Era)",
};

const MIN_THRESHOLD: OnChain = OnChain {
    contract: "FeeFlow",
    chain: Chain::Era,
    address: FEE_FLOW,
    function: "initialize(...)",
    argument: "none: minBidThreshold is set once, at initialisation",
    admin:
        "none after deployment (an upgrade of the proxy, by DEFAULT_ADMIN_ROLE, could change it)",
    admin_source: "zk-token-fee-flow@69e8d9a:src/FeeFlow.sol (initialize; no setter)",
    governor: GovernorKind::Token,
    route: Route::Era,
    no_calldata: Some(NoCalldata::NoSetter),
    note: "a TPP could only change it by upgrading Fee Flow's implementation",
};

const BURN: OnChain = OnChain {
    contract: "Splitter",
    chain: Chain::Era,
    address: SPLITTER,
    function: "setBurnPercentage(uint256)",
    argument: "bps (0–10,000)",
    admin: FEE_FLOW_ADMIN,
    admin_source: SPLITTER_ADMIN_SOURCE,
    governor: GovernorKind::Token,
    route: Route::Era,
    no_calldata: None,
    note: "below 10,000 bps it reverts (Splitter_InvalidBurnPercentage) unless distributors are set: Era's Splitter has none, so the proposal first calls setDistributors with the recipient given",
};

const SEASON_CAP: OnChain = OnChain {
    contract: "ZkTokenV3 (MINTER_ROLE) and a new ZkCappedMinterV2",
    chain: Chain::Era,
    address: ZK_TOKEN,
    function: "grantRole(bytes32,address)",
    argument: "none from the scenario: a capped minter's CAP is immutable, so a new budget is a new minter (cap = the value) granted MINTER_ROLE",
    admin: "MINTER_ADMIN_ROLE on the token (the Token Governor's timelock)",
    admin_source: "zk-governance@58df93f:l2-contracts/src/ZkCappedMinterV2.sol (CAP immutable), l2-contracts/src/ZkCappedMinterV2Factory.sol (permissionless), l2-contracts/src/ZkTokenV1.sol (MINTER_ROLE, MINTER_ADMIN_ROLE)",
    governor: GovernorKind::Token,
    route: Route::Era,
    no_calldata: Some(NoCalldata::NeedsDeployment),
    note: "deploy the season's ZkCappedMinterV2 (cap = the budget) through the factory first; the TPP then grants it MINTER_ROLE on the token",
};

/// Every lever the dashboard offers (its `LEVERS`), in its order: each must have a path here
/// (a test checks the server's page against this list).
pub const DASHBOARD_LEVERS: [&str; 12] = [
    "protocol.fixed_interop_fee",
    "protocol.gateway_settlement_fee",
    "protocol.fee_flow_threshold",
    "protocol.fee_flow_revenue_share_bps",
    "protocol.burn_bps",
    "traffic.calls_per_day",
    "traffic.drift_per_year",
    "users.always_fixed_share",
    "prices.zk.initial_usd",
    "prices.zk.volatility_per_year",
    "staking.seasons.0.cap",
    "staking.seasons.1.cap",
];

/// A dotted key with array indices written `a.1` (`a[1]` is read the same).
fn normal(key: &str) -> String {
    key.replace('[', ".").replace(']', "")
}

/// The governance path of a dotted scenario key (any key: those that are not a contract's
/// parameter say what they are instead).
pub fn path(key: &str) -> Path {
    let k = normal(key);
    let parts: Vec<&str> = k.split('.').collect();
    let assumption = |why| Path::NotOnChain {
        kind: OffChain::ScenarioAssumption,
        why,
    };
    match parts.as_slice() {
        ["protocol", "fixed_interop_fee"] => Path::OnChain(FIXED_FEE),
        ["protocol", "gateway_settlement_fee"] => Path::OnChain(SETTLEMENT_FEE),
        ["protocol", "fee_flow_threshold"] => Path::OnChain(THRESHOLD),
        ["protocol", "fee_flow_min_threshold"] => Path::OnChain(MIN_THRESHOLD),
        ["protocol", "burn_bps"] => Path::OnChain(BURN),
        ["protocol", "fee_flow_revenue_share_bps"] => assumption(
            "no contract sends fee revenue to Fee Flow: InteropCenter.claimProtocolFees pays each operator its whole accrual (era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol); what reaches Fee Flow is what operators and Era choose to send",
        ),
        ["protocol", "sweep_every_days"] => Path::NotOnChain {
            kind: OffChain::OffChainPolicy,
            why: "how often GWAssetTracker's owner calls withdrawGatewayFees and anyone calls Splitter.split(): a cadence, not a parameter",
        },
        ["protocol", "genesis_supply"] => assumption("the ZK supply when the scenario starts: a starting state, not a setting"),
        ["staking", "seasons", _, "cap"] => Path::OnChain(SEASON_CAP),
        ["staking", "seasons", ..] => Path::NotOnChain {
            kind: OffChain::OffChainPolicy,
            why: "a season's start and length are its capped minter's START_TIME and EXPIRATION_TIME, chosen when it is deployed, and the reward script's schedule",
        },
        ["staking", "target_rate_bps"] => Path::NotOnChain {
            kind: OffChain::OffChainPolicy,
            why: "the reward script's --rate (withtally/zkstaker@bff26f8:script/rewards/RequestMint.ts), run off chain",
        },
        ["staking", ..] => assumption("stakers' and delegates' behaviour (stake, votes, response to yield)"),
        ["traffic", ..] => assumption("users' demand for interop calls"),
        ["demand", ..] => assumption("how users' demand answers the cost of a call"),
        ["prices", ..] => assumption("market prices"),
        ["users", ..] => assumption("users' bundling and fee-mode choices"),
        ["chains", ..] => assumption("which chains exist and their share of traffic"),
        ["operators", ..] => assumption("operators' pricing (interopProtocolFee is set by each chain's operator through its bootloader, not by governance)"),
        ["claimer", ..] => assumption("Fee Flow claimers' behaviour"),
        ["governance", ..] => assumption("changes scheduled within the scenario"),
        ["prividium", ..] => assumption("institutions' Prividium chains and their traffic"),
        ["priority_mode", ..] => assumption("a Stage 1 chain and its operator's behaviour"),
        _ => Path::NotOnChain {
            kind: OffChain::RunSetting,
            why: "a setting of the simulation",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dashboard_lever_has_a_path_and_the_fee_levers_have_their_governors() {
        for key in DASHBOARD_LEVERS {
            // Every key resolves to something other than a simulation setting.
            assert!(
                !matches!(
                    path(key),
                    Path::NotOnChain {
                        kind: OffChain::RunSetting,
                        ..
                    }
                ),
                "{key}"
            );
        }
        let gov = |k: &str| match path(k) {
            Path::OnChain(o) => Some(o.governor),
            Path::NotOnChain { .. } => None,
        };
        assert_eq!(
            gov("protocol.fee_flow_threshold"),
            Some(GovernorKind::Token)
        );
        assert_eq!(gov("protocol.burn_bps"), Some(GovernorKind::Token));
        assert_eq!(
            gov("protocol.gateway_settlement_fee"),
            Some(GovernorKind::Protocol)
        );
        assert_eq!(gov("staking.seasons[1].cap"), Some(GovernorKind::Token));
        assert_eq!(gov("protocol.fee_flow_revenue_share_bps"), None);
        assert_eq!(gov("prices.zk.initial_usd"), None);
    }

    #[test]
    fn the_alias_adds_the_offset_as_address_alias_helper_does() {
        // The handler's alias appears in v31's mainnet force-deployment data as the Gateway
        // contracts' owner (era-contracts@4859b6f: .../output/mainnet/v29.2-ecosystem.toml).
        assert_eq!(
            l1_to_l2_alias(PROTOCOL_UPGRADE_HANDLER.address),
            address!("F41ECa3047B37dC7d88849de4a4dC07937Ad6bc4")
        );
        assert_eq!(
            l1_to_l2_alias(address!("ffffffffffffffffffffffffffffffffffffffff")),
            address!("1111000000000000000000000000000000001110")
        );
    }
}
