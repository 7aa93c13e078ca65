// SIP Edge demo phone: JsSIP over WebSocket, one call at a time, chat with SIP MESSAGE.
// The UI buttons and the browser tests drive the same object, window.phone:
//   await phone.register({ ws, user, domain, password })   -> { ok, status, reason, cause }
//   phone.call('bob'); phone.answer(); phone.hangup()
//   await phone.sendMessage('bob', 'hello')                 -> { ok, status, reason, cause }
//   phone.state()  -> { registration, call, calls, messages }  (plain data, safe to hand to a test)
//   await phone.stats() -> { bytesReceived, packetsReceived, bytesSent, path } of the current call's audio
//   phone.trace    -> every SIP message sent and received on the WebSocket, raw
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const AUDIO_ONLY = { audio: true, video: false };
  // no STUN/TURN: the page talks to the edge and its media relay only (SIP.js would default to a public server)
  const PC_CONFIG = { iceServers: [] };
  const TRACE_LIMIT = 500;

  const state = {
    registration: { state: 'unregistered', status: null, reason: null, cause: null, aor: null },
    call: null, // the current or last call record
    calls: [],
    messages: [],
  };
  const trace = [];
  let ua = null;
  let session = null;
  let config = { domain: location.hostname, ws: `ws://${location.hostname}:8080` };

  // ------------------------------------------------------------------ helpers

  function now() {
    return new Date().toISOString();
  }

  function aor(target, domain) {
    let t = String(target).trim();
    if (!/^sips?:/i.test(t)) {
      t = 'sip:' + t;
    }
    if (!t.includes('@')) {
      t = t + '@' + domain;
    }
    return t;
  }

  function record(dir, text) {
    const firstLine = String(text).split('\r\n', 1)[0];
    trace.push({ t: now(), dir, firstLine, text: String(text) });
    if (trace.length > TRACE_LIMIT) {
      trace.shift();
    }
    $('trace-count').textContent = String(trace.length);
    const log = $('trace-log');
    log.textContent += `${dir === 'out' ? '>>>' : '<<<'} ${now()}\n${String(text).replace(/\r\n/g, '\n')}\n`;
  }

  function callIdOf(text) {
    const m = /^(?:Call-ID|i)\s*:\s*(\S+)/im.exec(text);
    return m ? m[1] : null;
  }

  /** A JsSIP WebSocket socket whose traffic is copied to the trace (JsSIP has no raw-message event). */
  function tracedSocket(url) {
    const socket = new JsSIP.WebSocketInterface(url);
    const send = socket.send.bind(socket);
    socket.send = (message) => {
      record('out', message);
      return send(message);
    };
    let ondata = () => {};
    Object.defineProperty(socket, 'ondata', {
      configurable: true,
      get: () => (data) => {
        record('in', data);
        ondata(data);
      },
      set: (fn) => {
        ondata = fn;
      },
    });
    return socket;
  }

  function snapshot() {
    return JSON.parse(JSON.stringify(state));
  }

  // ------------------------------------------------------------------ view

  function render() {
    const r = state.registration;
    $('reg-state').textContent = r.state + (r.aor ? ` as ${r.aor}` : '') + (r.status ? ` (${r.status} ${r.reason})` : '');
    $('reg-state').dataset.state = r.state;
    const registered = r.state === 'registered';
    $('register').disabled = registered;
    $('unregister').disabled = !ua;
    const c = state.call;
    const live = c && !['ended', 'failed'].includes(c.state);
    $('dial').disabled = !registered || live;
    $('answer').disabled = !(c && c.state === 'ringing');
    $('hangup').disabled = !live;
    $('send').disabled = !registered;
    $('call-state').textContent = c ? c.state : 'idle';
    $('call-state').dataset.state = c ? c.state : 'idle';
    $('call-peer').textContent = c ? `${c.direction === 'outgoing' ? 'to' : 'from'} ${c.peer}` : '';
    $('call-cause').textContent = c && c.cause ? `${c.endedBy ? 'ended by ' + c.endedBy + ': ' : ''}${c.cause}`
      + (c.status ? ` (${c.status} ${c.reason})` : '') : '';
    const list = $('messages');
    list.replaceChildren(...state.messages.map((m) => {
      const li = document.createElement('li');
      li.className = m.dir;
      const who = document.createElement('span');
      who.className = 'who';
      who.textContent = (m.dir === 'out' ? `to ${m.peer}` : `from ${m.peer}`)
        + (m.dir === 'out' ? ` · ${m.ok === null ? 'sending' : m.ok ? 'delivered' : 'failed ' + (m.status || m.cause)}` : '');
      li.append(who, document.createTextNode(m.body));
      return li;
    }));
    list.scrollTop = list.scrollHeight;
  }

  // ------------------------------------------------------------------ registration

  function register({ ws, user, domain, password } = {}) {
    if (typeof JsSIP === 'undefined') {
      return Promise.resolve({ ok: false, cause: 'JsSIP bundle not loaded' });
    }
    if (ua) {
      ua.stop();
    }
    const url = ws || config.ws;
    const dom = domain || config.domain;
    const uri = `sip:${user}@${dom}`;
    state.registration = { state: 'registering', status: null, reason: null, cause: null, aor: uri };
    render();
    ua = new JsSIP.UA({
      sockets: [tracedSocket(url)],
      uri,
      password: password || undefined,
      register: true,
      register_expires: 600,
      session_timers: false,
      user_agent: `SIP Edge demo phone (JsSIP ${JsSIP.version})`,
    });
    ua.on('newRTCSession', (e) => onNewSession(e));
    ua.on('newMessage', (e) => {
      if (e.originator !== 'remote') {
        return;
      }
      const req = e.request;
      state.messages.push({
        dir: 'in', t: now(), peer: req.from.uri.user || req.from.uri.toString(), from: req.from.uri.toString(),
        body: req.body, contentType: req.getHeader('Content-Type'),
      });
      render();
    });
    const outcome = new Promise((resolve) => {
      ua.on('registered', (e) => {
        state.registration = {
          state: 'registered', status: e.response.status_code, reason: e.response.reason_phrase, cause: null, aor: uri,
        };
        render();
        resolve({ ok: true, status: e.response.status_code, reason: e.response.reason_phrase });
      });
      ua.on('registrationFailed', (e) => {
        const status = e.response ? e.response.status_code : null;
        const reason = e.response ? e.response.reason_phrase : null;
        state.registration = { state: 'registration failed', status, reason, cause: e.cause, aor: uri };
        render();
        resolve({ ok: false, status, reason, cause: e.cause });
      });
      ua.on('disconnected', (e) => {
        if (state.registration.state === 'registering') {
          state.registration = {
            state: 'registration failed', status: null, reason: null,
            cause: `WebSocket closed (code ${e.code})`, aor: uri,
          };
          render();
          resolve({ ok: false, cause: `WebSocket to ${url} closed (code ${e.code})` });
        }
      });
    });
    ua.on('unregistered', () => {
      state.registration = { ...state.registration, state: 'unregistered' };
      render();
    });
    ua.start();
    return outcome;
  }

  function unregister() {
    if (ua) {
      ua.stop();
      ua = null;
    }
    state.registration = { ...state.registration, state: 'unregistered' };
    render();
  }

  // ------------------------------------------------------------------ calls

  function onNewSession(e) {
    const s = e.session;
    if (session && !session.isEnded() && s !== session) {
      s.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      return;
    }
    session = s;
    const req = e.request;
    const c = {
      direction: e.originator === 'local' ? 'outgoing' : 'incoming',
      peer: s.remote_identity.uri.user || s.remote_identity.uri.toString(),
      callId: req.call_id,
      state: e.originator === 'local' ? 'calling' : 'ringing',
      status: null, reason: null, cause: null, endedBy: null,
      byeReceived: false, byeSent: false,
      localSdp: null, remoteSdp: e.originator === 'remote' ? req.body : null,
      startedAt: now(), confirmedAt: null, endedAt: null,
    };
    state.call = c;
    state.calls.push(c);
    const update = (fields) => {
      Object.assign(c, fields);
      render();
    };
    s.on('sdp', (ev) => {
      if (ev.originator === 'remote') {
        c.remoteSdp = ev.sdp;
      } else {
        c.localSdp = ev.sdp;
      }
    });
    if (s.connection) {
      attachMedia(s.connection);
    }
    s.on('peerconnection', (ev) => attachMedia(ev.peerconnection));
    s.on('progress', (ev) => {
      if (c.direction === 'outgoing' && ev.response) {
        update({ state: 'progress', status: ev.response.status_code, reason: ev.response.reason_phrase });
      }
    });
    s.on('accepted', (ev) => {
      if (ev.response && ev.response.body) {
        c.remoteSdp = ev.response.body;
      }
      update({ state: 'connecting', status: null, reason: null });
    });
    s.on('confirmed', () => update({ state: 'confirmed', confirmedAt: now() }));
    s.on('ended', (ev) => {
      update({
        state: 'ended', endedBy: ev.originator, cause: ev.cause, endedAt: now(),
        byeReceived: c.byeReceived || byeSeen('in', c.callId), byeSent: byeSeen('out', c.callId),
      });
    });
    s.on('failed', (ev) => {
      const res = ev.message && ev.message.status_code ? ev.message : null;
      update({
        state: 'failed', endedBy: ev.originator, cause: ev.cause, endedAt: now(),
        status: res ? res.status_code : null, reason: res ? res.reason_phrase : null,
      });
    });
    render();
  }

  function byeSeen(dir, callId) {
    return trace.some((m) => m.dir === dir && m.firstLine.startsWith('BYE ') && callIdOf(m.text) === callId);
  }

  function attachMedia(pc) {
    pc.addEventListener('track', (ev) => {
      const audio = $('remote-audio');
      audio.srcObject = ev.streams[0] || new MediaStream([ev.track]);
      audio.play().catch(() => {}); // autoplay may be refused without a click; media still flows
    });
  }

  function call(target) {
    if (!ua || state.registration.state !== 'registered') {
      throw new Error('not registered');
    }
    $('target').value = String(target); // calls started from code show up in the form too
    ua.call(aor(target, config.domain), {
      mediaConstraints: AUDIO_ONLY,
      pcConfig: PC_CONFIG,
      rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
    });
  }

  function answer() {
    if (!session || state.call.state !== 'ringing') {
      throw new Error('no incoming call to answer');
    }
    session.answer({ mediaConstraints: AUDIO_ONLY, pcConfig: PC_CONFIG });
  }

  function hangup() {
    if (session && !session.isEnded()) {
      session.terminate();
    }
  }

  async function stats() {
    const pc = session && session.connection;
    if (!pc) {
      return null;
    }
    const report = await pc.getStats();
    const out = { bytesReceived: 0, packetsReceived: 0, bytesSent: 0, packetsSent: 0, path: null };
    let pair = null;
    report.forEach((r) => {
      if (r.type === 'inbound-rtp' && (r.kind || r.mediaType) === 'audio') {
        out.bytesReceived += r.bytesReceived || 0;
        out.packetsReceived += r.packetsReceived || 0;
      } else if (r.type === 'outbound-rtp' && (r.kind || r.mediaType) === 'audio') {
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
        local: l ? `${l.address || l.ip}:${l.port}` : null,
        remote: rm ? `${rm.address || rm.ip}:${rm.port}` : null,
        remotePort: rm ? rm.port : null,
      };
    }
    return out;
  }

  // ------------------------------------------------------------------ chat

  function sendMessage(to, body) {
    if (!ua || state.registration.state !== 'registered') {
      return Promise.resolve({ ok: false, cause: 'not registered' });
    }
    const target = aor(to, config.domain);
    const m = { dir: 'out', t: now(), peer: String(to).replace(/^sips?:/, '').split('@')[0], to: target, body, ok: null };
    state.messages.push(m);
    render();
    return new Promise((resolve) => {
      ua.sendMessage(target, body, {
        contentType: 'text/plain',
        eventHandlers: {
          succeeded: (e) => {
            Object.assign(m, { ok: true, status: e.response.status_code, reason: e.response.reason_phrase });
            render();
            resolve({ ok: true, status: e.response.status_code, reason: e.response.reason_phrase });
          },
          failed: (e) => {
            const status = e.response ? e.response.status_code : null;
            const reason = e.response ? e.response.reason_phrase : null;
            Object.assign(m, { ok: false, status, reason, cause: e.cause });
            render();
            resolve({ ok: false, status, reason, cause: e.cause });
          },
        },
      });
    });
  }

  // ------------------------------------------------------------------ wiring

  async function loadConfig() {
    try {
      const res = await fetch('config.json', { cache: 'no-store' });
      if (res.ok) {
        config = { ...config, ...(await res.json()) };
      }
    } catch (e) {
      // served elsewhere: keep the defaults
    }
    const params = new URLSearchParams(location.search);
    $('ws-url').value = params.get('ws') || config.ws;
    $('domain').value = params.get('domain') || config.domain;
    $('user').value = params.get('user') || '';
  }

  $('register-form').addEventListener('submit', (e) => {
    e.preventDefault();
    register({ ws: $('ws-url').value, user: $('user').value, domain: $('domain').value, password: $('password').value });
  });
  $('unregister').addEventListener('click', unregister);
  $('call-form').addEventListener('submit', (e) => {
    e.preventDefault();
    call($('target').value);
  });
  $('answer').addEventListener('click', answer);
  $('hangup').addEventListener('click', hangup);
  $('chat-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const to = $('chat-to').value || (state.call && state.call.peer) || $('target').value;
    sendMessage(to, $('chat-text').value);
    $('chat-text').value = '';
  });

  setInterval(async () => {
    const c = state.call;
    if (!c || ['ended', 'failed'].includes(c.state)) {
      return;
    }
    const s = await stats();
    if (s) {
      $('bytes-in').textContent = `${s.bytesReceived.toLocaleString()} bytes (${s.packetsReceived} packets)`;
      $('bytes-out').textContent = `${s.bytesSent.toLocaleString()} bytes (${s.packetsSent} packets)`;
      $('media-path').textContent = s.path ? `${s.path.local} ⇄ ${s.path.remote}` : 'ICE not connected';
    }
  }, 1000);

  $('lib').textContent = typeof JsSIP === 'undefined' ? $('lib').textContent : `JsSIP ${JsSIP.version}`;
  const ready = loadConfig().then(render);

  window.phone = {
    ready,
    library: typeof JsSIP === 'undefined' ? null : `JsSIP ${JsSIP.version}`,
    register,
    unregister,
    call,
    answer,
    hangup,
    sendMessage,
    stats,
    state: snapshot,
    trace,
    config: () => ({ ...config }),
  };
})();
