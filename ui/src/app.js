// The fluxgate dashboard (docs/design/dashboard.md). One EventSource (/v1/events) brings
// a snapshot per tick; the device table asks the server for the page it shows
// (/v1/dashboard/devices), so the browser never holds 10,000 rows. Charts are uPlot on
// canvas and are updated in place (setData), never rebuilt per update.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './app.css';

const TOKEN_KEY = 'fluxgate_token';
const $ = (id) => document.getElementById(id);

// --- the token ---------------------------------------------------------------------------
// Kept in localStorage for fetch (Authorization header) and mirrored into a SameSite=Strict
// cookie, because EventSource cannot send headers; the server accepts the cookie on GET only.
function token() { return localStorage.getItem(TOKEN_KEY) || ''; }
function setToken(t) {
  if (t) {
    localStorage.setItem(TOKEN_KEY, t);
    document.cookie = `${TOKEN_KEY}=${encodeURIComponent(t)}; path=/; SameSite=Strict`;
  } else {
    localStorage.removeItem(TOKEN_KEY);
    document.cookie = `${TOKEN_KEY}=; path=/; max-age=0; SameSite=Strict`;
  }
  $('logout').hidden = !t;
}
async function api(path) {
  const headers = {};
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const r = await fetch(path, { headers, cache: 'no-store' });
  if (r.status === 401) {
    showLogin(token() ? 'the server refused this token' : '');
    throw new Error('unauthorized');
  }
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}
function showLogin(message) {
  $('login').hidden = false;
  $('main').hidden = true;
  $('status').textContent = 'sign in';
  if (message) $('login-error').textContent = message;
  if (source) { source.close(); source = null; }
}
$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  setToken($('token').value.trim());
  $('login-error').textContent = '';
  start();
});
$('logout').addEventListener('click', () => { setToken(''); showLogin(); });

// --- small helpers -------------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
const fmt = (v, d = 1) => (v === null || v === undefined ? '–' : Number(v).toFixed(d));
const int = (v) => (v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US'));
function ago(ms, now) {
  if (!ms) return '–';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}
// Replaces a table's rows only where their text changed (no full re-render per update).
function fillTable(table, header, rows) {
  if (!table.tHead) table.createTHead().append(el('tr', {}, ...header.map((h) => el('th', {}, h))));
  const body = table.tBodies[0] || table.createTBody();
  while (body.rows.length > rows.length) body.deleteRow(-1);
  rows.forEach((cells, i) => {
    const tr = body.rows[i] || body.insertRow();
    while (tr.cells.length > cells.length) tr.deleteCell(-1);
    cells.forEach((c, j) => {
      const td = tr.cells[j] || tr.insertCell();
      const text = String(c);
      if (td.textContent !== text) td.textContent = text;
    });
  });
}
function sparkline(canvas, values) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (!values || values.length < 2) return;
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo || 1;
  ctx.strokeStyle = '#2a7ae2';
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  values.forEach((v, i) => {
    const x = (i / (values.length - 1)) * (w - 2) + 1;
    const y = h - 2 - ((v - lo) / span) * (h - 4);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

// --- charts --------------------------------------------------------------------------------
const COLORS = ['#2a7ae2', '#e2562a', '#2ab673', '#a52ae2', '#e2b42a', '#2ac7e2', '#666', '#e22a8f'];
class LineChart {
  constructor(container) { this.container = container; this.plot = null; this.keys = ''; }
  update(history, field) {
    const names = [...new Set(history.flatMap((p) => Object.keys(p[field] || {})))].sort().slice(0, 8);
    const data = [history.map((p) => p.t / 1000)];
    for (const n of names) data.push(history.map((p) => (p[field] && n in p[field] ? p[field][n] : null)));
    const keys = names.join('\n');
    if (!this.plot || keys !== this.keys) {
      if (this.plot) this.plot.destroy();
      this.keys = keys;
      const width = Math.max(300, this.container.clientWidth - 8);
      this.plot = new uPlot({
        width, height: 180,
        series: [{}, ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 1.5 }))],
        axes: [{}, { size: 60 }],
        scales: { x: { time: true } },
      }, data, this.container);
    } else {
      this.plot.setData(data);
    }
  }
}
const throughput = new LineChart($('chart-throughput'));
const lag = new LineChart($('chart-lag'));

// --- panels --------------------------------------------------------------------------------
function renderStreams(s) {
  fillTable($('streams'), ['stream', 'open shards', 'records retained', 'records/s', 'bytes/s'],
    s.streams.map((x) => [x.name, x.open_shards, int(x.records), fmt(x.records_per_sec),
      x.bytes_per_sec === null ? '–' : int(Math.round(x.bytes_per_sec))]));
}
function renderJobs(s) {
  const box = $('jobs');
  if (!s.jobs.length) { box.textContent = 'no jobs'; return; }
  let t = box.querySelector('table');
  if (!t) { box.textContent = ''; t = box.appendChild(el('table', { class: 'small' })); }
  fillTable(t, ['job', 'state', 'in', 'in/s', 'out', 'late', 'dead letters', 'watermark lag',
    'checkpoint', 'ckpt ms', 'ckpt bytes'],
  s.jobs.map((j) => [j.name, j.state + (j.error ? `: ${j.error}` : ''), int(j.records_in),
    fmt(j.records_in_per_sec), int(j.records_out), int(j.late_records), int(j.dead_letters),
    j.watermark_lag_ms === null ? '–' : `${fmt(j.watermark_lag_ms / 1000)} s`,
    j.last_checkpoint_id ? `#${j.last_checkpoint_id} ${ago(j.last_checkpoint_at_ms, s.time_ms)}` : '–',
    int(j.last_checkpoint_duration_ms), int(j.last_checkpoint_bytes)]));
}
function renderFeed(list, part, line, key = (a) => String(a.id)) {
  if (!part.configured) {
    if (list.dataset.state !== 'off') { list.textContent = ''; list.append(el('li', { class: 'muted' }, 'not configured')); }
    list.dataset.state = 'off';
    return;
  }
  if (list.dataset.state !== 'on') list.textContent = '';
  list.dataset.state = 'on';
  const seen = new Set([...list.children].map((li) => li.dataset.id));
  // Providers list newest last; the feed shows newest first.
  const fresh = part.items.filter((a) => !seen.has(key(a)));
  for (const a of fresh) list.prepend(line(a));
  while (list.children.length > 100) list.lastChild.remove();
  if (!list.children.length) list.append(el('li', { class: 'muted', 'data-id': '' }, 'none yet'));
  else if (list.children.length > 1) list.querySelectorAll('li.muted').forEach((li) => li.remove());
}
function renderAlerts(s) {
  renderFeed($('alerts'), s.alerts, (a) => el('li', { 'data-id': String(a.id), class: `sev-${a.severity || 'warning'}` },
    el('b', {}, a.severity || 'warning'), ' ', a.time || '', ' ', el('span', { class: 'msg' }, a.message || a.subject || ''),
    el('small', {}, ` ${a.topic || ''} ${a.rule || ''}`)));
  $('alerts-count').textContent = s.alerts.configured ? `${s.alerts.items.length} recent` : '';
  const dlKey = (d) => `${(d.alert && d.alert.id) || ''}:${d.subscription || ''}:${d.time || ''}`;
  renderFeed($('dead-letters'), s.dead_letters, (d) => el('li', { 'data-id': dlKey(d) },
    `${d.time || ''} ${d.topic || ''} → ${d.kind || ''} ${d.target || d.subscription || ''} after ${d.attempts || '?'} attempts: ${d.error || ''}`), dlKey);
}
function renderAlarms(s) {
  const box = $('alarms');
  if (!s.alarms.configured) { box.textContent = 'not configured'; box.className = 'muted'; return; }
  box.className = '';
  let t = box.querySelector('table');
  if (!t) { box.textContent = ''; t = box.appendChild(el('table', { class: 'small' })); }
  fillTable(t, ['alarm', 'state', 'reason'], s.alarms.items.map((a) => [a.name, a.state, a.reason || '']));
  [...t.tBodies[0].rows].forEach((tr, i) => { tr.className = `alarm-${s.alarms.items[i].state}`; });
}
function renderWindows(s) {
  $('windows-source').textContent = `${s.windows.source}, ${s.windows.window_ms / 60000} min`;
  fillTable($('windows'), ['sensor type', 'location', 'window', 'count', 'avg', 'min', 'max'],
    s.windows.groups.map((g) => [g.sensor_type, g.location,
      `${new Date(g.window_start_ms).toISOString().slice(11, 16)}–${new Date(g.window_end_ms).toISOString().slice(11, 16)}${g.open ? ' (open)' : ''}`,
      int(g.count), fmt(g.avg, 2), fmt(g.min, 2), fmt(g.max, 2)]));
}
function renderQuality(s) {
  const box = $('quality');
  const q = s.quality;
  if (!q.configured || !q.summary) { box.textContent = 'not configured ([quality] has no streams)'; return; }
  for (const st of q.summary.streams) {
    const id = `q-${st.stream}`;
    let sec = document.getElementById(id);
    if (!sec) {
      sec = el('div', { id, class: 'quality-stream' },
        el('h3', {}, st.stream), el('table', { class: 'small q-summary' }), el('table', { class: 'small q-fields' }),
        el('h4', {}, 'Stale devices'), el('div', { class: 'q-stale' }),
        el('h4', {}, 'Device profiles (most invalid first)'), el('table', { class: 'small q-worst' }));
      box.append(sec);
    }
    fillTable(sec.querySelector('.q-summary'), ['records', 'invalid', 'rejected', 'dead-lettered', 'duplicates',
      'out of order', 'late', 'out of range', 'devices', 'stale', 'lag'],
    [[int(st.records), int(st.invalid), int(st.rejected), int(st.dead_lettered), int(st.duplicates),
      int(st.out_of_order), int(st.late), int(st.out_of_range), int(st.devices), int(st.stale_devices), int(st.lag_records)]]);
    fillTable(sec.querySelector('.q-fields'), ['field', 'missing', 'null', 'invalid'],
      Object.entries(st.fields || {}).map(([f, c]) => [f, int(c.missing), int(c.null), int(c.invalid)]));
    const stale = sec.querySelector('.q-stale');
    const ids = st.stale_device_ids || [];
    const text = ids.length ? ids.join(' ') : 'none';
    if (stale.dataset.ids !== text) {
      stale.dataset.ids = text;
      stale.textContent = '';
      if (!ids.length) stale.append(el('span', { class: 'muted' }, 'none'));
      for (const d of ids) stale.append(el('span', { class: 'stale-device', 'data-device': d }, d), ' ');
    }
    const worst = ((q.devices[st.stream] || {}).worst || {}).devices || [];
    fillTable(sec.querySelector('.q-worst'), ['device', 'sensor', 'count', 'invalid', 'null rate', 'min', 'max', 'mean',
      'dup', 'out of order', 'late', 'out of range', 'last seen', 'stale', 'last problem'],
    worst.map((d) => [d.device_id, d.sensor_type, int(d.count), int(d.invalid), fmt(d.null_rate, 3), fmt(d.min, 2),
      fmt(d.max, 2), fmt(d.mean, 2), int(d.duplicates), int(d.out_of_order), int(d.late), int(d.out_of_range),
      ago(d.last_seen_ms, s.time_ms), d.stale ? 'yes' : '', d.last_invalid_reason || '']));
    [...sec.querySelector('.q-worst').tBodies[0].rows].forEach((tr, i) => {
      tr.dataset.device = worst[i].device_id;
      tr.classList.toggle('bad', worst[i].invalid > 0 || worst[i].stale);
    });
  }
}

// --- device table (server-side paging, sorting and search) ----------------------------------
const table = { sort: 'device_id', order: 'asc', q: '', offset: 0, limit: 50, busy: false, now: 0 };
async function loadDevices() {
  if (table.busy) return;
  table.busy = true;
  try {
    const p = new URLSearchParams({ sort: table.sort, order: table.order, q: table.q, offset: table.offset, limit: table.limit });
    const page = await api(`/v1/dashboard/devices?${p}`);
    renderDevices(page);
  } catch (e) { /* the next tick retries */ } finally { table.busy = false; }
}
function renderDevices(page) {
  $('devices-total').textContent = `${int(page.total)} devices`;
  $('page-info').textContent = page.total ? ` ${page.offset + 1}–${page.offset + page.devices.length} of ${int(page.total)} ` : ' none ';
  const body = $('devices').tBodies[0];
  while (body.rows.length > page.devices.length) body.deleteRow(-1);
  page.devices.forEach((d, i) => {
    let tr = body.rows[i];
    if (!tr) {
      tr = body.insertRow();
      for (let j = 0; j < 7; j++) tr.insertCell();
      tr.cells[4].append(el('canvas', { width: 120, height: 24 }));
    }
    tr.dataset.device = d.device_id;
    const cells = [d.device_id, d.sensor_type, d.location, `${fmt(d.value, 2)} ${d.unit}`, null, ago(d.last_seen_ms, table.now), int(d.count)];
    cells.forEach((c, j) => { if (c !== null && tr.cells[j].textContent !== c) tr.cells[j].textContent = c; });
    sparkline(tr.cells[4].firstChild, d.history);
  });
}
$('device-search').addEventListener('input', (e) => { table.q = e.target.value; table.offset = 0; loadDevices(); });
$('prev').addEventListener('click', () => { table.offset = Math.max(0, table.offset - table.limit); loadDevices(); });
$('next').addEventListener('click', () => { table.offset += table.limit; loadDevices(); });
document.querySelectorAll('#devices th[data-sort]').forEach((th) => th.addEventListener('click', () => {
  const key = th.dataset.sort;
  table.order = table.sort === key && table.order === 'asc' ? 'desc' : 'asc';
  table.sort = key;
  table.offset = 0;
  loadDevices();
}));

// --- the live stream -----------------------------------------------------------------------
let source = null;
let last = null;
function render(s) {
  last = s;
  table.now = s.time_ms;
  $('status').textContent = `live · ${new Date(s.time_ms).toLocaleTimeString()}`;
  $('status').className = 'status ok';
  const history = s.history || [];
  throughput.update(history, 'records_per_sec');
  lag.update(history, 'lag');
  renderStreams(s);
  renderJobs(s);
  renderAlerts(s);
  renderAlarms(s);
  renderWindows(s);
  renderQuality(s);
  loadDevices();
  window.__fluxgate = { seq: s.seq, snapshot: s };  // for tests and the curious
}
async function start() {
  try {
    const s = await api('/v1/dashboard/snapshot');
    $('login').hidden = true;
    $('main').hidden = false;
    if (s.seq) render(s);
  } catch (e) {
    if (e.message !== 'unauthorized') $('status').textContent = `error: ${e.message}`;
    return;
  }
  if (source) source.close();
  // Each response carries one event; EventSource reconnects after `retry` ms with
  // Last-Event-ID and the server answers when the next snapshot is ready.
  source = new EventSource('/v1/events');
  source.addEventListener('snapshot', (e) => render(JSON.parse(e.data)));
  source.onerror = () => {
    if (source && source.readyState === EventSource.CLOSED) {
      $('status').textContent = 'disconnected';
      $('status').className = 'status bad';
      // A 401 closes the EventSource for good: ask again (shows the form on 401).
      setTimeout(start, 2000);
    }
  };
}
setToken(token());
start();
