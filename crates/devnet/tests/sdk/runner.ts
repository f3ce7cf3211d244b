// The SDK harness's runner (started by run.sh with bun, from inside the copy of zksync-js so that
// `viem` resolves to the SDK's own pinned install). It runs every example of
// examples/{viem,ethers}/{deposits,withdrawals,interop}/ and every e2e suite of
// src/adapters/{ethers,viem}/e2e/ unchanged against a running `flywheel devnet`, checks each
// example's effect on chain by reading the chains itself (balances moved, greeting changed,
// funds released), prints one pass/fail table with the first error of each failure, and exits 1
// if anything failed. Nothing is skipped: a case that cannot run is a failure with its reason.
//
// Environment (run.sh sets it): L1_RPC, GW_RPC, SRC_L2_RPC, DST_L2_RPC (ETH-based L2s),
// BASE_L2_RPC (the L2 whose base token is the L1 ERC-20 at L1_SOPH_TOKEN_ADDRESS), PRIVATE_KEY,
// SDK_CI_LOGS (folder for each case's output), SDK_CI_EXAMPLE_TIMEOUT / SDK_CI_SUITE_TIMEOUT
// (seconds per case), SDK_CI_BUDGET (seconds for the whole run), SDK_CI_ONLY (optional regex:
// run only matching cases, the others are listed as NOT RUN and fail the harness), SDK_CI_OPEN
// (the file of cases known to fail for an unbuilt piece; see the end of main).

import { createPublicClient, http, parseAbi, type Address, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} must be set (run.sh sets it)`);
  return v;
}

const URLS = {
  l1: need('L1_RPC'),
  gw: need('GW_RPC'),
  src: need('SRC_L2_RPC'),
  dst: need('DST_L2_RPC'),
  // Empty when the devnet runs no L2 whose base token is not ETH: the cases that need one
  // then fail, saying so.
  base: process.env.BASE_L2_RPC ?? '',
};
type ChainKey = keyof typeof URLS;
const PRIVATE_KEY = need('PRIVATE_KEY') as Hex;
const LOGS = need('SDK_CI_LOGS');
const EXAMPLE_TIMEOUT_S = Number(process.env.SDK_CI_EXAMPLE_TIMEOUT ?? '180');
const SUITE_TIMEOUT_S = Number(process.env.SDK_CI_SUITE_TIMEOUT ?? '420');
// The whole run's budget, so a devnet that leaves every flow waiting cannot hold CI for hours:
// once spent, each remaining case fails as not run, by name.
const BUDGET_S = Number(process.env.SDK_CI_BUDGET ?? '1800');
const ONLY = process.env.SDK_CI_ONLY ? new RegExp(process.env.SDK_CI_ONLY) : null;
// SDK_CI_OPEN: a file of cases known to fail, `name  [passes>=N]  reason` per line (# comments);
// a suite's `passes>=N` keeps the tests of it that already pass from regressing. See the end.
const OPEN_FILE = process.env.SDK_CI_OPEN ?? '';
const OPEN = new Map<string, string>();
const MIN_PASSES = new Map<string, number>();
for (const l of (OPEN_FILE ? readFileSync(OPEN_FILE, 'utf8') : '').split('\n').map((l) => l.trim())) {
  if (l === '' || l.startsWith('#')) continue;
  const [name, ...rest] = l.split(/\s+/);
  const min = rest[0]?.match(/^passes>=(\d+)$/);
  if (min) {
    MIN_PASSES.set(name, Number(min[1]));
    rest.shift();
  }
  OPEN.set(name, rest.join(' '));
}

const me = privateKeyToAccount(PRIVATE_KEY).address;
const clients = Object.fromEntries(
  Object.entries(URLS)
    .filter(([, url]) => url !== '')
    .map(([k, url]) => [k, createPublicClient({ transport: http(url) })]),
) as Record<ChainKey, PublicClient>;

// Addresses the examples name (src/core/constants.ts of the SDK and the examples themselves).
const L2_NATIVE_TOKEN_VAULT: Address = '0x0000000000000000000000000000000000010004';
const L1_SOPH_TOKEN: Address = '0xa9544a49d4aEa4c8E074431c89C79fA9592049d8'; // erc20-base, withdrawals/base
const L1_TEST_TOKEN: Address = '0x42E331a2613Fd3a5bc18b47AE3F01e1537fD8873'; // erc20-nonbase
const SOPH_ETH: Address = '0x29bF0eCe24D64De5E2034865A339AbBf16FdcAc0'; // withdrawals/eth-nonbase
const E18 = 10n ** 18n;

const ERC20 = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function totalSupply() view returns (uint256)',
  'function decimals() view returns (uint8)',
]);
const NTV = parseAbi(['function l2TokenAddress(address) view returns (address)']);
const GREETING = parseAbi(['function message() view returns (string)']);

// ---------------------------------------------------------------------------------------------
// Chain reads used by the checks.

async function tokenBalance(chain: ChainKey, token: Address, who: Address = me): Promise<bigint> {
  const code = await clients[chain].getCode({ address: token });
  if (!code || code === '0x') throw new Error(`no contract at ${token} on ${chain}`);
  return (await clients[chain].readContract({
    address: token,
    abi: ERC20,
    functionName: 'balanceOf',
    args: [who],
  })) as bigint;
}

async function bridged(chain: ChainKey, l1Token: Address): Promise<Address> {
  return (await clients[chain].readContract({
    address: L2_NATIVE_TOKEN_VAULT,
    abi: NTV,
    functionName: 'l2TokenAddress',
    args: [l1Token],
  })) as Address;
}

/** A chain's head and `me`'s native balance there. */
async function mark(chain: ChainKey) {
  const [block, balance] = await Promise.all([
    // viem caches the block number for its polling interval (4 s); the devnet mines in
    // milliseconds, so read it fresh.
    clients[chain].getBlockNumber({ cacheTime: 0 }),
    clients[chain].getBalance({ address: me }),
  ]);
  return { block, balance };
}
type Mark = Awaited<ReturnType<typeof mark>>;

/** What `me` sent from on `chain` in blocks (from, to]: gas paid and contracts created. */
async function activity(chain: ChainKey, from: bigint, to: bigint) {
  let gas = 0n;
  const created: Address[] = [];
  for (let n = from + 1n; n <= to; n++) {
    const block = await clients[chain].getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) {
      if (typeof tx === 'string' || tx.from.toLowerCase() !== me.toLowerCase()) continue;
      const r = await clients[chain].getTransactionReceipt({ hash: tx.hash });
      gas += r.gasUsed * r.effectiveGasPrice;
      if (r.contractAddress && r.status === 'success') created.push(r.contractAddress);
    }
  }
  return { gas, created };
}

/** `me`'s native balance change on `chain` since `m`, with the gas `me` paid there added back:
 * what moved other than fees (negative: value left). Also the contracts `me` created. */
async function netSince(chain: ChainKey, m: Mark) {
  const now = await mark(chain);
  const a = await activity(chain, m.block, now.block);
  return { net: now.balance - m.balance + a.gas, created: a.created };
}

function fmt(wei: bigint): string {
  const neg = wei < 0n;
  const w = neg ? -wei : wei;
  const frac = (w % E18).toString().padStart(18, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${w / E18}${frac ? '.' + frac : ''}`;
}

function expect(cond: boolean, what: string): string | null {
  return cond ? null : what;
}

// ---------------------------------------------------------------------------------------------
// The cases.

type Check = () => Promise<string | null>; // null: the effect is there; otherwise what is not
interface Case {
  name: string;
  kind: 'example' | 'setup' | 'suite';
  file: string; // relative to the SDK copy
  args: string[]; // after `bun`
  env: Record<string, string>;
  /** The chains it runs against, beyond L1 (a missing one fails the case before it runs). */
  needs?: ChainKey[];
  /** Before the run: reads the chains, returns the check to make after a zero exit. */
  prepare?: () => Promise<Check>;
}

const depositEnv = (l2: ChainKey) => ({ L1_RPC_URL: URLS.l1, L2_RPC_URL: URLS[l2] || 'unset' });
const interopEnv = {
  L1_RPC: URLS.l1,
  GW_RPC: URLS.gw,
  SRC_L2_RPC: URLS.src,
  DST_L2_RPC: URLS.dst,
};

function example(
  name: string,
  env: Record<string, string>,
  prepare: () => Promise<Check>,
  needs: ChainKey[] = [],
): Case {
  const file = `examples/${name}.ts`;
  return { name, kind: 'example', file, args: ['run', file], env, prepare, needs };
}

/** deposits/eth: L1 pays the deposit (≥ amount, the rest the L2 cost), L2 gains ≥ amount and no
 * more than L1 paid. */
const depositEth = (amount: bigint) => async (): Promise<Check> => {
  const [l1, l2] = await Promise.all([mark('l1'), mark('src')]);
  return async () => {
    const paid = -(await netSince('l1', l1)).net;
    const got = (await netSince('src', l2)).net;
    return expect(
      got >= amount && paid >= got,
      `L2 gained ${fmt(got)} ETH and L1 paid ${fmt(paid)} ETH for a deposit of ${fmt(amount)}`,
    );
  };
};

/** deposits/erc20-base: the L1 ERC-20 that is the L2's base token leaves L1 (≥ amount: the L2
 * cost is paid in it too) and the L2's native balance grows by ≥ amount. */
const depositBase = (amount: bigint) => async (): Promise<Check> => {
  const [t1, l2] = await Promise.all([tokenBalance('l1', L1_SOPH_TOKEN), mark('base')]);
  return async () => {
    const left = t1 - (await tokenBalance('l1', L1_SOPH_TOKEN));
    const got = (await netSince('base', l2)).net;
    return expect(
      left >= amount && got >= amount && left >= got,
      `L1 base token left ${fmt(left)}, L2 base balance gained ${fmt(got)} for ${fmt(amount)}`,
    );
  };
};

/** deposits/erc20-nonbase: exactly `tokens` whole tokens leave L1 and arrive on L2 as the
 * vault's bridged token. */
const depositErc20 = (tokens: bigint) => async (): Promise<Check> => {
  const decimals = (await clients.l1.readContract({
    address: L1_TEST_TOKEN,
    abi: ERC20,
    functionName: 'decimals',
  })) as number;
  const amount = tokens * 10n ** BigInt(decimals);
  const t1 = await tokenBalance('l1', L1_TEST_TOKEN);
  const l2Token = await bridged('src', L1_TEST_TOKEN);
  const code = await clients.src.getCode({ address: l2Token });
  const t2 = code && code !== '0x' ? await tokenBalance('src', l2Token) : 0n;
  return async () => {
    const left = t1 - (await tokenBalance('l1', L1_TEST_TOKEN));
    const got = (await tokenBalance('src', await bridged('src', L1_TEST_TOKEN))) - t2;
    return expect(
      left === amount && got === amount,
      `L1 token left ${fmt(left)}, L2 bridged token gained ${fmt(got)} for ${fmt(amount)}`,
    );
  };
};

/** withdrawals/eth: exactly `amount` leaves L2 (gas aside) and is released on L1 (gas aside). */
const withdrawEth = (amount: bigint) => async (): Promise<Check> => {
  const [l1, l2] = await Promise.all([mark('l1'), mark('src')]);
  return async () => {
    const sent = -(await netSince('src', l2)).net;
    const released = (await netSince('l1', l1)).net;
    return expect(
      sent === amount && released === amount,
      `L2 sent ${fmt(sent)} ETH, L1 released ${fmt(released)} ETH for ${fmt(amount)}`,
    );
  };
};

/** withdrawals/base: the base token leaves the L2 and its L1 ERC-20 is released on L1. */
const withdrawBase = (amount: bigint) => async (): Promise<Check> => {
  const [l2, t1] = await Promise.all([mark('base'), tokenBalance('l1', L1_SOPH_TOKEN)]);
  return async () => {
    const sent = -(await netSince('base', l2)).net;
    const released = (await tokenBalance('l1', L1_SOPH_TOKEN)) - t1;
    return expect(
      sent === amount && released === amount,
      `L2 sent ${fmt(sent)} base token, L1 released ${fmt(released)} for ${fmt(amount)}`,
    );
  };
};

/** withdrawals/eth-nonbase: ETH as an ERC-20 (SOPH_ETH) on the non-ETH L2 leaves it, ETH is
 * released on L1. */
const withdrawEthNonBase = (amount: bigint) => async (): Promise<Check> => {
  const [t2, l1] = await Promise.all([tokenBalance('base', SOPH_ETH), mark('l1')]);
  return async () => {
    const sent = t2 - (await tokenBalance('base', SOPH_ETH));
    const released = (await netSince('l1', l1)).net;
    return expect(
      sent === amount && released === amount,
      `L2 sent ${fmt(sent)} ETH token, L1 released ${fmt(released)} ETH for ${fmt(amount)}`,
    );
  };
};

/** withdrawals/erc20-nonbase: exactly `tokens` whole tokens leave L2 and are released on L1. */
const withdrawErc20 = (tokens: bigint) => async (): Promise<Check> => {
  const l2Token = await bridged('src', L1_TEST_TOKEN);
  const decimals = (await clients.src.readContract({
    address: l2Token,
    abi: ERC20,
    functionName: 'decimals',
  })) as number;
  const amount = tokens * 10n ** BigInt(decimals);
  const [t2, t1] = await Promise.all([tokenBalance('src', l2Token), tokenBalance('l1', L1_TEST_TOKEN)]);
  return async () => {
    const sent = t2 - (await tokenBalance('src', l2Token));
    const released = (await tokenBalance('l1', L1_TEST_TOKEN)) - t1;
    return expect(
      sent === amount && released === amount,
      `L2 sent ${fmt(sent)}, L1 released ${fmt(released)} for ${fmt(amount)}`,
    );
  };
};

/** interop/send-native: the FundsReceiver the example deploys on the destination holds exactly
 * `amount`, and the source paid at least that. */
const sendNative = (amount: bigint) => async (): Promise<Check> => {
  const [src, dst] = await Promise.all([mark('src'), mark('dst')]);
  return async () => {
    const d = await netSince('dst', dst);
    const paid = -(await netSince('src', src)).net;
    if (d.created.length !== 1) return `expected one contract created on dst, found ${d.created.length}`;
    const got = await clients.dst.getBalance({ address: d.created[0] });
    return expect(
      got === amount && paid >= amount,
      `receiver ${d.created[0]} holds ${fmt(got)} ETH, source paid ${fmt(paid)}, sent ${fmt(amount)}`,
    );
  };
};

/** interop/remote-call: the Greeting the example deploys on the destination says `greeting`. */
const remoteCall = (greeting: string) => async (): Promise<Check> => {
  const dst = await mark('dst');
  return async () => {
    const d = await netSince('dst', dst);
    if (d.created.length !== 1) return `expected one contract created on dst, found ${d.created.length}`;
    const said = (await clients.dst.readContract({
      address: d.created[0],
      abi: GREETING,
      functionName: 'message',
    })) as string;
    return expect(said === greeting, `greeting is ${JSON.stringify(said)}, expected ${JSON.stringify(greeting)}`);
  };
};

/** interop/erc20-transfer: the token the example deploys on L1 is deposited whole to the source
 * and sent whole to the destination, where the vault's token holds all of it for `me`. */
const erc20Transfer = (supply: bigint) => async (): Promise<Check> => {
  const l1 = await mark('l1');
  return async () => {
    const c = await netSince('l1', l1);
    if (c.created.length !== 1) return `expected one token created on L1, found ${c.created.length}`;
    const token = c.created[0];
    const total = (await clients.l1.readContract({
      address: token,
      abi: ERC20,
      functionName: 'totalSupply',
    })) as bigint;
    const onL1 = await tokenBalance('l1', token);
    const onSrc = await tokenBalance('src', await bridged('src', token));
    const onDst = await tokenBalance('dst', await bridged('dst', token));
    return expect(
      total === supply && onL1 === 0n && onSrc === 0n && onDst === supply,
      `supply ${fmt(total)}: me holds ${fmt(onL1)} on L1, ${fmt(onSrc)} on src, ${fmt(onDst)} on dst`,
    );
  };
};

const cases: Case[] = [];
// Amounts and strings as each example has them (examples/<adapter>/...).
const amounts = {
  viem: { depEth: E18 / 1000n, wEth: E18 / 10_000n, wBase: E18, wErc20: 2n, greeting: 'hello from viem example!' },
  ethers: { depEth: E18 / 100n, wEth: E18 / 10_000n, wBase: 20n * E18, wErc20: 25n, greeting: 'hello from example!' },
};
for (const adapter of ['viem', 'ethers'] as const) {
  const a = amounts[adapter];
  cases.push(
    example(`${adapter}/deposits/eth`, depositEnv('src'), depositEth(a.depEth)),
    example(`${adapter}/deposits/erc20-base`, depositEnv('base'), depositBase(E18), ['base']),
    example(`${adapter}/deposits/erc20-nonbase`, depositEnv('src'), depositErc20(2n)),
    example(`${adapter}/withdrawals/eth`, depositEnv('src'), withdrawEth(a.wEth)),
    example(`${adapter}/withdrawals/base`, depositEnv('base'), withdrawBase(a.wBase), ['base']),
    example(`${adapter}/withdrawals/eth-nonbase`, depositEnv('base'), withdrawEthNonBase(E18 / 50n), ['base']),
    example(`${adapter}/withdrawals/erc20-nonbase`, depositEnv('src'), withdrawErc20(a.wErc20)),
    example(`${adapter}/interop/send-native`, interopEnv, sendNative(E18 / 1000n)),
    example(`${adapter}/interop/remote-call`, interopEnv, remoteCall(a.greeting)),
    example(`${adapter}/interop/erc20-transfer`, interopEnv, erc20Transfer(1_000_000n * E18)),
  );
}
for (const adapter of ['ethers', 'viem'] as const) {
  for (const suite of ['deposits.eth', 'withdrawals.eth', 'erc20']) {
    const file = `src/adapters/${adapter}/e2e/${suite}.e2e.ts`;
    cases.push({ name: `${adapter}/e2e/${suite}`, kind: 'suite', file, args: ['test', `./${file}`], env: {} });
  }
  if (adapter === 'ethers') {
    // Prepares the token and greeter the interop suites read (TOKEN_SRC_ADDRESS), once.
    const file = 'scripts/interop-setup.ts';
    cases.push({ name: 'scripts/interop-setup', kind: 'setup', file, args: ['run', file], env: interopEnv });
  }
  const file = `src/adapters/${adapter}/e2e/interop.e2e.ts`;
  cases.push({ name: `${adapter}/e2e/interop`, kind: 'suite', file, args: ['test', `./${file}`], env: interopEnv });
}

// ---------------------------------------------------------------------------------------------
// Running.

interface Row {
  name: string;
  kind: string;
  ok: boolean;
  seconds: number;
  detail: string;
  /** A suite's passing tests (bun test's count). */
  passed?: number;
}

function firstError(out: string): string {
  // The SDK's own errors (ZKsyncError) say what it was doing and why, on labelled lines.
  const field = (label: RegExp) => out.match(label)?.[1]?.trim();
  const op = field(/^\s*Operation\s*:\s*(.+)$/m);
  if (op) {
    const msg = field(/^\s*Message\s*:\s*(.+)$/m) ?? '';
    const cause = field(/^\s*Cause\s*:.*\n?\s*message=(.+)$/m) ?? field(/^\s*message=(.+)$/m) ?? '';
    const test = out.split('\n').find((l) => l.trim().startsWith('(fail)'))?.trim();
    return `${test ? test + ': ' : ''}${op}: ${msg} ${cause}`.slice(0, 400);
  }
  const lines = out.split('\n').map((l) => l.trim());
  const thrown = lines.find((l) => /^[A-Za-z]*Error: \S/.test(l) || /^error: \S/.test(l));
  const err = thrown ?? lines.find(
    (l) => /(^error\b|error:|Error\b|^\(fail\)|reverted|Timed out|timeout)/i.test(l) && !/^\|/.test(l),
  );
  const failed = lines.find((l) => l.startsWith('(fail)'));
  const parts = [err, failed && failed !== err ? failed : undefined].filter(Boolean) as string[];
  return (parts.join(' / ') || lines.filter(Boolean).slice(-1)[0] || 'no output').slice(0, 300);
}

async function run(c: Case, extraEnv: Record<string, string>): Promise<{ code: number | null; out: string; timedOut: boolean }> {
  const limit = (c.kind === 'suite' ? SUITE_TIMEOUT_S : EXAMPLE_TIMEOUT_S) * 1000;
  const proc = Bun.spawn([process.execPath, ...c.args], {
    env: { ...process.env, ...c.env, ...extraEnv, PRIVATE_KEY },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill();
  }, limit);
  const [stdout, stderr] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, out: `${stdout}\n${stderr}`, timedOut };
}

async function main() {
  mkdirSync(LOGS, { recursive: true });
  const rows: Row[] = [];
  const shared: Record<string, string> = {};
  const began = Date.now();
  for (const c of cases) {
    const start = Date.now();
    const row = (ok: boolean, detail: string, passed?: number) => {
      const r = { name: c.name, kind: c.kind, ok, seconds: (Date.now() - start) / 1000, detail, passed };
      rows.push(r);
      console.log(`${ok ? 'PASS' : 'FAIL'} ${c.name} (${r.seconds.toFixed(1)} s)${ok ? '' : ': ' + detail}`);
    };
    if (ONLY && !ONLY.test(c.name)) {
      rows.push({ name: c.name, kind: c.kind, ok: false, seconds: 0, detail: 'NOT RUN (SDK_CI_ONLY)' });
      continue;
    }
    const missing = (c.needs ?? []).filter((k) => URLS[k] === '');
    if (missing.length > 0) {
      row(false, `NOT RUN: the devnet runs no L2 whose base token is not ETH (the L1 ERC-20 ${L1_SOPH_TOKEN} as base token), which this example needs`);
      continue;
    }
    if ((Date.now() - began) / 1000 > BUDGET_S) {
      row(false, `NOT RUN: the run's budget of ${BUDGET_S} s (SDK_CI_BUDGET) was spent`);
      continue;
    }
    let check: Check | undefined;
    try {
      check = c.prepare ? await c.prepare() : undefined;
    } catch (e) {
      // The check's own reads failed before the run: the state it needs is not there. The example
      // still runs, so its own first error is reported.
      const why = `before the run: ${String((e as Error).message ?? e).split('\n')[0]}`;
      const r = await run(c, shared);
      writeFileSync(join(LOGS, c.name.replaceAll('/', '_') + '.log'), r.out);
      row(false, r.code === 0 ? why : `${firstError(r.out)} [${why}]`);
      continue;
    }
    const r = await run(c, shared);
    writeFileSync(join(LOGS, c.name.replaceAll('/', '_') + '.log'), r.out);
    if (r.timedOut) {
      row(false, `timed out after ${c.kind === 'suite' ? SUITE_TIMEOUT_S : EXAMPLE_TIMEOUT_S} s; ${firstError(r.out)}`);
      continue;
    }
    // bun test's summary: every test must pass, none skipped or todo.
    const count = (w: string) => Number(r.out.match(new RegExp(`^\\s*(\\d+) ${w}$`, 'm'))?.[1] ?? '0');
    const [pass, fail, skip, todo] = ['pass', 'fail', 'skip', 'todo'].map(count);
    const tally = `${pass} pass, ${fail} fail, ${skip} skip, ${todo} todo`;
    if (r.code !== 0) {
      row(false, `exit ${r.code}${c.kind === 'suite' ? ` (${tally})` : ''}: ${firstError(r.out)}`, pass);
      continue;
    }
    if (c.kind === 'suite') {
      row(pass > 0 && fail + skip + todo === 0, tally, pass);
      continue;
    }
    if (c.kind === 'setup') {
      for (const m of r.out.matchAll(/^([A-Z_]+)=(0x[0-9a-fA-F]{40})$/gm)) shared[m[1]] = m[2];
      if (!shared.TOKEN_SRC_ADDRESS) {
        row(false, 'no TOKEN_SRC_ADDRESS in its output');
        continue;
      }
      const held = await tokenBalance('src', shared.TOKEN_SRC_ADDRESS as Address).catch(() => 0n);
      row(held > 0n, held > 0n ? `TOKEN_SRC_ADDRESS holds ${fmt(held)}` : 'the token holds nothing for me on src');
      continue;
    }
    try {
      const wrong = check ? await check() : 'no check';
      row(wrong === null, wrong ?? 'effect checked on chain');
    } catch (e) {
      row(false, `exit 0 but the check failed: ${String((e as Error).message ?? e).split('\n')[0]}`);
    }
  }

  const w = Math.max(...rows.map((r) => r.name.length));
  console.log('\n' + 'case'.padEnd(w) + '  kind     result  seconds  first error / what was checked');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(w)}  ${r.kind.padEnd(7)}  ${r.ok ? 'pass' : 'FAIL'}    ${r.seconds.toFixed(1).padStart(7)}  ${r.detail}`,
    );
  }
  const failed = rows.filter((r) => !r.ok).length;
  console.log(`\nsdk: ${rows.length - failed} passed, ${failed} failed`);
  writeFileSync(join(LOGS, 'results.json'), JSON.stringify(rows, null, 2));
  // The open list names the cases that fail for a known, unbuilt piece of the devnet (each with
  // its reason): they still run and show above, but do not fail the harness. Any other failure
  // does, and so does an open case that now passes (take it off the list: a ratchet).
  const regressed = (r: Row) => (r.passed ?? 0) < (MIN_PASSES.get(r.name) ?? 0);
  const unexpected = rows.filter((r) => !r.ok && (!OPEN.has(r.name) || regressed(r))).map((r) => r.name);
  const fixed = rows.filter((r) => r.ok && OPEN.has(r.name)).map((r) => r.name);
  const unknown = [...OPEN.keys()].filter((n) => !rows.some((r) => r.name === n));
  if (OPEN.size > 0) {
    console.log(`sdk: ${failed - unexpected.length} open cases failed as listed in ${OPEN_FILE}:`);
    for (const r of rows.filter((r) => !r.ok && OPEN.has(r.name))) {
      console.log(`  open  ${r.name}: ${OPEN.get(r.name)}`);
    }
  }
  for (const n of unexpected) {
    const min = MIN_PASSES.get(n);
    console.log(`sdk: FAILED, ${min === undefined ? 'not on the open list' : `fewer than the ${min} tests that passed before`}: ${n}`);
  }
  for (const n of fixed) console.log(`sdk: ${n} now passes: take it off ${OPEN_FILE}`);
  for (const n of unknown) console.log(`sdk: ${OPEN_FILE} names ${n}, which is no case`);
  process.exit(unexpected.length === 0 && fixed.length === 0 && unknown.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
