// What the checks read from SDP and from sipp's -trace_msg message file.

/** Messages of a sipp -trace_msg file: { dir: 'in'|'out', text }. */
export function sippMessages(fileText) {
  const out = [];
  for (const block of fileText.split(/^-{10,}[^\n]*\n/m)) {
    const m = /^\s*\S+ message (received|sent)[^\n]*\n\n([\s\S]*)$/.exec(block);
    if (m) out.push({ dir: m[1] === 'received' ? 'in' : 'out', text: m[2].replace(/\n+$/, '\n') });
  }
  return out;
}

/** The body of a SIP message (after the first empty line). */
export function bodyOf(message) {
  const m = /\r?\n\r?\n([\s\S]*)$/.exec(message);
  return m ? m[1] : '';
}

export function audioProtocol(sdp) {
  const m = /^m=audio \d+ (\S+)/m.exec(sdp || '');
  return m ? m[1] : null;
}

/** Why an SDP is not a plain phone's (RTP/AVP, no ICE, no DTLS), or null when it is. */
export function plainProblem(sdp) {
  if (!sdp) return 'no SDP';
  const problems = [];
  const proto = audioProtocol(sdp);
  if (proto !== 'RTP/AVP') problems.push(`m=audio protocol is ${proto}, not RTP/AVP`);
  if (/^a=ice-/m.test(sdp)) problems.push('has a=ice- lines');
  if (/^a=candidate/m.test(sdp)) problems.push('has a=candidate lines');
  if (/^a=fingerprint/m.test(sdp)) problems.push('has a=fingerprint');
  return problems.length ? problems.join('; ') : null;
}

/** Why an SDP is not what a browser needs (UDP/TLS/RTP/SAVPF, candidates, fingerprint), or null when it is. */
export function webrtcProblem(sdp) {
  if (!sdp) return 'no SDP';
  const problems = [];
  const proto = audioProtocol(sdp);
  if (proto !== 'UDP/TLS/RTP/SAVPF') problems.push(`m=audio protocol is ${proto}, not UDP/TLS/RTP/SAVPF`);
  if (!/^a=candidate/m.test(sdp)) problems.push('no a=candidate');
  if (!/^a=fingerprint/m.test(sdp)) problems.push('no a=fingerprint');
  return problems.length ? problems.join('; ') : null;
}

/** Ports of the a=candidate lines. */
export function candidatePorts(sdp) {
  return [...(sdp || '').matchAll(/^a=candidate:\S+ \d+ \S+ \d+ \S+ (\d+) typ/gm)].map((m) => Number(m[1]));
}
