//! The devnet's layout and timing: which chains run, with which ids and base tokens, on which
//! ports, and how often blocks and batches are made. Read from `devnet.toml` (unknown keys are
//! rejected) and overridden by the command line.

use crate::error::DevnetError;
pub use crate::limits::{MAX_INTERVAL, MAX_L2_COUNT, MIN_BATCH_INTERVAL};
use flywheel_protocol::ChainId;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Default first port: the L1's, as anvil's, so `cast` without `--rpc-url` reaches the L1.
pub const DEFAULT_PORT: u16 = 8545;
/// Default L1 chain id. Model choice: anvil's 31337, so wallets and tools treat it as a local
/// chain and a signature made here is never valid on a public network.
pub const DEFAULT_L1_CHAIN_ID: ChainId = 31337;
/// Default Gateway chain id. Model choice: a local id, not mainnet Gateway's 9075.
pub const DEFAULT_GATEWAY_CHAIN_ID: ChainId = 506;
/// Default first L2 chain id; the others follow (271, 272, …). Model choice: local ids.
pub const DEFAULT_FIRST_L2_CHAIN_ID: ChainId = 271;
/// Default number of L2 chains.
pub const DEFAULT_L2_COUNT: usize = 3;
/// Default batch interval: short, so that a bundle goes from send to executed in well under a
/// second with relaying on.
pub const DEFAULT_BATCH_INTERVAL: Duration = Duration::from_millis(100);
/// `interopProtocolFee` of the `zksync-local` layout's L2s, base-token wei per call. Model
/// choice: any non-zero value satisfies the SDK's suites (they check `interopFee > 0`); 1 gwei
/// per call keeps the fee visible in balances and negligible beside the dev accounts' funds.
pub const ZKSYNC_LOCAL_INTEROP_FEE: u64 = 1_000_000_000;

/// A named layout (`--layout NAME`, or `layout = "NAME"` in `devnet.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LayoutPreset {
    /// L1, Gateway and `--chains` L2s (three by default) on consecutive ports from 8545.
    #[default]
    Default,
    /// ZKsync's local setup, as the zksync-js examples and e2e suites expect it: L1 on 8545,
    /// the L2s 6565 and 6566 on 3050 and 3051, Gateway 506 on 3052.
    ZksyncLocal,
}

impl LayoutPreset {
    /// Reads a preset's name.
    pub fn parse(name: &str) -> Result<Self, DevnetError> {
        match name {
            "default" => Ok(Self::Default),
            "zksync-local" => Ok(Self::ZksyncLocal),
            other => Err(DevnetError::Config(format!(
                "layout: {other:?} is not a layout; known: \"default\", \"zksync-local\""
            ))),
        }
    }

    /// Each chain's port in port order (L1, Gateway, L2s), where the preset fixes them.
    pub fn ports(self) -> Option<[u16; 4]> {
        match self {
            Self::Default => None,
            // zksync-os-server local-chains/v31.0/multi_chain: chain_6565 rpc 3050,
            // chain_6566 rpc 3051, chain_506 (Gateway) 3052; anvil's L1 on 8545.
            Self::ZksyncLocal => Some([8545, 3052, 3050, 3051]),
        }
    }
}

/// A chain's base token, as the configuration names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BaseToken {
    /// ETH (asset id `encodeNTVAssetId(L1, address(1))`).
    #[serde(rename = "ETH")]
    Eth,
    /// ZK (the bridged ZK asset).
    #[serde(rename = "ZK")]
    Zk,
}

impl BaseToken {
    /// Its ticker.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Eth => "ETH",
            Self::Zk => "ZK",
        }
    }
}

/// One L2 chain settling on Gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct L2Config {
    /// EIP-155 chain id.
    pub chain_id: ChainId,
    /// Name shown in the start-up table.
    pub name: String,
    /// Base (gas) token.
    pub base_token: BaseToken,
    /// InteropCenter's `interopProtocolFee` at start, base-token wei per call (0 if absent, as
    /// the contract starts; its operator may change it with `setInteropFee`). In `devnet.toml`
    /// an integer or a string of wei (decimal or 0x-hex).
    #[serde(
        default,
        deserialize_with = "wei",
        skip_serializing_if = "alloy_primitives::U256::is_zero"
    )]
    pub interop_protocol_fee: alloy_primitives::U256,
}

/// A wei amount from a TOML integer or a decimal / 0x-hex string.
fn wei<'de, D: serde::Deserializer<'de>>(d: D) -> Result<alloy_primitives::U256, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wei {
        Int(u64),
        Text(String),
    }
    match Wei::deserialize(d)? {
        Wei::Int(n) => Ok(alloy_primitives::U256::from(n)),
        Wei::Text(s) => s.trim().parse().map_err(|_| {
            serde::de::Error::custom(format!(
                "{s:?} is not a wei amount (a non-negative integer below 2^256, decimal or 0x-hex)"
            ))
        }),
    }
}

/// The chains that run: the state they start from depends only on this (and the genesis time),
/// so a state file records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// The L1's chain id (ETH-based).
    pub l1_chain_id: ChainId,
    /// Gateway's chain id (ZK-based, as ZK Gateway is; settles on the L1).
    pub gateway_chain_id: ChainId,
    /// The L2s, in port order after L1 and Gateway. The first hosts Fee Flow and the Splitter.
    pub chains: Vec<L2Config>,
    /// Whether ZKsync's local "rich" wallets ([`crate::accounts::LOCAL_RICH_WALLETS`]) are
    /// funded on every chain beside the dev accounts (`--layout zksync-local`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rich_wallets: bool,
}

impl Layout {
    /// `n` default L2s: ids from [`DEFAULT_FIRST_L2_CHAIN_ID`] up, every third one ZK-based
    /// (with three: ETH, ETH, ZK), so both kinds of chain are there by default.
    pub fn with_l2s(n: usize) -> Self {
        let chains = (0..n)
            .map(|i| {
                let zk = i % 3 == 2;
                L2Config {
                    chain_id: DEFAULT_FIRST_L2_CHAIN_ID + i as u64,
                    name: format!("l2-{}{}", i + 1, if zk { "-zk" } else { "" }),
                    base_token: if zk { BaseToken::Zk } else { BaseToken::Eth },
                    interop_protocol_fee: alloy_primitives::U256::ZERO,
                }
            })
            .collect();
        Self {
            l1_chain_id: DEFAULT_L1_CHAIN_ID,
            gateway_chain_id: DEFAULT_GATEWAY_CHAIN_ID,
            chains,
            rich_wallets: false,
        }
    }

    /// ZKsync's local multi-chain layout (zksync-os-server `local-chains/v31.0/multi_chain`):
    /// L1 31337, Gateway 506, ETH-based L2s 6565 and 6566; the rich wallets funded; a
    /// non-zero `interopProtocolFee` on each L2 (the SDK's interop suites expect a fee > 0 in
    /// the default fee mode). Its ports are [`LayoutPreset::ports`].
    pub fn zksync_local() -> Self {
        let l2 = |chain_id, name: &str| L2Config {
            chain_id,
            name: name.into(),
            base_token: BaseToken::Eth,
            interop_protocol_fee: alloy_primitives::U256::from(ZKSYNC_LOCAL_INTEROP_FEE),
        };
        Self {
            l1_chain_id: DEFAULT_L1_CHAIN_ID,
            gateway_chain_id: DEFAULT_GATEWAY_CHAIN_ID,
            chains: vec![l2(6565, "l2-6565"), l2(6566, "l2-6566")],
            rich_wallets: true,
        }
    }

    /// Rejects a layout the devnet cannot run: duplicate or zero chain ids, duplicate names,
    /// no L2, too many.
    pub fn validate(&self) -> Result<(), DevnetError> {
        if self.chains.is_empty() || self.chains.len() > MAX_L2_COUNT {
            return Err(DevnetError::Config(format!(
                "chains: between 1 and {MAX_L2_COUNT} L2 chains are needed, got {}",
                self.chains.len()
            )));
        }
        let mut ids = vec![self.l1_chain_id, self.gateway_chain_id];
        ids.extend(self.chains.iter().map(|c| c.chain_id));
        for (i, id) in ids.iter().enumerate() {
            if *id == 0 {
                return Err(DevnetError::Config("chain id 0 is not allowed".into()));
            }
            if ids[..i].contains(id) {
                return Err(DevnetError::Config(format!("chain id {id} is used twice")));
            }
        }
        // Names tell chains apart in the start-up table; the L1 and Gateway are "l1" and
        // "gateway" there.
        let mut names = vec!["l1", "gateway"];
        for (i, c) in self.chains.iter().enumerate() {
            if names.contains(&c.name.as_str()) {
                return Err(DevnetError::Config(format!(
                    "chains[{i}].name: {:?} is used twice",
                    c.name
                )));
            }
            names.push(&c.name);
        }
        Ok(())
    }
}

impl Default for Layout {
    fn default() -> Self {
        Self::with_l2s(DEFAULT_L2_COUNT)
    }
}

/// How the devnet runs, after the file and the command line are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevnetConfig {
    /// The chains.
    pub layout: Layout,
    /// Each chain's port, in port order (L1, Gateway, the L2s); 0 lets the system pick a free
    /// port (tests).
    pub ports: Vec<u16>,
    /// Address to listen on (loopback by default: a devnet's keys are public).
    pub host: std::net::IpAddr,
    /// `None`: a block per transaction (automine); otherwise a block every interval.
    pub block_time: Option<Duration>,
    /// How often every chain seals a batch and roots move on.
    pub batch_interval: Duration,
    /// Whether the devnet's relayer executes bundles on their destinations (`--autorelay`).
    /// Off by default, as supersim's: clients (the SDK's `finalize`) execute bundles
    /// themselves, and a relayer racing them makes their execution fail as already done.
    pub relay: bool,
    /// Genesis time (unix seconds); `None` takes the clock at start.
    pub genesis_time: Option<u64>,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        let layout = Layout::default();
        let ports = consecutive(DEFAULT_PORT, 2 + layout.chains.len());
        Self {
            layout,
            ports,
            host: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            block_time: None,
            batch_interval: DEFAULT_BATCH_INTERVAL,
            relay: false,
            genesis_time: None,
        }
    }
}

impl DevnetConfig {
    /// The ports for `n` chains: [`Self::ports`] when they are `n` (the configured layout),
    /// else consecutive from its first (a state file loaded with other chains than the
    /// configuration's defaults).
    pub fn ports_for(&self, n: usize) -> Vec<u16> {
        if self.ports.len() == n {
            return self.ports.clone();
        }
        consecutive(self.ports.first().copied().unwrap_or(DEFAULT_PORT), n)
    }
}

/// `n` ports from `first` on (all 0 when `first` is 0: every chain picks a free one).
fn consecutive(first: u16, n: usize) -> Vec<u16> {
    (0..n)
        .map(|i| {
            if first == 0 {
                0
            } else {
                first.saturating_add(i as u16)
            }
        })
        .collect()
}

/// `devnet.toml`: every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `layout = "zksync-local"`: a named layout to start from.
    pub layout: Option<String>,
    /// First port.
    pub port: Option<u16>,
    /// Seconds between blocks (absent: automine).
    pub block_time: Option<f64>,
    /// Seconds between batches.
    pub batch_interval: Option<f64>,
    /// Automatic relaying (`relay` is its former name).
    #[serde(alias = "relay")]
    pub autorelay: Option<bool>,
    /// Genesis time, unix seconds.
    pub genesis_time: Option<u64>,
    /// `[l1] chain_id = …, port = …`.
    pub l1: Option<ChainEntry>,
    /// `[gateway] chain_id = …, port = …`.
    pub gateway: Option<ChainEntry>,
    /// `[[chains]]` entries: the L2s.
    pub chains: Option<Vec<L2Entry>>,
}

/// `[l1]` or `[gateway]`: a chain id and a port, both optional.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainEntry {
    /// EIP-155 chain id.
    pub chain_id: Option<ChainId>,
    /// The port it listens on.
    pub port: Option<u16>,
}

/// One `[[chains]]` entry: an L2 and, optionally, its port.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct L2Entry {
    /// EIP-155 chain id.
    pub chain_id: ChainId,
    /// Name shown in the start-up table.
    pub name: String,
    /// Base (gas) token.
    pub base_token: BaseToken,
    /// `interopProtocolFee` at genesis, base-token wei per call (see [`L2Config`]).
    #[serde(default, deserialize_with = "wei")]
    pub interop_protocol_fee: alloy_primitives::U256,
    /// The port it listens on.
    pub port: Option<u16>,
}

/// What the command line says (each `None` keeps the file's value or the default).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--layout NAME`.
    pub layout: Option<LayoutPreset>,
    /// `--chains N`.
    pub chains: Option<usize>,
    /// `--port P`: every chain on P, P+1, … (overrides the file's and the layout's ports).
    pub port: Option<u16>,
    /// `--block-time S`.
    pub block_time: Option<f64>,
    /// `--batch-interval S`.
    pub batch_interval: Option<f64>,
    /// `--autorelay`.
    pub autorelay: bool,
}

/// Seconds as a duration within `[min, MAX_INTERVAL]`, naming the key on error.
pub fn interval(key: &str, seconds: f64, min: Duration) -> Result<Duration, DevnetError> {
    let d = Duration::try_from_secs_f64(seconds)
        .map_err(|_| DevnetError::Config(format!("{key}: {seconds} is not a number of seconds")))?;
    if d < min || d > MAX_INTERVAL {
        return Err(DevnetError::Config(format!(
            "{key}: {seconds} s is outside [{}, {}] s",
            min.as_secs_f64(),
            MAX_INTERVAL.as_secs()
        )));
    }
    Ok(d)
}

impl DevnetConfig {
    /// Merges the file (if any) and the command line over the defaults, and validates.
    pub fn build(file: Option<&str>, cli: &Overrides) -> Result<Self, DevnetError> {
        let f: ConfigFile = match file {
            Some(text) => toml::from_str(text).map_err(|e| {
                DevnetError::Config(e.to_string().lines().collect::<Vec<_>>().join(" "))
            })?,
            None => ConfigFile::default(),
        };
        let file_preset = f.layout.as_deref().map(LayoutPreset::parse).transpose()?;
        let preset = cli.layout.or(file_preset).unwrap_or_default();
        let mut c = Self::default();
        let mut layout = match preset {
            LayoutPreset::Default => Layout::with_l2s(cli.chains.unwrap_or(DEFAULT_L2_COUNT)),
            LayoutPreset::ZksyncLocal => {
                if cli.chains.is_some() {
                    return Err(DevnetError::Config(
                        "--chains and --layout zksync-local both set the L2s: give one".into(),
                    ));
                }
                Layout::zksync_local()
            }
        };
        let mut l2_ports = Vec::new();
        if let Some(chains) = f.chains {
            if cli.chains.is_some() || preset != LayoutPreset::Default {
                return Err(DevnetError::Config(
                    "the file's [[chains]] and --chains or a named layout both set the L2s: \
                     give one"
                        .into(),
                ));
            }
            l2_ports = chains.iter().map(|e| e.port).collect();
            layout.chains = chains
                .into_iter()
                .map(|e| L2Config {
                    chain_id: e.chain_id,
                    name: e.name,
                    base_token: e.base_token,
                    interop_protocol_fee: e.interop_protocol_fee,
                })
                .collect();
        }
        l2_ports.resize(layout.chains.len(), None);
        if let Some(id) = f.l1.as_ref().and_then(|e| e.chain_id) {
            layout.l1_chain_id = id;
        }
        if let Some(id) = f.gateway.as_ref().and_then(|e| e.chain_id) {
            layout.gateway_chain_id = id;
        }
        layout.validate()?;
        let n = 2 + layout.chains.len();
        c.layout = layout;
        // Ports: the layout's (or consecutive from the file's `port`), then each chain's own
        // from the file; `--port` overrides them all.
        c.ports = match preset.ports() {
            Some(p) => p.to_vec(),
            None => consecutive(f.port.unwrap_or(DEFAULT_PORT), n),
        };
        let explicit = [
            f.l1.as_ref().and_then(|e| e.port),
            f.gateway.as_ref().and_then(|e| e.port),
        ]
        .into_iter()
        .chain(l2_ports);
        for (slot, p) in c.ports.iter_mut().zip(explicit) {
            if let Some(p) = p {
                *slot = p;
            }
        }
        if let Some(p) = cli.port {
            c.ports = consecutive(p, n);
        }
        // The first of consecutive ports, where they are consecutive.
        let first = match (cli.port, preset.ports()) {
            (Some(p), _) => Some(p),
            (None, None) => f.port,
            (None, Some(_)) => None,
        };
        if let Some(p) = first.filter(|p| *p != 0) {
            if usize::from(p) + n - 1 > usize::from(u16::MAX) {
                return Err(DevnetError::Config(format!(
                    "port: {p} leaves no room for {n} ports"
                )));
            }
        }
        check_ports(&c.ports)?;
        if let Some(s) = cli.block_time.or(f.block_time) {
            // 0 means automine, as anvil's `--block-time` absent.
            c.block_time = if s == 0.0 {
                None
            } else {
                Some(interval("block_time", s, Duration::from_millis(1))?)
            };
        }
        if let Some(s) = cli.batch_interval.or(f.batch_interval) {
            c.batch_interval = interval("batch_interval", s, MIN_BATCH_INTERVAL)?;
        }
        c.relay = cli.autorelay || f.autorelay.unwrap_or(false);
        c.genesis_time = f.genesis_time;
        Ok(c)
    }
}

/// Refuses a port used by two chains (0, a free port each, may repeat).
fn check_ports(ports: &[u16]) -> Result<(), DevnetError> {
    for (i, p) in ports.iter().enumerate() {
        if *p != 0 && ports[..i].contains(p) {
            return Err(DevnetError::Config(format!(
                "port {p} is given to two chains (chain {} and {} in port order)",
                ports[..i].iter().position(|q| q == p).unwrap_or(0),
                i
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_l1_gateway_and_three_l2s_one_zk_based() {
        let c = DevnetConfig::build(None, &Overrides::default()).unwrap();
        assert_eq!(c.layout.chains.len(), 3);
        let tokens: Vec<_> = c.layout.chains.iter().map(|c| c.base_token).collect();
        assert_eq!(tokens, [BaseToken::Eth, BaseToken::Eth, BaseToken::Zk]);
        assert_eq!(c.ports, [8545, 8546, 8547, 8548, 8549]);
        assert!(!c.relay && c.block_time.is_none());
    }

    #[test]
    fn file_sets_chains_and_cli_overrides_timing() {
        let text = r#"
            port = 9000
            batch_interval = 0.5
            [l1]
            chain_id = 5
            [[chains]]
            chain_id = 1001
            name = "a"
            base_token = "ZK"
        "#;
        let cli = Overrides {
            batch_interval: Some(0.25),
            ..Overrides::default()
        };
        let c = DevnetConfig::build(Some(text), &cli).unwrap();
        assert_eq!(c.layout.l1_chain_id, 5);
        assert_eq!(c.layout.chains.len(), 1);
        assert_eq!(c.layout.chains[0].base_token, BaseToken::Zk);
        assert_eq!(c.ports, [9000, 9001, 9002]);
        assert_eq!(c.batch_interval, Duration::from_millis(250));
        assert!(!c.relay);
        let on = DevnetConfig::build(Some("relay = true"), &Overrides::default()).unwrap();
        assert!(on.relay, "the former key still turns relaying on");
    }

    #[test]
    fn the_zksync_local_layout_has_the_sdk_ports_and_per_chain_ports_are_settable() {
        let cli = Overrides {
            layout: Some(LayoutPreset::ZksyncLocal),
            ..Overrides::default()
        };
        let c = DevnetConfig::build(None, &cli).unwrap();
        // L1, Gateway, the two L2s (port order).
        assert_eq!(c.ports, [8545, 3052, 3050, 3051]);
        assert_eq!(c.layout.gateway_chain_id, 506);
        let ids: Vec<_> = c.layout.chains.iter().map(|c| c.chain_id).collect();
        assert_eq!(ids, [6565, 6566]);
        assert!(c.layout.rich_wallets && !c.relay);
        assert!(c
            .layout
            .chains
            .iter()
            .all(|c| !c.interop_protocol_fee.is_zero()));
        // The file moves one chain; --autorelay turns the relayer on.
        let text = "layout = \"zksync-local\"\n[gateway]\nport = 4000";
        let on = Overrides {
            autorelay: true,
            ..Overrides::default()
        };
        let c = DevnetConfig::build(Some(text), &on).unwrap();
        assert_eq!(c.ports, [8545, 4000, 3050, 3051]);
        assert!(c.relay);
        // Every chain's port from the file; --port overrides them all.
        let text = "port = 7000\n[l1]\nport = 7100\n[[chains]]\nchain_id = 9\nname = \"a\"\n\
                    base_token = \"ETH\"\nport = 7200\n[[chains]]\nchain_id = 10\nname = \"b\"\n\
                    base_token = \"ZK\"\ninterop_protocol_fee = 5";
        let c = DevnetConfig::build(Some(text), &Overrides::default()).unwrap();
        assert_eq!(c.ports, [7100, 7001, 7200, 7003]);
        assert_eq!(
            c.layout.chains[1].interop_protocol_fee,
            alloy_primitives::U256::from(5)
        );
        let cli = Overrides {
            port: Some(0),
            ..Overrides::default()
        };
        assert_eq!(DevnetConfig::build(Some(text), &cli).unwrap().ports, [0; 4]);
    }

    #[test]
    fn interop_protocol_fees_are_set_per_chain_in_wei() {
        let text = "[[chains]]\nchain_id = 9\nname = \"a\"\nbase_token = \"ETH\"\n\
                    interop_protocol_fee = 1000\n\
                    [[chains]]\nchain_id = 10\nname = \"b\"\nbase_token = \"ZK\"\n\
                    interop_protocol_fee = \"123456789012345678901234567890\"\n\
                    [[chains]]\nchain_id = 11\nname = \"c\"\nbase_token = \"ETH\"";
        let c = DevnetConfig::build(Some(text), &Overrides::default()).unwrap();
        let fees: Vec<String> = c
            .layout
            .chains
            .iter()
            .map(|c| c.interop_protocol_fee.to_string())
            .collect();
        assert_eq!(fees, ["1000", "123456789012345678901234567890", "0"]);
        // A layout without fees serialises as before (state files keep their shape).
        let json = serde_json::to_string(&Layout::with_l2s(1)).unwrap();
        assert!(!json.contains("interop_protocol_fee"), "{json}");
        for bad in ["-1", "\"ten\"", "\"-5\"", "1.5"] {
            let text = format!(
                "[[chains]]\nchain_id = 9\nname = \"a\"\nbase_token = \"ETH\"\n\
                 interop_protocol_fee = {bad}"
            );
            let e = DevnetConfig::build(Some(&text), &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("interop_protocol_fee"), "{bad}: {e}");
        }
    }

    #[test]
    fn bad_files_are_refused_with_the_key() {
        let cases = [
            ("colour = 1", "colour"),
            ("[l1]\nchain_id = 271", "used twice"),
            ("batch_interval = 0.001", "batch_interval"),
            ("batch_interval = -1", "batch_interval"),
            ("chains = []", "between 1 and"),
            ("port = 65535", "no room"),
            ("layout = \"mainnet\"", "layout: \"mainnet\" is not a layout"),
            ("[l1]\nport = 8546", "port 8546 is given to two chains"),
            (
                "layout = \"zksync-local\"\n[[chains]]\nchain_id = 9\nname = \"a\"\nbase_token = \"ETH\"",
                "give one",
            ),
            (
                "[[chains]]\nchain_id = 9\nname = \"a\"\nbase_token = \"ETH\"\n\
                 [[chains]]\nchain_id = 10\nname = \"a\"\nbase_token = \"ZK\"",
                "chains[1].name: \"a\" is used twice",
            ),
            (
                "[[chains]]\nchain_id = 9\nname = \"gateway\"\nbase_token = \"ETH\"",
                "chains[0].name: \"gateway\" is used twice",
            ),
        ];
        for (text, needle) in cases {
            let e = DevnetConfig::build(Some(text), &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains(needle), "{text}: {e}");
        }
        let both = Overrides {
            chains: Some(2),
            ..Overrides::default()
        };
        let text = "[[chains]]\nchain_id = 9\nname = \"x\"\nbase_token = \"ETH\"";
        assert!(DevnetConfig::build(Some(text), &both).is_err());
    }
}
