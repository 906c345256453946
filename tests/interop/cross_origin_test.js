// A page on another origin, in a real browser (Debian's chromium through
// playwright-core), tries what a malicious site could against a loopback
// vigil: writes as text/plain, form and sendBeacon posts (no CORS
// preflight), a JSON write (preflighted), and reads of the API.
//   node cross_origin_test.js <daemon-base> <page-url>
// Prints one JSON object: what the page could observe of each attempt.
'use strict';
const { chromium } = require('playwright-core');

const [daemon, pageUrl] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
                                          args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  await page.goto(pageUrl);
  const seen = await page.evaluate(async (base) => {
    const out = {};
    const attempt = async (name, f) => {
      try {
        const res = await f();
        out[name] = { type: res.type, status: res.status, body: res.type === 'opaque' ? null : await res.text() };
      } catch (e) {
        out[name] = { blocked: String(e) };
      }
    };
    const body = (model) => JSON.stringify({ model, prediction: 1 });
    await attempt('text_plain_post', () => fetch(`${base}/api/v1/predictions`, {
      method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: body('csrf-text') }));
    await attempt('json_post', () => fetch(`${base}/api/v1/predictions`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body('csrf-json') }));
    await attempt('read_traces', () => fetch(`${base}/api/v1/traces`));
    await attempt('read_logs', () => fetch(`${base}/api/v1/logs`));
    out.beacon_queued = navigator.sendBeacon(`${base}/api/v1/predictions`, new Blob([body('csrf-beacon')],
                                                                                  { type: 'text/plain' }));
    return out;
  }, daemon);
  // A form post (text/plain encoding smuggles a JSON body, the classic trick).
  await page.setContent(`<form method="POST" enctype="text/plain" action="${daemon}/api/v1/predictions">
    <input name='{"model":"csrf-form","prediction":1,"x":"' value='"}'></form>`);
  const [response] = await Promise.all([page.waitForNavigation(), page.evaluate(() => document.forms[0].submit())]);
  seen.form_post_status = response ? response.status() : null;
  await page.waitForTimeout(500);  // let the beacon go out
  console.log(JSON.stringify(seen));
  await browser.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
