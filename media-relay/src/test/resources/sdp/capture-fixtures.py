#!/usr/bin/env python3
"""Writes the SDP rewrite fixtures in daemon/ from the real rtpengine (10.5.3.5 on Debian 12).

Each fixture is a directory:
  input.sdp        the SDP sent with the offer/answer (bytes as sent)
  offer.sdp        answers only: the SDP of the offer that preceded it (as sent)
  expected.sdp     the SDP rtpengine replied with (bytes as received)
  case.properties  description, source, the ng options sent (JSON), the same as RewriteOptions words, and the
                   relay side per m= line as rtpengine chose it (port, a=rtcp port, a=rtcp-mux), read from
                   expected.sdp so that the Java rewrite can be compared byte for byte.

Cases named t<NN>-<EE>-... are copied from the captured transcripts in
the reference capture's raw/ directory (--raw DIR; nothing is sent for them); cases named x-... are experiments sent to an
rtpengine this script starts on loopback and stops by PID:

  python3 capture-fixtures.py --ng-port 47311 --ports 51200-51599

Only traffic to 127.0.0.1. The relay address in every fixture is 127.0.0.1 (both daemons used
--interface=127.0.0.1); callers use 127.0.0.2-4.
"""
import argparse, json, os, random, re, shutil, socket, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'daemon')
RAW = os.environ.get('RTPENGINE_NG_RAW', 'raw')  # the reference capture's raw/ datagrams (--raw overrides)
RELAY = '127.0.0.1'

# ---------------------------------------------------------------- bencode / ng
def benc(v):
    if isinstance(v, int): return b'i%de' % v
    if isinstance(v, str): v = v.encode('latin-1')
    if isinstance(v, bytes): return b'%d:' % len(v) + v
    if isinstance(v, list): return b'l' + b''.join(benc(x) for x in v) + b'e'
    if isinstance(v, dict): return b'd' + b''.join(benc(k) + benc(x) for k, x in v.items()) + b'e'
    raise TypeError(v)

def bdec(b, i=0):
    c = b[i:i + 1]
    if c == b'i':
        j = b.index(b'e', i); return int(b[i + 1:j]), j + 1
    if c == b'l':
        i += 1; out = []
        while b[i:i + 1] != b'e':
            v, i = bdec(b, i); out.append(v)
        return out, i + 1
    if c == b'd':
        i += 1; out = {}
        while b[i:i + 1] != b'e':
            k, i = bdec(b, i); v, i = bdec(b, i); out[k.decode('latin-1')] = v
        return out, i + 1
    j = b.index(b':', i); n = int(b[i:j])
    return b[j + 1:j + 1 + n], j + 1 + n  # strings stay bytes

def datagram_dict(data):
    return bdec(data[data.index(b' ') + 1:])[0]

class Daemon:
    def __init__(self, port, ports):
        lo, hi = ports.split('-')
        self.port = port
        self.proc = subprocess.Popen(['rtpengine', '--config-file=none', '--table=-1', '--interface=' + RELAY,
                                      '--listen-ng=127.0.0.1:%d' % port, '--port-min=' + lo, '--port-max=' + hi,
                                      '--foreground', '--log-stderr', '--log-level=5', '--delete-delay=0'],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            try:
                if self.ng({'command': 'ping'}).get('result') == b'pong': return
            except OSError:
                time.sleep(0.1)
        raise SystemExit('rtpengine did not answer ping')

    def ng(self, d):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
        cookie = b'fx%d' % random.randint(0, 1 << 30)
        s.sendto(cookie + b' ' + benc(d), ('127.0.0.1', self.port))
        return datagram_dict(s.recv(65535))

    def stop(self):
        self.proc.terminate(); self.proc.wait(5)

# ---------------------------------------------------------------- options
def option_words(d):
    """The RewriteOptions words for an ng dictionary, as rtpengine 10.5 understands it (unknown flags ignored)."""
    w = []
    replace = d.get('replace', [])
    if isinstance(replace, list):
        if 'origin' in replace: w.append('replaceOrigin')
        if 'session-connection' in replace: w.append('replaceSessionConnection')
    tp = d.get('transport-protocol')
    if tp in ('RTP/AVP', 'RTP/AVPF', 'RTP/SAVP', 'RTP/SAVPF', 'UDP/TLS/RTP/SAVP', 'UDP/TLS/RTP/SAVPF'):
        w.append('transportProtocol=' + tp)
    if d.get('ICE') == 'remove': w.append('iceRemove')
    strip, mask, except_ = [], [], []
    flags = d.get('flags', [])
    for f in flags if isinstance(flags, list) else []:
        f = f.replace(' ', '-')
        simple = {'generate-mid': 'generateMid', 'strip-extmap': 'stripExtmap', 'no-rtcp-attribute': 'noRtcpAttribute',
                  'full-rtcp-attribute': 'fullRtcpAttribute', 'original-sendrecv': 'originalSendrecv',
                  'SDES-off': 'sdesOff'}
        if f in simple: w.append(simple[f])
        elif f.startswith('codec-strip-'): strip.append(f[len('codec-strip-'):])
        elif f.startswith('codec-mask-'): mask.append(f[len('codec-mask-'):])
        elif f.startswith('codec-except-'): except_.append(f[len('codec-except-'):])
    if isinstance(d.get('SDES'), list) and 'off' in d['SDES'] and 'sdesOff' not in w: w.append('sdesOff')
    if strip: w.append('codecStrip=' + ','.join(strip))
    if mask: w.append('codecMask=' + ','.join(mask))
    if except_: w.append('codecExcept=' + ','.join(except_))
    return ' '.join(w)

def local_media(expected):
    """The relay side of each m= line as the daemon chose it: 'ADDR FAMILY RTP RTCP [mux]' or 'rejected'."""
    out, cur = [], None
    for line in re.split(r'\r?\n', expected.decode('latin-1')):
        if line.startswith('m='):
            if cur: out.append(cur)
            port = int(line.split(' ')[1].split('/')[0])
            cur = {'port': port, 'rtcp': None, 'mux': False}
        elif cur and line.startswith('a=rtcp:') and cur['rtcp'] is None:
            cur['rtcp'] = int(line[len('a=rtcp:'):].split(' ')[0])
        elif cur and line == 'a=rtcp-mux':
            cur['mux'] = True
    if cur: out.append(cur)
    lines = []
    for m in out:
        if m['port'] == 0:
            lines.append('rejected')
        else:
            rtcp = m['rtcp'] if m['rtcp'] is not None else m['port'] + 1
            lines.append('%s IP4 %d %d%s' % (RELAY, m['port'], rtcp, ' mux' if m['mux'] else ''))
    return lines

def write_case(name, description, source, command, sent, received_sdp, offer_sdp=None, ignore=None):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, 'input.sdp'), 'wb').write(sent['sdp'])
    open(os.path.join(d, 'expected.sdp'), 'wb').write(received_sdp)
    if offer_sdp is not None:
        open(os.path.join(d, 'offer.sdp'), 'wb').write(offer_sdp)
    ng = {k: (v.decode('latin-1') if isinstance(v, bytes) else v) for k, v in sent.items() if k != 'sdp'}
    ng = json.loads(json.dumps(ng, default=lambda b: b.decode('latin-1')))
    props = ['# ' + description, 'description=' + description, 'source=' + source, 'command=' + command,
             'ng=' + json.dumps(ng, sort_keys=False), 'options=' + option_words(ng)]
    for i, l in enumerate(local_media(received_sdp), 1):
        props.append('local.%d=%s' % (i, l))
    if ignore:
        props.append('# lines of expected.sdp rtpengine writes and this package deliberately does not (see why)')
        props.append('ignoreExpected=' + ignore[0])
        props.append('ignoreWhy=' + ignore[1])
    open(os.path.join(d, 'case.properties'), 'w').write('\n'.join(props) + '\n')

# ---------------------------------------------------------------- transcript cases
def raw(name, n):
    s = open(os.path.join(RAW, '%s-%02d-sent.bin' % (name, n)), 'rb').read()
    r = open(os.path.join(RAW, '%s-%02d-recv.bin' % (name, n)), 'rb').read()
    return datagram_dict(s), datagram_dict(r)

def decode_dict(d):
    return {k: (v.decode('latin-1') if isinstance(v, bytes) and k != 'sdp' else
                [x.decode('latin-1') if isinstance(x, bytes) else x for x in v] if isinstance(v, list) else v)
            for k, v in d.items()}

WEBRTC_GENERATED = ('^a=(crypto|setup|fingerprint|ice-ufrag|ice-pwd|candidate):.*',
                    'rtpengine generates its own SDES keys, DTLS fingerprint and ICE credentials/candidates; '
                    'that is the later SRTP/ICE termination task, this package drops the peer\'s and writes none')

TRANSCRIPT_CASES = [
    # (fixture, transcript, exchange, offer exchange for answers or None, description, ignore)
    ('t02-01-offer-replace-origin-and-connection', '02-plain-call', 1, None,
     'plain offer with trust-address and replace origin+session-connection', None),
    ('t02-02-answer-replace-origin-and-connection', '02-plain-call', 2, 1,
     'plain answer with the same options', None),
    ('t02-12-offer-minimal-keys', '02-plain-call', 12, None, 'offer with only the required keys: o= kept', None),
    ('t02-13-answer-minimal-keys', '02-plain-call', 13, 12, 'answer with only the required keys', None),
    ('t04-01-offer-webrtc-to-plain', '04-ws-uac-only', 1, None,
     'Chrome offer to a plain phone: RTP/AVP, ICE remove, rtcp-mux demux; extmap/msid/ssrc/mid/rtcp-fb kept', None),
    ('t05-01-offer-plain-to-webrtc', '05-ws-uas-only', 1, None,
     'plain offer to a browser: UDP/TLS/RTP/SAVPF, generate-mid, rtcp-mux offer', WEBRTC_GENERATED),
    ('t05-02-answer-webrtc-to-plain', '05-ws-uas-only', 2, 1,
     'Chrome answer to a plain caller: offer\'s protocol is overridden by RTP/AVP, a=mid dropped (the offer had '
     'none), a=ptime from the offer', None),
    ('t06-01-offer-avp-ice-remove', '06-ws-neither', 1, None,
     'plain offer with transport-protocol RTP/AVP, replace, ICE remove', None),
    ('t06-02-answer-avp-ice-remove', '06-ws-neither', 2, 1, 'plain answer, same options', None),
    ('t06-05-offer-registrar-words-ignored', '06-ws-neither', 5, None,
     'registrar words raw in flags: rtpengine ignores them, o= not replaced', None),
    ('t07-20-offer-bare-lf', '07-errors', 20, None,
     'bare LF: untouched and edited lines keep LF, lines rtpengine writes get CRLF', None),
    ('t07-25-offer-webrtc-defaults', '07-errors', 25, None,
     'Chrome offer without options (rtpp-flags ignored): BUNDLE, a=rtcp:9 and ICE dropped, order of the rest',
     WEBRTC_GENERATED),
    ('t08-01-offer-fork-branch-1', '08-fork-and-tags', 1, None, 'forked offer branch 1', None),
    ('t08-05-answer-fork-branch-2', '08-fork-and-tags', 5, 2, 'answer of fork branch 2', None),
    ('t08-22-offer-reinvite-from-callee', '08-fork-and-tags', 22, None, 're-INVITE offer from the callee', None),
    ('t08-23-answer-reinvite-from-caller', '08-fork-and-tags', 23, 22, 'answer to the callee\'s re-INVITE', None),
    ('t11-01-offer-relay', '11-relay', 1, None, 'offer of the relay test', None),
    ('t11-07-answer-pcmu-only', '11-relay', 7, 6, 'answer with only PCMU (offer had 0 8 101)', None),
    ('t12-02-answer-learning', '12-learning', 2, 1, 'answer of the learning test', None),
    ('t14-01-offer-webrtc-baseline', '14-flag-tokens', 1, None, 'Chrome offer without flags', WEBRTC_GENERATED),
]

def transcript_fixtures():
    for name, transcript, ex, offer_ex, desc, ignore in TRANSCRIPT_CASES:
        sent, recv = raw(transcript, ex)
        offer = raw(transcript, offer_ex)[0]['sdp'] if offer_ex else None
        write_case(name, desc, 'transcript %s exchange %d (rtpengine 10.5.3.5, raw/ datagrams)' % (transcript, ex),
                   decode_dict(sent)['command'], decode_dict(sent), recv['sdp'], offer, ignore)
    # per-flag effects captured on the Chrome SDP (transcript 14): find the exchange of each flag
    wanted = {'strip-extmap', 'no-rtcp-attribute', 'full-rtcp-attribute', 'original-sendrecv', 'codec-strip-PCMA',
              'codec-mask-opus', 'codec-except-PCMU', 'generate-mid', 'SDES-off'}
    n = 1
    while os.path.exists(os.path.join(RAW, '14-flag-tokens-%02d-sent.bin' % n)):
        sent, recv = raw('14-flag-tokens', n)
        flags = [f.decode('latin-1') for f in sent.get('flags', [])]
        if sent.get('command') == b'offer' and len(flags) == 1 and flags[0] in wanted and 'sdp' in recv:
            write_case('t14-%02d-offer-webrtc-%s' % (n, flags[0].lower()), 'Chrome offer with flag ' + flags[0],
                       'transcript 14-flag-tokens exchange %d (rtpengine 10.5.3.5, raw/ datagrams)' % n, 'offer',
                       decode_dict(sent), recv['sdp'], None, WEBRTC_GENERATED)
        n += 1

# ---------------------------------------------------------------- experiments
def crlf(s): return s.replace('\r\n', '\n').replace('\n', '\r\n')

H = 'v=0\no=alice 1 1 IN IP4 127.0.0.2\ns=-\nc=IN IP4 127.0.0.2\nt=0 0\n'
HB = 'v=0\no=bob 2 2 IN IP4 127.0.0.3\ns=-\nc=IN IP4 127.0.0.3\nt=0 0\n'
CODECS = ('m=audio 40000 RTP/AVP 0 8 9 96 101\na=rtpmap:96 opus/48000/2\na=fmtp:96 useinbandfec=1\n'
          'a=rtcp-fb:96 nack\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-16\na=extmap:1 urn:x\n')
CHROME_CODECS = ('m=audio 40000 RTP/AVP 111 63 9 0 13 110 126\na=rtpmap:111 opus/48000/2\n'
                 'a=rtpmap:63 red/48000/2\na=fmtp:63 111/111\na=rtpmap:110 telephone-event/48000\n'
                 'a=rtpmap:126 telephone-event/8000\n')
ICE = ('a=ice-ufrag:abcd\na=ice-pwd:0123456789012345678901\na=ice-options:trickle\n'
       'a=candidate:1 1 UDP 2130706431 127.0.0.2 40000 typ host\n'
       'a=candidate:1 2 UDP 2130706430 127.0.0.2 40001 typ host\na=end-of-candidates\n')
CRYPTO = 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\n'
DTLS = ('a=setup:actpass\na=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:'
        '34:8E:5E:EA:6F:AF:52:CE:E6:0F\na=tls-id:abc123\n')
UNKNOWN_PT = ('^a=rtpmap:[0-9]+ /0$', 'rtpengine writes "a=rtpmap:PT /0" for a payload type nobody named (no rtpmap, '
              'not in its static table); this package writes no rtpmap for it')

# (name, description, sdp, options, answer: None or (answer sdp, answer options), ignore, raw_sdp)
EXPERIMENTS = [
    ('x-session-c-kept-when-every-media-has-c', 'session c= untouched when every m= has its own c= and no '
     'replace-session-connection; media c= rewritten',
     H + 'm=audio 40000 RTP/AVP 0 8\nc=IN IP4 127.0.0.2\na=ptime:20\nm=video 40002 RTP/AVP 96\nc=IN IP4 127.0.0.2\n'
     'a=rtpmap:96 H264/90000\n', {}),
    ('x-session-c-replaced-with-flag', 'same SDP with replace-session-connection: session c= rewritten',
     H + 'm=audio 40000 RTP/AVP 0 8\nc=IN IP4 127.0.0.2\nm=video 40002 RTP/AVP 96\nc=IN IP4 127.0.0.2\n'
     'a=rtpmap:96 H264/90000\n', {'replace': ['session-connection']}),
    ('x-no-session-c', 'no session c=: stays absent; media c= rewritten',
     H.replace('c=IN IP4 127.0.0.2\n', '') + 'm=audio 40000 RTP/AVP 0\nc=IN IP4 127.0.0.2\n',
     {'replace': ['session-connection', 'origin']}),
    ('x-hold-zero-address', 'c=0.0.0.0 stays 0.0.0.0 and the direction loses receiving (sendrecv->sendonly, '
     'recvonly->inactive); a section with its own real c= is not on hold',
     H.replace('c=IN IP4 127.0.0.2', 'c=IN IP4 0.0.0.0') + 'm=audio 40000 RTP/AVP 0\na=sendrecv\n'
     'm=audio 40002 RTP/AVP 0\na=recvonly\nm=audio 40004 RTP/AVP 0\nc=IN IP4 127.0.0.2\na=recvonly\n'
     'm=audio 40006 RTP/AVP 0\nc=IN IP4 0.0.0.0\n', {'replace': ['session-connection', 'origin']}),
    ('x-directions', 'sendonly, recvonly, inactive regenerated after the codecs; none means sendrecv',
     H + 'm=audio 40000 RTP/AVP 0\na=sendonly\nm=audio 40002 RTP/AVP 0\na=recvonly\nm=audio 40004 RTP/AVP 0\n'
     'a=inactive\nm=audio 40006 RTP/AVP 0\n', {}),
    ('x-session-direction', 'session-level a=sendonly dropped and applied to the media without their own',
     H + 'a=sendonly\nm=audio 40000 RTP/AVP 0\nm=audio 40002 RTP/AVP 0\na=recvonly\n', {}),
    ('x-session-direction-original-sendrecv', 'original-sendrecv: direction lines stay where they were, none '
     'is written',
     H + 'a=sendonly\nm=audio 40000 RTP/AVP 0\nm=audio 40002 RTP/AVP 0\na=recvonly\na=ptime:20\n',
     {'flags': ['original-sendrecv']}),
    ('x-static-payload-types', 'a=rtpmap written for rtpengine\'s static payload types (11 is L16/44100/2), an '
     'a=rtpmap of the SDP wins and is normalised (PCMU/8000/1 -> PCMU/8000)',
     H + 'm=audio 40000 RTP/AVP 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 25 26 28 31 32 33 34 35 96 '
     '97 127\na=rtpmap:96 opus/48000/2\na=rtpmap:127 PCMU/8000/1\n', {}, None, UNKNOWN_PT),
    ('x-rtpmap-variants', 'rtpmap case kept, /1 dropped, unknown name for a static PT kept, an unreadable '
     'a=rtpmap stays in place, first a=mid wins, ptime moved last',
     H + 'm=audio 40000 RTP/AVP 0 8 96 97\na=rtpmap:0 pcmu/8000/1\na=rtpmap:8 foo/8000\na=rtpmap:96 broken\n'
     'a=rtpmap:97 AMR/8000/1\na=fmtp:97 octet-align=1\na=ptime:30\na=mid:one\na=mid:two\n', {}, None, UNKNOWN_PT),
    ('x-rejected-media', 'port 0: m= line kept with its formats, c= rewritten, b= and unknown attributes kept, '
     'a=mid moved last; codec, direction, rtcp, ptime lines dropped and not written',
     H + 'm=audio 40000 RTP/AVP 0\na=mid:a\nm=video 0 RTP/AVP 96\nc=IN IP4 127.0.0.2\nb=AS:500\n'
     'a=rtpmap:96 H264/90000\na=mid:v\na=x-foo:bar\na=sendonly\na=rtcp-mux\na=ptime:20\n'
     'a=fmtp:96 profile-level-id=42e01f\n', {}),
    ('x-rejected-media-generate-mid', 'generate-mid writes a=mid:<index> where there is none, also on a rejected '
     'line; an existing a=mid is kept',
     H + 'm=audio 40000 RTP/AVP 0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\nm=audio 40004 RTP/AVP 8\n'
     'a=mid:zz\n', {'flags': ['generate-mid']}),
    ('x-generate-mid-duplicates', 'generate-mid uses the index even when another section already has that mid',
     H + 'm=audio 40000 RTP/AVP 0\nm=video 40002 RTP/AVP 96\na=rtpmap:96 VP8/90000\na=mid:1\n'
     'm=audio 40004 RTP/AVP 8\n', {'flags': ['generate-mid']}),
    ('x-rtcp-attributes', 'input a=rtcp (with address, unreadable, equal to the RTP port) and a=rtcp-mux are '
     'dropped; the relay writes a=rtcp:PORT (+a=rtcp-mux when the sender offered mux, or a=rtcp == RTP port)',
     H + 'm=audio 40000 RTP/AVP 0\na=rtcp-mux\na=rtcp:40001\nm=audio 40002 RTP/AVP 0\n'
     'a=rtcp:40009 IN IP4 127.0.0.9\nm=audio 40004 RTP/AVP 0\na=rtcp:abc\nm=audio 40006 RTP/AVP 0\na=rtcp:40006\n',
     {}),
    ('x-attribute-order', 'unknown and uninterpreted lines keep their place (i=, b=, maxptime, silenceSupp, label, '
     'content, rtcp-fb:*, extmap); then mid, codecs, direction, rtcp, ptime, end-of-candidates; rtpmap/fmtp of '
     'payload types not in m= dropped; session group:LS kept, BUNDLE dropped',
     H + 'a=x-sess:1\na=group:LS 1 2\na=group:BUNDLE 1\na=extmap-allow-mixed\nm=audio 40000 RTP/AVP 0 101\n'
     'i=media title\nb=AS:64\na=ptime:20\na=maxptime:40\na=rtpmap:101 telephone-event/8000\n'
     'a=silenceSupp:off - - - -\na=label:1\na=content:main\na=rtcp-fb:* nack\na=rtcp-fb:101 foo\na=extmap:1 urn:x\n'
     'a=fmtp:101 0-15\na=sendrecv\na=x-custom\na=end-of-candidates\na=rtpmap:102 unused/8000\na=fmtp:103 nothing\n'
     'a=mid:m1\n', {}),
    ('x-attribute-names-case-sensitive', 'a=SENDONLY, a=Ptime, a=RTCP-MUX are unknown attributes to rtpengine: '
     'passed through, and a=sendrecv is written',
     H + 'm=audio 40000 RTP/AVP 0 8\na=SENDONLY\na=Ptime:30\na=RTCP-MUX\n', {}),
    ('x-ice-removed', 'ICE=remove on a plain SDP with ICE: candidates, credentials, options dropped; '
     'a=end-of-candidates is still written at the end (rtpengine does so)',
     H + 'm=audio 40000 RTP/AVP 0\n' + ICE, {'ICE': 'remove'}),
    ('x-session-ice-removed', 'session-level ice-lite/ufrag/pwd and media remote-candidates/ice-mismatch dropped',
     H.replace('t=0 0', 't=0 0\na=ice-lite\na=ice-ufrag:abcd\na=ice-pwd:0123456789012345678901') +
     'm=audio 40000 RTP/AVP 0\na=remote-candidates:1 127.0.0.2 40000\na=ice-mismatch\n', {'ICE': 'remove'}),
    ('x-ice-default-not-generated', 'ICE in the SDP without ICE=remove: rtpengine writes its own ICE',
     H + 'm=audio 40000 RTP/AVP 0\n' + ICE, {}, None, WEBRTC_GENERATED),
    ('x-crypto-to-avp', 'RTP/AVP with a=crypto and transport-protocol RTP/AVP: crypto dropped',
     H + 'm=audio 40000 RTP/AVP 0\n' + CRYPTO, {'transport-protocol': 'RTP/AVP'}),
    ('x-savp-to-avp', 'RTP/SAVP to RTP/AVP: crypto dropped, protocol replaced',
     H + 'm=audio 40000 RTP/SAVP 0\n' + CRYPTO, {'transport-protocol': 'RTP/AVP'}),
    ('x-dtls-to-avp', 'UDP/TLS/RTP/SAVP to RTP/AVP: setup and fingerprint dropped, a=tls-id passed through',
     H + 'm=audio 40000 UDP/TLS/RTP/SAVP 0\n' + DTLS, {'transport-protocol': 'RTP/AVP'}),
    ('x-osrtp-not-generated', 'RTP/AVP with a=crypto and no options: rtpengine treats it as opportunistic SRTP '
     'and offers its own keys and fingerprint',
     H + 'm=audio 40000 RTP/AVP 0\n' + CRYPTO, {}, None, WEBRTC_GENERATED),
    ('x-transport-avpf', 'transport-protocol RTP/AVPF on RTP/AVP', H + 'm=audio 40000 RTP/AVP 0\n',
     {'transport-protocol': 'RTP/AVPF'}),
    ('x-protocol-canonical-case', 'rtp/avp is written RTP/AVP', H + 'm=audio 40000 rtp/avp 0 8\n', {}),
    ('x-port-count', 'm= port count: /2 kept, /1 dropped', H + 'm=audio 40000/2 RTP/AVP 0\nm=audio 40010/1 RTP/AVP 0\n',
     {}),
    ('x-non-rtp-media', 'udptl, TCP/MSRP and an unknown RTP/XYZ: formats and rtpmap kept as written, a=sendrecv '
     'written, no a=rtcp; udptl loses a=ptime (rtpengine drops it and only writes it back for RTP)',
     H + 'm=image 40000 udptl t38\na=T38FaxVersion:0\na=T38FaxRateManagement:transferredTCF\na=ptime:20\n'
     'm=application 40002 TCP/MSRP *\na=accept-types:text/plain\na=path:msrp://127.0.0.2:40002/abc;tcp\n'
     'm=audio 40004 RTP/XYZ 0 8\na=rtpmap:8 PCMA/8000\n', {}),
    ('x-session-ptime-b-k', 'session-level a=ptime and b= stay; k= in media stays',
     H.replace('t=0 0', 't=0 0\na=ptime:30\nb=AS:100') + 'm=audio 40000 RTP/AVP 0\nk=clear:foo\n', {}),
    ('x-ptime-odd', 'a=ptime:20.5 is written a=ptime:20; a=ptime:0 stays in place',
     H + 'm=audio 40000 RTP/AVP 0\na=ptime:20.5\nm=audio 40002 RTP/AVP 0\na=ptime:0\n', {}),
    ('x-ip6-connection', 'IP6 c= lines: session c= kept (every m= has one), media c= and o= get the IP4 relay; '
     'a=rtcp with IP6 address dropped',
     'v=0\no=alice 1 1 IN IP6 ::2\ns=-\nc=IN IP6 ::2\nt=0 0\nm=audio 40000 RTP/AVP 0\nc=IN IP6 ::2\n'
     'a=rtcp:40001 IN IP6 ::2\n', {'replace': ['origin']}),
    ('x-ip6-full-rtcp', 'IP6 session c= only: replaced by IP4; full-rtcp-attribute writes IN IP4 addr',
     'v=0\no=alice 1 1 IN IP6 ::2\ns=-\nc=IN IP6 ::2\nt=0 0\nm=audio 40000 RTP/AVP 0\n',
     {'replace': ['origin'], 'flags': ['full-rtcp-attribute']}),
    ('x-origin-hostname', 'o= with a host name is replaced with replace-origin',
     'v=0\no=a 1 1 IN IP4 host.example\ns=-\nc=IN IP4 127.0.0.2\nt=0 0\nm=audio 40000 RTP/AVP 0\n',
     {'replace': ['origin']}),
    ('x-mixed-line-endings', 'each untouched or edited line keeps its ending; written and moved lines get CRLF',
     'v=0\r\no=a 1 1 IN IP4 127.0.0.2\ns=-\r\nc=IN IP4 127.0.0.2\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8\na=x-a\r\n'
     'a=ptime:20\na=sendonly\r\na=x-b\n', {}, None, None, True),
    ('x-bare-lf-two-media', 'bare LF with two m= lines', 'v=0\no=a 1 1 IN IP4 127.0.0.2\ns=-\nc=IN IP4 127.0.0.2\n'
     't=0 0\nm=audio 40000 RTP/AVP 0 8\na=x-a\na=ptime:20\nm=audio 40002 RTP/AVP 0\na=x-b\n', {}, None, None, True),
    ('x-empty-line-ends-sdp', 'an empty line ends the SDP: what follows is dropped',
     crlf(H + 'm=audio 40000 RTP/AVP 0\n') + '\r\na=x-after\r\n', {}, None, None, True),
    ('x-no-origin-no-time', 'no o=, no s=, no t=: accepted', crlf('v=0\nc=IN IP4 127.0.0.2\nm=audio 40000 RTP/AVP 0\n'),
     {}),
    ('x-no-formats', 'RTP m= line without formats', H + 'm=audio 40000 RTP/AVP\n', {}),
    ('x-codec-strip-pcma', 'codec-strip-PCMA', H + CODECS, {'flags': ['codec-strip-PCMA']}),
    ('x-codec-strip-case-insensitive', 'codec-strip-pcma strips PCMA', H + CODECS, {'flags': ['codec-strip-pcma']}),
    ('x-codec-strip-by-number-no-effect', 'codec-strip-8 names nothing', H + CODECS, {'flags': ['codec-strip-8']}),
    ('x-codec-strip-opus-48000-no-effect', 'codec-strip-opus/48000 does not name opus/48000/2', H + CODECS,
     {'flags': ['codec-strip-opus/48000']}),
    ('x-codec-strip-opus-48000-2', 'codec-strip-opus/48000/2 strips opus', H + CODECS,
     {'flags': ['codec-strip-opus/48000/2']}),
    ('x-codec-strip-pcma-8000-1', 'codec-strip-PCMA/8000/1 strips PCMA (full name with channels)', H + CODECS,
     {'flags': ['codec-strip-PCMA/8000/1']}),
    ('x-codec-strip-all-alone', 'codec-strip-all alone strips everything, which rtpengine undoes (empty list)',
     H + CODECS, {'flags': ['codec-strip-all']}),
    ('x-codec-strip-every-codec', 'stripping every codec by name: the original list comes back', H + CODECS,
     {'flags': ['codec-strip-PCMU', 'codec-strip-PCMA', 'codec-strip-G722', 'codec-strip-opus',
                'codec-strip-telephone-event']}),
    ('x-codec-strip-all-except', 'codec-strip-all + codec-except-PCMA + codec-except-telephone-event', H + CODECS,
     {'flags': ['codec-strip-all', 'codec-except-PCMA', 'codec-except-telephone-event']}),
    ('x-codec-except-alone', 'codec-except-PCMA alone changes nothing', H + CODECS, {'flags': ['codec-except-PCMA']}),
    ('x-codec-mask-opus', 'codec-mask-opus removes opus from the offer', H + CODECS, {'flags': ['codec-mask-opus']}),
    ('x-codec-mask-all-except', 'codec-mask-all + codec-except-G722', H + CODECS,
     {'flags': ['codec-mask-all', 'codec-except-G722']}),
    ('x-codec-strip-telephone-event', 'codec-strip-telephone-event', H + CODECS,
     {'flags': ['codec-strip-telephone-event']}),
    ('x-codec-strip-drops-orphans', 'codec-strip-opus: red (fmtp 111/111) and telephone-event/48000 go with it; '
     'telephone-event/8000 and CN stay beside PCMU', H + CHROME_CODECS, {'flags': ['codec-strip-opus']}),
    ('x-codec-strip-drops-cn-and-te-of-clock', 'stripping every 8000 Hz codec takes CN and telephone-event/8000 '
     'along', H + CHROME_CODECS, {'flags': ['codec-strip-G722', 'codec-strip-PCMU']}),
    ('x-codec-strip-keeps-supplementals-of-remaining-clock', 'PCMA remains at 8000 Hz: CN and telephone-event/8000 '
     'stay', H + 'm=audio 40000 RTP/AVP 0 8 13 101\na=rtpmap:101 telephone-event/8000\n',
     {'flags': ['codec-strip-PCMU']}),
    ('x-codec-strip-keeps-red-naming-remaining', 'red whose fmtp names PCMU stays when opus goes',
     H + 'm=audio 40000 RTP/AVP 111 63 0\na=rtpmap:111 opus/48000/2\na=rtpmap:63 red/8000\na=fmtp:63 0/0\n',
     {'flags': ['codec-strip-opus']}),
    ('x-codec-strip-keeps-red-without-fmtp', 'red without fmtp stays when opus goes',
     H + 'm=audio 40000 RTP/AVP 111 63 0\na=rtpmap:111 opus/48000/2\na=rtpmap:63 red/48000/2\n',
     {'flags': ['codec-strip-opus']}),
    ('x-codec-mask-drops-cn', 'codec-mask-G722: CN/8000 goes along', H + 'm=audio 40000 RTP/AVP 9 111 13\n'
     'a=rtpmap:111 opus/48000/2\n', {'flags': ['codec-mask-G722']}),
    ('x-codec-untouched-supplemental-kept', 'telephone-event/48000 without a 48000 Hz codec stays when nothing is '
     'stripped', H + 'm=audio 40000 RTP/AVP 0 110\na=rtpmap:110 telephone-event/48000\n', {}),
    ('x-strip-extmap', 'strip-extmap (media and session level)', H.replace('t=0 0', 't=0 0\na=extmap:2 urn:y') + CODECS,
     {'flags': ['strip-extmap']}),
    ('x-no-rtcp-attribute', 'no-rtcp-attribute; a=rtcp-mux still written',
     H + 'm=audio 40000 RTP/AVP 0\na=rtcp-mux\nm=audio 40002 RTP/AVP 0\n', {'flags': ['no-rtcp-attribute']}),
    ('x-full-rtcp-attribute', 'full-rtcp-attribute: a=rtcp:PORT IN IP4 relay (also on hold)',
     H + 'm=audio 40000 RTP/AVP 0\nm=audio 40002 RTP/AVP 0\nc=IN IP4 0.0.0.0\n', {'flags': ['full-rtcp-attribute']}),
    # answers: (offer sdp, offer options) then the answer
    ('x-answer-stray-codec-mux-rejected', 'answer: payload type 9 not offered is dropped, mux accepted '
     '(a=rtcp == RTP port), a=ptime from the offer, rejected video',
     H + 'm=audio 40000 RTP/AVP 0 8 101\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-16\na=rtcp-mux\n'
     'a=ptime:20\nm=video 40002 RTP/AVP 96\na=rtpmap:96 H264/90000\na=fmtp:96 profile-level-id=42e01f\n', {},
     (HB + 'm=audio 40010 RTP/AVP 8 0 9\na=rtcp-mux\nm=video 0 RTP/AVP 96\n', {})),
    ('x-answer-sendonly', 'answer with sendonly audio and accepted video',
     H + 'm=audio 40000 RTP/AVP 0 8 101\na=rtpmap:101 telephone-event/8000\na=ptime:20\nm=video 40002 RTP/AVP 96\n'
     'a=rtpmap:96 H264/90000\n', {},
     (HB + 'm=audio 40010 RTP/AVP 8\na=sendonly\nm=video 40012 RTP/AVP 96\na=rtpmap:96 H264/90000\n', {})),
    ('x-answer-codec-strip', 'codec-strip-PCMA in the answer; the answer\'s a=ptime wins',
     H + 'm=audio 40000 RTP/AVP 0 8 9 101\na=rtpmap:101 telephone-event/8000\na=ptime:20\n', {},
     (HB + 'm=audio 40010 RTP/AVP 8 0 101\na=rtpmap:101 telephone-event/8000\na=ptime:30\n',
      {'flags': ['codec-strip-PCMA']})),
    ('x-answer-codec-mask-ignored', 'codec-mask-PCMA in an answer changes nothing',
     H + 'm=audio 40000 RTP/AVP 0 8 9 101\na=rtpmap:101 telephone-event/8000\n', {},
     (HB + 'm=audio 40010 RTP/AVP 8 0 101\na=rtpmap:101 telephone-event/8000\na=ptime:30\n',
      {'flags': ['codec-mask-PCMA']})),
    ('x-answer-mid-from-offer', 'the answer carries the offer\'s a=mid (or none), not its own; generate-mid does '
     'nothing in an answer; protocol spelled as in the offer',
     H + 'm=audio 40000 rtp/avp 0 8\nm=audio 40002 RTP/AVP 0 8\na=mid:m2\n', {'flags': ['generate-mid']},
     (HB + 'm=audio 40010 RTP/AVP 8\na=mid:x\nm=audio 40012 RTP/AVP 8\na=mid:y\n', {'flags': ['generate-mid']})),
    ('x-answer-protocol-from-offer', 'an answer with RTP/AVPF to an RTP/AVP offer goes out as RTP/AVP',
     H + 'm=audio 40000 RTP/AVP 0 8\n', {},
     (HB + 'm=audio 40010 RTP/AVPF 8\na=recvonly\n', {})),
    ('x-answer-hold', 'an answer with c=0.0.0.0',
     H + 'm=audio 40000 RTP/AVP 0 8\n', {},
     (HB.replace('c=IN IP4 127.0.0.3', 'c=IN IP4 0.0.0.0') + 'm=audio 40010 RTP/AVP 8\n',
      {'replace': ['session-connection', 'origin']})),
]

def experiments(daemon):
    for case in EXPERIMENTS:
        name, desc, sdp, opts = case[:4]
        answer = case[4] if len(case) > 4 else None
        ignore = case[5] if len(case) > 5 else None
        raw_sdp = case[6] if len(case) > 6 else False
        sdp = sdp if raw_sdp else crlf(sdp)
        call_id = 'fx-%s-%d' % (name, random.randint(0, 1 << 30))
        offer = dict({'command': 'offer', 'call-id': call_id, 'from-tag': 'caller', 'sdp': sdp}, **opts)
        r = daemon.ng(offer)
        if r.get('result') != b'ok':
            raise SystemExit('%s: offer failed: %r' % (name, r))
        if answer is None:
            write_case(name, desc, 'experiment: offer to rtpengine 10.5.3.5 (capture-fixtures.py)', 'offer',
                       decode_dict(dict(offer, sdp=sdp.encode('latin-1'))), r['sdp'], None, ignore)
        else:
            asdp = crlf(answer[0])
            ans = dict({'command': 'answer', 'call-id': call_id, 'from-tag': 'caller', 'to-tag': 'callee',
                        'sdp': asdp}, **answer[1])
            ra = daemon.ng(ans)
            if ra.get('result') != b'ok':
                raise SystemExit('%s: answer failed: %r' % (name, ra))
            write_case(name, desc, 'experiment: offer then answer to rtpengine 10.5.3.5 (capture-fixtures.py); '
                       'offer options %s' % json.dumps(opts), 'answer',
                       decode_dict(dict(ans, sdp=asdp.encode('latin-1'))), ra['sdp'], sdp.encode('latin-1'), ignore)
        daemon.ng({'command': 'delete', 'call-id': call_id, 'delete-delay': 0})

def main():
    global RAW
    ap = argparse.ArgumentParser()
    ap.add_argument('--ng-port', type=int, required=True)
    ap.add_argument('--ports', required=True, help='media port range for the daemon, e.g. 51200-51599')
    ap.add_argument('--raw', default=RAW, help="the reference capture's raw/ directory (rtpengine-ng/raw)")
    a = ap.parse_args()
    RAW = a.raw
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    transcript_fixtures()
    daemon = Daemon(a.ng_port, a.ports)
    try:
        experiments(daemon)
    finally:
        daemon.stop()
    print('wrote', len(os.listdir(OUT)), 'fixtures to', OUT)

if __name__ == '__main__':
    main()
