//! The dev accounts: the first ten keys of the standard test mnemonic, as anvil, hardhat and
//! foundry derive them, so every tool's built-in test keys work here.

use crate::error::DevnetError;
use alloy_primitives::{Address, B256};
use alloy_signer_local::{MnemonicBuilder, PrivateKeySigner};

/// The standard test mnemonic (BIP-39), shared by anvil, hardhat and foundry.
pub const TEST_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// How many dev accounts are funded.
pub const DEV_ACCOUNT_COUNT: u32 = 10;

/// One dev account: its address and its key.
#[derive(Debug, Clone)]
pub struct DevAccount {
    /// Address (`m/44'/60'/0'/0/index`).
    pub address: Address,
    /// The signer (its private key).
    pub signer: PrivateKeySigner,
}

impl DevAccount {
    /// The private key, for the start-up table.
    pub fn private_key(&self) -> B256 {
        self.signer.to_bytes()
    }
}

/// The dev accounts `m/44'/60'/0'/0/0..DEV_ACCOUNT_COUNT` of [`TEST_MNEMONIC`], derived once
/// per process (PBKDF2's 2,048 rounds make derivation the slowest part of start-up).
pub fn dev_accounts() -> Result<Vec<DevAccount>, DevnetError> {
    static ACCOUNTS: std::sync::OnceLock<Result<Vec<DevAccount>, String>> =
        std::sync::OnceLock::new();
    ACCOUNTS
        .get_or_init(|| derive().map_err(|e| e.to_string()))
        .clone()
        .map_err(DevnetError::Accounts)
}

/// The devnet's relayer: the key that sends `executeBundle` for relayed bundles (derived
/// from the same mnemonic, at index 10, after the dev accounts), so its transactions are
/// ordinary signed ones with receipts and logs.
pub fn relayer() -> Result<DevAccount, DevnetError> {
    let signer = MnemonicBuilder::from_phrase(TEST_MNEMONIC)
        .index(DEV_ACCOUNT_COUNT)
        .and_then(|b| b.build())
        .map_err(|e| DevnetError::Accounts(e.to_string()))?;
    Ok(DevAccount {
        address: signer.address(),
        signer,
    })
}

/// Mnemonic index of the devnet admin (after the dev accounts and the relayer).
pub const ADMIN_INDEX: u32 = DEV_ACCOUNT_COUNT + 1;

/// The devnet admin's address: `m/44'/60'/0'/0/11` of [`TEST_MNEMONIC`] (anvil's twelfth
/// account). A constant so that the genesis needs no key derivation; a test checks it.
pub const ADMIN_ADDRESS: Address =
    alloy_primitives::address!("71bE63f3384f5fb98995898A86B02Fb2426c5788");

/// The devnet admin: holds every role that mainnet gives to an operator or to governance —
/// each chain's operator (the coinbase that accrues and claims fees) and admin, GWAssetTracker's
/// owner, Fee Flow's and the Splitter's admins and the ZK token's role admin — so a developer
/// can exercise those paths with a known key. Derived once per process.
pub fn admin() -> Result<DevAccount, DevnetError> {
    static ADMIN: std::sync::OnceLock<Result<DevAccount, String>> = std::sync::OnceLock::new();
    ADMIN
        .get_or_init(|| {
            let signer = MnemonicBuilder::from_phrase(TEST_MNEMONIC)
                .index(ADMIN_INDEX)
                .and_then(|b| b.build())
                .map_err(|e| e.to_string())?;
            Ok(DevAccount {
                address: signer.address(),
                signer,
            })
        })
        .clone()
        .map_err(DevnetError::Accounts)
}

/// ZKsync's local "rich" wallets (matter-labs/local-setup `rich-wallets.json`, the keys the
/// zksync-js e2e suites and ZKsync's tooling use, e.g. `L2_RICH_PRIVATE_KEY` in
/// `src/adapters/*/e2e/helpers.ts`): address and private key. `--layout zksync-local` funds
/// them on every chain beside the dev accounts. A test checks every key against its address.
pub const LOCAL_RICH_WALLETS: [(Address, B256); 10] = [
    (
        alloy_primitives::address!("36615Cf349d7F6344891B1e7CA7C72883F5dc049"),
        alloy_primitives::b256!("7726827caac94a7f9e1b160f7ea819f172f7b6f9d2a97f992c38edeab82d4110"),
    ),
    (
        alloy_primitives::address!("a61464658AfeAf65CccaaFD3a512b69A83B77618"),
        alloy_primitives::b256!("ac1e735be8536c6534bb4f17f06f6afc73b2b5ba84ac2cfb12f7461b20c0bbe3"),
    ),
    (
        alloy_primitives::address!("0D43eB5B8a47bA8900d84AA36656c92024e9772e"),
        alloy_primitives::b256!("d293c684d884d56f8d6abd64fc76757d3664904e309a0645baf8522ab6366d9e"),
    ),
    (
        alloy_primitives::address!("A13c10C0D5bd6f79041B9835c63f91de35A15883"),
        alloy_primitives::b256!("850683b40d4a740aa6e745f889a6fdc8327be76e122f5aba645a5b02d0248db8"),
    ),
    (
        alloy_primitives::address!("8002cD98Cfb563492A6fB3E7C8243b7B9Ad4cc92"),
        alloy_primitives::b256!("f12e28c0eb1ef4ff90478f6805b68d63737b7f33abfa091601140805da450d93"),
    ),
    (
        alloy_primitives::address!("4F9133D1d3F50011A6859807C837bdCB31Aaab13"),
        alloy_primitives::b256!("e667e57a9b8aaa6709e51ff7d093f1c5b73b63f9987e4ab4aa9a5c699e024ee8"),
    ),
    (
        alloy_primitives::address!("bd29A1B981925B94eEc5c4F1125AF02a2Ec4d1cA"),
        alloy_primitives::b256!("28a574ab2de8a00364d5dd4b07c4f2f574ef7fcc2a86a197f65abaec836d1959"),
    ),
    (
        alloy_primitives::address!("edB6F5B4aab3dD95C7806Af42881FF12BE7e9daa"),
        alloy_primitives::b256!("74d8b3a188f7260f67698eb44da07397a298df5427df681ef68c45b34b61f998"),
    ),
    (
        alloy_primitives::address!("e706e60ab5Dc512C36A4646D719b889F398cbBcB"),
        alloy_primitives::b256!("be79721778b48bcc679b78edac0ce48306a8578186ffcb9f2ee455ae6efeace1"),
    ),
    (
        alloy_primitives::address!("E90E12261CCb0F3F7976Ae611A29e84a6A85f424"),
        alloy_primitives::b256!("3eb15da85647edd9a1159a4a13b9e7c56877c4eb33f614546d4db06a51868b1c"),
    ),
];

fn derive() -> Result<Vec<DevAccount>, DevnetError> {
    (0..DEV_ACCOUNT_COUNT)
        .map(|i| {
            let signer = MnemonicBuilder::from_phrase(TEST_MNEMONIC)
                .index(i)
                .and_then(|b| b.build())
                .map_err(|e| DevnetError::Accounts(e.to_string()))?;
            Ok(DevAccount {
                address: signer.address(),
                signer,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256};

    /// The first and last of the well-known test accounts, as anvil prints them at start-up.
    #[test]
    fn every_local_rich_key_signs_for_its_address() {
        for (address, key) in LOCAL_RICH_WALLETS {
            let signer = PrivateKeySigner::from_bytes(&key).unwrap();
            assert_eq!(signer.address(), address, "{key}");
        }
    }

    #[test]
    fn the_admin_constant_is_the_derived_key() {
        assert_eq!(admin().unwrap().address, ADMIN_ADDRESS);
    }

    #[test]
    fn derivation_matches_the_published_test_accounts() {
        let a = dev_accounts().unwrap();
        assert_eq!(a.len(), 10);
        assert_eq!(
            a[0].address,
            address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        );
        assert_eq!(
            a[0].private_key(),
            b256!("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        );
        assert_eq!(
            a[9].address,
            address!("a0Ee7A142d267C1f36714E4a8F75612F20a79720")
        );
    }
}
