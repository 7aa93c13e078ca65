// The live operations page (ops module) in headless Chromium, as an operator sees it: OpsPageIT registers two
// sipp users and holds a sipp call up, then runs this (inside a private network namespace, reaching the edge's
// admin listener through a bridge on this namespace's loopback). One JSON line per check on stdout:
//   {"check": NAME, "ok": true|false, "detail": TEXT}
// Usage: node ops-page.mjs URL_WITH_TOKEN_FRAGMENT OUT_DIR CHROMIUM EXPECT_AOR1,EXPECT_AOR2 EXPECT_CALLEE
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, outDir, executablePath, aors, callee] = process.argv.slice(2);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const report = (check, ok, detail) => console.log(JSON.stringify({ check, ok, detail: String(detail) }));

mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath, headless: true, args: ARGS, timeout: 30_000 });
const deadline = setTimeout(() => { report('finished in time', false, 'over 60 s'); process.exit(2); }, 60_000);
try {
  for (const [name, viewport] of [['desktop', { width: 1280, height: 860 }], ['phone', { width: 390, height: 844 }]]) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 15_000 });
    let regs = '';
    let calls = '';
    try {
      await page.waitForFunction((want) => want.every((a) => document.getElementById('regs').textContent.includes(a)),
        aors.split(','), { timeout: 15_000, polling: 200 });
      await page.waitForFunction((c) => [...document.querySelectorAll('#calls tr')]
        .some((tr) => tr.textContent.includes(c) && tr.textContent.includes('confirmed')), callee,
      { timeout: 15_000, polling: 200 });
    } catch (e) {
      // reported below with what the page showed
    }
    regs = await page.textContent('#regs');
    calls = await page.textContent('#calls');
    report(`${name}: registrations shown`, aors.split(',').every((a) => regs.includes(a)), regs);
    report(`${name}: the call shown as confirmed`, calls.includes(callee) && calls.includes('confirmed'), calls);
    const status = await page.textContent('#status');
    report(`${name}: status ready`, status === 'ready', status);
    report(`${name}: token left the address bar`, !page.url().includes('token'), page.url());
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
    report(`${name}: no sideways scrolling`, fits,
      await page.evaluate(() => `${document.documentElement.scrollWidth} > ${window.innerWidth}`));
    report(`${name}: no script errors`, errors.length === 0, errors.join('; '));
    await page.screenshot({ path: join(outDir, `ops-page-${name}.png`), fullPage: name === 'phone' });
    await context.close();
  }
  // the page without a token asks for one and shows no data
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url.split('#')[0], { waitUntil: 'domcontentloaded', timeout: 15_000 });
  await page.waitForSelector('#login:not([hidden])', { timeout: 10_000 }).catch(() => {});
  const hidden = await page.getAttribute('#login', 'hidden');
  const regs = await page.textContent('#regs');
  report('without a token: asks for it, shows nothing', hidden === null && !regs.includes('@'),
    `login hidden=${hidden}`);
  await context.close();
} catch (e) {
  report('page run', false, e.stack || e);
} finally {
  clearTimeout(deadline);
  await browser.close();
}
