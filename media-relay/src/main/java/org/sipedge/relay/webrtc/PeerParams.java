package org.sipedge.relay.webrtc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sipedge.relay.dtls.DtlsSrtp;
import org.sipedge.relay.dtls.Fingerprint;
import org.sipedge.relay.sdp.Attribute;
import org.sipedge.relay.sdp.MediaDescription;
import org.sipedge.relay.sdp.SessionDescription;

/**
 * What a WebRTC party's SDP says about one media section that the relay needs to terminate it: ICE credentials
 * (RFC 8839), the DTLS fingerprint (RFC 8122) and setup role (RFC 5763), its candidates, rtcp-mux and mid. Media-level
 * attributes win over session-level ones.
 */
public record PeerParams(String ufrag, String pwd, Fingerprint fingerprint, Setup setup, List<Candidate> candidates,
        boolean rtcpMux, String mid) {

    /** {@code a=setup} values; an SDP without one is {@code active} as an answer, {@code actpass} as an offer. */
    public enum Setup { ACTPASS, ACTIVE, PASSIVE, HOLDCONN }

    /** One {@code a=candidate} line (RFC 8839 section 5.1), without its extensions. */
    public record Candidate(String foundation, int component, String transport, long priority, String address,
            int port, String type) {
        static Candidate parse(String value) {
            String[] f = value.trim().split("\\s+");
            if (f.length < 8 || !f[6].equals("typ")) {
                throw new IllegalArgumentException("a=candidate: '" + value + "' is not 'foundation component"
                        + " transport priority address port typ type'");
            }
            try {
                return new Candidate(f[0], Integer.parseInt(f[1]), f[2].toLowerCase(Locale.ROOT),
                        Long.parseLong(f[3]), f[4], Integer.parseInt(f[5]), f[7]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a=candidate: bad number in '" + value + "'", e);
            }
        }
    }

    /**
     * Reads one media section of a WebRTC party's SDP.
     *
     * @param offer whether the SDP is an offer (a missing a=setup then means actpass, else active)
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static PeerParams of(SessionDescription sdp, MediaDescription m, boolean offer) {
        String ufrag = value(sdp, m, "ice-ufrag");
        String pwd = value(sdp, m, "ice-pwd");
        String fp = value(sdp, m, "fingerprint");
        if (ufrag == null || pwd == null) {
            throw new IllegalArgumentException("media section " + m.index() + ": no a=ice-ufrag/a=ice-pwd");
        }
        if (fp == null) {
            throw new IllegalArgumentException("media section " + m.index() + ": no a=fingerprint (DTLS-SRTP)");
        }
        String s = value(sdp, m, "setup");
        Setup setup;
        if (s == null) {
            setup = offer ? Setup.ACTPASS : Setup.ACTIVE;
        } else {
            try {
                setup = Setup.valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("media section " + m.index() + ": a=setup:" + s
                        + " is not actpass, active, passive or holdconn", e);
            }
        }
        List<Candidate> candidates = new ArrayList<>();
        for (Attribute a : m.attributes()) {
            if (a.is("candidate")) {
                candidates.add(Candidate.parse(a.value()));
            }
        }
        return new PeerParams(ufrag.trim(), pwd.trim(), Fingerprint.parse(fp), setup, List.copyOf(candidates),
                m.rtcpMux(), m.mid());
    }

    /**
     * The relay's DTLS role when its SDP answers this party's offer: passive (the DTLS server, as rtpengine's
     * {@code DTLS=passive} and browsers' actpass allow) unless the party insists on being passive itself.
     */
    public DtlsSrtp.Role relayRoleAnswering() {
        return setup == Setup.PASSIVE ? DtlsSrtp.Role.CLIENT : DtlsSrtp.Role.SERVER;
    }

    /** The party's UDP candidates for RTP (component 1), best first. */
    public List<Candidate> udpRtpCandidates() {
        return candidates.stream().filter(c -> c.component() == 1 && c.transport().equals("udp"))
                .sorted((a, b) -> Long.compare(b.priority(), a.priority())).toList();
    }

    private static String value(SessionDescription sdp, MediaDescription m, String name) {
        for (Attribute a : m.attributes()) {
            if (a.is(name)) {
                return a.value();
            }
        }
        for (Attribute a : sdp.attributes()) {
            if (a.is(name)) {
                return a.value();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "PeerParams[ufrag=" + ufrag + ", fingerprint=" + fingerprint + ", setup=" + setup + ", candidates="
                + candidates.size() + ", rtcpMux=" + rtcpMux + ", mid=" + mid + "]"; // no password
    }
}
