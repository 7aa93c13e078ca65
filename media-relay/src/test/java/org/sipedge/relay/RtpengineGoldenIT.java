package org.sipedge.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sipedge.ng.FlagWords;
import org.sipedge.ng.NgBencode;
import org.sipedge.relay.core.Learning;
import org.sipedge.relay.ng.NgJson;
import org.sipedge.relay.sdp.SdpNormalizer;
import org.sipedge.rtpengine.RtpengineParam;
import org.sipedge.rtpengine.testing.RtpengineDaemon;

/**
 * The same ng datagrams to the real rtpengine and to the relay, in the same test: every request of the reference
 * transcripts 02 (plain call), 03 (browser ↔ browser: ICE=force-relay passes ICE and DTLS through), 04 and 05
 * (browser ↔ plain phone, both directions: the relay terminates WebRTC),
 * 06 (plain ↔ plain flags), 07 (errors), 08 (forks, tags, re-INVITE from the callee) and 10 (retransmissions,
 * cookie reuse), byte for byte as captured, and the plain ↔ plain case of the proxy's flag table. The replies must
 * agree: same cookie, same format, same {@code result}, {@code error-reason} and {@code warning}, and semantically
 * equal SDP (ports, addresses, o= numbers, ICE credentials and fingerprints ignored; line order kept; for WebRTC
 * the lines of full ICE that ICE-lite does not write, see {@link #withoutFullIce}). Where the relay deliberately
 * differs, the difference is listed here with its reason.
 */
class RtpengineGoldenIT {
    /**
     * Exchanges where the relay answers differently on purpose: the key is transcript-exchange, the value why.
     */
    private static final Map<String, String> DELIBERATE = Map.ofEntries(
            Map.entry("03-ws-both-05", "call B (the words as strings rtpengine ignores): the browser's SDP offered "
                    + "onwards as WebRTC with rtpengine's twelve SDES a=crypto lines beside DTLS; the relay offers "
                    + "DTLS-SRTP only (see 07-errors-25)"),
            Map.entry("04-ws-uac-only-05", "call B (the words as strings rtpengine ignores, so the browser's SDP is "
                    + "offered onwards as WebRTC): rtpengine adds twelve SDES a=crypto lines beside DTLS; the relay "
                    + "offers DTLS-SRTP only (see 07-errors-25)"),
            Map.entry("04-ws-uac-only-06", "call B's answer to the browser: rtpengine, whose rtcp-mux-offer string was "
                    + "ignored, answers without a=rtcp-mux; the relay always muxes towards a browser (Chrome refuses "
                    + "the SDP otherwise: 'RTCP-MUX is not enabled when it is required')"),
            Map.entry("05-ws-uas-only-10", "call C, the misconfigured case (the offer's flags reused for the answer to "
                    + "the plain caller): rtpengine writes UDP/TLS/RTP/SAVPF with ICE but no a=fingerprint, a=setup "
                    + "or a=crypto, which no party can use; the relay writes a complete WebRTC answer"),
            Map.entry("07-errors-22", "an offer that failed with 'Error rewriting SDP' leaves no call behind in the "
                    + "relay (rtpengine keeps one: pitfall 6); the query finds none"),
            Map.entry("07-errors-25", "a WebRTC SDP offered onwards as WebRTC: rtpengine offers twelve SDES a=crypto "
                    + "lines beside DTLS and full ICE with an RTCP candidate; the relay offers DTLS-SRTP only (what "
                    + "browsers use) as ICE-lite with one candidate (browsers always mux RTCP)"),
            Map.entry("07-errors-42", "the clean-up delete of that call: nothing to delete in the relay (see "
                    + "07-errors-22)"));

    @TempDir
    static Path logs;
    private static RtpengineDaemon rtpengine;
    private static MediaRelay relay;

    @BeforeAll
    static void start() {
        // the transcripts were captured with rtpengine's default delete-delay (30 s); the relay's default is the same
        rtpengine = RtpengineDaemon.start(logs, 400, "--delete-delay=30");
        relay = RelayFixture.start(Learning.DELAYED, 30);
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
        if (rtpengine != null) {
            rtpengine.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"01-ping", "02-plain-call", "03-ws-both", "04-ws-uac-only", "05-ws-uas-only", "06-ws-neither",
            "07-errors", "08-fork-and-tags", "10-duplicate-cookie"})
    void everyCapturedRequestGetsTheSameAnswer(String transcript) throws IOException {
        List<String> differences = new ArrayList<>();
        int compared = 0;
        for (int n = 1; ; n++) {
            String name = String.format("%s-%02d", transcript, n);
            byte[] sent = fixture(name + "-sent.bin");
            if (sent == null) {
                break;
            }
            byte[] theirs = NgUdp.exchange(rtpengine.ngPort(), sent, Duration.ofMillis(1500));
            byte[] ours = NgUdp.exchange(RelayFixture.ngPort(relay), sent, Duration.ofMillis(1500));
            String why = DELIBERATE.get(name);
            String difference = compare(theirs, ours);
            if (why != null) {
                assertTrue(difference != null, name + " is listed as a deliberate difference but now agrees: "
                        + "remove it from DELIBERATE");
                continue;
            }
            compared++;
            if (difference != null) {
                differences.add(name + ": " + difference);
            }
        }
        assertTrue(compared > 0, "no fixtures for " + transcript);
        assertEquals(List.of(), differences, transcript + ": relay and rtpengine disagree");
    }

    /**
     * The plain ↔ plain case of the proxy's flag table, with the flag strings the proxy sends by default (translated
     * as the proxy translates them), for a sipp-like caller and callee.
     */
    @Test
    void theProxysPlainToPlainFlagsGiveTheSameSdp() {
        FlagWords offer = FlagWords.parse(RtpengineParam.FLAGS_PLAIN_PLAIN_OFFER.defaultValue());
        FlagWords answer = FlagWords.parse(RtpengineParam.FLAGS_PLAIN_PLAIN_ANSWER.defaultValue());
        String callerSdp = "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\n"
                + "t=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        String calleeSdp = "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.3\r\ns=-\r\nc=IN IP4 127.0.0.3\r\n"
                + "t=0 0\r\nm=audio 6002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        for (String callId : List.of("golden-pp-1", "golden-pp-2")) {
            Pair o = signal("offer", callId, null, callerSdp, offer);
            Pair a = signal("answer", callId, "callee-" + callId, calleeSdp, answer);
            assertSameSdp(o);
            assertSameSdp(a);
            Map<String, Object> del = new LinkedHashMap<>(Map.of("command", "delete", "call-id", callId,
                    "delete-delay", 0L));
            assertEquals(NgUdp.request(rtpengine.ngPort(), del).get("result"),
                    NgUdp.request(RelayFixture.ngPort(relay), del).get("result"));
        }
    }

    /** rtcp-mux offered by a plain phone, with each rtcp-mux flag in the offer: the same SDP both ways. */
    @ParameterizedTest
    @ValueSource(strings = {"", "rtcp-mux-demux", "rtcp-mux-offer", "rtcp-mux-accept", "rtcp-mux-reject"})
    void rtcpMuxChoicesGiveTheSameSdp(String flag) {
        FlagWords words = FlagWords.parse("RTP/AVP replace-origin replace-session-connection ICE=remove " + flag);
        String callId = "golden-mux-" + (flag.isEmpty() ? "none" : flag);
        String callerSdp = "v=0\r\no=alice 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\n"
                + "m=audio 40700 RTP/AVP 0 8\r\na=rtcp-mux\r\na=sendrecv\r\n";
        String calleeSdp = "v=0\r\no=bob 2 2 IN IP4 127.0.0.3\r\ns=-\r\nc=IN IP4 127.0.0.3\r\nt=0 0\r\n"
                + "m=audio 40702 RTP/AVP 0\r\na=sendrecv\r\n";
        assertSameSdp(signal("offer", callId, null, callerSdp, words));
        assertSameSdp(signal("answer", callId, "b-" + callId, calleeSdp, FlagWords.parse(
                "RTP/AVP replace-origin replace-session-connection ICE=remove")));
    }

    /** Two replies (rtpengine's, the relay's) to the same request. */
    private record Pair(Map<String, Object> theirs, Map<String, Object> ours) {
    }

    private static Pair signal(String command, String callId, String toTag, String sdp, FlagWords flags) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("command", command);
        d.put("call-id", callId);
        d.put("from-tag", "caller-" + callId);
        if (toTag != null) {
            d.put("to-tag", toTag);
        }
        d.put("sdp", sdp);
        d.put("received-from", List.of("IP4", toTag == null ? "127.0.0.2" : "127.0.0.3"));
        flags.mergeInto(d);
        Map<String, Object> theirs = NgUdp.request(rtpengine.ngPort(), d);
        Map<String, Object> ours = NgUdp.request(RelayFixture.ngPort(relay), d);
        assertNotNull(theirs, "rtpengine answered " + command);
        assertNotNull(ours, "relay answered " + command);
        return new Pair(theirs, ours);
    }

    private static void assertSameSdp(Pair p) {
        assertEquals(p.theirs().get("result"), p.ours().get("result"), "result; relay said " + p.ours());
        String theirs = SdpNormalizer.normalize(NgBencode.string(p.theirs(), "sdp"));
        String ours = SdpNormalizer.normalize(NgBencode.string(p.ours(), "sdp"));
        assertEquals(theirs, ours, "normalised SDP (expected: rtpengine's)");
    }

    /** Null when the replies agree, else what differs. */
    private static String compare(byte[] theirs, byte[] ours) {
        if (theirs == null || ours == null) {
            return theirs == ours ? null : (theirs == null ? "rtpengine sent no reply, the relay did: " + text(ours)
                    : "the relay sent no reply to: " + text(theirs));
        }
        int ts = indexOf(theirs, (byte) ' ');
        int os = indexOf(ours, (byte) ' ');
        String theirCookie = new String(theirs, 0, ts, StandardCharsets.ISO_8859_1);
        String ourCookie = new String(ours, 0, Math.max(0, os), StandardCharsets.ISO_8859_1);
        if (!theirCookie.equals(ourCookie)) {
            return "cookie " + ourCookie + " instead of " + theirCookie;
        }
        boolean json = theirs[ts + 1] == '{';
        if (json != (ours[os + 1] == '{')) {
            return "reply format differs: " + text(ours);
        }
        Map<String, Object> t = json ? NgJson.decodeObject(theirs, ts + 1, theirs.length - ts - 1)
                : NgBencode.decodeDictionary(theirs, ts + 1, theirs.length - ts - 1);
        Map<String, Object> o = json ? NgJson.decodeObject(ours, os + 1, ours.length - os - 1)
                : NgBencode.decodeDictionary(ours, os + 1, ours.length - os - 1);
        for (String key : List.of("result", "error-reason", "warning")) {
            if (!Objects.equals(t.get(key), o.get(key))) {
                return key + " '" + o.get(key) + "' instead of '" + t.get(key) + "' (relay: " + text(ours) + ")";
            }
        }
        if (t.get("sdp") instanceof String sdp) {
            if (!(o.get("sdp") instanceof String mine)) {
                return "no sdp in " + text(ours);
            }
            String a = SdpNormalizer.normalize(withoutFullIce(sdp));
            String b = SdpNormalizer.normalize(withoutFullIce(mine));
            if (!a.equals(b)) {
                return "SDP differs:\n--- rtpengine\n" + a + "\n--- relay\n" + b;
            }
        }
        if (t.get("calls") instanceof List<?> calls && !(o.get("calls") instanceof List<?> mine
                && mine.size() == calls.size())) {
            return "list of " + calls.size() + " calls expected: " + text(ours);
        }
        if (t.containsKey("tags") && !(o.get("tags") instanceof Map<?, ?> && o.containsKey("totals"))) {
            return "call statistics (tags, totals) expected: " + text(ours);
        }
        return null;
    }

    /**
     * A WebRTC SDP without what differs on purpose between rtpengine's full ICE and the relay's ICE-lite:
     * a=ice-lite, a=ice-options, a=end-of-candidates and candidates for RTCP (component 2; the relay's single
     * candidate is the RTP port, which browsers mux RTCP onto). Everything else stays compared: transport, ICE
     * credentials and the RTP candidate (normalised), a=setup, a=fingerprint's algorithm, a=mid, a=rtcp-mux.
     */
    static String withoutFullIce(String sdp) {
        StringBuilder out = new StringBuilder();
        for (String line : sdp.split("(?<=\n)")) {
            String l = line.strip();
            if (l.equals("a=ice-lite") || l.startsWith("a=ice-options:") || l.equals("a=end-of-candidates")
                    || (l.startsWith("a=candidate:") && l.split(" ").length > 1 && !l.split(" ")[1].equals("1"))) {
                continue;
            }
            out.append(line);
        }
        return out.toString();
    }

    private static int indexOf(byte[] b, byte c) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static String text(byte[] b) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        return s.length() > 600 ? s.substring(0, 600) + "…" : s;
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = RtpengineGoldenIT.class.getResourceAsStream("/ng-golden/" + name)) {
            return in == null ? null : in.readAllBytes();
        }
    }
}
