//! The network's first state: assets, chains and the initial ZK distribution, plus a built-in
//! devnet that demos, tests and benchmarks share.

use crate::chain::{
    AssetId, AssetInfo, ChainConfig, ChainKind, ExecutionEnvironment, ETH_TOKEN_ADDRESS,
};
use crate::fee_flow::Distributor;
use crate::governance::GovernanceConfig;
use crate::staking::StakerConfig;
use crate::units::tokens;
use crate::ChainId;
use alloy_primitives::{address, Address, U256};
use serde::{Deserialize, Serialize};

/// `DEFAULT_ZK_INTEROP_FEE` = `10e18`: 10 ZK per call, deliberately above the intended gateway
/// settlement fee (`era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol`;
/// ZIP-16).
pub fn default_zk_interop_fee() -> U256 {
    tokens(10)
}

/// The ZK token's address on ZKsync Era, where it was deployed: its native chain, so this
/// address is in its asset id (`zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol`,
/// `zk-governance@58df93f:l2-contracts/script/DeployZkCappedMinter.ts`).
pub const ZK_TOKEN_ADDRESS: Address = address!("5A7d6b2F92C77FAD6CCaBd7EE0624E64907Eaf3E");

/// ZKsync Era's chain id: the ZK token's origin chain in its asset id.
pub const ZK_ORIGIN_CHAIN: ChainId = 324;

/// The ZK token's bridged copy on Ethereum. Not part of any asset id (a bridged token keeps
/// its origin's id); kept for reference.
pub const ZK_L1_ADDRESS: Address = address!("66A5cFB2e9c529f14FE6364Ad1075dF3a649C0A5");

/// Everything needed to build the network's first state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// Clock at genesis (unix seconds).
    pub start_time: u64,
    /// Fixed ZK fee per call on every chain.
    pub zk_interop_fee: U256,
    /// Role admin of the ZK token (burner roles, capped minters).
    pub token_admin: Address,
    /// Known assets (every chain's base token must be one).
    pub assets: Vec<AssetInfo>,
    /// Chains, L1 first.
    pub chains: Vec<ChainConfig>,
    /// Initial ZK distribution.
    pub zk_allocations: Vec<(Address, U256)>,
    /// Fee parameters and the governance roles that administer them.
    pub fees: FeeParams,
    /// The staking pilot's staker, as deployed (its admin, calculator owner and pause guardian
    /// are a Tally-operated safe, not governance).
    pub staking: StakerConfig,
    /// The three governors and the L1 upgrade path.
    pub governance: GovernanceConfig,
    /// Prividium chains: which chains are institutions' validiums, with their first admins and
    /// filterer owners (none by default).
    #[serde(default)]
    pub prividiums: Vec<crate::prividium::PrividiumConfig>,
    /// What per-bundle bookkeeping the network keeps once a bundle has reached its
    /// destination (full by default; the simulator's year-long runs use compact).
    #[serde(default)]
    pub retention: Retention,
}

/// How long the network keeps what only a not-yet-proven bundle needs. Model bookkeeping, not
/// contract state: the contracts keep no outbox (a relayer reads the logs), and a batch's
/// logs tree is data the operator published, not storage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Retention {
    /// Keep every bundle's outbox location and every batch's logs tree forever, so any
    /// message can be proven at any time (the devnet answers proofs and receipts from them).
    #[default]
    Full,
    /// Drop a bundle's outbox location once its destination has it (verified, executed or
    /// unbundled: no proof is needed again), and a batch's logs tree once no bundle of it is
    /// left to prove (its roots stay). Memory then grows only by the destination's status
    /// per bundle, which replay protection needs forever.
    Compact,
}

/// Fee parameters and contract configurations at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeParams {
    /// GWAssetTracker's owner: sets the settlement fee and withdraws the vault.
    pub governance: Address,
    /// The Token Governor's timelock: admin of Fee Flow and the Splitter on Era
    /// (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol `TOKEN_GOVERNOR_TIMELOCK`).
    pub token_governor_timelock: Address,
    /// Emergency admin of Fee Flow and the Splitter (the same `EMERGENCY_ADMIN` for both in
    /// zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol).
    pub emergency_admin: Address,
    /// `gatewaySettlementFee`, ZK wei per chargeable call. Model default 0: the contract
    /// starts unset until governance sets it; scenarios choose a value.
    pub gateway_settlement_fee: U256,
    /// Chain Fee Flow and the Splitter live on (Era, as deployed: EraFeeFlowDeploy.sol).
    pub fee_flow_chain: ChainId,
    /// Fee Flow's initial `bidThreshold`, ZK wei.
    pub bid_threshold: U256,
    /// Fee Flow's `minBidThreshold`, ZK wei (fixed at initialisation).
    pub min_bid_threshold: U256,
    /// Fee Flow's initial whitelist.
    pub claimable_tokens: Vec<AssetId>,
    /// The Splitter's initial burn share, bps.
    pub burn_bps: u16,
    /// The Splitter's initial distributors.
    pub distributors: Vec<Distributor>,
}

impl FeeParams {
    /// The Era deployment's values (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol):
    /// `bidThreshold` 1,000,000 ZK, `minBidThreshold` 100,000 ZK, the Splitter at 100% burn
    /// with no distributors, and ETH as the claimable token — the model's stand-in for the
    /// deployed whitelist (WETH, USDC, bridged USDC.e), since it pools base-token ETH and does
    /// not model USDC.
    pub fn launch(
        governance: Address,
        token_governor_timelock: Address,
        emergency_admin: Address,
        fee_flow_chain: ChainId,
    ) -> Self {
        Self {
            governance,
            token_governor_timelock,
            emergency_admin,
            gateway_settlement_fee: U256::ZERO,
            fee_flow_chain,
            bid_threshold: crate::fee_flow::auction::deployed_bid_threshold(),
            min_bid_threshold: crate::fee_flow::auction::deployed_min_bid_threshold(),
            claimable_tokens: vec![eth()],
            burn_bps: crate::fee_flow::BPS,
            distributors: Vec::new(),
        }
    }
}

/// Chain ids of the built-in devnet.
pub mod devnet {
    use super::ChainId;
    /// Ethereum.
    pub const L1: ChainId = 1;
    /// ZK Gateway (its mainnet id).
    pub const GATEWAY: ChainId = 9075;
    /// ZKsync Era (its mainnet id), ETH-based, settling on Gateway.
    pub const ERA: ChainId = 324;
    /// A second ETH-based chain on Gateway.
    pub const ETH_CHAIN: ChainId = 270;
    /// A ZK-based chain on Gateway.
    pub const ZK_CHAIN: ChainId = 271;
    /// An ETH-based chain that settles directly on L1: it can neither send interop
    /// (`NotInGatewayMode`) nor execute it (`CannotClaimInteropOnL1Settlement`).
    pub const L1_CHAIN: ChainId = 272;
}

/// The asset id of ETH: `encodeNTVAssetId(L1 chain id, ETH_TOKEN_ADDRESS)`, as the L2
/// Bridgehub derives it (`era-contracts@4859b6f:l1-contracts/contracts/core/bridgehub/L2Bridgehub.sol`).
pub fn eth() -> AssetId {
    AssetId::native(devnet::L1, ETH_TOKEN_ADDRESS)
}

/// The asset id of ZK: `encodeNTVAssetId(324, ZK_TOKEN_ADDRESS)`. Model choice: ZK is native
/// to Era (324) at its Era address, because the token was deployed on Era and bridged to L1
/// from there (the deploy-on-L2-then-withdraw flow of
/// `era-contracts@4859b6f:l1-contracts/deploy-scripts/tokens/DeployZKAndBridgeToL1.s.sol`);
/// the contracts only ever read the id from configuration (`ZK_TOKEN_ASSET_ID`). The id is
/// the same in every model network, whatever its chain ids.
pub fn zk() -> AssetId {
    AssetId::native(ZK_ORIGIN_CHAIN, ZK_TOKEN_ADDRESS)
}

/// The registered asset entry of ETH (origin L1 at [`ETH_TOKEN_ADDRESS`]), as genesis lists it.
pub fn eth_asset() -> AssetInfo {
    AssetInfo {
        symbol: "ETH".into(),
        origin_chain: devnet::L1,
        token: ETH_TOKEN_ADDRESS,
    }
}

/// The registered asset entry of ZK, matching [`zk()`].
pub fn zk_asset() -> AssetInfo {
    AssetInfo {
        symbol: "ZK".into(),
        origin_chain: ZK_ORIGIN_CHAIN,
        token: ZK_TOKEN_ADDRESS,
    }
}

/// A deterministic, recognisable account address for a name (`keccak("flywheel:" + name)`).
pub fn account(name: &str) -> Address {
    Address::from_word(alloy_primitives::keccak256(format!("flywheel:{name}")))
}

impl Genesis {
    /// The built-in devnet: L1, Gateway, Era, an ETH chain and a ZK-based chain on Gateway,
    /// and an ETH chain settling on L1. 1B ZK go to the `treasury` account. Every chain is a
    /// rollup administered by `admin-<name>`; Era runs EraVM (as on mainnet) and the others
    /// ZKsync OS (model choice: the v31 default for new chains), so l1-chain can be armed for
    /// priority mode.
    pub fn devnet() -> Self {
        let chain = |id, name: &str, kind, base, sl| ChainConfig {
            admin: account(&format!("admin-{name}")),
            execution: if id == devnet::ERA {
                ExecutionEnvironment::EraVm
            } else {
                ExecutionEnvironment::ZksyncOs
            },
            ..ChainConfig::rollup(
                id,
                name,
                kind,
                base,
                sl,
                account(&format!("operator-{name}")),
            )
        };
        use devnet::*;
        Self {
            start_time: 1_780_000_000,
            zk_interop_fee: default_zk_interop_fee(),
            token_admin: account("token-admin"),
            assets: vec![eth_asset(), zk_asset()],
            chains: vec![
                chain(L1, "ethereum", ChainKind::L1, eth(), None),
                chain(GATEWAY, "gateway", ChainKind::Gateway, zk(), Some(L1)),
                chain(ERA, "era", ChainKind::ZkChain, eth(), Some(GATEWAY)),
                chain(
                    ETH_CHAIN,
                    "eth-chain",
                    ChainKind::ZkChain,
                    eth(),
                    Some(GATEWAY),
                ),
                chain(
                    ZK_CHAIN,
                    "zk-chain",
                    ChainKind::ZkChain,
                    zk(),
                    Some(GATEWAY),
                ),
                chain(L1_CHAIN, "l1-chain", ChainKind::ZkChain, eth(), Some(L1)),
            ],
            zk_allocations: vec![(account("treasury"), tokens(1_000_000_000))],
            fees: FeeParams::launch(
                account("governance"),
                account("token-governor-timelock"),
                account("emergency-admin"),
                ERA,
            ),
            staking: StakerConfig::zk_staker(account("tally-safe"), account("score-oracle")),
            governance: GovernanceConfig::zk_nation(
                account("security-council"),
                account("guardians"),
            ),
            prividiums: Vec::new(),
            retention: Retention::Full,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b256, B256};

    /// Asset ids computed outside this crate with Python `eth_abi.encode(['uint256',
    /// 'address', 'address'], [origin, L2_NATIVE_TOKEN_VAULT_ADDR, token])` and keccak; the ETH
    /// id is the one the contracts use on mainnet (origin chain 1).
    #[test]
    fn asset_ids_match_an_independent_encoder() {
        let eth_id: B256 =
            b256!("05e1c3ae4b9732444ae25217ac7666e46fa365fee1768de00c9fcb65532b7609");
        let zk_id: B256 = b256!("83e2fbc0a739b3c765de4c2b4bf8072a71ea8fbb09c8cf579c71425d8bc8804a");
        assert_eq!(eth().0, eth_id);
        assert_eq!(zk().0, zk_id);
        let a = eth_asset();
        assert_eq!(AssetId::native(a.origin_chain, a.token), eth());
        let z = zk_asset();
        assert_eq!(AssetId::native(z.origin_chain, z.token), zk());
    }

    /// `DEFAULT_ZK_INTEROP_FEE` is `10e18` wei in InteropCenter.sol.
    #[test]
    fn default_fixed_fee_is_ten_zk_in_wei() {
        let ten_e18 = U256::from(10u64) * U256::from(10u64).pow(U256::from(18u64));
        assert_eq!(default_zk_interop_fee(), ten_e18);
    }
}
