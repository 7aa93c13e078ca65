// The SIP.js side of the browser tests: window.phone with the same methods and state shape as the demo page
// (deploy/war/src/main/webapp/phone/phone.js), built on SIP.js's UserAgent/Registerer/Inviter/Messager API.
import {
  Inviter, Messager, Registerer, RegistererState, SessionState, UserAgent,
} from '/sip.js/lib/index.js';
import { LIBRARY_VERSION } from '/sip.js/lib/version.js';

const AUDIO_ONLY = { constraints: { audio: true, video: false } };
const TRACE_LIMIT = 500;
const state = {
  registration: { state: 'unregistered', status: null, reason: null, cause: null, aor: null },
  call: null,
  calls: [],
  messages: [],
};
const trace = [];
let ua = null;
let registerer = null;
let session = null;
let domain = '127.0.0.1';

const now = () => new Date().toISOString();
const show = (text) => { document.getElementById('status').textContent = text; };

function aor(target) {
  let t = String(target).trim();
  if (!/^sips?:/i.test(t)) t = 'sip:' + t;
  if (!t.includes('@')) t = t + '@' + domain;
  return t;
}

function callIdOf(text) {
  const m = /^(?:Call-ID|i)\s*:\s*(\S+)/im.exec(text);
  return m ? m[1] : null;
}

/** SIP.js reports raw messages only through its logger (traceSip). */
function logConnector(level, category, label, content) {
  if (level === 'error' || level === 'warn') console.warn(`[sip.js ${level} ${category}] ${content}`);
  const m = /^(Sending|Received) WebSocket (?:text )?message:\n\n([\s\S]*)\n$/.exec(content);
  if (!m) return;
  const text = m[2];
  trace.push({ t: now(), dir: m[1] === 'Sending' ? 'out' : 'in', firstLine: text.split('\r\n', 1)[0], text });
  if (trace.length > TRACE_LIMIT) trace.shift();
}

function byeSeen(dir, callId) {
  return trace.some((m) => m.dir === dir && m.firstLine.startsWith('BYE ') && callIdOf(m.text) === callId);
}

async function register({ ws, user, domain: dom, password } = {}) {
  domain = dom || domain;
  const uri = `sip:${user}@${domain}`;
  state.registration = { state: 'registering', status: null, reason: null, cause: null, aor: uri };
  ua = new UserAgent({
    uri: UserAgent.makeURI(uri),
    authorizationUsername: password ? user : undefined,
    authorizationPassword: password || undefined,
    transportOptions: { server: ws, traceSip: true },
    sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] } },
    logBuiltinEnabled: false,
    logConnector,
    userAgentString: `SIP Edge test phone (SIP.js ${LIBRARY_VERSION})`,
    delegate: {
      onInvite: (invitation) => onSession(invitation, 'incoming'),
      onMessage: (message) => {
        const req = message.request;
        state.messages.push({
          dir: 'in', t: now(), peer: req.from.uri.user, from: req.from.uri.toString(), body: req.body,
          contentType: req.getHeader('Content-Type'),
        });
        message.accept();
      },
    },
  });
  try {
    await ua.start();
  } catch (e) {
    state.registration = { ...state.registration, state: 'registration failed', cause: String(e) };
    return { ok: false, cause: `WebSocket ${ws}: ${e}` };
  }
  registerer = new Registerer(ua, { expires: 600 });
  return new Promise((resolve) => {
    registerer.register({
      requestDelegate: {
        onAccept: (res) => {
          const m = res.message;
          state.registration = { state: 'registered', status: m.statusCode, reason: m.reasonPhrase, cause: null, aor: uri };
          show(`registered as ${uri}`);
          resolve({ ok: true, status: m.statusCode, reason: m.reasonPhrase });
        },
        onReject: (res) => {
          const m = res.message;
          state.registration = {
            state: 'registration failed', status: m.statusCode, reason: m.reasonPhrase, cause: 'rejected', aor: uri,
          };
          show(`registration failed: ${m.statusCode} ${m.reasonPhrase}`);
          resolve({ ok: false, status: m.statusCode, reason: m.reasonPhrase, cause: 'rejected' });
        },
      },
    }).catch((e) => resolve({ ok: false, cause: String(e) }));
    registerer.stateChange.addListener((s) => {
      if (s === RegistererState.Unregistered || s === RegistererState.Terminated) {
        state.registration = { ...state.registration, state: 'unregistered' };
      }
    });
  });
}

function onSession(s, direction) {
  if (session && session.state !== SessionState.Terminated) {
    if (direction === 'incoming') s.reject({ statusCode: 486 });
    return;
  }
  session = s;
  const req = s.request;
  const c = {
    direction,
    peer: direction === 'outgoing' ? s.remoteIdentity.uri.user : req.from.uri.user,
    callId: req.callId,
    state: direction === 'outgoing' ? 'calling' : 'ringing',
    status: null, reason: null, cause: null, endedBy: null,
    byeReceived: false, byeSent: false,
    localSdp: null, remoteSdp: direction === 'incoming' ? req.body : null,
    startedAt: now(), confirmedAt: null, endedAt: null,
  };
  state.call = c;
  state.calls.push(c);
  s.delegate = {
    onBye: (bye) => {
      c.byeReceived = true;
      c.endedBy = 'remote';
      c.cause = 'BYE';
      bye.accept();
    },
  };
  s.stateChange.addListener((st) => {
    if (st === SessionState.Establishing && c.state === 'ringing') {
      c.state = 'connecting';
    } else if (st === SessionState.Established) {
      c.state = 'confirmed';
      c.confirmedAt = now();
      const sdh = s.sessionDescriptionHandler;
      const audio = document.getElementById('remote-audio');
      audio.srcObject = sdh.remoteMediaStream;
      audio.play().catch(() => {});
      show(`in call with ${c.peer}`);
    } else if (st === SessionState.Terminated) {
      const failed = c.state !== 'confirmed' && c.state !== 'connecting';
      c.state = failed ? 'failed' : 'ended';
      c.endedAt = now();
      c.endedBy = c.endedBy || 'local';
      c.cause = c.cause || (failed ? 'failed' : 'terminated');
      c.byeReceived = c.byeReceived || byeSeen('in', c.callId);
      c.byeSent = byeSeen('out', c.callId);
      show(`call ${c.state}`);
    }
  });
  return c;
}

function call(target) {
  const inviter = new Inviter(ua, UserAgent.makeURI(aor(target)), { sessionDescriptionHandlerOptions: AUDIO_ONLY });
  const c = onSession(inviter, 'outgoing');
  inviter.invite({
    requestDelegate: {
      onProgress: (res) => {
        if (c.state === 'calling') c.state = 'progress';
        c.status = res.message.statusCode;
        c.reason = res.message.reasonPhrase;
      },
      onAccept: (res) => {
        c.remoteSdp = res.message.body;
        c.status = null;
        c.reason = null;
      },
      onReject: (res) => {
        c.status = res.message.statusCode;
        c.reason = res.message.reasonPhrase;
        c.endedBy = 'remote';
        c.cause = 'rejected';
      },
    },
  }).then(() => {
    c.localSdp = inviter.request.body;
  }).catch((e) => {
    c.state = 'failed';
    c.cause = String(e);
  });
}

function answer() {
  if (!session || state.call.state !== 'ringing') throw new Error('no incoming call to answer');
  session.accept({ sessionDescriptionHandlerOptions: AUDIO_ONLY });
}

function hangup() {
  if (!session) return;
  switch (session.state) {
    case SessionState.Initial:
    case SessionState.Establishing:
      if (session instanceof Inviter) session.cancel(); else session.reject();
      break;
    case SessionState.Established:
      session.bye();
      break;
    default:
  }
}

async function stats() {
  const pc = session && session.sessionDescriptionHandler && session.sessionDescriptionHandler.peerConnection;
  if (!pc) return null;
  const report = await pc.getStats();
  const out = { bytesReceived: 0, packetsReceived: 0, bytesSent: 0, packetsSent: 0, path: null };
  let pair = null;
  report.forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'audio') {
      out.bytesReceived += r.bytesReceived || 0;
      out.packetsReceived += r.packetsReceived || 0;
    } else if (r.type === 'outbound-rtp' && r.kind === 'audio') {
      out.bytesSent += r.bytesSent || 0;
      out.packetsSent += r.packetsSent || 0;
    } else if (r.type === 'transport' && r.selectedCandidatePairId) {
      pair = report.get(r.selectedCandidatePairId);
    }
  });
  if (pair) {
    const l = report.get(pair.localCandidateId);
    const rm = report.get(pair.remoteCandidateId);
    out.path = {
      local: l ? `${l.address}:${l.port}` : null,
      remote: rm ? `${rm.address}:${rm.port}` : null,
      remotePort: rm ? rm.port : null,
    };
  }
  return out;
}

function sendMessage(to, body) {
  const target = aor(to);
  const m = { dir: 'out', t: now(), peer: to, to: target, body, ok: null };
  state.messages.push(m);
  return new Promise((resolve) => {
    new Messager(ua, UserAgent.makeURI(target), body, 'text/plain').message({
      requestDelegate: {
        onAccept: (res) => {
          Object.assign(m, { ok: true, status: res.message.statusCode, reason: res.message.reasonPhrase });
          resolve({ ok: true, status: res.message.statusCode, reason: res.message.reasonPhrase });
        },
        onReject: (res) => {
          Object.assign(m, { ok: false, status: res.message.statusCode, reason: res.message.reasonPhrase });
          resolve({ ok: false, status: res.message.statusCode, reason: res.message.reasonPhrase });
        },
      },
    }).catch((e) => resolve({ ok: false, cause: String(e) }));
  });
}

window.phone = {
  ready: Promise.resolve(),
  library: `SIP.js ${LIBRARY_VERSION}`,
  register,
  call,
  answer,
  hangup,
  sendMessage,
  stats,
  state: () => JSON.parse(JSON.stringify(state)),
  trace,
};
show(`SIP.js ${LIBRARY_VERSION} ready`);
