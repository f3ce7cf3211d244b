// flywheel serve's dashboard. Plain JavaScript over the JSON API (/api/openapi.json) and
// ECharts (bundled into the binary from the pinned npm package; nothing is fetched from a CDN).
//
// Controls are built from the scenario schema's flattened keys (/api/schema/keys): label
// tooltips are the key's description and source, the unit is the key's unit, the step is the
// key's step, and the range is the key's minimum and maximum. Where the schema has no range
// yet, the documented fallback applies (see `range` below): from the minimum (else 0) to 4×
// the larger of the scenario's value and the key's default. The page holds no ranges of its
// own; it only chooses which keys are levers.
'use strict';

// Which scenario keys are levers (a choice of what to show, not of their limits). `path` is the
// dotted path set in the scenario; `key` is the schema key that documents it.
const LEVERS = [
  { path: 'protocol.fixed_interop_fee', key: 'protocol.fixed_interop_fee', label: 'Fixed interop fee' },
  { path: 'protocol.gateway_settlement_fee', key: 'protocol.gateway_settlement_fee', label: 'Gateway settlement fee' },
  { path: 'protocol.fee_flow_threshold', key: 'protocol.fee_flow_threshold', label: 'Fee Flow threshold' },
  { path: 'protocol.fee_flow_revenue_share_bps', key: 'protocol.fee_flow_revenue_share_bps', label: 'Fee revenue sent to Fee Flow' },
  { path: 'protocol.burn_bps', key: 'protocol.burn_bps', label: 'Burn share' },
  { path: 'traffic.calls_per_day', key: 'traffic.calls_per_day', label: 'Traffic level' },
  { path: 'traffic.drift_per_year', key: 'traffic.drift_per_year', label: 'Traffic growth' },
  { path: 'users.always_fixed_share', key: 'users.always_fixed_share', label: 'Fixed-fee share' },
  { path: 'prices.zk.initial_usd', key: 'prices.zk.initial_usd', label: 'ZK price' },
  { path: 'prices.zk.volatility_per_year', key: 'prices.zk.volatility_per_year', label: 'ZK volatility' },
  { path: 'staking.seasons.0.cap', key: 'staking.seasons[].cap', label: 'Staking season 1 budget' },
  { path: 'staking.seasons.1.cap', key: 'staking.seasons[].cap', label: 'Staking season 2 budget' },
];
const WHATIF = { runs: 200, days: 365 };

const S = {
  presets: [], keys: new Map(), base: { preset: 'v31-baseline' }, scenario: null,
  overrides: {}, last: null, pinned: null, charts: {}, updates: 0, busy: 0, proposal: null,
};
const $ = (id) => document.getElementById(id);

// ---- numbers -----------------------------------------------------------------------------
function weiToZk(w) {
  try { const b = BigInt(w); return Number(b / 10n ** 12n) / 1e6; } catch { return NaN; }
}
function fmt(x, unit) {
  if (!isFinite(x)) return '—';
  const a = Math.abs(x);
  let s;
  if (a >= 1e9) s = (x / 1e9).toFixed(3) + 'B';
  else if (a >= 1e6) s = (x / 1e6).toFixed(2) + 'M';
  else if (a >= 1e3) s = (x / 1e3).toFixed(1) + 'k';
  else if (a >= 1 || a === 0) s = x.toFixed(a >= 100 ? 0 : 2);
  else s = x.toPrecision(3);
  return unit ? `${s} ${unit}` : s;
}
// "10 ZK" → {n: 10, unit: 'ZK'}; 5000 → {n: 5000, unit: null}.
function parseValue(v) {
  if (typeof v === 'number') return { n: v, unit: null };
  if (typeof v === 'string') {
    const m = v.trim().match(/^([0-9.eE+-]+)\s*([A-Za-z]*)$/);
    if (m) return { n: Number(m[1]), unit: m[2] || null };
  }
  return { n: NaN, unit: null };
}
function getPath(obj, path) {
  return path.split('.').reduce((o, p) => (o == null ? undefined : o[/^\d+$/.test(p) ? Number(p) : p]), obj);
}

// ---- API ---------------------------------------------------------------------------------
async function api(path, opts = {}) {
  const r = await fetch(path, opts);
  const ct = r.headers.get('content-type') || '';
  const body = ct.includes('json') ? await r.json() : await r.text();
  if (!r.ok) {
    const e = typeof body === 'object' ? body : { error: String(body) };
    const err = new Error(`${e.key ? e.key + ': ' : ''}${e.error}${e.limit ? ` (limit ${e.limit}` + (e.value !== undefined && e.value !== null ? `, value ${JSON.stringify(e.value)})` : ')') : ''}`);
    err.body = e;
    throw err;
  }
  return body;
}
const post = (path, body, method = 'POST') =>
  api(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
function message(text) { $('message').textContent = text || ''; }

// ---- controls from the schema ------------------------------------------------------------
// The documented fallback: the schema's minimum (else 0) to its maximum; without a maximum, or
// with one more than 100× the value (a price's 1e12 USD), 4× the larger of value and default.
function range(info, value) {
  const def = info && info.default !== undefined ? parseValue(info.default).n : NaN;
  const ref = Math.max(isFinite(value) ? Math.abs(value) : 0, isFinite(def) ? Math.abs(def) : 0);
  const lo = info && typeof info.minimum === 'number' ? info.minimum : 0;
  let hi = info && typeof info.maximum === 'number' ? info.maximum : Infinity;
  if (!isFinite(hi) || (ref > 0 && hi > 100 * ref)) hi = ref > 0 ? 4 * ref : Math.max(lo + 1, 1);
  if (hi <= lo) hi = lo + 1;
  const integer = info && info.kind === 'integer';
  let step = info && typeof info.step === 'number' ? info.step : (hi - lo) / 200;
  if (integer) step = Math.max(1, Math.round(step));
  return { lo, hi, step, integer, fallback: !(info && typeof info.maximum === 'number') };
}

function buildControls() {
  const box = $('controls');
  box.innerHTML = '';
  for (const lever of LEVERS) {
    const info = S.keys.get(lever.key);
    const raw = lever.path in S.overrides ? S.overrides[lever.path] : getPath(S.scenario, lever.path);
    const { n, unit: valueUnit } = parseValue(raw);
    const present = raw !== undefined && isFinite(n);
    const unit = (info && info.unit) || valueUnit || '';
    const r = range(info, n);
    const div = document.createElement('div');
    div.className = 'control' + (present ? '' : ' disabled');
    div.dataset.path = lever.path;
    const tip = info
      ? `${lever.path}: ${info.description || ''}${info.source ? `\nSource: ${info.source}` : ''}${r.fallback ? '\nRange: no maximum in the schema yet, so 0 … 4× the value (fallback rule)' : ''}`
      : `${lever.path} (not in the schema)`;
    const id = 'c-' + lever.path.replace(/[^a-z0-9]/gi, '-');
    div.innerHTML = `<div class="head"><label for="${id}"></label><span class="value"></span></div>
      <input type="range" id="${id}"><div class="range"><span></span><input type="number"><span></span></div>`;
    const label = div.querySelector('label');
    label.textContent = lever.label;
    label.title = present ? tip : `${tip}\n(not used by this scenario's models)`;
    const slider = div.querySelector('input[type=range]');
    const number = div.querySelector('input[type=number]');
    const [loSpan, hiSpan] = div.querySelectorAll('.range span');
    for (const el of [slider, number]) {
      el.min = r.lo; el.max = r.hi; el.step = r.step; el.disabled = !present;
    }
    number.max = info && typeof info.maximum === 'number' ? info.maximum : '';
    slider.value = present ? n : r.lo;
    number.value = present ? n : '';
    loSpan.textContent = fmt(r.lo, unit);
    hiSpan.textContent = fmt(r.hi, unit);
    const shown = div.querySelector('.value');
    const show = (x) => { shown.textContent = fmt(Number(x), unit); };
    show(slider.value);
    const commit = (x, started) => {
      const v = Number(x);
      S.overrides[lever.path] = valueUnit ? `${v} ${valueUnit}` : v;
      writeHash();
      runWhatIf(started);
    };
    slider.addEventListener('input', () => { show(slider.value); number.value = slider.value; });
    // `change` fires when the slider is released: one what-if run per release.
    slider.addEventListener('change', () => commit(slider.value, performance.now()));
    number.addEventListener('change', () => { slider.value = number.value; show(number.value); commit(number.value, performance.now()); });
    box.appendChild(div);
  }
}

// ---- URL sharing -------------------------------------------------------------------------
function writeHash() {
  const p = new URLSearchParams();
  if (S.base.saved) p.set('saved', S.base.saved); else p.set('preset', S.base.preset);
  for (const [k, v] of Object.entries(S.overrides)) p.set(k, String(v));
  history.replaceState(null, '', '#' + p.toString());
}
function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const base = p.get('saved') ? { saved: p.get('saved') } : { preset: p.get('preset') || S.base.preset };
  const overrides = {};
  for (const [k, v] of p) {
    if (k === 'preset' || k === 'saved') continue;
    overrides[k] = v.trim() !== '' && isFinite(Number(v)) ? Number(v) : v;
  }
  return { base, overrides };
}

// ---- charts ------------------------------------------------------------------------------
function chart(id) {
  if (!S.charts[id]) S.charts[id] = echarts.init($(id), null, { renderer: 'canvas' });
  return S.charts[id];
}
function fan(id, days, band, unit, extra = {}) {
  const spread = band.p95.map((x, i) => x - band.p5[i]);
  const series = [
    { name: 'p5', type: 'line', data: band.p5, stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, silent: true },
    { name: 'p5–p95', type: 'line', data: spread, stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, areaStyle: { color: '#4e5bf2', opacity: 0.22 }, silent: true },
    { name: 'median', type: 'line', data: band.p50, symbol: 'none', lineStyle: { width: 2, color: '#4e5bf2' }, markLine: extra.markLine },
  ];
  if (extra.pinned) series.push({ name: 'A (pinned) median', type: 'line', data: extra.pinned, symbol: 'none', lineStyle: { type: 'dashed', color: '#e0602b' } });
  chart(id).setOption({
    animation: false,
    grid: { left: 70, right: 20, top: 20, bottom: 30 },
    tooltip: {
      trigger: 'axis',
      formatter: (ps) => {
        const i = ps[0].dataIndex;
        let s = `day ${days[i]}<br>median ${fmt(band.p50[i], unit)}<br>p5–p95 ${fmt(band.p5[i], unit)} – ${fmt(band.p95[i], unit)}`;
        if (extra.pinned) s += `<br>A median ${fmt(extra.pinned[i], unit)}`;
        return s;
      },
    },
    xAxis: { type: 'category', data: days.map((d) => d + 1), name: 'day', nameLocation: 'end' },
    yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v) => fmt(v) } },
    series,
  }, true);
}
function sankey(f, label) {
  $('flow-run').textContent = label;
  const links = [
    ['fixed fees', 'operators', f.fixed_fees],
    ['settlement fees', 'settlement-fee vault', f.settlement_fees],
    ['settlement-fee vault', 'Splitter', f.settlement_fees],
    ['Fee Flow bids', 'Splitter', f.auction_paid],
    ['Splitter', 'burned', Math.min(f.burned, f.settlement_fees + f.auction_paid)],
    ['Splitter', 'stakers', f.distributed],
    ['staking seasons (minted)', 'stakers', f.minted],
  ];
  const held = f.settlement_fees + f.auction_paid - f.burned - f.distributed;
  if (held > 1e-6) links.push(['Splitter', 'held by the Splitter', held]);
  const used = links.filter((l) => l[2] > 0);
  const names = [...new Set(used.flatMap((l) => [l[0], l[1]]))];
  chart('chart-sankey').setOption({
    animation: false,
    tooltip: { formatter: (p) => (p.dataType === 'edge' ? `${p.data.source} → ${p.data.target}: ${fmt(p.data.value, 'ZK')}` : p.name) },
    series: [{
      type: 'sankey', left: 10, right: 130, top: 10, bottom: 10, nodeGap: 14, emphasis: { focus: 'adjacency' },
      data: names.map((name) => ({ name })),
      links: used.map(([source, target, value]) => ({ source, target, value })),
      label: { formatter: (p) => p.name },
    }],
  }, true);
}

// ---- results -----------------------------------------------------------------------------
const STATS = [
  ['burned_wei', 'ZK burned'],
  ['supply_end_wei', 'supply at the end'],
  ['minted_wei', 'minted (seasons)'],
  ['staking_rewards_wei', 'staking rewards'],
  ['fixed_fees_wei', 'fixed fees'],
  ['settlement_fees_wei', 'settlement fees'],
  ['auction_paid_wei', 'Fee Flow bids'],
];
function stats(summary) {
  const box = $('stats');
  box.innerHTML = '';
  const add = (id, k, v) => {
    const d = document.createElement('div');
    d.className = 'stat';
    d.innerHTML = '<div class="k"></div><div class="v"></div>';
    d.querySelector('.k').textContent = k;
    d.querySelector('.v').textContent = v;
    d.querySelector('.v').id = 'stat-' + id;
    box.appendChild(d);
  };
  for (const [k, label] of STATS) add(k, label + ' (median)', fmt(weiToZk(summary.zk[k]), 'ZK'));
  add('claims', 'Fee Flow claims (median)', String(summary.auction.claims));
  add('calls', 'interop calls (median)', fmt(summary.calls_total));
}
function seedTable(summary) {
  const body = $('seed-table').querySelector('tbody');
  body.innerHTML = '';
  const perDay = weiToZk(summary.zk.burned_wei) / summary.days;
  let near = null;
  for (const p of S.presets.filter((p) => p.seed_row)) {
    const d = Math.abs(Math.log((perDay || 1e-9) / p.seed_row[1]));
    if (!near || d < near.d) near = { d, p };
  }
  for (const p of S.presets.filter((p) => p.seed_row)) {
    const tr = document.createElement('tr');
    if (near && near.p === p) tr.className = 'near';
    tr.innerHTML = '<td></td><td class="n"></td><td class="n"></td><td class="n"></td>';
    const td = tr.querySelectorAll('td');
    td[0].textContent = p.name.replace('seed-', '');
    td[1].textContent = p.seed_row[0].toLocaleString('en');
    td[2].textContent = p.seed_row[1].toLocaleString('en');
    td[3].textContent = p.seed_row[2].toLocaleString('en');
    body.appendChild(tr);
  }
  return near ? near.p : null;
}
function timeline(entries) {
  const ol = $('timeline');
  ol.innerHTML = '';
  if (!entries.length) { ol.innerHTML = '<li>No scheduled changes.</li>'; return; }
  for (const e of entries) {
    const li = document.createElement('li');
    li.textContent = `day ${e.day}: ${e.what} (${e.via}${e.proposed_day !== e.day ? `, proposed day ${e.proposed_day}` : ''})`;
    ol.appendChild(li);
  }
}
function render(w, label) {
  S.last = w;
  const near = seedTable(w.summary);
  const changeLines = { symbol: 'none', silent: true, lineStyle: { color: '#999' }, label: { formatter: (p) => p.name, fontSize: 10 },
    data: w.timeline.filter((e) => e.day < w.days.length).map((e) => ({ xAxis: String(e.day + 1), name: e.via })) };
  const seedLine = near ? { symbol: 'none', silent: true, lineStyle: { type: 'dashed', color: '#2b9e5a' },
    label: { formatter: `seed ${near.name.replace('seed-', '')}`, position: 'insideEndTop' }, data: [{ yAxis: near.seed_row[1] }] } : undefined;
  const pinned = S.pinned && S.pinned.w.days.length === w.days.length ? S.pinned.w : null;
  fan('chart-supply', w.days, w.supply, 'ZK', { pinned: pinned && pinned.supply.p50, markLine: changeLines });
  fan('chart-daily', w.days, w.daily_burn, 'ZK', { pinned: pinned && pinned.daily_burn.p50, markLine: seedLine });
  fan('chart-cumulative', w.days, w.cumulative_burn, 'ZK', { pinned: pinned && pinned.cumulative_burn.p50, markLine: changeLines });
  sankey(w.flows, label || `run ${w.flows.run}, the median run by ZK burned`);
  stats(w.summary);
  timeline(w.timeline);
  compareTable();
  S.updates += 1;
  document.body.dataset.updates = String(S.updates);
}

function request() {
  return { ...S.base, set: S.overrides, runs: WHATIF.runs, days: WHATIF.days };
}
async function runWhatIf(started = performance.now()) {
  const seq = ++S.busy;
  message('');
  try {
    const w = await post('/api/whatif', request());
    if (seq !== S.busy) return; // a newer release superseded this one
    render(w);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const ms = performance.now() - started;
    document.body.dataset.latency = ms.toFixed(1);
    document.body.dataset.simulation = w.elapsed_ms.toFixed(1);
    $('latency').textContent = `· updated in ${ms.toFixed(0)} ms (simulation ${w.elapsed_ms.toFixed(0)} ms)`;
    $('viewing').textContent = `What-if: ${S.base.saved ? 'saved ' + S.base.saved : S.base.preset}${Object.keys(S.overrides).length ? ' with ' + Object.keys(S.overrides).length + ' change(s)' : ''}`;
  } catch (e) {
    message(e.message);
  }
}

// ---- proposals -----------------------------------------------------------------------------
// A row of cells as text (never HTML: values come from the scenario and the server).
function row(table, cells, head = false) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement(head ? 'th' : 'td');
    td.textContent = c;
    tr.append(td);
  }
  table.append(tr);
}
function signedZk(w) {
  const n = BigInt(w);
  const abs = n < 0n ? -n : n;
  return (n < 0n ? '−' : n > 0n ? '+' : '') + fmt(weiToZk(abs.toString()), 'ZK');
}
function renderProposal(p) {
  const paths = $('proposal-paths');
  paths.innerHTML = '';
  row(paths, ['change', 'from → to', 'governance path'], true);
  for (const c of p.changes) {
    const path = c.path.on_chain
      ? `${c.path.type} (${c.path.governor}) · ${c.path.contract}.${c.path.function} on ${c.path.chain} ${c.path.address}${c.path.calldata ? '' : ' — no calldata: ' + c.path.no_calldata_reason}`
      : c.path.kind;
    row(paths, [c.key, `${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`, path]);
  }
  const govs = $('proposal-governors');
  govs.innerHTML = '';
  if (!p.proposals.length) {
    const li = document.createElement('li');
    li.textContent = 'No calldata: none of these changes is a contract parameter a proposal can set.';
    govs.append(li);
  }
  for (const g of p.proposals) {
    const li = document.createElement('li');
    const last = g.timeline[g.timeline.length - 1];
    li.textContent = `${g.title} — ${g.targets.length} call(s) to the ${g.governor}; earliest effect ${last.utc}`;
    govs.append(li);
  }
  const imp = $('proposal-impact');
  imp.innerHTML = '';
  row(imp, ['elasticity', 'ZK burned: difference (p5 – p95)', 'calls: difference (p5 – p95)'], true);
  for (const i of p.impact) {
    const get = (name) => i.rows.find((r) => r.figure === name).difference;
    const b = get('ZK burned'), c = get('interop calls');
    row(imp, [`${i.elasticity}${i.scenario_own ? ' (scenario)' : ''}`,
      `${signedZk(b.p50)} (${signedZk(b.p5)} – ${signedZk(b.p95)})`,
      `${c.p50} (${c.p5} – ${c.p95})`]);
  }
}
async function draftProposal() {
  message('');
  if (!Object.keys(S.overrides).length) { message('Move a lever first: a proposal needs a change.'); return; }
  $('draft').disabled = true;
  try {
    const body = { ...request() };
    const date = $('proposal-date').value;
    if (date) body.date = date;
    const d = $('proposal-distributor').value.trim();
    if (d) body.distributor = d;
    S.proposal = await post('/api/proposals', body);
    renderProposal(S.proposal.proposal);
    $('dl-md').disabled = false;
    $('dl-json').disabled = false;
    document.body.dataset.proposals = String(Number(document.body.dataset.proposals || 0) + 1);
  } catch (e) {
    message(e.message);
  } finally {
    $('draft').disabled = false;
  }
}

// ---- compare -----------------------------------------------------------------------------
function compareTable() {
  const t = $('compare');
  t.innerHTML = '';
  if (!S.pinned || !S.last) return;
  const a = S.pinned.w.summary.zk, b = S.last.summary.zk;
  t.innerHTML = '<tr><th>median</th><th class="n">A</th><th class="n">B (current)</th><th class="n">B − A</th></tr>';
  for (const [k, label] of STATS) {
    const x = weiToZk(a[k]), y = weiToZk(b[k]);
    const tr = document.createElement('tr');
    tr.innerHTML = '<td></td><td class="n"></td><td class="n"></td><td class="n"></td>';
    const td = tr.querySelectorAll('td');
    td[0].textContent = label; td[1].textContent = fmt(x, 'ZK'); td[2].textContent = fmt(y, 'ZK'); td[3].textContent = fmt(y - x, 'ZK');
    t.appendChild(tr);
  }
  const cap = document.createElement('caption');
  cap.textContent = `A: ${S.pinned.label}`;
  t.prepend(cap);
}

// ---- stored runs -------------------------------------------------------------------------
async function refreshRuns() {
  const runs = await api('/api/runs');
  const body = $('runs').querySelector('tbody');
  body.innerHTML = '';
  for (const r of runs) {
    const tr = document.createElement('tr');
    tr.dataset.id = r.id;
    tr.innerHTML = `<td><input type="checkbox"></td><td class="n"></td><td></td><td></td><td class="n"></td><td></td>`;
    const td = tr.querySelectorAll('td');
    td[1].textContent = r.id; td[2].textContent = r.name; td[3].textContent = r.status;
    td[4].textContent = `${r.runs}×${r.days}`;
    if (r.status === 'done') {
      const open = document.createElement('button');
      open.textContent = 'Open'; open.className = 'open-run';
      open.addEventListener('click', () => openRun(r).catch((e) => message(e.message)));
      const rep = document.createElement('a');
      rep.href = `/api/runs/${r.id}/report`; rep.textContent = ' report'; rep.target = '_blank';
      td[5].append(open, rep);
    }
    body.appendChild(tr);
  }
}
// bands.csv of a stored run. Supply is drawn from `supply_reduction_zk` (genesis − supply, which
// the CLI sketches at a resolution fine enough for a year's change) when the file has it.
function parseBands(csv, genesis) {
  const want = { supply_zk: 'supply', supply_reduction_zk: 'reduction', daily_burn_zk: 'daily_burn', cumulative_burn_zk: 'cumulative_burn' };
  const band = () => ({ p5: [], p50: [], p95: [] });
  const out = { days: [], supply: band(), reduction: band(), daily_burn: band(), cumulative_burn: band() };
  for (const line of csv.trim().split('\n').slice(1)) {
    const [day, metric, p5, p50, p95] = line.split(',');
    const k = want[metric];
    if (!k) continue;
    if (k === 'cumulative_burn') out.days.push(Number(day));
    out[k].p5.push(Number(p5)); out[k].p50.push(Number(p50)); out[k].p95.push(Number(p95));
  }
  if (out.reduction.p50.length === out.days.length && isFinite(genesis)) {
    // Supply's p5 is genesis minus the reduction's p95, and so on.
    out.supply = { p5: out.reduction.p95.map((x) => genesis - x), p50: out.reduction.p50.map((x) => genesis - x), p95: out.reduction.p5.map((x) => genesis - x) };
  }
  delete out.reduction;
  return out;
}
async function openRun(r) {
  const [bands, summary] = await Promise.all([api(`/api/runs/${r.id}/bands`), api(`/api/runs/${r.id}/summary`)]);
  const b = parseBands(bands, weiToZk(summary.zk.supply_start_wei));
  const z = (k) => weiToZk(summary.zk[k]);
  const w = {
    ...b, summary, timeline: [], toml: await api(`/api/runs/${r.id}/scenario`), elapsed_ms: 0,
    flows: { run: -1, fixed_fees: z('fixed_fees_wei'), settlement_fees: z('settlement_fees_wei'), auction_paid: z('auction_paid_wei'),
      burned: z('burned_wei'), distributed: z('distributed_wei'), minted: z('minted_wei'), staking_rewards: z('staking_rewards_wei') },
  };
  render(w, 'stored run: the median of each figure');
  $('viewing').textContent = `Stored run ${r.id}: ${r.name}, ${r.runs} runs × ${r.days} days, ${r.fidelity}, seed ${r.seed}`;
  document.body.dataset.openRun = String(r.id);
}
async function compareRuns() {
  const ids = [...$('runs').querySelectorAll('tbody tr')].filter((tr) => tr.querySelector('input').checked).map((tr) => tr.dataset.id);
  if (ids.length !== 2) { message('check exactly two stored runs to compare'); return; }
  const c = await api(`/api/compare?a=${ids[0]}&b=${ids[1]}`);
  const t = $('runs-compare');
  t.innerHTML = `<tr><th>median</th><th class="n">run ${c.a.id}</th><th class="n">run ${c.b.id}</th></tr>`;
  for (const [k, label] of STATS) {
    const tr = document.createElement('tr');
    tr.innerHTML = '<td></td><td class="n"></td><td class="n"></td>';
    const td = tr.querySelectorAll('td');
    td[0].textContent = label; td[1].textContent = fmt(weiToZk(c.a_summary.zk[k]), 'ZK'); td[2].textContent = fmt(weiToZk(c.b_summary.zk[k]), 'ZK');
    t.appendChild(tr);
  }
}

// ---- downloads, saving, full runs ----------------------------------------------------------
function download(name, text, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
function bandsCsv(w) {
  let s = 'day,metric,p5,p50,p95\n';
  for (const [k, m] of [['supply', 'supply_zk'], ['daily_burn', 'daily_burn_zk'], ['cumulative_burn', 'cumulative_burn_zk']]) {
    w.days.forEach((d, i) => { s += `${d},${m},${w[k].p5[i]},${w[k].p50[i]},${w[k].p95[i]}\n`; });
  }
  return s;
}
async function saveScenario() {
  const name = $('save-name').value.trim();
  try {
    await post(`/api/scenarios/${encodeURIComponent(name)}`, { ...S.base, set: S.overrides }, 'PUT');
    message('');
    await refreshSaved();
    $('saved').value = name;
    $('message').textContent = `saved as ${name}`;
  } catch (e) { message(e.message); }
}
async function runFull() {
  try {
    const { id } = await post('/api/runs', { input: { ...S.base, set: S.overrides } });
    $('progress').hidden = false;
    const es = new EventSource(`/api/runs/${id}/events`);
    let started = null;
    es.addEventListener('message', (ev) => {
      const p = JSON.parse(ev.data);
      // The bar counts path-days (every day of every path), so a single long path moves too.
      $('progress-bar').max = p.days_total || 1;
      $('progress-bar').value = p.days_done;
      if (p.status === 'running' && started === null) started = { t: performance.now(), d: p.days_done };
      let eta = '';
      if (p.status === 'running' && started && p.days_done > started.d) {
        const rate = (p.days_done - started.d) / (performance.now() - started.t);
        eta = `, about ${Math.ceil((p.days_total - p.days_done) / rate / 1000)} s left`;
      }
      $('progress-text').textContent =
        `run ${id}: ${p.status}, ${p.runs_done}/${p.runs_total} paths, ` +
        `${p.days_done}/${p.days_total} path-days${eta}`;
      if (p.status !== 'queued' && p.status !== 'running') {
        es.close();
        refreshRuns();
        if (p.status === 'done') $('progress-text').innerHTML += ` — <a href="/api/runs/${id}/report" target="_blank">report</a>`;
      }
    });
    es.onerror = () => es.close();
  } catch (e) { message(e.message); }
}
async function refreshSaved() {
  const list = await api('/api/scenarios');
  const sel = $('saved');
  sel.innerHTML = '<option value="">—</option>';
  for (const s of list) { const o = document.createElement('option'); o.value = o.textContent = s.name; sel.appendChild(o); }
}

// ---- loading a base scenario ---------------------------------------------------------------
async function loadBase(base, overrides = {}) {
  S.base = base;
  S.overrides = overrides;
  if (base.saved) {
    // A saved scenario is stored as its resolved TOML.
    S.scenario = tomlValues(await api(`/api/scenarios/${encodeURIComponent(base.saved)}`));
  } else {
    S.scenario = await api(`/api/presets/${encodeURIComponent(base.preset)}`);
  }
  $('preset').value = base.preset || '';
  $('saved').value = base.saved || '';
  buildControls();
  writeHash();
  await runWhatIf();
}
// The few values the levers read from resolved TOML (`key = value` under `[table]` headers).
function tomlValues(text) {
  const out = {};
  let table = [];
  const counts = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m;
    if ((m = line.match(/^\[\[(.+)\]\]$/))) {
      const k = m[1].trim();
      counts[k] = (counts[k] ?? -1) + 1;
      table = [...k.split('.'), String(counts[k])];
    } else if ((m = line.match(/^\[(.+)\]$/))) {
      table = m[1].trim().split('.');
    } else if ((m = line.match(/^([A-Za-z0-9_]+)\s*=\s*(.+)$/))) {
      let node = out;
      for (const t of table) node = node[t] ??= {};
      const v = m[2].trim();
      node[m[1]] = v.startsWith('"') ? v.slice(1, -1) : Number(v);
    }
  }
  return out;
}

async function main() {
  const [presets, keys] = await Promise.all([api('/api/presets'), api('/api/schema/keys')]);
  S.presets = presets;
  for (const k of keys) S.keys.set(k.key, k);
  for (const p of presets) {
    const o = document.createElement('option');
    o.value = p.name; o.textContent = p.name; o.title = p.description;
    $('preset').appendChild(o);
  }
  await refreshSaved();
  await refreshRuns();
  $('preset').addEventListener('change', () => loadBase({ preset: $('preset').value }).catch((e) => message(e.message)));
  $('saved').addEventListener('change', () => {
    const v = $('saved').value;
    loadBase(v ? { saved: v } : { preset: $('preset').value || 'v31-baseline' }).catch((e) => message(e.message));
  });
  $('reset').addEventListener('click', () => loadBase(S.base).catch((e) => message(e.message)));
  $('save').addEventListener('click', saveScenario);
  $('copy-link').addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(location.href); message('link copied'); } catch { message(location.href); }
  });
  $('dl-toml').addEventListener('click', () => S.last && download(`${S.base.saved || S.base.preset}.toml`, S.last.toml, 'application/toml'));
  $('dl-csv').addEventListener('click', () => S.last && download('bands.csv', bandsCsv(S.last), 'text/csv'));
  $('run-full').addEventListener('click', runFull);
  $('draft').addEventListener('click', draftProposal);
  $('dl-md').addEventListener('click', () => S.proposal && download('proposal.md', S.proposal.markdown, 'text/markdown'));
  $('dl-json').addEventListener('click', () => S.proposal && download('proposal.json', JSON.stringify(S.proposal.proposal, null, 2) + '\n', 'application/json'));
  $('pin').addEventListener('click', () => {
    if (!S.last) return;
    const changes = Object.entries(S.overrides).map(([k, v]) => `${k} = ${v}`).join(', ');
    S.pinned = { w: S.last, label: `${S.base.saved || S.base.preset}${changes ? ' with ' + changes : ''}` };
    render(S.last);
  });
  $('unpin').addEventListener('click', () => { S.pinned = null; if (S.last) render(S.last); });
  $('refresh-runs').addEventListener('click', () => refreshRuns().catch((e) => message(e.message)));
  $('compare-runs').addEventListener('click', () => compareRuns().catch((e) => message(e.message)));
  window.addEventListener('resize', () => Object.values(S.charts).forEach((c) => c.resize()));
  const { base, overrides } = readHash();
  await loadBase(base, overrides);
  document.body.dataset.ready = '1';
}
main().catch((e) => message(e.message));
