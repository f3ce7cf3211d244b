"""A real client against `flywheel devnet`: web3.py (pinned in web3_requirements.txt).

Starts the devnet from the given binary on free ports, deploys the hand-assembled ERC-7786
counter receiver (receiver_counter.evm) on chain 272, sends a bundle to it from chain 271 with
InteropCenter's real `sendBundle` ABI in a transaction signed locally by a dev account, waits
for the relayer to execute it, then checks the BundleExecuted event (topic 1 = bundle hash)
through eth_getLogs and the receiver's storage, balance and log. Stops the devnet with SIGINT.

The ABI is era-contracts@4859b6f: l1-contracts/contracts/interop/IInteropCenter.sol
(sendBundle, InteropBundleSent), IInteropHandler.sol (BundleExecuted),
common/Messaging.sol (InteropBundle, InteropCall, BundleAttributes, InteropCallStarter) and
IERC7786Attributes.sol (interopCallValue).

Usage: devnet_web3.py PATH/TO/flywheel. Prints `devnet-web3: N passed, N failed` last and
exits non-zero if anything failed.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from eth_account import Account
from web3 import Web3
from web3.logs import DISCARD

SOURCE_CHAIN = 271
DEST_CHAIN = 272
INTEROP_CENTER = Web3.to_checksum_address("0x000000000000000000000000000000000001000d")
INTEROP_HANDLER = Web3.to_checksum_address("0x000000000000000000000000000000000001000e")
START_TIMEOUT = 30.0
EXECUTE_TIMEOUT = 10.0
HERE = Path(__file__).resolve().parent


def tuple_abi(name, components):
    return {"name": name, "type": "tuple", "components": components}


CALL_STARTER = [
    {"name": "to", "type": "bytes"},
    {"name": "data", "type": "bytes"},
    {"name": "callAttributes", "type": "bytes[]"},
]
INTEROP_CALL = [
    {"name": "version", "type": "bytes1"},
    {"name": "shadowAccount", "type": "bool"},
    {"name": "to", "type": "address"},
    {"name": "from", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "data", "type": "bytes"},
]
BUNDLE_ATTRIBUTES = [
    {"name": "executionAddress", "type": "bytes"},
    {"name": "unbundlerAddress", "type": "bytes"},
    {"name": "useFixedFee", "type": "bool"},
]
INTEROP_BUNDLE = [
    {"name": "version", "type": "bytes1"},
    {"name": "sourceChainId", "type": "uint256"},
    {"name": "destinationChainId", "type": "uint256"},
    {"name": "destinationBaseTokenAssetId", "type": "bytes32"},
    {"name": "interopBundleSalt", "type": "bytes32"},
    {"name": "calls", "type": "tuple[]", "components": INTEROP_CALL},
    tuple_abi("bundleAttributes", BUNDLE_ATTRIBUTES),
]
INTEROP_CENTER_ABI = [
    {
        "type": "function",
        "name": "sendBundle",
        "stateMutability": "payable",
        "inputs": [
            {"name": "_destinationChainId", "type": "bytes"},
            {"name": "_callStarters", "type": "tuple[]", "components": CALL_STARTER},
            {"name": "_bundleAttributes", "type": "bytes[]"},
        ],
        "outputs": [{"name": "bundleHash", "type": "bytes32"}],
    },
    {
        "type": "event",
        "name": "InteropBundleSent",
        "anonymous": False,
        "inputs": [
            {"name": "l2l1MsgHash", "type": "bytes32", "indexed": False},
            {"name": "interopBundleHash", "type": "bytes32", "indexed": False},
            dict(tuple_abi("interopBundle", INTEROP_BUNDLE), indexed=False),
        ],
    },
]
BUNDLE_EXECUTED_TOPIC = Web3.keccak(text="BundleExecuted(bytes32)")


def erc7930(chain_id=None, address=None):
    """ERC-7930 binary address: version 1, chain type EIP-155, chain ref, address."""
    ref = b"" if chain_id is None else chain_id.to_bytes((chain_id.bit_length() + 7) // 8, "big")
    addr = b"" if address is None else bytes.fromhex(address[2:])
    return b"\x00\x01\x00\x00" + bytes([len(ref)]) + ref + bytes([len(addr)]) + addr


def interop_call_value(value):
    """The `interopCallValue(uint256)` call attribute (IERC7786Attributes)."""
    return Web3.keccak(text="interopCallValue(uint256)")[:4] + value.to_bytes(32, "big")


def counter_runtime():
    hexes = []
    for line in (HERE / "receiver_counter.evm").read_text().splitlines():
        if line.startswith("#"):
            continue
        hexes.append(line.split(";")[0].strip())
    return bytes.fromhex("".join(hexes))


def deployable(runtime):
    """Init code that returns `runtime` (12 bytes of CODECOPY/RETURN, then the code)."""
    n = len(runtime)
    return bytes.fromhex(f"60{n:02x}600c60003960{n:02x}6000f3") + runtime


class Devnet:
    """The devnet process: started on free ports, its table parsed, stopped by SIGINT."""

    def __init__(self, binary):
        self.proc = subprocess.Popen(
            [binary, "devnet", "--port", "0", "--autorelay"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.urls = {}
        self.keys = []
        self.lines = []
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.lines.append(line)
                m = re.match(r"^\S+\s+(\d+)\s+\S+\s+\S+\s+(http://\S+)", line)
                if m:
                    self.urls[int(m.group(1))] = m.group(2)
                m = re.match(r"^\((\d+)\) (0x[0-9a-fA-F]{40}) (0x[0-9a-fA-F]{64})", line)
                if m:
                    self.keys.append(m.group(3))
                if line.startswith("Listening."):
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(START_TIMEOUT) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("the devnet did not start:\n" + "".join(self.lines))

    def stop(self):
        """SIGINT, as Ctrl-C; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def main():
    if len(sys.argv) != 2:
        print("usage: devnet_web3.py PATH/TO/flywheel", file=sys.stderr)
        return 2
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""))

    started = time.monotonic()
    try:
        devnet = Devnet(sys.argv[1])
    except (OSError, RuntimeError) as e:
        check("the devnet starts", False, str(e))
        devnet = None
    if devnet is not None:
        try:
            run(devnet, check)
        except Exception as e:  # noqa: BLE001 - any client error is a failure to report
            check("the flow ran to the end", False, repr(e))
        finally:
            code = devnet.stop()
            check("Ctrl-C stops the devnet cleanly", code == 0, f"exit code {code}")
    passed = sum(results)
    failed = len(results) - passed
    print(f"({time.monotonic() - started:.1f} s)")
    print(f"devnet-web3: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def run(devnet, check):
    src = Web3(Web3.HTTPProvider(devnet.urls[SOURCE_CHAIN]))
    dst = Web3(Web3.HTTPProvider(devnet.urls[DEST_CHAIN]))
    check(
        "each chain answers eth_chainId with its id",
        src.eth.chain_id == SOURCE_CHAIN and dst.eth.chain_id == DEST_CHAIN,
        f"{src.eth.chain_id}, {dst.eth.chain_id}",
    )
    acct = Account.from_key(devnet.keys[1])

    def send(w3, tx):
        tx = dict(tx)
        tx.setdefault("from", acct.address)
        tx["nonce"] = w3.eth.get_transaction_count(acct.address)
        tx["chainId"] = w3.eth.chain_id
        tx.setdefault("gas", w3.eth.estimate_gas(tx))
        tx["maxPriorityFeePerGas"] = w3.eth.max_priority_fee
        tx["maxFeePerGas"] = w3.eth.gas_price * 2 + tx["maxPriorityFeePerGas"]
        signed = acct.sign_transaction(tx)
        h = w3.eth.send_raw_transaction(signed.raw_transaction)
        return w3.eth.wait_for_transaction_receipt(h, timeout=10)

    # 1. The receiver on the destination chain.
    runtime = counter_runtime()
    r = send(dst, {"data": deployable(runtime), "value": 0})
    counter = r["contractAddress"]
    check(
        "the receiver deploys on the destination",
        r["status"] == 1 and bytes(dst.eth.get_code(counter)) == runtime,
    )

    # 2. A bundle to it from the source, through the real sendBundle ABI.
    word = bytes(range(32))
    value = 4242
    center = src.eth.contract(address=INTEROP_CENTER, abi=INTEROP_CENTER_ABI)
    data = center.encode_abi(
        "sendBundle",
        args=[
            erc7930(chain_id=DEST_CHAIN),
            [(erc7930(address=counter), word, [interop_call_value(value)])],
            [],
        ],
    )
    sent = send(src, {"to": INTEROP_CENTER, "data": data, "value": value})
    # The receipt's other logs (the messenger's L1MessageSent, ERC-7786 MessageSent) are
    # not in this ABI.
    events = center.events.InteropBundleSent().process_receipt(sent, errors=DISCARD)
    check(
        "sendBundle succeeds and logs InteropBundleSent",
        sent["status"] == 1 and len(events) == 1,
        f"status {sent['status']}, {len(events)} events",
    )
    bundle_hash = events[0]["args"]["interopBundleHash"]
    bundle = events[0]["args"]["interopBundle"]
    check(
        "the bundle names the destination and the receiver",
        bundle["destinationChainId"] == DEST_CHAIN
        and bundle["calls"][0]["to"] == counter
        and bundle["calls"][0]["value"] == value,
        str(bundle),
    )

    # 3. The relayer executes it: BundleExecuted at the InteropHandler, topic 1 = bundle hash.
    logs = []
    deadline = time.monotonic() + EXECUTE_TIMEOUT
    while time.monotonic() < deadline:
        logs = dst.eth.get_logs(
            {
                "fromBlock": 0,
                "toBlock": "latest",
                "address": INTEROP_HANDLER,
                "topics": [BUNDLE_EXECUTED_TOPIC, bundle_hash],
            }
        )
        if logs:
            break
        time.sleep(0.05)
    check("BundleExecuted (topic 1 = bundle hash) is logged on the destination", len(logs) == 1)
    if not logs:
        return

    # 4. The receiver's receiveMessage ran in the destination's EVM.
    def slot(i):
        return int.from_bytes(dst.eth.get_storage_at(counter, i), "big")

    check(
        "the receiver counted the call and stored its payload and value",
        (slot(0), slot(1), slot(2)) == (1, int.from_bytes(word, "big"), value),
        f"{(slot(0), slot(1), slot(2))}",
    )
    check(
        "msg.sender of receiveMessage is the InteropHandler",
        slot(3) == int(INTEROP_HANDLER, 16),
        hex(slot(3)),
    )
    check("the call's value is the receiver's balance", dst.eth.get_balance(counter) == value)
    executed = dst.eth.get_transaction_receipt(logs[0]["transactionHash"])
    check(
        "the receiver's log is in the executing transaction's receipt",
        any(
            l["address"] == counter and bytes(l["data"]) == word for l in executed["logs"]
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
