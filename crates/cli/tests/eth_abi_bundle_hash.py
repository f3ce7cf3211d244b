#!/usr/bin/env python3
"""Checks `flywheel interop bundle-hash` against an independent encoder of the draft-v31 structs.

The reference here shares no code with flywheel: it encodes the era-contracts draft-v31
`InteropBundle` (l1-contracts/contracts/common/Messaging.sol at commit 4859b6f) with `eth_abi`
and hashes with `eth_hash` (pycryptodome's keccak), following InteropCenter and
InteropDataEncoding:

    interopBundleSalt = keccak256(abi.encodePacked(address sender, uint256 nonce))
    encodedBundle     = abi.encode(bundle)
    bundleHash        = keccak256(abi.encode(uint256 sourceChainId, bytes encodedBundle))
    message           = 0x01 || encodedBundle
    sendId(i)         = keccak256(abi.encodePacked(bytes32 bundleHash, uint256 i))

It generates random bundles from a fixed seed (call counts from 0, data lengths around word
boundaries, values up to 2^256-1, random destination base-token asset ids, both fee modes, both
salt forms, every ERC-7930 address form), feeds each to the binary on stdin and compares every
output field. Any difference is printed and makes the script exit 1.

Usage: eth_abi_bundle_hash.py [FLYWHEEL_BINARY] [--count N] [--seed S]
(the binary defaults to target/debug/flywheel from the workspace root).
"""

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

from eth_abi import encode
from eth_hash.auto import keccak

CALL = "(bytes1,bool,address,address,uint256,bytes)"
ATTRIBUTES = "(bytes,bytes,bool)"
# version, sourceChainId, destinationChainId, destinationBaseTokenAssetId, interopBundleSalt,
# calls, bundleAttributes
BUNDLE = f"(bytes1,uint256,uint256,bytes32,bytes32,{CALL}[],{ATTRIBUTES})"
VERSION = b"\x01"
BUNDLE_IDENTIFIER = b"\x01"
U64_MAX = 2**64 - 1
U256_MAX = 2**256 - 1


def hex0x(b: bytes) -> str:
    return "0x" + b.hex()


def uint256(n: int) -> bytes:
    return n.to_bytes(32, "big")


def erc7930(chain_id, address) -> bytes:
    """ERC-7930 binary: version 0x0001, chain type 0x0000 (EIP-155), chain reference (minimal
    big-endian bytes, or none), address (20 bytes, or none)."""
    ref = b"" if chain_id is None else chain_id.to_bytes(max(1, (chain_id.bit_length() + 7) // 8), "big")
    addr = b"" if address is None else address
    return b"\x00\x01" + b"\x00\x00" + bytes([len(ref)]) + ref + bytes([len(addr)]) + addr


def random_chain_id(rng: random.Random) -> int:
    return rng.choice([1, 324, 325, 9075, rng.randrange(1, 2**32), rng.randrange(1, U64_MAX + 1), U64_MAX])


def random_value(rng: random.Random) -> int:
    return rng.choice([0, 0, 1, rng.randrange(10**18), rng.randrange(U64_MAX + 1), rng.randrange(U256_MAX + 1), U256_MAX])


def random_data(rng: random.Random) -> bytes:
    n = rng.choice([0, 1, 3, 31, 32, 33, 64, rng.randrange(0, 300)])
    return rng.randbytes(n)


def random_interop_address(rng: random.Random) -> bytes:
    form = rng.randrange(3)
    chain = None if form == 1 else random_chain_id(rng)
    addr = None if form == 0 else rng.randbytes(20)
    return erc7930(chain, addr)


def random_bundle(rng: random.Random) -> tuple[dict, dict]:
    """A bundle description for the CLI, and the reference's expected output for it."""
    source = random_chain_id(rng)
    destination = random_chain_id(rng)
    asset_id = rng.randbytes(32)
    use_fixed_fee = rng.random() < 0.5
    calls = []
    for _ in range(rng.choice([0, 1, 1, 2, 3, rng.randrange(0, 9)])):
        calls.append((rng.randbytes(20), rng.randbytes(20), random_value(rng), random_data(rng)))
    execution = b"" if rng.random() < 0.5 else random_interop_address(rng)
    unbundler = random_interop_address(rng)

    description = {
        "source_chain_id": source,
        "destination_chain_id": destination,
        "destination_base_token_asset_id": hex0x(asset_id),
        "calls": [
            {
                "to": hex0x(to),
                "from": hex0x(frm),
                # Small values sometimes as JSON integers, which the CLI also accepts.
                "value": value if value <= U64_MAX and rng.random() < 0.3 else str(value),
                "data": hex0x(data),
            }
            for (to, frm, value, data) in calls
        ],
        "execution_address": hex0x(execution),
        "unbundler_address": hex0x(unbundler),
        "use_fixed_fee": use_fixed_fee,
    }
    if rng.random() < 0.5:
        sender, nonce = rng.randbytes(20), rng.choice([0, 1, rng.randrange(U64_MAX + 1)])
        description["sender"] = hex0x(sender)
        description["sender_nonce"] = nonce
        salt = keccak(sender + uint256(nonce))
    else:
        salt = rng.randbytes(32)
        description["salt"] = hex0x(salt)

    bundle = (
        VERSION,
        source,
        destination,
        asset_id,
        salt,
        [(VERSION, False, hex0x(to), hex0x(frm), value, data) for (to, frm, value, data) in calls],
        (execution, unbundler, use_fixed_fee),
    )
    encoded = encode([BUNDLE], [bundle])
    bundle_hash = keccak(encode(["uint256", "bytes"], [source, encoded]))
    expected = {
        "interop_bundle_salt": hex0x(salt),
        "encoded_bundle": hex0x(encoded),
        "bundle_hash": hex0x(bundle_hash),
        "message": hex0x(BUNDLE_IDENTIFIER + encoded),
        "send_ids": [hex0x(keccak(bundle_hash + uint256(i))) for i in range(len(calls))],
    }
    return description, expected


def run_cli(binary: str, description: dict) -> dict:
    result = subprocess.run(
        [binary, "interop", "bundle-hash", "-"],
        input=json.dumps(description),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"exit {result.returncode}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def main() -> int:
    root = Path(__file__).resolve().parents[3]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", nargs="?", default=str(root / "target" / "debug" / "flywheel"))
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=31)
    args = parser.parse_args()
    if not Path(args.binary).is_file():
        print(f"error: no flywheel binary at {args.binary} (build it with `cargo build`)", file=sys.stderr)
        return 2

    rng = random.Random(args.seed)
    passed = failed = 0
    modes = {False: 0, True: 0}
    for n in range(args.count):
        description, expected = random_bundle(rng)
        modes[description["use_fixed_fee"]] += 1
        try:
            got = run_cli(args.binary, description)
        except (RuntimeError, json.JSONDecodeError) as e:
            failed += 1
            print(f"bundle {n}: flywheel failed: {e}\n  input: {json.dumps(description)}", file=sys.stderr)
            continue
        wrong = [k for k in expected if got.get(k) != expected[k]]
        if wrong or set(got) != set(expected):
            failed += 1
            print(f"bundle {n}: mismatch in {wrong or sorted(set(got) ^ set(expected))}", file=sys.stderr)
            for k in wrong:
                print(f"  {k}: flywheel {got.get(k)}\n  {' ' * len(k)}  eth_abi  {expected[k]}", file=sys.stderr)
            print(f"  input: {json.dumps(description)}", file=sys.stderr)
        else:
            passed += 1
    if args.count >= 2 and (modes[False] == 0 or modes[True] == 0):
        print("error: the random bundles did not cover both fee modes", file=sys.stderr)
        failed += 1
    print(f"bundle hashes of {args.count} random draft-v31 bundles against an eth-abi encoder")
    print(f"eth-abi: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
