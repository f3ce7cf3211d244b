//! The start-up table: chains with their URLs, the dev accounts with their keys, and the
//! system contracts' addresses.

use crate::node::{Devnet, Role};
use crate::system;
use std::fmt::Write;
use std::net::SocketAddr;

/// Renders the table for a devnet listening on `addrs` (port order).
pub fn startup_table(devnet: &Devnet, addrs: &[SocketAddr]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "flywheel devnet: {} chains\n", devnet.chains().len());
    let _ = writeln!(
        s,
        "{:<8} {:>10}  {:<12} {:<5} URL",
        "role", "chain id", "name", "base"
    );
    for (c, addr) in devnet.chains().iter().zip(addrs) {
        let _ = writeln!(
            s,
            "{:<8} {:>10}  {:<12} {:<5} http://{addr}",
            c.role.label(),
            c.id,
            c.name,
            c.base_token.symbol()
        );
    }
    let _ = writeln!(
        s,
        "\nDev accounts (mnemonic \"{}\"), funded with {} of the base token on every chain and {} ZK:",
        crate::accounts::TEST_MNEMONIC,
        crate::node::DEV_BASE_BALANCE_TOKENS,
        crate::node::DEV_ZK_TOKENS
    );
    for (i, a) in devnet.accounts().iter().enumerate() {
        let _ = writeln!(s, "({i}) {} {}", a.address, a.private_key());
    }
    let _ = writeln!(
        s,
        "Relayer (executes bundles when relaying is on): {}",
        devnet.relayer_address()
    );
    if let Ok(admin) = crate::accounts::admin() {
        let _ = writeln!(
            s,
            "Admin (every chain's operator and coinbase, GWAssetTracker's owner, Fee Flow's and the Splitter's admin, the ZK token's role admin): {} {}",
            admin.address,
            admin.private_key()
        );
    }
    let _ = writeln!(s, "\nSystem contracts (every L2 and Gateway):");
    for (name, addr) in system::l2_system_contracts() {
        let _ = writeln!(s, "  {name:<22} {addr}");
    }
    let chains = devnet.chains();
    let gw = chains.iter().find(|c| c.role == Role::Gateway);
    if let Some(gw) = gw {
        let _ = writeln!(
            s,
            "  {:<22} {} (Gateway {})",
            "GWAssetTracker",
            system::GW_ASSET_TRACKER,
            gw.id
        );
    }
    let fee_chain = devnet.network().state().economy.fee_flow.chain;
    let _ = writeln!(
        s,
        "  {:<22} {} (chain {fee_chain})",
        "FeeFlow",
        flywheel_protocol::fee_flow::fee_flow_address()
    );
    let _ = writeln!(
        s,
        "  {:<22} {} (chain {fee_chain})",
        "Splitter",
        flywheel_protocol::fee_flow::splitter_address()
    );
    s
}
