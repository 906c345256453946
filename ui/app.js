// vigil's built-in UI: hash-routed views over the daemon's JSON API and its
// /metrics endpoint. Overview charts are built in the browser from /metrics
// scraped every 2 s (counter deltas become rates), so they move on their own.
const $ = (sel, root = document) => root.querySelector(sel);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const fmt = (v, d = 3) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toPrecision(d));

let token = localStorage.getItem('vigil-token') || '';
async function api(path) {
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (res.status === 401) {
    token = prompt('This daemon needs a bearer token') || '';
    localStorage.setItem('vigil-token', token);
    return api(path);
  }
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

// ---- /metrics scraping ---------------------------------------------------------
function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/);
    if (!m) continue;
    const labels = {};
    if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: parseFloat(m[4]) });
  }
  return samples;
}
const sum = (samples, name, pred = () => true) =>
  samples.filter((s) => s.name === name && pred(s.labels)).reduce((a, s) => a + s.value, 0);

function quantileFromBuckets(buckets, q) {  // buckets: [[le, count]] cumulative, sorted
  const total = buckets.length ? buckets[buckets.length - 1][1] : 0;
  if (!total) return NaN;
  const rank = q * total;
  let prevLe = 0, prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevCount) / Math.max(count - prevCount, 1e-9));
    }
    prevLe = le; prevCount = count;
  }
  return prevLe;
}

const history = { t: [], rate: [], errors: [], p50: [], p95: [], p99: [], accuracy: [], cpu: [], rss: [] };
window.vigilHistory = history;  // for tests, like window.vigilMetrics
let last = null;
const MAX_POINTS = 7000;  // 24 h of the daemon's 15 s history, then live points
const RANGES = ['15m', '1h', '6h', '24h'];
let range = localStorage.getItem('vigil-range') || '1h';
let sloHistory = { t: [], series: {} };  // the daemon's slo:* series, for the SLO view

// The daemon keeps what the overview draws (GET /api/v1/history): a page
// opened during an incident starts with what led up to it, then appends
// its own live points.
async function loadHistory() {
  const h = await api(`/api/v1/history?range=${range}`);
  for (const k of Object.keys(history)) history[k] = k === 't' ? [...h.t] : (h.series[k] || h.t.map(() => null)).slice();
  sloHistory = { t: h.t, series: Object.fromEntries(Object.entries(h.series).filter(([k]) => k.startsWith('slo:'))) };
  window.vigilSloHistory = sloHistory;  // for tests, like window.vigilMetrics
  for (const k of Object.keys(charts)) delete charts[k];
}

// The standard families the overview reads, first present wins: vigil's
// service conventions (vigil::ServiceMetrics), OpenTelemetry's HTTP server
// metrics, and the model monitor's own families.
const SOURCES = [
  { requests: 'inference_requests_total', isError: (l) => l.status === 'error', latency: 'inference_latency_seconds' },
  { requests: 'http_server_request_duration_seconds_count', isError: (l) => Number(l.http_response_status_code) >= 500,
    latency: 'http_server_request_duration_seconds' },
  { requests: 'vigil_model_predictions_total', errors: 'vigil_model_errors_total', latency: 'vigil_model_prediction_latency_seconds' },
];

function serviceFigures(s) {
  const src = SOURCES.find((x) => s.some((m) => m.name === x.requests)) || SOURCES[SOURCES.length - 1];
  const errors = src.errors ? sum(s, src.errors) : sum(s, src.requests, src.isError);
  const requests = sum(s, src.requests) + (src.errors ? errors : 0);
  const bucketMap = new Map();
  for (const x of s) if (x.name === `${src.latency}_bucket`) {
    const le = x.labels.le === '+Inf' ? Infinity : parseFloat(x.labels.le);
    bucketMap.set(le, (bucketMap.get(le) || 0) + x.value);
  }
  return { requests, errors, buckets: [...bucketMap.entries()].sort((a, b) => a[0] - b[0]) };
}

async function scrape() {
  try {
    const text = await (await fetch('/metrics')).text();
    const s = parseMetrics(text);
    const now = Date.now() / 1000;
    const { requests, errors, buckets } = serviceFigures(s);
    const cur = { now, requests, errors, buckets, cpu: sum(s, 'process_cpu_seconds_total') };
    if (last) {
      const dt = now - last.now;
      const dReq = requests - last.requests;
      const delta = buckets.map(([le, c], i) => [le, c - ((last.buckets[i] || [le, 0])[1])]);
      history.t.push(now);
      history.rate.push(dReq / dt);
      history.errors.push(dReq > 0 ? (100 * (errors - last.errors)) / dReq : 0);
      for (const [k, q] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]]) history[k].push(1000 * quantileFromBuckets(delta, q));
      const acc = s.find((x) => x.name === 'vigil_model_quality' && x.labels.metric === 'accuracy');
      history.accuracy.push(acc ? 100 * acc.value : null);
      history.cpu.push((100 * (cur.cpu - last.cpu)) / dt);
      history.rss.push(sum(s, 'process_resident_memory_bytes') / 1048576);
      for (const k of Object.keys(history)) if (history[k].length > MAX_POINTS) history[k].shift();
    }
    last = cur;
    window.vigilMetrics = s;
    $('#status').textContent = `updated ${new Date().toLocaleTimeString()}`;
    if (current === 'overview') drawOverview();
    if (current === 'slo') drawSlo();
  } catch (e) {
    $('#status').textContent = `metrics: ${e.message}`;
  }
}

// ---- charts ----------------------------------------------------------------------
const charts = {};
function lineChart(id, title, series, unit) {
  const el = $(`#${id}`);
  if (!el) return;
  const data = [history.t, ...series.map((s) => history[s.key])];
  if (!charts[id] || charts[id].root.parentNode !== el) {
    el.innerHTML = '';
    charts[id] = new uPlot({
      width: el.clientWidth || 420, height: 180,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, value: (u, v) => (v == null ? '–' : `${v.toFixed(2)} ${unit}`) }))],
      axes: [{}, { values: (u, vals) => vals.map((v) => `${v}`) }],
      scales: { x: { time: true } },
    }, data, el);
  } else {
    charts[id].setData(data);
  }
}

function drawOverview() {
  const n = history.t.length;
  const lastOf = (k) => (n ? history[k][n - 1] : NaN);
  $('#stat-rate').textContent = `${fmt(lastOf('rate'))} /s`;
  $('#stat-errors').textContent = `${fmt(lastOf('errors'), 2)} %`;
  $('#stat-p99').textContent = `${fmt(lastOf('p99'))} ms`;
  $('#stat-acc').textContent = lastOf('accuracy') == null ? '–' : `${fmt(lastOf('accuracy'))} %`;
  lineChart('chart-rate', 'Request rate', [{ key: 'rate', label: 'req/s', color: '#2f6fdb' }], 'req/s');
  lineChart('chart-errors', 'Errors', [{ key: 'errors', label: 'errors %', color: '#c0392b' }], '%');
  lineChart('chart-latency', 'Latency', [
    { key: 'p50', label: 'p50', color: '#7aa6f0' }, { key: 'p95', label: 'p95', color: '#2f6fdb' }, { key: 'p99', label: 'p99', color: '#c0392b' }], 'ms');
  lineChart('chart-accuracy', 'Accuracy', [{ key: 'accuracy', label: 'accuracy %', color: '#1d7a3c' }], '%');
  lineChart('chart-cpu', 'CPU', [{ key: 'cpu', label: 'CPU %', color: '#8e44ad' }], '%');
  lineChart('chart-memory', 'Memory', [{ key: 'rss', label: 'RSS MiB', color: '#d35400' }], 'MiB');
}

// ---- views -----------------------------------------------------------------------
const views = {
  async overview() {
    await loadHistory().catch((e) => { $('#status').textContent = `history: ${e.message}`; });
    const buttons = RANGES.map((r) => `<button class="range ${r === range ? 'active' : ''}" data-range="${r}">${r}</button>`).join('');
    return `<div class="ranges" id="ranges">${buttons}</div><div class="grid">
      <div class="card"><h3>Request rate</h3><div class="stat" id="stat-rate">–</div><div id="chart-rate"></div></div>
      <div class="card"><h3>Error rate</h3><div class="stat" id="stat-errors">–</div><div id="chart-errors"></div></div>
      <div class="card"><h3>Latency P50 / P95 / P99</h3><div class="stat" id="stat-p99">–</div><div id="chart-latency"></div></div>
      <div class="card"><h3>Model accuracy</h3><div class="stat" id="stat-acc">–</div><div id="chart-accuracy"></div></div>
      <div class="card"><h3>CPU</h3><div id="chart-cpu"></div></div>
      <div class="card"><h3>Memory</h3><div id="chart-memory"></div></div>
    </div>`;
  },
  async drift() {
    const { models } = await api('/api/v1/models');
    if (!models.length) return '<p class="muted">No model has sent predictions yet.</p>';
    const model = decodeURIComponent(location.hash.split('/')[2] || models[0].model);
    const { evaluations } = await api(`/api/v1/models/${encodeURIComponent(model)}/drift`);
    const pick = models.map((m) => `<a href="#/drift/${encodeURIComponent(m.model)}">${esc(m.model)}</a>`).join(' · ');
    if (!evaluations.length) return `<p>${pick}</p><p class="muted">No evaluation window has closed yet for ${esc(model)}.</p>`;
    const latest = evaluations[evaluations.length - 1].report;
    const rows = latest.features.map((f) => `<tr><td>${esc(f.name)} <span class="muted">${esc(f.role)}</span></td><td>${esc(f.method)}</td>
      <td class="num">${fmt(f.score)}</td><td class="num">${fmt(f.threshold)}</td><td><span class="pill ${f.drifted ? 'bad' : 'ok'}">${f.drifted ? 'drifted' : 'stable'}</span></td>
      <td>${distribution(f)}</td></tr>`).join('');
    setTimeout(() => driftChart(evaluations), 0);
    return `<p>Model: ${pick}</p>
      <div class="card"><h3>Drift score per feature over time (${evaluations.length} windows)</h3><div id="chart-drift"></div></div>
      <h3>Latest window: ${latest.dataset_drift.detected ? '<span class="pill bad">dataset drift</span>' : '<span class="pill ok">no dataset drift</span>'}
        ${latest.dataset_drift.drifted_features} of ${latest.dataset_drift.checked_features} features</h3>
      <table id="drift-table"><tr><th>feature</th><th>test</th><th>score</th><th>threshold</th><th></th><th>reference (grey) vs current</th></tr>${rows}</table>`;
  },
  async traces() {
    const params = new URLSearchParams(location.hash.split('?')[1] || '');
    const form = `<form class="query" data-view="traces">
      <input name="service" placeholder="service" value="${esc(params.get('service') || '')}">
      <input name="operation" placeholder="operation" value="${esc(params.get('operation') || '')}">
      <input name="min_duration" placeholder="min duration (e.g. 50ms)" value="${esc(params.get('min_duration') || '')}">
      <button>Search</button></form>`;
    const q = new URLSearchParams([...params].filter(([, v]) => v));
    q.set('limit', '50');
    const { traces } = await api(`/api/v1/traces?${q}`);
    const opsQuery = new URLSearchParams({ window: '15m' });
    if (params.get('service')) opsQuery.set('service', params.get('service'));
    const { operations, slowest } = await api(`/api/v1/operations?${opsQuery}`);
    const ops = operations.slice(0, 8).map((o) => `<tr><td>${esc(o.service)}</td><td>${esc(o.name)}</td><td class="num">${o.count}</td>
      <td class="num">${fmt(o.p50_ms)}</td><td class="num">${fmt(o.p95_ms)}</td><td class="num">${fmt(o.p99_ms)}</td><td class="num">${fmt(100 * o.share_of_trace)}%</td></tr>`).join('');
    const rows = traces.map((t) => `<tr><td><a class="trace-link" href="#/trace/${encodeURIComponent(t.trace_id)}">${t.trace_id.slice(0, 16)}…</a></td>
      <td>${esc(t.root_service)}</td><td>${esc(t.root_name)}</td><td class="num">${fmt(t.duration_ms)} ms</td><td class="num">${t.spans}</td>
      <td>${t.errors ? `<span class="pill bad">${t.errors} errors</span>` : ''}</td><td>${new Date(t.start_ns / 1e6).toLocaleTimeString()}</td></tr>`).join('');
    return `${form}<div class="card"><h3>Slowest stages (last 15 min): ${esc(slowest || '–')}</h3>
      <table><tr><th>service</th><th>operation</th><th>count</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>share of trace</th></tr>${ops}</table></div>
      <h3>Traces</h3><table id="trace-table"><tr><th>trace</th><th>service</th><th>root</th><th>duration</th><th>spans</th><th></th><th>start</th></tr>${rows}</table>`;
  },
  async trace() {
    const id = decodeURIComponent(location.hash.split('/')[2] || '');
    const { spans } = await api(`/api/v1/traces/${encodeURIComponent(id)}`);
    const t0 = Math.min(...spans.map((s) => s.start_ns)), t1 = Math.max(...spans.map((s) => s.end_ns));
    const total = Math.max(t1 - t0, 1);
    const rows = spans.map((s) => `<div class="row span-row">
      <div style="padding-left:${s.depth * 16}px">${esc(s.name)} <span class="muted">${esc(s.service)}</span></div>
      <div class="bar-track"><div class="bar ${s.status_code === 2 ? 'error' : ''}" style="left:${(100 * (s.start_ns - t0)) / total}%;width:${(100 * (s.end_ns - s.start_ns)) / total}%"
        title="${esc(JSON.stringify(s.attributes))}"></div></div>
      <div class="num">${fmt(s.duration_ms)} ms</div></div>
      ${s.status_code === 2 ? `<div class="error-text" style="padding-left:${s.depth * 16 + 8}px">${esc(s.status_message)}</div>` : ''}`).join('');
    return `<h3>Trace ${esc(id)} · ${spans.length} spans · ${fmt(total / 1e6)} ms</h3><div class="card waterfall">${rows}</div>
      <p><a href="#/logs?query=${encodeURIComponent(`{trace_id="${id}"}`)}">Logs of this trace</a></p>`;
  },
  async logs() {
    const params = new URLSearchParams(location.hash.split('?')[1] || '');
    const query = params.get('query') || '{level="error"}';
    const cursor = params.get('cursor') || '';
    const logQuery = new URLSearchParams({ query, limit: '100' });
    if (cursor) logQuery.set('cursor', cursor);
    const page = await api(`/api/v1/logs?${logQuery}`);
    const rows = page.logs.map((l) => `<tr><td>${new Date(l.time_ns / 1e6).toLocaleTimeString()}</td>
      <td><span class="pill ${l.level === 'error' || l.level === 'fatal' ? 'bad' : 'ok'}">${esc(l.level)}</span></td>
      <td>${esc(l.service)}</td><td>${esc(l.body)}${logFields(l.attributes)}</td>
      <td>${l.trace_id ? `<a class="trace-id" href="#/trace/${encodeURIComponent(l.trace_id)}" title="${esc(l.trace_id)}">${esc(l.trace_id.slice(0, 8))}…</a>` : ''}</td></tr>`).join('');
    const next = page.next_cursor ? `<a id="next-page" href="#/logs?${new URLSearchParams({ query, cursor: page.next_cursor })}">next page →</a>` : '';
    return `<form class="query" data-view="logs">
      <input class="wide" name="query" value="${esc(query)}"><button>Query</button></form>
      <p class="muted">Syntax: {service="x", level="error"} |= "text" != "other" |~ "regex" | attribute="value" | number &gt; 10</p>
      <table id="log-table"><tr><th>time</th><th>level</th><th>service</th><th>message</th><th></th></tr>${rows}</table>${next}`;
  },
  async slo() {
    await loadHistory().catch(() => {});
    setTimeout(drawSlo, 0);
    return '<div id="slo-view"><p class="muted">Waiting for vigil_slo_* metrics…</p></div>';
  },
  async alerts() {
    const { alerts } = await api('/api/v1/alerts');
    const rows = alerts.map((a) => `<tr><td>${esc(a.name)}</td><td>${esc(a.kind)}</td><td>${esc(a.severity)}</td>
      <td><span class="pill ${esc(a.state)}">${esc(a.state)}</span></td><td class="num">${fmt(a.value)}</td>
      <td>${esc(a.summary || a.query || '')} ${a.labels && Object.keys(a.labels).length ? `<span class="muted">${esc(JSON.stringify(a.labels))}</span>` : ''}</td></tr>`).join('');
    return `<table id="alert-table"><tr><th>alert</th><th>kind</th><th>severity</th><th>state</th><th>value</th><th>detail</th></tr>${rows}</table>`;
  },
};

// A record's fields as key=value pairs, one line for all of them; a stack
// trace (exception.stacktrace) shows its first frame, the rest behind a
// native <details> toggle, so an error row stays one row tall.
function logFields(attributes) {
  const entries = Object.entries(attributes || {});
  const stack = entries.find(([k]) => k === 'exception.stacktrace');
  const pairs = entries.filter(([k]) => k !== 'exception.stacktrace').map(([k, v]) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return `<span class="kv" data-key="${esc(k)}" data-value="${esc(text)}"><b>${esc(k)}</b>=${esc(text)}</span>`;
  }).join(' ');
  let trace = '';
  if (stack) {
    const frames = String(stack[1]).split('\n').filter((f) => f.trim());
    trace = `<details class="stack"><summary>${esc(frames[0] || '')}${frames.length > 1 ? ` <span class="muted">+${frames.length - 1} frames</span>` : ''}</summary>
      <pre>${esc(frames.slice(1).join('\n'))}</pre></details>`;
  }
  return `<div class="fields muted">${pairs}</div>${trace}`;
}

function distribution(f) {
  const d = f.distribution || { labels: [] };
  if (!d.labels.length) return '';
  const peak = Math.max(...d.reference, ...d.current, 1e-9);
  return `<div class="bars" style="height:40px;width:220px">${d.labels.map((l, i) =>
    `<div class="ref" title="${esc(l)} reference ${fmt(100 * d.reference[i])}%" style="height:${(100 * d.reference[i]) / peak}%"></div>
     <div title="${esc(l)} current ${fmt(100 * d.current[i])}%" style="height:${(100 * d.current[i]) / peak}%"></div>`).join('')}</div>`;
}

function driftChart(evaluations) {
  const el = $('#chart-drift');
  if (!el) return;
  const names = evaluations[evaluations.length - 1].report.features.map((f) => f.name);
  const xs = evaluations.map((e) => e.window_end_ns / 1e9);
  const colors = ['#2f6fdb', '#c0392b', '#1d7a3c', '#8e44ad', '#d35400', '#16a085', '#7f8c8d', '#f39c12'];
  const series = names.map((n) => evaluations.map((e) => {
    const f = e.report.features.find((x) => x.name === n);
    return f && Number.isFinite(f.score) ? f.score : null;
  }));
  el.innerHTML = '';
  new uPlot({ width: el.clientWidth || 800, height: 220, scales: { x: { time: true } },
    series: [{}, ...names.map((n, i) => ({ label: n, stroke: colors[i % colors.length], width: 2 }))] }, [xs, ...series], el);
}

// "300s" -> "5m", "3600s" -> "1h", "86400s" -> "1d": windows as the rules write them.
function windowText(w) {
  const seconds = parseInt(w, 10);
  if (!Number.isFinite(seconds) || seconds <= 0) return w;
  for (const [unit, n] of [['d', 86400], ['h', 3600], ['m', 60]]) if (seconds % n === 0) return `${seconds / n}${unit}`;
  return `${seconds}s`;
}

// Each SLO with its error budget and burn rates now, and over time from the
// daemon's history (the two graphs Pyrra users value most); the SLO with
// the least budget left first.
function drawSlo() {
  const el = $('#slo-view');
  const s = window.vigilMetrics;
  if (!el || !s) return;
  const slos = [...new Set(s.filter((x) => x.name.startsWith('vigil_slo_')).map((x) => x.labels.slo))].filter(Boolean);
  if (!slos.length) { el.innerHTML = '<p class="muted">No SLO monitor exports vigil_slo_* metrics here.</p>'; return; }
  const budgetOf = (name) => {
    const b = s.find((x) => x.name === 'vigil_slo_error_budget_remaining_ratio' && x.labels.slo === name);
    return b ? b.value : Infinity;
  };
  slos.sort((a, b) => budgetOf(a) - budgetOf(b));
  el.innerHTML = slos.map((name, i) => {
    const get = (metric, extra = () => true) => s.find((x) => x.name === metric && x.labels.slo === name && extra(x.labels));
    const burns = s.filter((x) => x.name === 'vigil_slo_burn_rate' && x.labels.slo === name)
      .map((x) => `<tr><td>${esc(windowText(x.labels.window))}</td><td class="num">${fmt(x.value)}</td></tr>`).join('');
    // Each alert by its severity and window pair, short/long, as the rules and docs write them.
    const alerts = s.filter((x) => x.name === 'vigil_slo_alert_firing' && x.labels.slo === name).map((x) => {
      const [long, short] = (x.labels.windows || '').split('/');
      const pair = long && short ? ` ${windowText(short)}/${windowText(long)}` : '';
      return `<span class="pill ${x.value ? 'bad' : 'ok'}">${esc(x.labels.severity || '')}${esc(pair)} ${x.value ? 'firing' : 'ok'}</span>`;
    }).join(' ');
    const compliance = get('vigil_slo_compliance_ratio'), budget = get('vigil_slo_error_budget_remaining_ratio');
    return `<div class="card slo-card" data-slo="${esc(name)}"><h3>${esc(name)}</h3>
      <div class="grid"><div><div class="muted">compliance</div><div class="stat">${compliance ? fmt(100 * compliance.value, 5) : '–'} %</div></div>
      <div><div class="muted">error budget remaining</div><div class="stat">${budget ? fmt(100 * budget.value, 4) : '–'} %</div></div></div>
      <p>${alerts}</p><table><tr><th>window</th><th>burn rate</th></tr>${burns}</table>
      <div class="grid"><div><h4>Error budget remaining over time</h4><div class="slo-budget-chart" id="slo-budget-${i}"></div></div>
      <div><h4>Burn rate per window over time</h4><div class="slo-burn-chart" id="slo-burn-${i}"></div></div></div></div>`;
  }).join('');
  slos.forEach((name, i) => drawSloHistory(name, i));
}

function drawSloHistory(name, i) {
  const t = sloHistory.t;
  const budget = sloHistory.series[`slo:${name}:budget`] || t.map(() => null);
  const prefix = `slo:${name}:burn:`;
  const burns = Object.keys(sloHistory.series).filter((k) => k.startsWith(prefix)).sort((a, b) => parseInt(a.slice(prefix.length), 10) - parseInt(b.slice(prefix.length), 10));
  const colors = ['#c0392b', '#d35400', '#2f6fdb', '#1d7a3c', '#8e44ad', '#7f8c8d'];
  const plot = (id, series, data) => {
    const el = $(`#${id}`);
    if (!el) return;
    el.innerHTML = '';
    new uPlot({ width: el.clientWidth || 400, height: 160, scales: { x: { time: true } }, series: [{}, ...series] }, [t, ...data], el);
  };
  plot(`slo-budget-${i}`, [{ label: 'budget %', stroke: '#1d7a3c', width: 2 }], [budget]);
  plot(`slo-burn-${i}`, burns.map((k, j) => ({ label: windowText(k.slice(prefix.length)), stroke: colors[j % colors.length], width: 2 })),
    burns.map((k) => sloHistory.series[k]));
}

// ---- routing ---------------------------------------------------------------------
// A query form (data-view="traces", "logs") puts its non-empty fields into
// the view's hash, so a search is a link that can be shared and reloaded.
function bindQueryForms() {
  for (const form of document.querySelectorAll('form.query[data-view]')) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const fields = [...new FormData(form)].filter(([, v]) => v !== '');
      location.hash = `#/${form.dataset.view}?${new URLSearchParams(fields)}`;
    });
  }
}

let current = '';
async function route() {
  const name = (location.hash.split('/')[1] || 'overview').split('?')[0];
  current = name;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === name || (name === 'trace' && a.dataset.view === 'traces'));
  const view = views[name] || views.overview;
  try {
    $('#view').innerHTML = await view();
    bindQueryForms();
  } catch (e) {
    $('#view').innerHTML = `<p class="error-text">${esc(e.message)}</p>`;
  }
  for (const k of Object.keys(charts)) delete charts[k];
  if (name === 'overview') drawOverview();
  for (const b of document.querySelectorAll('#ranges button.range'))
    b.addEventListener('click', () => {
      range = b.dataset.range;
      localStorage.setItem('vigil-range', range);
      route();
    });
}

async function alertBadge() {
  try {
    const { alerts } = await api('/api/v1/alerts');
    const n = alerts.filter((a) => a.state === 'firing').length;
    $('#alert-count').textContent = n ? String(n) : '';
  } catch (e) { /* the status line shows scrape errors */ }
}

window.addEventListener('hashchange', route);
route();
scrape();
alertBadge();
setInterval(scrape, 2000);
setInterval(alertBadge, 5000);
