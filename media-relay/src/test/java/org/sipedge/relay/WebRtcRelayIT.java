package org.sipedge.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipedge.ng.FlagWords;
import org.sipedge.ng.NgBencode;
import org.sipedge.relay.core.Learning;
import org.sipedge.relay.dtls.RelayCertificate;
import org.sipedge.relay.webrtc.FakeBrowser;
import org.sipedge.rtpengine.RtpengineParam;

/**
 * A browser and a plain phone through the relay, with the proxy's default flags for each direction: the relay's
 * SDP towards the browser is WebRTC (UDP/TLS/RTP/SAVPF, ICE-lite credentials and candidate, its fingerprint, the
 * right a=setup, rtcp-mux, mid) and towards the phone plain RTP/AVP without ICE or fingerprint lines; the browser
 * (ice4j checks, bctls handshake, jitsi-srtp, in the roles a browser takes) connects, and RTP and RTCP arrive
 * byte-identical both ways, SRTP on the browser's side. Then the bad peers: a wrong fingerprint, checks with a
 * wrong password and garbage are dropped and counted, and the good stream keeps flowing.
 */
class WebRtcRelayIT {
    private static final Pattern AUDIO = Pattern.compile("m=audio (\\d+) (\\S+)");
    private static final Duration WAIT = Duration.ofSeconds(3);
    private static MediaRelay relay;

    @BeforeAll
    static void start() {
        relay = RelayFixture.start(Learning.DELAYED, 0);
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    private static Map<String, Object> signal(String command, String callId, String fromTag, String toTag,
            String sdp, String flags) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("command", command);
        d.put("call-id", callId);
        d.put("from-tag", fromTag);
        if (toTag != null) {
            d.put("to-tag", toTag);
        }
        d.put("sdp", sdp);
        FlagWords.parse(flags).mergeInto(d);
        Map<String, Object> r = NgUdp.request(RelayFixture.ngPort(relay), d);
        assertNotNull(r, command + " answered");
        assertEquals("ok", r.get("result"), command + ": " + r);
        return r;
    }

    private static int port(String sdp) {
        Matcher m = AUDIO.matcher(sdp);
        assertTrue(m.find(), sdp);
        return Integer.parseInt(m.group(1));
    }

    private static void assertPlain(String sdp) {
        Matcher m = AUDIO.matcher(sdp);
        assertTrue(m.find(), sdp);
        assertEquals("RTP/AVP", m.group(2), sdp);
        for (String webrtcOnly : List.of("a=ice-", "a=candidate", "a=fingerprint", "a=setup", "a=crypto")) {
            assertFalse(sdp.contains(webrtcOnly), "plain side got " + webrtcOnly + ":\n" + sdp);
        }
    }

    private static void assertWebRtc(String sdp, String setup) {
        Matcher m = AUDIO.matcher(sdp);
        assertTrue(m.find(), sdp);
        assertEquals("UDP/TLS/RTP/SAVPF", m.group(2), sdp);
        for (String line : List.of("a=ice-lite\r\n", "a=ice-ufrag:", "a=ice-pwd:", "a=fingerprint:sha-256 ",
                "a=setup:" + setup + "\r\n", "a=rtcp-mux\r\n", "a=mid:", "a=end-of-candidates\r\n", " typ host\r\n")) {
            assertTrue(sdp.contains(line), "missing " + line.trim() + " in:\n" + sdp);
        }
    }

    /** RTP and RTCP both ways, byte-identical; SRTP on the browser's side. */
    private static void mediaFlowsBothWays(FakeBrowser browser, MediaPhone phone, InetSocketAddress phoneSendsTo)
            throws IOException {
        // the browser's handshake may end a moment before the relay's (the last flight is in transit): what it
        // sends in that moment is dropped, as it would be from a real browser; wait until a packet gets through
        MediaPhone.Received first = null;
        for (int i = 0; i < 60 && first == null; i++) {
            browser.sendMedia(MediaPhone.rtp(0, 1000 + i, 0x1234, 160));
            first = phone.receiveRtp(Duration.ofMillis(50));
        }
        assertNotNull(first, "no media from the browser reached the phone within 3 s of the handshake");
        phone.drain();
        for (int seq = 1; seq <= 5; seq++) {
            byte[] rtp = MediaPhone.rtp(0, 2000 + seq, 0x1234, 160);
            browser.sendMedia(rtp);
            MediaPhone.Received got = phone.receiveRtp(WAIT);
            assertNotNull(got, "browser -> phone RTP " + seq);
            assertArrayEquals(rtp, got.data());
        }
        byte[] rtcp = MediaPhone.rtcp(0x1234);
        browser.sendMedia(rtcp);
        MediaPhone.Received gotRtcp = phone.receiveRtcp(WAIT);
        assertNotNull(gotRtcp, "browser -> phone RTCP (demuxed to the phone's RTCP port)");
        assertArrayEquals(rtcp, gotRtcp.data());
        for (int seq = 1; seq <= 5; seq++) {
            byte[] rtp = MediaPhone.rtp(0, seq, 0x5678, 160);
            phone.sendRtp(rtp, phoneSendsTo);
            assertArrayEquals(rtp, browser.receiveMedia(3000), "phone -> browser RTP " + seq);
        }
        byte[] back = MediaPhone.rtcp(0x5678);
        phone.sendRtcp(back, new InetSocketAddress(phoneSendsTo.getAddress(), phoneSendsTo.getPort() + 1));
        assertArrayEquals(back, browser.receiveMedia(3000), "phone -> browser RTCP (muxed, as SRTCP)");
    }

    @Test
    void aBrowserCallsAPlainPhone() throws Exception {
        try (FakeBrowser browser = new FakeBrowser(RelayCertificate.generate());
             MediaPhone phone = new MediaPhone("127.0.0.3")) {
            String id = "webrtc-to-plain";
            String toPhone = NgBencode.string(signal("offer", id, "b", null, browser.sdp("actpass"),
                    RtpengineParam.FLAGS_WEBRTC_PLAIN_OFFER.defaultValue()), "sdp");
            assertPlain(toPhone);
            String toBrowser = NgBencode.string(signal("answer", id, "b", "p", phone.sdp("phone"),
                    RtpengineParam.FLAGS_WEBRTC_PLAIN_ANSWER.defaultValue()), "sdp");
            assertWebRtc(toBrowser, "active"); // as rtpengine answers a browser's actpass (transcript 04)
            assertTrue(toBrowser.contains("a=mid:0\r\n"), "the offer's mid: " + toBrowser);
            browser.connect(toBrowser, "actpass"); // the relay is the DTLS client
            mediaFlowsBothWays(browser, phone, new InetSocketAddress("127.0.0.1", port(toPhone)));
            Map<String, Object> stats = statistics();
            assertTrue(((Number) dtls(stats).get("completed")).longValue() >= 1, stats.toString());
        }
    }

    @Test
    void aPlainPhoneCallsABrowserWhoseChecksAndHandshakeComeBeforeItsAnswer() throws Exception {
        try (FakeBrowser browser = new FakeBrowser(RelayCertificate.generate());
             MediaPhone phone = new MediaPhone("127.0.0.2")) {
            String id = "plain-to-webrtc";
            String toBrowser = NgBencode.string(signal("offer", id, "p", null, phone.sdp("phone"),
                    RtpengineParam.FLAGS_PLAIN_WEBRTC_OFFER.defaultValue()), "sdp");
            assertWebRtc(toBrowser, "actpass");
            // a browser answering active starts ICE and DTLS as soon as it has the offer, before its 200 OK is
            // through the proxy: the relay answers the checks and keeps the ClientHello until the answer comes
            CompletableFuture<Void> connected = CompletableFuture.runAsync(() -> {
                try {
                    browser.connect(toBrowser, "active");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(300);
            assertFalse(connected.isDone(), "the handshake waited for the browser's fingerprint");
            String toPhone = NgBencode.string(signal("answer", id, "p", "b", browser.sdp("active"),
                    RtpengineParam.FLAGS_PLAIN_WEBRTC_ANSWER.defaultValue()), "sdp");
            assertPlain(toPhone);
            connected.get(10, TimeUnit.SECONDS);
            mediaFlowsBothWays(browser, phone, new InetSocketAddress("127.0.0.1", port(toPhone)));
        }
    }

    @Test
    void twoBrowsersWithTheProxysWebRtcFlagsEachTalkToTheRelay() throws Exception {
        try (FakeBrowser caller = new FakeBrowser(RelayCertificate.generate());
             FakeBrowser callee = new FakeBrowser(RelayCertificate.generate())) {
            String id = "webrtc-to-webrtc";
            String toCallee = NgBencode.string(signal("offer", id, "a", null, caller.sdp("actpass"),
                    RtpengineParam.FLAGS_WEBRTC_WEBRTC_OFFER.defaultValue()), "sdp");
            assertWebRtc(toCallee, "passive"); // DTLS=passive
            String toCaller = NgBencode.string(signal("answer", id, "a", "b", callee.sdp("active"),
                    RtpengineParam.FLAGS_WEBRTC_WEBRTC_ANSWER.defaultValue()), "sdp");
            assertWebRtc(toCaller, "active");
            CompletableFuture<Void> calleeUp = CompletableFuture.runAsync(() -> {
                try {
                    callee.connect(toCallee, "active");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            caller.connect(toCaller, "actpass");
            calleeUp.get(10, TimeUnit.SECONDS);
            byte[] through = null;
            for (int i = 0; i < 60 && through == null; i++) { // see mediaFlowsBothWays: the relay's side may lag
                caller.sendMedia(MediaPhone.rtp(111, 1000 + i, 0xAAAA, 100));
                through = callee.receiveMedia(50);
            }
            assertNotNull(through, "no media from the caller reached the callee");
            while (callee.receiveMedia(20) != null) {
                // drain the rest of the priming packets
            }
            for (int seq = 1; seq <= 5; seq++) {
                byte[] rtp = MediaPhone.rtp(111, 2000 + seq, 0xAAAA, 100);
                caller.sendMedia(rtp);
                assertArrayEquals(rtp, callee.receiveMedia(3000), "caller -> callee " + seq);
                byte[] back = MediaPhone.rtp(111, seq, 0xBBBB, 100);
                callee.sendMedia(back);
                assertArrayEquals(back, caller.receiveMedia(3000), "callee -> caller " + seq);
            }
        }
    }

    @Test
    void badPeersAreDroppedAndCountedWhileTheGoodStreamFlows() throws Exception {
        try (FakeBrowser browser = new FakeBrowser(RelayCertificate.generate());
             FakeBrowser impostor = new FakeBrowser(RelayCertificate.generate());
             MediaPhone phone = new MediaPhone("127.0.0.3")) {
            long wrongBefore = ((Number) dtls(statistics()).get("wrong fingerprint")).longValue();
            long badIntegrityBefore = ((Number) stun(statistics()).get("bad integrity")).longValue();
            // a call whose SDP names one certificate, and a browser that shows another
            String id = "webrtc-bad-fingerprint";
            signal("offer", id, "x", null, browser.sdp("actpass").replace(
                    browser.fingerprint().toString(), impostor.fingerprint().toString()),
                    RtpengineParam.FLAGS_WEBRTC_PLAIN_OFFER.defaultValue());
            String forged = NgBencode.string(signal("answer", id, "x", "p", phone.sdp("phone"),
                    RtpengineParam.FLAGS_WEBRTC_PLAIN_ANSWER.defaultValue()), "sdp");
            assertThrows(IOException.class, () -> browser.connect(forged, "actpass"));
            waitFor(() -> ((Number) dtls(statistics()).get("wrong fingerprint")).longValue() > wrongBefore,
                    "the wrong fingerprint is counted");
            waitFor(() -> String.valueOf(NgUdp.request(RelayFixture.ngPort(relay), Map.of("command", "query",
                    "call-id", id))).contains("failure=wrong fingerprint"), "query names the failed stream's cause");

            // a good call; then a check with a wrong password and garbage on its port
            try (FakeBrowser good = new FakeBrowser(RelayCertificate.generate());
                 MediaPhone phone2 = new MediaPhone("127.0.0.3")) {
                String id2 = "webrtc-good";
                String toPhone = NgBencode.string(signal("offer", id2, "g", null, good.sdp("actpass"),
                        RtpengineParam.FLAGS_WEBRTC_PLAIN_OFFER.defaultValue()), "sdp");
                String toBrowser = NgBencode.string(signal("answer", id2, "g", "p", phone2.sdp("phone"),
                        RtpengineParam.FLAGS_WEBRTC_PLAIN_ANSWER.defaultValue()), "sdp");
                good.connect(toBrowser, "actpass");
                good.send(good.check(ufrag(toBrowser), "not-the-relays-password-at-all"));
                good.send("garbage on a media port".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                good.send(MediaPhone.rtp(0, 99, 0x1234, 160)); // plain RTP where SRTP is due: fails to verify
                waitFor(() -> ((Number) stun(statistics()).get("bad integrity")).longValue() > badIntegrityBefore,
                        "the check with a wrong password is counted"); // the media thread counts it asynchronously
                mediaFlowsBothWays(good, phone2, new InetSocketAddress("127.0.0.1", port(toPhone)));
            }
        }
    }

    /**
     * ICE=force-relay (transcript 03's flags): the browsers' ICE and DTLS pass through end to end. Each browser keeps
     * the other's SDP (its candidates, credentials, fingerprint) and gets the relay's relay candidates beside it;
     * whatever it sends to its relay candidate arrives unchanged at the other browser, both ways.
     */
    @Test
    void forceRelayPassesIceAndDtlsThroughUnchanged() throws Exception {
        try (FakeBrowser a = new FakeBrowser(RelayCertificate.generate());
             FakeBrowser b = new FakeBrowser(RelayCertificate.generate());
             java.net.DatagramSocket sa = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"));
             java.net.DatagramSocket sb = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            String id = "webrtc-force-relay";
            String offerA = a.sdp("actpass").replace(" " + a.port() + " ", " " + sa.getLocalPort() + " ");
            String toB = NgBencode.string(signal("offer", id, "a", null, offerA, "ICE=force-relay DTLS=passive"),
                    "sdp");
            assertTrue(toB.contains(a.fingerprint().toString()), "A's fingerprint passes through:\n" + toB);
            assertTrue(toB.contains("a=ice-ufrag:brws") && toB.contains(" typ relay raddr "), toB);
            assertTrue(toB.contains("m=audio " + sa.getLocalPort() + " UDP/TLS/RTP/SAVPF"), "A's port kept: " + toB);
            String answerB = b.sdp("active").replace(" " + b.port() + " ", " " + sb.getLocalPort() + " ");
            String toA = NgBencode.string(signal("answer", id, "a", "b", answerB, "ICE=force-relay DTLS=passive"),
                    "sdp");
            assertTrue(toA.contains(b.fingerprint().toString()) && toA.contains("a=setup:active"), toA);
            InetSocketAddress relayForB = relayCandidate(toB);
            InetSocketAddress relayForA = relayCandidate(toA);
            byte[] check = a.check("brws", "browserpassword0123456789"); // any STUN, DTLS or SRTP: opaque here
            byte[] hello = {22, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, 0, 3, 1, 2, 3};
            sb.send(new java.net.DatagramPacket(check, check.length, relayForB));
            sa.setSoTimeout(3000);
            java.net.DatagramPacket got = new java.net.DatagramPacket(new byte[2048], 2048);
            sa.receive(got);
            assertArrayEquals(check, java.util.Arrays.copyOf(got.getData(), got.getLength()), "B -> A unchanged");
            sa.send(new java.net.DatagramPacket(hello, hello.length, relayForA));
            sb.setSoTimeout(3000);
            got = new java.net.DatagramPacket(new byte[2048], 2048);
            sb.receive(got);
            assertArrayEquals(hello, java.util.Arrays.copyOf(got.getData(), got.getLength()), "A -> B unchanged");
        }
    }

    private static InetSocketAddress relayCandidate(String sdp) {
        Matcher m = Pattern.compile("a=candidate:\\S+ 1 UDP \\d+ (\\S+) (\\d+) typ relay").matcher(sdp);
        assertTrue(m.find(), "no relay candidate in:\n" + sdp);
        return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }

    private static String ufrag(String sdp) {
        Matcher m = Pattern.compile("a=ice-ufrag:(\\S+)").matcher(sdp);
        assertTrue(m.find());
        return m.group(1);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20);
        }
    }

    private static Map<String, Object> statistics() {
        Map<String, Object> r = NgUdp.request(RelayFixture.ngPort(relay), Map.of("command", "statistics"));
        assertNotNull(r);
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) r.get("statistics");
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dtls(Map<String, Object> stats) {
        return (Map<String, Object>) ((Map<String, Object>) stats.get("webrtcstatistics")).get("DTLS");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stun(Map<String, Object> stats) {
        return (Map<String, Object>) ((Map<String, Object>) stats.get("webrtcstatistics")).get("STUN");
    }
}
