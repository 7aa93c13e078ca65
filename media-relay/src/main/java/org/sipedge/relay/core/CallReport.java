package org.sipedge.relay.core;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sipedge.relay.dtls.DtlsSrtp;
import org.sipedge.relay.webrtc.WebRtcEndpoint;

/** The reply body of a query (and of a delete): a call's parties, media, streams and counters. */
final class CallReport {

    private CallReport() {
    }

    /**
     * The call as rtpengine's {@code query} shows it: per party (by tag) its media and streams with their local
     * port, endpoint (where media to the party goes now), advertised endpoint (its SDP) and packet/byte/error
     * counters; totals for RTP and RTCP. With a to-tag (or else a from-tag) the party with that tag and the parties
     * it exchanges media with. Lock held.
     */
    static Map<String, Object> stats(Call call, String fromTag, String toTag) {
        String focus = toTag != null ? toTag : fromTag;
        List<Party> shown = new ArrayList<>();
        for (Branch b : call.branches) {
            if (focus == null || b.has(focus)) {
                Party first = focus == null || b.offerer.hasTag(focus) ? b.offerer : b.answerer;
                addParty(shown, first);
                addParty(shown, b.other(first));
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("created", call.createdMillis() / 1000);
        r.put("created_us", (call.createdMillis() % 1000) * 1000);
        r.put("last signal", call.lastSignalMillis() / 1000);
        r.put("SSRC", Map.of());
        Map<String, Object> tags = new LinkedHashMap<>();
        long[] totals = new long[6];
        int untagged = 0;
        for (Party p : shown) {
            String key = p.tag() != null ? p.tag() : "<untagged " + (++untagged) + ">";
            if (tags.containsKey(key)) {
                continue; // a forked caller: its newest branch is shown (rtpengine shows one monologue per tag)
            }
            tags.put(key, party(call, p, totals));
        }
        r.put("tags", tags);
        Map<String, Object> sums = new LinkedHashMap<>();
        sums.put("RTP", counters(totals[0], totals[1], totals[2]));
        sums.put("RTCP", counters(totals[3], totals[4], totals[5]));
        r.put("totals", sums);
        return r;
    }

    private static void addParty(List<Party> shown, Party p) {
        // newest first for a tag that appears in several branches: it is the one that answered or offered last
        shown.removeIf(x -> x != p && x.tag() != null && x.tag().equals(p.tag()));
        if (!shown.contains(p)) {
            shown.add(p);
        }
    }

    private static Map<String, Object> party(Call call, Party p, long[] totals) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tag", p.tag() == null ? "" : p.tag());
        if (p.viaBranch() != null) {
            m.put("via-branch", p.viaBranch());
        }
        m.put("created", p.createdMillis() / 1000);
        List<Object> peers = new ArrayList<>();
        for (Branch b : call.branches) {
            if (b.offerer == p || b.answerer == p) {
                Party other = b.other(p);
                Map<String, Object> peer = new LinkedHashMap<>();
                peer.put("tag", other.tag() == null ? "" : other.tag());
                peer.put("type", "offer/answer");
                peers.add(peer);
            }
        }
        m.put("subscriptions", peers);
        m.put("subscribers", peers);
        List<Object> medias = new ArrayList<>();
        for (MediaSide side : p.mediaList()) {
            Map<String, Object> media = new LinkedHashMap<>();
            media.put("index", (long) side.index());
            media.put("type", side.type());
            media.put("protocol", side.protocol());
            List<Object> streams = new ArrayList<>();
            if (side.ports() != null) {
                streams.add(stream(side, side.rtp, side.ports().rtpPort(), totals, 0));
                streams.add(stream(side, side.rtcp, side.ports().rtcpPort(), totals, 3));
            }
            media.put("streams", streams);
            List<Object> flags = new ArrayList<>(List.of("initialized", "send", "recv"));
            if (side.muxUsed()) {
                flags.add("RTCP-mux");
            }
            WebRtcEndpoint w = side.webrtc();
            if (w != null) {
                flags.add("ICE");
                flags.add("DTLS");
                media.put("WebRTC", webrtc(w));
            }
            media.put("flags", flags);
            medias.add(media);
        }
        m.put("medias", medias);
        return m;
    }

    /** The WebRTC termination of one media line: its state, why it failed, and what it dropped. */
    private static Map<String, Object> webrtc(WebRtcEndpoint w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", w.state().name().toLowerCase(java.util.Locale.ROOT));
        if (w.failure() != null) {
            m.put("failure", w.failure().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        }
        if (w.role() != null) {
            m.put("DTLS role", w.role() == DtlsSrtp.Role.SERVER ? "passive" : "active");
        }
        if (w.peer() != null) {
            m.put("ICE peer", endpoint(w.peer()));
        }
        m.put("dropped", w.dropped());
        m.put("SRTP errors", w.srtpErrors());
        return m;
    }

    private static Map<String, Object> stream(MediaSide side, Stream s, int port, long[] totals, int at) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("local port", (long) port);
        m.put("local address", side.party().iface().advertised());
        m.put("family", side.party().iface().family().equals("IP6") ? "IPv6" : "IPv4");
        m.put("endpoint", endpoint(s.endpoint()));
        m.put("advertised endpoint", endpoint(s.advertised()));
        long last = s.lastPacketMillis();
        m.put("last packet", (last == 0 ? System.currentTimeMillis() : last) / 1000);
        List<Object> flags = new ArrayList<>();
        flags.add(s.isRtcp() ? "RTCP" : "RTP");
        if (s.endpoint() != null) {
            flags.add("filled");
        }
        if (s.confirmed()) {
            flags.add("confirmed");
        }
        m.put("flags", flags);
        m.put("stats", counters(s.packets(), s.bytes(), s.errors()));
        totals[at] += s.packets();
        totals[at + 1] += s.bytes();
        totals[at + 2] += s.errors();
        return m;
    }

    private static Map<String, Object> endpoint(InetSocketAddress a) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (a == null) {
            return m;
        }
        m.put("family", a.getAddress() instanceof java.net.Inet6Address ? "IPv6" : "IPv4");
        m.put("address", a.getAddress().getHostAddress());
        m.put("port", (long) a.getPort());
        return m;
    }

    private static Map<String, Object> counters(long packets, long bytes, long errors) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("packets", packets);
        m.put("bytes", bytes);
        m.put("errors", errors);
        return m;
    }
}
