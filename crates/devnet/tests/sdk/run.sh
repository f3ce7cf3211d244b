#!/usr/bin/env bash
# The official ZKsync SDK (zksync-js, vendored unchanged in ../shared/vendor/zksync-js) against
# `flywheel devnet` (issue 19): every example of examples/{viem,ethers}/{deposits,withdrawals,
# interop}/ and every e2e suite of src/adapters/{ethers,viem}/e2e/, each example's effect
# checked on chain by runner.ts, one pass/fail table, exit 1 on any failure not listed in
# open.txt (the cases that wait on unbuilt parts of issue 19, each with its reason) and on any
# listed case that passes.
#
#   crates/devnet/tests/sdk/run.sh [FLYWHEEL_BIN]      (default target/debug/flywheel)
#
# Needs Node.js 20+ with npm (reaching the npm registry). Everything it writes is under
# target/sdk-ci/: the pinned tools (bun, solc; package-lock.json here), a copy of the SDK (its
# dependencies installed with `bun install --frozen-lockfile`, its test contract compiled into
# tests/contracts/out/ as its suites import it), the devnet's log and each case's output
# (target/sdk-ci/logs/). Nothing is written under ../shared.
#
# Environment: SDK_SRC (the vendored SDK; default ../shared/vendor/zksync-js from the repo),
# SDK_CI_PORT (first port when the devnet has no --layout zksync-local; default 8545),
# SDK_CI_ONLY (a regex of case names, for local runs: the others are reported NOT RUN and fail),
# SDK_CI_EXAMPLE_TIMEOUT / SDK_CI_SUITE_TIMEOUT (seconds per case; defaults 180 / 420) and
# SDK_CI_BUDGET (seconds for all cases, default 1800: past it the rest fail as not run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
cd "$repo"
bin="$(realpath "${1:-target/debug/flywheel}")"
src="${SDK_SRC:-$repo/../shared/vendor/zksync-js}"
work="$repo/target/sdk-ci"
mkdir -p "$work/tools"
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# 1. The pinned tools: bun (runs the SDK) and solc (compiles its test contract), from npm.
t0=$(now)
if ! cmp -s "$here/package-lock.json" "$work/tools/package-lock.json" \
    || [ ! -x "$work/tools/node_modules/.bin/bun" ]; then
    rm -rf "$work/tools/node_modules"
    cp "$here/package.json" "$here/package-lock.json" "$work/tools/"
    (cd "$work/tools" && npm ci --no-audit --no-fund --loglevel=error)
fi
bun="$work/tools/node_modules/.bin/bun"
echo "sdk: bun $("$bun" --version)"
t1=$(now)

# 2. A fresh copy of the SDK (never installed in place), its locked dependencies.
rm -rf "$work/zksync-js"
cp -r "$src" "$work/zksync-js"
rm -rf "$work/zksync-js/node_modules" "$work/zksync-js/tests/contracts/out"
(cd "$work/zksync-js" && "$bun" install --frozen-lockfile --silent)
t2=$(now)

# 3. Its test contract, compiled where its suites import it (forge's output shape).
node "$here/compile.cjs" "$work/tools/node_modules/solc" "$work/zksync-js"
t3=$(now)

# 4. The devnet, with relaying off: the SDK's flows execute their bundles themselves. With
# `--layout zksync-local` it takes ZKsync's local ports (L1 8545, L2s 3050 and 3051, Gateway
# 3052), which the e2e suites' helpers.ts fix; without it, the chains follow one another from
# SDK_CI_PORT and the examples are given their URLs in the environment (the e2e suites then
# cannot reach 3050 and fail: that failure is reported, not hidden).
log="$work/devnet.log"
help="$("$bin" devnet --help)"
if grep -q -- '--layout' <<<"$help"; then
    layout="zksync-local"
    args=(devnet --layout zksync-local)
    # Autorelay is opt-in there; keep it off whatever the default becomes.
    if grep -q -- '--no-relay' <<<"$help"; then args+=(--no-relay); fi
else
    layout="ports from ${SDK_CI_PORT:-8545}"
    # The interop suites expect a non-zero interopProtocolFee (their quote checks it): 1 gwei
    # per call, set by each chain's operator at genesis.
    interop_fee=1000000000
    cat >"$work/devnet.toml" <<EOF
port = ${SDK_CI_PORT:-8545}
relay = false
[[chains]]
chain_id = 271
name = "src"
base_token = "ETH"
interop_protocol_fee = $interop_fee
[[chains]]
chain_id = 272
name = "dst"
base_token = "ETH"
interop_protocol_fee = $interop_fee
[[chains]]
chain_id = 273
name = "base"
base_token = "ZK"
interop_protocol_fee = $interop_fee
EOF
    args=(devnet --config "$work/devnet.toml")
fi
"$bin" "${args[@]}" >"$log" 2>&1 &
devnet_pid=$!
trap 'kill "$devnet_pid" 2>/dev/null || true' EXIT
for _ in $(seq 200); do
    grep -q '^Listening' "$log" && break
    kill -0 "$devnet_pid" 2>/dev/null || { cat "$log"; echo "sdk: the devnet exited"; exit 1; }
    sleep 0.05
done
grep -q '^Listening' "$log" || { cat "$log"; echo "sdk: the devnet did not start"; exit 1; }
t4=$(now)
# Each chain's URL from the start-up table, by role and order: L1, Gateway, then the L2s
# (the first two ETH-based ones are source and destination; the first non-ETH one is the
# base-token chain of the deposits/withdrawals examples that need one).
url() { awk -v role="$1" -v n="$2" -v base="$3" '
    $1 == role && (base == "" || (base == "ETH") == ($(NF-1) == "ETH")) { if (++i == n) { print $NF; exit } }' "$log"; }
export L1_RPC="$(url L1 1 '')" GW_RPC="$(url Gateway 1 '')"
export SRC_L2_RPC="$(url L2 1 ETH)" DST_L2_RPC="$(url L2 2 ETH)" BASE_L2_RPC="$(url L2 1 other)"
# BASE_L2_RPC may be empty (no such chain): the examples that need it then fail, saying so.
for v in L1_RPC GW_RPC SRC_L2_RPC DST_L2_RPC; do
    [ -n "${!v}" ] || { cat "$log"; echo "sdk: no $v in the devnet's table"; exit 1; }
done
echo "sdk: devnet ($layout) ready in $(secs "$t3" "$t4") s: L1 $L1_RPC, Gateway $GW_RPC," \
    "src $SRC_L2_RPC, dst $DST_L2_RPC, base-token L2 ${BASE_L2_RPC:-none}"

# 5. Every example and suite, unchanged, as the dev account 0 of the standard mnemonic.
mkdir -p "$work/zksync-js/.flywheel-ci"
cp "$here/runner.ts" "$work/zksync-js/.flywheel-ci/runner.ts"
status=0
(cd "$work/zksync-js" && PRIVATE_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 \
    SDK_CI_LOGS="$work/logs" SDK_CI_OPEN="${SDK_CI_OPEN-$here/open.txt}" \
    "$bun" run .flywheel-ci/runner.ts) || status=$?
t5=$(now)
echo "sdk: tools $(secs "$t0" "$t1") s, copy + bun install $(secs "$t1" "$t2") s," \
    "solc $(secs "$t2" "$t3") s, devnet start $(secs "$t3" "$t4") s, runs $(secs "$t4" "$t5") s;" \
    "logs in $work/logs"
exit "$status"
