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
