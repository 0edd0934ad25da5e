// Drives the fluxgate dashboard in Debian's headless Chromium with playwright-core, for
// tests/e2e/test_dashboard.py. Speaks JSON lines on stdout ({"event": ...}) and waits for
// "go" on stdin between the two phases:
//
//   phase 1: the page loads (signing in with the token when the login form shows), the
//            device table fills, the throughput chart's canvas changes between two samples,
//            the server-side search narrows the table; prints {"event":"ready"}
//   phase 2: (after the test injected an anomaly and bad records) the anomaly's device shows
//            in the alert feed and the quality view lists the stale and the invalid device;
//            prints {"event":"done"}
//
// Every wait is a presence check with a generous deadline, never a speed assertion.
// Screenshots go to the directory given; their paths are printed.
//
//   node dashboard_check.mjs URL TOKEN SCREENSHOT_DIR ANOMALY_DEVICE STALE_DEVICE BAD_DEVICE
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';
import path from 'node:path';

const [url, token, shots, anomalyDevice, staleDevice, badDevice] = process.argv.slice(2);
const DEADLINE_MS = 90_000;
const say = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once('line', resolve));

async function until(what, fn, deadline = DEADLINE_MS) {
  const end = Date.now() + deadline;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let status = 1;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  const external = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.hostname !== '127.0.0.1') external.push(r.url());
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const shot = async (name, locator) => {
    const file = path.join(shots, `dashboard-${name}.png`);
    await (locator ? locator.screenshot({ path: file }) : page.screenshot({ path: file, fullPage: true }));
    say({ event: 'screenshot', path: file });
  };

  await page.goto(url);
  // With [http] bearer_token set the page asks for it; without, it goes straight on.
  const signedIn = await until('the page to show data or the login form', async () => {
    if (await page.locator('#login').isVisible()) return 'login';
    return (await page.evaluate(() => (window.__fluxgate ? window.__fluxgate.seq : 0))) > 0 ? 'open' : null;
  });
  say({ event: 'page', login_form: signedIn === 'login' });
  if (signedIn === 'login') {
    await shot('login');
    await page.fill('#token', token);
    await page.click('#login-form button[type=submit]');
  }
  await until('a first snapshot', () => page.evaluate(() => window.__fluxgate && window.__fluxgate.seq > 0));
  const seq1 = await page.evaluate(() => window.__fluxgate.seq);

  const rows = await until('device rows in the table', async () => {
    const n = await page.locator('#devices tbody tr').count();
    return n > 0 ? n : null;
  });
  say({ event: 'devices', rows, total: await page.textContent('#devices-total') });

  // The chart moves: its canvas differs between two samples taken a tick or more apart.
  const canvas = page.locator('#chart-throughput canvas').first();
  await until('the throughput chart', () => canvas.count());
  const first = await canvas.evaluate((c) => c.toDataURL());
  await until('the throughput chart to change', async () => (await canvas.evaluate((c) => c.toDataURL())) !== first);
  const seq2 = await page.evaluate(() => window.__fluxgate.seq);
  say({ event: 'chart_moved', seq_before: seq1, seq_after: seq2 });
  // And a sparkline has been drawn for a device with history.
  await shot('overview');

  // Server-side search narrows the table to the matching device.
  await page.fill('#device-search', staleDevice);
  await until(`the table to show only ${staleDevice}`, async () => {
    const ids = await page.$$eval('#devices tbody tr', (trs) => trs.map((tr) => tr.dataset.device));
    return ids.length === 1 && ids[0] === staleDevice;
  });
  say({ event: 'search', device: staleDevice });
  await page.fill('#device-search', '');

  say({ event: 'ready' });
  if ((await nextLine()) !== 'go') throw new Error('expected "go" on stdin');

  const alert = page.locator('#alerts li', { hasText: anomalyDevice }).first();
  await until(`an alert for ${anomalyDevice} in the feed`, () => alert.isVisible());
  say({ event: 'alert', text: (await alert.textContent()).trim() });
  await shot('alerts', page.locator('#alerts').locator('xpath=..'));

  await until(`${staleDevice} listed as stale`, () =>
    page.locator(`#quality .stale-device[data-device="${staleDevice}"]`).count());
  await until(`${badDevice} in the device profiles with invalid records`, async () => {
    const row = page.locator(`#quality tr[data-device="${badDevice}"]`);
    return (await row.count()) > 0 && (await row.first().getAttribute('class') || '').includes('bad');
  });
  say({ event: 'quality', stale: staleDevice, invalid: badDevice });
  await shot('quality', page.locator('#quality-panel'));
  await shot('final');

  say({ event: 'done', external_requests: external, page_errors: errors });
  status = external.length === 0 && errors.length === 0 ? 0 : 1;
} catch (e) {
  say({ event: 'error', message: String(e && e.stack ? e.stack : e) });
} finally {
  await browser.close();
  lines.close();
  process.exit(status);
}
