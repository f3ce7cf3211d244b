// Browser tests of flywheel serve's dashboard: Playwright (playwright-core) drives Debian's
// Chromium, headless, against a `flywheel serve --port 0` started here on loopback with a
// fresh run store.
//
//   node dashboard.mjs FLYWHEEL_BINARY SCREENSHOT.png
//
// It moves the burn-share and Fee Flow threshold sliders and checks that the numbers, the fan
// charts and the flow diagram changed; restores a shared URL in a new page; saves a scenario;
// opens a stored run; compares two scenarios (pinned what-if) and two stored runs; prints the
// slider-to-chart latency (release → what-if request → charts drawn, median of several moves)
// drafts a governance proposal from the slider changes and downloads proposal.md and
// proposal.json;
// and the what-if endpoint's request rate; and saves a screenshot. Any failed check exits 1.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const [binary, screenshot] = process.argv.slice(2);
if (!binary || !screenshot) {
  console.error('usage: node dashboard.mjs FLYWHEEL_BINARY SCREENSHOT.png');
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), 'flywheel-browser-'));
let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures += 1;
}

// The server, on a free port; its first line names the address.
const server = spawn(binary, ['serve', '--port', '0', '--db', join(scratch, 'runs.db')], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve, reject) => {
  const rl = createInterface({ input: server.stdout });
  rl.once('line', (line) => {
    const m = line.match(/http:\/\/[0-9.:]+/);
    m ? resolve(m[0]) : reject(new Error(`unexpected first line: ${line}`));
  });
  server.once('exit', (code) => reject(new Error(`flywheel serve exited (${code})`)));
});
console.log(`flywheel serve at ${base}`);

async function api(path, body, method = 'POST') {
  const r = await fetch(base + path, body === undefined ? {} : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (r.headers.get('content-type') || '').includes('json') ? r.json() : r.text();
}
async function storedRun(burn) {
  const { id } = await api('/api/runs', { input: { runs: 20, days: 60, set: { 'protocol.burn_bps': burn } } });
  for (let i = 0; i < 600; i++) {
    const r = await api(`/api/runs/${id}`);
    if (r.status === 'done') return id;
    if (r.status !== 'queued' && r.status !== 'running') throw new Error(`run ${id}: ${r.status} ${r.error}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`run ${id} never finished`);
}

const context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 1500 },
});
const page = context.pages()[0] || await context.newPage();
page.on('pageerror', (e) => check(false, `no script error (${e.message})`));
// Offline: the page may reach nothing but the server.
await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));

const updates = () => page.evaluate(() => Number(document.body.dataset.updates || 0));
const text = (sel) => page.locator(sel).innerText();
const lastOf = (id, series) => page.evaluate(([id, s]) => {
  const o = echarts.getInstanceByDom(document.getElementById(id)).getOption();
  const d = o.series[s].data;
  return d[d.length - 1];
}, [id, series]);
const sankeyLinks = () => page.evaluate(() => JSON.stringify(echarts.getInstanceByDom(document.getElementById('chart-sankey')).getOption().series[0].links));

// Moves a lever's slider by clicking at a fraction of its width (a real pointer press and
// release), then waits for the charts to update; returns the page's measured latency.
async function move(path, fraction) {
  const before = await updates();
  const slider = page.locator(`.control[data-path="${path}"] input[type=range]`);
  const box = await slider.boundingBox();
  await slider.click({ position: { x: Math.max(2, Math.min(box.width - 2, box.width * fraction)), y: box.height / 2 } });
  try {
    await page.waitForFunction((n) => Number(document.body.dataset.updates || 0) > n, before, { timeout: 60_000 });
  } catch (e) {
    throw new Error(`${path} at ${fraction}: no update; the page says: ${await text('#message')}`);
  }
  const [total, sim] = await page.evaluate(() => [document.body.dataset.latency, document.body.dataset.simulation]);
  simulation.push(Number(sim));
  return Number(total);
}
const simulation = [];

try {
  const runA = await storedRun(10_000);
  const runB = await storedRun(2_500);

  await page.goto(base + '/');
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
  check(await page.locator('.control').count() >= 12, 'a control for every lever');
  const tip = await page.locator('.control[data-path="protocol.burn_bps"] label').getAttribute('title');
  check(tip && tip.includes('protocol.burn_bps') && tip.length > 30, 'the burn share explains itself (schema description)');

  // The burn share: numbers and charts change.
  const burned0 = await text('#stat-burned_wei');
  const cum0 = await lastOf('chart-cumulative', 2);
  const latencies = [await move('protocol.burn_bps', 0.05)];
  const burned1 = await text('#stat-burned_wei');
  const cum1 = await lastOf('chart-cumulative', 2);
  check(burned1 !== burned0, `the burned figure changed (${burned0} → ${burned1})`);
  check(cum1 < cum0, `the cumulative-burn median fell with the burn share (${cum0} → ${cum1})`);
  check(page.url().includes('protocol.burn_bps='), 'the URL carries the change');

  // The Fee Flow threshold (with fee revenue sent to Fee Flow): the flow diagram changes.
  latencies.push(await move('protocol.fee_flow_revenue_share_bps', 0.1));
  const links0 = await sankeyLinks();
  latencies.push(await move('protocol.fee_flow_threshold', 0.05));
  const links1 = await sankeyLinks();
  check(links1 !== links0, 'the flow diagram changed with the threshold');

  // Compare: pin A, move B, both columns side by side.
  await page.click('#pin');
  latencies.push(await move('protocol.burn_bps', 0.12));
  const rows = await page.locator('#compare tr').count();
  const firstRow = await page.locator('#compare tr').nth(1).innerText();
  const cells = firstRow.split('\t');
  check(rows >= 8 && cells.length === 4 && cells[1] !== cells[2], `A and B side by side (${firstRow.replace(/\t/g, ' | ')})`);
  const dashed = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('chart-cumulative')).getOption().series.length);
  check(dashed === 4, "A's median is drawn on the charts");
  for (const f of [0.02, 0.1, 0.04]) latencies.push(await move('protocol.burn_bps', f));

  // Share by URL: a new page restores the overrides.
  const url = page.url();
  const shared = await context.newPage();
  await shared.goto(url);
  await shared.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
  const restored = await shared.locator('.control[data-path="protocol.burn_bps"] input[type=range]').inputValue();
  const wanted = new URLSearchParams(new URL(url).hash.slice(1)).get('protocol.burn_bps');
  check(restored === wanted, `a shared URL restores the slider (${wanted})`);
  check((await shared.locator('#stat-burned_wei').innerText()) === (await text('#stat-burned_wei')), 'and the same figures');
  await shared.close();

  // Save the scenario; it is in the store.
  await page.fill('#save-name', 'browser-test');
  await page.click('#save');
  await page.waitForFunction(() => [...document.querySelectorAll('#saved option')].some((o) => o.value === 'browser-test'));
  const saved = await api('/api/scenarios/browser-test');
  check(saved.includes('burn_bps = ' + wanted), 'the saved scenario holds the slider value');
  // Reopen it from the list, from a fresh page: its values come back on the sliders.
  const again = await context.newPage();
  await again.goto(base + '/');
  await again.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
  const n0 = await again.evaluate(() => Number(document.body.dataset.updates || 0));
  await again.selectOption('#saved', 'browser-test');
  await again.waitForFunction((n) => Number(document.body.dataset.updates || 0) > n, n0, { timeout: 60_000 });
  const reopened = await again.locator('.control[data-path="protocol.burn_bps"] input[type=range]').inputValue();
  check(reopened === wanted && again.url().includes('saved=browser-test'), `a saved scenario reopens with its values (${reopened})`);
  await again.close();

  // Run the full scenario into the store: progress arrives over SSE, then a report link.
  await page.click('#run-full');
  await page.waitForFunction(() => /done, (\d+)\/\1 paths/.test(document.getElementById('progress-text').textContent), null, { timeout: 120_000 });
  const href = await page.locator('#progress-text a').getAttribute('href');
  const report = await api(href);
  check(report.startsWith('<!DOCTYPE html>'), `Run & store streams progress and links the report (${href})`);

  // Open a stored run, then compare two.
  await page.click('#refresh-runs');
  await page.locator(`#runs tr[data-id="${runA}"] .open-run`).click();
  await page.waitForFunction((id) => document.body.dataset.openRun === String(id), runA);
  check((await text('#viewing')).includes(`Stored run ${runA}`), 'a stored run opens');
  const storedBurn = await text('#stat-burned_wei');
  check(storedBurn !== burned1, `the stored run's figures are shown (${storedBurn})`);
  await page.locator(`#runs tr[data-id="${runA}"] input`).check();
  await page.locator(`#runs tr[data-id="${runB}"] input`).check();
  await page.click('#compare-runs');
  await page.waitForFunction(() => document.querySelectorAll('#runs-compare tr').length > 1);
  const runRow = (await page.locator('#runs-compare tr').nth(1).innerText()).split('\t');
  check(runRow[1] !== runRow[2], `two stored runs side by side (${runRow.join(' | ')})`);

  // Draft a proposal from the slider changes (burn share, revenue share, threshold): the burn
  // share below 100% needs the Splitter's distributor; then download both files.
  await page.fill('#proposal-date', '2026-12-08');
  await page.fill('#proposal-distributor', '0x00000000000000000000000000000000000000aa');
  const drafted = await page.evaluate(() => Number(document.body.dataset.proposals || 0));
  await page.click('#draft');
  await page.waitForFunction((n) => Number(document.body.dataset.proposals || 0) > n, drafted, { timeout: 120_000 });
  const paths = await text('#proposal-paths');
  check(paths.includes('TPP (ZkTokenGovernor)') && paths.includes('setBidThreshold') && paths.includes('not on chain'),
    'the proposal names each change\'s governance path (TPP for the threshold and burn share, not on chain for the revenue share)');
  check((await text('#proposal-governors')).includes('earliest effect 2026-12-18'), 'the TPP\'s timeline: effect 10 days after 2026-12-08');
  check(await page.locator('#proposal-impact tr').count() === 4, 'the impact at three elasticities');
  const files = {};
  for (const [button, name] of [['#dl-md', 'proposal.md'], ['#dl-json', 'proposal.json']]) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    check(dl.suggestedFilename() === name, `downloads ${name}`);
    const file = join(scratch, name);
    await dl.saveAs(file);
    files[name] = readFileSync(file, 'utf8');
  }
  check(files["proposal.md"].startsWith('# [TPP]') && files["proposal.md"].includes('## Motivation') && files["proposal.md"].includes('## Projected impact'),
    'proposal.md is the forum draft');
  const pj = JSON.parse(files["proposal.json"]);
  const tpp = pj.proposals.find((x) => x.type === 'TPP');
  check(tpp && tpp.targets.map((t) => t.toLowerCase()).includes('0xf135fcd17733689462027ba7afb210c2cb3c9803')
    && tpp.calldatas.length === tpp.targets.length && typeof tpp.description === 'string',
    'proposal.json carries Tally\'s fields (targets at Fee Flow\'s Era proxy, calldatas, description)');

  await page.screenshot({ path: screenshot, fullPage: true });

  // The what-if endpoint's request rate at the dashboard's size, from this process over
  // loopback HTTP: one client, then two at once.
  const body = { preset: 'v31-baseline', runs: 200, days: 365, set: { 'protocol.burn_bps': 5000 } };
  const rate = async (n, clients) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: clients }, async () => {
      for (let i = 0; i < n / clients; i++) await api('/api/whatif', body);
    }));
    return n / ((performance.now() - t0) / 1000);
  };
  await rate(2, 1); // warm-up
  const one = await rate(20, 1);
  const two = await rate(20, 2);
  console.log(`what-if request rate at 200 × 365: ${one.toFixed(2)}/s with 1 client, ${two.toFixed(2)}/s with 2 clients`);
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const sims = [...simulation].sort((a, b) => a - b);
  console.log(`slider-to-chart latency (release → what-if 200 × 365 → charts drawn): median ${median.toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms over ${latencies.length} moves; of it the simulation (server-side): median ${sims[Math.floor(sims.length / 2)].toFixed(0)} ms`);
  console.log(`screenshot: ${screenshot}`);
} catch (e) {
  check(false, e.stack || String(e));
} finally {
  await context.close();
  server.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
}
console.log(failures ? `browser tests: ${failures} failed` : 'browser tests: all passed');
process.exit(failures ? 1 : 0);
