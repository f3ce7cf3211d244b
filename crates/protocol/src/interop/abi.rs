//! The v31 interop contracts' ABI, declared once: the structs of
//! `era-contracts@4859b6f:l1-contracts/contracts/common/Messaging.sol` (bundles, calls, call
//! starters, messages and inclusion proofs) and the functions, events and custom errors of the
//! system contracts that take or emit them — InteropCenter, InteropHandler,
//! L2InteropRootStorage, L2MessageVerification and the L1 messenger
//! (`l1-contracts/contracts/interop/IInteropCenter.sol`, `IInteropHandler.sol`,
//! `IERC7786GatewaySource.sol`, `IL2InteropRootStorage.sol`, `common/MessageVerification.sol`,
//! `common/l2-helpers/IL2ToL1Messenger.sol`, `common/L1ContractErrors.sol`,
//! `interop/InteropErrors.sol`, `core/bridgehub/L1BridgehubErrors.sol`, same commit).
//!
//! One `sol!` block, because a Solidity signature that names a struct (`executeBundle`'s
//! proof, `InteropBundleSent`'s bundle) must be declared beside it; the protocol's bundle
//! hashing and the devnet's dispatch both use these types, so the layout lives in one place.
//! Selectors and topics are derived from the signatures.

#![allow(missing_docs)] // Solidity declarations; each group cites its source above

alloy_sol_types::sol! {
    /// One call of a bundle, as executed on the destination
    /// (`era-contracts@4859b6f:l1-contracts/contracts/common/Messaging.sol`).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct InteropCall {
        bytes1 version;
        bool shadowAccount;
        address to;
        address from;
        uint256 value;
        bytes data;
    }

    /// Who may execute and who may unbundle a bundle (ERC-7930 addresses), and the bundle's
    /// fee mode: `useFixedFee` is part of the encoding, so the mode is fixed by the hash
    /// (`era-contracts@4859b6f:l1-contracts/contracts/common/Messaging.sol`).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct BundleAttributes {
        bytes executionAddress;
        bytes unbundlerAddress;
        bool useFixedFee;
    }

    /// The unit of interop: calls from one source chain to one destination, executed
    /// atomically or unbundled call by call. `destinationBaseTokenAssetId` is the destination's
    /// base token as the source's Bridgehub registered it; the destination's InteropHandler
    /// refuses a bundle whose id is not its own base token
    /// (`era-contracts@4859b6f:l1-contracts/contracts/common/Messaging.sol`).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct InteropBundle {
        bytes1 version;
        uint256 sourceChainId;
        uint256 destinationChainId;
        bytes32 destinationBaseTokenAssetId;
        bytes32 interopBundleSalt;
        InteropCall[] calls;
        BundleAttributes bundleAttributes;
    }

    /// What a user hands to `sendBundle` for one call: ERC-7930 target (no chain), data and
    /// ERC-7786 call attributes.
    #[derive(Debug, PartialEq, Eq)]
    struct InteropCallStarter {
        bytes to;
        bytes data;
        bytes[] callAttributes;
    }

    /// An L2→L1 message as proofs name it.
    #[derive(Debug, PartialEq, Eq)]
    struct L2Message {
        uint16 txNumberInBatch;
        address sender;
        bytes data;
    }

    /// Proof that `message` was sent by `chainId` in batch `l1BatchNumber` at leaf
    /// `l2MessageIndex`.
    #[derive(Debug, PartialEq, Eq)]
    struct MessageInclusionProof {
        uint256 chainId;
        uint256 l1BatchNumber;
        uint256 l2MessageIndex;
        L2Message message;
        bytes32[] proof;
    }

    // InteropHandler.
    function verifyBundle(bytes _bundle, MessageInclusionProof _proof) external;
    function executeBundle(bytes _bundle, MessageInclusionProof _proof) external;
    function unbundleBundle(bytes _bundle, uint8[] _callStatus) external;
    function bundleStatus(bytes32 bundleHash) external view returns (uint8);
    function callStatus(bytes32 bundleHash, uint256 callIndex) external view returns (uint8);
    event BundleVerified(bytes32 indexed bundleHash);
    event BundleExecuted(bytes32 indexed bundleHash);
    event BundleUnbundled(bytes32 indexed bundleHash);
    event CallProcessed(bytes32 indexed bundleHash, uint256 indexed callIndex, uint8 status);

    // InteropCenter (and ERC-7786's gateway source).
    function sendBundle(bytes _destinationChainId, InteropCallStarter[] _callStarters, bytes[] _bundleAttributes) external payable returns (bytes32 bundleHash);
    function sendMessage(bytes recipient, bytes payload, bytes[] attributes) external payable returns (bytes32 sendId);
    function ZK_INTEROP_FEE() external view returns (uint256);
    function interopProtocolFee() external view returns (uint256);
    function interopBundleNonce(address sender) external view returns (uint256);
    function accumulatedProtocolFees(address coinbase) external view returns (uint256);
    function accumulatedZKFees(address coinbase) external view returns (uint256);
    function claimProtocolFees(address _receiver) external;
    function claimZKFees(address _receiver) external;
    function getZKTokenAddress() external view returns (address);
    function zkToken() external view returns (address);
    function setInteropFee(uint256 _fee) external;
    event InteropFeeUpdated(uint256 indexed oldFee, uint256 indexed newFee);
    event InteropBundleSent(bytes32 l2l1MsgHash, bytes32 interopBundleHash, InteropBundle interopBundle);
    event ProtocolFeesAccumulated(address indexed coinbase, uint256 amount);
    event FixedZKFeesAccumulated(address indexed payer, address indexed coinbase, uint256 amount);
    event ProtocolFeesClaimed(address indexed coinbase, address indexed receiver, uint256 amount);
    event ZKFeesClaimed(address indexed coinbase, address indexed receiver, uint256 amount);
    event MessageSent(bytes32 indexed sendId, bytes sender, bytes recipient, bytes payload, uint256 value, bytes[] attributes);

    // L2InteropRootStorage.
    function interopRoots(uint256 chainId, uint256 blockOrBatchNumber) external view returns (bytes32);

    // L2MessageVerification.
    function proveL2MessageInclusionShared(uint256 _chainId, uint256 _blockOrBatchNumber, uint256 _index, L2Message _message, bytes32[] _proof) external view returns (bool);

    // The L1 messenger.
    event L1MessageSent(address indexed _sender, bytes32 indexed _hash, bytes _message);

    // Errors.
    error Error(string message);
    error NotL2ToL2(uint256 sourceChainId, uint256 destinationChainId);
    error NotInGatewayMode();
    error Unauthorized(address caller);
    error DestinationChainNotRegistered(uint256 destinationChainId);
    error ZKTokenNotAvailable();
    error DepthMoreThanOneForRecursiveMerkleProof();
    error HashedLogIsDefault();
}
