//! The typed inputs to the network: one [`Action`] per user or operator call the model
//! knows, each all or nothing.

use crate::chain::{AssetId, CallStatus};
use crate::interop::bundle::InteropCallStarter;
use crate::settlement::MessageInclusionProof;
use crate::ChainId;
use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Serialize};

/// A typed input to the network. Each one is all-or-nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Several actions applied in order as one, all or nothing — a relayer's or a sequencer's
    /// batch. Its events are the inner actions' events in order.
    Batch(Vec<Action>),
    /// Moves the clock forward by `seconds`.
    AdvanceTime {
        /// Seconds to add.
        seconds: u64,
    },
    /// Brings new supply of an asset onto a chain (a deposit from outside the model).
    Fund {
        /// Chain.
        chain: ChainId,
        /// Asset.
        asset: AssetId,
        /// Receiver.
        to: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// Takes supply of an asset out of the model on a chain: the inverse of `Fund` (a
    /// withdrawal to outside the model; the devnet's `anvil_setBalance` lowering a balance).
    Defund {
        /// Chain.
        chain: ChainId,
        /// Asset.
        asset: AssetId,
        /// Holder.
        from: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// Transfers an asset within a chain.
    Transfer {
        /// Chain.
        chain: ChainId,
        /// Asset.
        asset: AssetId,
        /// Payer.
        from: Address,
        /// Payee.
        to: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// ZK token: `transfer`.
    ZkTransfer {
        /// Payer.
        from: Address,
        /// Payee.
        to: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// ZK token: `approve`.
    ZkApprove {
        /// Owner.
        owner: Address,
        /// Spender.
        spender: Address,
        /// Allowance in wei.
        amount: U256,
    },
    /// ZK token: `delegate`.
    ZkDelegate {
        /// Delegator.
        delegator: Address,
        /// Delegatee.
        delegatee: Address,
    },
    /// ZK token: public `burn`.
    ZkBurn {
        /// Holder.
        holder: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// `ZkCappedMinterV2Factory.createCappedMinter`: anyone deploys a capped minter whose
    /// `admin` gets its DEFAULT_ADMIN_ROLE and PAUSER_ROLE. It mints nothing until the token's
    /// role admin grants it the token's MINTER_ROLE ([`Action::ZkGrantRole`]).
    CreateMinter {
        /// The minter's address (CREATE2-derived on mainnet; chosen here).
        minter: Address,
        /// Holder of the minter's DEFAULT_ADMIN_ROLE and PAUSER_ROLE.
        admin: Address,
        /// Lifetime mint limit, wei.
        cap: U256,
        /// `START_TIME`: first second minting is allowed (not in the past).
        start: u64,
        /// `EXPIRATION_TIME`: last second minting is allowed (inclusive; not before `start`).
        expiry: u64,
    },
    /// ZkCappedMinterV2 `mint(to, amount)` by `caller`, who must hold the minter's MINTER_ROLE;
    /// within the minter's window, pause, close and cap, and the token's 21B max supply.
    MinterMint {
        /// Who calls `mint` (needs the minter's MINTER_ROLE).
        caller: Address,
        /// The capped minter.
        minter: Address,
        /// Receiver.
        to: Address,
        /// ZK wei.
        amount: U256,
    },
    /// A capped minter's `grantRole` (its DEFAULT_ADMIN_ROLE holders; never DEFAULT_ADMIN_ROLE).
    MinterGrantRole {
        /// Caller.
        caller: Address,
        /// The capped minter.
        minter: Address,
        /// Role.
        role: crate::token::MinterRole,
        /// Who gets it.
        account: Address,
    },
    /// A capped minter's `revokeRole` (its DEFAULT_ADMIN_ROLE holders).
    MinterRevokeRole {
        /// Caller.
        caller: Address,
        /// The capped minter.
        minter: Address,
        /// Role.
        role: crate::token::MinterRole,
        /// Who loses it.
        account: Address,
    },
    /// A capped minter's `renounceRole(role, caller)`: the caller drops its own role.
    MinterRenounceRole {
        /// Caller (and the account that loses the role).
        caller: Address,
        /// The capped minter.
        minter: Address,
        /// Role.
        role: crate::token::MinterRole,
    },
    /// A capped minter's `pause()` (PAUSER_ROLE).
    PauseMinter {
        /// Caller.
        caller: Address,
        /// The capped minter.
        minter: Address,
    },
    /// A capped minter's `unpause()` (PAUSER_ROLE).
    UnpauseMinter {
        /// Caller.
        caller: Address,
        /// The capped minter.
        minter: Address,
    },
    /// A capped minter's `close()` (DEFAULT_ADMIN_ROLE): no minting ever again.
    CloseMinter {
        /// Caller.
        caller: Address,
        /// The capped minter.
        minter: Address,
    },
    /// ZK token `grantRole(role, account)` by the role's admin (the token's role admin).
    ZkGrantRole {
        /// Caller.
        caller: Address,
        /// MINTER_ROLE (for capped minters) or BURNER_ROLE.
        role: crate::token::Role,
        /// Who gets it.
        account: Address,
    },
    /// ZK token `revokeRole(role, account)` by the role's admin.
    ZkRevokeRole {
        /// Caller.
        caller: Address,
        /// The role.
        role: crate::token::Role,
        /// Who loses it.
        account: Address,
    },
    /// The operator sets `interopProtocolFee` on its chain: `setInteropFee`, which the contract
    /// takes from the bootloader only, i.e. from the operator's sequencer
    /// (era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol).
    SetInteropProtocolFee {
        /// Chain.
        chain: ChainId,
        /// Caller (must be the operator).
        caller: Address,
        /// Fee per call, base-token wei.
        fee: U256,
    },
    /// InteropCenter `claimProtocolFees(receiver)`: the coinbase's whole base-token accrual
    /// goes to `receiver` (nothing accrued: a no-op).
    ClaimProtocolFees {
        /// Chain.
        chain: ChainId,
        /// Operator (the caller, the coinbase that accrued the fees).
        operator: Address,
        /// Who receives them.
        receiver: Address,
    },
    /// InteropCenter `claimZKFees(receiver)`: the coinbase's whole fixed ZK accrual goes to
    /// `receiver` (nothing accrued: a no-op).
    ClaimZkFees {
        /// Chain.
        chain: ChainId,
        /// Operator (the caller, the coinbase that accrued the fees).
        operator: Address,
        /// Who receives them.
        receiver: Address,
    },
    /// GWAssetTracker `setSettlementFeePayerAgreement(chainId, agreed)`: the caller agrees (or
    /// stops agreeing) to pay `chain`'s Gateway settlement fees.
    SetSettlementFeePayerAgreement {
        /// Chain.
        chain: ChainId,
        /// Payer (the caller).
        payer: Address,
        /// Agree or withdraw.
        agreed: bool,
    },
    /// GWAssetTracker `withdrawGatewayFees(recipient)` by its owner: the whole vault to
    /// `recipient` (e.g. the Splitter, which splits it at its next `split()`).
    WithdrawGatewayFees {
        /// Caller (must be the owner: governance).
        caller: Address,
        /// Who receives the ZK (not zero).
        recipient: Address,
    },
    /// Governance sets `gatewaySettlementFee` (ZK wei per interop call at Gateway settlement).
    SetGatewaySettlementFee {
        /// Caller (must be governance).
        caller: Address,
        /// New fee.
        fee: U256,
    },
    /// Fee Flow `claim(requests)`: pay `bidThreshold` ZK (to the Splitter, which splits) and
    /// take the whole balance of each requested token.
    ClaimFeeFlow {
        /// Who pays and receives.
        caller: Address,
        /// Tokens and their minimum balances.
        requests: Vec<crate::fee_flow::ClaimRequest>,
    },
    /// Fee Flow `setBidThreshold` (admin or emergency admin).
    SetBidThreshold {
        /// Caller.
        caller: Address,
        /// ZK wei per claim (at least `minBidThreshold`).
        threshold: U256,
    },
    /// Fee Flow `setDestination` (admin or emergency admin).
    SetFeeFlowDestination {
        /// Caller.
        caller: Address,
        /// Where bids go (not zero).
        destination: Address,
    },
    /// Fee Flow `setClaimPaused` (admin or emergency admin).
    SetClaimPaused {
        /// Caller.
        caller: Address,
        /// New state.
        paused: bool,
    },
    /// Fee Flow `setClaimableToken` (admin or emergency admin).
    SetClaimableToken {
        /// Caller.
        caller: Address,
        /// The token.
        token: AssetId,
        /// On the whitelist or not.
        claimable: bool,
    },
    /// Fee Flow `recover` (admin only).
    RecoverFeeFlow {
        /// Caller.
        caller: Address,
        /// The token (ZK's asset id moves canonical ZK).
        token: AssetId,
        /// Receiver.
        to: Address,
        /// Amount, wei.
        amount: U256,
    },
    /// Splitter `split()` (anyone).
    Split,
    /// Splitter `setBurnPercentage` (admin or emergency admin).
    SetBurnPercentage {
        /// Caller.
        caller: Address,
        /// Burn share, bps (`uint256`: anything above 10,000 reverts).
        burn_bps: U256,
    },
    /// Splitter `setDistributors` (admin or emergency admin).
    SetDistributors {
        /// Caller.
        caller: Address,
        /// The new list (replaces the old one; duplicates allowed).
        distributors: Vec<crate::fee_flow::Distributor>,
    },
    /// Splitter `recover` (admin only).
    RecoverSplitter {
        /// Caller.
        caller: Address,
        /// The token (ZK's asset id moves canonical ZK).
        token: AssetId,
        /// Receiver.
        to: Address,
        /// Amount, wei.
        amount: U256,
    },
    /// Moves `amount` of `asset` from `from` on one chain to `to` on another in one step (value
    /// burned on the source, minted on the destination). A model shortcut for the asset
    /// router's bridging, without its fees or delay: how the simulator sends other chains'
    /// base-token revenue to the Fee Flow pool on Era.
    Bridge {
        /// Asset.
        asset: AssetId,
        /// Source chain.
        from_chain: ChainId,
        /// Payer there.
        from: Address,
        /// Destination chain (not the source).
        to_chain: ChainId,
        /// Receiver there.
        to: Address,
        /// Amount, wei.
        amount: U256,
    },
    /// Flow mode: `calls` interop calls from `chain` to `destination`, paid by `payer`, applied
    /// as one aggregate through the same rules and fee arithmetic as real bundles.
    InteropTraffic {
        /// Source chain.
        chain: ChainId,
        /// Who pays the fees (an aggregate of users).
        payer: Address,
        /// Destination chain.
        destination: ChainId,
        /// Number of calls.
        calls: u64,
        /// Whether they pay the fixed ZK fee.
        use_fixed_fee: bool,
    },
    /// Staker `stake`: a deposit whose voting power goes to `delegatee`.
    Stake {
        /// Depositor (approved the staker for `amount`).
        owner: Address,
        /// ZK wei.
        amount: U256,
        /// Who gets the deposit's votes.
        delegatee: Address,
        /// Who may claim its rewards (besides the owner).
        claimer: Address,
    },
    /// Staker `stakeMore`.
    StakeMore {
        /// Owner.
        caller: Address,
        /// Deposit id.
        deposit: u64,
        /// ZK wei.
        amount: U256,
    },
    /// Staker `withdraw` (no lock-up).
    Withdraw {
        /// Owner.
        caller: Address,
        /// Deposit id.
        deposit: u64,
        /// ZK wei.
        amount: U256,
    },
    /// Staker `alterDelegatee`.
    AlterDelegatee {
        /// Owner.
        caller: Address,
        /// Deposit id.
        deposit: u64,
        /// New delegatee.
        delegatee: Address,
    },
    /// Staker `alterClaimer`.
    AlterClaimer {
        /// Owner.
        caller: Address,
        /// Deposit id.
        deposit: u64,
        /// New claimer.
        claimer: Address,
    },
    /// Staker `claimReward` (owner or claimer).
    ClaimReward {
        /// Owner or claimer.
        caller: Address,
        /// Deposit id.
        deposit: u64,
    },
    /// Staker `bumpEarningPower`: anyone, for a bounded tip, when eligibility changed.
    BumpEarningPower {
        /// Who bumps.
        bumper: Address,
        /// Deposit id.
        deposit: u64,
        /// Who gets the tip.
        tip_receiver: Address,
        /// Tip asked, ZK wei.
        tip: U256,
    },
    /// Staker `notifyRewardAmount` by an enabled notifier (the reward script's signer, or a
    /// pot such as the splitter's staking share). Staker.sol has no APR ceiling: the whole
    /// amount streams; 0 re-spreads what is left over a fresh duration.
    NotifyReward {
        /// Notifier (holds the ZK; the model pulls it).
        notifier: Address,
        /// ZK wei.
        amount: U256,
    },
    /// A staker or calculator setting, by the role the contract requires for it (the staker's
    /// admin or the calculator's owner).
    SetStakerParam {
        /// Caller.
        caller: Address,
        /// The setting and its new value.
        param: crate::staking::StakerParam,
    },
    /// Staker `setRewardNotifier` by the admin.
    SetRewardNotifier {
        /// Admin.
        caller: Address,
        /// Notifier.
        notifier: Address,
        /// Enabled or not.
        enabled: bool,
    },
    /// The score oracle posts every voter's participation in recent proposals.
    RefreshDelegateScores {
        /// The score oracle.
        caller: Address,
    },
    /// The pause guardian pauses or unpauses the eligibility oracle.
    SetOraclePaused {
        /// Pause guardian.
        caller: Address,
        /// New state.
        paused: bool,
    },
    /// `propose` to a governor.
    Propose {
        /// ZIP (Protocol), TPP (Token) or GAP (GovOps).
        governor: crate::governance::GovernorKind,
        /// Proposer (needs the threshold in votes).
        proposer: Address,
        /// What the proposal does when executed.
        actions: Vec<crate::governance::ProposalAction>,
    },
    /// `castVote`.
    CastVote {
        /// Proposal id.
        id: u64,
        /// Voter.
        voter: Address,
        /// Against, For or Abstain.
        support: crate::governance::VoteType,
    },
    /// Fractional `castVoteWithReasonAndParams`.
    CastVoteFractional {
        /// Proposal id.
        id: u64,
        /// Voter.
        voter: Address,
        /// Split of the voter's weight.
        ballot: crate::governance::Ballot,
    },
    /// `cancel` (proposer, while pending).
    CancelProposal {
        /// Caller.
        caller: Address,
        /// Proposal id.
        id: u64,
    },
    /// Guardian veto (TPP/GAP).
    VetoProposal {
        /// Caller.
        caller: Address,
        /// Proposal id.
        id: u64,
    },
    /// `queue` a succeeded proposal in its timelock.
    QueueProposal {
        /// Proposal id.
        id: u64,
    },
    /// `execute` a queued proposal (a ZIP leaves for L1; TPP/GAP actions take effect).
    ExecuteProposal {
        /// Proposal id.
        id: u64,
    },
    /// Guardians extend a ZIP's legal veto period.
    ExtendLegalVeto {
        /// Caller.
        caller: Address,
        /// Proposal id.
        id: u64,
    },
    /// Security Council or Guardians approve a ZIP upgrade on L1.
    ApproveUpgrade {
        /// Caller.
        caller: Address,
        /// Proposal id.
        id: u64,
        /// Which body approves.
        by: crate::governance::UpgradeApproval,
    },
    /// Executes a ready ZIP upgrade on L1: its actions take effect.
    ExecuteUpgrade {
        /// Proposal id.
        id: u64,
    },
    /// InteropCenter `sendBundle`.
    SendBundle {
        /// Source chain.
        chain: ChainId,
        /// Sender.
        sender: Address,
        /// ERC-7930 destination (chain only).
        destination: Bytes,
        /// The calls.
        starters: Vec<InteropCallStarter>,
        /// Bundle-level ERC-7786 attributes.
        attributes: Vec<Bytes>,
        /// msg.value in base-token wei.
        value: U256,
    },
    /// InteropCenter `sendMessage` (ERC-7786, one call).
    SendMessage {
        /// Source chain.
        chain: ChainId,
        /// Sender.
        sender: Address,
        /// ERC-7930 recipient (chain and address).
        recipient: Bytes,
        /// Payload.
        payload: Bytes,
        /// Call- and bundle-level attributes.
        attributes: Vec<Bytes>,
        /// msg.value in base-token wei.
        value: U256,
    },
    /// Seals the chain's open batch and settles it on its settlement layer.
    SettleBatch {
        /// Chain.
        chain: ChainId,
    },
    /// L2InteropRootStorage: imports `source`'s batch root on `chain`.
    ImportInteropRoot {
        /// Importing chain.
        chain: ChainId,
        /// Chain whose root it is.
        source: ChainId,
        /// Batch.
        batch: u64,
    },
    /// InteropHandler `verifyBundle`.
    VerifyBundle {
        /// Destination chain.
        chain: ChainId,
        /// `abi.encode(bundle)`.
        bundle: Bytes,
        /// Inclusion proof of its message.
        proof: MessageInclusionProof,
    },
    /// InteropHandler `executeBundle`.
    ExecuteBundle {
        /// Destination chain.
        chain: ChainId,
        /// Caller on the destination.
        caller: Address,
        /// `abi.encode(bundle)`.
        bundle: Bytes,
        /// Inclusion proof (needed unless the bundle is already verified).
        proof: Option<MessageInclusionProof>,
    },
    /// InteropHandler `unbundleBundle`.
    UnbundleBundle {
        /// Destination chain.
        chain: ChainId,
        /// Caller as an ERC-7930 (chain, address) — the unbundler may act from another chain.
        caller_chain: ChainId,
        /// Caller address.
        caller: Address,
        /// `abi.encode(bundle)`.
        bundle: Bytes,
        /// Desired status of each call.
        statuses: Vec<CallStatus>,
    },
    /// A call to a ZK chain's contract on L1: L1 → L2 requests, batch settlement, fee
    /// parameters and priority mode ([`crate::priority`]).
    Priority(crate::priority::PriorityAction),
    /// A Prividium's sequencer, admin panel, approvals, reads, or L1 filterer and Mailbox
    /// (boxed: its requests carry whole transactions).
    Prividium(Box<crate::prividium::PrividiumAction>),
    /// ZK token: `transferFrom` by `spender`, who spends `from`'s allowance (the devnet's
    /// ERC-20 surface; the protocol's own pulls go through the token directly).
    ZkTransferFrom {
        /// The caller, spending the allowance.
        spender: Address,
        /// Payer.
        from: Address,
        /// Payee.
        to: Address,
        /// Amount in wei.
        amount: U256,
    },
}
