//! The start-up table: chains with their URLs, the dev accounts with their keys, and the
//! system contracts' addresses.

use crate::node::{Devnet, Role};
use crate::system;
use std::borrow::Cow;
use std::fmt::Write;
use std::net::SocketAddr;

/// `text` with its control characters escaped (`\n`, `\u{1b}`, …): a chain name from
/// `devnet.toml` reaches the terminal, where ESC sequences would restyle it and CR or LF would
/// forge table lines.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Renders the table for a devnet listening on `addrs` (port order), its relayer on or off.
pub fn startup_table(devnet: &Devnet, addrs: &[SocketAddr], relay: bool) -> String {
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
            printable(&c.name),
            c.base_token.symbol()
        );
    }
    let _ = writeln!(
        s,
        "WebSocket on every chain: the same address with ws:// (eth_subscribe newHeads, logs)"
    );
    let _ = writeln!(
        s,
        "\nAutorelay: {}",
        if relay {
            "on (the relayer executes every provable bundle; clients that execute bundles \
             themselves, as the SDK's finalize does, race it)"
        } else {
            "off (clients execute bundles; --autorelay turns the relayer on)"
        }
    );
    sdk_environment(&mut s, devnet, addrs);
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
    if devnet.layout().rich_wallets {
        let _ = writeln!(s, "ZKsync's local rich wallets, funded alike:");
        for (i, (a, k)) in crate::accounts::LOCAL_RICH_WALLETS.iter().enumerate() {
            let _ = writeln!(s, "(r{i}) {a} {k}");
        }
    }
    let _ = writeln!(
        s,
        "Relayer (executes bundles when autorelay is on): {}",
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

/// The environment the zksync-js examples read (their defaults are ZKsync's local ports,
/// which `--layout zksync-local` serves): the deposit and withdrawal examples `L1_RPC_URL` and
/// `L2_RPC_URL`; the interop examples and `scripts/interop-setup.ts` `L1_RPC`, `GW_RPC`,
/// `SRC_L2_RPC` and `DST_L2_RPC`; all of them `PRIVATE_KEY` (dev account 0 here).
fn sdk_environment(s: &mut String, devnet: &Devnet, addrs: &[SocketAddr]) {
    let chains = devnet.chains();
    let url = |role: Role, nth: usize| {
        chains
            .iter()
            .zip(addrs)
            .filter(|(c, _)| c.role == role)
            .nth(nth)
            .map(|(_, a)| format!("http://{a}"))
    };
    let (Some(l1), Some(gw), Some(src)) =
        (url(Role::L1, 0), url(Role::Gateway, 0), url(Role::L2, 0))
    else {
        return;
    };
    let dst = url(Role::L2, 1).unwrap_or_else(|| src.clone());
    let _ = writeln!(
        s,
        "\nzksync-js examples read (their defaults are 8545, 3050, 3051, 3052: --layout zksync-local):"
    );
    let _ = writeln!(
        s,
        "  deposits/, withdrawals/:  export L1_RPC_URL={l1} L2_RPC_URL={src}"
    );
    let _ = writeln!(
        s,
        "  interop/, interop-setup:  export L1_RPC={l1} GW_RPC={gw} SRC_L2_RPC={src} DST_L2_RPC={dst}"
    );
    if let Some(key) = devnet.accounts().first().map(|a| a.private_key()) {
        let _ = writeln!(s, "  all of them:              export PRIVATE_KEY={key}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BaseToken, L2Config, Layout};

    #[test]
    fn control_characters_in_names_are_escaped() {
        assert_eq!(printable("l2-1"), "l2-1");
        assert_eq!(
            printable("a\u{1b}[31mb\r\nc\u{9b}"),
            "a\\u{1b}[31mb\\r\\nc\\u{9b}"
        );
        let mut layout = Layout::with_l2s(1);
        layout.chains.push(L2Config {
            chain_id: 999,
            name: "evil\u{1b}[2J\nl1 forged".into(),
            base_token: BaseToken::Eth,
            interop_protocol_fee: alloy_primitives::U256::ZERO,
        });
        let d = Devnet::new(layout, 1).unwrap();
        let addrs: Vec<SocketAddr> = (0..4)
            .map(|i| SocketAddr::from(([127, 0, 0, 1], 8545 + i)))
            .collect();
        let table = startup_table(&d, &addrs, false);
        assert!(!table.contains('\u{1b}'), "{table}");
        assert!(table.contains("evil\\u{1b}[2J\\nl1 forged"), "{table}");
        // One line per chain, none forged.
        assert_eq!(
            table
                .lines()
                .filter(|l| l.contains("http://") && !l.contains("export"))
                .count(),
            4
        );
        assert!(!table.lines().any(|l| l.starts_with("l1 forged")));
    }
}
