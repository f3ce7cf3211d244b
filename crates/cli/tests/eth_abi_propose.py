#!/usr/bin/env python3
"""Decodes `flywheel propose` calldata with an independent decoder (eth-abi + keccak).

For every lever the dashboard offers, `flywheel propose --set LEVER=VALUE --json` is run and
its proposals are decoded here, sharing no code with flywheel: each on-chain lever's calldata
must call the intended function (selector = keccak256 of the signature written below from the
pinned sources) with the intended value at the address recorded in those sources (typed here
from them, not read from flywheel), and the whole `propose(...)` calldata must decode to the
same targets, values, calldatas and description. Levers that are not on chain, or on chain
without a setter, must produce no proposal.

Sources of the addresses and signatures below:
  Fee Flow / Splitter proxies: zk-token-fee-flow@69e8d9a broadcast/EraFeeFlowDeploy.sol/324/
    run-latest.json (returns); signatures: src/FeeFlow.sol, src/Splitter.sol
  L2->L1 messenger 0x...8008, GWAssetTracker 0x...10010: era-contracts@4859b6f
    l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol
  Bridgehub proxy: era-contracts@4859b6f l1-contracts/upgrade-envs/v0.31.0-interopB/mainnet.toml
  UpgradeProposal: zk-governance@58df93f l1-contracts/src/interfaces/IProtocolUpgradeHandler.sol

Usage: eth_abi_propose.py [FLYWHEEL_BINARY]   (default target/debug/flywheel)
"""

import json
import subprocess
import sys

from eth_abi import decode
from eth_hash.auto import keccak

FEE_FLOW = "0xf135fcd17733689462027ba7afb210c2cb3c9803"
SPLITTER = "0x17a78994efc487577cd372c966d5b3d1cd67a933"
MESSENGER = "0x0000000000000000000000000000000000008008"
GW_ASSET_TRACKER = "0x0000000000000000000000000000000000010010"
BRIDGEHUB = "0x303a465b659cbb0ab36ee643ea362c509eeb5213"
HANDLER = "0xe30dca3047b37dc7d88849de4a4dc07937ad5ab3"
DISTRIBUTOR = "0x00000000000000000000000000000000000000aa"
ZK = 10**18

REQUEST = "(uint256,uint256,address,uint256,bytes,uint256,uint256,bytes[],address)"
UPGRADE = "((address,uint256,bytes)[],address,bytes32)"


def selector(signature):
    return keccak(signature.encode())[:4]


def call_args(data, signature, types):
    """Checks the selector and decodes the arguments."""
    assert data[:4] == selector(signature), f"{data[:4].hex()} is not {signature}"
    return decode(types, data[4:])


def propose(binary, key, value, extra=()):
    out = subprocess.run(
        [binary, "propose", "--set", f"{key}={value}", "--runs", "2", "--days", "100",
         "--date", "2026-12-08", "--json", *extra],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def hexbytes(s):
    return bytes.fromhex(s[2:])


def check_propose_arrays(p):
    targets, values, calldatas, description = call_args(
        hexbytes(p["propose_calldata"]), "propose(address[],uint256[],bytes[],string)",
        ["address[]", "uint256[]", "bytes[]", "string"])
    assert [t.lower() for t in targets] == [t.lower() for t in p["targets"]]
    assert [str(v) for v in values] == p["values"]
    assert [c for c in calldatas] == [hexbytes(c) for c in p["calldatas"]]
    assert description == p["description"]


def tpp_single(binary, key, value_text, extra=()):
    d = propose(binary, key, value_text, extra)
    (p,) = d["proposals"]
    assert p["type"] == "TPP" and p["governor"] == "ZkTokenGovernor", p["type"]
    check_propose_arrays(p)
    return p


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/debug/flywheel"
    checked = 0

    # Fee Flow's threshold: a TPP calling setBidThreshold on Fee Flow's Era proxy.
    p = tpp_single(binary, "protocol.fee_flow_threshold", "500000 ZK")
    assert [t.lower() for t in p["targets"]] == [FEE_FLOW]
    (v,) = call_args(hexbytes(p["calldatas"][0]), "setBidThreshold(uint256)", ["uint256"])
    assert v == 500_000 * ZK, v
    checked += 1

    # The burn share below 100%: the distributor first (Era's Splitter has none), then the share.
    p = tpp_single(binary, "protocol.burn_bps", "8000", ("--distributor", DISTRIBUTOR))
    assert [t.lower() for t in p["targets"]] == [SPLITTER, SPLITTER]
    (dist,) = call_args(hexbytes(p["calldatas"][0]), "setDistributors((address,uint96)[])",
                        ["(address,uint96)[]"])
    assert [(a.lower(), w) for a, w in dist] == [(DISTRIBUTOR, 1)], dist
    (v,) = call_args(hexbytes(p["calldatas"][1]), "setBurnPercentage(uint256)", ["uint256"])
    assert v == 8_000, v
    checked += 1

    # The Gateway settlement fee: a ZIP whose only Era call is sendToL1 of an upgrade proposal
    # whose L1 call asks the Bridgehub to call GWAssetTracker on Gateway (chain 9075).
    d = propose(binary, "protocol.gateway_settlement_fee", "7 ZK")
    (p,) = d["proposals"]
    assert p["type"] == "ZIP" and p["governor"] == "ZkProtocolGovernor"
    check_propose_arrays(p)
    assert [t.lower() for t in p["targets"]] == [MESSENGER] and p["values"] == ["0"]
    (message,) = call_args(hexbytes(p["calldatas"][0]), "sendToL1(bytes)", ["bytes"])
    ((calls, executor, salt),) = decode([UPGRADE], message)
    assert executor == "0x0000000000000000000000000000000000000000"
    assert salt == keccak(p["description"].encode())
    ((target, value, data),) = calls
    assert target.lower() == BRIDGEHUB and value == 0
    (req,) = call_args(data, f"requestL2TransactionDirect({REQUEST})", [REQUEST])
    chain_id, mint, l2_contract, l2_value, l2_calldata, gas, pubdata, deps, refund = req
    assert chain_id == 9075 and l2_contract.lower() == GW_ASSET_TRACKER and l2_value == 0
    assert pubdata == 800 and deps == () and refund.lower() == HANDLER
    (fee,) = call_args(l2_calldata, "setGatewaySettlementFee(uint256)", ["uint256"])
    assert fee == 7 * ZK, fee
    checked += 1

    # Every other dashboard lever: no calldata (off chain, or on chain without a setter).
    for key, value in [
        ("protocol.fixed_interop_fee", "12 ZK"),
        ("protocol.fee_flow_revenue_share_bps", "5000"),
        ("traffic.calls_per_day", "60000"),
        ("traffic.drift_per_year", "0.4"),
        ("users.always_fixed_share", "0.2"),
        ("prices.zk.initial_usd", "0.02"),
        ("prices.zk.volatility_per_year", "0.8"),
        ("staking.seasons.0.cap", "12000000 ZK"),
        ("staking.seasons.1.cap", "30000000 ZK"),
    ]:
        d = propose(binary, key, value)
        assert d["proposals"] == [], key
        (change,) = d["changes"]
        assert change["key"] == key
        checked += 1

    print(f"eth-abi: {checked} levers' `flywheel propose` output decoded as intended")


if __name__ == "__main__":
    main()
