//! The L1 bridging contracts' ABI as clients call them, declared once: the L1 Bridgehub's
//! request structs and functions (`era-contracts@4859b6f:l1-contracts/contracts/core/bridgehub/IBridgehubBase.sol`,
//! `IL1Bridgehub.sol`), the Mailbox's events and `l2TransactionBaseCost`
//! (`state-transition/chain-interfaces/IMailboxImpl.sol`, `chain-deps/facets/Mailbox.sol`),
//! the L2 canonical transaction (`common/Messaging.sol`), the L1 asset router, nullifier and
//! native token vault (`bridge/asset-router/IL1AssetRouter.sol`, `IAssetRouterBase.sol`,
//! `bridge/interfaces/IL1Nullifier.sol`, `IAssetHandler.sol`, `bridge/ntv/INativeTokenVaultBase.sol`,
//! `IL2NativeTokenVault.sol`), the chain type manager's version (`state-transition/IChainTypeManager.sol`),
//! the L2 base token (`l2-system/interfaces/IL2BaseTokenBase.sol`) and the custom errors these
//! revert with (`common/L1ContractErrors.sol`, `bridge/L1BridgeContractErrors.sol`), same commit.
//! Selectors and topics are derived from the signatures.

#![allow(missing_docs)] // Solidity declarations; each group cites its source above

alloy_sol_types::sol! {
    /// `L2CanonicalTransaction`: the ABI form of an L1→L2 transaction, whose keccak is its
    /// canonical hash (`common/Messaging.sol`).
    #[derive(Debug, PartialEq, Eq)]
    struct L2CanonicalTransaction {
        uint256 txType;
        uint256 from;
        uint256 to;
        uint256 gasLimit;
        uint256 gasPerPubdataByteLimit;
        uint256 maxFeePerGas;
        uint256 maxPriorityFeePerGas;
        uint256 paymaster;
        uint256 nonce;
        uint256 value;
        uint256[4] reserved;
        bytes data;
        bytes signature;
        uint256[] factoryDeps;
        bytes paymasterInput;
        bytes reservedDynamic;
    }

    /// `requestL2TransactionDirect`'s argument (`core/bridgehub/IBridgehubBase.sol`).
    #[derive(Debug, PartialEq, Eq)]
    struct L2TransactionRequestDirect {
        uint256 chainId;
        uint256 mintValue;
        address l2Contract;
        uint256 l2Value;
        bytes l2Calldata;
        uint256 l2GasLimit;
        uint256 l2GasPerPubdataByteLimit;
        bytes[] factoryDeps;
        address refundRecipient;
    }

    /// `requestL2TransactionTwoBridges`'s argument (same file).
    #[derive(Debug, PartialEq, Eq)]
    struct L2TransactionRequestTwoBridgesOuter {
        uint256 chainId;
        uint256 mintValue;
        uint256 l2Value;
        uint256 l2GasLimit;
        uint256 l2GasPerPubdataByteLimit;
        address refundRecipient;
        address secondBridgeAddress;
        uint256 secondBridgeValue;
        bytes secondBridgeCalldata;
    }

    /// `FinalizeL1DepositParams` (`common/Messaging.sol`).
    #[derive(Debug, PartialEq, Eq)]
    struct FinalizeL1DepositParams {
        uint256 chainId;
        uint256 l2BatchNumber;
        uint256 l2MessageIndex;
        address l2Sender;
        uint16 l2TxNumberInBatch;
        bytes message;
        bytes32[] merkleProof;
    }

    /// The L1 Bridgehub (`core/bridgehub/IBridgehubBase.sol`, `IL1Bridgehub.sol`).
    interface IBridgehub {
        function requestL2TransactionDirect(L2TransactionRequestDirect calldata _request) external payable returns (bytes32 canonicalTxHash);
        function requestL2TransactionTwoBridges(L2TransactionRequestTwoBridgesOuter calldata _request) external payable returns (bytes32 canonicalTxHash);
        function l2TransactionBaseCost(uint256 _chainId, uint256 _gasPrice, uint256 _l2GasLimit, uint256 _l2GasPerPubdataByteLimit) external view returns (uint256);
        function assetRouter() external view returns (address);
        function chainTypeManager(uint256 _chainId) external view returns (address);
        function baseToken(uint256 _chainId) external view returns (address);
        function baseTokenAssetId(uint256 _chainId) external view returns (bytes32);
        function getZKChain(uint256 _chainId) external view returns (address);
        function getAllZKChainChainIDs() external view returns (uint256[] memory);
        function L1_CHAIN_ID() external view returns (uint256);
    }

    /// A chain's diamond on L1: the Mailbox and Getters functions clients call, and the
    /// Mailbox's events (`state-transition/chain-interfaces/IMailboxImpl.sol`, `IGetters.sol`).
    interface IZKChain {
        function l2TransactionBaseCost(uint256 _gasPrice, uint256 _l2GasLimit, uint256 _l2GasPerPubdataByteLimit) external view returns (uint256);
        function getChainId() external view returns (uint256);
        function getTotalPriorityTxs() external view returns (uint256);
        function getBaseTokenAssetId() external view returns (bytes32);
        function getBridgehub() external view returns (address);
        function getChainTypeManager() external view returns (address);
        event NewPriorityRequest(uint256 txId, bytes32 txHash, uint64 expirationTimestamp, L2CanonicalTransaction transaction, bytes[] factoryDeps);
        event NewPriorityRequestId(uint256 indexed txId, bytes32 indexed txHash);
    }

    /// The chain type manager (`state-transition/IChainTypeManager.sol`).
    interface IChainTypeManager {
        function getSemverProtocolVersion() external view returns (uint32, uint32, uint32);
        function protocolVersion() external view returns (uint256);
        function BRIDGE_HUB() external view returns (address);
    }

    /// The L1 asset router (`bridge/asset-router/IL1AssetRouter.sol`, `IAssetRouterBase.sol`).
    interface IL1AssetRouter {
        function L1_NULLIFIER() external view returns (address);
        function nativeTokenVault() external view returns (address);
        function BRIDGE_HUB() external view returns (address);
        function L1_CHAIN_ID() external view returns (uint256);
        event BridgehubDepositBaseTokenInitiated(uint256 indexed chainId, address indexed from, bytes32 assetId, uint256 amount);
        event DepositFinalizedAssetRouter(uint256 indexed chainId, bytes32 indexed assetId, bytes assetData);
    }

    /// The L1 nullifier (`bridge/interfaces/IL1Nullifier.sol`).
    interface IL1Nullifier {
        function isWithdrawalFinalized(uint256 _chainId, uint256 _l2BatchNumber, uint256 _l2MessageIndex) external view returns (bool);
        function finalizeDeposit(FinalizeL1DepositParams calldata _finalizeWithdrawalParams) external;
        function l1NativeTokenVault() external view returns (address);
        function l1AssetRouter() external view returns (address);
        function BRIDGE_HUB() external view returns (address);
        function chainBalance(uint256 _chainId, address _token) external view returns (uint256);
    }

    /// A native token vault, on L1 or L2 (`bridge/ntv/INativeTokenVaultBase.sol`,
    /// `IL1NativeTokenVault.sol`, `IL2NativeTokenVault.sol`, `bridge/interfaces/IAssetHandler.sol`).
    interface INativeTokenVault {
        function assetId(address token) external view returns (bytes32);
        function tokenAddress(bytes32 assetId) external view returns (address);
        function originChainId(bytes32 assetId) external view returns (uint256);
        function WETH_TOKEN() external view returns (address);
        function L1_CHAIN_ID() external view returns (uint256);
        function BASE_TOKEN_ASSET_ID() external view returns (bytes32);
        function ASSET_ROUTER() external view returns (address);
        function l2TokenAddress(address _l1Token) external view returns (address);
        function chainBalance(uint256 _chainId, bytes32 _assetId) external view returns (uint256);
        event BridgeMint(uint256 indexed chainId, bytes32 indexed assetId, address receiver, uint256 amount);
    }

    /// The L2 asset router's reads (`bridge/asset-router/IL2AssetRouter.sol`).
    interface IL2AssetRouter {
        function l1TokenAddress(address _l2Token) external view returns (address);
        function L1_CHAIN_ID() external view returns (uint256);
    }

    /// The L2 base token system contract (`l2-system/interfaces/IL2BaseTokenBase.sol`).
    interface IL2BaseToken {
        function withdraw(address _l1Receiver) external payable;
        function balanceOf(uint256) external view returns (uint256);
        event Withdrawal(address indexed _l2Sender, address indexed _l1Receiver, uint256 _amount);
    }

    /// `IMailboxLegacy.finalizeEthWithdrawal`: its selector heads a base-token withdrawal
    /// message (`state-transition/chain-interfaces/IMailboxLegacy.sol`).
    function finalizeEthWithdrawal(uint256 _l2BatchNumber, uint256 _l2MessageIndex, uint16 _l2TxNumberInBatch, bytes calldata _message, bytes32[] calldata _merkleProof) external;

    /// The custom errors the bridge's contracts revert with.
    error MsgValueMismatch(uint256 expectedMsgValue, uint256 providedMsgValue);
    error MsgValueTooLow(uint256 required, uint256 provided);
    error WithdrawalAlreadyFinalized();
    error InvalidProof();
    error WrongL2Sender(address providedL2Sender);
    error InvalidSelector(bytes4 func);
    error L2WithdrawalMessageWrongLength(uint256 messageLen);
    error InsufficientChainBalance(uint256 _chainId, bytes32 _assetId, uint256 _amount);
    error ChainIdNotRegistered(uint256 chainId);
    error SecondBridgeAddressTooLow(address secondBridgeAddress, address minSecondBridgeAddress);
    error DepositsPaused();
}
