//! `flywheel demo`: scripted walks through the protocol on the built-in devnet, printed as
//! prose for people or as the raw event log (JSON lines) for tools.
//!
//! Every walk drives the network through [`Walk`], which applies actions, narrates their
//! events, and at the end replays the collected log to show that the events alone rebuild the
//! state. Later demos (fee flow, governance) sit beside [`interop`] and reuse it.

mod describe;
pub mod fee_flow;
pub mod governance;
pub mod interop;
pub mod priority_mode;
pub mod prividium;

use crate::error::CliError;
use alloy_primitives::{Address, Bytes, B256, U256};
use clap::{Args, Subcommand};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{AssetId, INTEROP_CENTER, INTEROP_HANDLER};
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::event::Event;
use flywheel_protocol::genesis::{account, Genesis};
use flywheel_protocol::interop::recipient::Code;
use flywheel_protocol::network::{Action, Network, State};
use flywheel_protocol::token::TokenEvent;
use flywheel_protocol::units::format_amount;
use flywheel_protocol::ChainId;
use std::collections::BTreeMap;
use std::io::Write;

/// The `demo` subcommands.
#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Interop end to end: a bundle Era → eth-chain, a chained A → B → C delivery through an
    /// InteropForwarder, and unbundling with one call executed and one cancelled.
    Interop(DemoArgs),
    /// Fee routes end to end: both fee modes on an ETH-based and a ZK-based chain, settlement
    /// fees, operators' whole claims, revenue an operator chooses to send to Fee Flow, Fee Flow
    /// v1.0 claims (one refused on its minimum, state unchanged), and the Splitter's burn.
    FeeFlow(DemoArgs),
    /// Staking and governance: holders stake and delegate, a TPP funds a staking season, a TPP
    /// moves the Splitter to 50% burn / 50% staking rewards; the timeline, tallies, the moment
    /// the new shares apply, and the reward rates behind active and inactive delegates.
    Governance(DemoArgs),
    /// Stage 1 priority mode: a deposit processed normally, the admin arms the chain, the
    /// operator censors deposits, an activation one second early is refused, activation at
    /// exactly 4 days, the permissionless validator drains the queue, a ZIP deactivates.
    PriorityMode(DemoArgs),
    /// An institution's Prividium: roles, rules and routes; L1 entry through its transaction
    /// filterer; a denied call; a transfer held for its approver; filtered reads; the audit log
    /// exported as JSON Lines and CSV; one transaction disclosed with a Merkle proof that
    /// verifies against L1 and fails when tampered with.
    Prividium(prividium::PrividiumArgs),
}

/// Options every demo takes.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print the walk's events as JSON lines (one serialised `Event` per line, replayable
    /// over `Genesis::devnet()`) instead of prose.
    #[arg(long)]
    pub json: bool,
}

/// Runs a `demo` subcommand.
pub fn run(cmd: &DemoCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match cmd {
        DemoCommand::Interop(args) => interop::run(args.json, out),
        DemoCommand::FeeFlow(args) => fee_flow::run(args.json, out),
        DemoCommand::Governance(args) => governance::run(args.json, out),
        DemoCommand::PriorityMode(args) => priority_mode::run(args.json, out),
        DemoCommand::Prividium(args) => prividium::run(args, out),
    }
}

/// A narrated run of actions on one network. In prose mode it prints each step, its events
/// and notes; in JSON mode only the events. Either way it keeps the full event log, so that
/// [`Walk::finish`] can check the log replays to the same state.
pub struct Walk<'o> {
    net: Network,
    genesis: Genesis,
    code: Code,
    names: BTreeMap<Address, String>,
    json: bool,
    log: Vec<Event>,
    out: &'o mut dyn Write,
}

impl<'o> Walk<'o> {
    /// Starts a walk at `genesis` with `code` deployed.
    pub fn new(
        genesis: Genesis,
        code: Code,
        json: bool,
        out: &'o mut dyn Write,
    ) -> Result<Self, CliError> {
        let net = Network::with_code(&genesis, code.clone()).map_err(failed("build genesis"))?;
        let mut names = BTreeMap::new();
        names.insert(INTEROP_CENTER, "InteropCenter".to_string());
        names.insert(INTEROP_HANDLER, "InteropHandler".to_string());
        names.insert(genesis.token_admin, "token-admin".to_string());
        for c in &genesis.chains {
            names.insert(c.operator, format!("operator-{}", c.name));
        }
        Ok(Self {
            net,
            genesis,
            code,
            names,
            json,
            log: Vec::new(),
            out,
        })
    }

    /// The devnet account called `name`, remembered so events print its name.
    pub fn account(&mut self, name: &str) -> Address {
        let addr = account(name);
        self.names.insert(addr, name.to_string());
        addr
    }

    /// Gives a system address a name for the prose.
    pub fn name_account(&mut self, addr: Address, name: &str) {
        self.names.insert(addr, name.to_string());
    }

    /// The current state.
    pub fn state(&self) -> &State {
        self.net.state()
    }

    /// A section heading (prose only).
    pub fn section(&mut self, title: &str) -> Result<(), CliError> {
        if !self.json {
            writeln!(self.out, "\n== {title} ==")?;
        }
        Ok(())
    }

    /// A note under the current step (prose only).
    pub fn say(&mut self, text: impl AsRef<str>) -> Result<(), CliError> {
        if !self.json {
            writeln!(self.out, "  {}", text.as_ref())?;
        }
        Ok(())
    }

    /// Announces a step (prose only).
    fn step(&mut self, step: &str) -> Result<(), CliError> {
        if !self.json {
            writeln!(self.out, "> {step}")?;
        }
        Ok(())
    }

    /// Applies an action that must succeed; prints and records its events.
    pub fn apply(&mut self, step: &str, action: Action) -> Result<Vec<Event>, CliError> {
        self.step(step)?;
        let events = self.net.apply(action).map_err(failed(step))?;
        self.record(&events)?;
        Ok(events)
    }

    /// Runs a composite operation (the relayer's) that must succeed. Its events, if any, are
    /// the caller's to [`Walk::record`].
    pub fn with_net<T>(
        &mut self,
        step: &str,
        f: impl FnOnce(&mut Network) -> Result<T, ProtocolError>,
    ) -> Result<T, CliError> {
        self.step(step)?;
        f(&mut self.net).map_err(failed(step))
    }

    /// Applies an action the protocol must refuse, and shows why it did. A refusal changes
    /// nothing, so there is nothing to record.
    pub fn reject(&mut self, step: &str, action: Action) -> Result<ProtocolError, CliError> {
        self.step(step)?;
        match self.net.apply(action) {
            Ok(_) => Err(CliError::DemoCheck(format!(
                "{step}: the protocol accepted an action it should refuse"
            ))),
            Err(e) => {
                // The protocol's message names accounts by address; the prose uses names.
                let mut text = e.to_string();
                for (addr, name) in &self.names {
                    text = text.replace(&addr.to_checksum(None), name);
                }
                for (id, asset) in &self.state().assets {
                    text = text.replace(&id.to_string(), &asset.symbol);
                }
                self.say(format!("rejected: {text}"))?;
                Ok(e)
            }
        }
    }

    /// Prints (one line each) and logs events.
    pub fn record(&mut self, events: &[Event]) -> Result<(), CliError> {
        for e in events {
            if self.json {
                let line = serde_json::to_string(e).map_err(|err| {
                    CliError::DemoCheck(format!("an event does not serialise: {err}"))
                })?;
                writeln!(self.out, "{line}")?;
            } else {
                let text = self.describe(e);
                writeln!(self.out, "    · {text}")?;
            }
        }
        self.log.extend_from_slice(events);
        Ok(())
    }

    /// Ends the walk: replays the event log over the genesis state and checks it rebuilds the
    /// state the actions produced.
    pub fn finish(self) -> Result<(), CliError> {
        let replayed = Network::replay(&self.genesis, self.code, &self.log)
            .map_err(failed("replay the event log"))?;
        if replayed.state() != self.net.state() {
            return Err(CliError::DemoCheck(
                "replaying the event log did not rebuild the same state".into(),
            ));
        }
        if !self.json {
            writeln!(
                self.out,
                "\nreplay: folding the {} events above over genesis rebuilds the same state",
                self.log.len()
            )?;
        }
        self.out.flush()?;
        Ok(())
    }

    /// A name for an account: its devnet name if known, else its checksummed address.
    pub fn name(&self, who: Address) -> String {
        self.names
            .get(&who)
            .cloned()
            .unwrap_or_else(|| who.to_checksum(None))
    }

    /// A chain's operator (its coinbase), or the zero address for an unknown chain.
    pub fn operator(&self, id: ChainId) -> Address {
        self.state()
            .chain(id)
            .map(|c| c.config.operator)
            .unwrap_or_default()
    }

    /// A chain's name from its config, or its id if unknown.
    pub fn chain_name(&self, id: ChainId) -> String {
        self.state()
            .chain(id)
            .map_or_else(|_| format!("chain {id}"), |c| c.config.name.clone())
    }

    /// `wei` of `asset` for people: `3 ETH`.
    pub fn amount(&self, asset: AssetId, wei: U256) -> String {
        let symbol = self
            .state()
            .assets
            .get(&asset)
            .map_or("?", |a| a.symbol.as_str());
        format!("{} {symbol}", format_amount(wei))
    }

    /// An asset's symbol, or its id if it is not registered.
    pub fn asset_symbol(&self, asset: AssetId) -> String {
        self.state()
            .assets
            .get(&asset)
            .map_or_else(|| asset.to_string(), |a| a.symbol.clone())
    }

    /// `wei` of `chain`'s base token for people.
    pub fn base_amount(&self, chain: ChainId, wei: U256) -> String {
        match self.state().chain(chain) {
            Ok(c) => self.amount(c.config.base_token, wei),
            Err(_) => format!(
                "{} (base token of unknown chain {chain})",
                format_amount(wei)
            ),
        }
    }

    /// `who`'s base-token balance on `chain`, for people: `bob on eth-chain: 3 ETH`.
    pub fn balance(&self, chain: ChainId, who: Address) -> String {
        let wei = self
            .state()
            .chain(chain)
            .map(|c| c.base_balance(who))
            .unwrap_or_default();
        format!(
            "{} on {}: {}",
            self.name(who),
            self.chain_name(chain),
            self.base_amount(chain, wei)
        )
    }

    /// Interop value burned on sources and not yet minted on destinations.
    pub fn in_flight(&self, asset: AssetId) -> String {
        let wei = self
            .state()
            .in_flight
            .get(&asset)
            .copied()
            .unwrap_or_default();
        format!("in flight: {}", self.amount(asset, wei))
    }

    fn interop_address(&self, bytes: &Bytes) -> String {
        match InteropAddress::decode(bytes) {
            Ok(InteropAddress {
                chain_id: Some(c),
                address: Some(a),
            }) => format!("{} on {}", self.name(a), self.chain_name(c)),
            Ok(InteropAddress {
                chain_id: Some(c),
                address: None,
            }) => self.chain_name(c),
            Ok(InteropAddress {
                chain_id: None,
                address: Some(a),
            }) => self.name(a),
            _ => alloy_primitives::hex::encode_prefixed(bytes),
        }
    }

    /// One line about a ZK token event.
    fn describe_token(&self, ev: &TokenEvent) -> String {
        match ev {
            TokenEvent::Transfer {
                from, to, amount, ..
            } if to.is_zero() => {
                format!(
                    "ZK: {} burned {} ZK",
                    self.name(*from),
                    format_amount(*amount)
                )
            }
            TokenEvent::Transfer {
                from, to, amount, ..
            } if from.is_zero() => {
                format!(
                    "ZK: minted {} ZK to {}",
                    format_amount(*amount),
                    self.name(*to)
                )
            }
            TokenEvent::Transfer {
                from, to, amount, ..
            } => {
                format!(
                    "ZK: {} → {} {} ZK",
                    self.name(*from),
                    self.name(*to),
                    format_amount(*amount)
                )
            }
            TokenEvent::Approval {
                owner,
                spender,
                amount,
            } => {
                let allowance = if *amount == U256::MAX {
                    "unlimited".to_string()
                } else {
                    format!("{} ZK", format_amount(*amount))
                };
                format!(
                    "ZK: {} lets {} spend {allowance}",
                    self.name(*owner),
                    self.name(*spender)
                )
            }
            TokenEvent::RoleGranted {
                role,
                account,
                sender,
            } => format!(
                "ZK: {} granted {} the token's {}",
                self.name(*sender),
                self.name(*account),
                role.name()
            ),
            TokenEvent::RoleRevoked {
                role,
                account,
                sender,
            } => format!(
                "ZK: {} revoked {}'s {}",
                self.name(*sender),
                self.name(*account),
                role.name()
            ),
            TokenEvent::MinterCreated {
                minter,
                admin,
                cap,
                start,
                expiry,
            } => format!(
                "ZkCappedMinterV2 {} deployed: cap {} ZK, mints from {} to {} (inclusive), admin {}",
                self.name(*minter),
                format_amount(*cap),
                describe::date(*start),
                describe::date(*expiry),
                self.name(*admin)
            ),
            TokenEvent::MinterRoleGranted {
                minter,
                role,
                account,
                sender,
            } => format!(
                "{}: {} granted {} its {}",
                self.name(*minter),
                self.name(*sender),
                self.name(*account),
                role.name()
            ),
            TokenEvent::MinterRoleRevoked {
                minter,
                role,
                account,
                sender,
            } => format!(
                "{}: {} revoked {}'s {}",
                self.name(*minter),
                self.name(*sender),
                self.name(*account),
                role.name()
            ),
            TokenEvent::MinterMinted {
                minter,
                caller,
                to,
                amount,
                ..
            } => format!(
                "{}: Minted {} ZK to {} at the request of {}",
                self.name(*minter),
                format_amount(*amount),
                self.name(*to),
                self.name(*caller)
            ),
            other => self
                .describe_votes(other)
                .unwrap_or_else(|| format!("ZK token: {other:?}")),
        }
    }

    /// One line about an event.
    pub fn describe(&self, event: &Event) -> String {
        let on = |c: &ChainId| self.chain_name(*c);
        match event {
            Event::TimeAdvanced { now } => format!("clock moved to {}", describe::date(*now)),
            Event::Staking(ev) => self.describe_staking(ev),
            Event::Governance(ev) => self.describe_governance(ev),
            Event::Token(ev) => self.describe_token(ev),
            Event::Funded {
                chain,
                asset,
                to,
                amount,
            } => format!(
                "{}: {} funded with {}",
                on(chain),
                self.name(*to),
                self.amount(*asset, *amount)
            ),
            Event::Defunded {
                chain,
                asset,
                from,
                amount,
            } => format!(
                "{}: {} withdrew {} out of the model",
                on(chain),
                self.name(*from),
                self.amount(*asset, *amount)
            ),
            Event::Transferred {
                chain,
                asset,
                from,
                to,
                amount,
            } => format!(
                "{}: {} → {} {}",
                on(chain),
                self.name(*from),
                self.name(*to),
                self.amount(*asset, *amount)
            ),
            Event::ValueBurned {
                chain,
                asset,
                from,
                amount,
            } => format!(
                "{}: burned {} from {} (now in flight)",
                on(chain),
                self.amount(*asset, *amount),
                self.name(*from)
            ),
            Event::ValueMinted {
                chain,
                asset,
                to,
                amount,
            } => format!(
                "{}: minted {} to {}",
                on(chain),
                self.amount(*asset, *amount),
                self.name(*to)
            ),
            Event::InteropProtocolFeeSet { chain, fee } => format!(
                "{}: interop protocol fee set to {} per call",
                on(chain),
                self.base_amount(*chain, *fee)
            ),
            Event::InteropFeeCollected {
                chain,
                operator,
                payer,
                fixed_zk,
                calls,
                amount,
            } => {
                let fee = if *fixed_zk {
                    format!("{} ZK", format_amount(*amount))
                } else {
                    self.base_amount(*chain, *amount)
                };
                format!(
                    "{}: {} paid {fee} interop fee for {calls} call(s), accrued to {}",
                    on(chain),
                    self.name(*payer),
                    self.name(*operator)
                )
            }
            Event::MessageSent {
                chain,
                send_id,
                sender,
                recipient,
                value,
                ..
            } => format!(
                "{}: MessageSent {} from {} to {} with {}",
                on(chain),
                short(send_id),
                self.interop_address(sender),
                self.interop_address(recipient),
                self.base_amount(*chain, *value)
            ),
            Event::InteropBundleSent {
                chain,
                sender,
                message_hash,
                bundle_hash,
                bundle,
                ..
            } => format!(
                "{}: InteropBundleSent {} by {} ({} call(s)), message hash {}",
                on(chain),
                short(bundle_hash),
                self.name(*sender),
                bundle.calls.len(),
                short(message_hash)
            ),
            Event::BatchSealed {
                chain,
                number,
                logs,
                chain_batch_root,
            } => format!(
                "{}: sealed batch {number} ({logs} log(s)), chain batch root {}",
                on(chain),
                short(chain_batch_root)
            ),
            Event::BatchSettled {
                chain,
                batch,
                settlement_layer,
                ..
            } => format!(
                "{}: batch {batch} settled on {}",
                on(chain),
                on(settlement_layer)
            ),
            Event::InteropRootImported {
                chain,
                source,
                batch,
                root,
            } => format!(
                "{}: imported the root of {} batch {batch}: {}",
                on(chain),
                on(source),
                short(root)
            ),
            Event::BundleVerified { chain, bundle_hash } => {
                format!("{}: bundle {} verified", on(chain), short(bundle_hash))
            }
            Event::BundleExecuted { chain, bundle_hash } => {
                format!("{}: bundle {} executed", on(chain), short(bundle_hash))
            }
            Event::BundleUnbundled { chain, bundle_hash } => format!(
                "{}: bundle {} is being unbundled call by call",
                on(chain),
                short(bundle_hash)
            ),
            Event::CallProcessed {
                chain,
                bundle_hash,
                index,
                status,
            } => format!(
                "{}: call {index} of bundle {} → {status:?}",
                on(chain),
                short(bundle_hash)
            ),
            Event::MessageReceived {
                chain,
                to,
                send_id,
                value,
            } => format!(
                "{}: {} received message {} with {}",
                on(chain),
                self.name(*to),
                short(send_id),
                self.base_amount(*chain, *value)
            ),
            Event::ProtocolFeesClaimed {
                chain,
                operator,
                receiver,
                amount,
            } => format!(
                "{}: {} claimed its whole base-token fee accrual, {}, for {}",
                on(chain),
                self.name(*operator),
                self.base_amount(*chain, *amount),
                self.name(*receiver)
            ),
            Event::ZkFeesClaimed {
                chain,
                operator,
                receiver,
                amount,
            } => {
                format!(
                    "{}: {} claimed {} ZK of fixed fees for {}",
                    on(chain),
                    self.name(*operator),
                    format_amount(*amount),
                    self.name(*receiver)
                )
            }
            Event::SettlementFeePayerAgreementUpdated {
                payer,
                chain,
                agreed,
            } => {
                format!(
                    "{} {} to pay settlement fees for {}",
                    self.name(*payer),
                    if *agreed {
                        "agreed"
                    } else {
                        "stopped agreeing"
                    },
                    on(chain)
                )
            }
            Event::GatewaySettlementFeesCollected {
                chain,
                payer,
                amount,
                calls,
            } => format!(
                "gateway: {} paid {} ZK settlement fee for {calls} interop call(s) of {}",
                self.name(*payer),
                format_amount(*amount),
                on(chain)
            ),
            Event::GatewayFeesWithdrawn { recipient, amount } => {
                format!(
                    "GWAssetTracker's owner withdrew {} ZK of settlement fees to {}",
                    format_amount(*amount),
                    self.name(*recipient)
                )
            }
            Event::FeeFlowClaimed {
                claimer,
                requests,
                bid_amount,
            } => {
                let asked: Vec<String> = requests
                    .iter()
                    .map(|r| {
                        format!(
                            "{} (at least {})",
                            self.asset_symbol(r.token),
                            format_amount(r.min_amount_requested)
                        )
                    })
                    .collect();
                format!(
                    "Fee Flow Claimed: {} bid {} ZK for {}",
                    self.name(*claimer),
                    format_amount(*bid_amount),
                    if asked.is_empty() {
                        "nothing".to_string()
                    } else {
                        asked.join(", ")
                    }
                )
            }
            Event::BidThresholdSet { old, new } => format!(
                "Fee Flow bid threshold {} ZK → {} ZK",
                format_amount(*old),
                format_amount(*new)
            ),
            Event::FeeFlowDestinationSet { old, new } => format!(
                "Fee Flow destination {} → {}",
                self.name(*old),
                self.name(*new)
            ),
            Event::ClaimPausedSet { paused } => {
                format!(
                    "Fee Flow claims {}",
                    if *paused { "paused" } else { "unpaused" }
                )
            }
            Event::ClaimableTokenSet { token, claimable } => format!(
                "Fee Flow whitelist: {} {}",
                self.asset_symbol(*token),
                if *claimable { "claimable" } else { "removed" }
            ),
            Event::FeeFlowRecovered { token, to, amount } => format!(
                "Fee Flow's admin recovered {} to {}",
                self.amount(*token, *amount),
                self.name(*to)
            ),
            Event::Split {
                amount,
                burned,
                distributed,
                to_self,
            } => format!(
                "Splitter split {} ZK: burned {} ZK, distributed {} ZK{}",
                format_amount(*amount),
                format_amount(*burned),
                format_amount(*distributed),
                if to_self.is_zero() {
                    String::new()
                } else {
                    format!(" ({} ZK of it to itself)", format_amount(*to_self))
                }
            ),
            Event::BurnPercentageSet { old, new } => format!(
                "Splitter burn share {}% → {}%",
                f64::from(*old) / 100.0,
                f64::from(*new) / 100.0
            ),
            Event::DistributorsSet { distributors } => {
                let list: Vec<String> = distributors
                    .iter()
                    .map(|d| format!("{} (weight {})", self.name(d.recipient), d.weight))
                    .collect();
                format!(
                    "Splitter distributors: {}",
                    if list.is_empty() {
                        "none (100% burn)".to_string()
                    } else {
                        list.join(", ")
                    }
                )
            }
            Event::SplitterRecovered { token, to, amount } => format!(
                "Splitter's admin recovered {} to {}",
                self.amount(*token, *amount),
                self.name(*to)
            ),
            Event::GatewaySettlementFeeSet { fee } => {
                format!(
                    "gateway settlement fee set to {} ZK per interop call",
                    format_amount(*fee)
                )
            }
            Event::InteropTrafficRecorded {
                chain,
                destination,
                calls,
            } => format!(
                "{}: {calls} aggregate call(s) to {}",
                on(chain),
                on(destination)
            ),
            Event::Prividium(ev) => prividium::describe(self, ev),
            Event::Bridge(flywheel_protocol::bridge::BridgeEvent::ChainBalanceIncreased {
                chain,
                asset,
                amount,
            }) => format!(
                "L1 vault: holds {} more for {}",
                self.amount(*asset, *amount),
                on(chain)
            ),
            // Events of later modules (staking, governance) print their derived Debug form,
            // still one readable line, until their demos give them wording.
            #[allow(unreachable_patterns)]
            Event::Priority(ev) => priority_mode::describe(self, ev),
            other => format!("{other:?}"),
        }
    }
}

/// `0x1234abcd…`: enough of a hash to tell it apart in prose.
pub fn short(hash: &B256) -> String {
    let full = alloy_primitives::hex::encode_prefixed(hash);
    format!("{}…", full.get(..10).unwrap_or(&full))
}

/// Maps a protocol error in a demo step to the CLI error naming the step.
fn failed(step: &str) -> impl FnOnce(ProtocolError) -> CliError + '_ {
    move |e| CliError::Demo {
        step: step.to_string(),
        source: Box::new(e),
    }
}
