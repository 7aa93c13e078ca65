// Browser end-to-end run of SIP Edge, inside a private network namespace (see run-in-netns.sh): starts rtpengine,
// the edge (with its demo page server), sipp as a plain phone and headless Chromium (playwright-core), drives the
// demo page (JsSIP, over WS and over WSS) and a SIP.js page through calls, chat and hang-up, and writes one JSON
// line per check:
//   {"check":"jssip.call.established","ok":false,"detail":"INVITE alice→bob answered 405 Method Not Allowed", ...}
// The Java IT (deploy/launcher BrowserCallsIT) turns every line into one assertion. Every wait is bounded; every
// child is stopped by its PID at the end.
//
//   node run.mjs [--config FILE]     FILE: JSON, see DEFAULTS below (every key optional)
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import dgram from 'node:dgram';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { buildJsSip } from './build.mjs';
import { Child, stopAll } from './lib/processes.mjs';
import { freeTcpPorts, freeUdpAndTcpPort, freeUdpPort, waitUdpListening } from './lib/ports.mjs';
import { startStaticServer } from './lib/static-server.mjs';
import { bodyOf, candidatePorts, plainProblem, sippMessages, webrtcProblem } from './lib/sdp.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const RTP_MIN = 20000;
const RTP_MAX = 20999;
const AUDIO_GROWTH_BYTES = 2000; // ~ 1/4 s of PCMU, ~ 1/2 s of Opus: more than any stray packet
const T = {
  edgeReady: 60_000, rtpengine: 10_000, page: 15_000, register: 10_000, ringing: 15_000, confirmed: 15_000,
  audio: 10_000, message: 10_000, ended: 10_000, sipp: 15_000,
};

// ------------------------------------------------------------------ configuration

const DEFAULTS = {
  // java command line up to and including "run" (the IT passes EdgeProcess's); default: the sipedge script's way
  edgeCommand: null,
  war: join(ROOT, 'deploy/war/target/sipedge'),
  sippScenarios: join(ROOT, 'sipp-scenarios/src/main/resources/org/sipedge/sipp/scenarios'),
  artifacts: join(ROOT, 'deploy/launcher/target/e2e'),
  results: null, // default: <artifacts>/results.jsonl
  screenshot: join(ROOT, 'docs/demo-phone.png'),
  chromium: '/usr/bin/chromium',
  rtpengine: 'rtpengine',
  sipp: 'sipp',
  baresip: 'baresip',
  deadlineSeconds: 150,
  // who anchors media: 'rtpengine' (the daemon, started here) or 'relay' (the edge's own in-process relay)
  media: 'rtpengine',
};

function loadConfig() {
  const i = process.argv.indexOf('--config');
  const given = i > 0 ? JSON.parse(readFileSync(process.argv[i + 1], 'utf8')) : {};
  const c = { ...DEFAULTS, ...given };
  c.results = c.results || join(c.artifacts, 'results.jsonl');
  if (c.media !== 'rtpengine' && c.media !== 'relay') throw new Error(`media must be rtpengine or relay: ${c.media}`);
  c.edgeCommand = c.edgeCommand || defaultEdgeCommand();
  return c;
}

function defaultEdgeCommand() {
  const launcher = join(ROOT, 'deploy/launcher');
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin/java') : 'java';
  const opts = readFileSync(join(launcher, 'conf/jvm.options'), 'utf8').split('\n').map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const cp = join(launcher, 'target/classes') + ':' + readFileSync(join(launcher, 'target/runtime-classpath.txt'), 'utf8').trim();
  return [java, ...opts, `-Djava.util.logging.config.file=${join(launcher, 'conf/logging.properties')}`,
    '-Xms256m', '-Xmx1g', `-Dsipedge.war=${join(ROOT, 'deploy/war/target/sipedge')}`, '-cp', cp,
    'org.sipedge.launcher.Main', 'run'];
}

// ------------------------------------------------------------------ results

/**
 * Every check the run makes, in order; one not reached is reported failed with the reason it was not. With
 * media 'relay' (SIP Edge's own relay inside the node instead of rtpengine) the rtpengine checks are named after it.
 */
let MEDIA = 'rtpengine';
let PLAN = [
  'setup.jssip-bundle', 'setup.rtpengine', 'setup.edge', 'setup.edge-media-relay', 'setup.demo-page', 'setup.chromium',
  'jssip.register.alice', 'jssip.register.bob', 'jssip.call.established', 'jssip.call.authenticated',
  'jssip.audio.alice-receives',
  'jssip.audio.bob-receives', 'jssip.media.through-rtpengine', 'jssip.message.alice-to-bob',
  'screenshot.demo-phone', 'jssip.bye.ends-both',
  'sipjs.register.carol', 'sipjs.call.established', 'sipjs.audio.carol-receives', 'sipjs.audio.bob-receives',
  'sipjs.media.through-rtpengine',
  'sipjs.message.carol-to-bob', 'sipjs.message.bob-to-carol', 'sipjs.bye.ends-both',
  'sipjs.answer.established', 'sipjs.answer.audio-both-ways', 'sipjs.answer.bye-ends-both',
  'phone.register.udp', 'phone.call.established', 'phone.sdp.to-phone-is-plain-rtp',
  'phone.sdp.to-browser-is-webrtc', 'phone.audio.echo-reaches-browser', 'phone.bye.ends-both',
  'uac.call.established', 'uac.sdp.to-browser-is-webrtc', 'uac.sdp.to-phone-is-plain-rtp',
  'uac.audio.echo-reaches-browser', 'uac.bye.ends-both',
  'baresip.register.udp', 'baresip.call.established', 'baresip.audio.phone-to-browser',
  'baresip.bye.phone-hangs-up', 'baresip.audio.browser-to-phone',
  'wss.certificate.as-logged', 'wss.register.dave', 'wss.register.binding-on-wss', 'wss.call.established',
  'wss.call.callee-is-webrtc', 'wss.audio.bob-receives', 'wss.audio.dave-receives', 'wss.media.through-rtpengine',
  'wss.message.dave-to-bob', 'wss.message.bob-to-dave', 'wss.bye.ends-both', 'wss.close.removes-binding',
];

class Results {
  constructor(file) {
    this.file = file;
    this.done = new Map();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '');
  }

  check(name, ok, detail, extra = {}) {
    if (this.done.has(name)) return ok;
    const line = { check: name, ok: Boolean(ok), detail: String(detail || ''), ...extra, at: new Date().toISOString() };
    this.done.set(name, line);
    appendFileSync(this.file, JSON.stringify(line) + '\n');
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ' — ' + String(detail).split('\n')[0] : ''}`);
    return ok;
  }

  /** Fails every check in names not yet reported, with why it was not reached. */
  notReached(names, why) {
    for (const n of names) this.check(n, false, `not reached: ${why}`);
  }

  finish(why) {
    this.notReached(PLAN.filter((n) => !this.done.has(n)), why);
  }
}

// ------------------------------------------------------------------ rtpengine

async function ngPing(port, timeoutMs) {
  const sock = dgram.createSocket('udp4');
  const cookie = randomBytes(6).toString('hex');
  try {
    return await new Promise((resolve) => {
      const t = setTimeout(() => resolve(null), timeoutMs);
      sock.on('message', (msg) => {
        const s = msg.toString('latin1');
        if (s.startsWith(cookie + ' ')) {
          clearTimeout(t);
          resolve(s.slice(cookie.length + 1));
        }
      });
      sock.send(`${cookie} d7:command4:pinge`, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

async function startRtpengine(cfg, results) {
  const ngPort = await freeUdpPort();
  const rtpe = new Child('rtpengine', cfg.rtpengine, [
    '--config-file=none', '--table=-1', '--interface=127.0.0.1', `--listen-ng=127.0.0.1:${ngPort}`,
    `--port-min=${RTP_MIN}`, `--port-max=${RTP_MAX}`, '--foreground', '--log-stderr', '--log-level=6',
  ], { logFile: join(cfg.artifacts, 'rtpengine.log') });
  const up = await rtpe.waitForLine(/Startup complete/, T.rtpengine);
  let pong = null;
  for (let i = 0; up && !pong && i < 10; i++) pong = await ngPing(ngPort, 500);
  const ok = Boolean(pong && pong.includes('4:pong'));
  results.check('setup.rtpengine', ok, ok ? `rtpengine ng on udp:127.0.0.1:${ngPort}, media ports ${RTP_MIN}-${RTP_MAX}`
    : `rtpengine did not answer an ng ping (${rtpe.spawnError || 'exit ' + JSON.stringify(rtpe.exit)}):\n${rtpe.tail()}`);
  return ok ? { child: rtpe, ngPort } : null;
}

// ------------------------------------------------------------------ the edge

/** Every user of the run, password "<user>-secret": the browsers, the sipp phone and baresip. */
const USERS = ['alice', 'bob', 'carol', 'dave', 'phone', 'bsphone'];
const passwordOf = (user) => `${user}-secret`;

function usersFile(cfg) {
  const file = join(cfg.artifacts, 'users.txt');
  writeFileSync(file, USERS.map((u) => `${u} sipedge password:${passwordOf(u)}\n`).join(''));
  return file;
}

async function startEdge(cfg, results, rtpengine) {
  const sipPort = await freeUdpAndTcpPort();
  const [tlsPort, wsPort, wssPort, httpPort] = await freeTcpPorts(4);
  const sipXml = readFileSync(join(cfg.war, 'WEB-INF/sip.xml'), 'utf8');
  const knowsRelay = sipXml.includes('<param-name>rtpengine.engines</param-name>');
  const settings = {
    'sip.bind-address': '127.0.0.1', 'sip.udp-port': sipPort, 'sip.tcp-port': sipPort, 'sip.tls-port': tlsPort,
    'sip.ws-port': wsPort, 'sip.wss-port': wssPort, 'sip.work-dir': join(cfg.artifacts, 'edge-work'),
    'web.port': httpPort,
    // calling and registering are authenticated, as in production. MD5 alone: JsSIP 3.13 and SIP.js 0.21 merge
    // several challenges into one (the last algorithm wins), sipp 3.6 takes the first, and all three know only MD5
    'registrar.auth': 'digest', 'registrar.users-file': usersFile(cfg), 'registrar.digest-algorithms': 'MD5',
  };
  if (knowsRelay && rtpengine) settings['rtpengine.engines'] = `udp:127.0.0.1:${rtpengine.ngPort}`;
  if (cfg.media === 'relay') Object.assign(settings, { 'relay.port-min': RTP_MIN, 'relay.port-max': RTP_MAX });
  const args = [...cfg.edgeCommand.slice(1), ...Object.entries(settings).map(([k, v]) => `-D${k}=${v}`)];
  const edge = new Child('edge', cfg.edgeCommand[0], args, { logFile: join(cfg.artifacts, 'edge.log') });
  const ready = await edge.waitForLine(/^sipedge ready in \d+ ms/, T.edgeReady);
  const pageLine = ready ? await edge.waitForLine(/^sipedge demo phone: /, 5000) : null;
  results.check('setup.edge', Boolean(ready), ready || `the edge did not print its ready line:\n${edge.tail(60)}`);
  if (cfg.media === 'relay') {
    const relayLine = ready ? await edge.waitForLine(/media relay ready: .*WebRTC/, 5000) : null;
    results.check('setup.relay', Boolean(relayLine), relayLine
      ? relayLine.slice(relayLine.indexOf('media relay ready'))
      : `no "media relay ready: … WebRTC …" line from the edge:\n${edge.tail(30)}`);
  }
  results.check('setup.edge-media-relay', cfg.media === 'relay' ? true : knowsRelay && rtpengine,
    cfg.media === 'relay' ? `SIP Edge relay in the node (rtpengine.engines empty), media ports ${RTP_MIN}-${RTP_MAX}`
      : knowsRelay ? `rtpengine.engines=${settings['rtpengine.engines']}`
      : 'the WAR has no rtpengine.engines key yet (rtpengine-control not in deploy/war/target/sipedge/WEB-INF/sip.xml): '
        + 'calls get no media anchoring');
  const pageUrl = pageLine ? /^sipedge demo phone: (\S+)/.exec(pageLine)[1] : null;
  const tlsLine = edge.lines.find((l) => l.startsWith('sipedge tls certificate: ')) || null;
  return ready ? { child: edge, sipPort, wsPort, wssPort, httpPort, pageUrl, pageLine, tlsLine } : null;
}

// ------------------------------------------------------------------ browser pages

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection',
];

async function openPhone(browser, url, name, cfg, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, ...contextOptions });
  const page = await context.newPage();
  const consoleLog = [];
  page.on('console', (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLog.push(`[pageerror] ${e.message}`));
  await page.goto(url, { timeout: T.page });
  await page.waitForFunction(() => window.phone && window.phone.ready, null, { timeout: T.page });
  await page.evaluate(() => window.phone.ready);
  const dump = async () => {
    writeFileSync(join(cfg.artifacts, `console-${name}.log`), consoleLog.join('\n') + '\n');
    const trace = await page.evaluate(() => window.phone.trace).catch(() => []);
    writeFileSync(join(cfg.artifacts, `sip-${name}.log`),
      trace.map((m) => `${m.dir === 'out' ? '>>> sent' : '<<< received'} ${m.t}\n${m.text.replace(/\r\n/g, '\n')}`).join('\n'));
  };
  return { name, page, context, consoleLog, dump };
}

async function register(phone, ws, results, check) {
  const r = await withTimeout(phone.page.evaluate(({ ws, user, password }) => window.phone.register({ ws, user,
    domain: '127.0.0.1', password }), { ws, user: phone.name, password: passwordOf(phone.name) }), T.register, { ok: false, cause: `no answer within ${T.register} ms` });
  return results.check(check, r.ok, r.ok ? `${phone.name} registered over ${ws}: ${r.status} ${r.reason}`
    : `${phone.name} over ${ws}: ${r.status ? r.status + ' ' + r.reason : ''} ${r.cause || ''}`.trim());
}

function withTimeout(promise, ms, fallback) {
  let t;
  return Promise.race([promise, new Promise((resolve) => { t = setTimeout(() => resolve(fallback), ms); })])
    .finally(() => clearTimeout(t));
}

const callsOf = (phone) => phone.page.evaluate(() => window.phone.state().calls.length);
const callAt = (phone, i) => phone.page.evaluate((n) => window.phone.state().calls[n] || null, i);
const statsOf = (phone) => phone.page.evaluate(() => window.phone.stats());

/**
 * Waits until the phone's call number i (its index in state().calls) is in one of states, or has ended or failed;
 * returns that call (null when it never appeared).
 */
async function waitCall(phone, i, states, timeoutMs) {
  try {
    await phone.page.waitForFunction(({ n, want }) => {
      const c = window.phone.state().calls[n];
      return c && (want.includes(c.state) || c.state === 'failed' || c.state === 'ended');
    }, { n: i, want: states }, { timeout: timeoutMs, polling: 100 });
  } catch {
    // timed out: the caller reports the last state
  }
  return callAt(phone, i);
}

function describeCall(c) {
  if (!c) return 'no call';
  const sip = c.status ? ` (${c.status} ${c.reason})` : '';
  return `state ${c.state}${sip}${c.cause ? ', cause ' + c.cause : ''}`;
}

/** Failed detail of a call that did not get established, naming the INVITE's final answer when there was one. */
function failedCall(from, to, cc, ce) {
  if (cc && cc.state === 'failed' && cc.status) {
    return `INVITE ${from}→${to} answered ${cc.status} ${cc.reason} (caller cause: ${cc.cause})`;
  }
  return `caller ${from}: ${describeCall(cc)}; callee ${to}: ${describeCall(ce)}`;
}

/** Polls getStats until bytesReceived grew by AUDIO_GROWTH_BYTES on every phone, or the timeout. */
async function audioGrowth(phones, timeoutMs) {
  const first = await Promise.all(phones.map(statsOf));
  const end = Date.now() + timeoutMs;
  let last = first;
  for (;;) {
    const grown = last.map((s, i) => s && first[i] && s.bytesReceived - first[i].bytesReceived >= AUDIO_GROWTH_BYTES);
    if (grown.every(Boolean) || Date.now() >= end) {
      return phones.map((p, i) => ({
        phone: p.name, ok: Boolean(grown[i]), first: first[i], last: last[i],
        detail: last[i] ? `${p.name}: inbound-rtp bytesReceived ${first[i] ? first[i].bytesReceived : '?'} → ${last[i].bytesReceived}`
          + ` (packets ${last[i].packetsReceived}; sent ${last[i].bytesSent} bytes) over ${(timeoutMs - Math.max(0, end - Date.now())) / 1000} s;`
          + ` media path ${last[i].path ? last[i].path.local + ' ⇄ ' + last[i].path.remote : 'none (ICE not connected)'}`
          : `${p.name}: no RTCPeerConnection`,
      }));
    }
    await new Promise((r) => setTimeout(r, 250)); // pacing between getStats samples, not the wait itself
    last = await Promise.all(phones.map(statsOf));
  }
}

async function sendAndReceive(from, to, results, check) {
  const body = `hello ${to.name} from ${from.name} ✓ ${randomBytes(4).toString('hex')}\nsecond line; ü€`;
  const sent = await withTimeout(from.page.evaluate(({ to, body }) => window.phone.sendMessage(to, body),
    { to: to.name, body }), T.message, { ok: false, cause: `no final response within ${T.message} ms` });
  let received = null;
  try {
    await to.page.waitForFunction((b) => window.phone.state().messages.some((m) => m.dir === 'in' && m.body === b),
      body, { timeout: T.message, polling: 100 });
    received = body;
  } catch {
    const inbox = (await to.page.evaluate(() => window.phone.state().messages)).filter((m) => m.dir === 'in');
    received = inbox.length ? inbox[inbox.length - 1].body : null;
  }
  const ok = sent.ok && received === body;
  return results.check(check, ok, ok ? `MESSAGE ${from.name}→${to.name} ${sent.status} ${sent.reason}, body delivered byte-exact`
    : `MESSAGE ${from.name}→${to.name}: ${sent.ok ? `${sent.status} ${sent.reason}` : `failed ${sent.status ? sent.status + ' ' + sent.reason : ''} ${sent.cause || ''}`}; `
      + `${to.name} received ${received === null ? 'nothing' : JSON.stringify(received)}; expected ${JSON.stringify(body)}`);
}

/** caller calls callee, callee answers; returns the call ({ caller, callee, ci, ce }) when both are confirmed. */
async function establish(caller, callee, results, check) {
  const [ci, ei] = [await callsOf(caller), await callsOf(callee)];
  await caller.page.evaluate((t) => window.phone.call(t), callee.name);
  let ce = await waitCall(callee, ei, ['ringing'], T.ringing);
  let cc = await callAt(caller, ci);
  if (ce && ce.state === 'ringing') {
    await callee.page.evaluate(() => window.phone.answer());
    [cc, ce] = await Promise.all([waitCall(caller, ci, ['confirmed'], T.confirmed),
      waitCall(callee, ei, ['confirmed'], T.confirmed)]);
  } else if (cc && !['failed', 'ended'].includes(cc.state)) {
    cc = await waitCall(caller, ci, [], 2000); // the callee never rang: give the caller's final response a moment
  }
  const ok = cc && ce && cc.state === 'confirmed' && ce.state === 'confirmed';
  results.check(check, ok, ok ? `${caller.name}→${callee.name} confirmed on both sides` : failedCall(caller.name, callee.name, cc, ce));
  if (!ok) {
    await caller.page.evaluate(() => window.phone.hangup()).catch(() => {});
    await callee.page.evaluate(() => window.phone.hangup()).catch(() => {});
    return null;
  }
  return { caller, callee, ci, ei };
}

/** One side hangs up (the caller unless by says 'callee'); both must end, the other by a BYE it received. */
async function byeEndsBoth({ caller, callee, ci, ei }, results, check, by = 'caller') {
  const [from, to, fi, ti] = by === 'callee' ? [callee, caller, ei, ci] : [caller, callee, ci, ei];
  await from.page.evaluate(() => window.phone.hangup());
  const [cf, ct] = await Promise.all([waitCall(from, fi, ['ended'], T.ended), waitCall(to, ti, ['ended'], T.ended)]);
  const ok = cf.state === 'ended' && ct.state === 'ended' && cf.byeSent && ct.byeReceived;
  return results.check(check, ok, ok ? `BYE from ${from.name}: ${from.name} ended (${cf.cause}), ${to.name} received the BYE and ended (${ct.cause})`
    : `after ${from.name} hung up: ${from.name} ${describeCall(cf)}, BYE sent ${cf.byeSent}; ${to.name} ${describeCall(ct)}, BYE received ${ct.byeReceived}`);
}

function anchoredDetail(stats) {
  const bad = stats.filter((s) => !s.last || !s.last.path || s.last.path.remotePort < RTP_MIN || s.last.path.remotePort > RTP_MAX);
  return {
    ok: bad.length === 0,
    detail: stats.map((s) => `${s.phone} sends to ${s.last && s.last.path ? s.last.path.remote : 'nothing'}`).join('; ')
      + (bad.length ? ` — expected ${MEDIA}'s ports ${RTP_MIN}-${RTP_MAX} (browsers connected directly or not at all)` : ` (${MEDIA} ports)`),
  };
}

// ------------------------------------------------------------------ scenarios

async function jssipScenario(ctx) {
  const { results, alice, bob, edge } = ctx;
  const ws = `ws://127.0.0.1:${edge.wsPort}`;
  const regA = await register(alice, ws, results, 'jssip.register.alice');
  const regB = await register(bob, ws, results, 'jssip.register.bob');
  const rest = PLAN.filter((n) => n.startsWith('jssip.') && !n.startsWith('jssip.register')).concat('screenshot.demo-phone');
  if (!regA || !regB) return results.notReached(rest, 'alice and bob must both be registered');
  const call = await establish(alice, bob, results, 'jssip.call.established');
  if (!call) return results.notReached(rest, `no call: ${results.done.get('jssip.call.established').detail}`);
  const auth = challengedThenAuthorized(await alice.page.evaluate(() => window.phone.trace), 'INVITE');
  results.check('jssip.call.authenticated', auth.ok, auth.detail);
  const audio = await audioGrowth([alice, bob], T.audio);
  results.check('jssip.audio.alice-receives', audio[0].ok, audio[0].detail);
  results.check('jssip.audio.bob-receives', audio[1].ok, audio[1].detail);
  const anchored = anchoredDetail(audio);
  results.check(`jssip.media.through-${MEDIA}`, anchored.ok, anchored.detail);
  await sendAndReceive(alice, bob, results, 'jssip.message.alice-to-bob');
  await screenshot(ctx, alice);
  await byeEndsBoth(call, results, 'jssip.bye.ends-both');
}

/** The page's trace shows the proxy's 407 to a request and the request sent again with Proxy-Authorization. */
function challengedThenAuthorized(trace, method) {
  const challenge = trace.find((m) => m.dir === 'in' && m.firstLine.startsWith('SIP/2.0 407')
    && new RegExp(`\\r\\nCSeq:\\s*\\d+ ${method}\\r\\n`, 'i').test(m.text));
  const retry = trace.find((m) => m.dir === 'out' && m.firstLine.startsWith(`${method} `)
    && /\r\nProxy-Authorization:\s*Digest /i.test(m.text));
  return challenge && retry
    ? { ok: true, detail: `${method} challenged (${challenge.firstLine.trim()}) and sent again with Proxy-Authorization` }
    : { ok: false, detail: `no 407 then ${method} with Proxy-Authorization in the page's trace (407 seen: `
      + `${Boolean(challenge)}, retry seen: ${Boolean(retry)})` };
}

async function screenshot(ctx, phone) {
  const { results, cfg } = ctx;
  const c = await phone.page.evaluate(() => window.phone.state().call);
  const file = join(cfg.artifacts, 'demo-phone.png');
  // the page refreshes its audio counters once a second: show them grown, not the first sample
  await phone.page.waitForFunction((min) => Number(document.getElementById('bytes-in').textContent.split(' bytes')[0]
    .replace(/[^0-9]/g, '')) >= min, AUDIO_GROWTH_BYTES, { timeout: 3000, polling: 200 }).catch(() => {});
  await phone.page.screenshot({ path: file, fullPage: false });
  if (c && c.state === 'confirmed') {
    mkdirSync(dirname(cfg.screenshot), { recursive: true });
    copyFileSync(file, cfg.screenshot);
    results.check('screenshot.demo-phone', true, `${phone.name}'s page during the call saved to ${cfg.screenshot}`);
  } else {
    results.check('screenshot.demo-phone', false, `no call in progress (${describeCall(c)}); page saved to ${file} only`);
  }
}

async function sipjsScenario(ctx) {
  const { results, alice, bob, carol, edge } = ctx;
  const ws = `ws://127.0.0.1:${edge.wsPort}`;
  const names = PLAN.filter((n) => n.startsWith('sipjs.') && n !== 'sipjs.register.carol');
  if (!(await register(carol, ws, results, 'sipjs.register.carol'))) return results.notReached(names, 'carol (SIP.js) is not registered');
  const bobUp = results.done.get('jssip.register.bob').ok;
  if (!bobUp) return results.notReached(names, 'bob (JsSIP) is not registered');
  // SIP.js calls JsSIP
  const callNames = names.filter((n) => !n.startsWith('sipjs.answer'));
  const call = await establish(carol, bob, results, 'sipjs.call.established');
  if (call) {
    const audio = await audioGrowth([carol, bob], T.audio);
    results.check('sipjs.audio.carol-receives', audio[0].ok, audio[0].detail);
    results.check('sipjs.audio.bob-receives', audio[1].ok, audio[1].detail);
    const anchored = anchoredDetail(audio);
    results.check(`sipjs.media.through-${MEDIA}`, anchored.ok, anchored.detail);
    await sendAndReceive(carol, bob, results, 'sipjs.message.carol-to-bob');
    await sendAndReceive(bob, carol, results, 'sipjs.message.bob-to-carol');
    await byeEndsBoth(call, results, 'sipjs.bye.ends-both');
  } else {
    results.notReached(callNames, `no call: ${results.done.get('sipjs.call.established').detail}`);
  }
  // JsSIP calls SIP.js: SIP.js answers and receives the BYE
  const answerNames = names.filter((n) => n.startsWith('sipjs.answer'));
  if (!results.done.get('jssip.register.alice').ok) return results.notReached(answerNames, 'alice (JsSIP) is not registered');
  const answered = await establish(alice, carol, results, 'sipjs.answer.established');
  if (answered) {
    const audio = await audioGrowth([alice, carol], T.audio);
    results.check('sipjs.answer.audio-both-ways', audio.every((a) => a.ok), audio.map((a) => a.detail).join('\n'));
    await byeEndsBoth(answered, results, 'sipjs.answer.bye-ends-both');
  } else {
    results.notReached(answerNames, `no call: ${results.done.get('sipjs.answer.established').detail}`);
  }
}

/** sipp options every plain-phone run shares: UDP on loopback, bounded in time. */
function sippCommon(sippPort) {
  return ['-t', 'u1', '-i', '127.0.0.1', '-p', String(sippPort), '-bind_local', '-nostdin',
    '-timeout', '90s', '-timeout_error', '-trace_err'];
}

/** The last message of a sipp -trace_msg file that matches, or null. */
function sippMessage(file, dir, re) {
  const messages = existsSync(file) ? sippMessages(readFileSync(file, 'latin1')) : [];
  return messages.filter((m) => m.dir === dir && re.test(m.text)).pop() || null;
}

async function phoneScenario(ctx) {
  const { results, alice, edge, cfg } = ctx;
  const names = PLAN.filter((n) => n.startsWith('phone.') && n !== 'phone.register.udp');
  const inf = join(cfg.artifacts, 'phone.csv');
  writeFileSync(inf, `SEQUENTIAL\nphone;127.0.0.1;600;${passwordOf('phone')}\n`);
  const messageFile = join(cfg.artifacts, 'sipp-phone-messages.log');
  let sippPort; let reg; let regExit; let uas;
  // The phone registers with one sipp and answers with another on the same port. Another process may bind that
  // port in between (sipp: "Unable to bind main socket, errno = 98"); then it registers again from a new port.
  for (let attempt = 1; attempt <= 3; attempt++) {
    sippPort = await freeUdpAndTcpPort();
    const mediaPort = await freeUdpPort();
    const [ctl1, ctl2] = await freeTcpPorts(2);
    const common = sippCommon(sippPort);
    reg = new Child('sipp-register', cfg.sipp, [`127.0.0.1:${edge.sipPort}`,
      '-sf', join(cfg.sippScenarios, 'register-auth.xml'), '-inf', inf, '-m', '1', ...common,
      '-cp', String(ctl1), '-error_file', join(cfg.artifacts, 'sipp-register-errors.log')],
    { logFile: join(cfg.artifacts, 'sipp-register.log'), cwd: cfg.artifacts });
    regExit = await reg.waitForExit(T.sipp);
    if (!(regExit && regExit.code === 0)) break;
    uas = new Child('sipp-phone', cfg.sipp, ['-sf', join(cfg.sippScenarios, 'uas-echo.xml'), '-m', '1',
      ...common, '-mi', '127.0.0.1', '-mp', String(mediaPort), '-rtp_echo', '-cp', String(ctl2),
      '-trace_msg', '-message_file', messageFile, '-error_file', join(cfg.artifacts, 'sipp-phone-errors.log')],
    { logFile: join(cfg.artifacts, 'sipp-phone.log'), cwd: cfg.artifacts });
    // a call before sipp listens would be lost; without a terminal sipp prints nothing until it ends
    await waitUdpListening(sippPort, 5000);
    if ((await uas.waitForExit(300)) === null) break;
    console.log(`note: the phone's sipp could not take port ${sippPort} after the REGISTER `
      + `(exit ${JSON.stringify(uas.exit)}); registering again from another port (attempt ${attempt} of 3)`);
  }
  if (!results.check('phone.register.udp', regExit && regExit.code === 0,
    regExit && regExit.code === 0 ? `sipp registered phone@127.0.0.1 from udp 127.0.0.1:${sippPort}`
      : `sipp REGISTER over UDP: exit ${JSON.stringify(regExit)}\n${reg.tail(20)}`)) {
    return results.notReached(names, 'the plain phone is not registered');
  }
  if (!results.done.get('jssip.register.alice').ok) return results.notReached(names, 'alice (JsSIP) is not registered');

  const ci = await callsOf(alice);
  await alice.page.evaluate(() => window.phone.call('phone'));
  const cc = await waitCall(alice, ci, ['confirmed'], T.confirmed);
  const established = cc && cc.state === 'confirmed';
  results.check('phone.call.established', established, established ? 'alice→phone (sipp, UDP) confirmed'
    : failedCall('alice', 'phone', cc, null));
  let audio = null;
  if (established) {
    [audio] = await audioGrowth([alice], T.audio);
    results.check('phone.audio.echo-reaches-browser', audio.ok, audio.detail);
    await alice.page.evaluate(() => window.phone.hangup());
    const ended = await waitCall(alice, ci, ['ended'], T.ended);
    const sippExit = await uas.waitForExit(T.sipp);
    const ok = ended.state === 'ended' && ended.byeSent && sippExit && sippExit.code === 0;
    results.check('phone.bye.ends-both', ok, `alice ${describeCall(ended)}, BYE sent ${ended.byeSent}; `
      + `sipp phone ${sippExit ? 'exited ' + sippExit.code + (sippExit.code === 0 ? ' (BYE received and answered 200)' : '') : 'still running'}`
      + (ok ? '' : `\n${uas.tail(15)}`));
  } else {
    await alice.page.evaluate(() => window.phone.hangup()).catch(() => {});
  }
  await uas.stop(); // flushes its message file
  const messages = existsSync(messageFile) ? sippMessages(readFileSync(messageFile, 'latin1')) : [];
  const invite = messages.find((m) => m.dir === 'in' && m.text.startsWith('INVITE '));
  const toPhone = invite ? bodyOf(invite.text) : null;
  const call = await callAt(alice, ci);
  const toBrowser = call ? call.remoteSdp : null;
  if (!invite) {
    results.notReached(['phone.sdp.to-phone-is-plain-rtp'], `the phone received no INVITE (${results.done.get('phone.call.established').detail})`);
  } else {
    const p = plainProblem(toPhone);
    results.check('phone.sdp.to-phone-is-plain-rtp', !p, `${p || 'RTP/AVP, no ICE, no fingerprint'}; SDP the phone received:\n${toPhone}`,
      { sdp: toPhone });
  }
  if (!established || !toBrowser) {
    results.notReached(['phone.sdp.to-browser-is-webrtc'], `the browser received no answer SDP (${describeCall(call)})`);
  } else {
    const p = webrtcProblem(toBrowser);
    results.check('phone.sdp.to-browser-is-webrtc', !p, `${p || `UDP/TLS/RTP/SAVPF with a=candidate (ports ${candidatePorts(toBrowser).join(', ')}) and a=fingerprint`}; SDP the browser received:\n${toBrowser}`,
      { sdp: toBrowser });
  }
  results.notReached(names, `the call to the phone did not get that far (${describeCall(call)})`);
}

/** Sends one command to baresip's ctrl_tcp module (a JSON netstring); resolves with its reply, or null after 3 s. */
async function baresipCommand(port, command) {
  const net = await import('node:net');
  const body = JSON.stringify({ command, token: 'e2e' });
  return new Promise((resolveIt) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`${Buffer.byteLength(body)}:${body},`));
    const done = (reply) => {
      clearTimeout(timer);
      s.destroy();
      resolveIt(reply);
    };
    const timer = setTimeout(() => done(null), 3000);
    s.on('data', (d) => done(d.toString('utf8')));
    s.on('error', () => done(null));
  });
}

/**
 * A real SIP phone nobody here wrote: alice (JsSIP) calls baresip (Debian's baresip-core, a sine tone as its
 * microphone), which registers over UDP and answers by itself; audio flows both ways through the media engine
 * (alice's getStats; baresip's own packet statistics count what it received); then the phone hangs up.
 */
async function baresipScenario(ctx) {
  const { results, alice, edge, cfg } = ctx;
  const names = PLAN.filter((n) => n.startsWith('baresip.'));
  if (!results.done.get('jssip.register.alice').ok) return results.notReached(names, 'alice (JsSIP) is not registered');
  const sipPort = await freeUdpAndTcpPort();
  const [ctlPort] = await freeTcpPorts(1);
  const dir = join(cfg.artifacts, 'baresip');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config'), [
    // net_interface: in a namespace with only lo baresip finds no address of its own otherwise
    // ausrc_srate/channels: ausine makes 48 kHz stereo only, which baresip converts to the call's PCMU
    'poll_method epoll', 'net_interface 127.0.0.1', `sip_listen 127.0.0.1:${sipPort}`, 'audio_source ausine,440',
    'ausrc_srate 48000', 'ausrc_channels 2', 'auplay_srate 48000',
    'audio_player aubridge,e2e', 'audio_alert aubridge,e2e', 'rtp_stats yes', 'module_path /usr/lib/baresip/modules',
    'module g711.so', 'module ausine.so', 'module aubridge.so', 'module_tmp account.so',
    'module_app menu.so', 'module_app ctrl_tcp.so', `ctrl_tcp_listen 127.0.0.1:${ctlPort}`, '',
  ].join('\n'));
  writeFileSync(join(dir, 'accounts'),
    `<sip:bsphone@127.0.0.1:${edge.sipPort};transport=udp>;auth_pass=${passwordOf('bsphone')};answermode=auto;regint=600;`
    + 'audio_codecs=PCMU,PCMA\n');
  const phone = new Child('baresip', cfg.baresip, ['-s', '-f', dir], { logFile: join(cfg.artifacts, 'baresip.log') });
  try {
    const reg = await phone.waitForLine(/bsphone@127\.0\.0\.1.*200 OK/, T.register);
    if (!results.check('baresip.register.udp', Boolean(reg), reg ? `baresip ${reg.trim()}`
      : `baresip did not register within ${T.register} ms:\n${phone.tail(20)}`)) {
      return results.notReached(names, 'baresip is not registered');
    }
    const ci = await callsOf(alice);
    await alice.page.evaluate(() => window.phone.call('bsphone'));
    const cc = await waitCall(alice, ci, ['confirmed'], T.confirmed);
    const established = cc && cc.state === 'confirmed';
    if (!results.check('baresip.call.established', established, established
      ? 'alice→bsphone (baresip, UDP, auto-answer) confirmed' : failedCall('alice', 'bsphone', cc, null))) {
      await alice.page.evaluate(() => window.phone.hangup()).catch(() => {});
      return results.notReached(names, 'no call to baresip');
    }
    const [audio] = await audioGrowth([alice], T.audio);
    results.check('baresip.audio.phone-to-browser', audio.ok, audio.detail);
    await new Promise((r) => setTimeout(r, 2000)); // two more seconds of audio both ways before the phone hangs up
    await baresipCommand(ctlPort, 'hangup');
    const ended = await waitCall(alice, ci, ['ended'], T.ended);
    results.check('baresip.bye.phone-hangs-up', ended.state === 'ended' && ended.byeReceived,
      `baresip hung up: alice ${describeCall(ended)}, BYE received ${ended.byeReceived}`);
    // baresip's statistics at the end of the call (rtp_stats): "packets:  <transmitted>  <received>"
    const stats = await phone.waitForLine(/^packets:\s+\d+\s+\d+/, 5000);
    const received = stats ? Number(/^packets:\s+\d+\s+(\d+)/.exec(stats)[1]) : 0;
    const from = phone.lines.find((l) => l.includes('incoming rtp for \'audio\' established')) || '';
    results.check('baresip.audio.browser-to-phone', received >= 50, stats
      ? `baresip received ${received} RTP packets from alice (${stats.trim().replace(/\s+/g, ' ')} transmitted/received; `
        + `${from.trim() || 'no "incoming rtp" line'})`
      : `no packet statistics from baresip at the end of the call:\n${phone.tail(20)}`);
  } finally {
    await phone.stop();
    results.notReached(names, 'the call to baresip did not get that far');
  }
}

/** A plain phone (sipp UAC over UDP, echoing audio) calls bob (JsSIP); bob answers, then hangs up. */
async function uacScenario(ctx) {
  const { results, bob, edge, cfg } = ctx;
  const names = PLAN.filter((n) => n.startsWith('uac.'));
  if (!results.done.get('jssip.register.bob').ok) return results.notReached(names, 'bob (JsSIP) is not registered');
  const sippPort = await freeUdpAndTcpPort();
  const mediaPort = await freeUdpPort();
  const [ctl] = await freeTcpPorts(1);
  const messageFile = join(cfg.artifacts, 'sipp-caller-messages.log');
  const ei = await callsOf(bob);
  const uac = new Child('sipp-caller', cfg.sipp, [`127.0.0.1:${edge.sipPort}`, '-sf', join(cfg.sippScenarios, 'uac-echo-auth.xml'),
    '-key', 'callee', 'bob', '-au', 'phone', '-ap', passwordOf('phone'), '-m', '1', ...sippCommon(sippPort), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-rtp_echo',
    '-cp', String(ctl), '-trace_msg', '-message_file', messageFile, '-error_file', join(cfg.artifacts, 'sipp-caller-errors.log')],
  { logFile: join(cfg.artifacts, 'sipp-caller.log'), cwd: cfg.artifacts });
  let ce = await waitCall(bob, ei, ['ringing'], T.ringing);
  if (ce && ce.state === 'ringing') {
    await bob.page.evaluate(() => window.phone.answer());
    ce = await waitCall(bob, ei, ['confirmed'], T.confirmed);
  }
  const established = Boolean(ce && ce.state === 'confirmed');
  results.check('uac.call.established', established, established ? 'phone (sipp, UDP)→bob (JsSIP) confirmed'
    : `bob: ${describeCall(ce)}; sipp caller ${uac.alive ? 'still running' : 'exited ' + JSON.stringify(uac.exit)}\n${uac.tail(15)}`);
  if (established) {
    const [audio] = await audioGrowth([bob], T.audio);
    results.check('uac.audio.echo-reaches-browser', audio.ok, audio.detail);
    await bob.page.evaluate(() => window.phone.hangup());
    const ended = await waitCall(bob, ei, ['ended'], T.ended);
    const sippExit = await uac.waitForExit(T.sipp);
    const ok = ended.state === 'ended' && ended.byeSent && sippExit && sippExit.code === 0;
    results.check('uac.bye.ends-both', ok, `bob ${describeCall(ended)}, BYE sent ${ended.byeSent}; `
      + `sipp caller ${sippExit ? 'exited ' + sippExit.code + (sippExit.code === 0 ? ' (BYE received and answered 200)' : '') : 'still running'}`
      + (ok ? '' : `\n${uac.tail(15)}`));
  } else {
    await bob.page.evaluate(() => window.phone.hangup()).catch(() => {});
  }
  await uac.stop(); // flushes its message file
  const call = await callAt(bob, ei);
  const toBrowser = call ? call.remoteSdp : null;
  if (!toBrowser) {
    results.notReached(['uac.sdp.to-browser-is-webrtc'], `bob received no INVITE with SDP (${describeCall(call)})`);
  } else {
    const p = webrtcProblem(toBrowser);
    results.check('uac.sdp.to-browser-is-webrtc', !p, `${p || `UDP/TLS/RTP/SAVPF with a=candidate (ports ${candidatePorts(toBrowser).join(', ')}) and a=fingerprint`}; SDP the browser received:\n${toBrowser}`,
      { sdp: toBrowser });
  }
  const ok200 = sippMessage(messageFile, 'in', /^SIP\/2\.0 200[\s\S]*^CSeq:\s*\d+ INVITE/im);
  if (!ok200) {
    results.notReached(['uac.sdp.to-phone-is-plain-rtp'], `the phone received no 200 to its INVITE (${describeCall(call)})`);
  } else {
    const toPhone = bodyOf(ok200.text);
    const p = plainProblem(toPhone);
    results.check('uac.sdp.to-phone-is-plain-rtp', !p, `${p || 'RTP/AVP, no ICE, no fingerprint'}; SDP the phone received in the 200:\n${toPhone}`,
      { sdp: toPhone });
  }
  results.notReached(names, `the call from the phone did not get that far (${describeCall(call)})`);
}

/** Header values of a raw SIP message (long and compact form), one entry per header line. */
function headerValues(text, name, compact) {
  const re = new RegExp(`^(?:${name}${compact ? '|' + compact : ''})\\s*:\\s*(.*)$`, 'gim');
  return [...String(text).split('\r\n\r\n')[0].matchAll(re)].map((m) => m[1].trim());
}

/**
 * dave's REGISTER over WSS in his page's trace and the registrar's 200 to it: the Via transport he sent and the
 * binding the registrar lists for his +sip.instance (host, port and transport after the edge's WebSocket fix-up).
 */
function wssRegistration(trace) {
  const register = trace.filter((m) => m.dir === 'out' && m.firstLine.startsWith('REGISTER ')).pop();
  if (!register) return { problem: 'dave sent no REGISTER' };
  const via = headerValues(register.text, 'Via', 'v')[0] || '';
  const instance = (/\+sip\.instance="?<?(urn:uuid:[0-9a-f-]+)/i.exec(headerValues(register.text, 'Contact', 'm').join(',')) || [])[1];
  const cseq = headerValues(register.text, 'CSeq')[0];
  const ok = trace.filter((m) => m.dir === 'in' && m.firstLine.startsWith('SIP/2.0 200')
    && headerValues(m.text, 'CSeq')[0] === cseq).pop();
  if (!ok) return { via, problem: `no 200 to dave's REGISTER (CSeq ${cseq})` };
  const contacts = headerValues(ok.text, 'Contact', 'm').join(',').match(/<[^>]*>[^,]*/g) || [];
  const binding = instance && contacts.find((c) => c.includes(instance));
  const m = binding && /^<sips?:[^@>]*@([^:;>]+):(\d+)/.exec(binding);
  const t = binding && /^<[^>]*;transport=([^;>]+)/i.exec(binding);
  return {
    via, instance, binding, host: m ? m[1] : null, port: m ? Number(m[2]) : null, transport: t ? t[1].toLowerCase() : null,
    contacts,
  };
}

/** The certificate a TLS server on 127.0.0.1:port presents (not verified: only looked at). */
function peerCertificate(port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, timeout: timeoutMs });
    const done = (v) => {
      socket.destroy();
      resolve(v);
    };
    socket.once('secureConnect', () => done({ cert: socket.getPeerCertificate(), protocol: socket.getProtocol() }));
    socket.once('error', (e) => done({ error: e.message }));
    socket.once('timeout', () => done({ error: `no TLS handshake within ${timeoutMs} ms` }));
  });
}

/** The start-up line names the certificate the WSS port really serves (what an operator compares in a browser). */
async function certificateAsLogged(edge, results) {
  const logged = edge.tlsLine && /SHA-256 ([0-9A-F:]{95})/.exec(edge.tlsLine);
  const served = await peerCertificate(edge.wssPort, 5000);
  const ok = Boolean(logged && served.cert && served.cert.fingerprint256 === logged[1]);
  return results.check('wss.certificate.as-logged', ok, ok
    ? `wss port serves ${served.cert.subject.CN} (${served.protocol}, SHA-256 ${served.cert.fingerprint256.slice(0, 11)}…), as the edge printed: ${edge.tlsLine}`
    : `edge printed ${JSON.stringify(edge.tlsLine)}; wss 127.0.0.1:${edge.wssPort} serves ${served.cert ? served.cert.fingerprint256 : served.error}`);
}

/**
 * dave (JsSIP on the demo page) registers over secure WebSocket, on the edge's generated self-signed certificate
 * (his browser context trusts it: ignoreHTTPSErrors); bob (plain ws) calls him, they chat, dave hangs up, then dave's
 * page closes and the registrar must drop the binding that lived on that WSS connection.
 */
async function wssScenario(ctx) {
  const { results, bob, edge, cfg, browser, phones } = ctx;
  const names = PLAN.filter((n) => n.startsWith('wss.'));
  const wss = `wss://127.0.0.1:${edge.wssPort}`;
  await certificateAsLogged(edge, results);
  const dave = await openPhone(browser, `${edge.pageUrl}?user=dave`, 'dave', cfg, { ignoreHTTPSErrors: true });
  phones.push(dave);
  if (!(await register(dave, wss, results, 'wss.register.dave'))) return results.notReached(names, 'dave is not registered over WSS');
  const reg = wssRegistration(await dave.page.evaluate(() => window.phone.trace));
  const onWss = /^SIP\/2\.0\/WSS\s/i.test(reg.via) && reg.host === '127.0.0.1' && reg.port > 0 && reg.transport === 'wss';
  results.check('wss.register.binding-on-wss', onWss, onWss
    ? `dave's REGISTER went out with Via ${reg.via.split(';')[0]}; the registrar's 200 lists his binding ${reg.binding}`
      + ' (his .invalid Contact now names his WSS connection: its address, port and transport=wss)'
    : `${reg.problem || ''} Via ${JSON.stringify(reg.via)}; instance ${reg.instance}; contacts in the 200: ${JSON.stringify(reg.contacts)}`.trim());
  if (!results.done.get('jssip.register.bob').ok) return results.notReached(names, 'bob (JsSIP) is not registered');

  const call = await establish(bob, dave, results, 'wss.call.established');
  if (call) {
    const c = await callAt(bob, call.ci);
    const anchoredLine = await edge.child.waitForLine(new RegExp(`call-id=${escapeRe(c.callId)} offer anchored on .*\\(case `), 3000);
    const kinds = anchoredLine ? /\(case (\w+)->(\w+)/.exec(anchoredLine) : null;
    results.check('wss.call.callee-is-webrtc', Boolean(kinds && kinds[2] === 'WEBRTC'), anchoredLine
      ? `edge: ${anchoredLine.slice(anchoredLine.indexOf('call-id='))} — callee dave ${kinds && kinds[2] === 'WEBRTC' ? 'is' : 'is NOT'} a WebRTC client by his WSS binding`
      : `the edge logged no offer anchoring for Call-ID ${c.callId}`);
    const audio = await audioGrowth([bob, dave], T.audio);
    results.check('wss.audio.bob-receives', audio[0].ok, audio[0].detail);
    results.check('wss.audio.dave-receives', audio[1].ok, audio[1].detail);
    const anchored = anchoredDetail(audio);
    results.check(`wss.media.through-${MEDIA}`, anchored.ok, anchored.detail);
    await sendAndReceive(dave, bob, results, 'wss.message.dave-to-bob');
    await sendAndReceive(bob, dave, results, 'wss.message.bob-to-dave');
    await byeEndsBoth(call, results, 'wss.bye.ends-both', 'callee');
  }
  // a closed tab: the WSS connection goes without an un-REGISTER; its binding must go with it
  await dave.dump();
  phones.splice(phones.indexOf(dave), 1);
  await dave.context.close();
  if (!reg.port) {
    results.check('wss.close.removes-binding', false, 'dave\'s binding port is unknown (see wss.register.binding-on-wss)');
  } else {
    const closed = await edge.child.waitForLine(new RegExp(`connection wss:127\\.0\\.0\\.1:${reg.port} closed: removed \\d+ binding`), 5000);
    results.check('wss.close.removes-binding', Boolean(closed), closed ? `edge: ${closed.slice(closed.indexOf('connection wss:'))}`
      : `no "connection wss:127.0.0.1:${reg.port} closed: removed … binding(s)" from the edge within 5 s of closing dave's page`);
  }
  results.notReached(names, `the call to dave did not get that far (${results.done.get('wss.call.established').detail})`);
}

function escapeRe(s) {
  return String(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ------------------------------------------------------------------ main

async function main() {
  const t0 = Date.now();
  const cfg = loadConfig();
  MEDIA = cfg.media;
  PLAN = PLAN.map((n) => n.replace('rtpengine', MEDIA));
  mkdirSync(cfg.artifacts, { recursive: true });
  const results = new Results(cfg.results);
  let browser = null;
  let sipjsServer = null;
  let aborted = false;
  const phones = [];
  const deadline = setTimeout(() => {
    aborted = true;
    results.finish(`the run passed its ${cfg.deadlineSeconds} s budget`);
    shutdown().then(() => process.exit(3));
  }, cfg.deadlineSeconds * 1000);
  const shutdown = async () => {
    if (browser) await browser.close().catch(() => {});
    if (sipjsServer) sipjsServer.server.close();
    await stopAll();
  };
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => {
      results.finish(`the run was stopped (${sig})`);
      shutdown().then(() => process.exit(4));
    });
  }
  let why = 'an earlier step failed';
  try {
    try {
      const { outfile, version } = await buildJsSip();
      results.check('setup.jssip-bundle', true, `JsSIP ${version} bundled to ${outfile}`);
    } catch (e) {
      results.check('setup.jssip-bundle', false, `esbuild: ${e.message}`);
    }
    const rtpengine = cfg.media === 'rtpengine' ? await startRtpengine(cfg, results) : null;
    const edge = await startEdge(cfg, results, rtpengine);
    if (!edge) {
      why = 'the edge did not start';
      return;
    }
    if (!edge.pageUrl) {
      results.check('setup.demo-page', false, `no "sipedge demo phone:" line after the ready line:\n${edge.child.tail(20)}`);
      why = 'no demo page';
      return;
    }
    sipjsServer = await startStaticServer({
      '/sipjs/': join(HERE, 'pages/sipjs'),
      '/sip.js/lib/': join(HERE, 'node_modules/sip.js/lib'),
    });
    try {
      browser = await chromium.launch({ executablePath: cfg.chromium, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
      results.check('setup.chromium', true, `Chromium ${browser.version()} (headless, fake audio device)`);
    } catch (e) {
      results.check('setup.chromium', false, `cannot start ${cfg.chromium}: ${e.message}`);
      why = 'no browser';
      return;
    }
    const ctx = { cfg, results, edge, browser, phones };
    ctx.alice = await openPhone(browser, `${edge.pageUrl}?user=alice`, 'alice', cfg);
    ctx.bob = await openPhone(browser, `${edge.pageUrl}?user=bob`, 'bob', cfg);
    phones.push(ctx.alice, ctx.bob);
    const lib = await ctx.alice.page.evaluate(() => window.phone.library);
    results.check('setup.demo-page', Boolean(lib), lib ? `${edge.pageUrl} loaded ${lib}` : `${edge.pageUrl}: JsSIP did not load (${edge.pageLine})`);
    ctx.carol = await openPhone(browser, `${sipjsServer.url}/sipjs/`, 'carol', cfg);
    phones.push(ctx.carol);
    why = 'not reached';
    await jssipScenario(ctx);
    await sipjsScenario(ctx);
    await phoneScenario(ctx);
    await uacScenario(ctx);
    await baresipScenario(ctx);
    await wssScenario(ctx);
  } catch (e) {
    why = `the run stopped on an error: ${e.stack || e}`;
    console.error(why);
  } finally {
    for (const p of phones) await p.dump();
    if (!aborted) {
      clearTimeout(deadline);
      results.finish(why);
      await shutdown();
      const failed = [...results.done.values()].filter((r) => !r.ok).length;
      console.log(`e2e: ${results.done.size - failed} of ${results.done.size} checks passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      process.exitCode = failed ? 1 : 0;
    }
  }
}

await main();
