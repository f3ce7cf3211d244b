//! System contract addresses, as the contracts fix them, for the start-up table and (in later
//! increments) for dispatching calls to the protocol.

use alloy_primitives::{address, Address};

/// `L2_BRIDGEHUB_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x02`
/// (era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol).
pub const BRIDGEHUB: Address = address!("0000000000000000000000000000000000010002");
/// `L2_ASSET_ROUTER_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x03` (same file).
pub const ASSET_ROUTER: Address = address!("0000000000000000000000000000000000010003");
/// `L2_INTEROP_ROOT_STORAGE_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x08` (same file).
pub const INTEROP_ROOT_STORAGE: Address = address!("0000000000000000000000000000000000010008");
/// `L2_MESSAGE_VERIFICATION_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x09` (same file).
pub const MESSAGE_VERIFICATION: Address = address!("0000000000000000000000000000000000010009");
/// `GW_ASSET_TRACKER_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x10` (same file); on Gateway.
pub const GW_ASSET_TRACKER: Address = address!("0000000000000000000000000000000000010010");
/// `L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR` = `SYSTEM_CONTRACTS_OFFSET + 0x0a` (same file).
pub const BASE_TOKEN: Address = address!("000000000000000000000000000000000000800a");

/// Every system contract the start-up table lists, with its name, on every L2 and Gateway.
pub fn l2_system_contracts() -> Vec<(&'static str, Address)> {
    use flywheel_protocol::chain::{
        INTEROP_CENTER, INTEROP_HANDLER, L1_MESSENGER, NATIVE_TOKEN_VAULT,
    };
    vec![
        ("L1Messenger", L1_MESSENGER),
        ("L2BaseToken", BASE_TOKEN),
        ("Bridgehub", BRIDGEHUB),
        ("AssetRouter", ASSET_ROUTER),
        ("NativeTokenVault", NATIVE_TOKEN_VAULT),
        ("L2InteropRootStorage", INTEROP_ROOT_STORAGE),
        ("L2MessageVerification", MESSAGE_VERIFICATION),
        ("InteropCenter", INTEROP_CENTER),
        ("InteropHandler", INTEROP_HANDLER),
    ]
}

/// Whether calls to `to` are system calls the devnet serves on an L2 or Gateway.
pub fn is_served(to: Address) -> bool {
    to == flywheel_protocol::chain::INTEROP_CENTER
        || to == flywheel_protocol::chain::INTEROP_HANDLER
        || to == INTEROP_ROOT_STORAGE
}

/// The contracts' ABI: functions, events and custom errors, with the signatures of
/// era-contracts@4859b6f (`l1-contracts/contracts/interop/IInteropCenter.sol`,
/// `InteropCenter.sol`, `L2InteropRootStorage.sol`, `common/l2-helpers/IL2ToL1Messenger.sol`,
/// `common/L1ContractErrors.sol`, `interop/InteropErrors.sol`,
/// `core/bridgehub/L1BridgehubErrors.sol`). Selectors are derived from these signatures.
#[allow(missing_docs)]
pub mod abi {
    alloy_sol_types::sol! {
        // The draft-v31 bundle structs, with the layout of the protocol crate's
        // (`flywheel_protocol::interop::bundle`, from `common/Messaging.sol`), declared here
        // so the event below can name them; a bundle crosses over by its ABI encoding.
        struct InteropCall {
            bytes1 version;
            bool shadowAccount;
            address to;
            address from;
            uint256 value;
            bytes data;
        }
        struct BundleAttributes {
            bytes executionAddress;
            bytes unbundlerAddress;
            bool useFixedFee;
        }
        struct InteropBundle {
            bytes1 version;
            uint256 sourceChainId;
            uint256 destinationChainId;
            bytes32 destinationBaseTokenAssetId;
            bytes32 interopBundleSalt;
            InteropCall[] calls;
            BundleAttributes bundleAttributes;
        }
        struct InteropCallStarter {
            bytes to;
            bytes data;
            bytes[] callAttributes;
        }

        struct L2Message {
            uint16 txNumberInBatch;
            address sender;
            bytes data;
        }
        struct MessageInclusionProof {
            uint256 chainId;
            uint256 l1BatchNumber;
            uint256 l2MessageIndex;
            L2Message message;
            bytes32[] proof;
        }

        function verifyBundle(bytes _bundle, MessageInclusionProof _proof) external;
        function executeBundle(bytes _bundle, MessageInclusionProof _proof) external;
        function unbundleBundle(bytes _bundle, uint8[] _callStatus) external;
        function bundleStatus(bytes32 bundleHash) external view returns (uint8);
        function callStatus(bytes32 bundleHash, uint256 callIndex) external view returns (uint8);

        event BundleVerified(bytes32 indexed bundleHash);
        event BundleExecuted(bytes32 indexed bundleHash);
        event BundleUnbundled(bytes32 indexed bundleHash);
        event CallProcessed(bytes32 indexed bundleHash, uint256 indexed callIndex, uint8 status);

        function sendBundle(bytes _destinationChainId, InteropCallStarter[] _callStarters, bytes[] _bundleAttributes) external payable returns (bytes32 bundleHash);
        function sendMessage(bytes recipient, bytes payload, bytes[] attributes) external payable returns (bytes32 sendId);
        function ZK_INTEROP_FEE() external view returns (uint256);
        function interopProtocolFee() external view returns (uint256);
        function interopBundleNonce(address sender) external view returns (uint256);
        function accumulatedProtocolFees(address coinbase) external view returns (uint256);
        function accumulatedZKFees(address coinbase) external view returns (uint256);
        function interopRoots(uint256 chainId, uint256 blockOrBatchNumber) external view returns (bytes32);

        event InteropBundleSent(bytes32 l2l1MsgHash, bytes32 interopBundleHash, InteropBundle interopBundle);
        event ProtocolFeesAccumulated(address indexed coinbase, uint256 amount);
        event FixedZKFeesAccumulated(address indexed payer, address indexed coinbase, uint256 amount);
        event MessageSent(bytes32 indexed sendId, bytes sender, bytes recipient, bytes payload, uint256 value, bytes[] attributes);
        event L1MessageSent(address indexed _sender, bytes32 indexed _hash, bytes _message);

        error Error(string message);
        error NotL2ToL2(uint256 sourceChainId, uint256 destinationChainId);
        error NotInGatewayMode();
        error DestinationChainNotRegistered(uint256 destinationChainId);
        error ZKTokenNotAvailable();
    }
}
