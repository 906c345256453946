// Drives vigil's web UI in a real browser (Debian's chromium through
// playwright-core) against a running `vigil demo`, view by view.
//   node ui_test.js <base-url> <screenshot-dir>
'use strict';
const { chromium } = require('playwright-core');

const [base, shots] = process.argv.slice(2);
const ok = (cond, what) => {
  if (!cond) throw new Error(`FAILED: ${what}`);
  console.log(`ok - ${what}`);
};

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
                                          args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  // The history the daemon kept arrives with the page: before the first
  // live scrape has two points to make a rate, the charts already hold the
  // last minutes.
  const historyResponse = page.waitForResponse((r) => r.url().includes('/api/v1/history'));
  await page.goto(`${base}/`);
  ok(page.url().endsWith('/ui/'), 'the root redirects to the UI');
  const loaded = await (await historyResponse).json();
  ok(loaded.t.length >= 8 && loaded.series.rate && loaded.series.p99, `the daemon's history: ${loaded.t.length} points`);
  await page.waitForSelector('#chart-rate canvas');
  const atLoad = await page.evaluate(() => ({ points: window.vigilHistory.t.length,
                                              rates: window.vigilHistory.rate.filter((v) => v != null).length }));
  ok(atLoad.points >= 8 && atLoad.rates >= 8, `history present right after the page loads (${atLoad.points} points)`);
  await page.waitForFunction(() => !/–/.test(document.querySelector('#stat-rate')?.textContent || '–'), null, { timeout: 20000 });
  const canvases = await page.locator('#view canvas').count();
  ok(canvases >= 6, `overview draws ${canvases} charts`);
  const first = await page.evaluate(() => window.vigilMetrics.length);
  const rate1 = await page.textContent('#stat-rate');
  await page.waitForTimeout(4500);
  const rate2 = await page.textContent('#stat-rate');
  ok(rate1 !== rate2 || first > 0, `overview updates on its own (${rate1} -> ${rate2})`);
  await page.screenshot({ path: `${shots}/overview.png` });
  // Range switching: each button loads its range from the daemon.
  for (const r of ['15m', '6h', '1h']) {
    const res = page.waitForResponse((x) => x.url().includes(`/api/v1/history?range=${r}`));
    await page.click(`#ranges button[data-range="${r}"]`);
    ok((await res).ok(), `range ${r} loaded`);
    await page.waitForSelector(`#ranges button.active[data-range="${r}"]`);
  }
  ok(await page.evaluate(() => localStorage.getItem('vigil-range')) === '1h', 'the chosen range is remembered');

  await page.click('nav a[data-view="traces"]');
  await page.waitForSelector('.trace-link', { timeout: 15000 });
  const slowest = await page.textContent('.card h3');
  ok(/inference/.test(slowest), `slowest stage named: ${slowest.trim()}`);
  // The newest traces may still be arriving (a batch can carry a trace's
  // children before its root) or be failed requests that stopped early:
  // open the newest one the list says has at least three spans.
  const pick = await page.evaluate(() => {
    const rows = [...document.querySelectorAll('#trace-table tr')].slice(1);
    const i = rows.findIndex((r) => Number(r.cells[4].textContent) >= 3);
    return i < 0 ? null : { i, spans: Number(rows[i].cells[4].textContent) };
  });
  ok(pick !== null, 'the trace list has a trace with at least three spans');
  await page.click(`.trace-link >> nth=${pick.i}`);
  await page.waitForSelector('.span-row');
  const spanRows = await page.locator('.span-row').count();
  ok(spanRows >= pick.spans, `trace waterfall with ${spanRows} spans (the list said ${pick.spans})`);
  await page.screenshot({ path: `${shots}/trace.png` });

  await page.goto(`${base}/ui/#/logs?query=${encodeURIComponent('{service="credit-scorer", level="error"} |= "inference failed"')}`);
  await page.waitForSelector('#log-table');
  const logRows = await page.locator('#log-table tr').count();
  ok(logRows > 1, `log search shows ${logRows - 1} error records`);
  const bad = await page.locator('#log-table').textContent();
  ok(/inference failed/.test(bad), 'log rows match the query');
  // Readable at a glance: fields as key=value, the stack trace folded to its
  // first frame, the trace id a link; three error rows fit in a screen.
  const errorRow = await page.evaluate(() => {
    const row = document.querySelectorAll('#log-table tr')[1];
    const stack = row.querySelector('details.stack');
    return { keys: [...row.querySelectorAll('.kv')].map((k) => k.dataset.key), stack: !!stack,
             open: stack ? stack.open : null, summaryLines: stack ? stack.querySelector('summary').textContent.trim().split('\n').length : 0,
             link: row.querySelector('a.trace-id')?.getAttribute('href') || '', height: row.getBoundingClientRect().height,
             json: /[{]"/.test(row.textContent) };
  });
  ok(errorRow.keys.includes('exception.type') && errorRow.keys.includes('stage') && !errorRow.json,
     `an error row's fields are key=value pairs, not JSON (${errorRow.keys.join(', ')})`);
  ok(errorRow.stack && errorRow.open === false && errorRow.summaryLines === 1, 'its stack trace is folded to one frame');
  ok(/^#\/trace\/[0-9a-f]{32}$/.test(errorRow.link), `its trace id links to the trace (${errorRow.link})`);
  ok(errorRow.height < 120, `three error rows fit in a screen (${Math.round(errorRow.height)} px each)`);
  await page.click('#log-table tr:nth-child(2) details.stack summary');
  ok(await page.evaluate(() => document.querySelector('#log-table tr:nth-child(2) details.stack').open),
     'the toggle opens the whole stack trace');

  // Filter by a field of the records (a bound logger field).
  await page.fill('form.query input[name="query"]', '{service="credit-scorer"} | channel="ios"');
  await page.click('form.query button');
  await page.waitForFunction(() => /channel/.test(decodeURIComponent(location.hash)));
  // The table is re-rendered once the query returns.
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('#log-table .kv[data-key="channel"]')];
    return cells.length > 0 && cells.every((c) => c.dataset.value === 'ios');
  }, null, { timeout: 10000 }).catch(() => {});
  const channels = await page.$$eval('#log-table .kv[data-key="channel"]', (cells) => cells.map((c) => c.dataset.value));
  ok(channels.length > 0 && channels.every((c) => c === 'ios'), `log search by a field: ${channels.length} records, all channel=ios`);
  await page.screenshot({ path: `${shots}/logs.png` });
  ok(await page.evaluate(() => document.querySelectorAll('[onsubmit], [onclick], [onchange], [oninput]').length) === 0,
     'no inline event handlers');

  // The next page carries the query and the cursor, both URL-encoded.
  await page.goto(`${base}/ui/#/logs?query=${encodeURIComponent('{service="credit-scorer"}')}`);
  await page.waitForSelector('#next-page', { timeout: 10000 });
  const firstPage = await page.$$eval('#log-table tr', (rows) => rows.slice(1).map((r) => r.textContent));
  await page.click('#next-page');
  await page.waitForFunction(() => /cursor=/.test(location.hash));
  // The old page's table stays until the next one is rendered.
  await page.waitForFunction((first) => {
    const row = document.querySelectorAll('#log-table tr')[1];
    return row && row.textContent !== first;
  }, firstPage[0], { timeout: 10000 }).catch(() => {});
  const cursor = await page.evaluate(() => new URLSearchParams(location.hash.split('?')[1]).get('cursor'));
  ok(/^[0-9]+\.[0-9]+$/.test(cursor), `next page link carries the cursor ${cursor}`);
  const secondPage = await page.$$eval('#log-table tr', (rows) => rows.slice(1).map((r) => r.textContent));
  ok(secondPage.length > 0 && secondPage[0] !== firstPage[0], `the second page shows ${secondPage.length} other records`);

  await page.click('nav a[data-view="drift"]');
  await page.waitForSelector('#drift-table', { timeout: 20000 });
  const driftText = await page.textContent('#drift-table');
  ok(/income/.test(driftText) && /drifted/.test(driftText), 'drift view: income drifted');
  ok(await page.locator('#chart-drift canvas').count() > 0, 'drift scores over time drawn');
  await page.screenshot({ path: `${shots}/drift.png` });

  await page.click('nav a[data-view="slo"]');
  await page.waitForSelector('.slo-card', { timeout: 10000 });
  await page.waitForSelector('.slo-budget-chart canvas', { timeout: 10000 });
  ok(await page.locator('.slo-burn-chart canvas').count() > 0, 'the SLO view draws budget and burn rates over time');
  const sloHistory = await page.evaluate(() => {
    const series = Object.keys(window.vigilSloHistory.series);
    return { burns: series.filter((k) => k.includes(':burn:')).length,
             budget: (window.vigilSloHistory.series['slo:credit-availability:budget'] || []).filter((v) => v != null).length };
  });
  ok(sloHistory.budget >= 8 && sloHistory.burns >= 3, `budget history (${sloHistory.budget} points) and ${sloHistory.burns} burn-rate windows`);
  const order = await page.$$eval('.slo-card', (cards) => cards.map((c) => c.dataset.slo));
  ok(order.length >= 1, `SLO list sorted by budget left: ${order.join(', ')}`);
  const sloText = await page.textContent('#slo-view');
  ok(/credit-availability/.test(sloText), 'SLO view shows the SLO');
  ok(/\b5m\b/.test(sloText) && !/\b300s\b/.test(sloText), 'SLO windows read 5m, not 300s');
  const pills = await page.$$eval('.slo-card .pill', (els) => els.map((e) => e.textContent.trim()));
  ok(pills.length > 0 && pills.every((p) => /^(page|ticket) \d+[smhd]\/\d+[smhd] (ok|firing)$/.test(p)),
     `SLO alert pills name their window pair: ${pills.join(', ')}`);

  await page.click('nav a[data-view="alerts"]');
  await page.waitForSelector('#alert-table');
  const alerts = await page.textContent('#alert-table');
  ok(/InferenceErrorBurst/.test(alerts) && /firing/.test(alerts), 'alerts list shows the firing log alert');
  await page.screenshot({ path: `${shots}/alerts.png` });

  ok(errors.length === 0, `no JavaScript errors (${errors.join('; ')})`);
  await browser.close();
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
